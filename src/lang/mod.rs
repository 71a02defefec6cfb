//! Languages wslint reads: which files are which, and the byte-level
//! prefilter that decides whether a file can matter before it is decoded.

pub mod apache;
pub mod haproxy;
pub mod kind;
pub mod kubernetes;
pub mod nginx;
pub mod python;
pub mod sfc;
pub mod template;
pub mod terraform;
pub mod ts;

use std::path::Path;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    /// `.ts .mts .cts`: tree-sitter-typescript's TypeScript grammar.
    TypeScript,
    /// `.tsx .jsx .js .mjs .cjs`: its TSX grammar (JavaScript included).
    Tsx,
    /// `.vue` single-file components: their `<script>` blocks.
    Vue,
    /// `.svelte` components: their `<script>` blocks.
    Svelte,
    /// `.py .pyi`.
    Python,
    /// Apache httpd configuration.
    Apache,
    /// nginx configuration.
    Nginx,
    /// HAProxy configuration.
    Haproxy,
    /// Kubernetes manifests (`*.yaml`, `*.yml`, Helm templates).
    Kubernetes,
    /// Terraform (`*.tf`).
    Terraform,
}

/// The configuration languages of the proxies and load balancers wslint
/// reads.
pub const PROXY_LANGS: &[Lang] = &[
    Lang::Apache,
    Lang::Nginx,
    Lang::Haproxy,
    Lang::Kubernetes,
    Lang::Terraform,
];

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::TypeScript => "typescript",
            Lang::Tsx => "tsx",
            Lang::Vue => "vue",
            Lang::Svelte => "svelte",
            Lang::Python => "python",
            Lang::Apache => "apache",
            Lang::Nginx => "nginx",
            Lang::Haproxy => "haproxy",
            Lang::Kubernetes => "kubernetes",
            Lang::Terraform => "terraform",
        }
    }

    /// How messages name the product or language.
    pub fn product(self) -> &'static str {
        match self {
            Lang::TypeScript => "TypeScript",
            Lang::Tsx => "TypeScript/JavaScript",
            Lang::Vue => "Vue component",
            Lang::Svelte => "Svelte component",
            Lang::Python => "Python",
            Lang::Apache => "Apache httpd",
            Lang::Nginx => "nginx",
            Lang::Haproxy => "HAProxy",
            Lang::Kubernetes => "Kubernetes manifest",
            Lang::Terraform => "Terraform",
        }
    }

    /// Whether comments start with `#` (and only `#`).
    pub fn is_hash_commented(self) -> bool {
        matches!(
            self,
            Lang::Python | Lang::Apache | Lang::Nginx | Lang::Haproxy | Lang::Kubernetes
        )
    }

    /// Whether a comment may start with `leader` (`#`, `//`, `/*`).
    pub fn takes_comment(self, leader: &str) -> bool {
        match self {
            // HCL has all three.
            Lang::Terraform => true,
            l if l.is_hash_commented() => leader == "#",
            _ => leader != "#",
        }
    }

    pub fn is_proxy(self) -> bool {
        PROXY_LANGS.contains(&self)
    }

    /// Whether the client front end reads it: TypeScript and JavaScript
    /// modules, and the scripts of Vue and Svelte components.
    pub fn is_client(self) -> bool {
        matches!(
            self,
            Lang::TypeScript | Lang::Tsx | Lang::Vue | Lang::Svelte
        )
    }

    /// Whether its file is a single-file component whose `<script>` blocks
    /// are the module.
    pub fn is_component(self) -> bool {
        matches!(self, Lang::Vue | Lang::Svelte)
    }
}

/// What a path says about a file's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detected {
    Known(Lang),
    /// A configuration file (`.conf`, `.cfg`, a file in a `sites-enabled/`
    /// style folder, a templated copy): its content decides which product
    /// it is, if any. `expect` is the product its name says
    /// (`nginx.conf`, `haproxy.cfg.j2`): a file so named whose content is
    /// none of them is reported (WS003), not dropped.
    Config {
        expect: Option<Lang>,
    },
}

/// Folders whose files are server configuration whatever their extension.
const CONF_DIRS: [&str; 9] = [
    "sites-available",
    "sites-enabled",
    "conf.d",
    "conf-available",
    "conf-enabled",
    "vhosts.d",
    "http.d",
    "stream.d",
    "servers",
];

