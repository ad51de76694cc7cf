//! No import cycles between the modules of a crate. A cycle means a helper lives in the wrong
//! module (a rule reaching into another rule for a shared function, a low-level type importing the
//! high-level one that uses it); it is what makes a module hard to read, move or test alone.
//!
//! The graph is read from the source: one node per file (a `mod.rs` is its folder's module), an
//! edge for every `crate::`, `super::` and `self::` path outside `#[cfg(test)]` modules, and for a
//! `mod.rs`'s own `use child::…`. A path through a `pub use` re-export counts as an edge to the
//! module that defines the item, so `crate::tokens::TokenSettings` leads to `tokens::settings`, not
//! to `tokens`. Declaring a child (`mod child;`) is not an edge, and neither is a child's use of
//! its parent's items (`super::Reporter`): a parent owns its children. Sibling cycles are what
//! this finds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;

type Module = Vec<String>;

struct Crate {
    /// Module path → its source, without comments and test modules.
    sources: BTreeMap<Module, String>,
    /// Whether the module's file is a `mod.rs` / `lib.rs` / `main.rs` (its `self` is its folder).
    folders: BTreeSet<Module>,
    /// (module, name) → the path a `pub use` in that module re-exports under that name.
    reexports: BTreeMap<(Module, String), Module>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder reads") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The code a module runs with: line comments (doc links are not imports) and the trailing
/// `#[cfg(test)] mod tests` (tests may reach anywhere) removed.
fn code_of(source: &str) -> String {
    let without_tests = match source.find("#[cfg(test)]\nmod ") {
        Some(at) => &source[..at],
        None => source,
    };
    let comment = Regex::new(r"(?m)^\s*//.*$|\s//[ /!].*$").expect("pattern");
    comment.replace_all(without_tests, "").into_owned()
}

fn read_crate(src: &Path) -> Crate {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut sources = BTreeMap::new();
    let mut folders = BTreeSet::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("inside src").with_extension("");
        let mut module: Module = relative
            .iter()
            .map(|part| part.to_string_lossy().into_owned())
            .collect();
        if matches!(module.last().map(String::as_str), Some("mod" | "lib" | "main")) {
            module.pop();
            folders.insert(module.clone());
        }
        let text = std::fs::read_to_string(&file).expect("source reads");
        sources.insert(module, code_of(&text));
    }
    let reexport = Regex::new(r"pub(?:\([^)]*\))?\s+use\s+(?:self::)?(\w+(?:::\w+)*?)(?:::\{([^}]*)\}|::(\w+))?\s*;")
        .expect("pattern");
    let mut reexports = BTreeMap::new();
    for (module, code) in &sources {
        if !folders.contains(module) {
            continue;
        }
        for found in reexport.captures_iter(code) {
            let mut base = module.clone();
            base.extend(found[1].split("::").map(str::to_owned));
            let names: Vec<String> = match (found.get(2), found.get(3)) {
                (Some(list), _) => list.as_str().split(',').map(|name| name.trim().to_owned()).collect(),
                (None, Some(name)) => vec![name.as_str().to_owned()],
                (None, None) => match base.pop() {
                    Some(name) => vec![name],
                    None => continue,
                },
            };
            for name in names {
                // `Name as Alias` is re-exported under the alias.
                let (original, exported) = match name.split_once(" as ") {
                    Some((original, alias)) => (original.trim().to_owned(), alias.trim().to_owned()),
                    None => (name.clone(), name),
                };
                if exported.is_empty() || exported.starts_with('{') {
                    continue;
                }
                let mut target = base.clone();
                target.extend(original.split("::").map(str::to_owned));
                reexports.insert((module.clone(), exported), target);
            }
        }
    }
    Crate {
        sources,
        folders,
        reexports,
    }
}

impl Crate {
    /// The module a path names: its longest prefix that is a module, following re-exports.
    fn resolve(&self, path: &[String], depth: usize) -> Option<Module> {
        (0..=path.len()).rev().find_map(|length| {
            let module = path[..length].to_vec();
            if !self.sources.contains_key(&module) {
                return None;
            }
            if let Some(next) = path.get(length)
                && depth < 8
                && let Some(target) = self.reexports.get(&(module.clone(), next.clone()))
            {
                let mut followed = target.clone();
                followed.extend_from_slice(&path[length + 1..]);
                return self.resolve(&followed, depth + 1);
            }
            Some(module)
        })
    }

