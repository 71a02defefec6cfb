//! `--diff`: what the fixes would change, as a unified diff per file
//! (three lines of context, as `git diff` and `ruff --diff` print).

use crate::fix::engine::Changed;
use crate::render::path_text;

/// The unified diff of every changed file, in path order.
pub fn unified(changed: &[Changed]) -> String {
    let mut out = String::new();
    for c in changed {
        let path = path_text(&c.path);
        let diff = similar::TextDiff::from_lines(&*c.before, &*c.after);
        let text = diff
            .unified_diff()
            .context_radius(3)
            .missing_newline_hint(true)
            .header(&format!("a/{path}"), &format!("b/{path}"))
            .to_string();
        out.push_str(&text);
    }
    out
}