/// Extensions of template copies (Ansible, Salt, Chef, Puppet, Go, the
/// nginx image's envsubst): `nginx.conf.j2` is an nginx file.
pub const TEMPLATE_EXTS: &[&str] = &[
    "j2", "jinja", "jinja2", "tmpl", "tpl", "template", "erb", "epp", "mustache", "hbs", "gtpl",
    "gotmpl", "ctmpl", "liquid", "njk",
];

/// The name without a template extension, and whether it had one.
pub fn strip_template(name: &str) -> (&str, bool) {
    match name.rsplit_once('.') {
        Some((stem, ext)) if TEMPLATE_EXTS.iter().any(|t| ext.eq_ignore_ascii_case(t)) => {
            (stem, true)
        }
        _ => (name, false),
    }
}

/// Names of files that are not configuration, whatever their folder.
fn is_doc_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    name.starts_with('.')
        || [
            "README",
            "LICENSE",
            "CHANGELOG",
            "NOTICE",
            "AUTHORS",
            "MAKEFILE",
            "DOCKERFILE",
            "CODEOWNERS",
            "VERSION",
        ]
        .contains(&upper.as_str())
        || name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
}

/// The product the folder holding `path` is named for (`deploy/nginx/x`).
fn product_folder(path: &Path) -> Option<Lang> {
    path.ancestors().skip(1).take(1).find_map(|a| {
        let n = a.file_name()?.to_string_lossy().to_ascii_lowercase();
        match n.as_str() {
            "nginx" => Some(Lang::Nginx),
            "haproxy" => Some(Lang::Haproxy),
            "apache2" | "httpd" | "apache" => Some(Lang::Apache),
            _ => None,
        }
    })
}

/// What a file name (and its folder) says a proxy configuration is.
fn config_by_name(path: &Path, name: &str, templated: bool) -> Option<Detected> {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "httpd.conf" | "apache2.conf" | ".htaccess" if !templated => {
            return Some(Detected::Known(Lang::Apache));
        }
        "httpd.conf" | "apache2.conf" | ".htaccess" | "httpd-vhosts.conf" => {
            return Some(Detected::Config {
                expect: Some(Lang::Apache),
            });
        }
        "nginx.conf" => {
            return Some(Detected::Config {
                expect: Some(Lang::Nginx),
            });
        }
        "haproxy.cfg" => {
            return Some(Detected::Config {
                expect: Some(Lang::Haproxy),
            });
        }
        _ => {}
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e);
    match ext {
        Some("nginx" | "nginxconf") => {
            return Some(Detected::Config {
                expect: Some(Lang::Nginx),
            });
        }
        Some("haproxy") => {
            return Some(Detected::Config {
                expect: Some(Lang::Haproxy),
            });
        }
        // ISPConfig and others name nginx files `.vhost` too; a template
        // with no extension of its own (`templates/nginx/site.j2`) is a
        // configuration file if its content says so.
        // A file with no extension in a folder named for a product
        // (`reverse-proxy/nginx/plausible`), or such a template.
        None if templated || (product_folder(path).is_some() && !is_doc_name(name)) => {
            return Some(Detected::Config { expect: None });
        }
        Some("conf" | "vhost" | "cfg") => {
            return Some(Detected::Config { expect: None });
        }
        _ => {}
    }
    None
}

pub fn detect(path: &Path) -> Option<Detected> {
    // A name that is not UTF-8 is still a name: its extension decides.
    let full = path.file_name()?.to_string_lossy();
    let (name, templated) = strip_template(&full);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if !templated {
        match ext.as_deref() {
            Some("ts" | "mts" | "cts") => return Some(Detected::Known(Lang::TypeScript)),
            Some("tsx" | "jsx" | "js" | "mjs" | "cjs") => return Some(Detected::Known(Lang::Tsx)),
            Some("vue") => return Some(Detected::Known(Lang::Vue)),
            Some("svelte") => return Some(Detected::Known(Lang::Svelte)),
            Some("py" | "pyi") => return Some(Detected::Known(Lang::Python)),
            Some("tf") => return Some(Detected::Known(Lang::Terraform)),
            _ => {}
        }
    }
    // Manifests, templated ones too (`ingress.yaml.j2`); Helm's templates
    // keep the `.yaml` name.
    if matches!(ext.as_deref(), Some("yaml" | "yml")) {
        return Some(Detected::Known(Lang::Kubernetes));
    }
    if let Some(d) = config_by_name(path, name, templated) {
        return Some(d);
    }
    let in_conf_dir = path
        .parent()
        .and_then(|p| p.file_name())
        .is_some_and(|n| CONF_DIRS.iter().any(|d| n == *d));
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    // Backups and packaging leftovers in those folders are not configuration.
    let leftover = full.ends_with('~')
        || matches!(
            ext.as_deref(),
            Some(
                "bak"
                    | "orig"
                    | "old"
                    | "swp"
                    | "dpkg-dist"
                    | "dpkg-old"
                    | "rpmnew"
                    | "rpmsave"
                    | "md"
                    | "txt"
                    | "ts"
                    | "js"
                    | "py"
                    | "json"
                    | "yaml"
                    | "yml"
                    | "pem"
                    | "crt"
                    | "key"
            )
        );
    (in_conf_dir && !leftover).then_some(Detected::Config { expect: None })
}

