//! The house rules, checked over every crate's sources. Each rule lists every place that breaks
//! it, so one run shows the whole of what to fix.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use peerstake_tidy::LINES_MAX;

/// One source file of a crate.
struct Source {
    /// The crate's folder name (`app`, `web`, …).
    krate: String,
    /// The module path inside the crate (`api::ledger`; empty for the crate root).
    module: String,
    /// Where it is, relative to the workspace.
    path: String,
    text: String,
}

impl Source {
    /// The code outside the unit tests, without comments.
    fn code(&self) -> String {
        let until_tests = self.text.split("\n#[cfg(test)]").next().unwrap_or_default();
        until_tests.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
    }

    /// The module this one's `super` is.
    fn parent(&self) -> String {
        self.module.rsplit_once("::").map(|(parent, _)| parent.to_string()).unwrap_or_default()
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sources() -> Vec<Source> {
    let root = workspace();
    let mut out = Vec::new();
    let mut crates: Vec<_> = std::fs::read_dir(root.join("crates")).unwrap().map(|e| e.unwrap().path()).collect();
    crates.sort();
    for dir in crates {
        let krate = dir.file_name().unwrap().to_string_lossy().to_string();
        let src = dir.join("src");
        if src.is_dir() {
            walk(&root, &krate, &src, &src, &mut out);
        }
    }
    assert!(out.len() > 50, "the sources were not found under {}", root.display());
    out
}

fn walk(root: &Path, krate: &str, src: &Path, dir: &Path, out: &mut Vec<Source>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(root, krate, src, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().to_string()).collect();
            let parts: Vec<&str> = match parts.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                ["lib"] | ["main"] => vec![],
                [rest @ .., "mod"] => rest.to_vec(),
                all => all.to_vec(),
            };
            let text = std::fs::read_to_string(&path).unwrap();
            let shown = path.strip_prefix(root).unwrap_or(&path).display().to_string();
            out.push(Source { krate: krate.to_string(), module: parts.join("::"), path: shown, text });
        }
    }
}

/// The modules of the same crate a source names with `crate::` or `super::` paths, by the
/// longest module path each one starts with (the crate root left out: it composes the others).
fn imports(source: &Source, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let code = source.code();
    let mut out = BTreeSet::new();
    for (prefix, base) in [("crate::", String::new()), ("super::", source.parent())] {
        for (at, _) in code.match_indices(prefix) {
            let before = code[..at].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            for path in paths_after(&code[at + prefix.len()..]) {
                let full = if base.is_empty() { path } else { format!("{base}::{path}") };
                let segments: Vec<&str> = full.split("::").collect();
                let named = (1..=segments.len()).rev().map(|n| segments[..n].join("::")).find(|m| modules.contains(m));
                if let Some(module) = named
                    && module != source.module
                {
                    out.insert(module);
                }
            }
        }
    }
    out
}

/// The paths a `use` tree or a path expression names, from just after its `crate::`.
fn paths_after(text: &str) -> Vec<String> {
    let mut head = Vec::new();
    let mut rest = text;
    loop {
        let ident: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if ident.is_empty() {
            break;
        }
        rest = &rest[ident.len()..];
        head.push(ident);
        match rest.strip_prefix("::") {
            Some(after) => rest = after,
            None => return vec![head.join("::")],
        }
    }
    let Some(group) = rest.strip_prefix('{') else { return vec![head.join("::")] };
    // A group, `{b, c::{d, e as f}}`: each part at its top level.
    let (mut depth, mut part, mut out) = (0, String::new(), Vec::new());
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.extend(paths_after(part.trim()).into_iter().map(|p| [head.join("::"), p].join("::")));
                part.clear();
                continue;
            }
            _ => {}
        }
        part.push(c);
    }
    out.extend(paths_after(part.trim()).into_iter().map(|p| [head.join("::"), p].join("::")));
    out.into_iter().map(|p| p.trim_start_matches("::").to_string()).collect()
}

/// Each crate's module graph.
fn graphs(sources: &[Source]) -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mut out: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let mut modules: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for source in sources {
        modules.entry(&source.krate).or_default().insert(source.module.clone());
    }
    for source in sources.iter().filter(|s| !s.module.is_empty()) {
        let known = &modules[source.krate.as_str()];
        let mut edges = imports(source, known);
        edges.remove("");
        out.entry(source.krate.clone()).or_default().insert(source.module.clone(), edges);
    }
    out
}

/// One layer's rule: the modules under `parent` are capabilities that import only the `leaves`
/// (and what lies outside the layer), but for the `composers`, which may import capabilities.
struct Layer {
    krate: &'static str,
    parent: &'static str,
    leaves: &'static [&'static str],
    composers: &'static [&'static str],
}

const LAYERS: [Layer; 5] = [
    Layer {
        krate: "app",
        parent: "",
        leaves: &["access", "audit", "book", "csv_safe", "error", "forms", "holds", "idempotency", "journal", "membership", "notify", "policy_file", "verify"],
        composers: &["demo", "reports"],
    },
    Layer { krate: "web", parent: "api", leaves: &["shapes"], composers: &["reports"] },
    Layer { krate: "web", parent: "pages", leaves: &["kit", "statement", "widgets"], composers: &["reports"] },
    Layer { krate: "web", parent: "", leaves: &["auth", "batch", "common", "error", "extract", "headers", "mail", "trace", "views"], composers: &[] },
    Layer { krate: "cli", parent: "", leaves: &["args", "numbers", "output"], composers: &[] },
];

