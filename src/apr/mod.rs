//! The cost of credit: the APR of a schedule of dated advances and payments.
//!
//! Methods: the actuarial method and the US Rule of US Regulation Z Appendix J (the periodic
//! rate over the unit period, times the unit periods in a year), and the IRR method of PBOC
//! announcement 〔2021〕3号 (the periodic IRR on the principal actually received, annualised
//! nominally or with compounding). [`products`] builds the schedules of the common Chinese
//! repayment methods; [`solve`] is the root finder all methods share.

mod date;
pub mod products;
mod solve;
mod unit;

#[cfg(test)]
mod tests;

pub use date::{Date, DateError};
pub use products::{build_schedule, product_apr, LoanTerms, RepaymentMethod, TermsError};
pub use unit::{infer_unit_period, UnitPeriod, UnitPeriodError};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One advance (money paid to the borrower) or payment (money paid by the borrower).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    pub date: Date,
    pub amount: Decimal,
}

/// The cash flows of a loan: what the borrower receives and what they pay back, with dates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub advances: Vec<Flow>,
    pub payments: Vec<Flow>,
}

impl Schedule {
    /// The amount financed: every advance, net of fees taken out of it (None if the sum is
    /// too large for a Decimal).
    pub fn total_advanced(&self) -> Option<Decimal> {
        checked_total(&self.advances)
    }

    pub fn total_of_payments(&self) -> Option<Decimal> {
        checked_total(&self.payments)
    }

    /// The cost of the credit in money: what is paid back beyond what was received.
    pub fn finance_charge(&self) -> Option<Decimal> {
        self.total_of_payments()?
            .checked_sub(self.total_advanced()?)
    }
}

fn checked_total(flows: &[Flow]) -> Option<Decimal> {
    flows
        .iter()
        .try_fold(Decimal::ZERO, |sum, f| sum.checked_add(f.amount))
}

/// How the rate is computed and annualised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Method {
    /// Regulation Z Appendix J actuarial method: compound over whole unit periods, simple
    /// interest over a fraction; APR = periodic rate × unit periods per year.
    #[default]
    Actuarial,
    /// The United States Rule: simple interest per payment period; payments go to interest
    /// first, and unpaid interest is carried without earning interest.
    UsRule,
    /// PBOC 〔2021〕3号: periodic IRR × periods per year (the nominal annual rate).
    IrrNominal,
    /// The periodic IRR compounded over a year: (1 + i)^periods − 1.
    IrrEffective,
}

impl Method {
    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Method::Actuarial => "actuarial",
            Method::UsRule => "us-rule",
            Method::IrrNominal => "irr-nominal",
            Method::IrrEffective => "irr-effective",
        }
    }

    /// What the figure is, for a reader: the method and its source.
    pub fn label(self) -> &'static str {
        match self {
            Method::Actuarial => "actuarial method, Regulation Z Appendix J",
            Method::UsRule => "US Rule method, Regulation Z Appendix J",
            Method::IrrNominal => "IRR method, nominal annual rate (PBOC 〔2021〕3号)",
            Method::IrrEffective => "IRR method, effective annual rate (compounded)",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an APR method; use actuarial, us-rule, irr-nominal or irr-effective")]
pub struct MethodError(pub String);

impl FromStr for Method {
    type Err = MethodError;

    fn from_str(s: &str) -> Result<Method, MethodError> {
        let name = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        match name.as_str() {
            "actuarial" | "appendix-j" | "reg-z" => Ok(Method::Actuarial),
            "us-rule" | "usrule" | "united-states-rule" => Ok(Method::UsRule),
            "irr-nominal" | "irr" | "pboc" => Ok(Method::IrrNominal),
            "irr-effective" | "effective" => Ok(Method::IrrEffective),
            _ => Err(MethodError(s.to_string())),
        }
    }
}

/// Choices for [`compute_apr`]; the default is the actuarial method with the unit period
/// inferred and the term starting at the first advance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AprOptions {
    pub method: Method,
    pub unit_period: Option<UnitPeriod>,
    /// When the finance charge starts to be earned, if later than the first advance.
    pub term_start: Option<Date>,
}

/// An APR with what it was computed from, labelled with its method.
#[derive(Debug, Clone, PartialEq)]
pub struct AprResult {
    pub method: Method,
    /// The annual rate as a fraction (0.0969 for 9.69%).
    pub apr: f64,
    /// The rate per unit period that solves the method's equation.
    pub periodic_rate: f64,
    pub unit_period: UnitPeriod,
    pub periods_per_year: f64,
    pub amount_financed: Decimal,
    pub total_of_payments: Decimal,
    pub finance_charge: Decimal,
}

