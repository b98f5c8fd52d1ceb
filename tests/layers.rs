//! The one rule of ARCHITECTURE.md: a module imports from its own layer and the layers below, never from a
//! layer above. The layers are the folders of `src/`; every `crate::...` path in the library's code (its
//! unit tests aside, which may borrow from anywhere) is checked against them.

use std::path::{Path, PathBuf};

/// The layer of each top-level module of the library, lowest first.
const LAYERS: &[(&str, u8)] = &[
    ("quantile", 0),
    ("runtime", 0),
    ("slot", 0),
    ("seeing", 1),
    ("body", 2),
    ("exercise", 3),
    ("coaching", 4),
    ("history", 5),
    ("running", 5),
    ("tools", 6),
    ("web", 6),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
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

/// The top-level modules a file's code names through `crate::`, with the line: comments and the unit tests
/// at the end of the file left out.
fn imports(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("#[cfg(test)]") {
            break;
        }
        if code.starts_with("//") {
            continue;
        }
        let code = code.split(" //").next().unwrap_or_default();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                out.push((n + 1, name));
            }
        }
    }
    out
}

/// Every import that runs up a layer, as "file:line: own layer -> imported module (its layer)".
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut out = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
        // The binary (main.rs, cli/) is above every layer; lib.rs only declares them.
        if top == "main" || top == "cli" || top == "lib" {
            continue;
        }
        let own = layer(&top).unwrap_or_else(|| panic!("{}: {top} is in no layer; add it to LAYERS", rel.display()));
        for (line, module) in imports(&std::fs::read_to_string(&file).unwrap()) {
            let theirs =
                layer(&module).unwrap_or_else(|| panic!("{}:{line}: crate::{module} is in no layer", rel.display()));
            if theirs > own {
                out.push(format!("{}:{line}: {top} (layer {own}) imports {module} (layer {theirs})", rel.display()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn no_layer_imports_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(found.is_empty(), "imports that run up a layer:\n{}", found.join("\n"));
}

#[test]
fn the_rule_is_seen_broken_when_it_is() {
    // A copy of a lower module that reaches up: the check must name it.
    let dir = std::env::temp_dir().join(format!("stretchcoach-layers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("seeing")).unwrap();
    std::fs::create_dir_all(dir.join("web")).unwrap();
    std::fs::write(dir.join("seeing/pose.rs"), "use crate::web::server;\n// crate::web in a comment\n").unwrap();
    std::fs::write(dir.join("web/server.rs"), "use crate::seeing::pose;\n#[cfg(test)]\nuse crate::web::x;\n").unwrap();
    assert_eq!(violations(&dir), ["seeing/pose.rs:1: seeing (layer 1) imports web (layer 6)"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
