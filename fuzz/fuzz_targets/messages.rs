//! Any bytes into the other message decoders: AP-REP, EncAPRepPart, KRB-ERROR, KRB-CRED and
//! EncKrbCredPart. Ok or Err, never a panic; what decodes re-encodes and decodes back.
#![no_main]

use krb_core::messages::{ApRep, EncApRepPart, EncKrbCredPart, KrbCred, KrbError};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(m) = ApRep::decode(data) {
        assert_eq!(ApRep::decode(&m.encode().expect("encodes")), Ok(m));
    }
    if let Ok(m) = EncApRepPart::decode(data) {
        let bytes = m.encode().expect("encodes");
        let back = EncApRepPart::decode(&bytes).expect("decodes");
        assert_eq!(
            (m.ctime, m.cusec, m.seq_number),
            (back.ctime, back.cusec, back.seq_number)
        );
    }
    if let Ok(m) = KrbError::decode(data) {
        assert_eq!(
            KrbError::decode(&m.encode().expect("encodes")).as_ref(),
            Ok(&m)
        );
    }
    if let Ok(m) = KrbCred::decode(data) {
        let bytes = m.encode().expect("encodes");
        let back = KrbCred::decode(&bytes).expect("decodes");
        assert_eq!(m.tickets, back.tickets);
        assert_eq!(m.enc_part, back.enc_part);
    }
    if let Ok(m) = EncKrbCredPart::decode(data) {
        let bytes = m.encode().expect("encodes");
        let back = EncKrbCredPart::decode(&bytes).expect("decodes");
        assert_eq!(m.ticket_info.len(), back.ticket_info.len());
        assert_eq!(
            (m.nonce, m.timestamp, m.usec),
            (back.nonce, back.timestamp, back.usec)
        );
        let _ = format!("{m:?}");
    }
});