impl AprResult {
    /// The APR in percent (9.69 for 9.69%), unrounded.
    pub fn apr_percent(&self) -> f64 {
        self.apr * 100.0
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AprError {
    #[error("the schedule has no advance (no money paid to the borrower)")]
    NoAdvances,
    #[error("the schedule has no payment")]
    NoPayments,
    #[error("{kind} of {amount} on {date} is negative; amounts are positive sums of money")]
    NegativeAmount {
        kind: &'static str,
        date: Date,
        amount: Decimal,
    },
    #[error("{date} is before the start of the term on {start}")]
    DateBeforeTermStart { date: Date, start: Date },
    #[error("a date is too far from the start of the term to count unit periods")]
    DateOutOfRange,
    #[error(
        "the payments ({total_of_payments}) are less than the amount advanced \
         ({amount_financed}): there is no finance charge and no positive APR"
    )]
    PaymentsBelowAdvances {
        total_of_payments: Decimal,
        amount_financed: Decimal,
    },
    #[error("no rate makes the payments worth the advances (the cash flows change sign in a way no APR fits)")]
    NoRate,
    #[error("an amount is too large to compute with")]
    AmountTooLarge,
}

/// The APR of `schedule` by `options.method`.
///
/// A schedule that pays back exactly what it advanced has an APR of 0; one that pays back
/// less has none ([`AprError::PaymentsBelowAdvances`]).
pub fn compute_apr(schedule: &Schedule, options: &AprOptions) -> Result<AprResult, AprError> {
    check_amounts(schedule)?;
    let start = term_start(schedule, options)?;
    let unit = match options.unit_period {
        Some(unit) => unit,
        None => infer_unit_period(schedule, start)?,
    };
    let amount_financed = schedule.total_advanced().ok_or(AprError::AmountTooLarge)?;
    let total_of_payments = schedule
        .total_of_payments()
        .ok_or(AprError::AmountTooLarge)?;
    let finance_charge = total_of_payments
        .checked_sub(amount_financed)
        .ok_or(AprError::AmountTooLarge)?;
    if finance_charge < Decimal::ZERO {
        return Err(AprError::PaymentsBelowAdvances {
            total_of_payments,
            amount_financed,
        });
    }
    let flows = timed_flows(schedule, start, unit)?;
    let scale = amount_financed.to_f64().ok_or(AprError::AmountTooLarge)?;
    let periodic_rate = if finance_charge.is_zero() {
        0.0
    } else {
        match options.method {
            Method::Actuarial => solve::positive_root(|i| actuarial_gap(&flows, i) / scale)?,
            Method::UsRule => solve::positive_root(|i| -us_rule_balance(&flows, i) / scale)?,
            Method::IrrNominal | Method::IrrEffective => {
                solve::positive_root(|i| compound_gap(&flows, i) / scale)?
            }
        }
    };
    let periods_per_year = unit.periods_per_year();
    let apr = match options.method {
        Method::IrrEffective => (periods_per_year * periodic_rate.ln_1p()).exp_m1(),
        _ => periodic_rate * periods_per_year,
    };
    Ok(AprResult {
        method: options.method,
        apr,
        periodic_rate,
        unit_period: unit,
        periods_per_year,
        amount_financed,
        total_of_payments,
        finance_charge,
    })
}

