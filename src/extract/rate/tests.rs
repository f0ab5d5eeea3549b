use super::*;
use crate::extract::{Period, RateKind};
use proptest::prelude::*;
use std::str::FromStr;

use Period::{Annual, Daily, Monthly, Unknown};
use RateKind::{Fee, Interest, Other, Overdue, Penalty};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// One expected rate: the exact text it spans, value, period, annualised value, kind.
type Want<'a> = (&'a str, &'a str, Period, &'a str, RateKind);

fn check(text: &str, blanks: &[Range<usize>], want: &[Want]) {
    let got = find_rates(text, blanks);
    let got: Vec<_> = got
        .iter()
        .map(|r| (r.span.clone(), r.value, r.period, r.annualised, r.kind))
        .collect();
    let want: Vec<_> = want
        .iter()
        .map(|(expr, value, period, annualised, kind)| {
            let start = text
                .find(expr)
                .unwrap_or_else(|| panic!("{expr} not in {text}"));
            (
                start..start + expr.len(),
                dec(value),
                *period,
                dec(annualised),
                *kind,
            )
        })
        .collect();
    assert_eq!(got, want, "{text}");
}

#[test]
fn chinese_rate_wordings() {
    let cases: &[(&str, Want)] = &[
        (
            "本合同项下年化利率18%。",
            ("年化利率18%", "18", Annual, "18", Interest),
        ),
        (
            "借款年利率 24%,按月付息。",
            ("年利率 24%", "24", Annual, "24", Interest),
        ),
        (
            "借款年息为12%。",
            ("年息为12%", "12", Annual, "12", Interest),
        ),
        (
            "年化综合成本为23.5%。",
            ("年化综合成本为23.5%", "23.5", Annual, "23.5", Interest),
        ),
        (
            "综合年化费率:20%。",
            ("综合年化费率:20%", "20", Annual, "20", Fee),
        ),
        (
            "月利率1.5%。",
            ("月利率1.5%", "1.5", Monthly, "18", Interest),
        ),
        (
            "月息2%,按月结清。",
            ("月息2%", "2", Monthly, "24", Interest),
        ),
        (
            "平台月费率0.6%。",
            ("月费率0.6%", "0.6", Monthly, "7.2", Fee),
        ),
        (
            "月管理费率为0.5%。",
            ("月管理费率为0.5%", "0.5", Monthly, "6", Fee),
        ),
        (
            "日利率0.05%。",
            ("日利率0.05%", "0.05", Daily, "18.25", Interest),
        ),
        (
            "借款日息万五,随借随还。",
            ("日息万五", "0.05", Daily, "18.25", Interest),
        ),
        (
            "日利率万2.5。",
            ("日利率万2.5", "0.025", Daily, "9.125", Interest),
        ),
        ("日费率0.1%。", ("日费率0.1%", "0.1", Daily, "36.5", Fee)),
        (
            "逾期的,每日0.1%。",
            ("每日0.1%", "0.1", Daily, "36.5", Overdue),
        ),
        (
            "逾期本金按日0.05%计收罚息。",
            ("按日0.05%", "0.05", Daily, "18.25", Overdue),
        ),
        (
            "罚息为0.05%/日。",
            ("罚息为0.05%/日", "0.05", Daily, "18.25", Overdue),
        ),
        (
            "按0.05%/天收取。",
            ("0.05%/天", "0.05", Daily, "18.25", Other),
        ),
        (
            "服务费1.5%/月。",
            ("服务费1.5%/月", "1.5", Monthly, "18", Fee),
        ),
        ("利率18%/年。", ("利率18%/年", "18", Annual, "18", Interest)),
        ("借款人每月1%。", ("每月1%", "1", Monthly, "12", Other)),
        (
            "逾期罚息为日万分之五。",
            ("逾期罚息为日万分之五", "0.05", Daily, "18.25", Overdue),
        ),
        (
            "违约金为千分之三。",
            ("违约金为千分之三", "0.3", Unknown, "0.3", Penalty),
        ),
        (
            "年化利率不超过百分之二十四。",
            ("年化利率不超过百分之二十四", "24", Annual, "24", Interest),
        ),
        (
            "利率为百分之0.5。",
            ("利率为百分之0.5", "0.5", Unknown, "0.5", Interest),
        ),
        (
            "每日5‰的违约金。",
            ("每日5‰", "0.5", Daily, "182.5", Penalty),
        ),
        ("借款月息二分。", ("月息二分", "2", Monthly, "24", Interest)),
        ("借款月息2分。", ("月息2分", "2", Monthly, "24", Interest)),
        (
            "约定年息一分五厘。",
            ("年息一分五厘", "15", Annual, "15", Interest),
        ),
        (
            "约定月息一分二。",
            ("月息一分二", "1.2", Monthly, "14.4", Interest),
        ),
        ("日息三厘。", ("日息三厘", "0.03", Daily, "10.95", Interest)),
        ("月息8厘。", ("月息8厘", "0.8", Monthly, "9.6", Interest)),
        (
            "年利率为【18】%。",
            ("年利率为【18】%", "18", Annual, "18", Interest),
        ),
        (
            "借款人应每月按借款本金的0.5%支付服务费。",
            ("0.5%", "0.5", Monthly, "6", Fee),
        ),
        (
            "违约金为借款本金的30%。",
            ("30%", "30", Unknown, "30", Penalty),
        ),
        (
            "年化利率(单利)为18%。",
            ("年化利率(单利)为18%", "18", Annual, "18", Interest),
        ),
        (
            "逾期利率为24%。",
            ("逾期利率为24%", "24", Unknown, "24", Overdue),
        ),
        (
            "贷款执行利率为年利率4.35%。",
            ("执行利率为年利率4.35%", "4.35", Annual, "4.35", Interest),
        ),
        (
            "借款利率为年化7.2%(单利)。",
            ("利率为年化7.2%", "7.2", Annual, "7.2", Interest),
        ),
        (
            "逾期还款的,借款人应按日支付逾期金额0.05%的违约金。",
            ("0.05%", "0.05", Daily, "18.25", Overdue),
        ),
        (
            "滞纳金按每日0.05%计算。",
            ("每日0.05%", "0.05", Daily, "18.25", Overdue),
        ),
    ];
    for (text, want) in cases {
        check(text, &[], std::slice::from_ref(want));
    }
}

