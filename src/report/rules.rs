//! `loanlint rules list` and `loanlint explain`: rule metadata as text and JSON.

use super::table::render_table;
use super::template::{format_value, template_text};
use crate::concepts::ConceptCatalogue;
use crate::lang::ir::{Rule, RuleSet};
use serde::Serialize;
use std::fmt::Write as _;

/// The rule with this id; an exact match first, then one that differs only in ASCII case.
pub fn find_rule<'a>(set: &'a RuleSet, id: &str) -> Option<&'a Rule> {
    set.rules
        .iter()
        .find(|r| r.id == id)
        .or_else(|| set.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id)))
}

/// The known rule id closest to a mistyped one, if any is close enough to be a likely typo.
pub fn nearest_rule_id<'a>(set: &'a RuleSet, id: &str) -> Option<&'a str> {
    let wanted = id.to_ascii_uppercase();
    let limit = (wanted.chars().count() / 3).max(2);
    set.rules
        .iter()
        .map(|r| {
            (
                edit_distance(&wanted, &r.id.to_ascii_uppercase()),
                r.id.as_str(),
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, id)| id)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != *cb);
            let delete = prev[j + 1] + 1;
            let insert = cur[j] + 1;
            cur.push(substitute.min(delete).min(insert));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn rules_by_id(set: &RuleSet) -> Vec<&Rule> {
    let mut rules: Vec<&Rule> = set.rules.iter().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    rules
}

/// An aligned table: id, severity, concept, title.
pub fn render_rule_list_human(set: &RuleSet) -> String {
    let rows: Vec<Vec<String>> = rules_by_id(set)
        .into_iter()
        .map(|r| {
            vec![
                r.id.clone(),
                r.severity.as_str().to_string(),
                r.concept.clone(),
                r.title.clone(),
            ]
        })
        .collect();
    let mut out = render_table(&["RULE", "SEVERITY", "CONCEPT", "TITLE"], &rows);
    let packs = set.packs.len();
    let _ = writeln!(
        out,
        "{} in {}",
        super::count_noun(rows.len(), "rule", "rules"),
        super::count_noun(packs, "pack", "packs")
    );
    out
}

#[derive(Serialize)]
struct JsonRule<'a> {
    id: &'a str,
    severity: &'a str,
    concept: &'a str,
    title: &'a str,
    pack: Option<&'a str>,
    cite: &'a str,
    file: &'a str,
    line: usize,
}