fn check_amounts(schedule: &Schedule) -> Result<(), AprError> {
    if schedule.advances.iter().all(|f| f.amount.is_zero()) {
        return Err(AprError::NoAdvances);
    }
    if schedule.payments.iter().all(|f| f.amount.is_zero()) {
        return Err(AprError::NoPayments);
    }
    let negative = |kind: &'static str, flows: &[Flow]| {
        flows
            .iter()
            .find(|f| f.amount < Decimal::ZERO)
            .map(|f| AprError::NegativeAmount {
                kind,
                date: f.date,
                amount: f.amount,
            })
    };
    match negative("an advance", &schedule.advances)
        .or_else(|| negative("a payment", &schedule.payments))
    {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// The term begins at the first advance, or later if the finance charge is earned from a later
/// date (Appendix J (b)(2)); a flow dated before a given start is an error.
fn term_start(schedule: &Schedule, options: &AprOptions) -> Result<Date, AprError> {
    let first_advance = schedule
        .advances
        .iter()
        .map(|f| f.date)
        .min()
        .ok_or(AprError::NoAdvances)?;
    let start = options.term_start.unwrap_or(first_advance);
    let earliest = schedule
        .advances
        .iter()
        .chain(&schedule.payments)
        .map(|f| f.date)
        .min()
        .unwrap_or(start);
    if earliest < start {
        return Err(AprError::DateBeforeTermStart {
            date: earliest,
            start,
        });
    }
    Ok(start)
}

/// A flow placed in time: whole unit periods and a fraction from the start of the term.
/// `amount` is positive for payments and negative for advances.
#[derive(Debug, Clone, Copy)]
struct TimedFlow {
    whole: f64,
    fraction: f64,
    amount: f64,
}

impl TimedFlow {
    fn time(&self) -> f64 {
        self.whole + self.fraction
    }
}

fn timed_flows(
    schedule: &Schedule,
    start: Date,
    unit: UnitPeriod,
) -> Result<Vec<TimedFlow>, AprError> {
    let series_day = series_day(schedule);
    let first_payment = schedule
        .payments
        .iter()
        .filter(|f| !f.amount.is_zero() && f.date >= start)
        .map(|f| f.date)
        .min();
    let first_position = match first_payment {
        Some(date) => Some((date, unit.span(start, date, series_day)?)),
        None => None,
    };
    let place = |flow: &Flow, sign: f64| -> Result<TimedFlow, AprError> {
        let (whole, fraction) = match first_position {
            // The odd first period is counted once; later flows are whole unit periods (and
            // any odd days) after the first payment, so a regular semimonthly series stays
            // regular through 31-day months.
            Some((first, (w1, f1))) if flow.date > first => {
                let (w2, f2) = unit.span(first, flow.date, series_day)?;
                let fraction = f1 + f2;
                let carry = fraction.floor();
                (w1 + w2 + carry as u64, fraction - carry)
            }
            _ => unit.span(start, flow.date, series_day)?,
        };
        let amount = flow.amount.to_f64().ok_or(AprError::AmountTooLarge)?;
        Ok(TimedFlow {
            whole: whole as f64,
            fraction,
            amount: sign * amount,
        })
    };
    let mut flows = schedule
        .advances
        .iter()
        .map(|f| place(f, -1.0))
        .chain(schedule.payments.iter().map(|f| place(f, 1.0)))
        .collect::<Result<Vec<_>, _>>()?;
    // In time order, advances before payments on the same day (for the US Rule's balance).
    flows.sort_by(|a, b| {
        a.time()
            .total_cmp(&b.time())
            .then(a.amount.total_cmp(&b.amount))
    });
    Ok(flows)
}

/// The day of the month a monthly series of payments is scheduled for, when it is late in the
/// month and some payments fall on the last day of a shorter month instead: 31 for month ends,
/// 30 for a series on the 30th (28 February standing for 30 February). None when the
/// payments late in a month disagree.
fn series_day(schedule: &Schedule) -> Option<u8> {
    let late = || {
        schedule
            .payments
            .iter()
            .map(|f| f.date)
            .filter(|d| d.day() >= 28)
    };
    let day = late().map(Date::day).max()?;
    late()
        .all(|d| d.day() == day || d.is_last_day_of_month())
        .then_some(day)
}

/// Appendix J's general equation, payments minus advances each discounted by
/// (1 + f·i)(1 + i)^t: positive while `i` is below the APR.
fn actuarial_gap(flows: &[TimedFlow], i: f64) -> f64 {
    let log_growth = i.ln_1p();
    flows
        .iter()
        .map(|f| f.amount / ((1.0 + f.fraction * i) * (f.whole * log_growth).exp()))
        .sum()
}

/// Payments minus advances discounted with compounding over fractions too (the IRR).
fn compound_gap(flows: &[TimedFlow], i: f64) -> f64 {
    let log_growth = i.ln_1p();
    flows
        .iter()
        .map(|f| f.amount * (-f.time() * log_growth).exp())
        .sum()
}

/// What the borrower still owes after the last flow under the US Rule at rate `i` per unit
/// period: interest is simple between flows, payments settle accrued interest first, and
/// interest left unpaid is carried without itself earning interest.
fn us_rule_balance(flows: &[TimedFlow], i: f64) -> f64 {
    let mut principal = 0.0;
    let mut unpaid_interest = 0.0;
    let mut last_time = 0.0;
    for flow in flows {
        unpaid_interest += principal * i * (flow.time() - last_time);
        last_time = flow.time();
        if flow.amount < 0.0 {
            principal -= flow.amount;
        } else if flow.amount >= unpaid_interest {
            principal -= flow.amount - unpaid_interest;
            unpaid_interest = 0.0;
        } else {
            unpaid_interest -= flow.amount;
        }
    }
    principal + unpaid_interest
}

impl<'de> Deserialize<'de> for Method {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Method, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Method {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}
