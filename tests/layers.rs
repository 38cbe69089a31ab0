//! The layer order of ARCHITECTURE.md, checked on the source: every
//! `crate::…` path in every file under `src/` (in `use` declarations,
//! grouped or not, and written inline) may name only its own top-level
//! module or one of a lower layer. A module that imports from a layer
//! above it, two modules of one layer that import each other, and a
//! top-level module missing from the order all fail, naming the file, the
//! line and the import.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Top-level modules, bottom to top: each may use only those before it.
/// Modules that share a rank are independent of each other.
const LAYERS: &[(&str, u32)] = &[
    ("error", 0),
    ("console", 0),
    ("input", 0),
    ("paths", 1),
    ("rng", 1),
    ("staging", 1),
    ("version", 0),
    ("model", 2),
    ("metrics", 3),
    ("scenario", 4),
    ("sim", 5),
    ("experiment", 6),
    ("output", 7),
    ("serve", 8),
    ("cli", 9),
];

fn rank(module: &str) -> Option<u32> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file under `src/` belongs to (None for the
/// crate roots).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// The line with comments and string literals blanked, so that only code
/// is read.
fn code_of(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            if c == '\\' {
                chars.next();
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        if c == '/' && chars.peek() == Some(&'/') {
            break;
        }
        if c == '"' {
            in_str = true;
            continue;
        }
        out.push(c);
    }
    out
}

/// Every top-level module a piece of code names after `crate::`: `crate::a::b`
/// names `a`; `crate::{a::x, b}` names `a` and `b` (the group may span lines,
/// so the caller passes the whole file).
fn named_modules(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut at = 0;
    while let Some(k) = code[at..].find("crate::") {
        let start = at + k;
        at = start + "crate::".len();
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            continue;
        }
        let line = code[..start].matches('\n').count() + 1;
        if code[at..].starts_with('{') {
            // A group: the first segment of each item at depth 1.
            let mut depth = 0;
            let mut item_start = true;
            let mut ident = String::new();
            for c in code[at..].chars() {
                match c {
                    '{' => {
                        depth += 1;
                        item_start = depth == 1;
                    }
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => item_start = true,
                    c if item_start && (c.is_alphanumeric() || c == '_') => ident.push(c),
                    _ => {
                        if item_start && !ident.is_empty() {
                            found.push((line, std::mem::take(&mut ident)));
                            item_start = false;
                        }
                    }
                }
            }
            if !ident.is_empty() {
                found.push((line, ident));
            }
        } else {
            let ident: String = code[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !ident.is_empty() {
                found.push((line, ident));
            }
        }
    }
    found
}

/// (file, line, from module, to module) of every use of another top-level
/// module.
fn imports() -> Vec<(String, usize, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let Some(from) = module_of(&src, &file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let code: String = text.lines().map(code_of).collect::<Vec<_>>().join("\n");
        let shown = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .display()
            .to_string();
        for (line, to) in named_modules(&code) {
            if to != from {
                out.push((shown.clone(), line, from.clone(), to));
            }
        }
    }
    out
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let mut faults = Vec::new();
    for (file, line, from, to) in imports() {
        match (rank(&from), rank(&to)) {
            (None, _) => faults.push(format!(
                "{file}: module `{from}` is not in the layer order (tests/layers.rs LAYERS, ARCHITECTURE.md)"
            )),
            (_, None) => faults.push(format!(
                "{file}:{line}: `crate::{to}` is not a module in the layer order"
            )),
            (Some(a), Some(b)) if b > a => faults.push(format!(
                "{file}:{line}: `{from}` (layer {a}) imports `crate::{to}` (layer {b}), a layer above it"
            )),
            (Some(a), Some(b)) if b == a => faults.push(format!(
                "{file}:{line}: `{from}` imports `crate::{to}`, another module of its own layer {a}"
            )),
            _ => {}
        }
    }
    faults.dedup();
    assert!(
        faults.is_empty(),
        "imports against the layer order:\n{}",
        faults.join("\n")
    );
}

#[test]
fn no_two_top_level_modules_import_each_other() {
    let mut edges: BTreeMap<(String, String), (String, usize)> = BTreeMap::new();
    for (file, line, from, to) in imports() {
        edges.entry((from, to)).or_insert((file, line));
    }
    let mut cycles = Vec::new();
    for ((a, b), (file, line)) in &edges {
        if a < b
            && let Some((file2, line2)) = edges.get(&(b.clone(), a.clone()))
        {
            cycles.push(format!(
                "`{a}` and `{b}` import each other: {file}:{line} and {file2}:{line2}"
            ));
        }
    }
    assert!(cycles.is_empty(), "{}", cycles.join("\n"));
}

#[test]
fn every_top_level_module_is_in_the_order_and_in_architecture_md() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let arch =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .unwrap();
    for line in lib.lines() {
        if let Some(m) = line
            .strip_prefix("pub mod ")
            .and_then(|r| r.strip_suffix(';'))
        {
            assert!(
                rank(m).is_some(),
                "src/lib.rs declares `{m}`, which is not in LAYERS"
            );
            assert!(
                arch.contains(&format!("`{m}")),
                "ARCHITECTURE.md does not describe `{m}`"
            );
        }
    }
}

#[test]
fn the_reader_finds_grouped_inline_and_nested_imports() {
    let code = "use crate::{model::world::World, rng};\nfn f() { crate::output::plots::x(); }\nuse crate::{\n    a::{b, c},\n    d,\n};\nmy_crate::z();";
    let found: Vec<String> = named_modules(code).into_iter().map(|(_, m)| m).collect();
    assert_eq!(found, ["model", "rng", "output", "a", "d"]);
    assert_eq!(
        code_of("let x = \"crate::cli\"; // crate::serve"),
        "let x = ; "
    );
}

/// Comments and doc links follow the order too: a `crate::` path to a layer
/// above, even in a comment, reads as an upward dependency to anyone (and
/// any tool) scanning the source, so upper layers are named by folder.
#[test]
fn no_comment_names_a_layer_above_by_path() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut faults = Vec::new();
    for file in files {
        let Some(from) = module_of(&src, &file) else {
            continue;
        };
        let Some(own) = rank(&from) else { continue };
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let Some(k) = line.find("//") else { continue };
            for (_, to) in named_modules(&line[k..]) {
                if rank(&to).is_some_and(|r| r > own) {
                    faults.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        faults.is_empty(),
        "comments naming a layer above by path:\n{}",
        faults.join("\n")
    );
}

/// CITATION.cff names the version Cargo.toml builds, so a citation and the
/// version recorded in outputs agree.
#[test]
fn the_citation_names_the_crate_version() {
    let cff = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("CITATION.cff"))
        .expect("CITATION.cff");
    assert!(
        cff.lines()
            .any(|l| l.trim() == format!("version: {}", env!("CARGO_PKG_VERSION"))),
        "CITATION.cff's version is not {}",
        env!("CARGO_PKG_VERSION")
    );
}
