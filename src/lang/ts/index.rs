//! One iterative walk over a module's tree: its functions, bindings (with
//! their lexical scopes), calls, `new` expressions, assignments, classes,
//! imports and exports. Everything the socket model is built from.

use crate::lang::kind::Kind;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use tree_sitter::{Language, Node, Tree};

pub type FnId = usize;

/// The field names client code reads, in the order of [`FieldIds`].
const FIELD_NAMES: [&str; 28] = [
    "arguments",
    "value",
    "function",
    "name",
    "object",
    "left",
    "property",
    "body",
    "right",
    "key",
    "operator",
    "constructor",
    "type",
    "pattern",
    "parameter",
    "condition",
    "argument",
    "alias",
    "source",
    "parameters",
    "handler",
    "finalizer",
    "declaration",
    "consequence",
    "alternative",
    "label",
    "initializer",
    "increment",
];

/// One grammar's ids for [`FIELD_NAMES`] (0: the grammar has no such field).
struct FieldIds {
    language: Language,
    ids: [u16; 28],
}

impl FieldIds {
    fn of(language: Language) -> FieldIds {
        let mut ids = [0u16; 28];
        for (i, n) in FIELD_NAMES.iter().enumerate() {
            ids[i] = language.field_id_for_name(n).map_or(0, |id| id.get());
        }
        FieldIds { language, ids }
    }
}

static FIELDS: LazyLock<[FieldIds; 2]> = LazyLock::new(|| {
    [
        FieldIds::of(tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()),
        FieldIds::of(tree_sitter_typescript::LANGUAGE_TSX.into()),
    ]
});

fn field_slot(name: &str) -> Option<usize> {
    Some(match name {
        "arguments" => 0,
        "value" => 1,
        "function" => 2,
        "name" => 3,
        "object" => 4,
        "left" => 5,
        "property" => 6,
        "body" => 7,
        "right" => 8,
        "key" => 9,
        "operator" => 10,
        "constructor" => 11,
        "type" => 12,
        "pattern" => 13,
        "parameter" => 14,
        "condition" => 15,
        "argument" => 16,
        "alias" => 17,
        "source" => 18,
        "parameters" => 19,
        "handler" => 20,
        "finalizer" => 21,
        "declaration" => 22,
        "consequence" => 23,
        "alternative" => 24,
        "label" => 25,
        "initializer" => 26,
        "increment" => 27,
        _ => return None,
    })
}

/// Field access by name without tree-sitter's per-call name lookup (a
/// linear scan of the grammar's field names): the ids of both grammars are
/// looked up once.
pub trait NodeExt<'t> {
    fn f(&self, name: &str) -> Option<Node<'t>>;
}

impl<'t> NodeExt<'t> for Node<'t> {
    fn f(&self, name: &str) -> Option<Node<'t>> {
        let lang = self.language();
        let table = slot_table(&lang);
        match (field_slot(name), table) {
            (Some(slot), Some(t)) => match t.ids[slot] {
                0 => None,
                id => self.child_by_field_id(id),
            },
            _ => self.field(name),
        }
    }
}

fn slot_table(lang: &Language) -> Option<&'static FieldIds> {
    FIELDS.iter().find(|t| t.language == *lang)
}

const K_FUNCTION: u8 = 1;
const K_SKIP: u8 = 2;
const K_BLOCK: u8 = 4;
const K_CLASS: u8 = 8;
/// Kinds [`Index::enter`] looks at.
const K_ENTER: u8 = 16;

/// What the index walk does with each node kind of a grammar, by kind id:
/// comparing ids instead of kind names on every node.
struct KindFlags {
    language: Language,
    flags: Vec<u8>,
}

impl KindFlags {
    fn of(language: Language) -> KindFlags {
        let count = language.node_kind_count();
        let mut flags = vec![0u8; count];
        for (id, f) in flags.iter_mut().enumerate() {
            let Ok(id) = u16::try_from(id) else { break };
            // Anonymous tokens (the `function` and `class` keywords) are
            // never what a named kind means.
            if !language.node_kind_is_named(id) {
                continue;
            }
            let Some(kind) = language.node_kind_for_id(id) else {
                continue;
            };
            if is_function(kind) {
                *f |= K_FUNCTION | K_ENTER;
            }
            if is_skipped(kind) {
                *f |= K_SKIP;
            }
            if is_block(kind) {
                *f |= K_BLOCK;
            }
            if matches!(
                kind,
                "class_declaration" | "class" | "abstract_class_declaration"
            ) {
                *f |= K_CLASS | K_ENTER;
            }
            if matches!(
                kind,
                "public_field_definition"
                    | "field_definition"
                    | "variable_declarator"
                    | "enum_declaration"
                    | "catch_clause"
                    | "import_statement"
                    | "export_statement"
                    | "assignment_expression"
                    | "augmented_assignment_expression"
                    | "update_expression"
                    | "call_expression"
                    | "new_expression"
            ) {
                *f |= K_ENTER;
            }
        }
        KindFlags { language, flags }
    }
}

static KINDS: LazyLock<[KindFlags; 2]> = LazyLock::new(|| {
    [
        KindFlags::of(tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()),
        KindFlags::of(tree_sitter_typescript::LANGUAGE_TSX.into()),
    ]
});

/// Function-like node kinds.
pub fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "generator_function_declaration"
            | "function_expression"
            | "function"
            | "generator_function"
            | "arrow_function"
            | "method_definition"
    )
}

