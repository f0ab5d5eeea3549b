//! `loanlint apr`: schedule files (fixtures/apr/) and the quick form for Chinese products.

mod common;

use common::{stderr, stdout};
use std::path::Path;
use std::process::Output;

/// The binary, run in the repository (the schedule files are under fixtures/apr/).
fn loanlint(args: &[&str]) -> Output {
    common::loanlint(args, Path::new(env!("CARGO_MANIFEST_DIR")))
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = loanlint(args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("JSON output")
}

#[test]
fn a_schedule_file_prints_apr_unit_period_finance_charge_and_total() {
    let out = loanlint(&["apr", "fixtures/apr/level-36-months.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "APR                12.00%  (actuarial method, Regulation Z Appendix J)\n\
         unit period        month (12 a year)\n\
         amount financed    5000.00\n\
         finance charge     978.52\n\
         total of payments  5978.52\n"
    );
}

#[test]
fn json_output_has_the_same_fields_with_apr_in_percent() {
    let v = json(&[
        "apr",
        "--format",
        "json",
        "fixtures/apr/odd-first-period.yaml",
    ]);
    assert_eq!(v["apr"], 12.0);
    assert_eq!(v["unit_period"], "month");
    assert_eq!(v["method"], "actuarial");
    assert_eq!(v["finance_charge"], 1539.75);
    assert_eq!(v["total_of_payments"], 7200.0);
    assert_eq!(v["payments"], 48);
    let v = json(&[
        "apr",
        "--format",
        "json",
        "fixtures/apr/single-payment.yaml",
    ]);
    assert_eq!(v["apr"], 12.17);
    assert_eq!(v["unit_period"], "45 days");
}

#[test]
fn a_json_schedule_with_its_own_method() {
    let v = json(&[
        "apr",
        "--format",
        "json",
        "fixtures/apr/monthly-fee-0.5pct.json",
    ]);
    assert_eq!(v["apr"], 10.9);
    assert_eq!(v["method"], "irr-nominal");
    // --apr-method overrides the file's method.
    let v = json(&[
        "apr",
        "--format",
        "json",
        "--apr-method",
        "irr-effective",
        "fixtures/apr/monthly-fee-0.5pct.json",
    ]);
    assert_eq!(v["apr"], 11.46);
    assert_eq!(v["method"], "irr-effective");
}

#[test]
fn the_quick_form_for_a_monthly_fee_product() {
    let out = loanlint(&[
        "apr",
        "--principal",
        "10000",
        "--months",
        "12",
        "--monthly-fee",
        "0.5%",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("APR                10.90%  (IRR method, nominal"),
        "{text}"
    );
    assert!(
        text.contains("principal          10000.00  (等额本金, 12 months)\n"),
        "{text}"
    );
    assert!(
        text.contains("payments           12 × 883.33 (last 883.37)\n"),
        "{text}"
    );
    assert!(text.contains("finance charge     600.00\n"), "{text}");
}

#[test]
fn the_quick_form_with_a_fee_deducted_at_disbursement() {
    let v = json(&[
        "apr",
        "--principal",
        "¥10,000",
        "--months",
        "12",
        "--rate",
        "12%",
        "--upfront-fee",
        "1000",
        "--format",
        "json",
    ]);
    assert_eq!(v["apr"], 32.5);
    assert_eq!(v["amount_financed"], 9000.0);
    assert_eq!(v["total_of_payments"], 10661.86);
    assert_eq!(v["repayment_method"], "equal-installment");
    let v = json(&[
        "apr",
        "--principal",
        "12000",
        "--months",
        "12",
        "--rate",
        "0.12",
        "--method",
        "interest-only",
        "--format",
        "json",
    ]);
    assert_eq!(v["apr"], 12.0);
    assert_eq!(v["total_of_payments"], 13440.0);
}

#[test]
fn bad_files_name_the_file_and_line_and_exit_2() {
    let out = loanlint(&["apr", "fixtures/apr/bad-date.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: fixtures/apr/bad-date.yaml:4:5: payments[0]: `2024-02-30` is not a date; \
         write it as YYYY-MM-DD, e.g. 2024-01-15\n"
    );
    let out = loanlint(&["apr", "fixtures/apr/payments-below-advances.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("less than the amount advanced (5000)"),
        "{}",
        stderr(&out)
    );
    let out = loanlint(&["apr", "fixtures/apr/bad-method.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: fixtures/apr/bad-method.yaml:5: method: `apr` is not an APR method; use \
         actuarial, us-rule, irr-nominal or irr-effective\n"
    );
    let out = loanlint(&["apr", "fixtures/apr/missing.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: cannot read fixtures/apr/missing.yaml"));
}

#[test]
fn the_unit_period_and_method_can_be_given() {
    // A monthly schedule forced onto a daily unit period: 365 a year.
    let v = json(&[
        "apr",
        "--format",
        "json",
        "--unit-period",
        "day",
        "fixtures/apr/regular-24-months.yaml",
    ]);
    assert_eq!(v["unit_period"], "day");
    assert_eq!(v["periods_per_year"], 365.0);
    let v = json(&[
        "apr",
        "--format",
        "json",
        "--apr-method",
        "us-rule",
        "fixtures/apr/regular-24-months.yaml",
    ]);
    assert_eq!(v["method"], "us-rule");
    assert_eq!(v["apr"], 9.69);
    let out = loanlint(&[
        "apr",
        "--unit-period",
        "fortnightish",
        "fixtures/apr/regular-24-months.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not a unit period"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = loanlint(&["apr"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--principal and --months"),
        "{}",
        stderr(&out)
    );
    let out = loanlint(&[
        "apr",
        "--principal",
        "10000",
        "--months",
        "12",
        "--rate",
        "12",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ambiguous"), "{}", stderr(&out));
    let out = loanlint(&[
        "apr",
        "--principal",
        "10000",
        "--months",
        "0",
        "--rate",
        "12%",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("1 to 600 months"), "{}", stderr(&out));
}

/// A published rate chart computed independently of loanlint (Oklahoma supervised-lender loan
/// chart 3-508B, effective 2014-07-01: $10 per month of term advanced, $12 monthly payments):
/// the actuarial APRs it prints for 1, 2, 3 and 6 monthly payments.
#[test]
fn a_published_installment_loan_chart_agrees() {
    let dir = tempfile::tempdir().unwrap();
    for (months, expected) in [(1, 240.0), (2, 156.79), (3, 116.41), (6, 65.66)] {
        let mut yaml = format!(
            "advances:\n  - {{date: 2026-01-15, amount: {}}}\npayments:\n",
            10 * months
        );
        for k in 1..=months {
            yaml.push_str(&format!("  - {{date: 2026-{:02}-15, amount: 12}}\n", 1 + k));
        }
        let path = dir.path().join(format!("chart-{months}.yaml"));
        std::fs::write(&path, yaml).unwrap();
        let v = json(&["apr", "--format", "json", path.to_str().unwrap()]);
        let apr = v["apr"].as_f64().unwrap();
        assert!(
            (apr - expected).abs() < 0.005,
            "{months} months: {apr} vs {expected}"
        );
    }
}
