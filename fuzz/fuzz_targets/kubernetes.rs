//! Kubernetes manifests: the YAML reader (with template placeholders), the
//! objects, the hops of ingress-nginx, the AWS ALB and GKE, the proxy rules
//! and rendering.
#![no_main]

use std::sync::{Arc, LazyLock};

/// Built once: its regexes are not what is fuzzed.
static CONFIG: LazyLock<wslint::settings::Config> = LazyLock::new(|| {
    let mut c = wslint::settings::Config::default();
    // Project websocket paths, so that path matching runs too.
    c.proxy.websocket_paths = vec!["/ws/*".into(), "/api/v1/stream/{id}".into()];
    c
});

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The reader on its own, on any text (the pipeline below only reads
    // what the prefilter keeps).
    let text = String::from_utf8_lossy(data);
    let source = Arc::new(wslint::source::SourceFile::new("app.yaml".into(), text.as_ref()));
    let _ = wslint::lang::kubernetes::parse(source);
    let report = wslint::check_in_memory("k8s/app.yaml", data, CONFIG.clone());
    let _ = wslint::render::render(
        wslint::render::Format::Human,
        &report,
        wslint::render::RenderOptions {
            color: false,
            quiet: false,
        },
    );
});
