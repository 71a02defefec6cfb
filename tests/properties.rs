//! Property tests: arbitrary bytes under every file name wslint reads never
//! panic and always produce a report, and what wslint finds does not depend
//! on the order or number of threads.

use proptest::prelude::*;

use wslint::settings::Config;

/// Names of every language and dialect wslint reads.
const NAMES: &[&str] = &[
    "a.ts",
    "a.mts",
    "a.cts",
    "a.tsx",
    "a.jsx",
    "a.js",
    "a.mjs",
    "a.cjs",
    "a.py",
    "a.pyi",
    "a.conf",
    "httpd.conf",
    ".htaccess",
    "sites-enabled/default",
    "a.vhost",
    "nginx.conf",
    "conf.d/a.conf",
    "templates/a.conf.template",
    "a.conf.j2",
    "haproxy.cfg",
    "a.cfg",
    "App.vue",
    "Feed.svelte",
];

/// Fragments of real code of every language, so that random input reaches
/// deep into the parsers and models instead of stopping at the prefilter.
const WORDS: &[&str] = &[
    "new WebSocket(url)",
    "ws.send(\"ping\")",
    "setInterval(",
    "clearInterval(",
    "ws.onclose = (e) => {",
    "if (TERMINAL.has(e.code)) return;",
    "setTimeout(connect, 1000)",
    "useEffect(() => {",
    "}, [token]);",
    "const HEARTBEAT_MS = 20_000;",
    "new Set([1000, 4001])",
    "ws.close(1001)",
    "import { X } from './x';",
    "@router.websocket(\"/ws/{id}\")",
    "async def f(websocket: WebSocket):",
    "await websocket.accept()",
    "await asyncio.wait_for(websocket.receive_text(), timeout=T)",
    "except asyncio.TimeoutError:",
    "await websocket.close(code=4001)",
    "org_id",
    "while True:",
    "<VirtualHost *:80>",
    "</VirtualHost>",
    "ProxyTimeout 30",
    "ProxyPass /ws ws://b/ timeout=5",
    "Timeout 300",
    "<Location /ws>",
    "</Location>",
    "Include *.conf",
    "Define X 5",
    "${X}",
    "RewriteRule ^ ws://b/ [P]",
    "server {",
    "location /ws/ {",
    "location ~* ^/ws {",
    "proxy_pass http://b;",
    "proxy_set_header Upgrade $http_upgrade;",
    "proxy_set_header Connection $connection_upgrade;",
    "proxy_read_timeout 30s;",
    "include conf.d/*.conf;",
    "map $http_upgrade $connection_upgrade {",
    "if ($x) {",
    "content_by_lua_block {",
    "{{ if .X }}",
    "{{ end }}",
    "{% if x %}",
    "<%= @x %>",
    "defaults",
    "frontend www",
    "backend ws",
    "timeout tunnel 3600",
    "use_backend ws if { hdr(upgrade) -i websocket }",
    "acl ws path_beg /ws/",
    "# wslint-ignore WS301",
    "// wslint-ignore WS101: r",
    // Components: blocks, markup, expressions, comments.
    "<script setup lang=\"ts\">",
    "<script>",
    "<script module>",
    "<script context=\"module\" lang=\"ts\">",
    "</script>",
    "<script",
    "<template>",
    "</template>",
    "<div :a=\"x > 1\">",
    "</div>",
    "<br/>",
    "<style>",
    "</style>",
    "{{ a < b }}",
    "{#if x}",
    "{/if}",
    "{`${",
    "<!-- wslint-ignore-file WS102: r -->",
    "<!--",
    "-->",
    "onMounted(() => {",
    "onBeforeUnmount(() => clearInterval(t));",
    "onDestroy(() => ws.close());",
    "$effect(() => {",
    "token.value",
    "$token",
    "\\\n",
    "\"",
    "'",
    "`",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "\u{feff}",
    "é",
    "\u{0}",
];

fn code() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Raw bytes, invalid UTF-8 and NULs included.
        proptest::collection::vec(any::<u8>(), 0..2048),
        // Sequences of real fragments.
        proptest::collection::vec(proptest::sample::select(WORDS), 0..120)
            .prop_map(|w| w.concat().into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_under_any_name_give_a_report(name in proptest::sample::select(NAMES), bytes in code()) {
        let report = wslint::check_in_memory(name, &bytes, Config::default());
        // Every diagnostic is in the file, within its text.
        for d in &report.diagnostics {
            prop_assert!(d.span.end <= d.file.text.len());
            prop_assert!(d.start().line >= 1);
        }
        // Rendering never fails either.
        for format in [
            wslint::render::Format::Human,
            wslint::render::Format::Concise,
            wslint::render::Format::Json,
            wslint::render::Format::Sarif,
            wslint::render::Format::Github,
        ] {
            let _ = wslint::render::render(format, &report, wslint::render::RenderOptions { color: false, quiet: false });
        }
    }

    #[test]
    fn component_views_keep_every_offset(bytes in code(), svelte in any::<bool>()) {
        use wslint::lang::sfc::{Component, Framework};
        let text = String::from_utf8_lossy(&bytes);
        let fw = if svelte { Framework::Svelte } else { Framework::Vue };
        let c = Component::read(&text, fw);
        let view = c.view(&text);
        // Byte for byte at the file's offsets: the same length, the same
        // line breaks, each block's content as written.
        prop_assert_eq!(view.len(), text.len());
        for (a, b) in view.bytes().zip(text.bytes()) {
            prop_assert_eq!(a == b'\n' || a == b'\r', b == b'\n' || b == b'\r');
        }
        let mut last = 0;
        for r in c.parse_ranges() {
            prop_assert!(r.start >= last && r.end <= text.len());
            last = r.end;
        }
        for b in &c.blocks {
            prop_assert_eq!(&view[b.content.clone()], &text[b.content.clone()]);
        }
        let _ = c.suppression_view(&text);
    }

    #[test]
    fn any_configuration_text_is_accepted_or_refused_with_a_place(text in ".{0,300}") {
        if let Err(problems) = wslint::settings::parse(&text, false, std::path::Path::new("/p")) {
            prop_assert!(!problems.is_empty());
            for p in problems {
                prop_assert!(p.span.end <= text.len());
                prop_assert!(!p.message.is_empty());
            }
        }
    }
}
