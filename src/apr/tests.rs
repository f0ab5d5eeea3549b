//! Worked examples: Regulation Z Appendix J schedules and Chinese products. Expected figures
//! were computed independently (numpy-financial, or by construction at a known rate).

use super::*;
use rust_decimal::Decimal;
use std::str::FromStr;

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn money(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn flow(d: &str, amount: &str) -> Flow {
    Flow {
        date: date(d),
        amount: money(amount),
    }
}

/// `n` payments of `amount`, the first on `first`, then every `step` months.
fn monthly(first: &str, n: i64, step: i64, amount: &str) -> Vec<Flow> {
    (0..n)
        .map(|k| Flow {
            date: date(first).add_months(k * step, false).unwrap(),
            amount: money(amount),
        })
        .collect()
}

fn every_days(first: &str, n: i64, days: i64, amount: &str) -> Vec<Flow> {
    (0..n)
        .map(|k| Flow {
            date: date(first).add_days(k * days).unwrap(),
            amount: money(amount),
        })
        .collect()
}

fn apr_of(advances: Vec<Flow>, payments: Vec<Flow>, method: Method) -> AprResult {
    let schedule = Schedule { advances, payments };
    let options = AprOptions {
        method,
        ..AprOptions::default()
    };
    compute_apr(&schedule, &options).unwrap()
}

fn assert_close(actual: f64, expected: f64, tolerance: f64) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{actual} is not within {tolerance} of {expected}"
    );
}

#[test]
fn a_36_month_level_payment_loan_is_12_percent() {
    // $5,000 repaid in 36 monthly payments of $166.07 (numpy-financial: 11.99935%).
    let r = apr_of(
        vec![flow("2024-01-10", "5000")],
        monthly("2024-02-10", 36, 1, "166.07"),
        Method::Actuarial,
    );
    assert_eq!(r.unit_period, UnitPeriod::MONTH);
    assert_close(r.apr_percent(), 11.999_351_338, 1e-7);
    assert_eq!(r.finance_charge, money("978.52"));
    assert_eq!(r.total_of_payments, money("5978.52"));
    assert_eq!(r.amount_financed, money("5000"));
}

/// The present value at `i` a unit period of `payments` each placed `whole` + `fraction`
/// unit periods after the advance, by Appendix J's general equation.
fn appendix_j_value(payment: f64, i: f64, placements: &[(f64, f64)]) -> f64 {
    placements
        .iter()
        .map(|(t, f)| payment / ((1.0 + f * i) * (1.0 + i).powf(*t)))
        .sum()
}

#[test]
fn a_long_first_period_counts_leftover_days_over_30() {
    // Advanced 10 February (non-leap year), first of 48 payments on 1 April: one month back
    // from 1 April is 1 March, so the first period is 1 month and 19 days (t = 1, f = 19/30).
    // The advance is built to be worth exactly the payments at 1% a month.
    let placements: Vec<(f64, f64)> = (0..48).map(|k| (1.0 + k as f64, 19.0 / 30.0)).collect();
    let advance = appendix_j_value(150.0, 0.01, &placements);
    let advance = format!("{advance:.6}");
    let r = apr_of(
        vec![flow("2023-02-10", &advance)],
        monthly("2023-04-01", 48, 1, "150"),
        Method::Actuarial,
    );
    assert_eq!(r.unit_period, UnitPeriod::MONTH);
    assert_close(r.periodic_rate, 0.01, 1e-9);
    assert_close(r.apr_percent(), 12.0, 1e-7);
}

#[test]
fn a_short_first_period_is_a_fraction_only() {
    // Advanced 20 January, payments on the 1st from 1 February: 12 days, f = 12/30, t = 0.
    let placements: Vec<(f64, f64)> = (0..24).map(|k| (k as f64, 12.0 / 30.0)).collect();
    let advance = format!("{:.6}", appendix_j_value(500.0, 0.015, &placements));
    let r = apr_of(
        vec![flow("2024-01-20", &advance)],
        monthly("2024-02-01", 24, 1, "500"),
        Method::Actuarial,
    );
    assert_close(r.apr_percent(), 18.0, 1e-7);
}

