//! A loan's economic terms read from a contract's facts and text: principal, term, repayment
//! method, nominal rate, monthly fee rate, fees taken at disbursement, and the annual rate the
//! contract discloses; and the APR those terms imply (PBOC 〔2021〕3号 IRR), for rules that
//! compare it with the disclosed one.

use super::{DurationUnit, Facts, Period, RateKind};
use crate::apr::{
    compute_apr, product_apr, AprOptions, AprResult, Date, Flow, LoanTerms, Method,
    RepaymentMethod, Schedule, UnitPeriod,
};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use std::ops::Range;
use std::sync::LazyLock;

mod english;

/// What a contract says about its loan; None where it says nothing recognisable.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContractLoanTerms {
    /// The principal the contract names (借款金额 / 借款本金), before deductions.
    pub principal: Option<Decimal>,
    pub months: Option<u32>,
    pub method: Option<RepaymentMethod>,
    /// Nominal annual interest rate as a fraction (0.12), annualised from a monthly or daily
    /// rate if that is how it is stated.
    pub annual_rate: Option<Decimal>,
    /// Monthly fee on the original principal (月费率) as a fraction (0.005).
    pub monthly_fee_rate: Option<Decimal>,
    /// Money kept back from the principal when it is paid out (砍头息, 预先扣除 … 服务费).
    pub upfront_fee: Option<Decimal>,
    /// The annualised rate the contract discloses (年化利率 / 综合年化成本), as a fraction.
    pub disclosed_apr: Option<Decimal>,
    /// The level monthly payment the contract states ("24 monthly payments of $235.37"); used
    /// when the contract gives no rate or fee to build the schedule from.
    pub payment: Option<Decimal>,
}

/// Read the loan terms from `text` and its extracted `facts`.
pub fn find_loan_terms(text: &str, facts: &Facts) -> ContractLoanTerms {
    if english::is_english(text) {
        return english::find_terms(text, facts);
    }
    let principal = find_principal(text, facts);
    let (annual_rate, disclosed_apr) = find_interest_rates(text, facts);
    ContractLoanTerms {
        principal,
        months: find_months(text, facts),
        method: find_method(text),
        annual_rate,
        monthly_fee_rate: find_monthly_fee_rate(text, facts),
        upfront_fee: find_upfront_fee(text, facts, principal),
        disclosed_apr,
        payment: None,
    }
}

/// The APR (IRR method, nominal, PBOC 〔2021〕3号) the terms imply, when the contract gives a
/// principal, a term and at least one price (a rate, a monthly fee or an upfront fee). Without
/// a stated repayment method, a rate is taken as 等额本息 and a fee alone as 等本等费. Without a
/// price, a stated level monthly payment gives the schedule (the actuarial APR of Regulation Z
/// Appendix J, which for whole monthly periods is the same figure).
pub fn implied_apr(terms: &ContractLoanTerms) -> Option<AprResult> {
    let principal = terms.principal?;
    let months = terms.months?;
    if terms.annual_rate.is_none()
        && terms.monthly_fee_rate.is_none()
        && terms.upfront_fee.is_none()
    {
        return level_payment_apr(principal, months, terms.payment?);
    }
    let method = terms.method.unwrap_or(if terms.annual_rate.is_some() {
        RepaymentMethod::EqualInstallment
    } else {
        RepaymentMethod::EqualPrincipal
    });
    let loan = LoanTerms {
        principal,
        months,
        annual_rate: terms.annual_rate.unwrap_or_default(),
        method,
        monthly_fee_rate: terms.monthly_fee_rate.unwrap_or_default(),
        upfront_fee: terms.upfront_fee.unwrap_or_default(),
    };
    product_apr(&loan, Method::IrrNominal).ok()
}

