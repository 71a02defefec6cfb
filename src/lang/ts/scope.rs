//! What a name means in a TypeScript/JavaScript module, for the shared
//! static-value evaluator ([`crate::values`]): `const` bindings (lexically
//! scoped: a function's own constant shadows the module's), `let`/`var`
//! never assigned again, default values of parameters and destructured
//! properties, members of constant objects (`CONFIG.ws.heartbeatMs`, also
//! through `as const`, `satisfies` and `Object.freeze`), enum members, and
//! class fields read through `this`.
//!
//! Imported names (and `require(...)`) go to an [`ImportResolver`]:
//! [`NoImports`] knows no other module (every imported value is unknown);
//! the project's resolver (`crate::project::ts`) reads the defining module.

use crate::lang::kind::Kind;
use tree_sitter::Node;

use crate::source::{Source, Span};
use crate::values::{self, Origin, Resolved, Scope, Value};

use super::index::{BindKind, Binding, Index, NodeExt, key_text, string_content, unwrap};

/// Resolves a value imported from another module.
pub trait ImportResolver {
    /// The value of `path` under the name `imported` of `module` (`default`
    /// for a default import, `*` for a namespace, whose first path element
    /// is then the exported name).
    fn resolve(&self, module: &str, imported: &str, path: &[&str], depth: u32) -> Resolved;

    /// Whether this run checks `file` (a module a resolved value came from)
    /// with the client rules as well.
    fn is_checked(&self, _file: &Source) -> bool {
        false
    }

    /// Whether the function exported as `imported` by `module` calls (or
    /// passes on, or keeps) the function it is given as parameter `index`:
    /// `Some(false)` when the project shows it never does, `None` when
    /// that is not known (a package, no such function).
    fn calls_param(
        &self,
        _module: &str,
        _imported: &str,
        _index: usize,
        _depth: u32,
    ) -> Option<bool> {
        None
    }

    /// What the function at `path` under the name `imported` of `module`
    /// always returns, when its body is one literal
    /// (`shouldReconnect: () => true` in an exported options object).
    fn returns_constant(
        &self,
        _module: &str,
        _imported: &str,
        _path: &[&str],
        _depth: u32,
    ) -> Option<crate::values::Value> {
        None
    }
}

/// The literal a function node always returns: an arrow with a literal
/// body, or a body that is one `return <literal>;`.
pub fn constant_return(f: Node<'_>, src: &str) -> Option<crate::values::Value> {
    use crate::values::Value;
    let body = f.f("body")?;
    let value = match body.k() {
        "statement_block" => {
            let mut c = body.walk();
            let stmts: Vec<Node<'_>> = body
                .named_children(&mut c)
                .filter(|n| n.k() != "comment")
                .collect();
            match stmts.as_slice() {
                [r] if r.k() == "return_statement" => r.named_child(0)?,
                _ => return None,
            }
        }
        _ => body,
    };
    let value = super::index::unwrap(value);
    match value.k() {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        "number" => src.get(value.byte_range())?.parse().ok().map(Value::Number),
        _ => None,
    }
}

/// Knows no other module: imported values are unknown.
pub struct NoImports;

impl ImportResolver for NoImports {
    fn resolve(&self, _: &str, _: &str, _: &[&str], _: u32) -> Resolved {
        Resolved::unknown()
    }
}

pub struct ModuleScope<'a, 't> {
    pub ix: &'a Index<'t>,
    pub file: &'a Source,
    pub imports: &'a dyn ImportResolver,
}

