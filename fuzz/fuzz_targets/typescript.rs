//! The TS/JS pipeline: both grammars, the socket model, the client rules.
#![no_main]

use std::sync::LazyLock;

/// Built once: its regexes are not what is fuzzed.
static CONFIG: LazyLock<wslint::settings::Config> =
    LazyLock::new(wslint::settings::Config::default);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The first byte picks the grammar, the rest is the module.
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let name = if pick % 2 == 0 { "fuzz.ts" } else { "fuzz.tsx" };
    let report = wslint::check_in_memory(name, body, CONFIG.clone());
    let _ = wslint::render::render(
        wslint::render::Format::Json,
        &report,
        wslint::render::RenderOptions {
            color: false,
            quiet: false,
        },
    );
});
