//! Times as HAProxy reads them (`parse_time_err` in `src/tools.c`): a
//! number with an optional unit, `us`, `ms`, `s`, `m`, `h` or `d`; without a
//! unit, a timeout is in milliseconds. The unit is read from its first
//! letter (`m` then `s` for milliseconds): anything after it (`15min`,
//! `30sec`) is only warned about ("This will be reported as an error in
//! next versions"), and an unknown unit letter is refused.

/// A time HAProxy accepts.
#[derive(Clone, Debug, PartialEq)]
pub struct Time {
    pub seconds: f64,
    /// What HAProxy warns about while reading it, if anything.
    pub warning: Option<String>,
}

/// The time, or why HAProxy refuses the value.
pub fn parse(s: &str) -> Result<Time, String> {
    let t = s.trim();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(format!(
            "`{s}` is not a time HAProxy can read (a number with an optional unit: `30s`, `1h`; no unit means milliseconds)"
        ));
    }
    let n: f64 = t[..digits]
        .parse()
        .map_err(|_| format!("`{s}` is not a number HAProxy can read"))?;
    let unit = &t[digits..];
    let (scale, len) = match unit.as_bytes().first() {
        None => (0.001, 0),
        Some(b's') => (1.0, 1),
        Some(b'm') if unit.as_bytes().get(1) == Some(&b's') => (0.001, 2),
        Some(b'm') => (60.0, 1),
        Some(b'h') => (3_600.0, 1),
        Some(b'd') => (86_400.0, 1),
        Some(b'u') if unit.as_bytes().get(1) == Some(&b's') => (0.000_001, 2),
        Some(_) => {
            return Err(format!(
                "`{s}`: HAProxy knows no time unit `{unit}` and refuses the configuration (units: us, ms, s, m, h, d)"
            ));
        }
    };
    let seconds = n * scale;
    // Timeouts are kept in milliseconds below 2^31.
    if seconds * 1000.0 >= 2_147_483_648.0 {
        return Err(format!(
            "`{s}` is over HAProxy's largest timeout (2147483647 ms, about 24.8 days)"
        ));
    }
    let warning = (unit.len() > len).then(|| {
        format!(
            "`{s}` is read by HAProxy as `{}{}` with a warning that a later version will refuse it: write the unit alone",
            &t[..digits],
            &unit[..len]
        )
    });
    Ok(Time { seconds, warning })
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn secs(s: &str) -> Option<f64> {
        parse(s).ok().map(|t| t.seconds)
    }

    #[test]
    fn units_as_haproxy_reads_them() {
        assert_eq!(secs("3600"), Some(3.6));
        assert_eq!(secs("30s"), Some(30.0));
        assert_eq!(secs("1h"), Some(3600.0));
        assert_eq!(secs("5m"), Some(300.0));
        assert_eq!(secs("1d"), Some(86_400.0));
        assert_eq!(secs("500ms"), Some(0.5));
        let t = parse("15min").unwrap();
        assert_eq!(t.seconds, 900.0);
        assert!(t.warning.is_some());
        assert!(parse("30s").unwrap().warning.is_none());
        assert!(parse("10x").is_err());
        assert!(parse("abc").is_err());
        assert!(parse("30d").is_err());
    }
}