#[test]
fn every_module_says_what_it_is() {
    let missing: Vec<String> =
        sources().into_iter().filter(|s| s.text.lines().find(|l| !l.trim().is_empty()).is_none_or(|l| !l.starts_with("//!"))).map(|s| s.path).collect();
    assert!(missing.is_empty(), "these files begin with no `//!` comment saying what the module is for:\n{}", missing.join("\n"));
}

#[test]
fn no_source_file_is_longer_than_the_limit() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|s| !s.path.ends_with("/tests.rs") && !s.path.contains("/tests/"))
        .filter_map(|s| {
            let lines = s.text.lines().count();
            (lines > LINES_MAX).then(|| format!("{} has {lines} lines", s.path))
        })
        .collect();
    assert!(long.is_empty(), "split these files by what each part is for (at most {LINES_MAX} lines):\n{}", long.join("\n"));
}

#[test]
fn no_crate_has_an_import_cycle() {
    let mut cycles = Vec::new();
    for (krate, graph) in graphs(&sources()) {
        for start in graph.keys() {
            // A path back to `start` through the modules it imports.
            let mut stack = vec![(start.clone(), vec![start.clone()])];
            let mut seen = BTreeSet::new();
            while let Some((at, path)) = stack.pop() {
                for next in graph.get(&at).into_iter().flatten() {
                    if next == start {
                        let mut ring = path.clone();
                        ring.push(start.clone());
                        cycles.push(format!("{krate}: {}", ring.join(" -> ")));
                    } else if seen.insert(next.clone()) {
                        let mut longer = path.clone();
                        longer.push(next.clone());
                        stack.push((next.clone(), longer));
                    }
                }
            }
        }
    }
    assert!(cycles.is_empty(), "modules that import each other, around:\n{}", cycles.join("\n"));
}

#[test]
fn capabilities_import_no_sibling() {
    let graphs = graphs(&sources());
    let mut wrong = Vec::new();
    for layer in &LAYERS {
        let graph = &graphs[layer.krate];
        let child = |name: &str| if layer.parent.is_empty() { name.to_string() } else { format!("{}::{name}", layer.parent) };
        let members: BTreeSet<&String> = graph
            .keys()
            .filter(
                |m| if layer.parent.is_empty() { !m.contains("::") } else { m.strip_prefix(&format!("{}::", layer.parent)).is_some_and(|r| !r.contains("::")) },
            )
            .collect();
        let leaves: BTreeSet<String> = layer.leaves.iter().map(|l| child(l)).collect();
        let composers: BTreeSet<String> = layer.composers.iter().map(|c| child(c)).collect();
        for module in &members {
            for import in &graph[*module] {
                let sibling = members.contains(import) || graph.keys().any(|m| m.starts_with(&format!("{import}::")) && members.contains(import));
                if !sibling || leaves.contains(import) || composers.contains(*module) {
                    continue;
                }
                // A leaf imports no capability; a capability imports no other.
                wrong.push(format!("{}: {module} imports {import}", layer.krate));
            }
        }
    }
    assert!(wrong.is_empty(), "capabilities import the kernel and their layer's leaves, never each other:\n{}", wrong.join("\n"));
}

#[test]
fn pages_and_the_api_share_nothing_but_the_plumbing() {
    let graphs = graphs(&sources());
    let web = &graphs["web"];
    let wrong: Vec<String> = web
        .iter()
        .flat_map(|(module, imports)| imports.iter().map(move |i| (module, i)))
        .filter(|(module, import)| {
            let layer = |m: &str| m.split("::").next().unwrap_or_default().to_string();
            let (from, to) = (layer(module), layer(import));
            (from == "api" && to == "pages") || (from == "pages" && to == "api")
        })
        .map(|(module, import)| format!("{module} imports {import}"))
        .collect();
    assert!(wrong.is_empty(), "pages and the API meet only in the shared plumbing:\n{}", wrong.join("\n"));
}

#[test]
fn handlers_reach_the_use_cases_only_through_the_extractor() {
    let wrong: Vec<String> =
        sources().into_iter().filter(|s| s.krate == "web" && s.module != "extract" && s.code().contains("commons.acting(")).map(|s| s.path).collect();
    assert!(wrong.is_empty(), "only the web's extractor builds an `Acting`; handlers take an `Actor`:\n{}", wrong.join("\n"));
}

#[test]
fn the_rules_see_what_they_check() {
    // The import reader finds paths in groups and nested groups, and nothing in comments.
    let modules: BTreeSet<String> = ["a", "b", "b::c", "d", "e"].into_iter().map(String::from).collect();
    let source = |module: &str, text: &str| Source { krate: "x".into(), module: module.into(), path: String::new(), text: text.into() };
    let found = imports(&source("a", "use crate::{b::c::Thing, d};\n// use crate::e;\nfn f() { crate::e::g(); }\n"), &modules);
    assert_eq!(found, ["b::c", "d", "e"].into_iter().map(String::from).collect());
    let nested = imports(&source("b::c", "use super::{c, d as x};\nuse crate::a;\n#[cfg(test)]\nmod tests { use crate::e; }\n"), &modules);
    assert_eq!(nested, ["a", "b"].into_iter().map(String::from).collect(), "super::c is itself; super::d is no module, so b");
}
