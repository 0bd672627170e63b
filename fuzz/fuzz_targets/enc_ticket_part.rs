//! Any bytes into `EncTicketPart::decode` (the plaintext of a ticket, which an acceptor sees
//! only after decryption): Ok or Err, never a panic; what decodes re-encodes to the same fields.
#![no_main]

use krb_core::messages::EncTicketPart;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match EncTicketPart::decode(data) {
        Ok(p) => {
            let bytes = p
                .encode()
                .expect("decoded times are in range, so they encode");
            let q = EncTicketPart::decode(&bytes).expect("our own encoding decodes");
            assert_eq!(p.flags, q.flags);
            assert_eq!(
                (p.key.keytype, p.key.keyvalue),
                (q.key.keytype, q.key.keyvalue)
            );
            assert_eq!(p.crealm, q.crealm);
            assert_eq!(p.cname, q.cname);
            assert_eq!(p.transited, q.transited);
            assert_eq!(
                (p.authtime, p.starttime, p.endtime, p.renew_till),
                (q.authtime, q.starttime, q.endtime, q.renew_till)
            );
            assert_eq!(p.caddr, q.caddr);
            assert_eq!(p.authorization_data, q.authorization_data);
            let _ = format!("{p:?} {}", p.cname);
        }
        Err(e) => assert!(e.offset <= data.len(), "{e}"),
    }
});
