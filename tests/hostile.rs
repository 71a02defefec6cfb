//! Hostile and broken input: every case is built at test time, and each
//! checks the diagnostic, the exit code, that the other files of the run
//! are still checked, and that the run ends within a bound.

mod common;

use std::time::{Duration, Instant};

use common::{json_in, tree};

const BAD_VHOST: &str = "<VirtualHost *:443>\n    ProxyTimeout 30\n    ProxyPass /ws/ ws://127.0.0.1:8000/ws/\n</VirtualHost>\n";

fn codes(items: &[serde_json::Value]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn mutually_including_files_do_not_explode() {
    // Thirty files that each include all thirty: without a budget the walk
    // is 30! paths long.
    let mut files: Vec<(String, String)> = (0..30)
        .map(|i| {
            (
                format!("conf/f{i:02}.conf"),
                "Include *.conf\nProxyTimeout 5\n".to_string(),
            )
        })
        .collect();
    files.push(("z-site.conf".into(), BAD_VHOST.into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let t = tree(&refs);
    let start = Instant::now();
    let (items, out) = json_in(t.path(), &[]);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(out.status.code(), Some(1));
    let got = codes(&items);
    // Each Include line is reported once as recursive; the other file is
    // still checked.
    assert_eq!(
        got.iter().filter(|(_, c)| c == "WS305").count(),
        30,
        "{got:?}"
    );
    assert!(got.contains(&("z-site.conf".into(), "WS301".into())));
}