/// The APR of `months` monthly payments of `payment` for `amount` paid out a month before the
/// first.
fn level_payment_apr(amount: Decimal, months: u32, payment: Decimal) -> Option<AprResult> {
    let start = Date::new(2024, 1, 15)?;
    let payments = (1..=i64::from(months))
        .map(|k| {
            start.add_months(k, false).map(|date| Flow {
                date,
                amount: payment,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let schedule = Schedule {
        advances: vec![Flow {
            date: start,
            amount,
        }],
        payments,
    };
    let options = AprOptions {
        method: Method::Actuarial,
        unit_period: Some(UnitPeriod::MONTH),
        term_start: None,
    };
    compute_apr(&schedule, &options).ok()
}

/// The figures rules read from a contract (`document.implied_apr` and the rest): rates in
/// percent (10.90 for 10.90%), amounts in `currency`. None where the contract does not give
/// enough to work the figure out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoanFigures {
    /// The APR the terms imply (IRR on the amount received, nominal), to 2 decimals.
    pub implied_apr: Option<Decimal>,
    pub disclosed_apr: Option<Decimal>,
    pub principal: Option<Decimal>,
    /// The principal less the fees deducted from it (the principal when none are).
    pub amount_received: Option<Decimal>,
    /// Fees deducted at disbursement; None when the contract names none.
    pub upfront_fee: Option<Decimal>,
    /// ISO code of the principal's currency (of the first amount if the principal is not
    /// found; CNY for a contract with no amount).
    pub currency: String,
}

/// Read the loan's figures from `text` and its `facts`.
pub fn loan_figures(text: &str, facts: &Facts) -> LoanFigures {
    let terms = find_loan_terms(text, facts);
    let to_percent = |fraction: Decimal| (fraction * Decimal::ONE_HUNDRED).normalize();
    let implied_apr = implied_apr(&terms)
        .and_then(|apr| Decimal::from_f64(apr.apr_percent()))
        .map(|apr| apr.round_dp(2));
    let currency = facts
        .money
        .iter()
        .find(|m| Some(m.amount) == terms.principal)
        .or(facts.money.first())
        .map_or_else(|| "CNY".to_string(), |m| m.currency.clone());
    LoanFigures {
        implied_apr,
        disclosed_apr: terms.disclosed_apr.map(to_percent),
        principal: terms.principal,
        amount_received: terms
            .principal
            .and_then(|p| p.checked_sub(terms.upfront_fee.unwrap_or_default())),
        upfront_fee: terms.upfront_fee,
        currency,
    }
}

/// The sentence around `span`: from after the previous 。；;！？ or line break to the next.
fn sentence_bounds(text: &str, span: &Range<usize>) -> Range<usize> {
    let is_end = |c: char| matches!(c, '。' | '；' | ';' | '！' | '？' | '\n');
    let start = text.get(..span.start).map_or(0, |head| {
        head.char_indices()
            .rev()
            .find(|&(_, c)| is_end(c))
            .map_or(0, |(i, c)| i + c.len_utf8())
    });
    let end = text
        .get(span.end..)
        .and_then(|tail| tail.find(is_end))
        .map_or(text.len(), |i| span.end + i);
    start..end
}

fn sentence<'t>(text: &'t str, span: &Range<usize>) -> &'t str {
    text.get(sentence_bounds(text, span)).unwrap_or("")
}

/// The sentence before `span` (its own lead-in: 借款金额：…).
fn lead_in<'t>(text: &'t str, span: &Range<usize>) -> &'t str {
    let start = sentence_bounds(text, span).start;
    text.get(start..span.start).unwrap_or("")
}

fn contains_any(haystack: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| haystack.contains(n))
}

const PRINCIPAL_WORDS: &[&str] = &[
    "借款金额",
    "借款本金",
    "贷款金额",
    "贷款本金",
    "借款额",
    "本金为",
    "本金：",
    "本金:",
    "合同金额",
    "借款数额",
    "出借金额",
];
const FEE_WORDS: &[&str] = &[
    "服务费",
    "手续费",
    "咨询费",
    "管理费",
    "审核费",
    "中介费",
    "保证金",
    "担保费",
    "砍头息",
    "平台费",
    "会员费",
    "费用",
];
const DEDUCTION_WORDS: &[&str] = &[
    "预先扣除",
    "预扣",
    "扣除",
    "直接扣",
    "先行扣",
    "砍头息",
    "放款时收取",
    "放款时一次性",
    "从借款本金中",
    "从借款金额中",
    "在放款金额中",
    "从放款金额中",
];

/// The first amount introduced as the principal; failing that, the largest amount not in a
/// sentence about fees.
fn find_principal(text: &str, facts: &Facts) -> Option<Decimal> {
    let labelled = facts.money.iter().find(|m| {
        let lead = lead_in(text, &m.span);
        contains_any(lead, PRINCIPAL_WORDS)
            && !contains_any(lead, FEE_WORDS)
            && !lead.contains("每期")
    });
    if let Some(money) = labelled {
        return Some(money.amount);
    }
    facts
        .money
        .iter()
        .filter(|m| {
            let s = sentence(text, &m.span);
            !contains_any(s, FEE_WORDS) && !contains_any(s, &["每期", "每月", "逾期", "违约金"])
        })
        .map(|m| m.amount)
        .max()
}

