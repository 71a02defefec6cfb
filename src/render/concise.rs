use super::{RenderOptions, path_text, summary};
use crate::Report;

pub fn render(report: &Report, opts: RenderOptions) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let at = d.start();
        out.push_str(&format!(
            "{}:{}:{}: {} {}\n",
            path_text(&d.file.path),
            at.line,
            at.column,
            d.code,
            d.message
        ));
    }
    if !opts.quiet {
        out.push_str(&summary(report));
        out.push('\n');
    }
    out
}