/// Subtrees that never hold anything the model reads.
fn is_skipped(kind: &str) -> bool {
    matches!(
        kind,
        "comment"
            | "type_annotation"
            | "type_arguments"
            | "type_parameters"
            | "interface_declaration"
            | "type_alias_declaration"
            | "string"
            | "regex"
            | "jsx_text"
            | "ambient_declaration"
            | "abstract_method_signature"
            | "method_signature"
            | "property_signature"
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindKind {
    Const,
    Let,
    Var,
    Param,
    Function,
    Class,
    Import,
    Enum,
    Catch,
}

#[derive(Clone, Debug)]
pub struct Binding<'t> {
    pub kind: BindKind,
    /// Byte range where the name is visible.
    pub scope: (usize, usize),
    /// The identifier that declares it.
    pub name_node: Node<'t>,
    /// The initializer (`const x = VALUE`), or the default of a parameter
    /// or a destructured property (`{ x = VALUE }`).
    pub value: Option<Node<'t>>,
    /// For a destructured name without its own default: the expression
    /// destructured and the keys leading to the name
    /// (`const { a: { b } } = X` -> `(X, ["a", "b"])`).
    pub destructured: Option<(Node<'t>, Vec<&'t str>)>,
    /// The declared type, if any.
    pub ty: Option<Node<'t>>,
    /// The function node it names (declaration, arrow, `useCallback(fn)`).
    pub func_node: Option<Node<'t>>,
    /// For imports: (module specifier, imported name; `default`, `*`).
    pub import: Option<(String, String)>,
    /// For a name destructured from a typed parameter: the parameter's type
    /// and the keys leading to the name (`({ token }: Props)`).
    pub member_of: Option<(Node<'t>, Vec<&'t str>)>,
    /// Index (among the bindings of the same name) of the binding whose
    /// scope encloses this one's, set once the module is indexed.
    enclosing: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct FnInfo<'t> {
    pub node: Node<'t>,
    pub params: Vec<Node<'t>>,
    pub body: Option<Node<'t>>,
    pub parent: Option<FnId>,
    pub class: Option<usize>,
    /// The name it is declared or bound by, if any.
    pub name: Option<&'t str>,
}

#[derive(Clone, Debug)]
pub struct ClassInfo<'t> {
    pub node: Node<'t>,
    /// Method or arrow-field name -> its function node.
    pub methods: HashMap<&'t str, Node<'t>>,
    /// Field name -> its initializer.
    pub fields: HashMap<&'t str, Node<'t>>,
}

/// A node with the function it is in.
#[derive(Clone, Copy, Debug)]
pub struct Site<'t> {
    pub node: Node<'t>,
    pub func: Option<FnId>,
    /// For calls: the callee's bare name (`f` of `a.b.f()`).
    pub name: Option<&'t str>,
}

#[derive(Clone, Debug)]
pub struct ImportRec {
    pub local: String,
    pub module: String,
    /// `default`, `*` (namespace), or the exported name.
    pub imported: String,
    pub start: usize,
    pub end: usize,
}

/// A name exported from another module: `export { imported as name } from
/// 'module'` (`imported` is `*` for `export * as name from`).
#[derive(Clone, Debug)]
pub struct ReExport {
    pub name: String,
    pub module: String,
    pub imported: String,
}

pub struct Index<'t> {
    pub src: &'t str,
    pub tree: &'t Tree,
    pub functions: Vec<FnInfo<'t>>,
    pub fn_of_node: HashMap<usize, FnId>,
    pub classes: Vec<ClassInfo<'t>>,
    pub bindings: HashMap<&'t str, Vec<Binding<'t>>>,
    /// The name each function node is bound to, by node id.
    fn_names: HashMap<usize, &'t str>,
    /// Names assigned to after their declaration (`x = ...`, `x++`).
    pub reassigned: HashSet<&'t str>,
    /// Roots of member paths assigned to (`CONFIG.x = 1` -> `CONFIG`), and
    /// `this.x` fields assigned outside their declaration (`this.x`).
    pub mutated: HashSet<String>,
    pub calls: Vec<Site<'t>>,
    pub news: Vec<Site<'t>>,
    /// `assignment_expression` nodes.
    pub assignments: Vec<Site<'t>>,
    /// `variable_declarator` nodes with a value.
    pub declarators: Vec<Site<'t>>,
    pub imports: Vec<ImportRec>,
    /// Exported names -> the local name they export (`export const X`,
    /// `export { a as b }`, `export default NAME`, `export default function f`).
    pub exports: Vec<(String, String)>,
    /// `export default <expression>` when the expression is not a name.
    pub default_export: Option<Node<'t>>,
    /// `export { a as b } from './m'`, `export * as ns from './m'`.
    pub reexports: Vec<ReExport>,
    /// `export * from './m'`, in source order.
    pub star_exports: Vec<String>,
    /// Nesting past this depth is not modelled.
    pub truncated: bool,
    /// See [`Self::set_member_of`].
    pending_member: Option<(usize, Node<'t>, Vec<&'t str>)>,
}

/// Deeper trees are not walked past this (the walk itself is iterative;
/// the bound keeps later recursive passes cheap).
const MAX_DEPTH: usize = 400;

