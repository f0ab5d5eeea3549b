//! Loan terms in an English contract: "principal sum of USD 8,000.00", "36 equal monthly
//! installments", "29.99% per annum", "an origination fee of $400 will be deducted from the
//! loan proceeds", "amount financed", "ANNUAL PERCENTAGE RATE … 32.41%".

use super::{contains_any, percent_to_fraction, ContractLoanTerms};
use crate::apr::RepaymentMethod;
use crate::extract::{DurationUnit, Facts, Money, Period, RateKind};
use regex::Regex;
use rust_decimal::Decimal;
use std::ops::Range;
use std::sync::LazyLock;

/// Whether the contract is written in English: Latin letters far outnumber Chinese characters
/// (a Chinese contract may still say APP, LPR or APR).
pub(super) fn is_english(text: &str) -> bool {
    let (mut latin, mut han) = (0usize, 0usize);
    for c in text.chars() {
        if c.is_ascii_alphabetic() {
            latin += 1;
        } else if ('\u{4e00}'..='\u{9fff}').contains(&c) {
            han += 1;
        }
    }
    latin > 0 && han.saturating_mul(20) < latin
}

pub(super) fn find_terms(text: &str, facts: &Facts) -> ContractLoanTerms {
    let received = find_received(text, facts);
    let stated_principal = find_principal(text, facts);
    let fee = find_upfront_fee(text, facts, stated_principal, received);
    // A disclosure that gives only the amount financed and the fee: the principal is their sum.
    let principal = stated_principal.or_else(|| match (received, fee) {
        (Some(r), Some(f)) => r.checked_add(f),
        (Some(r), None) => Some(r),
        _ => None,
    });
    let (annual_rate, disclosed_apr) = find_rates(text, facts);
    ContractLoanTerms {
        principal,
        months: find_months(text, facts),
        method: find_method(text),
        annual_rate,
        monthly_fee_rate: None,
        upfront_fee: fee,
        disclosed_apr,
        payment: find_payment(text, facts),
    }
}

/// The amount of each monthly payment: an amount led by "monthly payments of",
/// "installments of", "monthly payment:".
fn find_payment(text: &str, facts: &Facts) -> Option<Decimal> {
    static LEAD: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"(?:payments?|installments?|instalments?|repayments?)(?:\s+amount)?\s*(?:of|:)\s*$",
        )
        .ok()
    });
    let re = LEAD.as_ref()?;
    facts
        .money
        .iter()
        .find(|m| {
            let lead = words_since_last_figure(text, facts, &m.span);
            re.is_match(&lead) && !contains_any(&lead, &["total of payments", "late", "final"])
        })
        .map(|m| m.amount)
}

/// The words before `span` in its sentence (at most 120 characters), lower-cased: a sentence
/// ends at ". ", ";", a blank line or a colon-less line break after a full stop.
fn lead(text: &str, span: &Range<usize>) -> String {
    let head = text.get(..span.start).unwrap_or("");
    let from = head.char_indices().rev().nth(120).map_or(0, |(i, _)| i);
    let window = head.get(from..).unwrap_or("");
    let cut = [". ", ".\n", ";", "\n\n"]
        .iter()
        .filter_map(|end| window.rfind(end).map(|i| i + end.len()))
        .max()
        .unwrap_or(0);
    window.get(cut..).unwrap_or("").to_lowercase()
}

/// The sentence holding `span`, lower-cased.
fn sentence(text: &str, span: &Range<usize>) -> String {
    let tail = text.get(span.end..).unwrap_or("");
    let end = [". ", ".\n", ";", "\n\n"]
        .iter()
        .filter_map(|e| tail.find(e))
        .min()
        .unwrap_or(tail.len());
    let rest = tail.get(..end).unwrap_or("").to_lowercase();
    let own = text.get(span.clone()).unwrap_or("").to_lowercase();
    format!("{}{own}{rest}", lead(text, span))
}

const PRINCIPAL_WORDS: &[&str] = &[
    "principal sum",
    "principal amount",
    "principal of",
    "principal:",
    "loan amount",
    "amount of the loan",
    "amount of loan",
    "amount of credit",
    "amount borrowed",
    "lend the borrower",
    "lend you",
    "loan of",
];
const RECEIVED_WORDS: &[&str] = &[
    "amount financed",
    "amount disbursed",
    "disbursed to",
    "net proceeds",
    "paid to you",
    "amount you receive",
    "you will receive",
    "amount received",
];
const FEE_WORDS: &[&str] = &["fee", "prepaid finance charge", "points", "discount"];
const DEDUCTION_WORDS: &[&str] = &[
    "deducted",
    "withheld",
    "netted",
    "retained",
    "from the loan proceeds",
    "from the proceeds",
    "out of the proceeds",
    "at funding",
    "at closing",
    "prepaid finance charge",
];
const PAYMENT_WORDS: &[&str] = &["installment", "instalment", "payment", "late", "per month"];

