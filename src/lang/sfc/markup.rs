//! A component file's markup, read only as far as finding its root-level
//! `<script>` blocks needs: tags and their nesting, attributes (quoted
//! values, Svelte's `{...}` expressions), comments, raw-text elements, and
//! Svelte's `{#block}`/`{/block}` and `{expression}` tags.
//!
//! What the compilers do, and what is done here:
//!
//! - Vue (`@vue/compiler-sfc`): the root of the file holds blocks; only
//!   `<template>` is markup (unless it has a `lang`, such as pug), every
//!   other root element (`<script>`, `<style>`, custom blocks such as
//!   `<i18n>`) is raw text up to its closing tag. A `<script>` inside the
//!   template is no block.
//! - Svelte: a `<script>` is a component script when it is at the root of
//!   the markup, outside every element and `{#...}` block; nested ones
//!   (`<svelte:head><script type="application/ld+json">`) are markup.
//! - A script's content ends at the first `</script` followed by a space,
//!   `/` or `>`, whatever the script holds (a `</script>` in a string ends
//!   it, for both compilers and for browsers).
//!
//! Sources: `@vue/compiler-sfc` 3.5.13 `dist/compiler-sfc.cjs.js`, `parse`
//! (the blocks are `ast.children` of the root; one `<script>` and one
//! `<script setup>`), and `@vue/compiler-core` 3.5.13
//! `dist/compiler-core.cjs.js`, `stateInRCDATA` / `isEndOfTagSection` (the
//! closing sequence, then `/`, `>` or whitespace); svelte 5.28.2
//! `src/compiler/phases/1-parse/state/element.js`
//! (`is_top_level_script_or_style`: `script` whose parent is the `Root`)
//! and `read/script.js` (`regex_closing_script_tag`, `/<\/script\s*>/`;
//! the `module` attribute or `context="module"`).
//!
//! Nothing recurses: elements and expressions nest on heap stacks, and a
//! closing tag with no open element of its name is ignored, so nesting of
//! any depth costs linear time and no stack. Unterminated constructs run to
//! the end of the file.

use std::collections::HashMap;

use super::{Block, Component, Framework, ScriptLang};

/// Elements that never have content.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

struct Scanner<'a> {
    b: &'a [u8],
    fw: Framework,
    i: usize,
    /// The open elements, by the range of their name.
    open: Vec<(usize, usize)>,
    /// How many elements of each (lowercase) name are open.
    counts: HashMap<Vec<u8>, u32>,
    /// Open Svelte `{#...}` blocks.
    blocks_open: usize,
    out: Component,
}

/// An attribute: its name and its value (without quotes), as byte ranges.
struct Attr {
    name: (usize, usize),
    value: Option<(usize, usize)>,
}

pub fn scan(b: &[u8], fw: Framework) -> Component {
    let mut s = Scanner {
        b,
        fw,
        i: 0,
        open: Vec::new(),
        counts: HashMap::new(),
        blocks_open: 0,
        out: Component::default(),
    };
    s.run();
    s.out
}