#[test]
fn english_rate_wordings() {
    let cases: &[(&str, Want)] = &[
        (
            "Interest accrues at 18% per annum.",
            ("18% per annum", "18", Annual, "18", Interest),
        ),
        (
            "The loan has an APR of 35.99%.",
            ("APR of 35.99%", "35.99", Annual, "35.99", Interest),
        ),
        (
            "The annual percentage rate is 24% for this loan.",
            (
                "annual percentage rate is 24%",
                "24",
                Annual,
                "24",
                Interest,
            ),
        ),
        (
            "We charge an interest rate of 2% per month.",
            (
                "interest rate of 2% per month",
                "2",
                Monthly,
                "24",
                Interest,
            ),
        ),
        (
            "A late fee of 0.1% per day applies.",
            ("late fee of 0.1% per day", "0.1", Daily, "36.5", Overdue),
        ),
        (
            "Interest: 18% p.a. on the balance",
            ("Interest: 18% p.a.", "18", Annual, "18", Interest),
        ),
        (
            "at a daily rate of 0.05% until paid",
            ("daily rate of 0.05%", "0.05", Daily, "18.25", Interest),
        ),
        (
            "liquidated damages of 10 percent of the amount due",
            ("10 percent", "10", Unknown, "10", Penalty),
        ),
        (
            "a monthly service fee of 1.5% of the principal",
            ("monthly service fee of 1.5%", "1.5", Monthly, "18", Fee),
        ),
        (
            "a fee of 35.99% APR",
            ("fee of 35.99% APR", "35.99", Annual, "35.99", Fee),
        ),
        (
            "a charge of 0.05% of the overdue amount per day",
            ("0.05%", "0.05", Daily, "18.25", Overdue),
        ),
        (
            "Interest at 10 percent per annum is charged.",
            (
                "Interest at 10 percent per annum",
                "10",
                Annual,
                "10",
                Interest,
            ),
        ),
    ];
    for (text, want) in cases {
        check(text, &[], std::slice::from_ref(want));
    }
}