fn find_principal(text: &str, facts: &Facts) -> Option<Decimal> {
    facts
        .money
        .iter()
        .find(|m| {
            let lead = lead(text, &m.span);
            contains_any(&lead, PRINCIPAL_WORDS)
                && !contains_any(&lead, FEE_WORDS)
                && !contains_any(&lead, PAYMENT_WORDS)
                && !contains_any(&lead, RECEIVED_WORDS)
        })
        .map(|m| m.amount)
}

/// The amount financed or actually paid out; it is the amount the payments repay.
fn find_received(text: &str, facts: &Facts) -> Option<Decimal> {
    facts
        .money
        .iter()
        .find(|m| contains_any(&lead(text, &m.span), RECEIVED_WORDS))
        .map(|m| m.amount)
}

/// Fees taken out of the proceeds; failing that, the principal less the amount paid out.
fn find_upfront_fee(
    text: &str,
    facts: &Facts,
    principal: Option<Decimal>,
    received: Option<Decimal>,
) -> Option<Decimal> {
    let is_fee = |m: &&Money| {
        let lead = lead(text, &m.span);
        let sentence = sentence(text, &m.span);
        contains_any(&sentence, FEE_WORDS)
            && contains_any(&sentence, DEDUCTION_WORDS)
            && !contains_any(&lead, RECEIVED_WORDS)
            && !contains_any(&lead, PRINCIPAL_WORDS)
            && Some(m.amount) != principal
            && Some(m.amount) != received
    };
    let stated = facts
        .money
        .iter()
        .filter(is_fee)
        .try_fold(Decimal::ZERO, |sum, m| sum.checked_add(m.amount))?;
    if !stated.is_zero() {
        return Some(stated);
    }
    match (principal, received) {
        (Some(p), Some(r)) if r < p => Some(p - r),
        _ => None,
    }
}

/// "36 equal monthly installments", "thirty-six (36) monthly payments", "36 payments of",
/// or a term in months or years ("a term of 24 months").
fn find_months(text: &str, facts: &Facts) -> Option<u32> {
    static COUNT: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\(?(\d{1,3})\)?\s+(?:(?:equal|consecutive|successive|substantially\s+equal|level|regular|scheduled)\s+)*(?:monthly\s+)(?:installments?|instalments?|payments?|repayments?)|\(?(\d{1,3})\)?\s+(?:(?:equal|consecutive|level|regular)\s+)*(?:payments?|installments?|instalments?)\s+of\b",
        )
        .ok()
    });
    let counted = COUNT.as_ref().and_then(|re| {
        re.captures_iter(text)
            .filter_map(|c| c.get(1).or_else(|| c.get(2))?.as_str().parse::<u32>().ok())
            .find(|n| (1..=600).contains(n))
    });
    counted.or_else(|| {
        facts.durations.iter().find_map(|d| {
            let lead = lead(text, &d.span);
            if !contains_any(&lead, &["term", "duration", "period of", "repay", "over"]) {
                return None;
            }
            let months = match d.unit {
                DurationUnit::Month => d.amount,
                DurationUnit::Year => d.amount.checked_mul(Decimal::from(12))?,
                _ => return None,
            };
            super::whole_months(months)
        })
    })
}

fn find_method(text: &str) -> Option<RepaymentMethod> {
    let lower = text.to_lowercase();
    if contains_any(&lower, &["interest-only", "interest only"]) {
        Some(RepaymentMethod::InterestOnly)
    } else if contains_any(&lower, &["single payment", "lump sum", "one payment"]) {
        Some(RepaymentMethod::Bullet)
    } else {
        None
    }
}

/// [`lead`], cut after the amount or rate before `span` (in a table of figures, one per line,
/// each figure's label is the words since the previous one).
fn words_since_last_figure(text: &str, facts: &Facts, span: &Range<usize>) -> String {
    let previous_end = facts
        .rates
        .iter()
        .map(|r| r.span.end)
        .chain(facts.money.iter().map(|m| m.span.end))
        .filter(|&end| end <= span.start)
        .max()
        .unwrap_or(0);
    let since = text
        .get(previous_end..span.start)
        .unwrap_or("")
        .to_lowercase();
    let lead = lead(text, span);
    if since.chars().count() < lead.chars().count() {
        since
    } else {
        lead
    }
}

fn is_apr_wording(lead: &str) -> bool {
    static APR: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"annual percentage rate|\bapr\b").ok());
    APR.as_ref().is_some_and(|re| re.is_match(lead))
}