impl<'t> ModuleScope<'_, 't> {
    /// The static value of an expression of this module.
    pub fn value(&self, node: Node<'_>) -> Resolved {
        values::eval(node, self.ix.src, &values::TYPESCRIPT, self, 0)
    }

    fn eval_at(&self, node: Node<'_>, name: &str, depth: u32) -> Resolved {
        let mut r = values::eval(node, self.ix.src, &values::TYPESCRIPT, self, depth + 1);
        // The outermost named definition is the one to show, unless this
        // one only names a value defined in another module (`const HB =
        // imported.HB`): the label goes where the value is written.
        let aliased_elsewhere = r
            .origin
            .as_ref()
            .is_some_and(|o| o.file.path != self.file.path)
            && matches!(unwrap(node).k(), "identifier" | "member_expression");
        if r.is_known() && !aliased_elsewhere {
            r.origin = Some(Origin {
                file: self.file.clone(),
                span: Span::new(node.start_byte(), node.end_byte()),
                name: name.to_string(),
            });
        }
        r
    }

    /// The value of module-level binding `local`, or of `path` inside it:
    /// what this module exports under that name. `None` when the module
    /// has no such binding.
    pub fn exported(&self, local: &str, path: &[&str], depth: u32) -> Option<Resolved> {
        let b = self.ix.module_binding(local)?;
        let mut name = local.to_string();
        for p in path {
            name.push('.');
            name.push_str(p);
        }
        Some(self.binding_value(b, &name, path, depth))
    }

    /// The value of expression `node` of this module, or of `path` inside
    /// it (`export default { ... }`, `module.exports = { ... }`), shown as
    /// `name`.
    pub fn value_at(&self, node: Node<'_>, path: &[&str], name: &str, depth: u32) -> Resolved {
        if depth > values::MAX_DEPTH {
            return Resolved::unknown();
        }
        let walked = self.walk_path(node, path, depth + 1);
        self.walked_value(walked, name, depth)
    }

    /// The value where [`Self::walk_path`] ended.
    fn walked_value(&self, walked: Walked<'_>, name: &str, depth: u32) -> Resolved {
        match walked {
            Walked::Node(n) => self.eval_at(n, name, depth),
            Walked::Import {
                module,
                imported,
                keys,
            } => {
                let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                self.imports.resolve(&module, &imported, &keys, depth + 1)
            }
            Walked::Missing => Resolved::unknown(),
        }
    }

    fn binding_value(&self, b: &Binding<'t>, name: &str, rest: &[&str], depth: u32) -> Resolved {
        if depth > values::MAX_DEPTH || !self.ix.is_constant(b) {
            return Resolved::unknown();
        }
        if let Some((module, imported)) = &b.import {
            return self.imports.resolve(module, imported, rest, depth + 1);
        }
        match b.kind {
            BindKind::Enum => {
                let [member] = rest else {
                    return Resolved::unknown();
                };
                let Some(decl) = b.value else {
                    return Resolved::unknown();
                };
                self.enum_member(decl, member, name, depth)
            }
            BindKind::Class => Resolved::unknown(),
            _ => {
                // A destructured name reads its source object first, then
                // its default (`const { a = 1 } = opts`).
                if let Some((source, keys)) = &b.destructured {
                    let mut full: Vec<&str> = keys.clone();
                    full.extend_from_slice(rest);
                    // `const { hb = 1 } = imported`: the other module's
                    // value when it is known, else the default.
                    let walked = self.walk_path(*source, &full, depth + 1);
                    let found_here = matches!(walked, Walked::Node(_));
                    let r = self.walked_value(walked, name, depth);
                    if found_here || r.is_known() {
                        return r;
                    }
                    if !self.object_lacks(*source, keys, depth + 1) {
                        return Resolved::unknown();
                    }
                }
                let Some(v) = b.value else {
                    return Resolved::unknown();
                };
                self.value_at(v, rest, name, depth)
            }
        }
    }

    /// Whether `source` is known to have no property at `keys` (so a
    /// destructuring default applies), or is unknown (a parameter): the
    /// default is what the code is written for.
    fn object_lacks(&self, source: Node<'_>, keys: &[&str], depth: u32) -> bool {
        if depth > values::MAX_DEPTH {
            return false;
        }
        let src = unwrap(source);
        if src.k() == "identifier" {
            let Some(b) = self.ix.lookup(self.ix.text(src), src.start_byte()) else {
                return true;
            };
            return match b.kind {
                BindKind::Param => true,
                _ if b.value.is_some() && self.ix.is_constant(b) => match b.value {
                    Some(v) => self.object_lacks(v, keys, depth + 1),
                    None => true,
                },
                _ => true,
            };
        }
        if src.k() == "object" {
            return self.object_path(src, keys, depth).is_none() && !has_spread(src);
        }
        false
    }

    fn enum_member(&self, decl: Node<'_>, member: &str, name: &str, depth: u32) -> Resolved {
        let Some(body) = decl.f("body") else {
            return Resolved::unknown();
        };
        let mut next = Some(0.0);
        let mut c = body.walk();
        for m in body.named_children(&mut c) {
            let (mname, value) = match m.k() {
                "enum_assignment" => (m.f("name"), m.f("value")),
                "property_identifier" | "string" => (Some(m), None),
                _ => continue,
            };
            let Some(mname) = mname else { continue };
            let this = match value {
                Some(v) => self.eval_at(v, name, depth),
                None => match next {
                    Some(n) => Resolved {
                        value: Value::Number(n),
                        origin: Some(Origin {
                            file: self.file.clone(),
                            span: Span::new(m.start_byte(), m.end_byte()),
                            name: name.to_string(),
                        }),
                    },
                    None => Resolved::unknown(),
                },
            };
            next = this.number().map(|n| n + 1.0);
            if key_text(mname, self.ix.src) == member {
                return this;
            }
        }
        Resolved::unknown()
    }

    /// The value node at `keys` inside the object `node` evaluates to.
    pub fn object_path<'n>(&self, node: Node<'n>, keys: &[&str], depth: u32) -> Option<Node<'n>>
    where
        't: 'n,
    {
        match self.walk_path(node, keys, depth) {
            Walked::Node(n) => Some(n),
            _ => None,
        }
    }

    /// Follows `keys` into the object `node` evaluates to, through constant
    /// bindings and member paths of this module (`const WS = CONFIG.ws`), up
    /// to a name imported from another module.
    fn walk_path<'n>(&self, node: Node<'n>, keys: &[&str], depth: u32) -> Walked<'n>
    where
        't: 'n,
    {
        let mut keys: Vec<&str> = keys.to_vec();
        let mut cur = node;
        let mut i = 0;
        let mut steps = 0;
        loop {
            steps += 1;
            if steps > 64 || depth > values::MAX_DEPTH {
                return Walked::Missing;
            }
            let imported =
                |module: String, imported: String, at: usize, keys: &[&str]| Walked::Import {
                    module,
                    imported,
                    keys: keys[at..].iter().map(|k| k.to_string()).collect(),
                };
            if i < keys.len() {
                cur = unwrap_value(cur, self.ix.src);
            } else if cur.k() != "shorthand_property_identifier"
                && !member_of_require(cur, self.ix.src)
            {
                // The evaluator reads names and members at the end itself.
                return Walked::Node(cur);
            }
            if let Some(module) = required_module(cur, self.ix.src) {
                return imported(module, "*".into(), i, &keys);
            }
            match unwrap(cur).k() {
                "object" => {
                    let Some(m) = object_member(cur, keys[i], self.ix.src) else {
                        return Walked::Missing;
                    };
                    cur = m;
                    i += 1;
                }
                // `{ HB }` holds the value of the name HB.
                "identifier" | "shorthand_property_identifier" => {
                    let Some(b) = self.ix.lookup(self.ix.text(cur), cur.start_byte()) else {
                        return Walked::Missing;
                    };
                    if !self.ix.is_constant(b) || self.ix.mutated.contains(self.ix.text(cur)) {
                        return Walked::Missing;
                    }
                    if let Some((module, name)) = &b.import {
                        return imported(module.clone(), name.clone(), i, &keys);
                    }
                    let Some(v) = b.value else {
                        return Walked::Missing;
                    };
                    cur = v;
                }
                "member_expression" => {
                    // `require('./c').ws` or `CONFIG.ws`: its base, with its
                    // properties before the keys still to follow.
                    let mut props: Vec<&str> = Vec::new();
                    let mut base = unwrap(cur);
                    while base.k() == "member_expression" && props.len() < 64 {
                        let Some(p) = base.f("property") else {
                            return Walked::Missing;
                        };
                        props.push(self.ix.text(p));
                        let Some(o) = base.f("object") else {
                            return Walked::Missing;
                        };
                        base = unwrap(o);
                    }
                    if !matches!(base.k(), "identifier" | "call_expression") {
                        return Walked::Missing;
                    }
                    props.reverse();
                    props.extend_from_slice(&keys[i..]);
                    keys = props;
                    i = 0;
                    cur = base;
                }
                _ => return Walked::Missing,
            }
        }
    }
}