/// The term: a duration in months or years in a sentence about the term (借款期限), or
/// "分12期 / 共12期 / 12期".
fn find_months(text: &str, facts: &Facts) -> Option<u32> {
    let term_duration = facts.durations.iter().find_map(|d| {
        let s = sentence(text, &d.span);
        if !contains_any(s, &["期限", "借期", "贷款期", "借款期"]) {
            return None;
        }
        let months = match d.unit {
            DurationUnit::Month => d.amount,
            DurationUnit::Year => d.amount.checked_mul(Decimal::from(12))?,
            _ => return None,
        };
        whole_months(months)
    });
    term_duration.or_else(|| installments(text))
}

fn whole_months(months: Decimal) -> Option<u32> {
    if months.fract().is_zero() {
        u32::try_from(months.mantissa() / 10i128.pow(months.scale()))
            .ok()
            .filter(|m| (1..=600).contains(m))
    } else {
        None
    }
}

/// "分12期", "共12期", "期数：12期", "期限为12期": the number of monthly installments.
fn installments(text: &str) -> Option<u32> {
    static INSTALLMENTS: LazyLock<Option<regex::Regex>> =
        LazyLock::new(|| regex::Regex::new(r"(?:分|共|期数|期限)[：:为]?\s*(\d{1,3})\s*期").ok());
    let re = INSTALLMENTS.as_ref()?;
    let found = re
        .captures_iter(text)
        .filter_map(|c| c.get(1)?.as_str().parse::<u32>().ok())
        .find(|n| (1..=600).contains(n));
    found
}

/// The repayment method named in the text; a ticked box (☑ ✓ √ ■) wins over the others, and
/// an unticked one (□) never counts.
fn find_method(text: &str) -> Option<RepaymentMethod> {
    const NAMES: &[(&str, RepaymentMethod)] = &[
        ("等额本息", RepaymentMethod::EqualInstallment),
        ("等额本金", RepaymentMethod::EqualPrincipal),
        ("等本等费", RepaymentMethod::EqualPrincipal),
        ("等本等息", RepaymentMethod::EqualPrincipal),
        ("先息后本", RepaymentMethod::InterestOnly),
        ("按月付息，到期还本", RepaymentMethod::InterestOnly),
        ("按月付息、到期还本", RepaymentMethod::InterestOnly),
        ("按月付息,到期还本", RepaymentMethod::InterestOnly),
        ("按月付息到期还本", RepaymentMethod::InterestOnly),
        ("按月付息", RepaymentMethod::InterestOnly),
        ("到期一次性还本付息", RepaymentMethod::Bullet),
        ("一次性还本付息", RepaymentMethod::Bullet),
        ("到期还本付息", RepaymentMethod::Bullet),
    ];
    let mut found: Vec<(usize, Option<char>, RepaymentMethod)> = NAMES
        .iter()
        .flat_map(|(name, method)| {
            text.match_indices(name).map(move |(at, _)| {
                let mark = text
                    .get(..at)
                    .and_then(|h| h.trim_end().chars().next_back());
                (at, mark, *method)
            })
        })
        .collect();
    found.sort_by_key(|(at, _, _)| *at);
    let ticked = |c: &Option<char>| matches!(c, Some('☑' | '✓' | '√' | '■' | '☒' | '✔'));
    let unticked = |c: &Option<char>| matches!(c, Some('□' | '☐'));
    found
        .iter()
        .find(|(_, mark, _)| ticked(mark))
        .or_else(|| found.iter().find(|(_, mark, _)| !unticked(mark)))
        .map(|(_, _, method)| *method)
}

/// The extractor's rates are in percent (12 for 12%); the APR engine's are fractions.
fn percent_to_fraction(percent: Decimal) -> Decimal {
    (percent / Decimal::ONE_HUNDRED).normalize()
}

