//! Single-file components: the `<script>` blocks of Vue (`.vue`) and Svelte
//! (`.svelte`) files, read as one TypeScript/JavaScript module.
//!
//! A component's scripts are found as the frameworks' own compilers find
//! them ([`markup`]): the `<script>` elements at the root of the file (Vue:
//! `<script>` and `<script setup>`; Svelte: the instance `<script>` and the
//! module one, `<script module>` or `<script context="module">`), not a
//! `<script>` nested in the markup (`<svelte:head>`, `{#if}`), with the
//! content of each running to the first `</script` (as it does for both
//! compilers and for browsers, so a `</script>` inside a string ends the
//! block there too).
//!
//! The client front end (`lang::ts`) then parses the **view** of the file:
//! the same bytes with everything that is not script content replaced by
//! spaces (line breaks kept). Every byte offset, line and column of the view
//! is the file's own, so the model, its spans, diagnostics, labels and
//! snippets point into the `.vue`/`.svelte` file as written, multi-byte
//! markup before a script included, with no mapping back (Svelte's own
//! compiler parses its scripts the same way: svelte 5.28.2
//! `src/compiler/phases/1-parse/read/script.js` blanks everything before
//! the script but its line breaks). Only the blocks are lexed
//! ([`Component::parse_ranges`], tree-sitter's included ranges), so markup
//! costs nothing to parse. Templates and styles are not parsed.

pub mod markup;

use std::ops::Range;

use crate::lang::Lang;

/// The framework a component file is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framework {
    Vue,
    Svelte,
}

impl Framework {
    pub fn name(self) -> &'static str {
        match self {
            Framework::Vue => "Vue",
            Framework::Svelte => "Svelte",
        }
    }

    pub fn of(lang: Lang) -> Option<Framework> {
        match lang {
            Lang::Vue => Some(Framework::Vue),
            Lang::Svelte => Some(Framework::Svelte),
            _ => None,
        }
    }
}

/// What a block's `lang` attribute says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptLang {
    /// No `lang`, `js`, `javascript`, `jsx`.
    JavaScript,
    /// `ts`, `typescript`.
    TypeScript,
    /// `tsx`.
    Tsx,
}

/// One `<script>` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Its content: from after the opening tag to `</script` (or the end of
    /// the file when nothing closes it).
    pub content: Range<usize>,
    pub lang: ScriptLang,
    /// Its top level runs once per component instance (Vue's `<script
    /// setup>`, Svelte's instance script), not once per page (Vue's plain
    /// `<script>`, Svelte's module script).
    pub instance: bool,
    /// No `</script` closes it.
    pub unterminated: bool,
}

/// The script blocks of a component, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Component {
    pub blocks: Vec<Block>,
    /// HTML comments of the markup that mention `wslint-ignore`
    /// (`<!-- wslint-ignore-file WS101: reason -->`), for suppressions.
    pub suppression_comments: Vec<Range<usize>>,
    /// A root `<script` tag that never ends (no `>`): its block, and
    /// whatever follows, cannot be read.
    pub unterminated_tag: Option<usize>,
}

impl Component {
    /// The scripts of the component file `text`.
    pub fn read(text: &str, framework: Framework) -> Component {
        markup::scan(text.as_bytes(), framework)
    }

    /// The grammar the view is parsed with: TSX when a block is `tsx`,
    /// else TypeScript when a block is TypeScript (JavaScript is read as
    /// TypeScript beside it), else TSX, which reads JavaScript and JSX as
    /// `.js` files are read.
    pub fn grammar(&self) -> Lang {
        let has = |l: ScriptLang| self.blocks.iter().any(|b| b.lang == l);
        if !has(ScriptLang::Tsx) && has(ScriptLang::TypeScript) {
            Lang::TypeScript
        } else {
            Lang::Tsx
        }
    }

    /// The byte ranges whose top level runs once per component instance.
    pub fn instance_ranges(&self) -> Vec<Range<usize>> {
        self.blocks
            .iter()
            .filter(|b| b.instance)
            .map(|b| b.content.clone())
            .collect()
    }

