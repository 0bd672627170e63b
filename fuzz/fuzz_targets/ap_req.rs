//! Any bytes into `ApReq::decode` and `Ticket::decode`: Ok or Err, never a panic; whatever
//! decodes encodes and decodes back to the same value, and errors point inside the input.
#![no_main]

use krb_core::messages::{ApReq, Ticket};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match ApReq::decode(data) {
        Ok(ap) => {
            let bytes = ap.encode().expect("an AP-REQ holds no time, so it encodes");
            assert_eq!(ApReq::decode(&bytes).as_ref(), Ok(&ap));
            let ticket = ap.ticket.encode().expect("a Ticket encodes");
            assert_eq!(Ticket::decode(&ticket).as_ref(), Ok(&ap.ticket));
            let _ = format!("{:?} {}", ap, ap.ticket.sname);
        }
        Err(e) => assert!(e.offset <= data.len(), "{e}"),
    }
    match Ticket::decode(data) {
        Ok(t) => {
            let bytes = t.encode().expect("a Ticket encodes");
            assert_eq!(Ticket::decode(&bytes).as_ref(), Ok(&t));
        }
        Err(e) => assert!(e.offset <= data.len(), "{e}"),
    }
});
