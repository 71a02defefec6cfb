//! Times as HAProxy reads them (`parse_time_err`): a number with an
//! optional unit, `us`, `ms`, `s`, `m`, `h` or `d`; without a unit, a
//! timeout is in milliseconds.

/// Seconds, or why HAProxy refuses the value.
pub fn parse(s: &str) -> Result<f64, String> {
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
    let scale = match &t[digits..] {
        "" | "ms" => 0.001,
        "us" => 0.000_001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3_600.0,
        "d" => 86_400.0,
        unit => {
            return Err(format!(
                "`{s}`: HAProxy knows no time unit `{unit}` and refuses the configuration (units: us, ms, s, m, h, d)"
            ));
        }
    };
    let seconds = n * scale;
    // Timeouts are kept in milliseconds in a signed 32-bit int.
    if seconds * 1000.0 > i32::MAX as f64 {
        return Err(format!(
            "`{s}` is over HAProxy's largest timeout (2147483647 ms, about 24.8 days)"
        ));
    }
    Ok(seconds)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn units_as_haproxy_reads_them() {
        assert_eq!(parse("3600"), Ok(3.6));
        assert_eq!(parse("30s"), Ok(30.0));
        assert_eq!(parse("1h"), Ok(3600.0));
        assert_eq!(parse("5m"), Ok(300.0));
        assert_eq!(parse("1d"), Ok(86_400.0));
        assert_eq!(parse("500ms"), Ok(0.5));
        assert!(parse("1hour").is_err());
        assert!(parse("abc").is_err());
        assert!(parse("30d").is_err());
    }
}
