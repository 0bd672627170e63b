//! SIGHUP reloads config and keytab (its own test process: it signals itself).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use krb_proxy::auth::{Authenticator, KeytabSettings};
use krb_proxy::config::Overrides;
use krb_proxy::run::Launcher;

#[tokio::test]
async fn sighup_reloads_config_and_keytab() {
    // Install a SIGHUP handler for this process before anything sends one.
    let mut own = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).unwrap();
    let dir = std::env::temp_dir().join(format!("krbp-sighup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("proxy.toml");
    let echo = echo_upstream().await;
    let write = |prefix: &str| {
        std::fs::write(
            &path,
            format!(
                "listen = \"127.0.0.1:0\"\nkeytab = \"/k.keytab\"\n[log]\naccess = \"off\"\n[[route]]\npath_prefix = \"{prefix}\"\nupstream = \"http://{}\"\nallow = [\"*\"]\n",
                echo.addr
            ),
        )
        .unwrap();
    };
    write("/old/");
    let loads = Arc::new(AtomicUsize::new(0));
    let counter = loads.clone();
    let mut launcher = Launcher::new(
        path.clone(),
        Overrides::default(),
        Arc::new(
            move |_: &KeytabSettings| -> Result<Arc<dyn Authenticator>, String> {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok(Arc::new(FixedTokenAuthenticator::default()))
            },
        ),
    );
    // Only the signal may trigger the reload here.
    launcher.poll_interval = Duration::from_secs(3600);
    let launcher = Arc::new(launcher);
    let h = launcher.start().await.unwrap();
    let a = h.local_addr();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let l2 = launcher.clone();
    let supervisor = tokio::spawn(async move {
        l2.supervise_until(h, async {
            let _ = stop_rx.await;
        })
        .await
    });
    write("/new/");
    let alice = negotiate(b"alice");
    let mut status = 0;
    for _ in 0..50 {
        let pid = std::process::id().to_string();
        assert!(
            std::process::Command::new("kill")
                .args(["-HUP", &pid])
                .status()
                .unwrap()
                .success()
        );
        own.recv().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        status = send(a, get("/new/x", &[("authorization", &alice)]))
            .await
            .status;
        if status == 200 {
            break;
        }
    }
    assert_eq!(status, 200, "SIGHUP did not reload");
    assert!(
        loads.load(Ordering::SeqCst) >= 2,
        "the keytab was not loaded again"
    );
    assert_eq!(
        send(a, get("/old/x", &[("authorization", &alice)]))
            .await
            .status,
        404
    );
    stop_tx.send(()).unwrap();
    supervisor.await.unwrap().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}
