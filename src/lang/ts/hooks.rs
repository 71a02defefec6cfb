//! Framework hooks that run a function later: React's effects, and the
//! Vue and Svelte lifecycle hooks that play their roles (in components and
//! in the composables and stores of `.ts`/`.js` modules alike).
//!
//! | role | React | Vue | Svelte |
//! |---|---|---|---|
//! | runs when the component mounts | `useEffect`, `useLayoutEffect` | `onMounted`, `onBeforeMount` | `onMount`; `$effect`, `$effect.pre` |
//! | runs again when what it reads changes | (its dependency array) | `watchEffect`, `watchPostEffect`, `watchSyncEffect`; `watch(source, callback)` | `$effect`, `$effect.pre` |
//! | cleanup | the function the effect returns | `onBeforeUnmount`, `onUnmounted`, `onScopeDispose`, `onWatcherCleanup`, `watchEffect`'s `onCleanup`; options `beforeUnmount()`, `unmounted()`, Vue 2's `beforeDestroy()`, `destroyed()` | `onDestroy`; the function `onMount` or `$effect` returns |
//!
//! Vue's `onMounted` ignores what its callback returns (`@vue/runtime-core`
//! 3.5.13, `dist/runtime-core.cjs.js`: `injectHook` wraps the hook, and the
//! mount queue and `invokeArrayFns` drop its result), and `watchEffect`
//! hands its cleanup to an `onCleanup` parameter; Svelte's `onMount` and
//! `$effect` run the function theirs return (svelte 5.28.2,
//! `src/index-client.js`: `onMount` returns the callback's cleanup to
//! `user_effect`, and `onDestroy(fn)` is `onMount(() => () => fn())`).

use crate::lang::kind::Kind;
use tree_sitter::Node;

use super::index::{Index, NodeExt, unwrap};

/// What kind of effect a call registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffectKind {
    /// `useEffect`/`useLayoutEffect`: runs again when its dependency array
    /// changes.
    React,
    /// Runs once when the component mounts (`onMounted`, `onMount`).
    Mount,
    /// Tracks what it reads and runs again when that changes
    /// (`watchEffect`, `$effect`) or when its source does (`watch`).
    Tracked,
}

/// The name of a call's callee as hooks are told apart: the identifier
/// (`onMounted`), the property of a member call (`React.useEffect`), and
/// `$effect.pre` whole.
pub fn callee<'t>(ix: &Index<'t>, call: Node<'t>) -> Option<&'t str> {
    let f = unwrap(call.f("function")?);
    match f.k() {
        "identifier" => Some(ix.text(f)),
        "member_expression" => {
            let object = f.f("object").map(|o| ix.text(o));
            if object == Some("$effect") {
                return Some(ix.text(f));
            }
            f.f("property").map(|p| ix.text(p))
        }
        _ => None,
    }
}

/// The effect `name` registers, and the index of its callback argument.
pub fn effect(name: &str) -> Option<(EffectKind, u32)> {
    Some(match name {
        "useEffect" | "useLayoutEffect" => (EffectKind::React, 0),
        "onMounted" | "onBeforeMount" | "onMount" => (EffectKind::Mount, 0),
        "watchEffect" | "watchPostEffect" | "watchSyncEffect" | "$effect" | "$effect.pre" => {
            (EffectKind::Tracked, 0)
        }
        "watch" => (EffectKind::Tracked, 1),
        _ => return None,
    })
}

/// Whether the callback of `name` returns its cleanup.
pub fn returns_cleanup(name: &str) -> bool {
    matches!(
        name,
        "useEffect" | "useLayoutEffect" | "onMount" | "$effect" | "$effect.pre"
    )
}

/// Whether `name` registers a function that runs when the component (or
/// the effect scope, or the watcher's run) goes away: also Vue's
/// `onWatcherCleanup` and the `onCleanup` a `watchEffect` callback is
/// handed (so named by Vue's documentation).
pub fn is_teardown_call(name: &str) -> bool {
    matches!(
        name,
        "onBeforeUnmount"
            | "onUnmounted"
            | "onScopeDispose"
            | "onDestroy"
            | "onWatcherCleanup"
            | "onCleanup"
    )
}

/// Whether a method of that name is a component's teardown: Vue's options
/// (`beforeUnmount`, `unmounted`, Vue 2's `beforeDestroy`, `destroyed`,
/// also in class components), React's `componentWillUnmount`, Angular's
/// `ngOnDestroy`, custom elements' `disconnectedCallback`.
pub fn is_teardown_method(name: &str) -> bool {
    matches!(
        name,
        "beforeUnmount"
            | "unmounted"
            | "beforeDestroy"
            | "destroyed"
            | "componentWillUnmount"
            | "ngOnDestroy"
            | "disconnectedCallback"
    )
}

/// Whether calling `name` keeps the function it is given for later (a hook)
/// rather than running it on the spot.
pub fn registers(name: &str) -> bool {
    effect(name).is_some()
        || is_teardown_call(name)
        || matches!(name, "useCallback" | "useMemo" | "useState" | "useRef")
}