/// The language a run reads a file as: by its path, and a configuration
/// file by its content. `None` for a file of no kind wslint reads.
pub fn of_file(path: &Path, text: &str) -> Option<Lang> {
    match detect(path)? {
        Detected::Known(l) => Some(l),
        Detected::Config { .. } => classify_config(path, text),
    }
}

/// Which proxy product a configuration file's content is, if any:
/// Apache's `Directive args` / `<Section>` lines, nginx's `name args;` and
/// `block { }`, HAProxy's section keywords and indented keywords.
pub fn classify_config(path: &Path, text: &str) -> Option<Lang> {
    let _ = path;
    let text: &str = &template::blank(text);
    let (ng_yes, ng_no) = nginx::score(text);
    let (ha_yes, ha_section) = haproxy::score(text);
    // HAProxy's section heads (`defaults`, `backend ws`) are no other
    // product's syntax.
    if ha_section && ha_yes >= 2 && ha_yes >= ng_yes {
        return Some(Lang::Haproxy);
    }
    if looks_like_apache(text) {
        return Some(Lang::Apache);
    }
    if ng_yes > 0 && ng_yes >= ng_no / 2 {
        return Some(Lang::Nginx);
    }
    None
}

/// The words that make a file relevant, per language (ASCII,
/// case-insensitive). One list: the in-memory prefilter compiles it into a
/// regex (the `regex` crate finds case-insensitive literals with SIMD, about
/// fifteen times faster than a case-insensitive Aho-Corasick automaton on a
/// real tree), the streaming one into an automaton.
const CLIENT_WORDS: &[&str] = &[
    "websocket",
    "partysocket",
    "close_code",
    "closecode",
    "wslint-ignore",
    // Client libraries at their call sites, by the package a site imports
    // (`socket.io-client`, and `socket.io` for its server), and socket.io's
    // own event and reason for a socket imported from another module.
    "socket.io",
    "connect_error",
    "io server disconnect",
    "phoenix",
    "graphql-ws",
    "supabase-js",
    "realtime-js",
    "supabase/ssr",
    "centrifuge",
];
/// `websocket`, and python-socketio / python-engineio servers (`import
/// socketio`, `flask_socketio`, `engineio.AsyncServer`).
const SERVER_WORDS: &[&str] = &["websocket", "socketio", "engineio", "wslint-ignore"];
/// Configuration files of every proxy product: what could set an idle
/// timeout, route a websocket, or pull in a file that does.
const CONFIG_WORDS: &[&str] = &[
    // Apache httpd
    "proxypass",
    "proxytimeout",
    "balancermember",
    "rewriterule",
    // nginx
    "proxy_pass",
    "proxy_read_timeout",
    "proxy_set_header",
    // HAProxy
    "backend",
    "listen",
    // all
    "timeout",
    "include",
    "upgrade",
    "wslint-ignore",
];

/// Kubernetes manifests: what routes a websocket through an ingress or a
/// load balancer, or sets its timeout (the kinds, the annotation prefixes,
/// the controller ConfigMap's key).
pub const KUBERNETES_WORDS: &[&str] = &[
    "ingress",
    "backendconfig",
    "backend-config",
    "proxy-read-timeout",
    "load-balancer-attributes",
    "wslint-ignore",
];
/// Terraform: the load balancer resources whose timeouts bound a websocket.
const TERRAFORM_WORDS: &[&str] = &[
    "google_compute_backend_service",
    "google_compute_region_backend_service",
    "google_compute_url_map",
    "google_compute_region_url_map",
    "aws_lb",
    "aws_alb",
    "wslint-ignore",
];

