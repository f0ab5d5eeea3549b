//! `document.implied_apr` and the other figures of a contract's loan, from real rule text on
//! real contract wording.

use super::*;
use crate::document::Format;
use crate::lang::SourceFile;

const HEADER: &str = "pack t \"t\" version \"1\" jurisdiction CN\n";

/// A rule that always fires and shows every figure of the loan in its message.
const SHOW_ALL: &str = "rule T-001 \"t\" {
  concept disclosure.apr-understated
  severity info
  cite \"c\"
  message \"{document.implied_apr}|{document.disclosed_apr}|{document.principal}|{document.amount_received}|{document.upfront_fee}\"
  help \"h\"
  require false
}\n";

fn compile(rules: &str) -> Result<Plan, Vec<String>> {
    let files = vec![SourceFile {
        path: "t.rules".into(),
        text: format!("{HEADER}{rules}"),
    }];
    let (set, _warnings) =
        crate::lang::compile(&files, &crate::concepts::ConceptCatalogue::builtin()).map_err(
            |ds| {
                ds.iter()
                    .map(|d| format!("{} {}", d.code, d.message))
                    .collect::<Vec<_>>()
            },
        )?;
    Ok(Plan::compile(set).unwrap())
}

fn messages(rules: &str, contract: &str) -> Vec<String> {
    let plan = compile(rules).unwrap_or_else(|e| panic!("{e:?}"));
    let doc = Document::from_source("c.txt", Format::Text, contract.to_string(), 0);
    let facts = crate::extract::extract(&doc.text, &doc.blanks);
    plan.check(&doc, &facts, &|_| true)
        .into_iter()
        .map(|f| f.message)
        .collect()
}

const MONTHLY_FEE: &str =
    "借款本金为人民币10,000元，借款期限12个月，分12期偿还，每期偿还本金833.33元。\n\
    甲方不收取利息，按借款本金的0.5%按月收取手续费。\n本借款的年化利率为6%。\n";

const UPFRONT_FEE: &str = "第一条 借款金额为人民币壹万元整（¥10,000.00）。\n\
    第二条 借款期限为12个月。\n第三条 借款年利率为12%，按月等额本息还款。本合同年化利率（单利）为12%。\n\
    第四条 服务费人民币1,000元在放款时从借款本金中直接扣除。\n";

#[test]
fn a_flat_monthly_fee_on_the_original_principal_costs_10_90_percent() {
    assert_eq!(
        messages(SHOW_ALL, MONTHLY_FEE),
        ["10.90%|6.00%|10000 CNY|10000 CNY|?"]
    );
}

#[test]
fn a_fee_deducted_at_disbursement_is_costed_on_the_amount_received() {
    assert_eq!(
        messages(SHOW_ALL, UPFRONT_FEE),
        ["32.50%|12.00%|10000 CNY|9000 CNY|1000 CNY"]
    );
}

#[test]
fn an_amount_actually_received_gives_the_deduction() {
    let contract = "贷款金额：50,000元；贷款期限：1年；还款方式：先息后本。月利率1%。\
                    借款人实际到账金额为42,000元。";
    assert_eq!(
        messages(SHOW_ALL, contract),
        ["30.79%|?|50000 CNY|42000 CNY|8000 CNY"]
    );
}

#[test]
fn figures_compare_as_percent_and_money() {
    let rules = "rule T-002 \"t\" {
  concept disclosure.apr-understated
  severity info
  cite \"c\"
  message \"低估 {document.implied_apr - document.disclosed_apr}\"
  help \"h\"
  require not (document.disclosed_apr < document.implied_apr - 0.5%
               and document.upfront_fee >= 1000 CNY
               and document.amount_received == 9000 CNY)
}\n";
    assert_eq!(messages(rules, UPFRONT_FEE), ["低估 20.5%"]);
    assert!(messages(rules, MONTHLY_FEE).is_empty());
}

#[test]
fn a_contract_without_a_price_has_no_apr_and_every_comparison_is_false() {
    let contract = "借款金额：10000元，借款期限12个月。";
    assert_eq!(messages(SHOW_ALL, contract), ["?|?|10000 CNY|10000 CNY|?"]);
    let above = "rule T-003 \"t\" {
  concept disclosure.apr-understated
  severity info
  cite \"c\"
  message \"m\"
  help \"h\"
  require not (document.implied_apr > 0%) and not (document.implied_apr <= 0%)
}\n";
    assert!(messages(above, contract).is_empty());
}

#[test]
fn the_figures_are_typed() {
    let wrong = "rule T-004 \"t\" {
  concept disclosure.apr-understated
  severity info
  cite \"c\"
  message \"m\"
  help \"h\"
  require document.implied_apr > 100 CNY
}\n";
    let errors = compile(wrong).err().unwrap_or_default();
    assert!(errors.iter().any(|e| e.starts_with("LL003")), "{errors:?}");
    let misspelt = wrong.replace(
        "document.implied_apr > 100 CNY",
        "document.implied_apy > 1%",
    );
    let errors = compile(&misspelt).err().unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("LL002") && e.contains("implied_apy")),
        "{errors:?}"
    );
}

#[test]
fn the_loan_is_read_only_when_a_rule_asks() {
    let reads_text = "rule T-005 \"t\" {
  concept disclosure.apr-understated
  severity info
  cite \"c\"
  message \"m\"
  help \"h\"
  require document matches /年化利率/
}\n";
    for (rules, read) in [(reads_text, false), (SHOW_ALL, true)] {
        let plan = compile(rules).unwrap_or_else(|e| panic!("{e:?}"));
        let doc = Document::from_source("c.txt", Format::Text, UPFRONT_FEE.to_string(), 0);
        let facts = crate::extract::extract(&doc.text, &doc.blanks);
        let scan = plan.patterns.scan(&doc.text);
        let ev = Evaluator::new(&plan.patterns, &plan.rules.params, &doc, &facts, &scan);
        for rule in &plan.rules.rules {
            ev.run(rule);
        }
        assert_eq!(ev.loan_was_read(), read);
    }
}
