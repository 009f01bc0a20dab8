//! The layers the compiler cannot keep in one crate, kept by this test: a file may use
//! only its own layer and the layers below it, and the modules of one layer never import
//! each other in a circle. Both are read from the source (every `crate::…` and `super::…`
//! path in code, tests included; comments are skipped), so a new upward import fails here
//! with the file, the line and the rule it breaks.
//!
//! Why not one crate per layer: measured on this 2-core machine, see docs/architecture.md.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom to top. `lib.rs` and `main.rs` sit above them all.
const LAYERS: [&str; 8] = ["domain", "ledger", "clients", "app", "engine", "services", "commands", "transports"];

fn rank(layer: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == layer)
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// A file's place: its layer and the module of that layer it belongs to (`order` for
/// `domain/order.rs`, `platform` for `engine/platform/pull.rs`; `None` for the layer's
/// own `mod.rs`). Depth: how many folders below the layer's it is.
struct Place {
    layer: String,
    module: Option<String>,
    depth: usize,
}

fn place(file: &Path) -> Option<Place> {
    let rel = file.strip_prefix(src()).unwrap();
    let parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
    if parts.len() < 2 {
        return None; // lib.rs, main.rs
    }
    let stem = |s: &str| s.trim_end_matches(".rs").to_string();
    let module = match parts.len() {
        2 if parts[1] == "mod.rs" => None,
        2 => Some(stem(&parts[1])),
        _ => Some(parts[1].clone()),
    };
    let depth = match parts.len() {
        2 => 0,
        n if parts[n - 1] == "mod.rs" => n - 3,
        n => n - 2,
    };
    Some(Place { layer: parts[0].clone(), module, depth })
}

/// The modules of a layer: its files and folders.
fn modules_of(layer: &str) -> BTreeSet<String> {
    std::fs::read_dir(src().join(layer))
        .map(|rd| {
            rd.filter_map(|e| {
                let p = e.ok()?.path();
                let name = p.file_name()?.to_string_lossy().into_owned();
                if p.is_dir() {
                    Some(name)
                } else {
                    name.strip_suffix(".rs").filter(|n| *n != "mod").map(str::to_string)
                }
            })
            .collect()
        })
        .unwrap_or_default()
}

/// The code of a line, without its `//` comment (a `//` inside a string is rare enough
/// in this code base to ignore).
fn code(line: &str) -> &str {
    match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Every `prefix…::ident` path segment pair in `text`: for `crate::engine::outbox` with
/// prefix `crate::`, yields ("engine", Some("outbox")).
fn paths_after<'a>(text: &'a str, prefix: &str) -> Vec<(&'a str, Option<&'a str>)> {
    let ident = |s: &'a str| -> &'a str {
        let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
        &s[..end]
    };
    let mut out = vec![];
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        let before_ok = i == 0 || !rest[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        let after = &rest[i + prefix.len()..];
        if before_ok {
            let first = ident(after);
            let second = after[first.len()..].strip_prefix("::").map(ident).filter(|s| !s.is_empty());
            if !first.is_empty() {
                out.push((first, second));
            }
        }
        rest = after;
    }
    out
}

struct Edge {
    file: String,
    line: usize,
    text: String,
}

