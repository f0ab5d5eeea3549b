//! Schedules of the common Chinese loan products, from their terms: 等额本息, 等额本金,
//! 先息后本, 到期一次性还本付息, a flat monthly fee on the original principal (等本等费 /
//! 月费率) and fees taken at disbursement (砍头息) or paid up front.

use super::{compute_apr, AprError, AprOptions, AprResult, Date, Flow, Method, Schedule};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;
use std::str::FromStr;

/// How the principal and interest are repaid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RepaymentMethod {
    /// 等额本息: level monthly payments of principal and interest (an annuity).
    #[default]
    EqualInstallment,
    /// 等额本金: equal principal each month plus interest on the balance.
    EqualPrincipal,
    /// 先息后本 / 按月付息、到期还本: interest monthly, all principal with the last payment.
    InterestOnly,
    /// 到期一次性还本付息: principal and simple interest in one payment at maturity.
    Bullet,
}

impl RepaymentMethod {
    pub fn name(self) -> &'static str {
        match self {
            RepaymentMethod::EqualInstallment => "equal-installment",
            RepaymentMethod::EqualPrincipal => "equal-principal",
            RepaymentMethod::InterestOnly => "interest-only",
            RepaymentMethod::Bullet => "bullet",
        }
    }

    pub fn chinese_name(self) -> &'static str {
        match self {
            RepaymentMethod::EqualInstallment => "等额本息",
            RepaymentMethod::EqualPrincipal => "等额本金",
            RepaymentMethod::InterestOnly => "先息后本",
            RepaymentMethod::Bullet => "到期一次性还本付息",
        }
    }
}

impl fmt::Display for RepaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a repayment method; use equal-installment (等额本息), equal-principal \
     (等额本金), interest-only (先息后本) or bullet (到期一次性还本付息)"
)]
pub struct RepaymentMethodError(pub String);

impl FromStr for RepaymentMethod {
    type Err = RepaymentMethodError;

    fn from_str(s: &str) -> Result<RepaymentMethod, RepaymentMethodError> {
        let name = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        match name.as_str() {
            "equal-installment" | "annuity" | "amortizing" | "等额本息" => {
                Ok(RepaymentMethod::EqualInstallment)
            }
            "equal-principal" | "等额本金" | "等本等息" => {
                Ok(RepaymentMethod::EqualPrincipal)
            }
            "interest-only" | "先息后本" | "按月付息" => Ok(RepaymentMethod::InterestOnly),
            "bullet" | "到期一次性还本付息" | "一次性还本付息" => {
                Ok(RepaymentMethod::Bullet)
            }
            _ => Err(RepaymentMethodError(s.to_string())),
        }
    }
}

/// A loan as a contract states it. Rates are fractions (0.12 for 12%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoanTerms {
    /// The principal the contract names (合同金额), before any deduction.
    pub principal: Decimal,
    /// Term in months; one payment a month.
    pub months: u32,
    /// Nominal annual interest rate (年利率); 0 for fee-only products.
    pub annual_rate: Decimal,
    pub method: RepaymentMethod,
    /// A fee each month on the original principal (月费率 / 等本等费), added to each payment.
    pub monthly_fee_rate: Decimal,
    /// Fees deducted from the principal at disbursement (砍头息) or paid at signing.
    pub upfront_fee: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TermsError {
    #[error("the principal must be positive and at most 10^12, not {0}")]
    Principal(Decimal),
    #[error("the term must be 1 to 600 months, not {0}")]
    Months(u32),
    #[error("the annual rate must be 0 to 1000%, not {0}")]
    Rate(Decimal),
    #[error("the monthly fee rate must be 0 to 100%, not {0}")]
    FeeRate(Decimal),
    #[error(
        "the upfront fee ({fee}) must be less than the principal ({principal}) and not negative"
    )]
    UpfrontFee { fee: Decimal, principal: Decimal },
    #[error("the schedule runs past the year 9999")]
    DateOutOfRange,
}

const MAX_MONTHS: u32 = 600;

impl LoanTerms {
    fn validate(&self) -> Result<(), TermsError> {
        if self.principal <= Decimal::ZERO || self.principal > Decimal::from(1_000_000_000_000u64) {
            return Err(TermsError::Principal(self.principal));
        }
        if !(1..=MAX_MONTHS).contains(&self.months) {
            return Err(TermsError::Months(self.months));
        }
        if self.annual_rate < Decimal::ZERO || self.annual_rate > Decimal::TEN {
            return Err(TermsError::Rate(self.annual_rate));
        }
        if self.monthly_fee_rate < Decimal::ZERO || self.monthly_fee_rate > Decimal::ONE {
            return Err(TermsError::FeeRate(self.monthly_fee_rate));
        }
        if self.upfront_fee < Decimal::ZERO || self.upfront_fee >= self.principal {
            return Err(TermsError::UpfrontFee {
                fee: self.upfront_fee,
                principal: self.principal,
            });
        }
        Ok(())
    }

