//! The rule language front end: one test per diagnostic code (code, 1-based line and
//! character column, rendering), Chinese alignment, the IR of a full valid pack, and
//! "never panics" property tests.

use loanlint::concepts::ConceptCatalogue;
use loanlint::lang::ir::{self, BinderKind, Expr, Pattern, Prop, Type, Value};
use loanlint::lang::{self, render, DiagLevel, Diagnostic, SourceFile};
use proptest::prelude::*;
use rust_decimal::Decimal;
use unicode_width::UnicodeWidthStr;

fn files(texts: &[&str]) -> Vec<SourceFile> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| SourceFile {
            path: format!("f{i}.rules"),
            text: (*t).to_string(),
        })
        .collect()
}

fn compile(files: &[SourceFile]) -> Result<(ir::RuleSet, Vec<Diagnostic>), Vec<Diagnostic>> {
    lang::compile(files, &ConceptCatalogue::builtin())
}

/// All diagnostics (errors and warnings), rendered both ways to prove rendering never panics.
fn diagnostics(files: &[SourceFile]) -> Vec<Diagnostic> {
    let diags = match compile(files) {
        Ok((_, warnings)) => warnings,
        Err(diags) => diags,
    };
    let plain = render(&diags, files, false);
    let _coloured = render(&diags, files, true);
    for d in &diags {
        assert!(
            plain.contains(&format!("[{}]", d.code)),
            "rendered output lacks {}:\n{plain}",
            d.code
        );
    }
    diags
}

/// The one diagnostic with `code`, at 1-based `line` and character `col`.
fn expect(files: &[SourceFile], code: &str, line: usize, col: usize) -> Diagnostic {
    let diags = diagnostics(files);
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == code).collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {code}, got {:#?}",
        diags
            .iter()
            .map(|d| (d.code, &d.message))
            .collect::<Vec<_>>()
    );
    let d = found[0].clone();
    assert_eq!(d.line_col(files), (line, col), "{code}: {}", d.message);
    d
}

/// A pack with one rule whose assertion (line 10, indented two spaces) is `assertion`.
fn rule_with(assertion: &str) -> String {
    format!(
        "pack t jurisdiction CN
param apr_cap: percent = 24%
lexicon words = [\"最终解释权\"]
rule T-001 \"title\" {{
  concept format.final-interpretation
  severity error
  cite \"c\"
  message \"m\"
  help \"h\"
  {assertion}
  example fire \"x\"
  example pass \"y\"
}}
"
    )
}

fn one(text: &str) -> Vec<SourceFile> {
    files(&[text])
}

// ---------------------------------------------------------------- LL001 syntax

#[test]
fn ll001_says_which_rule_items_were_expected() {
    let f = one("pack t\nrule T-1 \"t\" {\n  concep format.final-interpretation\n}\n");
    let d = expect(&f, "LL001", 3, 3);
    assert_eq!(
        d.message,
        "expected `concept`, `severity`, `cite`, `message`, `help`, `forbid`, `require`, `at`, \
         `example` or `}`, found `concep`"
    );
    assert_eq!(d.span, 24..30);
}

#[test]
fn ll001_after_a_complete_condition_summarises_operators() {
    let f = one(&rule_with(
        "forbid each rate r where r.annualised = apr_cap",
    ));
    let d = expect(&f, "LL001", 10, 41);
    assert!(
        d.message.starts_with("expected an operator"),
        "{}",
        d.message
    );
    assert!(d.message.ends_with("found `=`"), "{}", d.message);
    assert_eq!(d.help.as_deref(), Some("comparisons use `==`"));
}

#[test]
fn ll001_reserved_words_are_not_names() {
    let f = one("pack t\nparam rule: int = 3\n");
    let d = expect(&f, "LL001", 2, 7);
    assert!(d.help.unwrap_or_default().contains("reserved word"));
}

#[test]
fn ll001_unterminated_string_points_at_the_line_end() {
    let f = one("pack t \"标题\nparam x: int = 3\n");
    let d = expect(&f, "LL001", 1, 11);
    assert!(
        d.message.starts_with("unterminated string"),
        "{}",
        d.message
    );
}

#[test]
fn ll001_bad_literals_and_match_without_pattern() {
    let f = one(&rule_with(
        "require apr_cap > 24% and 2021-02-29 == 2021-03-01",
    ));
    let d = expect(&f, "LL001", 10, 29);
    assert!(d.message.contains("invalid date"), "{}", d.message);
    let f = one(&rule_with("forbid each match m where m.emphasised"));
    let d = expect(&f, "LL001", 10, 22);
    assert!(d.message.contains("needs `of PATTERN`"), "{}", d.message);
}

