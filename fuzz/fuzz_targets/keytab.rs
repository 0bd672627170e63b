//! Any bytes into the keytab parser: Ok or Err, never a panic, a hang or a huge allocation.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(kt) = krb_keytab::parse(data) {
        let _ = format!("{kt:?}");
    }
});