/// Where [`ModuleScope::walk_path`] ends.
enum Walked<'n> {
    /// The value node at the end of the path.
    Node(Node<'n>),
    /// A name imported from another module (`require(...)` reads as a
    /// namespace import), with the keys still to follow there.
    Import {
        module: String,
        imported: String,
        keys: Vec<String>,
    },
    Missing,
}

/// `require('./config').ws.heartbeatMs`.
fn member_of_require(n: Node<'_>, src: &str) -> bool {
    let mut cur = unwrap(n);
    let mut steps = 0;
    while cur.k() == "member_expression" && steps < 64 {
        steps += 1;
        match cur.f("object") {
            Some(o) => cur = unwrap(o),
            None => return false,
        }
    }
    steps > 0 && required_module(cur, src).is_some()
}

/// `require('./config')`: the module it loads.
fn required_module(n: Node<'_>, src: &str) -> Option<String> {
    if n.k() != "call_expression" {
        return None;
    }
    let f = n.f("function")?;
    if f.k() != "identifier" || src.get(f.byte_range()) != Some("require") {
        return None;
    }
    let args = n.f("arguments")?;
    if args.named_child_count() != 1 {
        return None;
    }
    string_content(args.named_child(0)?, src)
}

impl Scope for ModuleScope<'_, '_> {
    fn identifier(&self, name: &str, at: Node<'_>, depth: u32) -> Resolved {
        match self.ix.lookup(name, at.start_byte()) {
            Some(b) => self.binding_value(b, name, &[], depth),
            None => Resolved::unknown(),
        }
    }

