//! Static values, shared by the TypeScript/JavaScript and Python front ends:
//! numeric literals (separators, hex/octal/binary, exponents), arithmetic
//! with parentheses and unary minus, type wrappers (`as const`,
//! `satisfies`, `!`), identifiers and members resolved through a [`Scope`]
//! the front end provides, and set/array literals of numbers (with spreads).
//!
//! What cannot be resolved is [`Value::Unknown`], never a guess.

use tree_sitter::Node;

use crate::source::{Source, Span};

/// The deepest chain of definitions followed (`const A = B; const B = ...`);
/// also what stops a cycle.
pub const MAX_DEPTH: u32 = 32;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Number(f64),
    Str(String),
    Bool(bool),
    /// A set or array literal whose elements are all known numbers.
    Numbers(Vec<f64>),
    Unknown,
}

/// The named definition a value came from: the place a "value defined
/// here" label points at.
#[derive(Clone, Debug)]
pub struct Origin {
    pub file: Source,
    pub span: Span,
    /// The name as written at the use (`HEARTBEAT_MS`, `CONFIG.ws.heartbeatMs`).
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct Resolved {
    pub value: Value,
    /// The outermost named definition the value was read through, if any.
    pub origin: Option<Origin>,
}

impl Resolved {
    pub fn unknown() -> Self {
        Resolved {
            value: Value::Unknown,
            origin: None,
        }
    }

    pub fn of(value: Value) -> Self {
        Resolved {
            value,
            origin: None,
        }
    }

    pub fn number(&self) -> Option<f64> {
        match self.value {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn numbers(&self) -> Option<&[f64]> {
        match &self.value {
            Value::Numbers(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_known(&self) -> bool {
        self.value != Value::Unknown
    }

    fn with_origin(mut self, origin: Option<Origin>) -> Self {
        if self.origin.is_none() {
            self.origin = origin;
        }
        self
    }
}

/// The grammar node kinds the evaluator needs, per language.
pub struct Dialect {
    pub numbers: &'static [&'static str],
    pub strings: &'static [&'static str],
    pub booleans: &'static [(&'static str, bool)],
    pub binary: &'static str,
    pub unary: &'static str,
    pub parens: &'static str,
    pub identifier: &'static str,
    pub member: &'static str,
    pub member_property_field: &'static str,
    /// Wrappers whose value is their first named child (`x as const`).
    pub transparent: &'static [&'static str],
    /// Array, list, tuple and set literals.
    pub sequences: &'static [&'static str],
    pub spreads: &'static [&'static str],
    /// Calls that build a set from a sequence: `new Set([...])`, `set([...])`.
    pub set_constructors: &'static [&'static str],
}

pub const TYPESCRIPT: Dialect = Dialect {
    numbers: &["number"],
    strings: &["string"],
    booleans: &[("true", true), ("false", false)],
    binary: "binary_expression",
    unary: "unary_expression",
    parens: "parenthesized_expression",
    identifier: "identifier",
    member: "member_expression",
    member_property_field: "property",
    transparent: &[
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
        "type_assertion",
    ],
    sequences: &["array"],
    spreads: &["spread_element"],
    set_constructors: &["Set"],
};

pub const PYTHON: Dialect = Dialect {
    numbers: &["integer", "float"],
    strings: &["string"],
    booleans: &[("true", true), ("false", false)],
    binary: "binary_operator",
    unary: "unary_operator",
    parens: "parenthesized_expression",
    identifier: "identifier",
    member: "attribute",
    member_property_field: "attribute",
    transparent: &[],
    sequences: &["list", "tuple", "set"],
    spreads: &["list_splat"],
    set_constructors: &["set", "frozenset", "tuple", "list"],
};

