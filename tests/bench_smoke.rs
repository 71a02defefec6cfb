//! The benchmark harness cannot rot: `scripts/bench.sh --smoke` generates a
//! small corpus and runs every command the benchmark times (no timing).

mod common;

use common::walk;

#[test]
fn the_benchmark_harness_runs() {
    let out = tempfile::tempdir().unwrap();
    let run = std::process::Command::new("bash")
        .arg("scripts/bench.sh")
        .arg("--smoke")
        .env("BENCH_OUT", out.path())
        .current_dir(common::repo())
        .output()
        .expect("bash runs");
    assert!(
        run.status.success(),
        "bench.sh --smoke failed:\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stdout).contains("bench smoke: ok"));
    // The generator is deterministic: the same arguments, the same tree.
    let again = tempfile::tempdir().unwrap();
    let generator = common::repo().join("target/debug/examples/gen_corpus");
    for dir in [out.path().join("again-a"), again.path().join("again-b")] {
        let st = std::process::Command::new(&generator)
            .args(["--files", "120", "--out"])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(st.status.success());
    }
    let digest = |d: &std::path::Path| {
        let mut files: Vec<(String, Vec<u8>)> = walk(d)
            .into_iter()
            .map(|p| {
                (
                    p.strip_prefix(d).unwrap().to_string_lossy().to_string(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    assert_eq!(
        digest(&out.path().join("again-a")),
        digest(&again.path().join("again-b"))
    );
}