/// (nominal annual rate, disclosed annualised rate): interest rates whose wording says 年化
/// (年化利率, 综合年化成本, 实际年化) are the disclosure; the first other one is the nominal
/// rate, annualised by its period (月利率 1% → 12%). A contract that states only a 年化利率 is
/// taken to charge interest at it, unless the figure is plainly the all-in cost (综合, IRR,
/// stated with the fees) or the contract says no interest is charged.
fn find_interest_rates(text: &str, facts: &Facts) -> (Option<Decimal>, Option<Decimal>) {
    let mut nominal = None;
    let mut disclosed = None;
    let mut disclosed_is_all_in = false;
    for rate in facts.rates.iter().filter(|r| r.kind == RateKind::Interest) {
        // The wording of its own clause: "年利率12%，综合年化成本15%" discloses only the 15%.
        let start = super::context::clause_start(text, rate.span.start, 30);
        let wording = text.get(start..rate.span.end).unwrap_or("");
        let is_disclosure = contains_any(wording, DISCLOSURE_WORDS);
        let annual = percent_to_fraction(match rate.period {
            Period::Annual | Period::Monthly | Period::Daily => rate.annualised,
            Period::Unknown => rate.value,
        });
        if is_disclosure {
            if disclosed.is_none() {
                disclosed = Some(annual);
                disclosed_is_all_in = contains_any(sentence(text, &rate.span), ALL_IN_WORDS);
            }
        } else {
            nominal = nominal.or(Some(annual));
        }
    }
    if nominal.is_none() && !disclosed_is_all_in && !contains_any(text, INTEREST_FREE_WORDS) {
        nominal = disclosed;
    }
    (nominal, disclosed)
}

const DISCLOSURE_WORDS: &[&str] = &[
    "年化",
    "APR",
    "综合成本",
    "实际利率",
    "annual percentage rate",
    "Annual Percentage Rate",
    "ANNUAL PERCENTAGE RATE",
];
/// A disclosed rate said with these is the cost with the fees in it, not the interest rate.
const ALL_IN_WORDS: &[&str] = &[
    "综合",
    "实际",
    "IRR",
    "含",
    "包括",
    "包含",
    "费率",
    "费用",
    "手续费",
    "服务费",
];
const INTEREST_FREE_WORDS: &[&str] = &[
    "不收取利息",
    "不计利息",
    "不计息",
    "免息",
    "无息",
    "零利息",
    "0利息",
    "利息为0",
    "利息为零",
];

/// A monthly fee rate (月费率, 每月服务费率) not about late payment; an annual fee rate counts
/// as a twelfth a month.
fn find_monthly_fee_rate(text: &str, facts: &Facts) -> Option<Decimal> {
    facts
        .rates
        .iter()
        .filter(|r| r.kind == RateKind::Fee)
        .filter(|r| !contains_any(sentence(text, &r.span), DEDUCTION_WORDS))
        .find_map(|r| match r.period {
            Period::Monthly => Some(percent_to_fraction(r.value)),
            Period::Annual => Some(percent_to_fraction(r.value) / Decimal::from(12)),
            _ => None,
        })
}

