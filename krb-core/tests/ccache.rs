//! MIT credential cache files (MIT's doc/formats/ccache_file_format.rst), read with
//! `krb_core::ccache`. The expected values are what MIT's `klist -e -f` prints for the file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use krb_core::ccache::{Ccache, CcacheErrorKind};
use krb_core::principal::Principal;

fn fixture() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/windows-ad/krb5cc"
    ))
    .unwrap()
}

#[test]
fn reads_the_kerberos_net_cache_as_klist_does() {
    let cc = Ccache::parse(&fixture()).unwrap();
    assert_eq!(cc.version, 0x0504);
    assert_eq!(cc.kdc_time_offset, Some((0, 0)));
    assert_eq!(
        cc.default_principal.to_string(),
        "admin@IPA.IDENTITYINTERVENTION.COM"
    );
    let tickets: Vec<_> = cc.tickets().collect();
    assert_eq!(tickets.len(), 1);
    let t = tickets[0];
    assert_eq!(
        t.server.to_string(),
        "krbtgt/IPA.IDENTITYINTERVENTION.COM@IPA.IDENTITYINTERVENTION.COM"
    );
    // klist: "07/30/20 20:58:19  07/31/20 20:58:16", Flags: FIA, aes256-cts-hmac-sha1-96.
    assert_eq!(t.starttime, 1_596_142_699);
    assert_eq!(t.endtime, 1_596_229_096);
    assert_eq!(t.key_etype, 18);
    assert_eq!(t.session_key_bytes().len(), 32);
    // F (forwardable, bit 1), I (initial, bit 9), A (pre-authent, bit 10); bit 0 is the MSB.
    let f = t.ticket_flags;
    assert_ne!(f & (1 << 30), 0, "forwardable");
    assert_ne!(f & (1 << 22), 0, "initial");
    assert_ne!(f & (1 << 21), 0, "pre-authent");
    assert_eq!(
        t.ticket.first(),
        Some(&0x61),
        "a DER Ticket, [APPLICATION 1]"
    );
    let krbtgt = Principal::parse(
        "krbtgt/IPA.IDENTITYINTERVENTION.COM@IPA.IDENTITYINTERVENTION.COM",
        None,
    )
    .unwrap();
    assert!(cc.find(&krbtgt).is_some());
    assert!(
        cc.find(&Principal::parse("HTTP/x@IPA.IDENTITYINTERVENTION.COM", None).unwrap())
            .is_none()
    );
}

#[test]
fn debug_output_redacts_the_session_key() {
    let cc = Ccache::parse(&fixture()).unwrap();
    let t = cc.tickets().next().unwrap();
    let dbg = format!("{cc:?}");
    assert!(dbg.contains("<redacted>"));
    let hex: String = t
        .session_key_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(!dbg.to_lowercase().contains(&hex[..8]));
    let as_list = format!("{:?}", t.session_key_bytes());
    assert!(!dbg.contains(&as_list));
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = fixture();
    let full = Ccache::parse(&bytes).unwrap();
    for len in 0..bytes.len() {
        match Ccache::parse(&bytes[..len]) {
            Err(e) => assert!(e.offset <= len, "offset {} past the end {len}", e.offset),
            // A cut exactly between credentials is a valid, shorter cache.
            Ok(cc) => assert!(cc.credentials.len() < full.credentials.len(), "len {len}"),
        }
    }
}

#[test]
fn every_byte_corruption_is_handled() {
    let bytes = fixture();
    for i in 0..bytes.len() {
        for v in [0x00, 0x7f, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] = v;
            let _ = Ccache::parse(&b);
        }
    }
}

#[test]
fn version_and_counts_are_checked() {
    let mut bytes = fixture();
    bytes[1] = 0x02;
    let e = Ccache::parse(&bytes).unwrap_err();
    assert_eq!(e.kind, CcacheErrorKind::UnsupportedVersion(0x0502));
    assert!(e.to_string().contains("0x0502"), "{e}");

    // The default principal's component count (after the 16-byte header and the name type).
    let mut bytes = fixture();
    bytes[20..24].copy_from_slice(&u32::MAX.to_be_bytes());
    let e = Ccache::parse(&bytes).unwrap_err();
    assert!(matches!(e.kind, CcacheErrorKind::TooMany(..)), "{e}");
    assert_eq!(e.offset, 20);

    // A realm length past the end of the file.
    let mut bytes = fixture();
    bytes[24..28].copy_from_slice(&0x7fff_ffffu32.to_be_bytes());
    let e = Ccache::parse(&bytes).unwrap_err();
    assert!(matches!(e.kind, CcacheErrorKind::Truncated(_)), "{e}");
    assert!(e.to_string().contains("at byte"), "{e}");
}

/// Seconds since the epoch of klist's `MM/DD/YY HH:MM:SS` (UTC, as regen.sh runs klist).
fn klist_time(date: &str, time: &str) -> u32 {
    let d: Vec<i64> = date.split('/').map(|p| p.parse().unwrap()).collect();
    let t: Vec<i64> = time.split(':').map(|p| p.parse().unwrap()).collect();
    let (y, m, day) = (2000 + d[2], d[0], d[1]);
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u32::try_from(days * 86_400 + t[0] * 3600 + t[1] * 60 + t[2]).unwrap()
}

#[test]
fn reads_the_mit_cache_as_klist_does() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/mit/");
    let cc = Ccache::parse(&std::fs::read(format!("{dir}alice.ccache")).unwrap()).unwrap();
    let klist = std::fs::read_to_string(format!("{dir}alice.ccache.klist.txt")).unwrap();
    assert_eq!(cc.version, 0x0504);
    assert!(klist.contains(&format!("Default principal: {}", cc.default_principal)));

    // (start, end, service) from the time lines, and the session key etype from the Etype lines.
    let mut expected = Vec::new();
    let mut lines = klist.lines().peekable();
    while let Some(line) = lines.next() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() == 5 && f[0].contains('/') && f[1].contains(':') {
            let start = klist_time(f[0], f[1]);
            let end = klist_time(f[2], f[3]);
            let etype_line = lines.find(|l| l.contains("Etype (skey, tkt)")).unwrap();
            let (_, etypes) = etype_line.rsplit_once("Etype (skey, tkt): ").unwrap();
            let skey = etypes.split(',').next().unwrap().trim();
            let etype = match skey {
                "aes128-cts-hmac-sha1-96" => 17,
                "aes256-cts-hmac-sha1-96" => 18,
                "aes128-cts-hmac-sha256-128" => 19,
                "aes256-cts-hmac-sha384-192" => 20,
                "DEPRECATED:arcfour-hmac" => 23,
                other => panic!("unexpected enctype {other}"),
            };
            expected.push((start, end, f[4].to_owned(), etype));
        }
    }
    assert!(expected.len() >= 8, "{expected:?}");
    let got: Vec<_> = cc
        .tickets()
        .map(|c| (c.starttime, c.endtime, c.server.to_string(), c.key_etype))
        .collect();
    assert_eq!(got, expected);
    // MIT's configuration entries are there, and kept apart from the tickets.
    assert!(cc.credentials.iter().any(|c| c.is_config()));
    for t in cc.tickets() {
        assert_eq!(t.client.to_string(), "alice@EXAMPLE.TEST");
        assert_eq!(t.ticket.first(), Some(&0x61));
    }
    let api = Principal::parse("HTTP/api.example.test@EXAMPLE.TEST", None).unwrap();
    assert_eq!(cc.find(&api).unwrap().key_etype, 18);
}