#[test]
fn single_advance_single_payment_uses_the_term_as_unit_period() {
    // A year: $1,000 then $1,080 → 8%.
    let r = apr_of(
        vec![flow("2024-03-01", "1000")],
        vec![flow("2025-03-01", "1080")],
        Method::Actuarial,
    );
    assert_eq!(r.unit_period, UnitPeriod::YEAR);
    assert_close(r.apr_percent(), 8.0, 1e-9);
    // Six months: 3% for the half year → 6% a year.
    let r = apr_of(
        vec![flow("2024-03-01", "1000")],
        vec![flow("2024-09-01", "1030")],
        Method::Actuarial,
    );
    assert_eq!(r.unit_period, UnitPeriod::Months(6));
    assert_close(r.apr_percent(), 6.0, 1e-9);
    // 45 days: 1.5% × 365/45.
    let r = apr_of(
        vec![flow("2024-03-01", "1000")],
        vec![flow("2024-04-15", "1015")],
        Method::Actuarial,
    );
    assert_eq!(r.unit_period, UnitPeriod::Days(45));
    assert_close(r.apr_percent(), 1.5 * 365.0 / 45.0, 1e-9);
    // Two years: the unit period is capped at a year; 1000 → 1210 is 10% compounded.
    let r = apr_of(
        vec![flow("2024-03-01", "1000")],
        vec![flow("2026-03-01", "1210")],
        Method::Actuarial,
    );
    assert_eq!(r.unit_period, UnitPeriod::YEAR);
    assert_close(r.apr_percent(), 10.0, 1e-9);
}

#[test]
fn weekly_biweekly_semimonthly_and_quarterly_unit_periods_are_inferred() {
    let weekly = apr_of(
        vec![flow("2024-01-01", "1000")],
        every_days("2024-01-08", 26, 7, "40"),
        Method::Actuarial,
    );
    assert_eq!(weekly.unit_period, UnitPeriod::WEEK);
    assert_eq!(weekly.periods_per_year, 52.0);
    let biweekly = apr_of(
        vec![flow("2024-01-01", "1000")],
        every_days("2024-01-15", 26, 14, "40"),
        Method::Actuarial,
    );
    assert_eq!(biweekly.unit_period, UnitPeriod::Weeks(2));
    let quarterly = apr_of(
        vec![flow("2024-01-01", "1000")],
        monthly("2024-04-01", 8, 3, "140"),
        Method::Actuarial,
    );
    assert_eq!(quarterly.unit_period, UnitPeriod::QUARTER);
    assert_eq!(quarterly.periods_per_year, 4.0);
    // On the 1st and the 16th: intervals of 15 and 13 to 16 days, two to the month.
    let payments: Vec<Flow> = (0..24)
        .map(|k| {
            let month = date("2024-02-01").add_months(k / 2, false).unwrap();
            let d = if k % 2 == 0 {
                month
            } else {
                month.add_days(15).unwrap()
            };
            Flow {
                date: d,
                amount: money("45"),
            }
        })
        .collect();
    let semimonthly = apr_of(
        vec![flow("2024-01-16", "1000")],
        payments,
        Method::Actuarial,
    );
    assert_eq!(semimonthly.unit_period, UnitPeriod::Semimonth);
    assert_eq!(semimonthly.periods_per_year, 24.0);
}

#[test]
fn semimonthly_fractions_are_15_day_halves_of_months() {
    let (whole, fraction) = UnitPeriod::Semimonth
        .span(date("2024-01-10"), date("2024-03-01"), None)
        .unwrap();
    // 1 March back one month is 1 February; 10 January → 1 February is 22 days = 1 semimonth
    // and 7 days.
    assert_eq!(whole, 3);
    assert_close(fraction, 7.0 / 15.0, 1e-12);
}

#[test]
fn month_end_payments_are_measured_month_end_to_month_end() {
    // Advanced 31 January, paid on the last day of each month: every period is one month,
    // so the rate equals the regular annuity rate (numpy-financial: 12×rate(12, 88.85, 1000)).
    let payments: Vec<Flow> = (1..=12)
        .map(|k| Flow {
            date: date("2023-01-31").add_months(k, true).unwrap(),
            amount: money("88.85"),
        })
        .collect();
    let r = apr_of(
        vec![flow("2023-01-31", "1000")],
        payments,
        Method::Actuarial,
    );
    assert_eq!(r.unit_period, UnitPeriod::MONTH);
    assert_close(r.apr_percent(), 1200.0 * 0.010_002_157_784_648_469, 1e-7);
}