    fn member(&self, path: &[&str], at: Node<'_>, depth: u32) -> Resolved {
        let [root, rest @ ..] = path else {
            return Resolved::unknown();
        };
        if rest.is_empty() {
            return Resolved::unknown();
        }
        let display = path.join(".");
        if *root == "this" {
            let Some(c) = self.ix.class_at(at.start_byte()) else {
                return Resolved::unknown();
            };
            let field = rest[0];
            if self.ix.mutated.contains(&format!("this#{c}.{field}")) {
                return Resolved::unknown();
            }
            let Some(v) = self.ix.classes[c].fields.get(field) else {
                return Resolved::unknown();
            };
            return match self.object_path(*v, &rest[1..], depth + 1) {
                Some(n) => self.eval_at(n, &display, depth),
                None => Resolved::unknown(),
            };
        }
        if self.ix.mutated.contains(*root) {
            return Resolved::unknown();
        }
        match self.ix.lookup(root, at.start_byte()) {
            Some(b) => self.binding_value(b, &display, rest, depth),
            None => Resolved::unknown(),
        }
    }
}

/// Strips `Object.freeze(x)` and the wrappers [`unwrap`] strips.
fn unwrap_value<'n>(n: Node<'n>, src: &str) -> Node<'n> {
    let mut n = unwrap(n);
    for _ in 0..8 {
        if n.k() != "call_expression" {
            break;
        }
        let is_freeze = n
            .f("function")
            .and_then(|f| src.get(f.byte_range()))
            .is_some_and(|t| t == "Object.freeze");
        if !is_freeze {
            break;
        }
        match n.f("arguments").and_then(|a| a.named_child(0)) {
            Some(a) => n = unwrap(a),
            None => break,
        }
    }
    n
}

fn has_spread(obj: Node<'_>) -> bool {
    let mut c = obj.walk();
    obj.named_children(&mut c)
        .any(|n| n.k() == "spread_element")
}

/// The value of property `key` of an object literal: the last one written
/// wins; a spread after the last match (or with no match) makes it unknown.
fn object_member<'n>(obj: Node<'n>, key: &str, src: &str) -> Option<Node<'n>> {
    let mut found = None;
    let mut c = obj.walk();
    for p in obj.named_children(&mut c) {
        match p.k() {
            "pair" => {
                let k = p.f("key")?;
                if k.k() != "computed_property_name" && key_text(k, src) == key {
                    found = p.f("value");
                }
            }
            "shorthand_property_identifier" if src.get(p.byte_range()) == Some(key) => {
                found = Some(p);
            }
            "spread_element" => found = None,
            _ => {}
        }
    }
    found
}

