//! Small helpers over tree-sitter-python nodes: text, spans, calls and
//! their arguments, dotted names. Nothing here knows about websockets.

use crate::lang::kind::Kind;
use tree_sitter::Node;

use crate::source::Span;
use crate::values::{self, NoScope, Value};

/// How deep the recursive walks of this front end go into nested
/// statements and expressions; deeper code is not looked at (no stack
/// overflow on generated or hostile input).
pub(crate) const MAX_NESTING: u32 = 200;

pub(crate) fn text<'s>(n: Node<'_>, src: &'s str) -> &'s str {
    n.utf8_text(src.as_bytes()).unwrap_or("")
}

pub(crate) fn span(n: Node<'_>) -> Span {
    Span::new(n.start_byte(), n.end_byte())
}

/// `(x)` -> `x`, repeatedly.
pub(crate) fn unparen(mut n: Node<'_>) -> Node<'_> {
    while n.k() == "parenthesized_expression" {
        match n.named_child(0) {
            Some(inner) => n = inner,
            None => break,
        }
    }
    n
}

/// `await x` -> `x`, `(x)` -> `x`.
pub(crate) fn unawait(n: Node<'_>) -> Node<'_> {
    let n = unparen(n);
    if n.k() == "await"
        && let Some(inner) = n.named_child(0)
    {
        return unparen(inner);
    }
    n
}

/// The parent, skipping parentheses.
pub(crate) fn parent_unparen(n: Node<'_>) -> Option<Node<'_>> {
    let mut p = n.parent()?;
    while p.k() == "parenthesized_expression" {
        p = p.parent()?;
    }
    Some(p)
}

/// `a.b.c` as written (identifiers and attributes only).
pub(crate) fn dotted(n: Node<'_>, src: &str) -> Option<String> {
    values::member_path(n, src, &values::PYTHON).map(|p| p.join("."))
}

/// The last name of an identifier or attribute: `c` of `a.b.c`.
pub(crate) fn last_name<'s>(n: Node<'_>, src: &'s str) -> Option<&'s str> {
    let n = unparen(n);
    match n.k() {
        "identifier" => Some(text(n, src)),
        "attribute" => n.field("attribute").map(|a| text(a, src)),
        _ => None,
    }
}

/// A call's pieces: the callee, positional arguments and keyword arguments.
pub(crate) struct Call<'t> {
    pub node: Node<'t>,
    pub callee: Node<'t>,
    pub args: Vec<Node<'t>>,
    pub kwargs: Vec<(&'t str, Node<'t>)>,
}

impl<'t> Call<'t> {
    pub(crate) fn of(node: Node<'t>, src: &'t str) -> Option<Call<'t>> {
        if node.k() != "call" {
            return None;
        }
        let callee = node.field("function")?;
        let mut args = Vec::new();
        let mut kwargs = Vec::new();
        if let Some(list) = node.field("arguments")
            && list.k() == "argument_list"
        {
            let mut c = list.walk();
            for a in list.named_children(&mut c) {
                match a.k() {
                    "comment" => {}
                    "keyword_argument" => {
                        if let (Some(k), Some(v)) = (a.field("name"), a.field("value")) {
                            kwargs.push((text(k, src), v));
                        }
                    }
                    _ => args.push(a),
                }
            }
        }
        Some(Call {
            node,
            callee,
            args,
            kwargs,
        })
    }

    /// The argument passed as keyword `name` or else at position `pos`.
    pub(crate) fn arg(&self, pos: usize, name: &str) -> Option<Node<'t>> {
        self.kwarg(name).or_else(|| {
            self.args
                .get(pos)
                .copied()
                .filter(|a| !matches!(a.k(), "list_splat" | "dictionary_splat"))
        })
    }

    pub(crate) fn kwarg(&self, name: &str) -> Option<Node<'t>> {
        self.kwargs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }

    /// The callee's last name: `wait_for` of `asyncio.wait_for(...)`.
    pub(crate) fn name(&self, src: &'t str) -> Option<&'t str> {
        last_name(self.callee, src)
    }

    /// The callee's receiver: `websocket` of `websocket.close()`.
    pub(crate) fn receiver(&self) -> Option<Node<'t>> {
        let c = unparen(self.callee);
        (c.k() == "attribute").then(|| c.field("object")).flatten()
    }
}

