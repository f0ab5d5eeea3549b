//! `loanlint apr FILE` (a schedule of dated advances and payments) and the quick form
//! `loanlint apr --principal … --months …` for the common Chinese products.

use super::{emit, AprArgs, Format};
use anyhow::{bail, Context as _};
use loanlint::apr::{
    build_schedule, compute_apr, AprOptions, AprResult, Date, Flow, LoanTerms, Method,
    RepaymentMethod, Schedule, UnitPeriod,
};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use std::path::Path;
use std::process::ExitCode;
use std::str::FromStr;

/// A schedule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleFile {
    advances: Vec<Flow>,
    payments: Vec<Flow>,
    /// Parsed after the file (to report the key's own line: serde_yaml places errors in a
    /// top-level value at the start of the document).
    #[serde(default)]
    unit_period: Option<String>,
    #[serde(default)]
    method: Option<String>,
    /// When the finance charge starts to be earned, if later than the first advance.
    #[serde(default)]
    term_start: Option<Date>,
}

pub(super) fn run(args: &AprArgs) -> anyhow::Result<ExitCode> {
    let (schedule, options, terms) = match &args.file {
        Some(path) => {
            let (file, text) = read_schedule_file(path)?;
            let file_method = parse_key::<Method>(path, &text, "method", file.method.as_deref())?;
            let file_unit =
                parse_key::<UnitPeriod>(path, &text, "unit_period", file.unit_period.as_deref())?;
            let options = AprOptions {
                method: args.apr_method.or(file_method).unwrap_or_default(),
                unit_period: args.unit_period.or(file_unit),
                term_start: file.term_start,
            };
            let schedule = Schedule {
                advances: file.advances,
                payments: file.payments,
            };
            (schedule, options, None)
        }
        None => {
            let terms = quick_terms(args)?;
            let start = Date::new(2024, 1, 15).context("the start date")?;
            let schedule = build_schedule(&terms, start)?;
            let options = AprOptions {
                method: args.apr_method.unwrap_or(Method::IrrNominal),
                unit_period: args.unit_period,
                term_start: None,
            };
            (schedule, options, Some(terms))
        }
    };
    let result = compute_apr(&schedule, &options)?;
    let text = match args.format {
        Format::Human => render_human(&result, &schedule, terms.as_ref()),
        Format::Json => render_json(&result, &schedule, terms.as_ref()),
    };
    emit(&text, None)?;
    Ok(ExitCode::SUCCESS)
}

/// A top-level string setting of the schedule file, parsed; errors name the key's line.
fn parse_key<T>(
    path: &Path,
    text: &str,
    key: &str,
    value: Option<&str>,
) -> anyhow::Result<Option<T>>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let Some(value) = value else {
        return Ok(None);
    };
    value.parse().map(Some).map_err(|e| {
        let line = text
            .lines()
            .position(|l| {
                let l = l.trim_start().trim_start_matches(['"', '{', ',', ' ']);
                l.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start_matches('"').trim_start().starts_with(':'))
            })
            .map_or(String::new(), |i| format!(":{}", i + 1));
        anyhow::anyhow!("{}{line}: {key}: {e}", path.display())
    })
}

/// JSON files are read as JSON (its own error messages), anything else as YAML.
fn read_schedule_file(path: &Path) -> anyhow::Result<(ScheduleFile, String)> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {shown}"))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed = if is_json {
        serde_json::from_str(&text).map_err(|e| {
            let message = e.to_string();
            let message = strip_location(&message);
            anyhow::anyhow!("{shown}:{}:{}: {message}", e.line(), e.column())
        })?
    } else {
        loanlint::yaml::from_str(&text).map_err(|e| {
            let message = strip_location(&e.message);
            match (e.line, e.column) {
                (Some(line), Some(column)) => anyhow::anyhow!("{shown}:{line}:{column}: {message}"),
                _ => anyhow::anyhow!("{shown}: {message}"),
            }
        })?
    };
    Ok((parsed, text))
}

/// Parser messages end in " at line L column C"; the location is shown in front instead.
fn strip_location(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    }
}

fn quick_terms(args: &AprArgs) -> anyhow::Result<LoanTerms> {
    let (Some(principal), Some(months)) = (args.principal, args.months) else {
        bail!(
            "give a schedule file, or --principal and --months (with --rate, --monthly-fee or \
             --upfront-fee); see `loanlint apr --help`"
        );
    };
    let method = match args.method {
        Some(method) => method,
        // A fee on the original principal with no interest rate is 等本等费: equal principal.
        None if args.rate.is_none() && args.monthly_fee.is_some() => {
            RepaymentMethod::EqualPrincipal
        }
        None => RepaymentMethod::EqualInstallment,
    };
    Ok(LoanTerms {
        principal,
        months,
        annual_rate: args.rate.unwrap_or_default(),
        method,
        monthly_fee_rate: args.monthly_fee.unwrap_or_default(),
        upfront_fee: args.upfront_fee.unwrap_or_default(),
    })
}

fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The APR in percent to two decimals, as disclosed (9.69 for 9.69%).
fn apr_two_decimals(result: &AprResult) -> f64 {
    (result.apr_percent() * 100.0).round() / 100.0
}

fn render_human(result: &AprResult, schedule: &Schedule, terms: Option<&LoanTerms>) -> String {
    let mut out = format!(
        "APR                {:.2}%  ({})\n",
        result.apr_percent(),
        result.method.label()
    );
    out += &format!(
        "unit period        {} ({} a year)\n",
        result.unit_period,
        trim_number(result.periods_per_year)
    );
    if let Some(terms) = terms {
        out += &format!(
            "principal          {:.2}  ({}, {} months)\n",
            terms.principal,
            terms.method.chinese_name(),
            terms.months
        );
        out += &format!("amount received    {:.2}\n", cents(result.amount_financed));
        out += &payment_summary(schedule);
    } else {
        out += &format!("amount financed    {:.2}\n", cents(result.amount_financed));
    }
    out += &format!("finance charge     {:.2}\n", cents(result.finance_charge));
    out += &format!(
        "total of payments  {:.2}\n",
        cents(result.total_of_payments)
    );
    out
}

/// "payments           12, 883.33 (last 883.37)" for a built product schedule.
fn payment_summary(schedule: &Schedule) -> String {
    let amounts: Vec<Decimal> = schedule.payments.iter().map(|f| f.amount).collect();
    match (amounts.first(), amounts.last()) {
        (Some(first), Some(last)) if first != last => format!(
            "payments           {} × {first:.2} (last {last:.2})\n",
            amounts.len()
        ),
        (Some(first), _) => format!("payments           {} × {first:.2}\n", amounts.len()),
        _ => String::new(),
    }
}

/// 12 rather than 12.0; 8.111 for 365/45.
fn trim_number(x: f64) -> String {
    let text = format!("{x:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn money_number(amount: Decimal) -> serde_json::Value {
    cents(amount)
        .to_f64()
        .map_or(serde_json::Value::Null, serde_json::Value::from)
}

fn render_json(result: &AprResult, schedule: &Schedule, terms: Option<&LoanTerms>) -> String {
    let mut object = serde_json::json!({
        "apr": apr_two_decimals(result),
        "apr_unrounded": result.apr_percent(),
        "method": result.method.name(),
        "method_label": result.method.label(),
        "unit_period": result.unit_period.to_string(),
        "periods_per_year": result.periods_per_year,
        "periodic_rate": result.periodic_rate,
        "amount_financed": money_number(result.amount_financed),
        "finance_charge": money_number(result.finance_charge),
        "total_of_payments": money_number(result.total_of_payments),
        "payments": schedule.payments.len(),
    });
    if let (Some(terms), Some(map)) = (terms, object.as_object_mut()) {
        map.insert("principal".into(), money_number(terms.principal));
        map.insert("months".into(), terms.months.into());
        map.insert("repayment_method".into(), terms.method.name().into());
    }
    let mut text = serde_json::to_string_pretty(&object).unwrap_or_default();
    text.push('\n');
    text
}

/// An amount of money: `10000`, `10,000`, `¥10000`, `10000元`.
pub(super) fn parse_money(s: &str) -> Result<Decimal, String> {
    let cleaned: String = s
        .trim()
        .trim_start_matches(['¥', '￥', '$'])
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',' && *c != '_')
        .collect();
    Decimal::from_str(&cleaned).map_err(|_| format!("`{s}` is not an amount of money"))
}

/// A rate: `12%`, `0.5%`, `5‰` or a fraction below 1 (`0.12`); a bare `12` is refused, as it
/// may mean 12% or 1200%.
pub(super) fn parse_rate(s: &str) -> Result<Decimal, String> {
    let text = s.trim();
    let (number, divisor) = if let Some(n) = text.strip_suffix('%') {
        (n, Decimal::ONE_HUNDRED)
    } else if let Some(n) = text.strip_suffix('‰') {
        (n, Decimal::ONE_THOUSAND)
    } else {
        (text, Decimal::ONE)
    };
    let value = Decimal::from_str(number.trim()).map_err(|_| format!("`{s}` is not a rate"))?;
    if divisor == Decimal::ONE && value >= Decimal::ONE {
        return Err(format!(
            "`{s}` is ambiguous: write it as a percentage (`{text}%`) or as a fraction below 1"
        ));
    }
    Ok(value / divisor)
}
