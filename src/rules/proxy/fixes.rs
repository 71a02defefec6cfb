//! The edits behind the proxy rules' fixes, in each product's syntax:
//!
//! - [`set_seconds`] (WS301, WS303, safe): the value of the directive or
//!   key that sets a route's idle timeout, rewritten to a number of
//!   seconds: Apache `ProxyTimeout 90` and `timeout=90`, nginx `90s`,
//!   HAProxy `90s` (always with a unit: a bare number is milliseconds),
//!   ingress-nginx's annotation string, the ALB attribute and Terraform's
//!   number. Only where the value token read back with the product's own
//!   parser is the value the model holds (a template placeholder, a
//!   variable or an expression gets no fix).
//! - [`add_timeout`] (WS302, unsafe): the directive added to the hop, in
//!   the block the product reads it in.
//! - [`move_out`] (WS304, unsafe): the directive moved out of the section
//!   httpd refuses it in, to just above that section (where a later
//!   directive of the same name wins, as httpd reads them). nginx gets no
//!   such fix: its enclosing block may set the directive already, and a
//!   duplicate is an error there.

use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::Edit;
use crate::proxy::{Hop, Loc, Product, Setting, WsRoute};
use crate::source::{Source, Span};

static APACHE_PARAM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\btimeout=(\d+)\b").expect("static regex"));
static APACHE_DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\s*(?:ProxyTimeout|Timeout)\s+"?(\d+)"?\s*$"#).expect("static regex")
});
static NGINX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*proxy_read_timeout\s+([0-9a-z]+)\s*;").expect("static regex")
});
static HAPROXY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*timeout\s+(?:tunnel|client|server)\s+([0-9a-z]+)\s*(?:#.*)?$")
        .expect("static regex")
});
static YAML_SCALAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#":\s*(?:"(\d+)"|'(\d+)'|(\d+))\s*(?:#.*)?$"#).expect("static regex")
});
static ALB_ATTRIBUTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"idle_timeout\.timeout_seconds=(\d+)\b").expect("static regex"));
static HCL_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*[A-Za-z_][A-Za-z0-9_-]*\s*=\s*(\d+)\s*(?:(?:#|//).*)?$").expect("static regex")
});

/// The edit that makes `setting` say `seconds`, or `None` where its value
/// cannot be edited safely.
pub(crate) fn set_seconds(product: Product, setting: &Setting, seconds: u64) -> Option<Edit> {
    let held = setting.seconds?;
    let file = &setting.loc.file;
    let text = file
        .text
        .get(setting.loc.span.start..setting.loc.span.end)?;
    // (the value token's range in `text`, the seconds it says, the new token)
    let (range, says, new) = match product {
        Product::Apache => {
            let m = APACHE_PARAM
                .captures(text)
                .or_else(|| APACHE_DIRECTIVE.captures(text))?
                .get(1)?;
            (
                m.range(),
                m.as_str().parse::<f64>().ok()?,
                seconds.to_string(),
            )
        }
        Product::Nginx => {
            let m = NGINX.captures(text)?.get(1)?;
            let says = crate::lang::nginx::duration::parse(m.as_str()).ok()?;
            (m.range(), says, format!("{seconds}s"))
        }
        Product::Haproxy => {
            let m = HAPROXY.captures(text)?.get(1)?;
            let says = crate::lang::haproxy::time::parse(m.as_str()).ok()?.seconds;
            (m.range(), says, format!("{seconds}s"))
        }
        Product::IngressNginx => {
            let c = YAML_SCALAR.captures(text)?;
            let m = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3))?;
            (
                m.range(),
                m.as_str().parse::<f64>().ok()?,
                seconds.to_string(),
            )
        }
        Product::AwsAlb | Product::GcpLb => {
            let m = ALB_ATTRIBUTE
                .captures(text)
                .or_else(|| HCL_NUMBER.captures(text))
                .or_else(|| YAML_SCALAR.captures(text))?;
            let m = m.get(1).or_else(|| m.get(2)).or_else(|| m.get(3))?;
            (
                m.range(),
                m.as_str().parse::<f64>().ok()?,
                seconds.to_string(),
            )
        }
    };
    if (says - held).abs() > 1e-9 {
        return None;
    }
    let start = setting.loc.span.start + range.start;
    Some(Edit {
        file: file.clone(),
        span: Span::new(start, setting.loc.span.start + range.end),
        replacement: new,
    })
}