    fn edges(&self) -> BTreeMap<Module, BTreeSet<Module>> {
        let path = Regex::new(r"\b(crate|super|self)((?:::\w+)*)(?:::\{([^;]*?)\})?").expect("pattern");
        let child_use = Regex::new(r"\buse\s+(\w+)((?:::\w+)*)").expect("pattern");
        let mut edges = BTreeMap::new();
        for (module, code) in &self.sources {
            let mut targets: Vec<Module> = Vec::new();
            for found in path.captures_iter(code) {
                if found[2].is_empty() && found.get(3).is_none() {
                    continue;
                }
                // `self` is the module itself and `super` its parent, for a file and a mod.rs alike.
                let mut start: Module = match &found[1] {
                    "crate" => Vec::new(),
                    "self" => module.clone(),
                    _ => module[..module.len().saturating_sub(1)].to_vec(),
                };
                for segment in found[2]
                    .trim_start_matches(':')
                    .split("::")
                    .filter(|segment| !segment.is_empty())
                {
                    if segment == "super" {
                        start.pop();
                    } else {
                        start.push(segment.to_owned());
                    }
                }
                // `a::{B, c::D}` names B and c::D, not `a` itself.
                let Some(list) = found.get(3) else {
                    targets.push(start);
                    continue;
                };
                for item in list.as_str().split(',') {
                    let item = item.split(" as ").next().unwrap_or_default().trim();
                    if item.is_empty() || item.starts_with('{') {
                        continue;
                    }
                    let mut target = start.clone();
                    if item != "self" {
                        target.extend(item.split("::").map(str::to_owned));
                    }
                    targets.push(target);
                }
            }
            if self.folders.contains(module) {
                for found in child_use.captures_iter(code) {
                    let mut target = module.clone();
                    target.push(found[1].to_owned());
                    if !self.sources.contains_key(&target) {
                        continue;
                    }
                    target.extend(found[2].split("::").filter(|part| !part.is_empty()).map(str::to_owned));
                    targets.push(target);
                }
            }
            let resolved: BTreeSet<Module> = targets
                .iter()
                .filter_map(|target| self.resolve(target, 0))
                // A child using its parent's items (`super::Reporter`) is how Rust shares them;
                // the parent owns the child, so that is not a cycle. Siblings are.
                .filter(|target| !module.starts_with(target))
                .collect();
            edges.insert(module.clone(), resolved);
        }
        edges
    }
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        found: Vec<Vec<Module>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, module: &'a Module) {
            let at = self.index.len();
            self.index.insert(module, at);
            self.low.insert(module, at);
            self.stack.push(module);
            self.on_stack.insert(module);
            for next in self.edges.get(module).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[module].min(self.low[next]);
                    self.low.insert(module, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[module].min(self.index[next]);
                    self.low.insert(module, low);
                }
            }
            if self.low[module] == self.index[module] {
                let mut component = Vec::new();
                while let Some(member) = self.stack.pop() {
                    self.on_stack.remove(member);
                    component.push(member.clone());
                    if member == module {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for module in edges.keys() {
        if !walk.index.contains_key(module) {
            walk.visit(module);
        }
    }
    walk.found
}

fn describe(edges: &BTreeMap<Module, BTreeSet<Module>>, component: &[Module]) -> String {
    let mut lines = Vec::new();
    for from in component {
        for to in &edges[from] {
            if component.contains(to) {
                lines.push(format!("    {} -> {}", from.join("::"), to.join("::")));
            }
        }
    }
    lines.join("\n")
}

fn assert_acyclic(src: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(src);
    let krate = read_crate(&root);
    let edges = krate.edges();
    assert!(edges.len() > 1, "{src}: found modules");
    let found = cycles(&edges);
    let report: Vec<String> = found.iter().map(|component| describe(&edges, component)).collect();
    assert!(found.is_empty(), "{src}: import cycles:\n{}", report.join("\n\n"));
}

#[test]
fn the_library_has_no_import_cycle() {
    assert_acyclic("vazhi-lint/src");
}

#[test]
fn the_training_crate_has_no_import_cycle() {
    assert_acyclic("vazhi-train/src");
}

/// The checker itself: a planted cycle through a re-export is found, and a parent declaring and
/// re-exporting its child is not a cycle.
#[test]
fn a_cycle_through_a_reexport_is_found() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |path: &str, text: &str| {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(file, text).expect("write");
    };
    write("lib.rs", "pub mod a;\npub mod b;\n");
    write("a/mod.rs", "mod inner;\npub use inner::Thing;\n");
    write("a/inner.rs", "pub struct Thing;\n");
    write("b.rs", "use crate::a::Thing;\npub fn make() -> Thing { Thing }\n");
    let krate = read_crate(dir.path());
    assert!(cycles(&krate.edges()).is_empty(), "{:?}", krate.edges());
    write(
        "a/inner.rs",
        "pub struct Thing;\n// crate::b::make is only a comment\nfn f() { crate::b::make(); }\n",
    );
    let krate = read_crate(dir.path());
    let edges = krate.edges();
    let found = cycles(&edges);
    assert_eq!(found.len(), 1, "{edges:?}");
    assert_eq!(describe(&edges, &found[0]), "    a::inner -> b\n    b -> a::inner");
}
