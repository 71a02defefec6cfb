//! Client rules (TypeScript/JavaScript). Each reads one module's
//! [`ClientModel`] and applies the `[client]` configuration to it.
//!
//! [`ClientModel`]: crate::lang::ts::ClientModel

mod fixes;
pub mod ws101_client_heartbeat_interval;
pub mod ws102_client_heartbeat_missing;
pub mod ws103_terminal_close_codes;
pub mod ws104_reconnect_on_terminal_code;
pub mod ws105_token_null_guard;
pub mod ws106_token_effect_deps;
pub mod ws107_heartbeat_interval_leak;
pub mod ws108_silent_terminal_close;
pub mod ws109_invalid_client_close_code;

use crate::lang::ts::{CloseHandler, CodeSet, HandlerKind, Point, Reading, Tri, path};
use crate::settings::ClientConfig;

/// `25 s`, `1.5 s`, `500 ms`.
pub(crate) fn duration(ms: f64) -> String {
    if ms.abs() < 1000.0 {
        return format!("{} ms", trim(ms));
    }
    format!("{} s", trim(ms / 1000.0))
}

fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// `20000` -> `20_000`, as a TypeScript literal.
pub(crate) fn ts_number(n: u64) -> String {
    let digits = n.to_string();
    if digits.len() <= 4 {
        return digits;
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(c);
    }
    out
}

/// What a close code means, as the checklist and RFC 6455 name it.
pub(crate) fn meaning(code: u16) -> Option<&'static str> {
    Some(match code {
        1000 => "normal closure",
        1001 => "going away",
        1008 => "policy violation",
        1011 => "internal error",
        4001 => "unauthenticated",
        4003 => "forbidden",
        4004 => "not found",
        4403 => "org access denied",
        _ => return None,
    })
}

/// `1000 (normal closure), 4403 (org access denied)`.
pub(crate) fn code_list(codes: &[u16]) -> String {
    codes
        .iter()
        .map(|c| match meaning(*c) {
            Some(m) => format!("{c} ({m})"),
            None => c.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `1000, 4001, 4003` without meanings.
pub(crate) fn plain_list(codes: &[u16]) -> String {
    codes
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Codes that look terminal when compared with `===`: normal closure,
/// policy violation, the registered and private ranges, the configured ones.
pub(crate) fn terminal_like(cfg: &ClientConfig) -> impl Fn(f64) -> bool + '_ {
    move |n: f64| {
        n == 1000.0
            || n == 1008.0
            || (3000.0..=4999.0).contains(&n)
            || cfg.terminal_close_codes.iter().any(|c| f64::from(*c) == n)
    }
}

/// How the close paths of handlers are read for one code.
pub(crate) struct Paths<'a> {
    pub sets: &'a [CodeSet],
}

impl Paths<'_> {
    fn reading(&self, code: u16, structural: bool) -> Reading<'_> {
        Reading::code(f64::from(code), structural, self.sets)
    }

    /// Whether the point is reached on a library's final path (a handler
    /// of [`HandlerKind::Terminal`]).
    pub fn reaches_on(&self, p: &Point, r: &Reading<'_>) -> bool {
        matches!(path(&p.guards, r), Tri::Yes | Tri::Maybe { on_code: false })
    }

    /// Whether the point may be reached on a library's final path.
    pub fn may_reach_on(&self, p: &Point, r: &Reading<'_>) -> bool {
        path(&p.guards, r) != Tri::No
    }

    /// Whether the point is reached for `code`. A condition on the close
    /// event that wslint cannot read counts as excluding it (no guess).
    pub fn reaches(&self, p: &Point, code: u16, structural: bool) -> bool {
        matches!(
            path(&p.guards, &self.reading(code, structural)),
            Tri::Yes | Tri::Maybe { on_code: false }
        )
    }

    /// Whether the point may be reached for `code` (unknown conditions
    /// count as taken).
    pub fn may_reach(&self, p: &Point, code: u16, structural: bool) -> bool {
        path(&p.guards, &self.reading(code, structural)) != Tri::No
    }

    /// Whether a reconnecting-websocket `close()` surely runs for `code`.
    fn stopped(&self, h: &CloseHandler, code: u16, structural: bool) -> bool {
        h.stops.iter().any(|s| {
            matches!(
                path(&s.guards, &self.reading(code, structural)),
                Tri::Yes | Tri::Maybe { on_code: true }
            )
        })
    }

    /// Whether the handler reopens the socket after `code`.
    pub fn reconnects(&self, h: &CloseHandler, code: u16, structural: bool) -> bool {
        if h.kind == HandlerKind::Library && self.stopped(h, code, structural) {
            return false;
        }
        h.reconnects
            .iter()
            .any(|p| self.reaches(p, code, structural))
    }

    /// The reconnects of a handler reached for `code`.
    pub fn reconnect_reaches(
        &self,
        h: &CloseHandler,
        p: &Point,
        code: u16,
        structural: bool,
    ) -> bool {
        if h.kind == HandlerKind::Library && self.stopped(h, code, structural) {
            return false;
        }
        self.reaches(p, code, structural)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(duration(25_000.0), "25 s");
        assert_eq!(duration(1_500.0), "1.5 s");
        assert_eq!(duration(500.0), "500 ms");
        assert_eq!(ts_number(20_000), "20_000");
        assert_eq!(ts_number(1_000), "1000");
        assert_eq!(ts_number(1_234_567), "1_234_567");
        assert_eq!(code_list(&[4403, 4999]), "4403 (org access denied), 4999");
    }
}
