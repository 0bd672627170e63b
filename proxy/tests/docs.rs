//! docs/config.md documents every config key: the key lists come from the config parser itself
//! (serde's "expected one of" for an unknown key in each table).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;

use krb_proxy::config::Config;

fn keys_of(table: &str) -> Vec<String> {
    let base = "listen = \"127.0.0.1:1\"\nkeytab = \"/k\"\n";
    let text = match table {
        "" => format!("no_such_key = 1\n{base}"),
        "[[route]]" => format!("{base}[[route]]\nno_such_key = 1\n"),
        t => format!("{base}{t}\nno_such_key = 1\n"),
    };
    let e = Config::from_toml(&text, Path::new("x.toml"))
        .unwrap_err()
        .to_string();
    let list = e
        .split("expected one of: ")
        .nth(1)
        .unwrap_or_else(|| panic!("{e}"))
        .trim_end_matches(')');
    list.split(", ").map(str::to_owned).collect()
}

#[test]
fn every_key_is_in_the_table() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/config.md")).unwrap();
    let mut missing = Vec::new();
    for (table, prefix) in [
        ("", ""),
        ("[tls]", "[tls] "),
        ("[admin]", "[admin] "),
        ("[limits]", "[limits] "),
        ("[upstream_tls]", "[upstream_tls] "),
        ("[session]", "[session] "),
        ("[log]", "[log] "),
        ("[[route]]", "[[route]] "),
    ] {
        let keys = keys_of(table);
        assert!(!keys.is_empty());
        for k in keys {
            if table.is_empty()
                && [
                    "tls",
                    "admin",
                    "limits",
                    "upstream_tls",
                    "session",
                    "log",
                    "route",
                ]
                .contains(&k.as_str())
            {
                continue;
            }
            let row = format!("| `{prefix}{k}` |");
            if !doc.contains(&row) {
                missing.push(row);
            }
        }
    }
    assert!(missing.is_empty(), "docs/config.md lacks rows: {missing:?}");
}