#[test]
fn kind_named_after_the_rate() {
    check(
        "按日利率0.05%计收罚息。",
        &[],
        &[("按日利率0.05%", "0.05", Daily, "18.25", Overdue)],
    );
    check(
        "按年利率10%计算利息及罚息。",
        &[],
        &[("按年利率10%", "10", Annual, "10", Interest)],
    );
}

#[test]
fn several_rates_in_a_sentence() {
    check(
        "日利率0.05%,逾期利率0.1%。",
        &[],
        &[
            ("日利率0.05%", "0.05", Daily, "18.25", Interest),
            ("逾期利率0.1%", "0.1", Daily, "36.5", Overdue),
        ],
    );
    check(
        "年利率12%,服务费为借款金额的3%。",
        &[],
        &[
            ("年利率12%", "12", Annual, "12", Interest),
            ("3%", "3", Unknown, "3", Fee),
        ],
    );
    check(
        "日利率0.05%(年化利率18.25%)。",
        &[],
        &[
            ("日利率0.05%", "0.05", Daily, "18.25", Interest),
            ("年化利率18.25%", "18.25", Annual, "18.25", Interest),
        ],
    );
    check(
        "年化综合费率18%,其中利息12%,服务费6%。",
        &[],
        &[
            ("年化综合费率18%", "18", Annual, "18", Fee),
            ("利息12%", "12", Annual, "12", Interest),
            ("服务费6%", "6", Annual, "6", Fee),
        ],
    );
    check(
        "年利率7.2%-24%。",
        &[],
        &[
            ("年利率7.2%", "7.2", Annual, "7.2", Interest),
            ("24%", "24", Annual, "24", Interest),
        ],
    );
}

#[test]
fn a_360_day_year_changes_daily_annualisation() {
    let text = "日利率0.05%。一年按360天计算。";
    let r = find_rates(text, &[]);
    assert_eq!(r.len(), 1);
    assert_eq!((r[0].basis, r[0].annualised), (360, dec("18")));
    for says_360 in [
        "日利率=年利率/360",
        "一年以360日计",
        "按360天计",
        "interest is computed on a 360-day year",
        "a year of 360 days",
    ] {
        assert_eq!(day_basis(says_360), 360, "{says_360}");
    }
    for not_360 in ["借款期限为360天", "共3600元", "一年按365天计算"] {
        assert_eq!(day_basis(not_360), 365, "{not_360}");
    }
}

#[test]
fn not_rates() {
    for text in [
        "甲方股权比例51%。",
        "持有公司51%的股权。",
        "逾期罚息在借款利率基础上上浮50%。",
        "罚息利率为合同利率的150%。",
        "逾期利率为一年期贷款市场报价利率的四倍。",
        "增值税税率6%。",
        "利率提高5个百分点。",
        "首付比例不低于30%。",
        "保证金为借款金额的10%。",
        "第3.5条 分期还款。",
        "月息分期,部分还款。",
        "月息二分之一。",
        "LPR+3%",
        "Down payment of 20%.",
        "二〇二六年",
    ] {
        assert_eq!(find_rates(text, &[]), vec![], "{text}");
    }
}

#[test]
fn blanks_are_never_read() {
    for (text, blank) in [
        ("年利率____%。", "____"),
        ("年利率【    】%。", "【    】"),
        ("年利率1____%。", "____"),
        ("日利率万分之${rate}。", "${rate}"),
        ("年利率____5%。", "____"),
    ] {
        let start = text.find(blank).unwrap();
        let blank = start..start + blank.len();
        let rates = find_rates(text, std::slice::from_ref(&blank));
        assert_eq!(rates, vec![], "{text}");
    }
}

proptest! {
    #[test]
    fn never_panics(s in "\\PC{0,60}") {
        let _ = find_rates(&s, &[0..1, 3..100]);
    }

    #[test]
    fn never_panics_on_rate_alphabet(
        s in "[年月日息利率费为:按每万千百分之厘点%‰/ 0-9.一二三四五十两pera.numl]{0,50}") {
        for r in find_rates(&s, &[]) {
            prop_assert!(r.span.start < r.span.end && r.span.end <= s.len());
            prop_assert!(s.is_char_boundary(r.span.start) && s.is_char_boundary(r.span.end));
        }
    }
}