#[test]
fn ll001_inside_an_interpolation_points_into_the_string() {
    // The string has an escape before the error: the column still lands on the `+`.
    let f =
        one(&rule_with("forbid words")
            .replace("message \"m\"", "message \"a\\\"b {match.text +}\""));
    let d = expect(&f, "LL001", 8, 30);
    assert_eq!(d.message, "expected a value, found the closing `}`");
    let f = one(&rule_with("forbid words").replace("message \"m\"", "message \"a } b\""));
    let d = expect(&f, "LL001", 8, 14);
    assert!(d.message.contains("unmatched `}`"));
}

// ---------------------------------------------------------------- LL002 names

#[test]
fn ll002_unknown_param_suggests_the_nearest() {
    let f = one(&rule_with(
        "forbid each rate r where r.annualised > apr_cpa",
    ));
    let d = expect(&f, "LL002", 10, 43);
    assert_eq!(d.message, "unknown name `apr_cpa`");
    assert_eq!(d.help.as_deref(), Some("did you mean `apr_cap`?"));
}

#[test]
fn ll002_unknown_property_and_symbol() {
    let f = one(&rule_with(
        "forbid each rate r where r.annualized > apr_cap",
    ));
    let d = expect(&f, "LL002", 10, 30);
    assert_eq!(d.message, "a rate binding has no property `annualized`");
    assert_eq!(d.help.as_deref(), Some("did you mean `annualised`?"));

    let f = one(&rule_with("forbid each rate r where r.period == anual"));
    let d = expect(&f, "LL002", 10, 40);
    assert_eq!(d.message, "`anual` is not a `period` value");
    assert_eq!(d.help.as_deref(), Some("did you mean `annual`?"));
}

#[test]
fn ll002_binder_out_of_scope_and_bare_property() {
    let f = one(&rule_with(
        "require exists clause where match.text == \"x\"",
    ));
    let d = expect(&f, "LL002", 10, 31);
    assert_eq!(d.message, "no `match` is bound here");
    let f = one(&rule_with("require exists clause where text matches words"));
    let d = expect(&f, "LL002", 10, 31);
    assert_eq!(d.help.as_deref(), Some("did you mean `clause.text`?"));
    let f = one(&rule_with("forbid each sentence of wrds"));
    let d = expect(&f, "LL002", 10, 27);
    assert_eq!(d.help.as_deref(), Some("did you mean `words`?"));
}

// ---------------------------------------------------------------- LL003 types

#[test]
fn ll003_percent_compared_with_money() {
    let f = one(&rule_with(
        "forbid each rate r where r.annualised > 10000 CNY",
    ));
    let d = expect(&f, "LL003", 10, 28);
    assert_eq!(d.message, "cannot compare percent with money");
    assert_eq!(&f[0].text[d.span.clone()], "r.annualised");
    assert_eq!(d.others.len(), 1);
    assert_eq!(&f[0].text[d.others[0].0.clone()], "10000 CNY");
}

#[test]
fn ll003_conditions_arithmetic_lists_and_matches() {
    let f = one(&rule_with("forbid each rate r where r.annualised"));
    let d = expect(&f, "LL003", 10, 28);
    assert_eq!(
        d.message,
        "expected a condition (true or false), found percent"
    );

    let f = one(&rule_with("require apr_cap + 3 > 1%"));
    let d = expect(&f, "LL003", 10, 11);
    assert_eq!(d.message, "cannot add percent and number");

    let f = one(&rule_with("forbid each rate r where r.kind in [fee, 3%]"));
    let d = expect(&f, "LL003", 10, 44);
    assert!(
        d.message.starts_with("list item is percent"),
        "{}",
        d.message
    );

    let f = one(&rule_with("require apr_cap matches words"));
    let d = expect(&f, "LL003", 10, 11);
    assert!(
        d.message.starts_with("`matches` needs a binding"),
        "{}",
        d.message
    );

    let f = one(&rule_with("require exists rate r where r in 3"));
    let d = expect(&f, "LL003", 10, 31);
    assert!(
        d.message.starts_with("`in` needs a list or a region"),
        "{}",
        d.message
    );

    let f = one(&rule_with("require sum(s.text for sentence s) == \"x\""));
    let d = expect(&f, "LL003", 10, 15);
    assert_eq!(
        d.message,
        "`sum` works on numbers, percents, money or durations, not on text"
    );

    let f = one("pack t\nparam cap: percent = 24 CNY\n");
    let d = expect(&f, "LL003", 2, 22);
    assert_eq!(
        d.message,
        "param `cap` is declared `percent` but its value is money"
    );
}