/// A module that only includes routers declared elsewhere gives their
/// routes their prefixes (WS203). Python names, so case-sensitive.
static ROUTER_WORDS: LazyLock<[memchr::memmem::Finder<'static>; 2]> = LazyLock::new(|| {
    [
        memchr::memmem::Finder::new("include_router"),
        memchr::memmem::Finder::new(".mount("),
    ]
});

/// The words as one case-sensitive regex, for a search of a folded copy
/// of the bytes: folding ASCII letters (one pass) and then searching for
/// the lowercase words takes half the time of a case-insensitive regex,
/// whose case variants make a literal set large enough to need the slower
/// "fat" Teddy searcher (BENCHMARKS.md). The same ASCII-only semantics.
static FOLDED: LazyLock<[regex::bytes::Regex; 5]> = LazyLock::new(|| {
    WORD_LISTS.map(|words| {
        let alternation: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
        regex::bytes::RegexBuilder::new(&alternation.join("|"))
            .unicode(false)
            .build()
            .expect("static patterns")
    })
});

thread_local! {
    static FOLD: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether `bytes` holds one of `words` (lowercase), ASCII
/// case-insensitively, at a place `keep` (given the folded text) accepts.
fn find_folded(
    words: &regex::bytes::Regex,
    bytes: &[u8],
    keep: impl Fn(&[u8], regex::bytes::Match<'_>) -> bool,
) -> bool {
    FOLD.with_borrow_mut(|folded| {
        folded.clear();
        folded.extend(bytes.iter().map(u8::to_ascii_lowercase));
        let found = words.find_iter(folded).any(|m| keep(folded, m));
        // Keep a buffer of ordinary size between files, not the largest.
        if folded.capacity() > 1 << 20 {
            *folded = Vec::new();
        }
        found
    })
}

static AUTOMATA: LazyLock<[AhoCorasick; 5]> = LazyLock::new(|| {
    WORD_LISTS.map(|words| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(words)
            .expect("static patterns")
    })
});

fn slot(lang: Lang) -> usize {
    match lang {
        // A component's scripts are client modules: the same words.
        Lang::TypeScript | Lang::Tsx | Lang::Vue | Lang::Svelte => 0,
        Lang::Python => 1,
        Lang::Apache | Lang::Nginx | Lang::Haproxy => 2,
        Lang::Kubernetes => 3,
        Lang::Terraform => 4,
    }
}

/// The word lists, by [`slot`].
const WORD_LISTS: [&[&str]; 5] = [
    CLIENT_WORDS,
    SERVER_WORDS,
    CONFIG_WORDS,
    KUBERNETES_WORDS,
    TERRAFORM_WORDS,
];

/// Whether a file of `lang` with these bytes can hold anything a rule reads:
/// a socket, a websocket endpoint, a proxy directive or a suppression.
pub fn prefilter(lang: Lang, bytes: &[u8]) -> bool {
    if lang == Lang::Python && ROUTER_WORDS.iter().any(|f| f.find(bytes).is_some()) {
        return true;
    }
    if matches!(lang, Lang::TypeScript | Lang::Tsx) {
        // A mention in a comment, an `import type` or a type annotation
        // alone does not make a client module worth a parse.
        return find_folded(&FOLDED[slot(lang)], bytes, |text, m| {
            m.as_bytes() != b"websocket" || ts::mention::counts(text, m.range())
        });
    }
    find_folded(&FOLDED[slot(lang)], bytes, |_, _| true)
}

/// Whether a JavaScript file is a minified bundle rather than source: large
/// (256 KiB or more) with lines of a thousand bytes on average. Parsing one
/// costs seconds, and a finding at column 368,449 of vendored code is not
/// something anyone can act on; hand-written modules of that size have
/// lines of tens of bytes.
pub fn looks_minified(text: &str) -> bool {
    const MIN_SIZE: usize = 256 * 1024;
    const MIN_AVERAGE_LINE: usize = 1000;
    if text.len() < MIN_SIZE {
        return false;
    }
    let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1;
    text.len() / lines >= MIN_AVERAGE_LINE
}

/// [`prefilter`] over a reader, for files too large to hold in memory: the
/// bytes are searched as they stream past. (Router words are not looked
/// for: a module that only includes routers is never that large.)
pub fn prefilter_stream(lang: Lang, reader: impl std::io::Read) -> bool {
    AUTOMATA[slot(lang)]
        .try_stream_find_iter(reader)
        .ok()
        .and_then(|mut it| it.next())
        .is_some_and(|m| m.is_ok())
}

/// Apache directives and sections common enough to recognise a file by.
const APACHE_NAMES: &[&str] = &[
    "<virtualhost",
    "<ifmodule",
    "<directory",
    "<location",
    "<proxy",
    "<files",
    "<ifdefine",
    "<ifversion",
    "<macro",
    "servername",
    "serveralias",
    "serverroot",
    "documentroot",
    "proxypass",
    "proxypassreverse",
    "proxypassmatch",
    "proxytimeout",
    "proxypreservehost",
    "proxyrequests",
    "balancermember",
    "rewriteengine",
    "rewriterule",
    "rewritecond",
    "loadmodule",
    "listen",
    "timeout",
    "keepalive",
    "keepalivetimeout",
    "errorlog",
    "customlog",
    "include",
    "includeoptional",
    "sslengine",
    "sslcertificatefile",
    "requestheader",
    "header",
    "options",
    "allowoverride",
    "require",
    "define",
    "serveradmin",
    "alias",
    "redirect",
];

/// Whether a `.conf` file is Apache httpd configuration rather than nginx
/// (`server { ... }`, `;`-terminated) or some other program's.
pub fn looks_like_apache(text: &str) -> bool {
    let mut apache = 0usize;
    let mut nginx = 0usize;
    // Lines end in `\n`, `\r\n` or a lone `\r`, as httpd and the parser see them.
    for line in text.split(['\n', '\r']).take(2_000) {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if l.ends_with('{') || l.ends_with(';') || l == "}" {
            nginx += 1;
            continue;
        }
        let first = l
            .split(|c: char| c.is_whitespace() || c == '>')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let first = first.trim_start_matches("</").to_string();
        let first = if l.starts_with("</") {
            format!("<{first}")
        } else {
            first
        };
        if APACHE_NAMES.contains(&first.as_str()) {
            apache += 1;
        }
    }
    apache > 0 && apache >= nginx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_by_name() {
        let d = |p: &str| detect(Path::new(p));
        assert_eq!(d("a/b.tsx"), Some(Detected::Known(Lang::Tsx)));
        assert_eq!(d("a/b.cjs"), Some(Detected::Known(Lang::Tsx)));
        assert_eq!(d("a/b.mts"), Some(Detected::Known(Lang::TypeScript)));
        assert_eq!(d("a/b.pyi"), Some(Detected::Known(Lang::Python)));
        assert_eq!(d("src/App.vue"), Some(Detected::Known(Lang::Vue)));
        assert_eq!(
            d("src/routes/+page.svelte"),
            Some(Detected::Known(Lang::Svelte))
        );
        // Svelte 5's rune modules are TypeScript/JavaScript.
        assert_eq!(
            d("src/lib/state.svelte.ts"),
            Some(Detected::Known(Lang::TypeScript))
        );
        assert_eq!(d("App.vue.tmpl"), None);
        assert_eq!(
            d("etc/apache2/apache2.conf"),
            Some(Detected::Known(Lang::Apache))
        );
        assert_eq!(d("site/.htaccess"), Some(Detected::Known(Lang::Apache)));
        let config = |expect| Some(Detected::Config { expect });
        assert_eq!(d("x/app.conf"), config(None));
        assert_eq!(d("x/app.vhost"), config(None));
        assert_eq!(d("sites-enabled/default"), config(None));
        assert_eq!(d("sites-enabled/default.bak"), None);
        assert_eq!(d("README.md"), None);
        assert_eq!(d("etc/nginx.conf"), config(Some(Lang::Nginx)));
        assert_eq!(d("deploy/nginx/app.conf"), config(None));
        assert_eq!(d("reverse-proxy/nginx/plausible"), config(None));
        assert_eq!(d("deploy/nginx/README"), None);
        assert_eq!(
            d("roles/web/templates/nginx.conf.j2"),
            config(Some(Lang::Nginx))
        );
        assert_eq!(d("templates/default.conf.template"), config(None));
        assert_eq!(d("haproxy.cfg"), config(Some(Lang::Haproxy)));
        assert_eq!(d("setup.cfg"), config(None));
        assert_eq!(d("httpd.conf.erb"), config(Some(Lang::Apache)));
        assert_eq!(d("settings.py.j2"), None);
        assert_eq!(d("app.ts.tmpl"), None);
        assert_eq!(d("templates/nginx/site-conf.j2"), config(None));
        assert_eq!(d("roles/web/templates/vhost.j2"), config(None));
        assert_eq!(d("nginx/nginx.conf.gtpl"), config(Some(Lang::Nginx)));
        assert_eq!(d("deploy/haproxy/haproxy.cfg"), config(Some(Lang::Haproxy)));
    }

    #[test]
    fn configs_by_content() {
        let c = |t: &str| classify_config(Path::new("x.conf"), t);
        assert_eq!(
            c(
                "defaults\n    mode http\n    timeout client 30s\nbackend ws\n    server a 1.2.3.4:80\n"
            ),
            Some(Lang::Haproxy)
        );
        assert_eq!(
            c("Listen 443\nTimeout 300\n<VirtualHost *:443>\n</VirtualHost>\n"),
            Some(Lang::Apache)
        );
        assert_eq!(
            c(
                "server {\n    listen 80;\n    location / {\n        proxy_pass http://b;\n    }\n}\n"
            ),
            Some(Lang::Nginx)
        );
        assert_eq!(c("[program:x]\ncommand=/bin/true\n"), None);
        assert_eq!(c("[metadata]\nname = x\n"), None);
    }

    #[test]
    fn apache_vs_nginx() {
        assert!(looks_like_apache(
            "<VirtualHost *:80>\n  ProxyPass /ws ws://b/\n</VirtualHost>\n"
        ));
        assert!(looks_like_apache("Timeout 300\n"));
        assert!(!looks_like_apache(
            "server {\n  listen 80;\n  location /ws {\n    proxy_pass http://b;\n    proxy_read_timeout 3600s;\n  }\n}\n"
        ));
        assert!(!looks_like_apache("[program:x]\ncommand=/bin/true\n"));
        assert!(!looks_like_apache("net.ipv4.ip_forward = 1\n"));
    }

    #[test]
    fn minified_bundles_are_told_from_source() {
        let bundle = "var a=function(n){return n*2};".repeat(20_000);
        assert!(looks_minified(&bundle));
        let source = "export const double = (n: number) => n * 2;\n".repeat(20_000);
        assert!(!looks_minified(&source));
        assert!(
            !looks_minified("var a=1;".repeat(1000).as_str()),
            "small files are parsed"
        );
    }

    #[test]
    fn prefilter_is_case_insensitive() {
        assert!(prefilter(Lang::Tsx, b"const ws = new WebSocket(url)"));
        assert!(!prefilter(Lang::Tsx, b"export const x = 1"));
        assert!(prefilter(Lang::Tsx, b"const s = new PartySocket({ host })"));
        assert!(prefilter(Lang::Python, b"app.include_router(jobs.router)"));
        assert!(prefilter(Lang::Python, b"app.mount('/v1', v1)"));
        assert!(!prefilter(Lang::Python, b"total = amount(x)"));
        assert!(prefilter(Lang::Apache, b"proxytimeout 60"));
        assert!(!prefilter(Lang::Apache, b"ServerName example.com"));
    }

    #[test]
    fn folded_prefilter_is_the_case_insensitive_search() {
        let words = regex::bytes::RegexBuilder::new(&CLIENT_WORDS.join("|"))
            .case_insensitive(true)
            .unicode(false)
            .build()
            .unwrap();
        for hay in [
            &b"WEBSOCKET"[..],
            b"new ReconnectingWebSocket(u)",
            b"// WsLint-Ignore: WS101",
            b"CLOSE_CODE = 4001",
            b"web\xc3\xa9socket",
            b"websocke",
            b"\xffWEBSOCKE\xc3T",
            "ẞocket wébsocket".as_bytes(),
            b"",
        ] {
            assert_eq!(
                prefilter(Lang::Tsx, hay),
                words.is_match(hay),
                "{:?}",
                String::from_utf8_lossy(hay)
            );
        }
    }
}
