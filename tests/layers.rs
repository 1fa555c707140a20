//! The crate's layers point one way. Each top-level module of `src/` may use
//! only the modules below it in this order (and itself):
//!
//! ```text
//! error → device → ops → nn → models → train → checkpoint → web
//! ```
//!
//! so that a student can read the source bottom-up and never meet a name
//! from a layer not yet read. This test reads every source file and fails on
//! any `crate::…` path that reaches upward, naming the file and the line.
//! Native only: it reads the files from disk.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

const ORDER: [&str; 8] = ["error", "device", "ops", "nn", "models", "train", "checkpoint", "web"];

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules a line of code names through `crate::`.
fn used_modules(line: &str) -> Vec<&str> {
    line.match_indices("crate::")
        .map(|(at, _)| {
            let rest = &line[at + "crate::".len()..];
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

#[test]
fn no_module_uses_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    let mut checked = 0;
    for layer in ORDER {
        let rank = ORDER.iter().position(|&l| l == layer).unwrap();
        let mut files = Vec::new();
        let dir = src.join(layer);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        } else {
            files.push(src.join(format!("{layer}.rs")));
        }
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            checked += 1;
            for (n, line) in text.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue; // docs may point anywhere
                }
                for used in used_modules(line) {
                    let above = ORDER.iter().position(|&l| l == used).is_some_and(|r| r > rank);
                    if above {
                        violations.push(format!("{}:{}: {layer} uses {used}: {}", file.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} files found under {}", src.display());
    assert!(violations.is_empty(), "imports that point up a layer:\n{}", violations.join("\n"));
}

#[test]
fn the_scanner_sees_paths_in_imports_and_in_code() {
    assert_eq!(used_modules("use crate::train::tokenizer::{BOS, EOS};"), ["train"]);
    assert_eq!(
        used_modules("let x = crate::ops::cross_entropy::IGNORE_INDEX; crate::nn::f()"),
        ["ops", "nn"]
    );
    assert!(used_modules("use super::seq2seq::Batch;").is_empty());
}
