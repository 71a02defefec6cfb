//! The haproxy pipeline: parser, tree, proxy model, proxy rules, rendering.
#![no_main]

use std::sync::LazyLock;

/// Built once: its regexes are not what is fuzzed.
static CONFIG: LazyLock<wslint::settings::Config> = LazyLock::new(|| {
    let mut c = wslint::settings::Config::default();
    // Project websocket paths, so that location and ACL matching run too.
    c.proxy.websocket_paths = vec!["/ws/*".into(), "/api/v1/stream/{id}".into()];
    c
});

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let report = wslint::check_in_memory("haproxy.cfg", data, CONFIG.clone());
    let _ = wslint::render::render(
        wslint::render::Format::Human,
        &report,
        wslint::render::RenderOptions {
            color: false,
            quiet: false,
        },
    );
});