/// Vue's and Svelte's hooks are called by their own name (`onMounted(...)`,
/// `$effect.pre(...)`); a method of that name on some object
/// (`fs.watch(...)`, `this.onDestroy(...)`) is not one. React's are
/// called on its namespace too (`React.useEffect`).
fn hook_callee<'t>(ix: &Index<'t>, call: Node<'t>) -> Option<&'t str> {
    let name = callee(ix, call)?;
    let member = call
        .f("function")
        .is_some_and(|f| unwrap(f).k() == "member_expression");
    (!member || name.starts_with("use") || name == "$effect.pre").then_some(name)
}

/// The effect a call registers: its hook's name and kind, and its callback.
pub fn effect_call<'t>(
    ix: &Index<'t>,
    call: Node<'t>,
    in_fn: Option<super::index::FnId>,
) -> Option<(&'t str, EffectKind, super::index::FnId)> {
    let name = hook_callee(ix, call)?;
    let (kind, arg) = effect(name)?;
    let args = call.f("arguments")?;
    let cb = ix.resolve_fn_ref(args.named_child(arg)?, in_fn)?;
    Some((name, kind, cb))
}

/// The function a teardown hook call registers (`onBeforeUnmount(stop)`).
pub fn teardown_call<'t>(
    ix: &Index<'t>,
    call: Node<'t>,
    in_fn: Option<super::index::FnId>,
) -> Option<super::index::FnId> {
    if !is_teardown_call(hook_callee(ix, call)?) {
        return None;
    }
    ix.resolve_fn_ref(call.f("arguments")?.named_child(0)?, in_fn)
}

/// The name of a function written as a method of an object literal
/// (`beforeUnmount() { ... }`, `destroyed: function () { ... }`), as Vue's
/// options API declares lifecycle hooks.
pub fn object_method_name<'t>(ix: &Index<'t>, f: Node<'t>) -> Option<&'t str> {
    let parent = f.parent()?;
    match (f.k(), parent.k()) {
        ("method_definition", "object") => f.f("name").map(|n| ix.text(n)),
        (_, "pair") if parent.f("value").is_some_and(|v| v.id() == f.id()) => {
            parent.f("key").map(|k| ix.text(k))
        }
        _ => None,
    }
}

/// The props type of Vue's `defineProps<T>()` (also inside
/// `withDefaults(defineProps<T>(), { ... })`), for the members
/// `props.token` reads: a required member typed without null is there.
pub fn vue_props_type<'t>(ix: &Index<'t>, value: Node<'t>) -> Option<Node<'t>> {
    let call = unwrap(value);
    if call.k() != "call_expression" {
        return None;
    }
    match callee(ix, call)? {
        "defineProps" => call.f("type_arguments")?.named_child(0),
        "withDefaults" => vue_props_type(ix, call.f("arguments")?.named_child(0)?),
        _ => None,
    }
}

/// The method `this.name` calls from a method of an object literal: a
/// function of that object (`{ connect() {...}, retry() { this.connect()
/// } }`, `this` being the object the method is called on), or, in a Vue
/// options object, one of its `methods` from any of its hooks or methods
/// (Vue binds `this` to the component, which holds them all). `at` is the
/// `this.name` expression; arrow functions on the way keep the `this`
/// around them.
pub fn this_method<'t>(ix: &Index<'t>, at: Node<'t>, name: &str) -> Option<Node<'t>> {
    let mut n = at.parent();
    let mut steps = 0;
    // The function whose `this` it is.
    let f = loop {
        let x = n?;
        steps += 1;
        if steps > 256 || x.k() == "class_body" {
            return None;
        }
        if super::index::is_function(x.k()) && x.k() != "arrow_function" {
            break x;
        }
        n = x.parent();
    };
    let parent = f.parent()?;
    let holder = match parent.k() {
        "object" => parent,
        "pair" => parent.parent()?,
        _ => return None,
    };
    // Vue: a function of `methods: { ... }` (or `computed`, `watch`) runs
    // with the component as `this`, which holds the options object's
    // methods.
    let options = holder
        .parent()
        .filter(|p| p.k() == "pair")
        .filter(|p| {
            p.f("key")
                .is_some_and(|k| matches!(ix.text(k), "methods" | "computed" | "watch"))
        })
        .and_then(|p| p.parent())
        .unwrap_or(holder);
    let in_methods = super::scope::property(options, "methods", ix.src)
        .and_then(|p| p.f("value"))
        .map(unwrap)
        .filter(|o| o.k() == "object")
        .and_then(|o| super::scope::property(o, name, ix.src));
    let p = in_methods.or_else(|| super::scope::property(options, name, ix.src))?;
    match p.k() {
        "method_definition" => Some(p),
        "pair" => p
            .f("value")
            .map(unwrap)
            .filter(|v| super::index::is_function(v.k())),
        _ => None,
    }
}