#[test]
fn us_rule_matches_actuarial_on_a_regular_schedule_and_differs_on_long_gaps() {
    let advances = vec![flow("2024-01-10", "5000")];
    let actuarial = apr_of(
        advances.clone(),
        monthly("2024-02-10", 36, 1, "166.07"),
        Method::Actuarial,
    );
    let us_rule = apr_of(
        advances,
        monthly("2024-02-10", 36, 1, "166.07"),
        Method::UsRule,
    );
    assert_close(us_rule.apr, actuarial.apr, 1e-12);
    // Payments every quarter with a monthly unit period given: the US Rule charges simple
    // interest over each quarter, so it needs a higher rate than compounding monthly.
    let schedule = Schedule {
        advances: vec![flow("2024-01-01", "1000")],
        payments: monthly("2024-04-01", 4, 3, "270"),
    };
    let options = |method| AprOptions {
        method,
        unit_period: Some(UnitPeriod::MONTH),
        term_start: None,
    };
    let compound = compute_apr(&schedule, &options(Method::Actuarial)).unwrap();
    let simple = compute_apr(&schedule, &options(Method::UsRule)).unwrap();
    assert!(
        simple.apr > compound.apr,
        "{} vs {}",
        simple.apr,
        compound.apr
    );
}

#[test]
fn us_rule_carries_unpaid_interest_without_compounding_it() {
    // 1000 at 1% a month: month 1 pays 5 (interest 10 accrues, 5 unpaid), month 2 pays
    // 1015 = 1000 + 10 + 5 → exactly 1% a month under the US Rule.
    let r = apr_of(
        vec![flow("2024-01-01", "1000")],
        vec![flow("2024-02-01", "5"), flow("2024-03-01", "1015")],
        Method::UsRule,
    );
    assert_close(r.periodic_rate, 0.01, 1e-12);
}

#[test]
fn monthly_fee_on_original_principal_is_about_10_90_percent() {
    // ¥10,000 over 12 months at 月费率 0.5%: 833.33 + 50 a month (last 833.37 + 50).
    // numpy-financial irr × 12 = 10.896347…; effective 11.457341…
    let terms = LoanTerms {
        principal: money("10000"),
        months: 12,
        monthly_fee_rate: money("0.005"),
        method: RepaymentMethod::EqualPrincipal,
        ..LoanTerms::default()
    };
    let schedule = build_schedule(&terms, date("2024-01-15")).unwrap();
    assert_eq!(schedule.payments.len(), 12);
    assert_eq!(schedule.payments[0].amount, money("883.33"));
    assert_eq!(schedule.payments[11].amount, money("883.37"));
    assert_eq!(schedule.payments[11].date, date("2025-01-15"));
    let nominal = product_apr(&terms, Method::IrrNominal).unwrap();
    assert_close(nominal.apr_percent(), 10.896_347_52, 1e-6);
    assert_eq!(format!("{:.2}", nominal.apr_percent()), "10.90");
    assert_eq!(nominal.finance_charge, money("600"));
    let effective = product_apr(&terms, Method::IrrEffective).unwrap();
    assert_close(effective.apr_percent(), 11.457_340_99, 1e-6);
    let actuarial = product_apr(&terms, Method::Actuarial).unwrap();
    assert_close(actuarial.apr, nominal.apr, 1e-12);
}

#[test]
fn a_fee_deducted_at_disbursement_raises_12_percent_to_32_50() {
    // ¥10,000 at 12% 等额本息 (888.49 a month, last 888.47), ¥1,000 kept back: the borrower
    // receives 9,000. numpy-financial irr × 12 = 32.49999%; effective 37.806%.
    let terms = LoanTerms {
        principal: money("10000"),
        months: 12,
        annual_rate: money("0.12"),
        upfront_fee: money("1000"),
        ..LoanTerms::default()
    };
    let schedule = build_schedule(&terms, date("2024-01-15")).unwrap();
    assert_eq!(schedule.advances[0].amount, money("9000"));
    assert_eq!(schedule.payments[0].amount, money("888.49"));
    assert_eq!(schedule.payments[11].amount, money("888.47"));
    let r = product_apr(&terms, Method::IrrNominal).unwrap();
    assert_close(r.apr_percent(), 32.499_986_39, 1e-6);
    assert_eq!(r.finance_charge, money("1661.86"));
    let effective = product_apr(&terms, Method::IrrEffective).unwrap();
    assert_close(effective.apr_percent(), 37.805_999_47, 1e-5);
    // Without the deduction it is the stated 12% (to rounding of the payment).
    let plain = LoanTerms {
        upfront_fee: Decimal::ZERO,
        ..terms
    };
    assert_close(
        product_apr(&plain, Method::IrrNominal)
            .unwrap()
            .apr_percent(),
        12.000_114_6,
        1e-6,
    );
}