impl<'t> Index<'t> {
    pub fn build(tree: &'t Tree, src: &'t str) -> Index<'t> {
        let mut ix = Index {
            src,
            tree,
            functions: Vec::new(),
            fn_of_node: HashMap::new(),
            classes: Vec::new(),
            bindings: HashMap::new(),
            fn_names: HashMap::new(),
            reassigned: HashSet::new(),
            mutated: HashSet::new(),
            calls: Vec::new(),
            news: Vec::new(),
            assignments: Vec::new(),
            declarators: Vec::new(),
            imports: Vec::new(),
            exports: Vec::new(),
            default_export: None,
            reexports: Vec::new(),
            star_exports: Vec::new(),
            truncated: false,
            pending_member: None,
        };
        ix.walk();
        ix.nest_scopes();
        ix
    }

    /// Sorts each name's bindings by scope (outer first, then in order of
    /// declaration) and links each to the binding whose scope encloses it,
    /// so that [`Index::lookup`] climbs a short chain instead of scanning
    /// every binding of the name: minified code declares `n` and `r` tens
    /// of thousands of times.
    fn nest_scopes(&mut self) {
        for bs in self.bindings.values_mut() {
            bs.sort_by_key(|b| {
                (
                    b.scope.0,
                    std::cmp::Reverse(b.scope.1),
                    b.name_node.start_byte(),
                )
            });
            let mut open: Vec<usize> = Vec::new();
            for i in 0..bs.len() {
                while let Some(&top) = open.last() {
                    let (start, end) = bs[top].scope;
                    if start <= bs[i].scope.0 && bs[i].scope.1 <= end {
                        break;
                    }
                    open.pop();
                }
                bs[i].enclosing = open.last().copied();
                open.push(i);
            }
            for b in bs.iter() {
                if let Some(f) = b.func_node {
                    self.fn_names
                        .insert(f.id(), self.src.get(b.name_node.byte_range()).unwrap_or(""));
                }
            }
        }
    }

    /// The name a function node is bound to (`const connect = useCallback(...)`).
    pub fn fn_name(&self, func: Node<'_>) -> Option<&'t str> {
        self.fn_names
            .get(&func.id())
            .copied()
            .filter(|n| !n.is_empty())
    }

    pub fn text(&self, n: Node<'_>) -> &'t str {
        self.src.get(n.byte_range()).unwrap_or("")
    }

    fn walk(&mut self) {
        let root = self.tree.root_node();
        let mut cursor = root.walk();
        // (node id, end byte) of open blocks, functions and classes.
        let mut blocks: Vec<Node<'t>> = Vec::new();
        let mut fns: Vec<(usize, FnId)> = Vec::new();
        let mut classes: Vec<(usize, usize)> = Vec::new();
        // The nodes above the cursor (cheaper than `Node::parent`).
        let mut ancestors: Vec<Node<'t>> = Vec::new();
        let lang = root.language();
        let Some(table) = KINDS.iter().find(|k| k.language == *lang) else {
            return;
        };
        loop {
            let node = cursor.node();
            let flags = table
                .flags
                .get(usize::from(node.kind_id()))
                .copied()
                .unwrap_or(0);
            let depth = ancestors.len();
            let descend = flags & K_SKIP == 0 && depth < MAX_DEPTH;
            if depth >= MAX_DEPTH {
                self.truncated = true;
            }
            if descend && flags != 0 {
                let func = fns.last().map(|f| f.1);
                let class = classes.last().map(|c| c.1);
                if flags & K_ENTER != 0 {
                    self.enter(node, ancestors.last().copied(), func, class, &blocks);
                }
                if flags & K_FUNCTION != 0 {
                    let id = self.functions.len() - 1;
                    fns.push((node.id(), id));
                }
                if flags & K_CLASS != 0 {
                    classes.push((node.id(), self.classes.len() - 1));
                }
                if flags & K_BLOCK != 0 {
                    blocks.push(node);
                }
            }
            if descend && cursor.goto_first_child() {
                ancestors.push(node);
                continue;
            }
            loop {
                let n = cursor.node();
                if blocks.last().is_some_and(|b| b.id() == n.id()) {
                    blocks.pop();
                }
                if fns.last().is_some_and(|f| f.0 == n.id()) {
                    fns.pop();
                }
                if classes.last().is_some_and(|c| c.0 == n.id()) {
                    classes.pop();
                }
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
                ancestors.pop();
            }
        }
    }

    fn enter(
        &mut self,
        node: Node<'t>,
        parent: Option<Node<'t>>,
        func: Option<FnId>,
        class: Option<usize>,
        blocks: &[Node<'t>],
    ) {
        let kind = node.k();
        let block_scope = || {
            blocks
                .last()
                .map_or((0, usize::MAX), |b| (b.start_byte(), b.end_byte()))
        };
        match kind {
            k if is_function(k) => {
                let params = params_of(node);
                let body = node.f("body");
                let name = node.f("name").map(|n| self.text(n));
                let fscope = (node.start_byte(), node.end_byte());
                for p in &params {
                    self.bind_param(*p, fscope);
                }
                // Methods of object literals are not methods of a class.
                let in_class_body = parent.is_some_and(|p| p.k() == "class_body");
                if k == "method_definition"
                    && in_class_body
                    && let (Some(c), Some(n)) = (class, name)
                {
                    self.classes[c].methods.insert(n, node);
                }
                // What `this` is inside: the class of a method; for an arrow,
                // the innermost of the enclosing class and the enclosing
                // function's `this`; a `function` has its own.
                let class_final = match k {
                    "method_definition" if in_class_body => class,
                    "method_definition" => None,
                    "arrow_function" => {
                        let class_inside_fn = match (class, func) {
                            (Some(c), Some(f)) => {
                                self.classes[c].node.start_byte()
                                    >= self.functions[f].node.start_byte()
                            }
                            (Some(_), None) => true,
                            _ => false,
                        };
                        if class_inside_fn {
                            class
                        } else {
                            func.and_then(|f| self.functions[f].class)
                        }
                    }
                    _ => None,
                };
                self.fn_of_node.insert(node.id(), self.functions.len());
                self.functions.push(FnInfo {
                    node,
                    params,
                    body,
                    parent: func,
                    class: class_final,
                    name,
                });
                if matches!(k, "function_declaration" | "generator_function_declaration")
                    && let Some(n) = node.f("name")
                {
                    // Function declarations are visible in their whole block.
                    let scope = enclosing_scope_excluding(blocks, node);
                    self.add(n, BindKind::Function, scope, None, None, None, Some(node));
                }
            }
            "class_declaration" | "class" | "abstract_class_declaration" => {
                self.classes.push(ClassInfo {
                    node,
                    methods: HashMap::new(),
                    fields: HashMap::new(),
                });
                if kind != "class"
                    && let Some(n) = node.f("name")
                {
                    self.add(n, BindKind::Class, block_scope(), None, None, None, None);
                }
            }
            "public_field_definition" | "field_definition" => {
                if let (Some(c), Some(n)) = (class, node.f("name")) {
                    let name = self.text(n);
                    if let Some(v) = node.f("value") {
                        let v = unwrap(v);
                        if is_function(v.k()) {
                            self.classes[c].methods.insert(name, v);
                        } else {
                            self.classes[c].fields.insert(name, v);
                        }
                    }
                }
            }
            "variable_declarator" => self.declarator(node, parent, func, blocks),
            "enum_declaration" => {
                if let Some(n) = node.f("name") {
                    self.add(
                        n,
                        BindKind::Enum,
                        block_scope(),
                        Some(node),
                        None,
                        None,
                        None,
                    );
                }
            }
            "catch_clause" => {
                if let Some(p) = node.f("parameter") {
                    let scope = (node.start_byte(), node.end_byte());
                    self.bind_pattern(p, BindKind::Catch, scope, None, None, Vec::new());
                }
            }
            "import_statement" => self.import(node),
            "export_statement" => self.export(node),
            "assignment_expression" | "augmented_assignment_expression" => {
                if let Some(left) = node.f("left") {
                    self.note_assigned(left, class);
                }
                if kind == "assignment_expression" {
                    self.assignments.push(Site {
                        node,
                        func,
                        name: None,
                    });
                }
            }
            "update_expression" => {
                if let Some(arg) = node.f("argument") {
                    self.note_assigned(arg, class);
                }
            }
            "call_expression" => {
                let name = self.call_name(node);
                self.calls.push(Site { node, func, name });
            }
            "new_expression" => self.news.push(Site {
                node,
                func,
                name: None,
            }),
            _ => {}
        }
    }

    fn note_assigned(&mut self, left: Node<'t>, class: Option<usize>) {
        let left = unwrap(left);
        match left.k() {
            "identifier" => {
                let t = self.text(left);
                self.reassigned.insert(t);
            }
            "member_expression" | "subscript_expression" => {
                let mut root = left;
                let mut last_prop = None;
                while matches!(root.k(), "member_expression" | "subscript_expression") {
                    if root.k() == "member_expression" {
                        last_prop = root.f("property");
                    }
                    match root.f("object") {
                        Some(o) => root = unwrap(o),
                        None => break,
                    }
                }
                match root.k() {
                    "identifier" => {
                        self.mutated.insert(self.text(root).to_string());
                    }
                    "this" => {
                        // `this.x = ...`: the field x of this class is not constant
                        // (outside its declaration); deeper paths make the
                        // first segment mutable.
                        let first = first_this_segment(left, self.src);
                        if let Some(f) = first.or(last_prop.map(|p| self.text(p).to_string())) {
                            let c = class.map_or(String::new(), |c| c.to_string());
                            self.mutated.insert(format!("this#{c}.{f}"));
                        }
                    }
                    _ => {}
                }
            }
            "object_pattern" | "array_pattern" => {
                let src = self.src;
                let reassigned = &mut self.reassigned;
                visit_bounded(left, 256, |n| {
                    if matches!(
                        n.k(),
                        "identifier" | "shorthand_property_identifier_pattern"
                    ) {
                        reassigned.insert(src.get(n.byte_range()).unwrap_or(""));
                    }
                    true
                });
            }
            _ => {}
        }
    }

    fn declarator(
        &mut self,
        node: Node<'t>,
        parent: Option<Node<'t>>,
        func: Option<FnId>,
        blocks: &[Node<'t>],
    ) {
        let Some(name) = node.f("name") else {
            return;
        };
        let value = node.f("value");
        let ty = node.f("type");
        let kind = match parent {
            Some(p) if p.k() == "variable_declaration" => BindKind::Var,
            Some(p) if p.k() == "lexical_declaration" => match p.child(0).map(|c| c.k()) {
                Some("const") => BindKind::Const,
                _ => BindKind::Let,
            },
            _ => BindKind::Let,
        };
        let scope = if kind == BindKind::Var {
            match func {
                Some(f) => {
                    let n = self.functions[f].node;
                    (n.start_byte(), n.end_byte())
                }
                None => (0, usize::MAX),
            }
        } else {
            blocks
                .last()
                .map_or((0, usize::MAX), |b| (b.start_byte(), b.end_byte()))
        };
        if value.is_some() {
            self.declarators.push(Site {
                node,
                func,
                name: None,
            });
        }
        if name.k() == "identifier" {
            let func_node = value.and_then(|v| function_value(v, self.src));
            self.add(name, kind, scope, value, None, ty, func_node);
            if let Some(v) = value.map(unwrap)
                && v.k() == "call_expression"
                && self.call_name(v) == Some("require")
                && let Some(m) = first_string_arg(v, self.src)
            {
                self.imports.push(ImportRec {
                    local: self.text(name).to_string(),
                    module: m,
                    imported: "default".into(),
                    start: name.start_byte(),
                    end: name.end_byte(),
                });
            }
        } else if let Some(v) = value {
            self.bind_pattern(name, kind, scope, Some(v), ty, Vec::new());
        }
    }

    /// The bare name a call's callee has: `f()` -> f, `a.b.f()` -> f.
    pub fn call_name(&self, call: Node<'t>) -> Option<&'t str> {
        let f = unwrap(call.f("function")?);
        match f.k() {
            "identifier" => Some(self.text(f)),
            "member_expression" => f.f("property").map(|p| self.text(p)),
            _ => None,
        }
    }

    fn bind_param(&mut self, p: Node<'t>, scope: (usize, usize)) {
        // required_parameter / optional_parameter: pattern, type, value.
        // A bare identifier (`e => ...`) is a parameter too.
        if p.k() == "identifier" {
            self.add(p, BindKind::Param, scope, None, None, None, None);
            return;
        }
        let pattern = p.f("pattern").unwrap_or(p);
        let ty = p.f("type");
        let default = p.f("value");
        if pattern.k() == "identifier" {
            self.add(pattern, BindKind::Param, scope, default, None, ty, None);
        } else {
            self.bind_pattern(pattern, BindKind::Param, scope, None, ty, Vec::new());
        }
    }

    /// Binds the names of a pattern (a name, or a destructuring of
    /// `source` by `keys`).
    fn bind_pattern(
        &mut self,
        pattern: Node<'t>,
        kind: BindKind,
        scope: (usize, usize),
        source: Option<Node<'t>>,
        ty: Option<Node<'t>>,
        keys: Vec<&'t str>,
    ) {
        if pattern.k() == "identifier" {
            let d = source.map(|s| (s, keys));
            self.add(pattern, kind, scope, None, d, ty, None);
            return;
        }
        // Iterative over nested patterns: (pattern, keys so far).
        let mut stack: Vec<(Node<'t>, Vec<&'t str>)> = vec![(pattern, keys)];
        let mut steps = 0;
        while let Some((pat, keys)) = stack.pop() {
            steps += 1;
            if steps > 256 {
                break;
            }
            let mut c = pat.walk();
            let children: Vec<Node<'t>> = pat.named_children(&mut c).collect();
            for child in children {
                match child.k() {
                    "shorthand_property_identifier_pattern" => {
                        let mut k = keys.clone();
                        k.push(self.text(child));
                        self.set_member_of(child, ty, &k);
                        let d = source.map(|s| (s, k));
                        self.add(child, kind, scope, None, d, None, None);
                        self.set_member_of_last(child);
                    }
                    "object_assignment_pattern" => {
                        // `{ x = DEFAULT }`
                        let (Some(left), right) = (child.f("left"), child.f("right")) else {
                            continue;
                        };
                        if matches!(
                            left.k(),
                            "shorthand_property_identifier_pattern" | "identifier"
                        ) {
                            let mut k = keys.clone();
                            k.push(self.text(left));
                            self.set_member_of(left, ty, &k);
                            let d = source.map(|s| (s, k));
                            self.add(left, kind, scope, right, d, None, None);
                            self.set_member_of_last(left);
                        }
                    }
                    "pair_pattern" => {
                        let (Some(key), Some(value)) = (child.f("key"), child.f("value")) else {
                            continue;
                        };
                        let mut k = keys.clone();
                        k.push(key_text(key, self.src));
                        match value.k() {
                            "identifier" => {
                                self.set_member_of(value, ty, &k);
                                let d = source.map(|s| (s, k));
                                self.add(value, kind, scope, None, d, None, None);
                                self.set_member_of_last(value);
                            }
                            "assignment_pattern" => {
                                if let (Some(l), r) = (value.f("left"), value.f("right"))
                                    && l.k() == "identifier"
                                {
                                    let d = source.map(|s| (s, k));
                                    self.add(l, kind, scope, r, d, None, None);
                                }
                            }
                            _ => stack.push((value, k)),
                        }
                    }
                    "identifier" => {
                        // Array patterns: element names, not destructured by key.
                        self.add(child, kind, scope, None, None, None, None);
                    }
                    "assignment_pattern" => {
                        if let (Some(l), r) = (child.f("left"), child.f("right"))
                            && l.k() == "identifier"
                        {
                            self.add(l, kind, scope, r, None, None, None);
                        }
                    }
                    "rest_pattern" | "object_pattern" | "array_pattern" => {
                        // Names inside are bound, with no known source.
                        stack.push((child, keys.clone()));
                    }
                    _ => {}
                }
            }
        }
        self.pending_member = None;
    }

    /// Remembers the type a destructured name is a member of, for the
    /// binding [`Self::add`] creates next for `name`.
    fn set_member_of(&mut self, name: Node<'t>, ty: Option<Node<'t>>, keys: &[&'t str]) {
        self.pending_member = ty.map(|t| (name.id(), t, keys.to_vec()));
    }

    fn set_member_of_last(&mut self, name: Node<'t>) {
        let Some((id, ty, keys)) = self.pending_member.take() else {
            return;
        };
        if id != name.id() {
            return;
        }
        let text = self.text(name);
        if let Some(b) = self.bindings.get_mut(text).and_then(|v| v.last_mut()) {
            b.member_of = Some((ty, keys));
        }
    }

    /// The declared type of member `keys` of type annotation `ty`, through
    /// object type literals and interfaces or type aliases of this module,
    /// with whether the member is optional (`room?: string`).
    pub fn member_type(&self, ty: Node<'t>, keys: &[&str]) -> Option<(Node<'t>, bool)> {
        let mut t = if ty.k() == "type_annotation" {
            ty.named_child(0)?
        } else {
            ty
        };
        let mut optional = false;
        for key in keys {
            let body = match t.k() {
                "object_type" | "interface_body" => t,
                "type_identifier" => self.type_declaration(self.text(t))?,
                _ => return None,
            };
            let mut c = body.walk();
            let prop = body.named_children(&mut c).find(|p| {
                p.k() == "property_signature"
                    && p.f("name").is_some_and(|n| key_text(n, self.src) == *key)
            })?;
            let mut c2 = prop.walk();
            optional |= prop.children(&mut c2).any(|x| x.k() == "?");
            t = prop.f("type")?.named_child(0)?;
        }
        Some((t, optional))
    }

    /// The body of a top-level `interface NAME` or `type NAME = {...}`.
    fn type_declaration(&self, name: &str) -> Option<Node<'t>> {
        let root = self.tree.root_node();
        let mut c = root.walk();
        let top: Vec<Node<'t>> = root.named_children(&mut c).collect();
        for mut d in top {
            if d.k() == "export_statement" {
                match d.f("declaration") {
                    Some(x) => d = x,
                    None => continue,
                }
            }
            let is_named = d.f("name").is_some_and(|n| self.text(n) == name);
            match d.k() {
                "interface_declaration" if is_named => return d.f("body"),
                "type_alias_declaration" if is_named => return d.f("value"),
                _ => {}
            }
        }
        None
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        name: Node<'t>,
        kind: BindKind,
        scope: (usize, usize),
        value: Option<Node<'t>>,
        destructured: Option<(Node<'t>, Vec<&'t str>)>,
        ty: Option<Node<'t>>,
        func_node: Option<Node<'t>>,
    ) {
        let text = self.text(name);
        if text.is_empty() {
            return;
        }
        self.bindings.entry(text).or_default().push(Binding {
            kind,
            scope,
            name_node: name,
            value,
            destructured,
            ty,
            func_node,
            import: None,
            member_of: None,
            enclosing: None,
        });
    }

    fn import(&mut self, node: Node<'t>) {
        let Some(source) = node.f("source") else {
            return;
        };
        let module = string_content(source, self.src).unwrap_or_default();
        let mut c = node.walk();
        let clause = node
            .named_children(&mut c)
            .find(|n| n.k() == "import_clause");
        let Some(clause) = clause else {
            return;
        };
        let mut recs: Vec<(Node<'t>, String)> = Vec::new();
        let mut c = clause.walk();
        for child in clause.named_children(&mut c) {
            match child.k() {
                "identifier" => recs.push((child, "default".into())),
                "namespace_import" => {
                    if let Some(id) = child.named_child(0) {
                        recs.push((id, "*".into()));
                    }
                }
                "named_imports" => {
                    let mut c2 = child.walk();
                    for spec in child.named_children(&mut c2) {
                        if spec.k() != "import_specifier" {
                            continue;
                        }
                        let Some(name) = spec.f("name") else {
                            continue;
                        };
                        let local = spec.f("alias").unwrap_or(name);
                        let imported = string_content(name, self.src)
                            .unwrap_or_else(|| self.text(name).to_string());
                        recs.push((local, imported));
                    }
                }
                _ => {}
            }
        }
        for (local, imported) in recs {
            let text = self.text(local);
            self.imports.push(ImportRec {
                local: text.to_string(),
                module: module.clone(),
                imported: imported.clone(),
                start: local.start_byte(),
                end: local.end_byte(),
            });
            self.bindings.entry(text).or_default().push(Binding {
                kind: BindKind::Import,
                scope: (0, usize::MAX),
                name_node: local,
                value: None,
                destructured: None,
                ty: None,
                func_node: None,
                import: Some((module.clone(), imported)),
                member_of: None,
                enclosing: None,
            });
        }
    }

    fn export(&mut self, node: Node<'t>) {
        let mut c = node.walk();
        let is_default = node.children(&mut c).any(|n| n.k() == "default");
        if let Some(decl) = node.f("declaration") {
            let mut c = decl.walk();
            for d in decl.named_children(&mut c) {
                if d.k() == "variable_declarator"
                    && let Some(n) = d.f("name")
                    && n.k() == "identifier"
                {
                    let t = self.text(n).to_string();
                    self.exports.push((t.clone(), t));
                }
            }
            if let Some(n) = decl.f("name") {
                let t = self.text(n).to_string();
                let exported = if is_default {
                    "default".into()
                } else {
                    t.clone()
                };
                self.exports.push((exported, t));
            }
            return;
        }
        if is_default {
            // `export default NAME` exports a binding; any other expression
            // is a value of its own.
            if let Some(v) = node.f("value") {
                if unwrap(v).k() == "identifier" {
                    self.exports
                        .push(("default".into(), self.text(unwrap(v)).to_string()));
                } else {
                    self.default_export = Some(v);
                }
            }
            return;
        }
        let from = node.f("source").and_then(|s| string_content(s, self.src));
        let mut c = node.walk();
        let mut clause_seen = false;
        for clause in node.named_children(&mut c) {
            match clause.k() {
                "export_clause" => {
                    clause_seen = true;
                    let mut c2 = clause.walk();
                    for spec in clause.named_children(&mut c2) {
                        let Some(name) = spec.f("name") else {
                            continue;
                        };
                        let alias = spec.f("alias").unwrap_or(name);
                        let name_text = string_content(name, self.src)
                            .unwrap_or_else(|| self.text(name).to_string());
                        let alias_text = string_content(alias, self.src)
                            .unwrap_or_else(|| self.text(alias).to_string());
                        match &from {
                            Some(module) => self.reexports.push(ReExport {
                                name: alias_text,
                                module: module.clone(),
                                imported: name_text,
                            }),
                            None => self.exports.push((alias_text, name_text)),
                        }
                    }
                }
                "namespace_export" => {
                    clause_seen = true;
                    if let (Some(ns), Some(module)) = (clause.named_child(0), &from) {
                        let name = string_content(ns, self.src)
                            .unwrap_or_else(|| self.text(ns).to_string());
                        self.reexports.push(ReExport {
                            name,
                            module: module.clone(),
                            imported: "*".into(),
                        });
                    }
                }
                _ => {}
            }
        }
        if !clause_seen && let Some(module) = from {
            // `export * from './m'`
            self.star_exports.push(module);
        }
    }

    /// The binding `name` refers to at byte `pos`: the innermost scope that
    /// holds it (of several with the same scope, the last declared).
    pub fn lookup(&self, name: &str, pos: usize) -> Option<&Binding<'t>> {
        let bs = self.bindings.get(name)?;
        let contains = |b: &Binding<'t>| b.scope.0 <= pos && pos < b.scope.1.max(b.scope.0 + 1);
        // The last binding whose scope starts at or before `pos`; any scope
        // that holds `pos` and starts earlier encloses it, so climb.
        let mut at = bs.partition_point(|b| b.scope.0 <= pos).checked_sub(1);
        while let Some(i) = at {
            if contains(&bs[i]) {
                return Some(&bs[i]);
            }
            at = bs[i].enclosing;
        }
        None
    }

    /// The module-level binding of `name` (the last one declared).
    pub fn module_binding(&self, name: &str) -> Option<&Binding<'t>> {
        let root = self.tree.root_node();
        self.bindings
            .get(name)?
            .iter()
            .filter(|b| b.scope.0 <= root.start_byte() && b.scope.1 >= root.end_byte())
            .max_by_key(|b| b.name_node.start_byte())
    }

    /// Whether a binding holds one value for its whole life: `const`, or a
    /// `let`/`var`/parameter never assigned to.
    pub fn is_constant(&self, b: &Binding<'t>) -> bool {
        match b.kind {
            BindKind::Const | BindKind::Import | BindKind::Enum | BindKind::Function => true,
            BindKind::Let | BindKind::Var | BindKind::Param | BindKind::Catch => {
                !self.reassigned.contains(self.text(b.name_node))
            }
            BindKind::Class => false,
        }
    }

    /// The function a binding names, if any.
    pub fn binding_fn(&self, b: &Binding<'t>) -> Option<FnId> {
        self.fn_of_node.get(&b.func_node?.id()).copied()
    }

    /// The class whose body holds byte `pos`, innermost.
    pub fn class_at(&self, pos: usize) -> Option<usize> {
        self.classes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.node.start_byte() <= pos && pos < c.node.end_byte())
            .min_by_key(|(_, c)| c.node.end_byte() - c.node.start_byte())
            .map(|(i, _)| i)
    }

    /// The innermost function holding byte `pos`.
    pub fn fn_at(&self, pos: usize) -> Option<FnId> {
        // Functions are numbered in pre-order, so by start: the last one
        // starting at or before `pos`, or one of its enclosing functions.
        let i = self
            .functions
            .partition_point(|f| f.node.start_byte() <= pos)
            .checked_sub(1)?;
        let mut cur = Some(i);
        let mut steps = 0;
        while let Some(c) = cur {
            let n = self.functions[c].node;
            if n.start_byte() <= pos && pos < n.end_byte() {
                return Some(c);
            }
            steps += 1;
            if steps > MAX_DEPTH {
                return None;
            }
            cur = self.functions[c].parent;
        }
        None
    }

    /// A path as the program means it, for comparing paths written in
    /// different places: its root name tied to the declaration it refers to
    /// (`heartbeatRef@812.current`), `this` tied to its class (`this#3.timer`),
    /// a global by its name.
    pub fn path_key(&self, node: Node<'_>) -> Option<String> {
        let node = unwrap(node);
        let parts = crate::values::member_path(node, self.src, &crate::values::TYPESCRIPT)?;
        let (first, rest) = parts.split_first()?;
        let mut key = self.root_key(first, node.start_byte());
        for p in rest {
            key.push('.');
            key.push_str(p);
        }
        Some(key)
    }

    /// The key of a path's first name read at byte `pos`.
    pub fn root_key(&self, name: &str, pos: usize) -> String {
        if name == "this" {
            let class = self
                .this_class(self.fn_at(pos))
                .or_else(|| self.class_at(pos));
            return match class {
                Some(c) => format!("this#{c}"),
                None => "this".to_string(),
            };
        }
        match self.lookup(name, pos) {
            Some(b) => format!("{name}@{}", b.name_node.start_byte()),
            None => name.to_string(),
        }
    }

    /// The class `this` refers to inside function `f`.
    pub fn this_class(&self, f: Option<FnId>) -> Option<usize> {
        f.and_then(|f| self.functions[f].class)
    }
}

/// Visits `root` and its named descendants depth-first, at most `limit`
/// nodes; `visit` says whether to go into a node's children. Returns false
/// when the limit cut the walk short.
pub fn visit_bounded<'t>(
    root: Node<'t>,
    limit: usize,
    mut visit: impl FnMut(Node<'t>) -> bool,
) -> bool {
    let mut stack = vec![root];
    let mut seen = 0;
    while let Some(n) = stack.pop() {
        seen += 1;
        if seen > limit {
            return false;
        }
        if visit(n) {
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
    }
    true
}

fn is_block(kind: &str) -> bool {
    matches!(
        kind,
        "program"
            | "statement_block"
            | "for_statement"
            | "for_in_statement"
            | "switch_body"
            | "class_static_block"
    )
}

/// The scope a function declaration is visible in: its enclosing block.
fn enclosing_scope_excluding(blocks: &[Node<'_>], _decl: Node<'_>) -> (usize, usize) {
    blocks
        .last()
        .map_or((0, usize::MAX), |b| (b.start_byte(), b.end_byte()))
}

/// The parameters of a function node.
pub fn params_of(node: Node<'_>) -> Vec<Node<'_>> {
    if let Some(p) = node.f("parameter") {
        return vec![p];
    }
    let Some(ps) = node.f("parameters") else {
        return Vec::new();
    };
    let mut c = ps.walk();
    ps.named_children(&mut c)
        .filter(|n| n.k() != "comment")
        .collect()
}

/// The identifier or pattern a parameter node binds.
pub fn param_pattern(p: Node<'_>) -> Node<'_> {
    p.f("pattern").unwrap_or(p)
}

/// Strips wrappers that do not change a value: parentheses, `as`,
/// `satisfies`, `!`, `<T>x`.
pub fn unwrap(mut n: Node<'_>) -> Node<'_> {
    for _ in 0..32 {
        match n.k() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "type_assertion" => {
                // `<T>x` puts the type first.
                let mut c = n.walk();
                let inner = n
                    .named_children(&mut c)
                    .find(|k| !matches!(k.k(), "type_arguments" | "comment"));
                match inner {
                    Some(i) => n = i,
                    None => return n,
                }
            }
            _ => return n,
        }
    }
    n
}

/// The function a declarator's value is: `() => {}`, `function () {}`,
/// `useCallback(fn, deps)`, `useMemo(() => fn, deps)`.
pub fn function_value<'t>(v: Node<'t>, src: &str) -> Option<Node<'t>> {
    let v = unwrap(v);
    if is_function(v.k()) {
        return Some(v);
    }
    if v.k() != "call_expression" {
        return None;
    }
    let f = unwrap(v.f("function")?);
    let name = match f.k() {
        "identifier" => f,
        "member_expression" => f.f("property")?,
        _ => return None,
    };
    let args = v.f("arguments")?;
    let first = unwrap(args.named_child(0)?);
    if !is_function(first.k()) {
        return None;
    }
    match src.get(name.byte_range())? {
        "useCallback" => Some(first),
        "useMemo" => {
            let body = unwrap(first.f("body")?);
            is_function(body.k()).then_some(body)
        }
        _ => None,
    }
}

/// `'text'` -> `text`.
pub fn string_content(n: Node<'_>, src: &str) -> Option<String> {
    if n.k() != "string" {
        return None;
    }
    let t = src.get(n.byte_range())?;
    let inner = t.get(1..t.len().saturating_sub(1))?;
    Some(inner.to_string())
}

fn first_string_arg(call: Node<'_>, src: &str) -> Option<String> {
    let args = call.f("arguments")?;
    string_content(args.named_child(0)?, src)
}

/// The text of an object key: `a`, `'a'`, `"a"`.
pub fn key_text<'t>(key: Node<'t>, src: &'t str) -> &'t str {
    let t = src.get(key.byte_range()).unwrap_or("");
    if key.k() == "string" {
        t.get(1..t.len().saturating_sub(1)).unwrap_or("")
    } else {
        t
    }
}

/// `this.a.b = ...` -> `a`.
fn first_this_segment(mut n: Node<'_>, src: &str) -> Option<String> {
    let mut seg = None;
    for _ in 0..64 {
        if n.k() != "member_expression" {
            break;
        }
        let obj = unwrap(n.f("object")?);
        if obj.k() == "this" {
            seg = n
                .f("property")
                .and_then(|p| src.get(p.byte_range()))
                .map(str::to_string);
            break;
        }
        n = obj;
    }
    seg
}