/// Fees taken out of the principal when it is paid out: amounts in sentences that name a fee
/// and a deduction, fee rates of the principal in such sentences, or the principal less an
/// amount actually received (实际到账 / 实际放款).
fn find_upfront_fee(text: &str, facts: &Facts, principal: Option<Decimal>) -> Option<Decimal> {
    let is_deduction = |s: &str| contains_any(s, FEE_WORDS) && contains_any(s, DEDUCTION_WORDS);
    let mut seen: Vec<&str> = Vec::new();
    let mut total = Decimal::ZERO;
    for money in &facts.money {
        let s = sentence(text, &money.span);
        let lead = lead_in(text, &money.span);
        if is_deduction(s)
            && !contains_any(lead, PRINCIPAL_WORDS)
            && Some(money.amount) != principal
        {
            total = total.checked_add(money.amount)?;
            seen.push(s);
        }
    }
    if let Some(principal) = principal {
        for rate in facts.rates.iter().filter(|r| r.period == Period::Unknown) {
            let s = sentence(text, &rate.span);
            if is_deduction(s) && !seen.contains(&s) {
                let fee = principal.checked_mul(percent_to_fraction(rate.value))?;
                total = total.checked_add(fee.round_dp(2))?;
            }
        }
        if total.is_zero() {
            let received = facts.money.iter().find(|m| {
                contains_any(
                    lead_in(text, &m.span),
                    &[
                        "实际到账",
                        "实际放款",
                        "实际发放",
                        "到账金额",
                        "实际收到",
                        "实际取得",
                    ],
                )
            });
            if let Some(received) = received.filter(|m| m.amount < principal) {
                total = principal.checked_sub(received.amount)?;
            }
        }
    }
    (!total.is_zero()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::extract;

    fn terms(text: &str) -> ContractLoanTerms {
        find_loan_terms(text, &extract(text, &[]))
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn an_amortising_loan_with_a_service_fee_taken_at_disbursement() {
        let text = "借款合同\n第一条 借款金额：人民币壹万元整（¥10,000.00）。\n\
                    第二条 借款期限：12个月，自2024年1月15日起至2025年1月14日止。\n\
                    第三条 借款利率：年利率12%，还款方式为等额本息，按月还款。\n\
                    第四条 服务费：借款人应支付服务费人民币1,000元，该服务费在放款时从借款本金中直接扣除。\n\
                    第五条 本合同年化利率（单利）为12%。\n";
        let t = terms(text);
        assert_eq!(t.principal, Some(dec("10000")));
        assert_eq!(t.months, Some(12));
        assert_eq!(t.method, Some(RepaymentMethod::EqualInstallment));
        assert_eq!(t.annual_rate, Some(dec("0.12")));
        assert_eq!(t.upfront_fee, Some(dec("1000")));
        assert_eq!(t.disclosed_apr, Some(dec("0.12")));
        let apr = implied_apr(&t).unwrap();
        assert_eq!(format!("{:.2}", apr.apr_percent()), "32.50");
        assert_eq!(apr.method, Method::IrrNominal);
    }

    #[test]
    fn a_monthly_fee_product_in_installments() {
        let text = "分期借款协议\n借款本金为10000元，分12期偿还，每期应还本金833.33元。\n\
                    月费率为0.5%，按借款本金计收，每月随本金一并支付。\n逾期罚息按日万分之五计收。\n";
        let t = terms(text);
        assert_eq!(t.principal, Some(dec("10000")));
        assert_eq!(t.months, Some(12));
        assert_eq!(t.monthly_fee_rate, Some(dec("0.005")));
        assert_eq!(t.annual_rate, None);
        assert_eq!(t.upfront_fee, None);
        let apr = implied_apr(&t).unwrap();
        assert_eq!(format!("{:.2}", apr.apr_percent()), "10.90");
    }

    #[test]
    fn a_ticked_method_box_and_an_amount_actually_received() {
        let text = "还款方式：□等额本息 ☑先息后本 □等额本金\n贷款金额：50,000元；贷款期限：1年。\n\
                    月利率1%。借款人实际到账金额为45,000元。\n";
        let t = terms(text);
        assert_eq!(t.method, Some(RepaymentMethod::InterestOnly));
        assert_eq!(t.principal, Some(dec("50000")));
        assert_eq!(t.months, Some(12));
        assert_eq!(t.annual_rate, Some(dec("0.12")));
        assert_eq!(t.upfront_fee, Some(dec("5000")));
        let apr = implied_apr(&t).unwrap();
        assert!(apr.apr_percent() > 20.0, "{}", apr.apr_percent());
    }

    #[test]
    fn a_fee_rate_of_the_principal_deducted_in_advance() {
        let text = "借款金额：人民币20000元。借款期限：24个月，还款方式：等额本金。\n\
                    年利率为10%。平台服务费按借款金额的5%收取，于放款时预先扣除。\n";
        let t = terms(text);
        assert_eq!(t.principal, Some(dec("20000")));
        assert_eq!(t.months, Some(24));
        assert_eq!(t.method, Some(RepaymentMethod::EqualPrincipal));
        assert_eq!(t.annual_rate, Some(dec("0.1")));
        assert_eq!(t.upfront_fee, Some(dec("1000")));
    }

    #[test]
    fn a_nominal_rate_and_a_disclosed_rate_in_one_sentence() {
        let text = "贷款本金：30,000元，期限为36期，日利率0.05%，综合年化成本18.25%。";
        let t = terms(text);
        assert_eq!(t.principal, Some(dec("30000")));
        assert_eq!(t.months, Some(36));
        assert_eq!(t.annual_rate, Some(dec("0.1825")));
        assert_eq!(t.disclosed_apr, Some(dec("0.1825")));
        assert_eq!(t.method, None);
        // 等额本息 assumed: the IRR of an amortising 18.25% loan is 18.25% (to cents).
        let apr = implied_apr(&t).unwrap();
        assert!(
            (apr.apr_percent() - 18.25).abs() < 0.01,
            "{}",
            apr.apr_percent()
        );
    }

    #[test]
    fn nothing_to_compute_without_a_price() {
        let t = terms("借款金额：10000元，借款期限12个月。");
        assert_eq!(t.principal, Some(dec("10000")));
        assert_eq!(t.months, Some(12));
        assert_eq!(implied_apr(&t), None);
    }
}
