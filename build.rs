//! Embeds every built-in rule file under `rules/` (and the concept catalogue) in the binary,
//! so that adding a pack is only adding rule files; and stamps the build with a hash of its
//! sources (`LOANLINT_BUILD_ID`), so that the rule cache never trusts another build's output.

use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

fn main() {
    // A folder given to rerun-if-changed is scanned whole, new files included.
    println!("cargo:rerun-if-changed=rules");
    let mut files = Vec::new();
    walk(Path::new("rules"), &mut files);
    files.retain(|p| p.extension().is_some_and(|x| x == "rules"));
    files.sort();
    let mut out = String::from("/// Built-in rule files: (path relative to the crate, text).\npub static BUILTIN_RULE_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        let rel = f.to_string_lossy().replace('\\', "/");
        let abs = std::fs::canonicalize(f).expect("rule file path");
        writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            abs.to_string_lossy()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("builtin_rules.rs");
    std::fs::write(dest, out).expect("write builtin_rules.rs");
    println!("cargo:rustc-env=LOANLINT_BUILD_ID={}", build_id());
}

/// A hash of everything that decides what the rule compiler makes of a rule file: the code,
/// the grammar, the locked dependency versions and the package version.
fn build_id() -> String {
    let mut files = Vec::new();
    for dir in ["src", "grammar"] {
        println!("cargo:rerun-if-changed={dir}");
        walk(Path::new(dir), &mut files);
    }
    println!("cargo:rerun-if-changed=Cargo.lock");
    files.push(Path::new("Cargo.lock").to_path_buf());
    files.sort();
    let mut h = DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    for f in &files {
        f.hash(&mut h);
        std::fs::read(f).unwrap_or_default().hash(&mut h);
    }
    format!("{}-{:016x}", env!("CARGO_PKG_VERSION"), h.finish())
}

/// Every file under `dir`.
fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}
