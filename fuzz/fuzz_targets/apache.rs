//! The Apache pipeline: parser, include walk, model, proxy rules, rendering.
#![no_main]

use std::sync::LazyLock;

/// Built once: its regexes are not what is fuzzed.
static CONFIG: LazyLock<wslint::settings::Config> =
    LazyLock::new(wslint::settings::Config::default);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let report = wslint::check_in_memory("fuzz.conf", data, CONFIG.clone());
    let _ = wslint::render::render(
        wslint::render::Format::Human,
        &report,
        wslint::render::RenderOptions {
            color: false,
            quiet: false,
        },
    );
});