impl Scanner<'_> {
    fn at_root(&self) -> bool {
        self.open.is_empty() && self.blocks_open == 0
    }

    fn starts(&self, at: usize, s: &[u8]) -> bool {
        self.b.get(at..at + s.len()).is_some_and(|x| x == s)
    }

    fn run(&mut self) {
        while self.i < self.b.len() {
            let rest = &self.b[self.i..];
            let next = match self.fw {
                Framework::Svelte => memchr::memchr2(b'<', b'{', rest),
                // `{{ }}` interpolations matter only inside the template.
                Framework::Vue if !self.open.is_empty() => memchr::memchr2(b'<', b'{', rest),
                Framework::Vue => memchr::memchr(b'<', rest),
            };
            let Some(off) = next else {
                return;
            };
            self.i += off;
            if self.b[self.i] == b'{' {
                self.brace();
            } else {
                self.tag();
            }
        }
    }

    /// `{` in markup: Svelte's `{expression}`, `{#block}`, `{/block}`;
    /// Vue's `{{ interpolation }}`.
    fn brace(&mut self) {
        let at = self.i;
        match self.fw {
            Framework::Vue => {
                if self.starts(at, b"{{") {
                    self.i = find(self.b, at + 2, b"}}").map_or(self.b.len(), |p| p + 2);
                } else {
                    self.i += 1;
                }
            }
            Framework::Svelte => {
                match self.b.get(at + 1) {
                    Some(b'#') => self.blocks_open += 1,
                    Some(b'/') => self.blocks_open = self.blocks_open.saturating_sub(1),
                    _ => {}
                }
                self.i = skip_expression(self.b, at);
            }
        }
    }

    fn tag(&mut self) {
        let at = self.i;
        if self.starts(at, b"<!--") {
            let end = find(self.b, at + 4, b"-->").map_or(self.b.len(), |p| p + 3);
            if memchr::memmem::find(&self.b[at..end], b"wslint-ignore").is_some() {
                self.out.suppression_comments.push(at..end);
            }
            self.i = end;
            return;
        }
        match self.b.get(at + 1) {
            Some(b'!' | b'?') => {
                self.i = memchr::memchr(b'>', &self.b[at..]).map_or(self.b.len(), |p| at + p + 1);
            }
            Some(b'/') => self.close_tag(),
            Some(c) if c.is_ascii_alphabetic() => self.open_tag(),
            _ => self.i += 1,
        }
    }

    fn name_end(&self, from: usize) -> usize {
        let mut j = from;
        while j < self.b.len() {
            let c = self.b[j];
            if c.is_ascii_whitespace()
                || c == b'/'
                || c == b'>'
                || (c == b'{' && self.fw == Framework::Svelte)
            {
                break;
            }
            j += 1;
        }
        j
    }

    fn close_tag(&mut self) {
        let start = self.i + 2;
        let end = self.name_end(start);
        self.i = memchr::memchr(b'>', &self.b[end..]).map_or(self.b.len(), |p| end + p + 1);
        let key = self.b[start..end].to_ascii_lowercase();
        if self.counts.get(&key).copied().unwrap_or(0) == 0 {
            // Nothing of that name is open: a stray closing tag.
            return;
        }
        // Close it and whatever was left open inside it.
        while let Some((s, e)) = self.open.pop() {
            let k = self.b[s..e].to_ascii_lowercase();
            if let Some(n) = self.counts.get_mut(&k) {
                *n -= 1;
            }
            if k == key {
                break;
            }
        }
    }

    fn open_tag(&mut self) {
        let name_start = self.i + 1;
        let name_end = self.name_end(name_start);
        let name = self.b[name_start..name_end].to_ascii_lowercase();
        let root = self.at_root();
        let wanted = root && (name == b"script" || name == b"template");
        let Some((attrs, self_closing)) = self.attributes(name_end, wanted) else {
            // The tag never ends: nothing after it is markup.
            if root && name == b"script" {
                self.out.unterminated_tag = Some(self.i);
            }
            self.i = self.b.len();
            return;
        };
        let content_start = self.i;
        if self_closing {
            return;
        }
        if name == b"script" {
            let close = find_close(self.b, content_start, b"script");
            let content_end = close.unwrap_or(self.b.len());
            if root && let Some((lang, instance)) = self.script_kind(&attrs) {
                self.out.blocks.push(Block {
                    content: content_start..content_end,
                    lang,
                    instance,
                    unterminated: close.is_none(),
                });
            }
            self.i = close.map_or(self.b.len(), |p| self.after_close(p));
            return;
        }
        let raw = name == b"style"
            || name == b"textarea"
            || name == b"title"
            || (self.fw == Framework::Vue
                && root
                && (name != b"template"
                    || self.attr(&attrs, b"lang").is_some_and(|l| l != b"html")));
        if raw {
            let close = find_close(self.b, content_start, &name);
            self.i = close.map_or(self.b.len(), |p| self.after_close(p));
            return;
        }
        if VOID.iter().any(|v| v.as_bytes() == name.as_slice()) {
            return;
        }
        *self.counts.entry(name).or_insert(0) += 1;
        self.open.push((name_start, name_end));
    }

    /// Past the closing tag starting at `p`.
    fn after_close(&self, p: usize) -> usize {
        memchr::memchr(b'>', &self.b[p..]).map_or(self.b.len(), |q| p + q + 1)
    }

    /// Reads the attributes from `from` to the tag's end; leaves `self.i`
    /// after the `>`. `None` when the tag never ends.
    fn attributes(&mut self, from: usize, collect: bool) -> Option<(Vec<Attr>, bool)> {
        let b = self.b;
        let mut attrs = Vec::new();
        let mut j = from;
        loop {
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let c = *b.get(j)?;
            match c {
                b'>' => {
                    self.i = j + 1;
                    return Some((attrs, false));
                }
                b'/' if b.get(j + 1) == Some(&b'>') => {
                    self.i = j + 2;
                    return Some((attrs, true));
                }
                b'/' => j += 1,
                b'{' if self.fw == Framework::Svelte => j = skip_expression(b, j),
                _ => {
                    let ns = j;
                    while j < b.len()
                        && !b[j].is_ascii_whitespace()
                        && !matches!(b[j], b'=' | b'>' | b'/')
                    {
                        j += 1;
                    }
                    let name = (ns, j);
                    while j < b.len() && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    let mut value = None;
                    if b.get(j) == Some(&b'=') {
                        j += 1;
                        while j < b.len() && b[j].is_ascii_whitespace() {
                            j += 1;
                        }
                        let (v, end) = self.value(j)?;
                        value = Some(v);
                        j = end;
                    }
                    if collect {
                        attrs.push(Attr { name, value });
                    }
                }
            }
        }
    }

    /// An attribute value at `j`: its range without quotes, and where it ends.
    fn value(&self, j: usize) -> Option<((usize, usize), usize)> {
        let b = self.b;
        let q = *b.get(j)?;
        if q == b'"' || q == b'\'' {
            let mut k = j + 1;
            while k < b.len() && b[k] != q {
                if b[k] == b'{' && self.fw == Framework::Svelte {
                    k = skip_expression(b, k);
                } else {
                    k += 1;
                }
            }
            if k >= b.len() {
                return None;
            }
            return Some(((j + 1, k), k + 1));
        }
        if q == b'{' && self.fw == Framework::Svelte {
            let end = skip_expression(b, j);
            return Some(((j, end), end));
        }
        let mut k = j;
        while k < b.len() && !b[k].is_ascii_whitespace() && b[k] != b'>' {
            k += 1;
        }
        Some(((j, k), k))
    }

    fn attr(&self, attrs: &[Attr], name: &[u8]) -> Option<Vec<u8>> {
        attrs
            .iter()
            .find(|a| self.b[a.name.0..a.name.1].eq_ignore_ascii_case(name))
            .map(|a| {
                a.value
                    .map(|(s, e)| self.b[s..e].trim_ascii().to_ascii_lowercase())
                    .unwrap_or_default()
            })
    }

    /// What a root `<script>` is: its language and whether its top level
    /// runs per instance; `None` for a script that is not the component's
    /// JavaScript or TypeScript (`src=`, a JSON or template `type`, a
    /// CoffeeScript `lang`).
    fn script_kind(&self, attrs: &[Attr]) -> Option<(ScriptLang, bool)> {
        if self.attr(attrs, b"src").is_some() {
            return None;
        }
        if let Some(t) = self.attr(attrs, b"type")
            && !(t.is_empty() || t == b"module" || memchr::memmem::find(&t, b"script").is_some())
        {
            return None;
        }
        let lang = match self.attr(attrs, b"lang").as_deref() {
            None | Some(b"" | b"js" | b"javascript" | b"jsx") => ScriptLang::JavaScript,
            Some(b"ts" | b"typescript") => ScriptLang::TypeScript,
            Some(b"tsx") => ScriptLang::Tsx,
            Some(_) => return None,
        };
        let instance = match self.fw {
            Framework::Vue => self.attr(attrs, b"setup").is_some(),
            Framework::Svelte => {
                self.attr(attrs, b"module").is_none()
                    && self.attr(attrs, b"context").as_deref() != Some(b"module")
            }
        };
        Some((lang, instance))
    }
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(b.get(from..)?, needle).map(|p| from + p)
}