/// What the front end knows about names: bindings in scope at a node, and
/// members of constant objects. Implementations evaluate the definition
/// they find (calling [`eval`] with `depth + 1`) and set its origin.
pub trait Scope {
    /// The value of identifier `name` as seen from `at`.
    fn identifier(&self, name: &str, at: Node<'_>, depth: u32) -> Resolved;
    /// The value of `path` (`["CONFIG", "ws", "heartbeatMs"]`) as seen from `at`.
    fn member(&self, path: &[&str], at: Node<'_>, depth: u32) -> Resolved;
}

/// A scope that knows nothing: only literals and arithmetic resolve.
pub struct NoScope;

impl Scope for NoScope {
    fn identifier(&self, _: &str, _: Node<'_>, _: u32) -> Resolved {
        Resolved::unknown()
    }
    fn member(&self, _: &[&str], _: Node<'_>, _: u32) -> Resolved {
        Resolved::unknown()
    }
}

/// Evaluates `node` of a tree over `src`.
pub fn eval(node: Node<'_>, src: &str, d: &Dialect, scope: &dyn Scope, depth: u32) -> Resolved {
    if depth > MAX_DEPTH {
        return Resolved::unknown();
    }
    let kind = node.kind();
    let text = || node.utf8_text(src.as_bytes()).unwrap_or("");
    if d.numbers.contains(&kind) {
        return parse_number(text())
            .map_or_else(Resolved::unknown, |n| Resolved::of(Value::Number(n)));
    }
    if d.strings.contains(&kind) {
        return string_value(node, src)
            .map_or_else(Resolved::unknown, |s| Resolved::of(Value::Str(s)));
    }
    if let Some((_, b)) = d.booleans.iter().find(|(k, _)| *k == kind) {
        return Resolved::of(Value::Bool(*b));
    }
    if kind == d.parens || d.transparent.contains(&kind) {
        return match wrapped(node) {
            Some(inner) => eval(inner, src, d, scope, depth + 1),
            None => Resolved::unknown(),
        };
    }
    if kind == d.identifier {
        return scope.identifier(text(), node, depth + 1);
    }
    if kind == d.member {
        return match member_path(node, src, d) {
            Some(path) => {
                let refs: Vec<&str> = path.iter().map(String::as_str).collect();
                scope.member(&refs, node, depth + 1)
            }
            None => Resolved::unknown(),
        };
    }
    if kind == d.unary {
        let (Some(op), Some(arg)) = (
            node.child_by_field_name("operator"),
            node.child_by_field_name("argument")
                .or_else(|| node.child_by_field_name("operand")),
        ) else {
            return Resolved::unknown();
        };
        let inner = eval(arg, src, d, scope, depth + 1);
        let value = match (op.kind(), &inner.value) {
            ("-", Value::Number(n)) => Value::Number(-n),
            ("+", Value::Number(n)) => Value::Number(*n),
            _ => Value::Unknown,
        };
        return Resolved::of(value).with_origin(inner.origin);
    }
    if kind == d.binary {
        let (Some(l), Some(op), Some(r)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("operator"),
            node.child_by_field_name("right"),
        ) else {
            return Resolved::unknown();
        };
        let (a, b) = (
            eval(l, src, d, scope, depth + 1),
            eval(r, src, d, scope, depth + 1),
        );
        let value = match (a.number(), b.number()) {
            (Some(x), Some(y)) => binary(op.kind(), x, y).map_or(Value::Unknown, Value::Number),
            _ => Value::Unknown,
        };
        return Resolved::of(value).with_origin(a.origin.or(b.origin));
    }
    if d.sequences.contains(&kind) {
        return sequence(node, src, d, scope, depth);
    }
    if let Some(seq) = set_constructor_argument(node, src, d) {
        return eval(seq, src, d, scope, depth + 1);
    }
    Resolved::unknown()
}

/// The expression a wrapper holds: its first named child that is not a
/// type argument list (`<number>x` puts the type first).
fn wrapped(node: Node<'_>) -> Option<Node<'_>> {
    let mut c = node.walk();
    node.named_children(&mut c)
        .find(|n| !matches!(n.kind(), "type_arguments" | "comment"))
}

/// `new Set([...])` / `set([...])`: the sequence argument.
fn set_constructor_argument<'t>(node: Node<'t>, src: &str, d: &Dialect) -> Option<Node<'t>> {
    if !matches!(node.kind(), "new_expression" | "call_expression" | "call") {
        return None;
    }
    let callee = node
        .child_by_field_name("constructor")
        .or_else(|| node.child_by_field_name("function"))?;
    let name = callee.utf8_text(src.as_bytes()).ok()?;
    if !d.set_constructors.contains(&name) {
        return None;
    }
    node.child_by_field_name("arguments")?.named_child(0)
}

fn sequence(node: Node<'_>, src: &str, d: &Dialect, scope: &dyn Scope, depth: u32) -> Resolved {
    let mut out = Vec::new();
    let mut origin = None;
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        if child.kind() == "comment" {
            continue;
        }
        if d.spreads.contains(&child.kind()) {
            let Some(inner) = child.named_child(0) else {
                return Resolved::unknown();
            };
            let r = eval(inner, src, d, scope, depth + 1);
            match r.value {
                Value::Numbers(v) => out.extend(v),
                _ => return Resolved::unknown(),
            }
            origin = origin.or(r.origin);
            continue;
        }
        match eval(child, src, d, scope, depth + 1).value {
            Value::Number(n) => out.push(n),
            _ => return Resolved::unknown(),
        }
    }
    Resolved {
        value: Value::Numbers(out),
        origin,
    }
}

