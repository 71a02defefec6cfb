//! Node kinds without the cost of [`tree_sitter::Node::kind`]: that call
//! looks the name up in the grammar, measures it (`strlen`) and checks it
//! is UTF-8 every time, about an eighth of a Python model's time on
//! websocket-heavy code (BENCHMARKS.md). Here each grammar's names are
//! read once into a table indexed by the node's kind id.

use std::sync::LazyLock;

use tree_sitter::{Language, Node};

struct Table {
    count: usize,
    names: Vec<&'static str>,
    /// Field ids by name: `child_by_field_name` compares the name with
    /// every field name of the grammar on each call.
    fields: std::collections::HashMap<&'static str, u16>,
}

impl Table {
    fn new(language: Language) -> Table {
        let count = language.node_kind_count();
        let names = (0..count)
            .map(|id| {
                let name = u16::try_from(id)
                    .ok()
                    .and_then(|id| language.node_kind_for_id(id))
                    .unwrap_or("");
                // A few hundred short names per grammar, once per process.
                &*Box::leak(name.to_string().into_boxed_str())
            })
            .collect();
        let fields = (1..=language.field_count())
            .filter_map(|id| {
                let id = u16::try_from(id).ok()?;
                let name = language.field_name_for_id(id)?;
                Some((&*Box::leak(name.to_string().into_boxed_str()), id))
            })
            .collect();
        Table {
            count,
            names,
            fields,
        }
    }
}

static TABLES: LazyLock<[Table; 3]> = LazyLock::new(|| {
    [
        Table::new(tree_sitter_python::LANGUAGE.into()),
        Table::new(tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()),
        Table::new(tree_sitter_typescript::LANGUAGE_TSX.into()),
    ]
});

/// [`Node::kind`], through a table.
pub trait Kind<'t>: Sized {
    fn k(&self) -> &'t str;
    /// [`Node::child_by_field_name`], with the field's id from a table.
    fn field(&self, name: &str) -> Option<Self>;
}

impl<'t> Kind<'t> for Node<'t> {
    #[inline]
    fn k(&self) -> &'t str {
        let count = self.language().node_kind_count();
        let id = usize::from(self.kind_id());
        for t in TABLES.iter() {
            if t.count == count
                && let Some(name) = t.names.get(id)
            {
                return name;
            }
        }
        self.kind()
    }

    #[inline]
    fn field(&self, name: &str) -> Option<Self> {
        let count = self.language().node_kind_count();
        for t in TABLES.iter() {
            if t.count == count {
                return t
                    .fields
                    .get(name)
                    .and_then(|&id| self.child_by_field_id(id));
            }
        }
        self.child_by_field_name(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_gives_the_names_tree_sitter_gives() {
        for (text, lang) in [
            (
                "import a\nasync def f(ws):\n    await ws.receive_text()\n",
                0,
            ),
            ("const ws = new WebSocket(u); ws.onclose = (e) => {};\n", 1),
            ("const A = () => <div a={1}>{x}</div>;\n", 2),
        ] {
            let mut parser = tree_sitter::Parser::new();
            let language: Language = match lang {
                0 => tree_sitter_python::LANGUAGE.into(),
                1 => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
                _ => tree_sitter_typescript::LANGUAGE_TSX.into(),
            };
            parser.set_language(&language).unwrap();
            let tree = parser.parse(text, None).unwrap();
            let mut cursor = tree.walk();
            let mut seen = 0;
            loop {
                let n = cursor.node();
                assert_eq!(n.k(), n.kind());
                for f in [
                    "name",
                    "body",
                    "function",
                    "arguments",
                    "left",
                    "right",
                    "value",
                ] {
                    assert_eq!(n.field(f), n.child_by_field_name(f));
                }
                seen += 1;
                if cursor.goto_first_child() || cursor.goto_next_sibling() {
                    continue;
                }
                let mut done = true;
                while cursor.goto_parent() {
                    if cursor.goto_next_sibling() {
                        done = false;
                        break;
                    }
                }
                if done {
                    break;
                }
            }
            assert!(seen > 10);
        }
        // The three grammars are told apart by their number of kinds.
        let counts: Vec<usize> = TABLES.iter().map(|t| t.count).collect();
        assert!(counts[0] != counts[1] && counts[1] != counts[2] && counts[0] != counts[2]);
    }
}
