//! Vue and Svelte components: the markup scan that finds the `<script>`
//! blocks, the view the front end parses, and the whole pipeline on them.
#![no_main]

use std::sync::LazyLock;

use wslint::lang::sfc::{Component, Framework};

/// Built once: its regexes are not what is fuzzed.
static CONFIG: LazyLock<wslint::settings::Config> =
    LazyLock::new(wslint::settings::Config::default);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The first byte picks the framework, the rest is the file.
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let (name, framework) = if pick % 2 == 0 {
        ("Fuzz.vue", Framework::Vue)
    } else {
        ("Fuzz.svelte", Framework::Svelte)
    };
    // The view keeps every offset: same length, blocks as written.
    let text = String::from_utf8_lossy(body);
    let c = Component::read(&text, framework);
    let view = c.view(&text);
    assert_eq!(view.len(), text.len());
    for b in &c.blocks {
        assert_eq!(&view[b.content.clone()], &text[b.content.clone()]);
    }
    let report = wslint::check_in_memory(name, body, CONFIG.clone());
    for d in &report.diagnostics {
        assert!(d.span.end <= d.file.text.len());
    }
});
