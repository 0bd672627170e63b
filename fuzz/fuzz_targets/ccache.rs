//! Any bytes into the credential cache parser: Ok or Err, never a panic or a hang.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = krb_core::ccache::Ccache::parse(data);
});