/// (nominal annual interest rate, disclosed APR) as fractions: the APR is the first rate of
/// any kind in a sentence that names the annual percentage rate; the nominal rate the first
/// interest rate outside one.
fn find_rates(text: &str, facts: &Facts) -> (Option<Decimal>, Option<Decimal>) {
    let mut nominal = None;
    let mut disclosed = None;
    for rate in &facts.rates {
        // The extractor may take a label into the rate's span ("APR: 41.2%").
        let own = text.get(rate.span.clone()).unwrap_or("").to_lowercase();
        let lead = words_since_last_figure(text, facts, &rate.span) + &own;
        let annual = percent_to_fraction(match rate.period {
            Period::Annual | Period::Monthly | Period::Daily => rate.annualised,
            Period::Unknown => rate.value,
        });
        if is_apr_wording(&lead) {
            disclosed = disclosed.or(Some(annual));
        } else if rate.kind == RateKind::Interest && !lead.contains("late") {
            nominal = nominal.or(Some(annual));
        }
    }
    (nominal, disclosed)
}

#[cfg(test)]
mod tests {
    use super::super::{find_loan_terms, implied_apr};
    use crate::extract::extract;
    use rust_decimal::Decimal;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn a_new_york_installment_loan_with_an_origination_fee() {
        let text = "1. Loan Amount. The Lender agrees to lend the Borrower the principal sum of USD 8,000.00\n\
            (eight thousand US dollars) (the \"Loan\"). An origination fee of USD 400.00 will be deducted\n\
            from the Loan proceeds at funding, so that the amount disbursed to the Borrower is USD 7,600.00.\n\n\
            2. Interest. The Loan bears interest at a fixed rate of 29.99% per annum, computed on the\n\
            basis of a 365-day year on the unpaid principal balance. The ANNUAL PERCENTAGE RATE, including\n\
            the origination fee, is 32.41%.\n\n\
            3. Repayment. The Borrower shall repay the Loan in 36 equal monthly installments of USD 339.58,\n\
            due on the 1st day of each month beginning April 1, 2025.\n\n\
            4. Late Charges. If any installment is more than 15 days late, the Borrower shall pay a late\n\
            charge of 5% of the installment or USD 25.00, whichever is greater.\n";
        let t = find_loan_terms(text, &extract(text, &[]));
        assert_eq!(t.principal, Some(dec("8000")));
        assert_eq!(t.upfront_fee, Some(dec("400")));
        assert_eq!(t.months, Some(36));
        assert_eq!(t.annual_rate, Some(dec("0.2999")));
        assert_eq!(t.disclosed_apr, Some(dec("0.3241")));
        let apr = implied_apr(&t).unwrap();
        assert_eq!(format!("{:.2}", apr.apr_percent()), "34.01");
    }

    #[test]
    fn a_truth_in_lending_box_with_the_amount_financed() {
        let text = "TRUTH IN LENDING DISCLOSURES\n\
            ANNUAL PERCENTAGE RATE: 12.00%\n\
            Amount Financed: $5,000.00\n\
            Interest rate: 12% per year.\n\
            Your payment schedule will be: 24 monthly payments of $235.37 beginning June 1, 2025.\n";
        let t = find_loan_terms(text, &extract(text, &[]));
        assert_eq!(t.principal, Some(dec("5000")));
        assert_eq!(t.upfront_fee, None);
        assert_eq!(t.months, Some(24));
        assert_eq!(t.annual_rate, Some(dec("0.12")));
        assert_eq!(t.disclosed_apr, Some(dec("0.12")));
        let apr = implied_apr(&t).unwrap();
        assert_eq!(format!("{:.2}", apr.apr_percent()), "12.00");
    }

    #[test]
    fn a_truth_in_lending_box_without_an_interest_rate_uses_its_payment_schedule() {
        let text = "ANNUAL PERCENTAGE RATE: 9.50%\n\
            Amount Financed: $5,000.00\n\
            Total of Payments: $5,509.68\n\
            Payment schedule: 24 monthly payments of $229.57, the first due July 1, 2025.\n";
        let t = find_loan_terms(text, &extract(text, &[]));
        assert_eq!(t.principal, Some(dec("5000")));
        assert_eq!(t.annual_rate, None);
        assert_eq!(t.payment, Some(dec("229.57")));
        assert_eq!(t.months, Some(24));
        let apr = implied_apr(&t).unwrap();
        assert_eq!(format!("{:.2}", apr.apr_percent()), "9.50");
        assert_eq!(apr.method, crate::apr::Method::Actuarial);
    }

    #[test]
    fn an_english_agreement_with_a_term_in_months_and_a_representative_apr() {
        let text = "Amount of credit: GBP 5,000.00\nDuration of the agreement: 24 months\n\
            Rate of interest: 34.9% per annum, fixed\nRepresentative APR: 41.2%\n";
        let t = find_loan_terms(text, &extract(text, &[]));
        assert_eq!(t.principal, Some(dec("5000")));
        assert_eq!(t.months, Some(24));
        assert_eq!(t.annual_rate, Some(dec("0.349")));
        assert_eq!(t.disclosed_apr, Some(dec("0.412")));
    }
}
