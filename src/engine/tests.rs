//! Engine tests on hand-built rule sets (independent of the rule-file parser).

use super::*;
use crate::document::{Clause, Region};
use crate::extract::{Period, Rate, RateKind};
use crate::lang::ast::BinderKind;
use crate::lang::ir::*;
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_default()
}

/// A plain-text document with sentences ending at `。` and one clause per line.
fn doc(text: &str) -> Document {
    let mut d = Document::from_source("t.txt", Format::Text, text.to_string(), 0);
    d.sentences.clear();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == '。' || c == '\n' {
            let end = i + c.len_utf8();
            if !text[start..i].trim().is_empty() {
                d.sentences.push(Region { range: start..end });
            }
            start = end;
        }
    }
    d.clauses.clear();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let number = line.split(' ').next().unwrap_or("").to_string();
        d.clauses.push(Clause {
            range: at..at + line.len(),
            number,
            title: String::new(),
        });
        at += line.len();
    }
    d
}

fn rule(id: &str, assertion: Assertion, slots: usize, message: Vec<TemplatePart>) -> Rule {
    Rule {
        id: id.into(),
        title: id.into(),
        pack: 0,
        concept: "format.final-interpretation".into(),
        severity: Severity::Error,
        cite: "cite".into(),
        message: Template { parts: message },
        help: Template::default(),
        assertion,
        subject: Subject::Contract,
        at: None,
        examples: vec![],
        slots,
        slot_names: vec![String::new(); slots],
        needs_emphasis: false,
        params: vec![],
        origin: Origin {
            file: "x.rules".into(),
            line: 1,
        },
    }
}

fn set(rules: Vec<Rule>, patterns: Vec<Pattern>, params: Vec<Param>) -> Plan {
    let rs = RuleSet {
        packs: vec![Pack {
            id: "p".into(),
            title: None,
            version: None,
            jurisdiction: None,
            files: vec![],
        }],
        rules,
        params,
        patterns,
    };
    Plan::compile(rs).expect("plan compiles")
}

fn var(slot: usize) -> Box<Expr> {
    Box::new(Expr::Var(slot))
}

#[test]
fn forbid_match_locates_each_match_in_the_original_bytes() {
    let plan = set(
        vec![rule(
            "R1",
            Assertion::Forbid {
                query: Query {
                    kind: BinderKind::Match,
                    slot: 0,
                    pattern: Some(0),
                    filter: None,
                },
                unless: None,
            },
            1,
            vec![
                TemplatePart::Text("found ".into()),
                TemplatePart::Value(Expr::Prop(var(0), Prop::Text)),
            ],
        )],
        vec![Pattern::Regex("最终解释权".into())],
        vec![],
    );
    let text = "第一条 借款。\n第九条 本协议最终解释权归贷款人所有。";
    let d = doc(text);
    let f = plan.check(&d, &Facts::default(), &|_| true);
    assert_eq!(f.len(), 1);
    let at = text.find("最终解释权").unwrap_or(0);
    assert_eq!(
        (f[0].byte_start, f[0].byte_end),
        (at, at + "最终解释权".len())
    );
    assert_eq!((f[0].line, f[0].column, f[0].end_column), (2, 8, 13));
    assert_eq!(f[0].message, "found 最终解释权");
    assert_eq!(f[0].clause.as_deref(), Some("第九条"));
}

#[test]
fn forbid_each_sentence_with_unless_and_pattern_scoping() {
    // forbid each sentence s where s matches /不承担/ unless s matches /借款人/
    let plan = set(
        vec![rule(
            "R2",
            Assertion::Forbid {
                query: Query {
                    kind: BinderKind::Sentence,
                    slot: 0,
                    pattern: None,
                    filter: Some(Expr::Matches(var(0), 0)),
                },
                unless: Some(Expr::Matches(var(0), 1)),
            },
            1,
            vec![],
        )],
        vec![
            Pattern::Literal("不承担".into()),
            Pattern::Literal("借款人".into()),
        ],
        vec![],
    );
    let text = "贷款人不承担任何责任。借款人不承担贷款人的损失。无关内容。";
    let f = plan.check(&doc(text), &Facts::default(), &|_| true);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].snippet, "贷款人不承担任何责任。");
}

fn rate(text: &str, needle: &str, value: &str, period: Period, kind: RateKind) -> Rate {
    let start = text.find(needle).unwrap_or(0);
    let value = dec(value);
    let annualised = match period {
        Period::Daily => value * Decimal::from(365),
        Period::Monthly => value * Decimal::from(12),
        _ => value,
    };
    Rate {
        span: start..start + needle.len(),
        value,
        period,
        annualised,
        basis: 365,
        kind,
    }
}

