//! `extract()` on whole contracts: every fact, with exact values and spans.

use super::*;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// The span of the `nth` (0-based) occurrence of `needle` in `text`.
fn span_of(text: &str, needle: &str, nth: usize) -> Range<usize> {
    let (start, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle} #{nth} not in text"));
    start..start + needle.len()
}

const CONTRACT: &str = "个人消费借款合同

甲方(出借人):某某小额贷款有限公司
乙方(借款人):张三

第一条 借款金额
借款本金为人民币(大写)伍万元整(小写:¥50,000.00)。

第二条 借款期限
借款期限为12个月,自2026年3月1日起至2027年2月28日止。

第三条 利率与费用
1. 借款年化利率为18%(单利),按月付息。
2. 乙方每月应向甲方支付服务费,月费率0.5%。
3. 日利率=年利率/360。

第四条 逾期责任
乙方逾期还款的,甲方有权按日利率0.05%计收罚息;逾期超过30日的,乙方还应支付借款本金的5%作为违约金。

第五条 提前还款
乙方可提前还款,但应提前5个工作日书面通知甲方,并支付手续费200元。

第六条 其他
本合同自双方签字之日起生效。签署日期:二〇二六年二月二十日。
客服电话:400-123-4567
";

#[test]
fn a_whole_chinese_contract() {
    let t = CONTRACT;
    let facts = extract(t, &[]);
    let rate = |expr: &str, value: &str, period, annualised: &str, kind| Rate {
        span: span_of(t, expr, 0),
        value: dec(value),
        period,
        annualised: dec(annualised),
        basis: 360,
        kind,
    };
    let penalty = span_of(t, "本金的5%", 0);
    assert_eq!(
        facts.rates,
        vec![
            rate(
                "年化利率为18%",
                "18",
                Period::Annual,
                "18",
                RateKind::Interest
            ),
            rate("月费率0.5%", "0.5", Period::Monthly, "6", RateKind::Fee),
            rate(
                "按日利率0.05%",
                "0.05",
                Period::Daily,
                "18",
                RateKind::Overdue
            ),
            Rate {
                span: penalty.end - "5%".len()..penalty.end,
                ..rate("本金的5%", "5", Period::Unknown, "5", RateKind::Penalty)
            },
        ]
    );
    let money = |expr: &str, amount: &str| Money {
        span: span_of(t, expr, 0),
        amount: dec(amount),
        currency: "CNY".to_string(),
    };
    assert_eq!(
        facts.money,
        vec![
            money("人民币(大写)伍万元整", "50000"),
            money("¥50,000.00", "50000"),
            money("200元", "200"),
        ]
    );
    let duration = |expr: &str, amount: i64, unit| Duration {
        span: span_of(t, expr, 0),
        amount: Decimal::from(amount),
        unit,
    };
    assert_eq!(
        facts.durations,
        vec![
            duration("12个月", 12, DurationUnit::Month),
            duration("30日", 30, DurationUnit::Day),
            duration("5个工作日", 5, DurationUnit::Day),
        ]
    );
    let dates: Vec<(Range<usize>, String)> = facts
        .dates
        .iter()
        .map(|d| (d.span.clone(), d.iso()))
        .collect();
    assert_eq!(
        dates,
        vec![
            (span_of(t, "2026年3月1日", 0), "2026-03-01".to_string()),
            (span_of(t, "2027年2月28日", 0), "2027-02-28".to_string()),
            (
                span_of(t, "二〇二六年二月二十日", 0),
                "2026-02-20".to_string()
            ),
        ]
    );
}

/// Inputs built to make a careless scanner quadratic: long runs of digits, numeral characters,
/// separators, rate words and currency signs. Each must finish quickly (in a debug build, a
/// quadratic pass over 100 000 characters would take minutes).
#[test]
fn pathological_inputs_stay_fast() {
    let n = 100_000;
    let inputs = [
        "1".repeat(n),
        "1,111".repeat(n / 5),
        "一".repeat(n),
        "一十".repeat(n / 2),
        "一万".repeat(n / 2),
        "点".repeat(n),
        "1%".repeat(n / 2),
        "日息万五".repeat(n / 4),
        "月息二分".repeat(n / 4),
        "年".repeat(n),
        "2026年3月1日".repeat(n / 10),
        "¥".repeat(n),
        "人民币1元".repeat(n / 5),
        " ".repeat(n) + "1%",
        "百分之".repeat(n / 3),
        "半".repeat(n),
        "March 1, 2026 ".repeat(n / 14),
        "twenty-four hours ".repeat(n / 18),
        "2026-03-01-".repeat(n / 11),
    ];
    let started = std::time::Instant::now();
    for text in &inputs {
        let _ = extract(text, &[0..1, 10..20]);
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}
