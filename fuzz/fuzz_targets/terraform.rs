//! Terraform: the HCL reader (nesting guard, hcl-edit, the value summary),
//! the GCP and AWS load balancers, the proxy rules and rendering.
#![no_main]

use std::sync::LazyLock;

/// Built once: its regexes are not what is fuzzed.
static CONFIG: LazyLock<wslint::settings::Config> = LazyLock::new(|| {
    let mut c = wslint::settings::Config::default();
    // Project websocket paths, so that url-map matching runs too.
    c.proxy.websocket_paths = vec!["/ws/*".into(), "/live".into()];
    c
});

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The reader on its own, on any text.
    let text = String::from_utf8_lossy(data);
    let _ = wslint::lang::terraform::parse::parse(&text);
    let report = wslint::check_in_memory("infra/main.tf", data, CONFIG.clone());
    let _ = wslint::render::render(
        wslint::render::Format::Human,
        &report,
        wslint::render::RenderOptions {
            color: false,
            quiet: false,
        },
    );
});