/// `CONFIG.ws.heartbeatMs` -> `["CONFIG", "ws", "heartbeatMs"]`; `None`
/// when the chain holds anything but names (`a().b`, `a[i].b`).
pub fn member_path(node: Node<'_>, src: &str, d: &Dialect) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut cur = node;
    loop {
        let kind = cur.kind();
        if kind == d.member {
            let prop = cur.child_by_field_name(d.member_property_field)?;
            parts.push(prop.utf8_text(src.as_bytes()).ok()?.to_string());
            cur = cur.child_by_field_name("object")?;
        } else if kind == d.identifier || kind == "this" {
            parts.push(cur.utf8_text(src.as_bytes()).ok()?.to_string());
            break;
        } else if kind == d.parens || d.transparent.contains(&kind) {
            cur = wrapped(cur)?;
        } else {
            return None;
        }
    }
    parts.reverse();
    Some(parts)
}

/// The content of a string literal without its quotes, when it has no
/// interpolation or escapes that change it.
fn string_value(node: Node<'_>, src: &str) -> Option<String> {
    let text = node.utf8_text(src.as_bytes()).ok()?;
    let t = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let prefix = &text[..text.len() - t.len()];
    if prefix.to_ascii_lowercase().contains('f') || t.contains('\\') {
        return None;
    }
    for q in ["\"\"\"", "'''", "\"", "'", "`"] {
        if let Some(inner) = t.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            if q == "`" && inner.contains("${") {
                return None;
            }
            return Some(inner.to_string());
        }
    }
    None
}

/// A numeric literal of JavaScript or Python: separators, hex, octal and
/// binary prefixes, exponents, a BigInt `n` suffix. `None` for complex
/// numbers and anything else.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim().replace('_', "");
    let t = t.strip_suffix('n').unwrap_or(&t);
    let lower = t.to_ascii_lowercase();
    let radix = |p: &str, r: u32| {
        u64::from_str_radix(&lower[p.len()..], r)
            .ok()
            .map(|n| n as f64)
    };
    if lower.starts_with("0x") {
        return radix("0x", 16);
    }
    if lower.starts_with("0o") {
        return radix("0o", 8);
    }
    if lower.starts_with("0b") {
        return radix("0b", 2);
    }
    if lower.ends_with('j') || lower.ends_with('l') {
        return None;
    }
    let n: f64 = lower.parse().ok()?;
    n.is_finite().then_some(n)
}