#[test]
fn ll003_number_times_percent_is_a_percent() {
    let f = one(&rule_with(
        "forbid each rate r where r.annualised > 4 * apr_cap and count(sentence) > 2",
    ));
    assert!(compile(&f).is_ok(), "{:?}", diagnostics(&f));
    let f = one(&rule_with("forbid each rate r where r.annualised > 4 * 3"));
    let d = expect(&f, "LL003", 10, 28);
    assert_eq!(d.message, "cannot compare percent with number");
}

// ---------------------------------------------------------------- LL004 regexes

#[test]
fn ll004_points_into_the_regex() {
    // `(` opens a group that never closes: the error is at the `(`, 4 characters in.
    let f = one(&rule_with("forbid /最终(解释权/"));
    let d = expect(&f, "LL004", 10, 13);
    assert!(d.message.contains("unclosed group"), "{}", d.message);
}

#[test]
fn ll004_accounts_for_escaped_slashes_and_flags() {
    // `\/` is two characters in the file but one in the pattern.
    let f = one(&rule_with("forbid /a\\/b[/i"));
    let d = expect(&f, "LL004", 10, 15);
    assert!(
        d.message.contains("unclosed character class"),
        "{}",
        d.message
    );

    let f = one(&rule_with("forbid /abc/q"));
    let d = expect(&f, "LL004", 10, 15);
    assert_eq!(d.message, "unknown regex flag `q`");

    let f = one(&rule_with("forbid /a*/"));
    let d = expect(&f, "LL004", 10, 10);
    assert!(d.message.contains("matches empty text"), "{}", d.message);
}

#[test]
fn ll004_in_a_lexicon_entry() {
    let f = one("pack t\nlexicon 词表 = [\"好\", /坏{2,1}/]\n");
    let d = expect(&f, "LL004", 2, 22);
    assert_eq!(
        d.message,
        "invalid repetition count range, the start must be <= the end"
    );
}

// ------------------------------------------------- LL004 bounds on regexes and lexicons

#[test]
fn ll004_a_regex_too_big_once_compiled_names_the_limit() {
    // A million copies of `a`: far over the 8 MiB limit for one compiled regex.
    let f = one(&rule_with("forbid /(?:a{1000}){1000}/"));
    let d = expect(&f, "LL004", 10, 10);
    assert_eq!(
        d.message,
        "regex is too big: compiled, it exceeds the 8 MiB size limit for one regex"
    );
    assert_eq!(
        d.span.len(),
        "/(?:a{1000}){1000}/".len(),
        "the whole literal"
    );
    let help = d.help.as_deref().unwrap_or_default();
    assert!(help.contains("lower counted repetitions"), "{help}");
    let shown = render(&[d], &f, false);
    assert!(shown.contains("too big once compiled"), "{shown}");
}

#[test]
fn ll004_a_wide_unicode_class_repeated_is_too_big_too() {
    // Unicode `\w` is hundreds of UTF-8 ranges; 5,000 optional copies of it are too many.
    let f = one(&rule_with("forbid /最终解释权\\w{0,5000}归/"));
    let d = expect(&f, "LL004", 10, 10);
    assert!(d.message.starts_with("regex is too big"), "{}", d.message);
}

#[test]
fn ll004_regex_nesting_is_limited() {
    let deep = format!("forbid /{}a{}/", "(".repeat(65), ")".repeat(65));
    let f = one(&rule_with(&deep));
    let d = expect(&f, "LL004", 10, 75);
    assert_eq!(
        d.message,
        "regex nests groups, classes or repetitions more than 64 deep (the nesting limit)"
    );
    // 64 levels are fine.
    let ok = format!("forbid /{}a{}/", "(".repeat(60), ")".repeat(60));
    assert!(compile(&one(&rule_with(&ok))).is_ok());
}

