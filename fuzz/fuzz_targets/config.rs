//! The configuration loader: wslint.toml and pyproject.toml text.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let base = std::path::Path::new("/project");
    for pyproject in [false, true] {
        if let Err(problems) = wslint::settings::parse(text, pyproject, base) {
            assert!(!problems.is_empty());
            for p in problems {
                assert!(p.span.end <= text.len());
            }
        }
    }
});