/// Arithmetic on known numbers; `None` for division by zero and unknown
/// operators.
pub fn binary(op: &str, a: f64, b: f64) -> Option<f64> {
    let r = match op {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" if b != 0.0 => a / b,
        "//" if b != 0.0 => (a / b).floor(),
        "%" if b != 0.0 => a % b,
        "**" => a.powf(b),
        _ => return None,
    };
    r.is_finite().then_some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Top-level `const X = ...` / `X = ...` bindings of one tree.
    struct TestScope<'t> {
        src: &'t str,
        d: &'static Dialect,
        consts: HashMap<String, Node<'t>>,
    }

    impl Scope for TestScope<'_> {
        fn identifier(&self, name: &str, _: Node<'_>, depth: u32) -> Resolved {
            match self.consts.get(name) {
                Some(n) => eval(*n, self.src, self.d, self, depth),
                None => Resolved::unknown(),
            }
        }
        fn member(&self, _: &[&str], _: Node<'_>, _: u32) -> Resolved {
            Resolved::unknown()
        }
    }

    fn collect<'t>(n: Node<'t>, src: &str, out: &mut HashMap<String, Node<'t>>) {
        let mut c = n.walk();
        for child in n.named_children(&mut c) {
            match child.kind() {
                "variable_declarator" => {
                    if let (Some(name), Some(v)) = (
                        child.child_by_field_name("name"),
                        child.child_by_field_name("value"),
                    ) {
                        out.insert(name.utf8_text(src.as_bytes()).unwrap().into(), v);
                    }
                }
                "assignment" => {
                    if let (Some(name), Some(v)) = (
                        child.child_by_field_name("left"),
                        child.child_by_field_name("right"),
                    ) {
                        out.insert(name.utf8_text(src.as_bytes()).unwrap().into(), v);
                    }
                }
                _ => collect(child, src, out),
            }
        }
    }

    fn eval_last(src: &str, lang: tree_sitter::Language, d: &'static Dialect, name: &str) -> Value {
        let mut p = tree_sitter::Parser::new();
        p.set_language(&lang).unwrap();
        let tree = p.parse(src, None).unwrap();
        let mut consts = HashMap::new();
        collect(tree.root_node(), src, &mut consts);
        let scope = TestScope { src, d, consts };
        let node = scope.consts[name];
        eval(node, src, d, &scope, 0).value
    }

    fn ts(src: &str, name: &str) -> Value {
        eval_last(
            src,
            tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            &TYPESCRIPT,
            name,
        )
    }

    fn py(src: &str, name: &str) -> Value {
        eval_last(src, tree_sitter_python::LANGUAGE.into(), &PYTHON, name)
    }

    #[test]
    fn literals() {
        assert_eq!(parse_number("20_000"), Some(20000.0));
        assert_eq!(parse_number("0x4E20"), Some(20000.0));
        assert_eq!(parse_number("0b101"), Some(5.0));
        assert_eq!(parse_number("0o17"), Some(15.0));
        assert_eq!(parse_number("2e4"), Some(20000.0));
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(parse_number("10n"), Some(10.0));
        assert_eq!(parse_number("3j"), None);
    }

    #[test]
    fn typescript_constants_and_arithmetic() {
        let src = "const S = 1_000;\nconst A = (20 * S) as const;\nconst B = -A + 0x10;\nconst C = A satisfies number;\nconst U = foo();\nconst D = U * 2;\nconst X = Y; const Y = X;\nconst E = <number>A;\n";
        assert_eq!(ts(src, "A"), Value::Number(20000.0));
        assert_eq!(ts(src, "B"), Value::Number(-19984.0));
        assert_eq!(ts(src, "C"), Value::Number(20000.0));
        assert_eq!(ts(src, "D"), Value::Unknown);
        assert_eq!(ts(src, "X"), Value::Unknown, "cycles end");
        assert_eq!(ts(src, "E"), Value::Number(20000.0), "<T>x is x");
    }

    #[test]
    fn typescript_sets_and_spreads() {
        let src = "const BASE = [1000, 4001];\nconst T = new Set([...BASE, 4003, 4004]);\nconst V = [1000, n];\n";
        assert_eq!(
            ts(src, "T"),
            Value::Numbers(vec![1000.0, 4001.0, 4003.0, 4004.0])
        );
        assert_eq!(ts(src, "V"), Value::Unknown);
    }

    #[test]
    fn python_constants() {
        let src = "BASE = 10\nT = BASE * 2.0\nF = 20 // 3\nP = 2 ** 4\nCODES = frozenset({1000, 4001})\nL = [*CODES_B]\n";
        assert_eq!(py(src, "T"), Value::Number(20.0));
        assert_eq!(py(src, "F"), Value::Number(6.0));
        assert_eq!(py(src, "P"), Value::Number(16.0));
        assert_eq!(py(src, "CODES"), Value::Numbers(vec![1000.0, 4001.0]));
        assert_eq!(py(src, "L"), Value::Unknown);
    }
}