#[test]
fn ll004_large_regexes_are_counted_across_files() {
    // `a{200000}` compiles to over 1 MiB but under 8 MiB: a large regex. Sixteen are
    // allowed in all; the seventeenth is refused, wherever it is.
    let entries = |from: usize, to: usize| -> String {
        (from..to)
            .map(|i| format!("/x{i}a{{200000}}/"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let first = format!("pack t\nlexicon big = [{}]\n", entries(0, 10));
    let second = format!("pack t\nlexicon more = [{}]\n", entries(10, 17));
    let f = files(&[&first, &second]);
    let diags = diagnostics(&f);
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "LL004").collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let d = errors[0];
    assert_eq!(d.file, 1);
    let last = "/x16a{200000}/";
    let at = second.find(last).expect("entry");
    assert_eq!(d.span, at..at + last.len());
    assert!(
        d.message
            .starts_with("too many large regexes: this is the 17th over 1 MiB compiled"),
        "{}",
        d.message
    );
}

#[test]
fn ll004_lexicon_size_is_limited() {
    let entries = vec!["\"词\""; 100_001].join(",");
    let f = one(&format!("pack t\nlexicon huge = [{entries}]\n"));
    let d = expect(&f, "LL004", 2, 9);
    assert_eq!(
        d.message,
        "lexicon `huge` has 100001 entries, over the limit of 100000"
    );
}

// ---------------------------------------------------------------- LL005 … LL009

#[test]
fn ll005_duplicate_rule_id_in_one_file_and_across_files() {
    let text = rule_with("forbid words");
    let twice = format!("{text}{}", &text[text.find("rule ").unwrap_or(0)..]);
    let f = one(&twice);
    let d = expect(&f, "LL005", 14, 6);
    assert_eq!(d.others.len(), 1, "secondary label at the first definition");
    assert_eq!(d.others[0].0, 93..98);

    let other = rule_with("forbid words").replace("pack t jurisdiction CN", "pack u");
    let f = files(&[&text, &other]);
    let d = expect(&f, "LL005", 4, 6);
    assert_eq!(d.file, 1);
    assert!(d.help.unwrap_or_default().contains("f0.rules:4"));
}

#[test]
fn ll006_unknown_concept_suggests_the_nearest() {
    let f = one(&rule_with("forbid words").replace(
        "concept format.final-interpretation",
        "concept format-clause.final-interpretation",
    ));
    let d = expect(&f, "LL006", 5, 11);
    assert!(d
        .help
        .unwrap_or_default()
        .starts_with("did you mean `format.final-interpretation`"));
}

#[test]
fn ll007_missing_duplicated_and_misplaced_items() {
    let f = one(&rule_with("forbid words").replace("  severity error\n", ""));
    let d = expect(&f, "LL007", 4, 6);
    assert_eq!(d.message, "rule `T-001` has no severity");

    let f = one(&rule_with("forbid words\n  message \"again\""));
    let d = expect(&f, "LL007", 11, 3);
    assert_eq!(d.message, "rule `T-001` has more than one message");
    assert_eq!(d.others.len(), 1);

    let f = one(&rule_with("forbid words\n  at clause"));
    let d = expect(&f, "LL007", 11, 3);
    assert_eq!(d.message, "`at` only applies to `require` rules");
}

#[test]
fn ll008_pack_jurisdiction_conflict() {
    let a = rule_with("forbid words");
    let b = "# second file\npack t jurisdiction US\n";
    let f = files(&[&a, b]);
    let d = expect(&f, "LL008", 2, 21);
    assert_eq!(d.file, 1);
    assert!(d.message.contains("`CN`") && d.message.contains("`US`"));
}

#[test]
fn ll009_duplicate_param_and_shadowed_binder() {
    let f = one(&rule_with("forbid words").replace(
        "lexicon words",
        "param apr_cap: percent = 36%\nlexicon words",
    ));
    let d = expect(&f, "LL009", 3, 7);
    assert_eq!(d.others.len(), 1);

    let f = one(&rule_with(
        "forbid each sentence where count(sentence where sentence matches words) > 1",
    ));
    let d = expect(&f, "LL009", 10, 36);
    assert_eq!(
        d.message,
        "`sentence` is already bound by an enclosing query"
    );
}

// ---------------------------------------------------------------- warnings

#[test]
fn lw001_lw002_lw003_warnings_do_not_stop_compilation() {
    let text = rule_with("forbid /最终解释权/").replace("  example pass \"y\"\n", "");
    let f = one(&text);
    let (set, warnings) = compile(&f).expect("warnings only");
    assert_eq!(set.rules.len(), 1);
    assert!(warnings.iter().all(|w| w.level == DiagLevel::Warning));
    expect(&f, "LW001", 2, 7);
    expect(&f, "LW002", 3, 9);
    let d = expect(&f, "LW003", 4, 6);
    assert_eq!(d.message, "rule `T-001` has no `example pass`");
}

// ---------------------------------------------------------------- Chinese text

const CHINESE: &str = "pack 中文 jurisdiction CN\n";

#[test]
fn chinese_error_columns_count_characters_and_carets_align() {
    let text =
        rule_with("forbid /（最终|最后）解释权归贷款人/ unless match.sentense matches words");
    let f = one(&text);
    let d = expect(&f, "LL002", 10, 40);
    assert_eq!(&text[d.span.clone()], "sentense");

    let out = render(std::slice::from_ref(&d), &f, false);
    println!("{out}");
    let source_line = out
        .lines()
        .find(|l| l.contains("forbid /（最终"))
        .expect("source line shown");
    let underline = out
        .lines()
        .skip_while(|l| !l.contains("forbid /（最终"))
        .nth(1)
        .expect("underline line");
    let token_at = source_line.find("sentense").expect("token in line");
    let caret_at = underline
        .char_indices()
        .find(|(_, c)| matches!(c, '─' | '┬' | '^'))
        .map(|(i, _)| i)
        .expect("underline drawn");
    assert_eq!(
        UnicodeWidthStr::width(&source_line[..token_at]),
        UnicodeWidthStr::width(&underline[..caret_at]),
        "caret is under the token:\n{out}"
    );
    assert!(out.contains("f0.rules:10:40"), "{out}");
}

#[test]
fn chinese_pack_id_is_a_syntax_error_in_characters() {
    let f = one(CHINESE);
    let d = expect(&f, "LL001", 1, 6);
    assert_eq!(d.span, 5..11, "the whole word 中文, never half a character");
}

// ---------------------------------------------------------------- a full valid pack

#[test]
fn full_pack_compiles_to_the_expected_ir() {
    let f = files(&[include_str!("fixtures/full_pack.rules")]);
    let (set, warnings) = match compile(&f) {
        Ok(x) => x,
        Err(d) => panic!("{}", render(&d, &f, false)),
    };
    assert!(warnings.is_empty(), "{}", render(&warnings, &f, false));

    let pack = &set.packs[0];
    assert_eq!(pack.id, "cn-test");
    assert_eq!(pack.version.as_deref(), Some("2026.1"));
    assert_eq!(pack.jurisdiction.as_deref(), Some("CN"));

    // Params: types and exact values.
    let param = |name: &str| {
        set.params
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("param {name}"))
    };
    assert_eq!(param("apr_cap").value, Value::Percent(Decimal::from(24)));
    assert_eq!(
        param("apr_cap").cite.as_deref(),
        Some("法发〔2017〕22号 第2条 (unverified)")
    );
    assert_eq!(param("lpr_1y").value, Value::Percent(Decimal::new(30, 1)));
    assert_eq!(
        param("credit_line_max").value,
        Value::Money {
            amount: Decimal::from(200_000),
            currency: "CNY".into()
        }
    );
    assert_eq!(
        param("notice_period").value,
        Value::Duration(Decimal::from(30 * 86_400))
    );
    assert_eq!(param("quiet_start").value, Value::Time(22 * 3600));
    assert_eq!(param("max_calls").ty, Type::Number);
    assert_eq!(param("banned_uses").ty, Type::List(Box::new(Type::Text)));
    assert_eq!(
        param("since").value,
        Value::Date {
            year: 2021,
            month: 1,
            day: 1
        }
    );
    assert_eq!(param("apr_cap").origin.line, 4);

    assert_eq!(set.rules.len(), 5);
    let rule = |id: &str| {
        set.rules
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("rule {id}"))
    };

    // CN-STD-001: `forbid LEXICON unless …` binds `match` in slot 0; help has literal braces.
    let r = rule("CN-STD-001");
    assert_eq!(r.slots, 1);
    assert_eq!(r.origin.line, 18);
    assert_eq!(r.examples.len(), 2);
    assert_eq!(r.examples[0].line, 25);
    let ir::Assertion::Forbid { query, unless } = &r.assertion else {
        panic!("forbid expected")
    };
    assert_eq!((query.kind, query.slot), (BinderKind::Match, 0));
    let lexicon = &set.patterns[query.pattern.expect("pattern")];
    assert_eq!(
        lexicon,
        &Pattern::Lexicon {
            name: "解释权".into(),
            literals: vec![],
            regexes: vec!["(最终|最后)解释权".into()],
        }
    );
    let Some(Expr::Matches(on, pid)) = unless else {
        panic!("unless matches")
    };
    assert_eq!(**on, Expr::Prop(Box::new(Expr::Var(0)), Prop::Sentence));
    assert_eq!(set.patterns[*pid], Pattern::Regex("借款人|消费者".into()));
    assert_eq!(
        r.message.parts[1],
        ir::TemplatePart::Value(Expr::Prop(Box::new(Expr::Var(0)), Prop::Text))
    );
    assert_eq!(
        r.help.parts,
        vec![ir::TemplatePart::Text(
            "删除该条款；条款含义有争议时按通常理解解释（{见民法典}）".into()
        )]
    );

    // CN-VAL-004: symbols resolved against the enums; `number * percent` reads two params.
    let r = rule("CN-VAL-004");
    assert_eq!(r.severity, ir::Severity::Warning);
    let apr_cap = set.params.iter().position(|p| p.name == "apr_cap");
    let lpr = set.params.iter().position(|p| p.name == "lpr_1y");
    let multiple = set.params.iter().position(|p| p.name == "lpr_multiple");
    let read: Vec<Option<usize>> = r.params.iter().map(|p| Some(*p)).collect();
    assert_eq!(read, vec![apr_cap, lpr, multiple]);
    let ir::Assertion::Forbid { query, .. } = &r.assertion else {
        panic!("forbid expected")
    };
    let filter = format!("{:?}", query.filter);
    assert!(filter.contains("Const(Symbol(\"interest\"))"), "{filter}");
    assert!(filter.contains("Const(Symbol(\"unknown\"))"), "{filter}");

    // CN-STD-010: `within` pattern with its parts interned; reads `emphasised`.
    let r = rule("CN-STD-010");
    assert!(r.needs_emphasis);
    let ir::Assertion::Forbid { query, .. } = &r.assertion else {
        panic!("forbid expected")
    };
    assert_eq!(query.kind, BinderKind::Sentence);
    let Pattern::Within {
        left,
        distance,
        right,
    } = &set.patterns[query.pattern.expect("pattern")]
    else {
        panic!("within expected")
    };
    assert_eq!(*distance, 20);
    assert!(
        matches!(&set.patterns[*left], Pattern::Lexicon { name, literals, regexes }
        if name == "exemption" && literals.len() == 2 && regexes == &["免除.{0,6}责任".to_string()])
    );
    assert_eq!(set.patterns[*right], Pattern::Literal("贷款人".into()));

    // CN-DIS-001: require with unless and at; slots in order assertion, unless, at.
    let r = rule("CN-DIS-001");
    assert_eq!(r.slots, 3);
    let at = r.at.as_ref().expect("at query");
    assert_eq!((at.kind, at.slot), (BinderKind::Clause, 2));
    assert!(matches!(
        &r.assertion,
        ir::Assertion::Require {
            unless: Some(Expr::Compare(..)),
            ..
        }
    ));

    // CN-PRD-002: aggregates, containment, nested queries; slot 0 is the forbid binding and
    // message queries come after the assertion's.
    let r = rule("CN-PRD-002");
    assert_eq!(r.slots, 6);
    let ir::Assertion::Forbid { query, .. } = &r.assertion else {
        panic!("forbid expected")
    };
    assert_eq!((query.kind, query.slot), (BinderKind::Money, 0));
    let filter = format!("{:?}", query.filter);
    for needle in [
        "Aggregate { func: Sum",
        "empty: Some(Duration(0))",
        "Aggregate { func: Min",
        "Inside(Var(1), Prop(Var(0), Sentence))",
        "Inside(Var(3), Document)",
        "Exists(Query { kind: Paragraph, slot: 4",
        "InList(Prop(Prop(Var(0), Sentence), Text), Param(",
        "Arith(Add, Param(",
    ] {
        assert!(filter.contains(needle), "{needle} not in {filter}");
    }
    let flagged = set
        .patterns
        .iter()
        .any(|p| *p == Pattern::Regex("(?i)额度".into()));
    assert!(flagged, "flags become an inline group");
    assert!(matches!(
        &r.message.parts[3],
        ir::TemplatePart::Value(Expr::Param(_))
    ));
    assert!(matches!(
        &r.message.parts[5],
        ir::TemplatePart::Value(Expr::Aggregate { func: ir::AggFunc::Max, query: q, empty: None, .. })
            if q.slot == 5
    ));

    // Patterns are deduplicated across rules.
    let mut seen = Vec::new();
    for p in &set.patterns {
        assert!(!seen.contains(&p), "duplicate pattern {p:?}");
        seen.push(p);
    }
}