    /// What the borrower actually receives: the principal less fees taken at disbursement.
    pub fn amount_received(&self) -> Decimal {
        self.principal - self.upfront_fee
    }
}

/// The dated schedule of `terms`: one advance of the amount received on `start`, and a payment
/// on the same day of each following month (clamped to short months); months with nothing to
/// pay (a bullet loan's) have no payment. Each payment is rounded
/// to the cent; the last one takes up the rounding, so the principal is repaid exactly.
pub fn build_schedule(terms: &LoanTerms, start: Date) -> Result<Schedule, TermsError> {
    terms.validate()?;
    let amounts = payment_amounts(terms);
    let payments = amounts
        .into_iter()
        .zip(1i64..)
        .map(|(amount, month)| {
            let date = start
                .add_months(month, false)
                .ok_or(TermsError::DateOutOfRange)?;
            Ok(Flow { date, amount })
        })
        .filter(|flow| flow.as_ref().map_or(true, |f| !f.amount.is_zero()))
        .collect::<Result<Vec<_>, TermsError>>()?;
    Ok(Schedule {
        advances: vec![Flow {
            date: start,
            amount: terms.amount_received(),
        }],
        payments,
    })
}

/// The APR of `terms` by `method` (IRR nominal for PBOC 〔2021〕3号) on its schedule; the unit
/// period is the month, or the term for a single payment at maturity.
pub fn product_apr(terms: &LoanTerms, method: Method) -> Result<AprResult, ProductAprError> {
    // Any start works: whole months from a mid-month day keep every period exactly one month.
    let start = Date::new(2024, 1, 15).ok_or(TermsError::DateOutOfRange)?;
    let schedule = build_schedule(terms, start)?;
    let options = AprOptions {
        method,
        unit_period: None,
        term_start: None,
    };
    Ok(compute_apr(&schedule, &options)?)
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProductAprError {
    #[error(transparent)]
    Terms(#[from] TermsError),
    #[error(transparent)]
    Apr(#[from] AprError),
}

fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Each month's payment: principal part + interest + the monthly fee.
fn payment_amounts(terms: &LoanTerms) -> Vec<Decimal> {
    let monthly_rate = terms.annual_rate / Decimal::from(12);
    let fee = cents(terms.principal * terms.monthly_fee_rate);
    let n = terms.months;
    let mut balance = terms.principal;
    let mut amounts = Vec::with_capacity(n as usize);
    let level = level_payment(terms.principal, monthly_rate, n);
    let equal_principal = cents(terms.principal / Decimal::from(n));
    for month in 1..=n {
        let last = month == n;
        let interest = cents(balance * monthly_rate);
        let principal_part = if last {
            balance
        } else {
            match terms.method {
                RepaymentMethod::EqualInstallment => (level - interest).max(Decimal::ZERO),
                RepaymentMethod::EqualPrincipal => equal_principal,
                RepaymentMethod::InterestOnly | RepaymentMethod::Bullet => Decimal::ZERO,
            }
            .min(balance)
        };
        let interest_paid = match terms.method {
            // Simple interest for the whole term, all at maturity.
            RepaymentMethod::Bullet if last => {
                cents(terms.principal * monthly_rate * Decimal::from(n))
            }
            RepaymentMethod::Bullet => Decimal::ZERO,
            _ => interest,
        };
        balance -= principal_part;
        amounts.push(principal_part + interest_paid + fee);
    }
    amounts
}

/// The annuity payment P·r / (1 − (1 + r)^−n), to the cent (P/n when r = 0).
fn level_payment(principal: Decimal, monthly_rate: Decimal, n: u32) -> Decimal {
    if monthly_rate.is_zero() {
        return cents(principal / Decimal::from(n));
    }
    // In f64: (1 + r)^n overflows Decimal for long terms at high rates; the payment itself
    // needs only cents.
    let p = principal.to_f64().unwrap_or(0.0);
    let r = monthly_rate.to_f64().unwrap_or(0.0);
    let payment = p * r / -(-f64::from(n) * r.ln_1p()).exp_m1();
    Decimal::from_f64(payment).map_or(principal, cents)
}
