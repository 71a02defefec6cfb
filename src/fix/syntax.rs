//! Whether a fix left a file parsing worse than before: the file's own
//! parser (tree-sitter for TypeScript/JavaScript and Python, wslint's for
//! each proxy product) counts its syntax errors before and after.

use std::path::Path;
use std::sync::Arc;

use crate::lang::{self, Lang};
use crate::source::SourceFile;

/// Error nodes counted at most (a broken file has enough).
const MAX_COUNTED: usize = 10_000;

/// How many syntax errors `lang`'s parser finds in `text`.
pub fn errors(path: &Path, lang: Lang, text: &str) -> usize {
    let tree = match lang {
        // A component's parse is its `<script>` blocks'.
        Lang::TypeScript | Lang::Tsx | Lang::Vue | Lang::Svelte => lang::ts::parse(text, lang),
        Lang::Python => lang::python::parse(text),
        _ => {
            let source = Arc::new(SourceFile::new(path.to_path_buf(), text));
            return crate::phase::proxy::parse(lang, source).map_or(0, |f| f.syntax_errors());
        }
    };
    let Some(tree) = tree else {
        return MAX_COUNTED;
    };
    if !tree.root_node().has_error() {
        return 0;
    }
    let mut cursor = tree.walk();
    let mut count = 0;
    'walk: loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            count += 1;
            if count >= MAX_COUNTED {
                break;
            }
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    count
}

/// Whether `after` parses worse than `before` as the file at `path`.
pub fn worse(path: &Path, before: &str, after: &str) -> bool {
    let Some(lang) = lang::of_file(path, before).or_else(|| lang::of_file(path, after)) else {
        return false;
    };
    errors(path, lang, after) > errors(path, lang, before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_parser_counts_its_errors() {
        let p = Path::new;
        assert!(worse(p("a.ts"), "const a = 1;\n", "const a = (1;\n"));
        assert!(!worse(p("a.ts"), "const a = 1;\n", "const a = 20_000;\n"));
        assert!(worse(p("a.py"), "x = 1\n", "x = (1\n"));
        assert!(worse(
            p("site.conf"),
            "<VirtualHost *:80>\nTimeout 5\n</VirtualHost>\n",
            "<VirtualHost *:80>\nTimeout 5\n"
        ));
        assert!(worse(
            p("nginx.conf"),
            "http {\n  server {\n    proxy_read_timeout 5s;\n  }\n}\n",
            "http {\n  server {\n    proxy_read_timeout 5s;\n  \n}\n"
        ));
    }
}