#[test]
fn equal_principal_interest_only_and_bullet_schedules() {
    let base = LoanTerms {
        principal: money("12000"),
        months: 12,
        annual_rate: money("0.12"),
        ..LoanTerms::default()
    };
    let start = date("2024-01-31");
    let equal_principal = build_schedule(
        &LoanTerms {
            method: RepaymentMethod::EqualPrincipal,
            ..base
        },
        start,
    )
    .unwrap();
    // 1000 principal + 1% of the balance: 1120, 1110, … 1010.
    assert_eq!(equal_principal.payments[0].amount, money("1120"));
    assert_eq!(equal_principal.payments[1].amount, money("1110"));
    assert_eq!(equal_principal.payments[1].date, date("2024-03-31"));
    assert_eq!(equal_principal.payments[11].amount, money("1010"));
    let interest_only = build_schedule(
        &LoanTerms {
            method: RepaymentMethod::InterestOnly,
            ..base
        },
        start,
    )
    .unwrap();
    assert_eq!(interest_only.payments[0].amount, money("120"));
    assert_eq!(interest_only.payments[11].amount, money("12120"));
    let bullet_terms = LoanTerms {
        method: RepaymentMethod::Bullet,
        ..base
    };
    let bullet = build_schedule(&bullet_terms, start).unwrap();
    assert_eq!(bullet.total_of_payments(), Some(money("13440")));
    assert_eq!(bullet.payments[0].amount, money("13440"));
    assert_eq!(bullet.payments.len(), 1);
    // Simple interest for a year in one payment: 12% a year exactly (the unit period is the
    // year-long term), under both methods.
    let r = compute_apr(&bullet, &AprOptions::default()).unwrap();
    assert_eq!(r.unit_period, UnitPeriod::YEAR);
    assert_close(r.apr_percent(), 12.0, 1e-9);
    let r = product_apr(&bullet_terms, Method::IrrNominal).unwrap();
    assert_close(r.apr_percent(), 12.0, 1e-9);
    for method in [
        RepaymentMethod::EqualPrincipal,
        RepaymentMethod::InterestOnly,
    ] {
        let r = product_apr(&LoanTerms { method, ..base }, Method::IrrNominal).unwrap();
        assert_close(r.apr_percent(), 12.0, 1e-9);
    }
}

#[test]
fn an_interest_free_loan_has_an_apr_of_zero() {
    let r = apr_of(
        vec![flow("2024-01-01", "1200")],
        monthly("2024-02-01", 12, 1, "100"),
        Method::Actuarial,
    );
    assert_eq!(r.apr, 0.0);
    assert_eq!(r.finance_charge, Decimal::ZERO);
}

#[test]
fn schedules_without_an_apr_are_typed_errors() {
    let compute =
        |advances, payments| compute_apr(&Schedule { advances, payments }, &AprOptions::default());
    assert!(matches!(
        compute(
            vec![flow("2024-01-01", "1000")],
            monthly("2024-02-01", 12, 1, "80")
        ),
        Err(AprError::PaymentsBelowAdvances { .. })
    ));
    assert_eq!(
        compute(vec![], monthly("2024-02-01", 2, 1, "80")),
        Err(AprError::NoAdvances)
    );
    assert_eq!(
        compute(vec![flow("2024-01-01", "100")], vec![]),
        Err(AprError::NoPayments)
    );
    assert!(matches!(
        compute(
            vec![flow("2024-01-01", "100")],
            vec![flow("2024-02-01", "-120")]
        ),
        Err(AprError::NegativeAmount { .. })
    ));
    assert!(matches!(
        compute(
            vec![flow("2024-02-01", "100")],
            vec![flow("2024-01-01", "120")]
        ),
        Err(AprError::DateBeforeTermStart { .. })
    ));
    // Everything repaid on the day it was lent: no time for any rate to work on.
    assert_eq!(
        compute(
            vec![flow("2024-02-01", "100")],
            vec![flow("2024-02-01", "120")]
        ),
        Err(AprError::NoRate)
    );
}