/// `{"rules":[{"id","severity","concept","title","pack","cite","file","line"}]}`, by id.
pub fn render_rule_list_json(set: &RuleSet) -> String {
    let rules: Vec<JsonRule> = rules_by_id(set)
        .into_iter()
        .map(|r| JsonRule {
            id: &r.id,
            severity: r.severity.as_str(),
            concept: &r.concept,
            title: &r.title,
            pack: set.packs.get(r.pack).map(|p| p.id.as_str()),
            cite: &r.cite,
            file: &r.origin.file,
            line: r.origin.line,
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({ "rules": rules }))
        .unwrap_or_else(|_| String::from("{\"rules\":[]}"));
    text.push('\n');
    text
}

/// Everything a reader needs to understand one rule: what it checks, why, where it lives.
/// `rule_file` is the text of the file the rule is defined in, if known: its definition is shown,
/// so that a reader sees exactly what the rule checks.
pub fn render_explain(
    set: &RuleSet,
    rule: &Rule,
    concepts: &ConceptCatalogue,
    rule_file: Option<&str>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", rule.id, rule.title);
    let _ = writeln!(out);
    let field = |out: &mut String, name: &str, value: &str| {
        let _ = writeln!(out, "  {:<12}{}", format!("{name}:"), value);
    };
    field(&mut out, "pack", &pack_line(set, rule));
    field(&mut out, "concept", &concept_line(&rule.concept, concepts));
    field(&mut out, "severity", rule.severity.as_str());
    field(&mut out, "cite", &rule.cite);
    field(
        &mut out,
        "message",
        &template_text(&rule.message, rule, set),
    );
    field(&mut out, "help", &template_text(&rule.help, rule, set));
    field(
        &mut out,
        "defined at",
        &format!("{}:{}", rule.origin.file, rule.origin.line),
    );
    write_params(&mut out, set, rule);
    write_examples(&mut out, rule);
    if let Some(definition) = rule_file.and_then(|text| rule_definition(text, rule.origin.line)) {
        let _ = writeln!(out, "\n  definition:");
        for line in definition.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

/// The lines of the rule starting at 1-based `line`, through its closing brace.
pub(super) fn rule_definition(text: &str, line: usize) -> Option<String> {
    let mut lines = text.lines().skip(line.checked_sub(1)?);
    let first = lines.next()?;
    if !first.trim_start().starts_with("rule ") {
        return None;
    }
    let mut out = String::from(first);
    for l in lines.take(200) {
        out.push('\n');
        out.push_str(l);
        if l.trim() == "}" {
            return Some(out);
        }
    }
    None
}

fn pack_line(set: &RuleSet, rule: &Rule) -> String {
    let Some(pack) = set.packs.get(rule.pack) else {
        return "(unknown)".into();
    };
    let details: Vec<String> = [
        pack.title.clone(),
        pack.version.as_ref().map(|v| format!("version {v}")),
        pack.jurisdiction
            .as_ref()
            .map(|j| format!("jurisdiction {j}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if details.is_empty() {
        pack.id.clone()
    } else {
        format!("{} ({})", pack.id, details.join(", "))
    }
}

fn concept_line(id: &str, concepts: &ConceptCatalogue) -> String {
    match concepts.get(id) {
        Some(c) if c.source.is_empty() => format!("{id} — {}", c.title),
        Some(c) => format!("{id} — {} (source: {})", c.title, c.source),
        None => format!("{id} (not in the built-in concept catalogue)"),
    }
}

fn write_params(out: &mut String, set: &RuleSet, rule: &Rule) {
    if rule.params.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n  parameters:");
    for p in rule.params.iter().filter_map(|i| set.params.get(*i)) {
        let _ = write!(out, "    {} = {}", p.name, format_value(&p.value));
        if let Some(cite) = &p.cite {
            let _ = write!(out, "  (cite: {cite})");
        }
        let _ = writeln!(out, "  [{}:{}]", p.origin.file, p.origin.line);
    }
}

fn write_examples(out: &mut String, rule: &Rule) {
    if rule.examples.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n  examples:");
    for e in &rule.examples {
        let kind = if e.fire { "fire" } else { "pass" };
        let _ = writeln!(
            out,
            "    {kind}  {}  [{}:{}]",
            super::table::one_line(&e.text),
            rule.origin.file,
            e.line
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::concepts::Concept;
    use crate::lang::ir::*;

    fn origin(line: usize) -> Origin {
        Origin {
            file: "rules/cn/std.rules".into(),
            line,
        }
    }

    fn text(s: &str) -> Template {
        Template {
            parts: vec![TemplatePart::Text(s.into())],
        }
    }

    fn rule(id: &str, title: &str, severity: Severity, line: usize) -> Rule {
        Rule {
            id: id.into(),
            title: title.into(),
            pack: 0,
            concept: "format-clause.final-interpretation".into(),
            severity,
            cite: "合同行政监督管理办法 第九条".into(),
            message: text("格式条款约定经营者享有最终解释权"),
            help: text("删除该条款"),
            assertion: Assertion::Forbid {
                query: Query {
                    kind: BinderKind::Match,
                    slot: 0,
                    pattern: Some(0),
                    filter: None,
                },
                unless: None,
            },
            subject: Default::default(),
            at: None,
            examples: vec![],
            slots: 1,
            slot_names: vec!["r".into()],
            needs_emphasis: false,
            params: vec![],
            origin: origin(line),
        }
    }

    /// The catalogue entry the sample rule set's rule maps to.
    pub(crate) fn sample_concepts() -> ConceptCatalogue {
        ConceptCatalogue {
            concepts: vec![Concept {
                id: "validity.rate-cap".into(),
                title: "利率上限".into(),
                jurisdiction: "CN".into(),
                source: "民间借贷司法解释 第二十五条".into(),
                status: String::new(),
            }],
        }
    }

    pub(crate) fn sample_rule_set() -> RuleSet {
        let mut std001 = rule(
            "CN-STD-001",
            "不得约定由贷款人享有最终解释权",
            Severity::Error,
            10,
        );
        std001.examples = vec![
            Example {
                fire: true,
                text: "本协议的最终解释权归贷款人所有。".into(),
                line: 17,
            },
            Example {
                fire: false,
                text: "条款有两种以上解释的，\n作不利于提供方的解释。".into(),
                line: 18,
            },
        ];
        let annualised = Expr::Prop(Box::new(Expr::Var(0)), Prop::Annualised);
        let mut val004 = rule("CN-VAL-004", "年化利率不得超过上限", Severity::Warning, 30);
        val004.concept = "validity.rate-cap".into();
        val004.assertion = Assertion::Forbid {
            query: Query {
                kind: BinderKind::Rate,
                slot: 0,
                pattern: None,
                filter: Some(Expr::Compare(
                    CmpOp::Gt,
                    Box::new(annualised.clone()),
                    Box::new(Expr::Param(0)),
                )),
            },
            unless: None,
        };
        val004.message = Template {
            parts: vec![
                TemplatePart::Text("年化利率 ".into()),
                TemplatePart::Value(annualised.clone()),
                TemplatePart::Text(" 超过上限 ".into()),
                TemplatePart::Value(Expr::Param(0)),
                TemplatePart::Text("，".into()),
                TemplatePart::Value(Expr::Arith(
                    ArithOp::Sub,
                    Box::new(annualised),
                    Box::new(Expr::Param(0)),
                )),
            ],
        };
        val004.params = vec![0];
        RuleSet {
            packs: vec![Pack {
                id: "cn-consumer-credit".into(),
                title: Some("中国消费信贷合规规则".into()),
                version: Some("2026.1".into()),
                jurisdiction: Some("CN".into()),
                files: vec!["rules/cn/std.rules".into()],
            }],
            // Deliberately not in id order: listings sort.
            rules: vec![val004, std001],
            params: vec![Param {
                pack: 0,
                name: "apr_cap".into(),
                ty: Type::Percent,
                value: Value::Percent("24".parse().unwrap()),
                cite: Some("法发〔2017〕22号".into()),
                origin: origin(3),
            }],
            patterns: vec![Pattern::Regex("最终解释权".into())],
        }
    }

    #[test]
    fn finds_rules_exactly_then_ignoring_case() {
        let set = sample_rule_set();
        assert_eq!(find_rule(&set, "CN-STD-001").unwrap().id, "CN-STD-001");
        assert_eq!(find_rule(&set, "cn-std-001").unwrap().id, "CN-STD-001");
        assert!(find_rule(&set, "CN-STD-002").is_none());
    }

    #[test]
    fn suggests_the_nearest_id_only_when_close() {
        let set = sample_rule_set();
        assert_eq!(nearest_rule_id(&set, "CN-STD-01"), Some("CN-STD-001"));
        assert_eq!(nearest_rule_id(&set, "cn-val-040"), Some("CN-VAL-004"));
        assert_eq!(nearest_rule_id(&set, "US-REGZ-1026"), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
    }

    #[test]
    fn list_is_sorted_by_id_and_aligned() {
        let out = render_rule_list_human(&sample_rule_set());
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("RULE        SEVERITY  CONCEPT"));
        assert!(
            lines[1].starts_with("CN-STD-001  error     format-clause.final-interpretation  不得")
        );
        assert!(lines[2].starts_with("CN-VAL-004  warning   validity.rate-cap"));
        assert_eq!(lines[3], "2 rules in 1 pack");
    }

    #[test]
    fn list_json_has_one_object_per_rule() {
        let v: serde_json::Value =
            serde_json::from_str(&render_rule_list_json(&sample_rule_set())).unwrap();
        assert_eq!(v["rules"][0]["id"], "CN-STD-001");
        assert_eq!(v["rules"][0]["pack"], "cn-consumer-credit");
        assert_eq!(v["rules"][0]["line"], 10);
        assert_eq!(v["rules"][1]["severity"], "warning");
    }

    #[test]
    fn explain_shows_metadata_params_examples_and_origin() {
        let set = sample_rule_set();
        let concepts = sample_concepts();
        let file = format!(
            "{}rule CN-VAL-004 \"x\" {{\n  forbid /x/\n}}\nrule NEXT",
            "\n".repeat(29)
        );
        let out = render_explain(
            &set,
            find_rule(&set, "CN-VAL-004").unwrap(),
            &concepts,
            Some(&file),
        );
        assert!(
            out.ends_with("  definition:\n    rule CN-VAL-004 \"x\" {\n      forbid /x/\n    }\n"),
            "{out}"
        );
        assert!(
            out.starts_with("CN-VAL-004  年化利率不得超过上限\n"),
            "{out}"
        );
        assert!(out.contains(
            "  pack:       cn-consumer-credit (中国消费信贷合规规则, version 2026.1, jurisdiction CN)\n"
        ));
        assert!(out.contains(
            "  concept:    validity.rate-cap — 利率上限 (source: 民间借贷司法解释 第二十五条)\n"
        ));
        assert!(out.contains("  severity:   warning\n"));
        assert!(out.contains("  message:    年化利率 {r.annualised} 超过上限 {apr_cap}，{…}\n"));
        assert!(
            out.contains("  defined at: rules/cn/std.rules:30\n"),
            "{out}"
        );
        assert!(
            out.contains("    apr_cap = 24%  (cite: 法发〔2017〕22号)  [rules/cn/std.rules:3]\n")
        );

        let out = render_explain(
            &set,
            find_rule(&set, "CN-STD-001").unwrap(),
            &concepts,
            None,
        );
        assert!(out.contains("(not in the built-in concept catalogue)"));
        assert!(
            out.contains("    fire  本协议的最终解释权归贷款人所有。  [rules/cn/std.rules:17]\n")
        );
        assert!(out.contains(
            "    pass  条款有两种以上解释的，\\n作不利于提供方的解释。  [rules/cn/std.rules:18]\n"
        ));
        assert!(!out.contains("parameters:"));
    }
}
