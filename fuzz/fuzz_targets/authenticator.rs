//! Any bytes into `Authenticator::decode` (the plaintext of an AP-REQ's authenticator) and,
//! when it holds one, `GssChecksum::decode` of its checksum: Ok or Err, never a panic; what
//! decodes re-encodes to the same fields.
#![no_main]

use krb_core::gss::GssChecksum;
use krb_core::messages::Authenticator;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match Authenticator::decode(data) {
        Ok(a) => {
            let bytes = a
                .encode()
                .expect("decoded times are in range, so they encode");
            let b = Authenticator::decode(&bytes).expect("our own encoding decodes");
            assert_eq!((a.crealm, &a.cname, a.cksum), (b.crealm, &b.cname, b.cksum));
            assert_eq!(
                (a.cusec, a.ctime, a.seq_number),
                (b.cusec, b.ctime, b.seq_number)
            );
            assert_eq!(
                a.subkey.map(|k| (k.keytype, k.keyvalue)),
                b.subkey.map(|k| (k.keytype, k.keyvalue))
            );
            assert_eq!(a.authorization_data, b.authorization_data);
            if let Some(c) = a.cksum {
                if let Ok(g) = GssChecksum::decode(c.checksum) {
                    if let Some(again) = g.encode() {
                        assert_eq!(GssChecksum::decode(&again), Ok(g));
                    }
                }
            }
            let _ = format!("{a:?}");
        }
        Err(e) => assert!(e.offset <= data.len(), "{e}"),
    }
});
