//! Durations as nginx reads them for a millisecond directive such as
//! `proxy_read_timeout` (`ngx_parse_time(value, 0)` in `src/core/ngx_parse.c`):
//! a number with a unit, or several from the largest unit down (`1h30m`),
//! units `ms s m h d w` (`M` and `y` are refused for milliseconds); a number
//! without a unit is seconds, also after other units (`1s30` is 31 s). (The
//! total is bounded by `NGX_MAX_INT_T_VALUE` milliseconds, which on a 64-bit
//! build is no bound in practice; nginx before the change to
//! `NGX_MAX_INT_T_VALUE` capped it at 2^31 ms, about 24.8 days, which is
//! not reported: it depends on the release.)

/// Seconds, or why nginx refuses the value.
pub fn parse(s: &str) -> Result<f64, String> {
    const UNITS: [(&str, f64); 8] = [
        ("y", f64::NAN),
        ("M", f64::NAN),
        ("w", 7.0 * 86_400.0),
        ("d", 86_400.0),
        ("h", 3_600.0),
        ("ms", 0.001),
        ("m", 60.0),
        ("s", 1.0),
    ];
    // The order units must come in, largest first.
    const RANK: [&str; 8] = ["y", "M", "w", "d", "h", "m", "s", "ms"];
    let bad = || format!("`{s}` is not a time nginx can read (e.g. `60s`, `5m`, `1h30m`)");
    let mut rest = s.trim_matches(' ');
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total = 0.0;
    let mut last_rank: Option<usize> = None;
    while !rest.is_empty() {
        rest = rest.trim_start_matches(' ');
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        let n: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let Some((unit, scale)) = UNITS.iter().find(|(u, _)| rest.starts_with(u)) else {
            // No unit: seconds, and it must be the last group.
            if rest.trim_start_matches(' ').is_empty() {
                total += n;
                break;
            }
            return Err(bad());
        };
        if scale.is_nan() {
            return Err(format!(
                "`{s}`: nginx takes no `{unit}` unit for a time in milliseconds"
            ));
        }
        let rank = RANK.iter().position(|r| r == unit).expect("known unit");
        if last_rank.is_some_and(|r| rank <= r) {
            return Err(bad());
        }
        last_rank = Some(rank);
        total += n * scale;
        rest = &rest[unit.len()..];
    }
    if total * 1000.0 > i64::MAX as f64 {
        return Err(format!("`{s}` is larger than nginx accepts"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn units_as_nginx_reads_them() {
        assert_eq!(parse("60"), Ok(60.0));
        assert_eq!(parse("60s"), Ok(60.0));
        assert_eq!(parse("2m"), Ok(120.0));
        assert_eq!(parse("1h"), Ok(3600.0));
        assert_eq!(parse("1h30m"), Ok(5400.0));
        assert_eq!(parse("1d"), Ok(86_400.0));
        assert_eq!(parse("500ms"), Ok(0.5));
        assert_eq!(parse("1m30"), Ok(90.0));
        assert_eq!(parse("1s30"), Ok(31.0));
        assert_eq!(parse("24d"), Ok(24.0 * 86_400.0));
        assert_eq!(parse("500d"), Ok(500.0 * 86_400.0));
        assert!(parse("1y").is_err());
        assert!(parse("1M").is_err());
        assert!(parse("60sec").is_err());
        assert!(parse("30m1h").is_err());
        assert!(parse("").is_err());
        assert!(parse("-5").is_err());
        assert!(parse("1.5h").is_err());
    }
}