/// Reads every file once: upward imports, and the module graph of each layer.
fn scan() -> (Vec<String>, BTreeMap<String, BTreeMap<(String, String), Edge>>) {
    let mut files = vec![];
    rust_files(&src(), &mut files);
    files.sort();
    let mut upward = vec![];
    let mut graphs: BTreeMap<String, BTreeMap<(String, String), Edge>> = BTreeMap::new();
    for f in &files {
        let Some(at) = place(f) else { continue };
        let Some(own) = rank(&at.layer) else { panic!("{}: not in a layer folder ({LAYERS:?})", f.display()) };
        let modules = modules_of(&at.layer);
        let text = std::fs::read_to_string(f).unwrap();
        let name = f.strip_prefix(src()).unwrap().display().to_string();
        for (n, line) in text.lines().enumerate() {
            let c = code(line);
            if c.trim_start().starts_with("//") {
                continue;
            }
            let mut targets: Vec<(String, Option<String>)> = vec![];
            for (layer, module) in paths_after(c, "crate::") {
                targets.push((layer.to_string(), module.map(str::to_string)));
            }
            // `super::m` from a file directly in the layer folder names a sibling module;
            // from deeper, as many `super::` as the depth reach the layer folder.
            let up = "super::".repeat(at.depth + 1);
            for (m, _) in paths_after(c, &up) {
                targets.push((at.layer.clone(), Some(m.to_string())));
            }
            for (layer, module) in targets {
                let Some(r) = rank(&layer) else { continue };
                if r > own {
                    upward.push(format!(
                        "{name}:{}: {} (layer {own}) uses {layer} (layer {r}): `{}`",
                        n + 1,
                        at.layer,
                        line.trim()
                    ));
                }
                if r == own {
                    if let (Some(from), Some(to)) = (&at.module, module) {
                        if modules.contains(&to) && *from != to {
                            graphs.entry(at.layer.clone()).or_default().entry((from.clone(), to)).or_insert(Edge {
                                file: name.clone(),
                                line: n + 1,
                                text: line.trim().to_string(),
                            });
                        }
                    }
                }
            }
        }
    }
    (upward, graphs)
}

/// The first circle in `edges`, as the edges that make it.
fn find_cycle(edges: &BTreeMap<(String, String), Edge>) -> Option<Vec<(String, String)>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges.keys() {
        next.entry(a.as_str()).or_default().push(b.as_str());
    }
    fn dfs<'a>(
        n: &'a str,
        next: &BTreeMap<&'a str, Vec<&'a str>>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(i) = stack.iter().position(|s| *s == n) {
            let mut c = stack[i..].to_vec();
            c.push(n);
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n);
        for m in next.get(n).into_iter().flatten() {
            if let Some(c) = dfs(m, next, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n);
        None
    }
    let mut done = BTreeSet::new();
    for n in next.keys() {
        if let Some(c) = dfs(n, &next, &mut vec![], &mut done) {
            return Some(c.windows(2).map(|w| (w[0].to_string(), w[1].to_string())).collect());
        }
    }
    None
}

#[test]
fn every_import_points_down() {
    let (upward, _) = scan();
    assert!(upward.is_empty(), "imports up a layer ({LAYERS:?}, bottom first):\n{}", upward.join("\n"));
}

#[test]
fn no_layer_has_modules_importing_each_other_in_a_circle() {
    let (_, graphs) = scan();
    let mut circles = vec![];
    for (layer, edges) in &graphs {
        if let Some(c) = find_cycle(edges) {
            let lines: Vec<String> = c
                .iter()
                .map(|k| {
                    let e = &edges[k];
                    format!("  {layer}::{} -> {layer}::{}   ({}:{}: `{}`)", k.0, k.1, e.file, e.line, e.text)
                })
                .collect();
            circles.push(lines.join("\n"));
        }
    }
    assert!(circles.is_empty(), "modules in a circle:\n{}", circles.join("\n\n"));
}

#[test]
fn the_scan_sees_an_upward_import_and_a_circle() {
    // The reader itself: a path after `crate::`, not one inside another path.
    assert_eq!(paths_after("use crate::engine::outbox::Op;", "crate::"), vec![("engine", Some("outbox"))]);
    assert_eq!(paths_after("storepos::crate::x", "crate::"), vec![]);
    assert_eq!(code("let a = 1; // crate::transports"), "let a = 1; ");
    let e =
        |a: &str, b: &str| ((a.to_string(), b.to_string()), Edge { file: String::new(), line: 0, text: String::new() });
    let circle: BTreeMap<_, _> = [e("order", "transitions"), e("transitions", "order")].into_iter().collect();
    assert!(find_cycle(&circle).is_some());
    let line: BTreeMap<_, _> = [e("order", "money"), e("transitions", "order")].into_iter().collect();
    assert!(find_cycle(&line).is_none());
    // And the tree has layers to check.
    let (_, graphs) = scan();
    assert!(graphs.contains_key("engine") && graphs.contains_key("domain"), "{:?}", graphs.keys());
}