#[test]
fn rate_caps_compare_with_param_arithmetic_and_interpolate() {
    // forbid each rate r where r.annualised > lpr_multiple * lpr_1y
    let params = vec![
        Param {
            pack: 0,
            name: "lpr_1y".into(),
            ty: Type::Percent,
            value: Value::Percent(dec("3.1")),
            cite: None,
            origin: Origin {
                file: "x".into(),
                line: 1,
            },
        },
        Param {
            pack: 0,
            name: "lpr_multiple".into(),
            ty: Type::Number,
            value: Value::Number(dec("4")),
            cite: None,
            origin: Origin {
                file: "x".into(),
                line: 2,
            },
        },
    ];
    let cap = Expr::Arith(
        ArithOp::Mul,
        Box::new(Expr::Param(1)),
        Box::new(Expr::Param(0)),
    );
    let plan = set(
        vec![rule(
            "R3",
            Assertion::Forbid {
                query: Query {
                    kind: BinderKind::Rate,
                    slot: 0,
                    pattern: None,
                    filter: Some(Expr::Compare(
                        CmpOp::Gt,
                        Box::new(Expr::Prop(var(0), Prop::Annualised)),
                        Box::new(cap.clone()),
                    )),
                },
                unless: None,
            },
            1,
            vec![
                TemplatePart::Text("年化 ".into()),
                TemplatePart::Value(Expr::Prop(var(0), Prop::Annualised)),
                TemplatePart::Text(" > ".into()),
                TemplatePart::Value(cap),
            ],
        )],
        vec![],
        params,
    );
    let text = "借款年利率为10%。逾期日利率0.05%。";
    let facts = Facts {
        rates: vec![
            rate(
                text,
                "年利率为10%",
                "10",
                Period::Annual,
                RateKind::Interest,
            ),
            rate(
                text,
                "日利率0.05%",
                "0.05",
                Period::Daily,
                RateKind::Overdue,
            ),
        ],
        ..Facts::default()
    };
    let f = plan.check(&doc(text), &facts, &|_| true);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].snippet, "日利率0.05%");
    assert_eq!(f[0].message, "年化 18.25% > 12.4%");
}

#[test]
fn require_points_at_its_anchor_or_the_first_line() {
    // require exists rate where r.period == annual at sentence s where s matches /利/
    let cond = Expr::Exists(Box::new(Query {
        kind: BinderKind::Rate,
        slot: 0,
        pattern: None,
        filter: Some(Expr::Compare(
            CmpOp::Eq,
            Box::new(Expr::Prop(var(0), Prop::Period)),
            Box::new(Expr::Const(Value::Symbol("annual".into()))),
        )),
    }));
    let mut r = rule(
        "R4",
        Assertion::Require { cond, unless: None },
        2,
        vec![TemplatePart::Text("no APR".into())],
    );
    r.at = Some(Query {
        kind: BinderKind::Sentence,
        slot: 1,
        pattern: Some(0),
        filter: None,
    });
    let plan = set(vec![r], vec![Pattern::Literal("利率".into())], vec![]);
    let text = "甲方借款。\n日利率0.05%。";
    let monthly = Facts {
        rates: vec![rate(
            text,
            "日利率0.05%",
            "0.05",
            Period::Daily,
            RateKind::Interest,
        )],
        ..Facts::default()
    };
    let f = plan.check(&doc(text), &monthly, &|_| true);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].snippet, "日利率0.05%。");
    let annual = Facts {
        rates: vec![rate(
            text,
            "日利率0.05%",
            "18",
            Period::Annual,
            RateKind::Interest,
        )],
        ..Facts::default()
    };
    assert!(plan.check(&doc(text), &annual, &|_| true).is_empty());
    // Without the anchor's pattern the finding points at the first line.
    let plain = "甲方借款。";
    let f = plan.check(&doc(plain), &Facts::default(), &|_| true);
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].line, f[0].column), (1, 1));
}

#[test]
fn count_and_skip_by_applicability() {
    // require count(match of /逾期/) < 2
    let cond = Expr::Compare(
        CmpOp::Lt,
        Box::new(Expr::Count(Box::new(Query {
            kind: BinderKind::Match,
            slot: 0,
            pattern: Some(0),
            filter: None,
        }))),
        Box::new(Expr::Const(Value::Number(Decimal::from(2)))),
    );
    let plan = set(
        vec![rule(
            "R5",
            Assertion::Require { cond, unless: None },
            1,
            vec![],
        )],
        vec![Pattern::Literal("逾期".into())],
        vec![],
    );
    let d = doc("逾期一次。逾期两次。");
    assert_eq!(plan.check(&d, &Facts::default(), &|_| true).len(), 1);
    assert!(plan.check(&d, &Facts::default(), &|_| false).is_empty());
    assert!(plan
        .check(&doc("逾期一次。"), &Facts::default(), &|_| true)
        .is_empty());
}

#[test]
fn a_sum_over_no_bindings_is_the_zero_the_checker_gave_it() {
    // require sum(r.annualised for rate r) < 24%  — holds on a document with no rates.
    let sum = |empty: Option<Value>| Expr::Aggregate {
        func: AggFunc::Sum,
        value: Box::new(Expr::Prop(var(0), Prop::Annualised)),
        query: Box::new(Query {
            kind: BinderKind::Rate,
            slot: 0,
            pattern: None,
            filter: None,
        }),
        empty,
    };
    let below = |empty| {
        Expr::Compare(
            CmpOp::Lt,
            Box::new(sum(empty)),
            Box::new(Expr::Const(Value::Percent(dec("24")))),
        )
    };
    let zero = rule(
        "R6",
        Assertion::Require {
            cond: below(Some(Value::Percent(Decimal::ZERO))),
            unless: None,
        },
        1,
        vec![],
    );
    let none = rule(
        "R7",
        Assertion::Require {
            cond: below(None),
            unless: None,
        },
        1,
        vec![],
    );
    let plan = set(vec![zero, none], vec![], vec![]);
    let f = plan.check(&doc("甲方借款。"), &Facts::default(), &|_| true);
    let fired: Vec<&str> = f.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(
        fired,
        ["R7"],
        "no value compares false; a zero percent is below 24%"
    );
}