/// Where `</name` closes a raw-text element whose content starts at `from`:
/// `</name` (any case) followed by a space, `/`, `>` or the end.
fn find_close(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut k = from;
    while let Some(p) = find(b, k, b"</") {
        let n = p + 2;
        if b.get(n..n + name.len())
            .is_some_and(|x| x.eq_ignore_ascii_case(name))
            && b.get(n + name.len())
                .is_none_or(|c| c.is_ascii_whitespace() || *c == b'/' || *c == b'>')
        {
            return Some(p);
        }
        k = n;
    }
    None
}

/// Past the Svelte expression `{...}` starting at `at`: braces counted,
/// strings, template literals (with their `${}`) and comments skipped. An
/// unterminated one runs to the end.
fn skip_expression(b: &[u8], at: usize) -> usize {
    enum Mode {
        Brace,
        Template,
    }
    let mut stack = vec![Mode::Brace];
    let mut i = at + 1;
    while i < b.len() {
        let Some(top) = stack.last() else {
            return i;
        };
        let c = b[i];
        match top {
            Mode::Brace => match c {
                b'{' => stack.push(Mode::Brace),
                b'}' => {
                    stack.pop();
                }
                b'`' => stack.push(Mode::Template),
                b'"' | b'\'' => {
                    i += 1;
                    while i < b.len() && b[i] != c && b[i] != b'\n' {
                        if b[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                }
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p);
                    continue;
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    i = find(b, i + 2, b"*/").map_or(b.len(), |p| p + 2);
                    continue;
                }
                _ => {}
            },
            Mode::Template => match c {
                b'\\' => i += 1,
                b'`' => {
                    stack.pop();
                }
                b'$' if b.get(i + 1) == Some(&b'{') => {
                    stack.push(Mode::Brace);
                    i += 1;
                }
                _ => {}
            },
        }
        i += 1;
    }
    if stack.is_empty() { i } else { b.len() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scripts(text: &str, fw: Framework) -> Vec<(String, ScriptLang, bool, bool)> {
        scan(text.as_bytes(), fw)
            .blocks
            .iter()
            .map(|b| {
                (
                    text[b.content.clone()].to_string(),
                    b.lang,
                    b.instance,
                    b.unterminated,
                )
            })
            .collect()
    }

    use ScriptLang::*;

    #[test]
    fn vue_blocks_at_the_root() {
        let text = "<template>\n  <div :a=\"x > 1\" @click='go(\"</script>\")'>{{ a<b }}\n    <script>nested()</script>\n  </div>\n</template>\n<script lang=\"ts\">\nexport default {}\n</script>\n<script setup lang='ts'>\nconst a = 1\n</SCRIPT >\n<i18n>{ \"<script>\": 1 }</i18n>\n<style>a::after { content: \"<script>\" }</style>\n";
        assert_eq!(
            scripts(text, Framework::Vue),
            [
                ("\nexport default {}\n".into(), TypeScript, false, false),
                ("\nconst a = 1\n".into(), TypeScript, true, false),
            ]
        );
    }

    #[test]
    fn svelte_instance_and_module_scripts() {
        let text = "<script context=\"module\">export const prerender = true;</script>\n<script module>let a;</script>\n<script lang=\"ts\" generic=\"T extends Record<string, unknown>\">let b: T;</script>\n<svelte:head><script type=\"application/ld+json\">{}</script><script>inHead()</script></svelte:head>\n{#if x}<script>inBlock()</script>{/if}\n<p class=\"a {b ? '}' : `${c}`}\" on:click={() => a > b}>{'<script>'}</p>\n<script>last()</script>";
        assert_eq!(
            scripts(text, Framework::Svelte),
            [
                (
                    "export const prerender = true;".into(),
                    JavaScript,
                    false,
                    false
                ),
                ("let a;".into(), JavaScript, false, false),
                ("let b: T;".into(), TypeScript, true, false),
                ("last()".into(), JavaScript, true, false),
            ]
        );
    }

    #[test]
    fn what_is_not_a_component_script() {
        let vue = "<script src=\"./a.ts\"></script><script lang=\"coffee\">x = 1</script><script type=\"text/x-template\"><div/></script>";
        assert!(scripts(vue, Framework::Vue).is_empty());
        // A template in another language is not markup.
        let pug =
            "<template lang=\"pug\">\ndiv\n  script a()\n</template>\n<script setup>b()</script>";
        assert_eq!(scripts(pug, Framework::Vue).len(), 1);
    }

    #[test]
    fn broken_markup_ends_without_a_block_or_at_the_end() {
        assert!(scripts("<template><div></template><script", Framework::Vue).is_empty());
        assert_eq!(
            scan(b"<p></p>\n<script lang=\"ts\"", Framework::Svelte).unterminated_tag,
            Some(8)
        );
        assert_eq!(
            scripts("<script setup>\nconst a = 1", Framework::Vue),
            [("\nconst a = 1".into(), JavaScript, true, true)]
        );
        // Stray closing tags and unclosed elements: the root is found again.
        assert_eq!(
            scripts(
                "</div></p><ul><li>a<li>b</ul><script>x()</script>",
                Framework::Svelte
            )
            .len(),
            1
        );
        assert!(scripts("<div>{unterminated <script>x()</script>", Framework::Svelte).is_empty());
        assert!(scripts("<", Framework::Vue).is_empty());
        assert!(scripts("<!--", Framework::Vue).is_empty());
        assert!(scripts("<script x='", Framework::Vue).is_empty());
    }

    #[test]
    fn deep_nesting_is_linear() {
        let n = 100_000;
        let text = format!(
            "{}{}<script>deep()</script>{}<script>root()</script>",
            "<div>".repeat(n),
            "{#if a}".repeat(n),
            "{/if}</div>".repeat(n)
        );
        let s = scripts(&text, Framework::Svelte);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].0, "root()");
        let stray = format!("{}<script>ok()</script>", "</span>".repeat(n));
        assert_eq!(scripts(&stray, Framework::Vue).len(), 1);
        let expr = format!("<p>{}</p><script>ok()</script>", "{`${".repeat(n));
        assert!(scripts(&expr, Framework::Svelte).is_empty());
    }

    #[test]
    fn suppression_comments() {
        let c = scan(
            b"<!-- wslint-ignore-file WS102: demo -->\n<!-- b -->\n<template><!-- wslint-ignore WS101 --></template>",
            Framework::Vue,
        );
        assert_eq!(c.suppression_comments, [0..39, 61..89]);
    }
}