#[test]
fn extreme_schedules_converge() {
    // A payday loan: 100 lent, 130 back after 14 days: 30% for the 14-day term × 365/14.
    let r = apr_of(
        vec![flow("2024-01-01", "100")],
        vec![flow("2024-01-15", "130")],
        Method::Actuarial,
    );
    assert_eq!(r.unit_period, UnitPeriod::Days(14));
    assert_close(r.apr_percent(), 30.0 * 365.0 / 14.0, 1e-7);
    // The usual $15 per $100 for two weeks: 391.07%.
    let r = apr_of(
        vec![flow("2024-01-01", "100")],
        vec![flow("2024-01-15", "115")],
        Method::Actuarial,
    );
    assert_eq!(format!("{:.2}", r.apr_percent()), "391.07");
    // Thirty years of monthly payments at a tiny margin over the principal.
    let r = apr_of(
        vec![flow("2024-01-01", "300000")],
        monthly("2024-02-01", 360, 1, "833.34"),
        Method::Actuarial,
    );
    assert!(r.apr > 0.0 && r.apr < 1e-5, "{}", r.apr);
}

#[test]
fn terms_are_validated() {
    let terms = LoanTerms {
        principal: money("10000"),
        months: 12,
        upfront_fee: money("10000"),
        ..LoanTerms::default()
    };
    assert!(matches!(
        build_schedule(&terms, date("2024-01-01")),
        Err(TermsError::UpfrontFee { .. })
    ));
    let terms = LoanTerms {
        months: 0,
        upfront_fee: Decimal::ZERO,
        ..terms
    };
    assert_eq!(
        build_schedule(&terms, date("2024-01-01")),
        Err(TermsError::Months(0))
    );
}

#[test]
fn names_parse() {
    assert_eq!("4week".parse::<UnitPeriod>(), Ok(UnitPeriod::Weeks(4)));
    assert_eq!("2month".parse::<UnitPeriod>(), Ok(UnitPeriod::Months(2)));
    assert_eq!("quarter".parse::<UnitPeriod>(), Ok(UnitPeriod::QUARTER));
    assert_eq!("Semimonth".parse::<UnitPeriod>(), Ok(UnitPeriod::Semimonth));
    assert!("fortnightish".parse::<UnitPeriod>().is_err());
    assert_eq!(UnitPeriod::Weeks(4).to_string(), "4week");
    assert_eq!("us-rule".parse::<Method>(), Ok(Method::UsRule));
    assert_eq!(
        "等额本金".parse::<RepaymentMethod>(),
        Ok(RepaymentMethod::EqualPrincipal)
    );
}

#[test]
fn the_appendix_j_regular_monthly_example_is_9_69() {
    // $5,000 advanced, 24 monthly payments of $230 (numpy-financial: 9.685708%).
    let r = apr_of(
        vec![flow("2024-03-05", "5000")],
        monthly("2024-04-05", 24, 1, "230"),
        Method::Actuarial,
    );
    assert_close(r.apr_percent(), 9.685_708_062, 1e-7);
    assert_eq!(format!("{:.2}", r.apr_percent()), "9.69");
}

#[test]
fn multimonth_fractions_count_30_days_a_month() {
    // 4 months and 25 days back from 1 June: 1 quarter and 55/90.
    let (whole, fraction) = UnitPeriod::QUARTER
        .span(date("2024-01-07"), date("2024-06-01"), None)
        .unwrap();
    assert_eq!(whole, 1);
    assert_close(fraction, 55.0 / 90.0, 1e-12);
    // A year and 40 days: the days over 365.
    let (whole, fraction) = UnitPeriod::YEAR
        .span(date("2023-01-01"), date("2024-02-10"), None)
        .unwrap();
    assert_eq!(whole, 1);
    assert_close(fraction, 40.0 / 365.0, 1e-12);
    // A 30-day remainder in a 31-day month stays below a whole semimonth pair.
    let (whole, fraction) = UnitPeriod::Semimonth
        .span(date("2024-01-01"), date("2024-01-31"), None)
        .unwrap();
    assert_eq!((whole, fraction), (2, 0.0));
}