#[test]
fn packs_merge_across_files() {
    let a = "pack t jurisdiction CN\nparam cap: percent = 24%\n";
    let b = rule_with("forbid each rate r where r.annualised > cap")
        .replace("pack t jurisdiction CN", "pack t")
        .replace("param apr_cap: percent = 24%\n", "");
    let f = files(&[a, &b]);
    let (set, warnings) = compile(&f).expect("compiles");
    assert_eq!(set.packs.len(), 1);
    assert_eq!(set.packs[0].files, vec!["f0.rules", "f1.rules"]);
    assert_eq!(set.rules[0].params, vec![0]);
    assert!(warnings.iter().all(|w| w.code == "LW002"), "{warnings:?}");
}

// ---------------------------------------------------------------- never panic

fn no_panic(text: &str) {
    let f = one(text);
    let diags = match compile(&f) {
        Ok((_, w)) => w,
        Err(d) => d,
    };
    for d in &diags {
        assert!(text.is_char_boundary(d.span.start.min(text.len())));
        let _ = d.line_col(&f);
    }
    let _ = render(&diags, &f, false);
}

/// Syntactically plausible expressions with random types, to drive the checker down every
/// path (most of them are type errors, which is the point).
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(vec![
        "r",
        "r.annualised",
        "r.period",
        "r.kind",
        "r.value",
        "apr_cap",
        "annual",
        "fee",
        "3",
        "24%",
        "10 CNY",
        "30d",
        "22:00",
        "2021-01-01",
        "\"x\"",
        "true",
        "document",
        "s",
        "s.text",
        "s.emphasised",
        "s.clause",
        "s.clause.number",
        "[annual, 3]",
        "[]",
        "match.text",
        "foo",
        "r.foo",
        "document.text",
        "rate",
        "sentence",
    ])
    .prop_map(str::to_string);
    leaf.prop_recursive(4, 32, 3, |inner| {
        let op = prop::sample::select(vec![
            "and", "or", "==", "!=", "<", ">=", "+", "-", "*", "/", "in",
        ]);
        let query = prop::sample::select(vec![
            "sentence s where",
            "rate r where",
            "rate where",
            "clause c of words where",
            "money m where",
            "sentence s2 where",
            "match of /x/ where",
            "date d where",
        ]);
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            inner.clone().prop_map(|a| format!("not ({a})")),
            inner.clone().prop_map(|a| format!("({a})")),
            (query.clone(), inner.clone()).prop_map(|(q, a)| format!("exists {q} {a}")),
            (query.clone(), inner.clone()).prop_map(|(q, a)| format!("count({q} {a})")),
            (inner.clone(), query, inner.clone())
                .prop_map(|(v, q, a)| format!("sum({v} for {q} {a})")),
            inner.clone().prop_map(|a| format!("({a}) matches words")),
            inner.prop_map(|a| format!("[{a}, {a}]")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_expressions_never_panic(e in expression(), f in expression()) {
        no_panic(&rule_with(&format!("forbid each rate r where {e} unless {f}")));
        no_panic(&rule_with(&format!("require {e}\n  at sentence s where {f}")));
        let message = format!("message \"{{{}}} {{{{ }}}}\"", e.replace('"', "\\\""));
        no_panic(&rule_with("forbid each sentence s where s matches words").replace("message \"m\"", &message));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        no_panic(&text);
    }

    #[test]
    fn token_soup_never_panics(tokens in prop::collection::vec(prop::sample::select(vec![
        "forbid", "require", "each", "where", "unless", "at", "of", "within", "3", "chars", "and",
        "or", "not", "in", "matches", "exists", "count", "(", ")", "[", "]", ",", ".", "==", "<",
        "+", "*", "/", "-", "match", "sentence", "clause", "rate", "money", "date", "duration",
        "blank", "paragraph", "document", "r", "s", "text", "annualised", "period", "kind",
        "annual", "fee", "apr_cap", "words", "/a/", "/(/", "\"x\"", "\"{r.value}\"", "24%",
        "10 CNY", "30d", "22:00", "2021-01-01", "min", "max", "sum", "for", "true", "message",
        "help", "concept", "severity", "error", "cite", "example", "fire", "pass", "}", "{",
    ]), 0..40)) {
        let body = tokens.join(" ");
        no_panic(&rule_with(&body));
        no_panic(&format!("pack t\nrule R-1 \"t\" {{ {body} }}"));
    }

    #[test]
    fn mutated_valid_files_never_panic(
        cut in 0usize..3000,
        len in 0usize..40,
        insert in prop::sample::select(vec![
            "", "{", "}", "\"", "/", "(", ")", "[", "]", "\\", "==", "最", "\n", " and ", "{match.", "%", "within 99999999999 of",
        ]),
    ) {
        let text = include_str!("fixtures/full_pack.rules");
        let mut start = cut.min(text.len());
        while !text.is_char_boundary(start) { start -= 1; }
        let mut end = (start + len).min(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        let mutated = format!("{}{}{}", &text[..start], insert, &text[end..]);
        no_panic(&mutated);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("require {}true{}", "(".repeat(5000), ")".repeat(5000));
    no_panic(&rule_with(&deep));
    let long = format!("require {}", vec!["apr_cap > 1%"; 3000].join(" and "));
    let f = one(&rule_with(&long));
    let diags = diagnostics(&f);
    assert!(diags.iter().any(|d| d.code == "LL001"));
    let chain = format!("require 1 {} > 0", "+ 1 ".repeat(5000));
    no_panic(&rule_with(&chain));
    // Near the limit, the whole pipeline (parser, checker, drop) copes on a test thread
    // (measured in a debug build: every shape at depth ~100 fits in 1 MiB of stack).
    let nested = format!("require {}apr_cap > 1%{}", "(".repeat(60), ")".repeat(60));
    assert!(compile(&one(&rule_with(&nested))).is_ok());
    let a = "apr_cap > 1%";
    let nested = format!(
        "require {}{a}{}",
        format!("({a} and ").repeat(45),
        ")".repeat(45)
    );
    assert!(compile(&one(&rule_with(&nested))).is_ok());
    let sum = format!("require apr_cap {} > 1%", "+ 1% ".repeat(90));
    assert!(compile(&one(&rule_with(&sum))).is_ok());
}

#[test]
fn symbols_resolve_against_the_enum_on_either_side() {
    // A param named like an enum value does not hide the value next to an enum.
    let text = rule_with(
        "forbid each rate r where (annual == r.period or r.kind == fee) and r.annualised > fee",
    )
    .replace("param apr_cap: percent = 24%", "param fee: percent = 24%");
    let f = one(&text);
    let (set, _) = match compile(&f) {
        Ok(x) => x,
        Err(d) => panic!("{}", render(&d, &f, false)),
    };
    let ir::Assertion::Forbid { query, .. } = &set.rules[0].assertion else {
        panic!("forbid expected")
    };
    let filter = format!("{:?}", query.filter);
    assert!(
        filter.contains("Compare(Eq, Const(Symbol(\"annual\")), Prop(Var(0), Period))"),
        "{filter}"
    );
    assert!(
        filter.contains("Compare(Eq, Prop(Var(0), Kind), Const(Symbol(\"fee\")))"),
        "{filter}"
    );
    assert!(
        filter.contains("Compare(Gt, Prop(Var(0), Annualised), Param(0))"),
        "{filter}"
    );
    // Two enums do not mix.
    let f = one(&rule_with("forbid each rate r where r.kind == r.period"));
    let d = expect(&f, "LL003", 10, 28);
    assert!(
        d.message.starts_with("cannot compare a `kind` value"),
        "{}",
        d.message
    );
}

#[test]
#[ignore = "prints rendered diagnostics for a look by eye"]
fn show_rendered_diagnostics() {
    let cases = [
        rule_with("forbid each rate r where r.annualised > 10000 CNY"),
        rule_with("forbid /最终(解释权/"),
        rule_with("forbid each sentence where count(sentence where sentence matches words) > 1"),
        rule_with("forbid words").replace("message \"m\"", "message \"最终解释权：{match.txt}\""),
        rule_with("forbid each rate r where r.annualised = apr_cap"),
        rule_with("forbid words").replace("  severity error\n", ""),
    ];
    for c in cases {
        let f = one(&c);
        println!("{}", render(&diagnostics(&f), &f, false));
    }
}