/// An object literal's property value (the last one written), ignoring
/// spreads: for options objects, where the explicit key is what matters.
pub fn property<'n>(obj: Node<'n>, key: &str, src: &str) -> Option<Node<'n>> {
    let mut found = None;
    let mut c = obj.walk();
    for p in obj.named_children(&mut c) {
        match p.k() {
            "pair" => {
                if let Some(k) = p.f("key")
                    && k.k() != "computed_property_name"
                    && key_text(k, src) == key
                {
                    found = Some(p);
                }
            }
            "shorthand_property_identifier" | "method_definition" => {
                let name = if p.k() == "method_definition" {
                    p.f("name")
                } else {
                    Some(p)
                };
                if name.and_then(|n| src.get(n.byte_range())) == Some(key) {
                    found = Some(p);
                }
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::ts::parse;
    use crate::source::SourceFile;
    use std::sync::Arc;

    /// The value of the last argument of the last call to `probe(...)`.
    fn probe(src: &str) -> (Value, Option<String>) {
        let file = Arc::new(SourceFile::new("t.ts".into(), src));
        let tree = parse(src, crate::lang::Lang::TypeScript).expect("parses");
        let ix = Index::build(&tree, src);
        let scope = ModuleScope {
            ix: &ix,
            file: &file,
            imports: &NoImports,
        };
        let call = ix
            .calls
            .iter()
            .rev()
            .find(|c| ix.call_name(c.node) == Some("probe"))
            .expect("a probe call");
        let arg = call
            .node
            .f("arguments")
            .and_then(|a| a.named_child(0))
            .expect("an argument");
        let r = scope.value(arg);
        let origin = r
            .origin
            .map(|o| format!("{}@{}", o.name, &src[o.span.start..o.span.end]));
        (r.value, origin)
    }

    fn n(x: f64) -> Value {
        Value::Number(x)
    }

    #[test]
    fn constants_separators_arithmetic() {
        assert_eq!(probe("const HB = 20_000;\nprobe(HB);").0, n(20000.0));
        assert_eq!(
            probe("const S = 1e3;\nconst HB = (0x14 + 5) * S;\nprobe(HB);"),
            (n(25000.0), Some("HB@(0x14 + 5) * S".into()))
        );
        assert_eq!(probe("probe(-(2 ** 3));").0, n(-8.0));
    }

    #[test]
    fn function_local_constants_shadow_module_ones() {
        let src = "const HB = 30_000;\nfunction f() {\n  const HB = 10_000;\n  probe(HB);\n}\n";
        assert_eq!(probe(src).0, n(10000.0));
        let src = "const HB = 30_000;\nfunction f() {\n  { const HB = 10_000; }\n  probe(HB);\n}\n";
        assert_eq!(probe(src).0, n(30000.0));
    }

    #[test]
    fn reassigned_lets_are_not_constants() {
        assert_eq!(probe("let HB = 30_000;\nprobe(HB);").0, n(30000.0));
        assert_eq!(
            probe("let HB = 30_000;\nHB = 5;\nprobe(HB);").0,
            Value::Unknown
        );
        assert_eq!(
            probe("var HB = 30_000;\nfunction f() { HB++; }\nprobe(HB);").0,
            Value::Unknown
        );
    }

    #[test]
    fn members_of_const_objects() {
        let src = "const CONFIG = { ws: { heartbeatMs: 25_000 } } as const;\nprobe(CONFIG.ws.heartbeatMs);";
        assert_eq!(
            probe(src),
            (n(25000.0), Some("CONFIG.ws.heartbeatMs@25_000".into()))
        );
        let src = "const WS = { hb: 5 };\nconst CONFIG = Object.freeze({ ws: WS }) satisfies C;\nprobe(CONFIG.ws.hb);";
        assert_eq!(probe(src).0, n(5.0));
        let src = "const CONFIG = { hb: 5 };\nCONFIG.hb = 9;\nprobe(CONFIG.hb);";
        assert_eq!(probe(src).0, Value::Unknown);
        let src = "const CONFIG = { hb: 5, ...other };\nprobe(CONFIG.hb);";
        assert_eq!(probe(src).0, Value::Unknown);
        let src = "let CONFIG = { hb: 5 };\nprobe(CONFIG.hb);";
        assert_eq!(probe(src).0, n(5.0));
    }

    #[test]
    fn defaults_of_parameters_and_destructuring() {
        let src = "function f(ms = 30_000) { probe(ms); }";
        assert_eq!(probe(src), (n(30000.0), Some("ms@30_000".into())));
        let src = "function f({ ms = 15_000 }: Opts) { probe(ms); }";
        assert_eq!(probe(src).0, n(15000.0));
        let src = "function f(opts) { const { ms = 15_000 } = opts; probe(ms); }";
        assert_eq!(probe(src).0, n(15000.0));
        let src = "const O = { ms: 5 };\nconst { ms = 15_000 } = O;\nprobe(ms);";
        assert_eq!(probe(src).0, n(5.0));
        let src = "function f(ms) { probe(ms); }";
        assert_eq!(probe(src).0, Value::Unknown);
    }

    #[test]
    fn enums_sets_class_fields_imports() {
        let src = "enum Code { Normal = 1000, Auth = 4001, Forbidden }\nprobe(Code.Forbidden);";
        assert_eq!(probe(src).0, n(4002.0));
        let src = "const BASE = new Set([1000, 4001]);\nconst ALL = new Set<number>([...BASE, 4403]);\nprobe(ALL);";
        assert_eq!(probe(src).0, Value::Numbers(vec![1000.0, 4001.0, 4403.0]));
        let src = "class C { private readonly hb = 20_000; m() { probe(this.hb); } }";
        assert_eq!(probe(src).0, n(20000.0));
        let src = "class C { hb = 20_000; m() { this.hb = 1; probe(this.hb); } }";
        assert_eq!(probe(src).0, Value::Unknown);
        let src = "import { HB } from './config';\nprobe(HB);";
        assert_eq!(probe(src).0, Value::Unknown);
        let src = "import * as cfg from './config';\nprobe(cfg.HB);";
        assert_eq!(probe(src).0, Value::Unknown);
    }
}
