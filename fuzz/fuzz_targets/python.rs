//! The Python pipeline: the endpoint model and the server rules.
#![no_main]

use std::sync::LazyLock;

/// Built once: its regexes are not what is fuzzed.
static CONFIG: LazyLock<wslint::settings::Config> =
    LazyLock::new(wslint::settings::Config::default);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let report = wslint::check_in_memory("fuzz.py", data, CONFIG.clone());
    let _ = wslint::render::render(
        wslint::render::Format::Sarif,
        &report,
        wslint::render::RenderOptions {
            color: false,
            quiet: false,
        },
    );
});
