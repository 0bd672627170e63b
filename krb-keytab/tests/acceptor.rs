//! The keytab as the acceptor uses it: `Keytab::service_keys` on MIT's service keytab
//! (testdata/mit/service.keytab, exported by kadmin.local) accepts every AP-REQ that MIT's
//! initiator made for those services, at the time it was made.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use krb_core::acceptor::{Acceptor, Policy};
use krb_keytab::{Etype, Keytab};

fn mit(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/mit")
        .join(name)
}

#[test]
fn the_mit_keytab_accepts_every_mit_token() {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(mit("manifest.json")).unwrap()).unwrap();
    let service = Keytab::read_file(mit("service.keytab")).unwrap();
    let password = Keytab::read_file(mit("password.keytab")).unwrap();
    let mut policy = Policy::default();
    policy.danger.allow_rc4 = true;
    policy.danger.disable_replay_cache = true;
    let by_service = Acceptor::new(service.service_keys(), policy.clone());
    let by_password = Acceptor::new(password.service_keys(), policy);
    let usable = service.entries().iter().filter(|e| e.key().is_ok()).count();
    assert_eq!(service.service_keys().len(), usable);

    let mut accepted = 0;
    for t in manifest["tokens"].as_array().unwrap() {
        if t["kind"] != "ap-req" {
            continue;
        }
        let file = t["file"].as_str().unwrap();
        if t["ticket"]["etype"] == 23 && !Etype::Rc4Hmac.is_supported() {
            continue;
        }
        let token = std::fs::read(mit(file)).unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(t["created"].as_u64().unwrap());
        let cb = t["channel_bindings"].as_str().map(str::as_bytes);
        let acceptor = if file.contains("password") {
            &by_password
        } else {
            &by_service
        };
        let ok = acceptor
            .accept(&token, now, cb)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(ok.ticket.client.to_string(), t["client"].as_str().unwrap());
        assert_eq!(
            ok.ticket.service.to_string(),
            t["service"].as_str().unwrap()
        );
        accepted += 1;
    }
    assert!(accepted >= 20, "{accepted}");
}