#[test]
fn quarterly_and_weekly_long_first_periods() {
    // Quarterly: advanced 7 January, 20 payments quarterly from 1 June (t = 1, f = 55/90).
    let placements: Vec<(f64, f64)> = (0..20).map(|k| (1.0 + k as f64, 55.0 / 90.0)).collect();
    let advance = format!("{:.6}", appendix_j_value(385.0, 0.0225, &placements));
    let r = apr_of(
        vec![flow("2024-01-07", &advance)],
        monthly("2024-06-01", 20, 3, "385"),
        Method::Actuarial,
    );
    assert_eq!(r.unit_period, UnitPeriod::QUARTER);
    assert_close(r.apr_percent(), 9.0, 1e-7);
    // Weekly: advanced on a Monday, 30 weekly payments from the Thursday of the next week
    // (10 days: t = 1, f = 3/7).
    let placements: Vec<(f64, f64)> = (0..30).map(|k| (1.0 + k as f64, 3.0 / 7.0)).collect();
    let advance = format!("{:.6}", appendix_j_value(17.6, 0.003, &placements));
    let r = apr_of(
        vec![flow("2024-01-01", &advance)],
        every_days("2024-01-11", 30, 7, "17.60"),
        Method::Actuarial,
    );
    assert_eq!(r.unit_period, UnitPeriod::WEEK);
    assert_close(r.apr_percent(), 0.3 * 52.0, 1e-6);
}

#[test]
fn a_series_on_the_30th_is_not_a_month_end_series() {
    // Advanced 30 January, 12 payments on the 30th (28/29 February): whole months throughout,
    // so the APR is the level-payment rate (numpy-financial: 12 × rate(12, 88.85, 1000)).
    let r = apr_of(
        vec![flow("2023-01-30", "1000")],
        monthly("2023-02-28", 1, 1, "88.85")
            .into_iter()
            .chain(monthly("2023-03-30", 11, 1, "88.85"))
            .collect(),
        Method::Actuarial,
    );
    assert_close(r.apr_percent(), 1200.0 * 0.010_002_157_784_648_469, 1e-7);
}

#[test]
fn a_semimonthly_series_with_a_short_first_period_keeps_its_fraction() {
    // Advanced 10 July; 24 payments on the 1st and 16th from 1 August. 10 July → 1 August is
    // 22 days: 1 semimonth and 7/15; every later payment is whole semimonths after the first.
    let placements: Vec<(f64, f64)> = (0..24).map(|k| (1.0 + k as f64, 7.0 / 15.0)).collect();
    let advance = format!("{:.6}", appendix_j_value(219.17, 0.005, &placements));
    let payments: Vec<Flow> = (0..24)
        .map(|k| {
            let month = date("2024-08-01").add_months(k / 2, false).unwrap();
            let d = if k % 2 == 0 {
                month
            } else {
                month.add_days(15).unwrap()
            };
            Flow {
                date: d,
                amount: money("219.17"),
            }
        })
        .collect();
    let r = apr_of(
        vec![flow("2024-07-10", &advance)],
        payments,
        Method::Actuarial,
    );
    assert_eq!(r.unit_period, UnitPeriod::Semimonth);
    assert_close(r.apr_percent(), 12.0, 1e-6);
}

#[test]
fn an_odd_last_payment_does_not_hide_a_semimonthly_series() {
    let mut payments: Vec<Flow> = (0..12)
        .map(|k| {
            let month = date("2024-02-01").add_months(k / 2, false).unwrap();
            let d = if k % 2 == 0 {
                month
            } else {
                month.add_days(15).unwrap()
            };
            Flow {
                date: d,
                amount: money("90"),
            }
        })
        .collect();
    payments.push(flow("2024-08-09", "30"));
    let r = apr_of(
        vec![flow("2024-01-16", "1000")],
        payments,
        Method::Actuarial,
    );
    assert_eq!(r.unit_period, UnitPeriod::Semimonth);
}