    /// The byte ranges of the view the front end parses: each block's
    /// content with the `;` that stands where it closes. Ordered and
    /// disjoint; empty when there is no block.
    pub fn parse_ranges(&self) -> Vec<Range<usize>> {
        self.blocks
            .iter()
            .map(|b| {
                let end = if b.unterminated {
                    b.content.end
                } else {
                    b.content.end + 1
                };
                b.content.start..end
            })
            .collect()
    }

    /// `text` with everything outside the script blocks blanked (spaces,
    /// line breaks kept): the text the front end parses, byte for byte at
    /// the file's offsets. A `;` stands where each block closes, so that two
    /// blocks never run into one statement.
    pub fn view(&self, text: &str) -> String {
        let mut out = blanked(text);
        for b in &self.blocks {
            if let Some(code) = text.get(b.content.clone()) {
                out[b.content.clone()].copy_from_slice(code.as_bytes());
            }
            if !b.unterminated && b.content.end < out.len() {
                out[b.content.end] = b';';
            }
        }
        into_string(out)
    }

    /// [`Component::view`] for the suppression scanner: the markup's HTML
    /// comments that mention `wslint-ignore` are kept, as `/*  ... */`
    /// block comments, so that `<!-- wslint-ignore-file WS101: reason -->`
    /// reads as a suppression comment (the scanner decides what it
    /// suppresses, see `suppress::scan`).
    pub fn suppression_view(&self, text: &str) -> String {
        let mut out = self.view(text).into_bytes();
        for c in &self.suppression_comments {
            let Some(comment) = text.get(c.clone()) else {
                continue;
            };
            let b = comment.as_bytes();
            out[c.clone()].copy_from_slice(b);
            // `<!--` -> `/*  `, `-->` -> ` */`: the same lengths.
            out[c.start..c.start + 4].copy_from_slice(b"/*  ");
            if b.len() >= 7 && b.ends_with(b"-->") {
                out[c.end - 3..c.end].copy_from_slice(b" */");
            }
        }
        into_string(out)
    }
}

/// Spaces for every byte of `text` but line breaks.
fn blanked(text: &str) -> Vec<u8> {
    text.bytes()
        .map(|c| if c == b'\n' || c == b'\r' { c } else { b' ' })
        .collect()
}

/// Only whole ranges of valid text (script contents start after `>` and end
/// before `<`; comments start with `<` and end with `>`) are copied into a
/// buffer of ASCII, so it stays UTF-8; should that ever fail, lossy
/// decoding keeps the run going.
fn into_string(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_keeps_offsets_and_separates_blocks() {
        let text = "<!-- wslint-ignore-file WS102: x -->\n<p>é☃</p><script>a = 1</script><script setup lang=\"ts\">b()</script>\r\n<style>p{}</style>";
        let c = Component::read(text, Framework::Vue);
        let view = c.view(text);
        assert_eq!(view.len(), text.len());
        // Markup is blanked byte for byte, line breaks kept; each block is
        // followed by a `;` where its closing tag starts.
        let a = text.find("a = 1").unwrap();
        let b = text.find("b()").unwrap();
        assert_eq!(&view[a..a + 6], "a = 1;");
        assert_eq!(&view[b..b + 4], "b();");
        assert_eq!(view.matches('\n').count(), text.matches('\n').count());
        assert_eq!(view.matches('\r').count(), 1);
        assert!(view[..a].trim().is_empty());
        assert_eq!(c.parse_ranges(), [a..a + 6, b..b + 4]);
        assert_eq!(c.grammar(), Lang::TypeScript);
        assert_eq!(c.instance_ranges(), vec![b..b + 3]);
        // The suppression view keeps the markup's suppression comments.
        let s = c.suppression_view(text);
        assert!(
            s.starts_with("/*   wslint-ignore-file WS102: x  */\n"),
            "{s}"
        );
    }

    #[test]
    fn grammars() {
        let g = |t: &str| Component::read(t, Framework::Svelte).grammar();
        assert_eq!(g("<script>a</script>"), Lang::Tsx);
        assert_eq!(
            g("<script lang=\"typescript\">a</script>"),
            Lang::TypeScript
        );
        assert_eq!(
            g("<script lang=\"ts\">a</script><script lang=\"tsx\">b</script>"),
            Lang::Tsx
        );
        assert_eq!(g(""), Lang::Tsx);
    }
}
