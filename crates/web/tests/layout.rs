//! The shape of `crates/web/src`, checked from the source text: modules import
//! each other in no cycle that spans two folders (a cycle inside one tool's
//! folder is that tool's own business), and no `api` module imports a `page`
//! module or the reverse (both faces call the tool's use cases instead).
//!
//! Imports are read as `crate::…` and `super::…` paths, which is how this crate
//! refers to its own modules; a path resolves to the longest module prefix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `board/page.rs` is `board::page`, `board/mod.rs` is `board`, `lib.rs` is the root.
fn module_of(rel: &Path) -> Module {
    let mut parts: Module = rel
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The source without comments and without its unit tests (tests may reach
/// anywhere).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every module path written after `crate::` or `super::`, with `use` groups
/// (`crate::a::{b, c::d}`) expanded.
fn paths_in(code: &str, me: &Module) -> Vec<Module> {
    let mut found = Vec::new();
    for (start, anchor) in [("crate::", 0usize), ("super::", 1)] {
        let mut rest = code;
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            rest = &rest[i + start.len()..];
            if before.is_some_and(|c| is_ident(c) || c == ':') {
                continue;
            }
            let base: Module = if anchor == 0 {
                Vec::new()
            } else {
                // `super` of `board::page` (board/page.rs) is `board`; of
                // `board` (board/mod.rs), the crate root.
                me[..me.len().saturating_sub(1)].to_vec()
            };
            let mut segs = base.clone();
            let mut chars = rest.char_indices().peekable();
            let mut word = String::new();
            let mut group: Option<String> = None;
            while let Some((j, c)) = chars.next() {
                if is_ident(c) {
                    word.push(c);
                } else if c == ':' {
                    if !word.is_empty() {
                        segs.push(std::mem::take(&mut word));
                    }
                } else if c == '{' && word.is_empty() {
                    let close = rest[j..].find('}').map_or(rest.len(), |k| j + k);
                    group = Some(rest[j + 1..close].to_owned());
                    break;
                } else {
                    break;
                }
            }
            if !word.is_empty() {
                segs.push(word);
            }
            match group {
                Some(items) => {
                    for item in items.split(',') {
                        let item = item.split(" as ").next().unwrap_or("").trim();
                        let mut full = segs.clone();
                        full.extend(
                            item.split("::")
                                .filter(|s| !s.is_empty() && *s != "self" && !s.contains('{'))
                                .map(str::to_owned),
                        );
                        found.push(full);
                    }
                }
                None => found.push(segs),
            }
        }
    }
    found
}

fn resolve(path: &Module, modules: &BTreeSet<Module>) -> Module {
    (0..=path.len())
        .rev()
        .map(|k| path[..k].to_vec())
        .find(|p| modules.contains(p))
        .unwrap_or_default()
}

struct Graph {
    folder: BTreeMap<Module, String>,
    edges: BTreeMap<Module, BTreeSet<Module>>,
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let mut texts = BTreeMap::new();
    let mut folder = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let m = module_of(rel);
        folder.insert(
            m.clone(),
            rel.parent().unwrap().to_string_lossy().into_owned(),
        );
        texts.insert(m, std::fs::read_to_string(f).unwrap());
    }
    let modules: BTreeSet<Module> = texts.keys().cloned().collect();
    let mut edges = BTreeMap::new();
    for (m, text) in &texts {
        let targets: BTreeSet<Module> = paths_in(&code_of(text), m)
            .iter()
            .map(|p| resolve(p, &modules))
            .filter(|t| t != m)
            .collect();
        edges.insert(m.clone(), targets);
    }
    Graph { folder, edges }
}

/// Strongly connected components (Tarjan), each a set of modules that reach
/// each other through imports.
fn cycles(g: &Graph) -> Vec<Vec<Module>> {
    struct State<'a> {
        g: &'a Graph,
        next: usize,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        out: Vec<Vec<Module>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in &s.g.edges[v] {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                comp.push(w.clone());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        g,
        next: 0,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.edges.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn name(m: &Module) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

#[test]
fn no_import_cycle_spans_two_folders() {
    let g = graph();
    assert!(g.edges.len() > 40, "read only {} modules", g.edges.len());
    let across: Vec<String> = cycles(&g)
        .into_iter()
        .filter(|c| {
            c.iter()
                .map(|m| &g.folder[m])
                .collect::<BTreeSet<_>>()
                .len()
                > 1
        })
        .map(|c| c.iter().map(name).collect::<Vec<_>>().join(" -> "))
        .collect();
    assert!(across.is_empty(), "cycles across folders: {across:#?}");
}

#[test]
fn api_and_page_modules_never_import_each_other() {
    let g = graph();
    let face = |m: &Module| match m.last().map(String::as_str) {
        Some("api") => Some("api"),
        Some(last) if last == "page" || last.ends_with("_page") => Some("page"),
        _ => None,
    };
    let mut wrong = Vec::new();
    for (from, targets) in &g.edges {
        for to in targets {
            if let (Some(a), Some(b)) = (face(from), face(to))
                && a != b
            {
                wrong.push(format!("{} -> {}", name(from), name(to)));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The checks above must be able to fail: a made-up cycle across folders and a
/// made-up api-to-page import are found.
#[test]
fn the_checks_see_what_they_look_for() {
    let modules: BTreeSet<Module> = [vec![], vec!["a".into()], vec!["b".into(), "page".into()]]
        .into_iter()
        .collect();
    let me: Module = vec!["b".into(), "api".into()];
    let paths = paths_in(
        "use crate::a::{self, X};\nuse super::page::Y;\nlet z = crate::b::page::f();",
        &me,
    );
    let resolved: BTreeSet<Module> = paths.iter().map(|p| resolve(p, &modules)).collect();
    assert!(resolved.contains(&vec!["a".to_owned()]), "{resolved:?}");
    assert!(
        resolved.contains(&vec!["b".to_owned(), "page".to_owned()]),
        "{resolved:?}"
    );
    let g = Graph {
        folder: [
            (vec!["a".to_owned()], "a".to_owned()),
            (vec!["b".to_owned()], "b".to_owned()),
        ]
        .into_iter()
        .collect(),
        edges: [
            (vec!["a".to_owned()], [vec!["b".to_owned()]].into()),
            (vec!["b".to_owned()], [vec!["a".to_owned()]].into()),
        ]
        .into_iter()
        .collect(),
    };
    assert_eq!(cycles(&g).len(), 1);
}
