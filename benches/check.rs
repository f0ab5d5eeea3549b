//! Benchmarks: rule-pack compile time, and `check` throughput over a generated
//! corpus of Chinese contracts against a plain one-pass multi-pattern scan of the
//! same text (the floor of what one pass can cost).
//!
//! Corpus: `LOANLINT_BENCH_CORPUS=DIR` (made by `python3 ../shared/bench/gen.py contracts
//! --out DIR --files 1000 --mb 10`); without it the benchmark generates one with that script
//! into target/bench-corpus, if the script is there.
//!
//! Run: `cargo bench --bench check` (release build). Throughput is in MB/s of contract text.
//!
//! Also: one debtor with many calls, checked with the built-in CN collection pack (one day, two
//! sizes: per-day counts must grow linearly with the calls) and the US pack (one week).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use loanlint::document::{Document, Format};
use loanlint::lint::{CheckOptions, Linter};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

fn corpus_dir() -> Option<PathBuf> {
    if let Ok(d) = std::env::var("LOANLINT_BENCH_CORPUS") {
        return Some(PathBuf::from(d));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("target/bench-corpus");
    if out.exists() {
        return Some(out);
    }
    let gen = root.join("../shared/bench/gen.py");
    let ok = std::process::Command::new("python3")
        .arg(&gen)
        .args(["contracts", "--out"])
        .arg(&out)
        .args(["--files", "1000", "--mb", "10", "--seed", "1"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    ok.then_some(out)
}

/// One debtor, `calls` outbound calls to two numbers, one in three connected: between 09:00
/// and 20:00 of one day (Shanghai), or spread over the seven days from 2 March (New York).
fn dense_debtor_log(calls: usize, week: bool) -> Vec<u8> {
    let mut out = String::new();
    let per_day = if week { calls.div_ceil(7) } else { calls };
    for i in 0..calls {
        let (day, slot) = (2 + i / per_day, i % per_day);
        let secs = 9 * 3600 + slot * (11 * 3600) / per_day;
        let outcome = if i % 3 == 0 { "connected" } else { "no_answer" };
        let (offset, zone) = if week {
            ("-05:00", "America/New_York")
        } else {
            ("+08:00", "Asia/Shanghai")
        };
        out.push_str(&format!(
            r#"{{"debtor":"d1","account":"A1","time":"2026-03-{day:02}T{:02}:{:02}:{:02}{offset}","tz":"{zone}","kind":"call","to":"n{}","outcome":"{outcome}"}}"#,
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            i % 2
        ));
        out.push('\n');
    }
    out.into_bytes()
}

fn load_corpus(dir: &Path) -> Vec<Document> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            Some(Document::from_source(
                e.path().to_string_lossy(),
                Format::Text,
                text,
                0,
            ))
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let sources = loanlint::builtin::rule_sources();
    c.bench_function("compile built-in packs", |b| {
        b.iter(|| {
            Linter::from_sources(sources.clone())
                .map(|l| l.plan.rules.rules.len())
                .unwrap_or(0)
        })
    });

    let Ok(linter) = Linter::builtin() else {
        return;
    };
    let mut g = c.benchmark_group("dense debtor");
    g.sample_size(10);
    let cases = [
        ("CN", 1_000, "in one day"),
        ("CN", 4_000, "in one day"),
        ("US", 1_000, "in one week"),
    ];
    for (code, calls, span) in cases {
        let log = dense_debtor_log(calls, code == "US");
        g.throughput(Throughput::Elements(calls as u64));
        g.bench_function(format!("{calls} calls {span}, {code} pack"), |b| {
            b.iter(|| {
                loanlint::logcheck::check_log_bytes(
                    &linter.plan,
                    log.clone(),
                    "dense.jsonl",
                    loanlint::log::read::LogFormat::Jsonl,
                    &Default::default(),
                    Some(code),
                )
                .findings
                .len()
            })
        });
    }
    g.finish();

    let Some(dir) = corpus_dir() else {
        eprintln!("no corpus: set LOANLINT_BENCH_CORPUS or provide ../shared/bench/gen.py");
        return;
    };
    let docs = load_corpus(&dir);
    let bytes: usize = docs.iter().map(|d| d.source.len()).sum();
    let opts = CheckOptions::default();

    let mut g = c.benchmark_group("corpus");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function(format!("check {} docs, 1 thread", docs.len()), |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| linter.check_document(d, &opts).0.len())
                .sum::<usize>()
        })
    });
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().ok();
    if let Some(pool) = pool {
        g.bench_function(format!("check {} docs, 2 threads", docs.len()), |b| {
            b.iter(|| {
                pool.install(|| {
                    docs.par_iter()
                        .map(|d| linter.check_document(d, &opts).0.len())
                        .sum::<usize>()
                })
            })
        });
    }
    // The floor: every pattern of the plan as one alternation, one find_iter pass per document.
    let (literals, regexes) = linter.plan.pattern_sources();
    let alternation: Vec<String> = literals
        .iter()
        .map(|l| regex::escape(l))
        .chain(regexes.iter().map(|r| format!("(?:{r})")))
        .collect();
    let scan = regex::RegexBuilder::new(&alternation.join("|"))
        .size_limit(1 << 30)
        .dfa_size_limit(64 << 20)
        .build();
    if let Err(e) = &scan {
        eprintln!("baseline regex does not compile: {e}");
    }
    if let Ok(scan) = scan {
        g.bench_function("plain multi-pattern regex scan, 1 thread", |b| {
            b.iter(|| {
                docs.iter()
                    .map(|d| scan.find_iter(&d.text).count())
                    .sum::<usize>()
            })
        });
    }
    g.finish();
}

criterion_group!(check, benches);
criterion_main!(check);