/// A plain string literal's content (no f-string, no escapes).
pub(crate) fn string_literal(n: Node<'_>, src: &str) -> Option<String> {
    if n.k() != "string" {
        return None;
    }
    match values::eval(n, src, &values::PYTHON, &NoScope, 0).value {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

/// The named nodes of a module's tree in pre-order, read once with one
/// cursor walk: every pass over the tree after that ([`Flat::walk`],
/// [`Flat::children`]) is a scan of an array, with no call into
/// tree-sitter per step and no allocation per node. What [`walk`] visits,
/// in the same order: anonymous nodes (keywords, punctuation) and what is
/// below them are left out.
pub(crate) struct Flat<'t> {
    nodes: Vec<Node<'t>>,
    /// Index just past each node's subtree.
    end: Vec<u32>,
    /// Start byte of each node (sorted: pre-order).
    starts: Vec<usize>,
}

impl<'t> Flat<'t> {
    pub(crate) fn new(root: Node<'t>) -> Flat<'t> {
        let mut f = Flat {
            nodes: Vec::new(),
            end: Vec::new(),
            starts: Vec::new(),
        };
        // Indexes of the open ancestors, whose end is set when the walk
        // leaves them.
        let mut open: Vec<usize> = Vec::new();
        let mut c = root.walk();
        f.push(root);
        open.push(0);
        if c.goto_first_child() {
            'walk: loop {
                let n = c.node();
                let entered = n.is_named() && {
                    f.push(n);
                    open.push(f.nodes.len() - 1);
                    c.goto_first_child()
                };
                if entered {
                    continue;
                }
                if n.is_named() {
                    let i = open.pop().unwrap_or(0);
                    f.end[i] = f.nodes.len() as u32;
                }
                while !c.goto_next_sibling() {
                    if !c.goto_parent() {
                        break 'walk;
                    }
                    // Left a node: it was entered, so it is named.
                    let i = open.pop().unwrap_or(0);
                    f.end[i] = f.nodes.len() as u32;
                }
            }
        }
        for i in open {
            f.end[i] = f.nodes.len() as u32;
        }
        f
    }

    fn push(&mut self, n: Node<'t>) {
        self.nodes.push(n);
        self.end.push(0);
        self.starts.push(n.start_byte());
    }

    /// Where `n` is, if it is one of the nodes (another tree's node, or an
    /// anonymous one, is not).
    fn index(&self, n: Node<'t>) -> Option<usize> {
        let start = n.start_byte();
        let first = self.starts.partition_point(|&s| s < start);
        let id = n.id();
        (first..self.nodes.len())
            .take_while(|&i| self.starts[i] == start)
            .find(|&i| self.nodes[i].id() == id)
    }

    /// [`walk`] from `root`.
    pub(crate) fn walk(
        &self,
        root: Node<'t>,
        mut descend: impl FnMut(Node<'t>) -> bool,
        mut visit: impl FnMut(Node<'t>),
    ) {
        let Some(i) = self.index(root) else {
            return walk(root, descend, visit);
        };
        visit(root);
        if !descend(root) {
            return;
        }
        let end = self.end[i] as usize;
        let mut j = i + 1;
        while j < end {
            let n = self.nodes[j];
            visit(n);
            j = if descend(n) {
                j + 1
            } else {
                self.end[j] as usize
            };
        }
    }

    /// The named children of `n`, as `named_children` gives them.
    pub(crate) fn children(&self, n: Node<'t>) -> Children<'_, 't> {
        match self.index(n) {
            Some(i) if n.is_named() => Children::Flat {
                flat: self,
                next: i + 1,
                end: self.end[i] as usize,
            },
            _ => {
                let mut c = n.walk();
                Children::Nodes(n.named_children(&mut c).collect::<Vec<_>>().into_iter())
            }
        }
    }
}

pub(crate) enum Children<'f, 't> {
    Flat {
        flat: &'f Flat<'t>,
        next: usize,
        end: usize,
    },
    Nodes(std::vec::IntoIter<Node<'t>>),
}

impl<'t> Iterator for Children<'_, 't> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        match self {
            Children::Flat { flat, next, end } => {
                if *next >= *end {
                    return None;
                }
                let n = flat.nodes[*next];
                *next = flat.end[*next] as usize;
                Some(n)
            }
            Children::Nodes(it) => it.next(),
        }
    }
}

/// Calls a visitor on `root` and every named descendant, pre-order,
/// without recursion or allocation (one tree cursor). `descend` decides
/// whether to enter a node's children.
pub(crate) fn walk<'t>(
    root: Node<'t>,
    mut descend: impl FnMut(Node<'t>) -> bool,
    mut visit: impl FnMut(Node<'t>),
) {
    visit(root);
    let mut c = root.walk();
    if !descend(root) || !c.goto_first_child() {
        return;
    }
    loop {
        let n = c.node();
        // Anonymous nodes (keywords, punctuation) are neither visited nor
        // entered, as `named_children` would skip them.
        if n.is_named() {
            visit(n);
            if descend(n) && c.goto_first_child() {
                continue;
            }
        }
        // The next sibling, else the next sibling of the nearest ancestor
        // that has one; the cursor cannot leave `root`.
        while !c.goto_next_sibling() {
            if !c.goto_parent() {
                return;
            }
        }
    }
}

/// Whether a node opens a new scope whose body does not run where it
/// stands: nested functions, classes and lambdas.
pub(crate) fn is_scope(n: Node<'_>) -> bool {
    matches!(
        n.k(),
        "function_definition" | "class_definition" | "lambda" | "decorated_definition"
    )
}

/// A type annotation that names `WebSocket` itself (not a list of them, not
/// `WebSocketDisconnect`): `WebSocket`, `fastapi.WebSocket`,
/// `"starlette.websockets.WebSocket"`, `Annotated[WebSocket, ...]`,
/// `Optional[WebSocket]`, `WebSocket | None`.
pub(crate) fn is_websocket_annotation(annotation: &str) -> bool {
    let mut s: String = annotation
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
        .collect();
    for _ in 0..8 {
        if let Some(inner) = s
            .strip_prefix("Annotated[")
            .or_else(|| s.strip_prefix("typing.Annotated["))
            .or_else(|| s.strip_prefix("typing_extensions.Annotated["))
        {
            s = top_level_split(inner.strip_suffix(']').unwrap_or(inner), ',')
                .first()
                .cloned()
                .unwrap_or_default();
            continue;
        }
        if let Some(inner) = s
            .strip_prefix("Optional[")
            .or_else(|| s.strip_prefix("typing.Optional["))
        {
            s = inner.strip_suffix(']').unwrap_or(inner).to_string();
            continue;
        }
        let parts: Vec<String> = top_level_split(&s, '|')
            .into_iter()
            .filter(|p| p != "None")
            .collect();
        if parts.len() == 1 && parts[0] != s {
            s = parts[0].clone();
            continue;
        }
        break;
    }
    s == "WebSocket" || s.ends_with(".WebSocket")
}

fn top_level_split(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            _ => {}
        }
        if c == sep && depth == 0 {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flat_tree_walks_as_the_cursor_does() {
        let src = "import asyncio\n\n@router.websocket(\"/ws\")\nasync def f(ws: WebSocket, org_id: str = Depends(org)):\n    await ws.accept()\n    while True:\n        try:\n            m = await asyncio.wait_for(ws.receive_text(), timeout=20)\n        except asyncio.TimeoutError:\n            await ws.send_json({\"t\": [1, (2, 3)]})\n        x = [i for i in range(3) if i]\n        lambda a: a.org_id == org_id\n\nclass C:\n    def g(self):\n        return self.h(1, *args, **kw)\n";
        let tree = super::super::parse(src).unwrap();
        let root = tree.root_node();
        let flat = Flat::new(root);
        let mut all = Vec::new();
        walk(root, |_| true, |n| all.push(n));
        assert!(all.len() > 50);
        // From the root and from every node, with and without descending
        // into scopes: the same nodes in the same order.
        for &start in &all {
            for scopes in [true, false] {
                let descend = |n: Node<'_>| scopes || !is_scope(n);
                let (mut a, mut b) = (Vec::new(), Vec::new());
                walk(start, descend, |n| a.push(n.id()));
                flat.walk(start, descend, |n| b.push(n.id()));
                assert_eq!(a, b, "{}", start.k());
            }
            let mut c = start.walk();
            let named: Vec<usize> = start.named_children(&mut c).map(|n| n.id()).collect();
            let ours: Vec<usize> = flat.children(start).map(|n| n.id()).collect();
            assert_eq!(named, ours, "{}", start.k());
        }
    }

    #[test]
    fn websocket_annotations() {
        for yes in [
            "WebSocket",
            "fastapi.WebSocket",
            "\"starlette.websockets.WebSocket\"",
            "Annotated[WebSocket, Depends(x)]",
            "Optional[WebSocket]",
            "WebSocket | None",
        ] {
            assert!(is_websocket_annotation(yes), "{yes}");
        }
        for no in [
            "list[WebSocket]",
            "WebSocketDisconnect",
            "WebSocketState",
            "dict[str, WebSocket]",
            "str",
        ] {
            assert!(!is_websocket_annotation(no), "{no}");
        }
    }
}
