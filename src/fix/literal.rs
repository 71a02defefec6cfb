//! A number written in code, rewritten to another value in its own style:
//! `30_000` -> `20_000`, `30000` -> `20000`, `25 * 1000` -> `20 * 1000`,
//! `30.0` -> `20.0`. Only literal arithmetic (numbers, `+ - * /`,
//! parentheses) that evaluates to the value the rule read is rewritten: a
//! name, a call, an environment variable or a template placeholder is not a
//! value a fix can set safely.

/// `text` rewritten to say `value`, when `text` is literal arithmetic that
/// evaluates to `expect`.
pub fn rewrite(text: &str, expect: f64, value: u64) -> Option<String> {
    let tokens = tokens(text)?;
    let got = Parser {
        tokens: &tokens,
        at: 0,
    }
    .parse()?;
    if (got - expect).abs() > 1e-6 * expect.abs().max(1.0) {
        return None;
    }
    let numbers: Vec<&Token> = tokens.iter().filter(|t| t.number.is_some()).collect();
    let ops: String = tokens
        .iter()
        .filter_map(|t| t.op)
        .filter(|c| !matches!(c, '(' | ')'))
        .collect();
    // A product of literals (`20 * 1000`, `1000 * 20`): the factor that is
    // not a power of ten's multiple unit changes, the others stay.
    if numbers.len() > 1 && ops.chars().all(|c| c == '*') {
        let product_of_rest = |skip: usize| -> f64 {
            numbers
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, t)| t.number.unwrap_or(1.0))
                .product()
        };
        // Change the first factor that is not 1000 (or 60, a unit).
        let pick = numbers
            .iter()
            .position(|t| !matches!(t.number, Some(n) if n == 1000.0 || n == 60.0))
            .unwrap_or(0);
        let rest = product_of_rest(pick);
        let factor = value as f64 / rest;
        if rest > 0.0 && factor.fract() == 0.0 && factor >= 1.0 {
            let t = numbers[pick];
            let mut out = text.to_string();
            out.replace_range(
                t.start..t.end,
                &styled(&text[t.start..t.end], factor as u64),
            );
            return Some(out);
        }
    }
    let style = match numbers.as_slice() {
        [one] => one.text(text),
        _ if text.contains('_') => "_",
        _ => "",
    };
    Some(styled(style, value))
}

/// `value` written as `like` is: `_` separators, a fraction.
fn styled(like: &str, value: u64) -> String {
    // `45e3` -> `20e3`.
    if let Some((_, exp)) = like.split_once(['e', 'E'])
        && let Ok(exp) = exp.parse::<u32>()
        && exp <= 9
        && value.is_multiple_of(10u64.pow(exp))
    {
        return format!("{}e{exp}", value / 10u64.pow(exp));
    }
    let digits = value.to_string();
    let mut out = if like.contains('_') && digits.len() > 3 {
        let mut s = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                s.push('_');
            }
            s.push(c);
        }
        s
    } else {
        digits
    };
    if like.contains('.') {
        out.push_str(".0");
    }
    out
}

struct Token {
    start: usize,
    end: usize,
    number: Option<f64>,
    op: Option<char>,
}

impl Token {
    fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }
}

fn tokens(text: &str) -> Option<Vec<Token>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || matches!(bytes[i], b'_' | b'.'))
            {
                i += 1;
            }
            if i < bytes.len() && matches!(bytes[i], b'e' | b'E') {
                i += 1;
                if i < bytes.len() && matches!(bytes[i], b'+' | b'-') {
                    i += 1;
                }
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let n: f64 = text[start..i].replace('_', "").parse().ok()?;
            out.push(Token {
                start,
                end: i,
                number: Some(n),
                op: None,
            });
        } else if matches!(c, b'+' | b'-' | b'*' | b'/' | b'(' | b')') {
            out.push(Token {
                start: i,
                end: i + 1,
                number: None,
                op: Some(c as char),
            });
            i += 1;
        } else {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
}

impl Parser<'_> {
    fn parse(mut self) -> Option<f64> {
        let v = self.sum(0)?;
        (self.at == self.tokens.len()).then_some(v)
    }

    fn op(&self) -> Option<char> {
        self.tokens.get(self.at).and_then(|t| t.op)
    }

    fn sum(&mut self, depth: u32) -> Option<f64> {
        let mut v = self.product(depth)?;
        while let Some(op @ ('+' | '-')) = self.op() {
            self.at += 1;
            let r = self.product(depth)?;
            v = if op == '+' { v + r } else { v - r };
        }
        Some(v)
    }

    fn product(&mut self, depth: u32) -> Option<f64> {
        let mut v = self.atom(depth)?;
        while let Some(op @ ('*' | '/')) = self.op() {
            self.at += 1;
            let r = self.atom(depth)?;
            v = if op == '*' { v * r } else { v / r };
        }
        Some(v)
    }

    fn atom(&mut self, depth: u32) -> Option<f64> {
        if depth > 16 {
            return None;
        }
        let t = self.tokens.get(self.at)?;
        self.at += 1;
        match (t.number, t.op) {
            (Some(n), _) => Some(n),
            (_, Some('(')) => {
                let v = self.sum(depth + 1)?;
                (self.op() == Some(')')).then(|| self.at += 1)?;
                Some(v)
            }
            (_, Some('-')) => Some(-self.atom(depth + 1)?),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn each_style_is_kept() {
        assert_eq!(rewrite("30_000", 30000.0, 20000).as_deref(), Some("20_000"));
        assert_eq!(rewrite("30000", 30000.0, 20000).as_deref(), Some("20000"));
        assert_eq!(
            rewrite("25 * 1000", 25000.0, 20000).as_deref(),
            Some("20 * 1000")
        );
        assert_eq!(
            rewrite("1000*45", 45000.0, 20000).as_deref(),
            Some("1000*20")
        );
        assert_eq!(
            rewrite("(30 * 1_000)", 30000.0, 20000).as_deref(),
            Some("(20 * 1_000)")
        );
        assert_eq!(rewrite("30.0", 30.0, 20).as_deref(), Some("20.0"));
        assert_eq!(rewrite("45e3", 45000.0, 20000).as_deref(), Some("20e3"));
        assert_eq!(
            rewrite("0.5 * 60 * 1000", 30000.0, 20000).as_deref(),
            Some("20000")
        );
    }

    #[test]
    fn names_and_other_values_are_not_rewritten() {
        assert_eq!(rewrite("HEARTBEAT", 30000.0, 20000), None);
        assert_eq!(rewrite("Number(process.env.X)", 30000.0, 20000), None);
        assert_eq!(rewrite("30", 30000.0, 20000), None);
        assert_eq!(rewrite("{{ hb }}", 30000.0, 20000), None);
    }
}