/// The text of `file`'s line holding `offset`, with its start.
fn line_at(file: &Source, offset: usize) -> (usize, &str) {
    let line = file.line_col(offset).line;
    let start = file.line_start(line).unwrap_or(0);
    (start, file.line_text(line).unwrap_or(""))
}

fn indent(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// The line ending `file` uses (its first), so a CRLF file stays CRLF.
fn eol(file: &Source) -> &'static str {
    match file.text.find('\n') {
        Some(i) if i > 0 && file.text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// A line without its comment (`#` to the end), trimmed.
fn code(line: &str) -> &str {
    line.split('#').next().unwrap_or(line).trim()
}

/// A line inserted after the line that opens `block` (its first line),
/// indented as the block's next line, or one level deeper than the block.
fn insert_after_opening(block: &Loc, text: &str) -> Option<Edit> {
    let file = &block.file;
    let first = file.line_col(block.span.start).line;
    let next_start = file.line_start(first + 1)?;
    let (_, opening) = line_at(file, block.span.start);
    let child = file
        .line_text(first + 1)
        .map(indent)
        .filter(|i| i.len() > indent(opening).len())
        .map(str::to_string)
        .unwrap_or_else(|| format!("{}    ", indent(opening)));
    Some(Edit {
        file: file.clone(),
        span: Span::new(next_start, next_start),
        replacement: format!("{child}{text}{}", eol(file)),
    })
}

/// The directive that gives `route` of `hop` an idle timeout of `seconds`,
/// added where the product reads it for that route: Apache `ProxyTimeout`
/// in the `<VirtualHost>`, nginx `proxy_read_timeout` in the route's
/// `location`, HAProxy `timeout tunnel` in the backend. `None` for the
/// other products and for hops that are not such a block (a main server).
pub(crate) fn add_timeout(
    product: Product,
    hop: &Hop,
    route: &WsRoute,
    seconds: u64,
) -> Option<(Edit, String)> {
    let opening = |loc: &Loc| {
        let (_, line) = line_at(&loc.file, loc.span.start);
        line.trim_start().to_ascii_lowercase()
    };
    match product {
        Product::Apache if opening(&hop.loc).starts_with("<virtualhost") => {
            let directive = format!("ProxyTimeout {seconds}");
            Some((insert_after_opening(&hop.loc, &directive)?, directive))
        }
        Product::Nginx => {
            let head = opening(&route.loc);
            if !(head.starts_with("location") || head.starts_with("server"))
                || !code(&head).ends_with('{')
            {
                return None;
            }
            let directive = format!("proxy_read_timeout {seconds}s;");
            Some((insert_after_opening(&route.loc, &directive)?, directive))
        }
        Product::Haproxy => {
            let head = opening(&hop.loc);
            if !(head.starts_with("backend") || head.starts_with("listen")) {
                return None;
            }
            let directive = format!("timeout tunnel {seconds}s");
            Some((insert_after_opening(&hop.loc, &directive)?, directive))
        }
        _ => None,
    }
}

/// The edits that move the directive at `directive` (one whole line) out
/// of the section opened at `section`, to the line above that section, at
/// its indentation.
pub(crate) fn move_out(directive: &Loc, section: &Loc) -> Option<Vec<Edit>> {
    let file = &directive.file;
    if file.path != section.file.path {
        return None;
    }
    let d_line = file.line_col(directive.span.start).line;
    // One line, and nothing else on it.
    if file.line_col(directive.span.end).line != d_line {
        return None;
    }
    let d_start = file.line_start(d_line)?;
    let d_text = file.line_text(d_line)?;
    let d_end = file.line_start(d_line + 1).unwrap_or(file.text.len());
    let written = file
        .text
        .get(directive.span.start..directive.span.end)?
        .trim();
    let rest = d_text.trim().strip_prefix(written)?;
    if !code(rest).is_empty() {
        return None;
    }
    let (s_start, s_text) = line_at(file, section.span.start);
    if s_start >= d_start {
        return None;
    }
    let moved = format!("{}{}{}", indent(s_text), d_text.trim(), eol(file));
    Some(vec![
        Edit {
            file: file.clone(),
            span: Span::new(s_start, s_start),
            replacement: moved,
        },
        Edit {
            file: file.clone(),
            span: Span::new(d_start, d_end),
            replacement: String::new(),
        },
    ])
}
