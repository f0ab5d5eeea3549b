//! Command-line interface: argument definitions, dispatch, and the small shared pieces
//! (colour choice, output, loading rules). Errors become `error: …` on stderr and exit 2.

mod apr;
mod check;
mod explain;
mod extract;
mod init;
mod rules;
mod test;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use loanlint::config::{Config, ConfigError};
use loanlint::lint::{read_rule_paths, Linter, RulesError};
use loanlint::rule_cache::RuleCache;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const ABOUT: &str = "Compliance checker for consumer-loan contracts (Chinese and English).";

const LONG_ABOUT: &str = "\
Compliance checker for consumer-loan contracts (Chinese and English).

Contracts (.txt, .md, .html, .docx; GBK, Big5 and UTF-16 text is detected) are checked against
rule packs written in the loanlint rule language. The built-in packs are chosen per file by jurisdiction: Chinese contracts get the CN packs, English
contracts the packs of the law named in their governing-law clause.

Exit status: 0 no findings at or above --fail-on, 1 findings at or above --fail-on, 2 usage
error, rule-file error or input error (a file that could not be read).";

const MAIN_EXAMPLES: &str = "\
Examples:
  loanlint check contracts/                 check every contract under a folder
  loanlint check --format json a.txt > r.json
  loanlint check --rules my.rules --fail-on warning templates/
  loanlint rules list                       the built-in rules
  loanlint explain CN-STD-001               what one rule checks, and why
  loanlint test                             run the rules' examples and fixtures/
  loanlint extract contract.txt             the rates, amounts, terms and dates found
  loanlint init                             a commented starter loanlint.yaml";

const CHECK_EXAMPLES: &str = "\
Examples:
  loanlint check                            check the current folder
  loanlint check contracts/ extra/a.md      folders are walked for .txt .md .html .docx files
  loanlint check --encoding gbk old.txt     read a text file as GBK instead of detecting
  loanlint check --jurisdiction CN a.txt    apply the CN packs whatever the text says
  loanlint check --rules house.rules .      built-in packs plus your own rules
  loanlint check --no-builtin --rules r/ .  only your own rules
  loanlint check --format json --output report.json --fail-on never .
  loanlint check --format human --format sarif:loanlint.sarif --format junit:junit.xml .
  loanlint check --format github .          annotations on a GitHub pull request
  loanlint check --format html --output report.html .   one page to read, mail or print
  loanlint check --exclude 'drafts/' .      skip a folder (also `exclude:` in loanlint.yaml)
  loanlint check --write-baseline loanlint-baseline.json .   accept today's findings
  loanlint check --baseline loanlint-baseline.json .         fail only on new findings
  loanlint check --changed-since origin/main .               only what a pull request changed

Suppress a finding in the contract itself, with a reason (Markdown/HTML comment, or any line
of plain text holding the directive):
  <!-- loanlint-disable-next-line CN-FMT-003: 经法务审核保留 -->
  # loanlint-disable-line CN-FMT-003, CN-STD-*: reviewed by legal
  【loanlint-disable-file format-clause.final-interpretation：模板条款】";

const RULES_CHECK_EXAMPLES: &str = "\
Examples:
  loanlint rules check                      check the built-in packs and run their examples
  loanlint rules check my-pack/             every .rules file under a folder, as one set";

const TEST_EXAMPLES: &str = "\
Examples:
  loanlint test                             built-in rules: examples, and fixtures/ if present
  loanlint test --rules house/ house-fixtures/
  loanlint test --format json fixtures/contracts/expected.yaml

Each folder is searched for expected.yaml files; each maps a fixture (relative to its folder)
to the rules that must fire on it:
  a.txt: [CN-FMT-001, CN-INT-002]            exactly these rules fire, no other
  b.txt:
    fires: [CN-FMT-001@12, disclosure.apr-missing]   rule or concept id, @line optional
    quiet: [CN-FMT-003]                              must not fire
    exact: false                                     default for this form

Exit status: 0 all passed, 1 a rule or fixture failed (or a rule was never shown firing or
never shown quiet), 2 usage error, rule-file error, or an unusable expected.yaml or fixture.";

const RULES_DOC_EXAMPLES: &str = "\
Examples:
  loanlint rules doc --output docs/rules/reference.md     regenerate the built-in rule reference
  loanlint rules doc --no-builtin --rules house/   a reference for your own pack";

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  loanlint explain CN-STD-001
  loanlint explain --rules house.rules HOUSE-001";

const INIT_EXAMPLES: &str = "\
Examples:
  loanlint init                             write ./loanlint.yaml
  loanlint init --rules house/ ci/loanlint.yaml   also list the params of your own pack";

const APR_EXAMPLES: &str = "\
Examples:
  loanlint apr schedule.yaml                a schedule of dated advances and payments
  loanlint apr --format json schedule.json
  loanlint apr --principal 10000 --months 12 --monthly-fee 0.5%
  loanlint apr --principal 10000 --months 12 --rate 12% --upfront-fee 1000
  loanlint apr --principal 50000 --months 24 --rate 8% --method equal-principal

A schedule file (YAML or JSON):
  advances: [{date: 2024-01-10, amount: 5000}]
  payments: [{date: 2024-02-10, amount: 166.07}, …]
  unit_period: month      # optional: day, week, biweek, semimonth, month, 4week, 2month,
                          #   quarter, year [default: inferred as Regulation Z Appendix J says]
  method: actuarial       # optional: actuarial, us-rule, irr-nominal, irr-effective

The quick form builds a monthly schedule: interest by --method (equal-installment 等额本息,
equal-principal 等额本金, interest-only 先息后本, bullet 到期一次性还本付息), plus a
--monthly-fee on the original principal (月费率), with --upfront-fee deducted from the amount
paid out (砍头息). Its APR is the IRR on the amount received × 12 (PBOC 〔2021〕3号).";

const EXTRACT_EXAMPLES: &str = "\
Examples:
  loanlint extract contract.txt
  loanlint extract --format json contract.md";

#[derive(Debug, Parser)]
#[command(
    name = "loanlint",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = MAIN_EXAMPLES,
    propagate_version = true
)]
struct Cli {
    /// When to colour the output: auto = when writing to a terminal and NO_COLOR is unset.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check contract files and folders against the rules.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(Box<CheckArgs>),
    /// Check, test and list rule files.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Explain one rule: what it checks, its legal source, its parameters and examples.
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain(ExplainArgs),
    /// Test the rules: run their embedded examples and the fixtures with expectations.
    #[command(after_help = TEST_EXAMPLES)]
    Test(TestArgs),
    /// Show the facts (rates, amounts, durations, dates) found in one contract.
    #[command(after_help = EXTRACT_EXAMPLES)]
    Extract(ExtractArgs),
    /// Compute the APR of a loan: a schedule file, or a Chinese product's terms.
    #[command(after_help = APR_EXAMPLES)]
    Apr(AprArgs),
    /// Write a commented starter loanlint.yaml listing every param with its default.
    #[command(after_help = INIT_EXAMPLES)]
    Init(InitArgs),
}

/// `loanlint init`: the rules whose params the starter lists (no config is read).
#[derive(Debug, Args)]
struct InitArgs {
    /// The file to write; an existing file is never overwritten.
    #[arg(default_value = loanlint::config::FILE_NAME)]
    file: PathBuf,
    /// Also list the params of the rules in this file or folder of .rules files (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Do not list the built-in packs' params.
    #[arg(long)]
    no_builtin: bool,
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// Compile rule files, print their errors and warnings, and run their embedded examples.
    #[command(after_help = RULES_CHECK_EXAMPLES)]
    Check {
        /// Rule files or folders of .rules files [default: the built-in packs]
        paths: Vec<PathBuf>,
    },
    /// List the rules: id, severity, concept, title.
    List {
        #[command(flatten)]
        rules: RuleArgs,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Print every pattern of the prefilter, one regex per line (literals escaped, matched
    /// ignoring ASCII case): the input of `rg -f` for a side-by-side benchmark.
    Patterns {
        #[command(flatten)]
        rules: RuleArgs,
        /// The patterns of the log rules instead of the contract rules.
        #[arg(long)]
        log: bool,
    },
    /// Generate the Markdown rule reference: per rule what it checks, why, how to fix.
    #[command(after_help = RULES_DOC_EXAMPLES)]
    Doc {
        #[command(flatten)]
        rules: RuleArgs,
        /// Write the reference to this file instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// Which rules to load.
#[derive(Debug, Args)]
struct RuleArgs {
    /// Add the rules in this file or folder of .rules files (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Do not load the built-in packs.
    #[arg(long)]
    no_builtin: bool,
    /// Read settings from this file [default: loanlint.yaml in the current folder or a parent]
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Compile the rules afresh: neither read nor write the rule cache ($LOANLINT_CACHE_DIR,
    /// else $XDG_CACHE_HOME/loanlint or ~/.cache/loanlint; LOANLINT_CACHE_DIR= turns it off)
    #[arg(long)]
    no_cache: bool,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Contract files and folders [default: .]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Output format: human, json, sarif, junit, github or html; with `:FILE`, written to FILE.
    /// Repeatable; at most one format without a file, which goes to standard output (or to
    /// --output) [default: human]
    #[arg(long, value_name = "FORMAT[:FILE]", value_parser = parse_format_target)]
    format: Vec<FormatTarget>,
    /// Exit with status 1 when there are findings of this severity or higher.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Apply this jurisdiction's packs (e.g. CN, US) to every file instead of detecting it.
    #[arg(long, value_name = "CODE", value_parser = parse_jurisdiction)]
    jurisdiction: Option<String>,
    /// Decode text files in this encoding (GBK, GB18030, Big5, UTF-16LE…) instead of detecting
    /// it; a byte-order mark still wins.
    #[arg(long, value_name = "NAME", value_parser = parse_encoding)]
    encoding: Option<String>,
    /// Read the files named on the command line as collection logs, whatever their extension
    /// (JSONL unless the extension says CSV or YAML). Without it, .jsonl, .ndjson and .csv
    /// files are logs, and .yaml/.yml files named on the command line.
    #[arg(long)]
    log: bool,
    /// Which side of a Word document's tracked changes to check: accepted (insertions are
    /// text, deletions are not) or original (as before the changes)
    #[arg(long, value_enum, default_value_t = TrackedSide::Accepted)]
    tracked_changes: TrackedSide,
    /// Read log times written without an offset, in records without `tz`, in this IANA zone
    /// (overrides `log.default_zone` of loanlint.yaml).
    #[arg(long, value_name = "ZONE")]
    default_zone: Option<String>,
    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Skip files matching this glob (relative to the current folder; repeatable), in addition
    /// to `exclude:` in loanlint.yaml.
    #[arg(long, value_name = "GLOB", value_parser = parse_glob)]
    exclude: Vec<String>,
    /// Report only findings not recorded in this baseline file; list its entries that no
    /// longer occur.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Record today's findings in this baseline file (they are then reported as suppressed,
    /// and do not fail the run).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Check only files changed since this git revision, and report only findings on changed
    /// lines or in changed clauses (for pull requests: --changed-since origin/main).
    #[arg(long, value_name = "REV")]
    changed_since: Option<String>,
}

/// A glob for `--exclude`.
fn parse_glob(s: &str) -> Result<String, String> {
    loanlint::filter::check_pattern(s)
        .map(|()| s.to_string())
        .map_err(|e| format!("`{s}` is not a valid glob: {}", e.kind()))
}

#[derive(Debug, Args)]
struct TestArgs {
    /// Folders holding expected.yaml files, or such files [default: fixtures, if present]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Args)]
struct ExplainArgs {
    /// The rule id, e.g. CN-STD-001.
    rule: String,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(Debug, Args)]
struct ExtractArgs {
    /// The contract file.
    file: PathBuf,
    /// Decode the file in this encoding (GBK, GB18030, Big5, UTF-16LE…) instead of detecting it.
    #[arg(long, value_name = "NAME", value_parser = parse_encoding)]
    encoding: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Args)]
struct AprArgs {
    /// A schedule file (YAML or JSON) with `advances` and `payments` [{date, amount}].
    #[arg(conflicts_with_all = ["principal", "months", "rate", "monthly_fee", "upfront_fee", "method"])]
    file: Option<PathBuf>,
    /// The principal the contract names (合同金额), before deductions.
    #[arg(long, value_name = "AMOUNT", value_parser = apr::parse_money, requires = "months")]
    principal: Option<rust_decimal::Decimal>,
    /// The term in months, one payment a month.
    #[arg(long, value_name = "N", requires = "principal")]
    months: Option<u32>,
    /// Nominal annual interest rate (年利率), e.g. 12%.
    #[arg(long, value_name = "RATE", value_parser = apr::parse_rate)]
    rate: Option<rust_decimal::Decimal>,
    /// A monthly fee on the original principal (月费率), e.g. 0.5%.
    #[arg(long, value_name = "RATE", value_parser = apr::parse_rate)]
    monthly_fee: Option<rust_decimal::Decimal>,
    /// Fees deducted from the principal when it is paid out (砍头息), or paid at signing.
    #[arg(long, value_name = "AMOUNT", value_parser = apr::parse_money)]
    upfront_fee: Option<rust_decimal::Decimal>,
    /// How principal and interest are repaid: equal-installment, equal-principal,
    /// interest-only, bullet [default: equal-installment; equal-principal with only a
    /// monthly fee]
    #[arg(long, value_name = "METHOD", value_parser = parse_repayment_method)]
    method: Option<loanlint::apr::RepaymentMethod>,
    /// The APR method: actuarial, us-rule, irr-nominal, irr-effective [default: the file's
    /// `method`, else actuarial; irr-nominal for the quick form]
    #[arg(long, value_name = "METHOD", value_parser = parse_apr_method)]
    apr_method: Option<loanlint::apr::Method>,
    /// The unit period (day, week, biweek, semimonth, month, 4week, 2month, quarter, year)
    /// [default: the file's `unit_period`, else inferred from the payment dates]
    #[arg(long, value_name = "PERIOD", value_parser = parse_unit_period)]
    unit_period: Option<loanlint::apr::UnitPeriod>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

fn parse_repayment_method(s: &str) -> Result<loanlint::apr::RepaymentMethod, String> {
    s.parse()
        .map_err(|e: loanlint::apr::products::RepaymentMethodError| e.to_string())
}

fn parse_apr_method(s: &str) -> Result<loanlint::apr::Method, String> {
    s.parse()
        .map_err(|e: loanlint::apr::MethodError| e.to_string())
}

fn parse_unit_period(s: &str) -> Result<loanlint::apr::UnitPeriod, String> {
    s.parse()
        .map_err(|e: loanlint::apr::UnitPeriodError| e.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
}

/// The report formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
    Html,
}

/// One `--format FORMAT[:FILE]`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FormatTarget {
    format: ReportFormat,
    /// None: standard output, or the `--output` file.
    file: Option<PathBuf>,
}

/// `sarif` or `sarif:out.sarif`. Only the first `:` separates, so `sarif:C:\r.sarif` works.
fn parse_format_target(s: &str) -> Result<FormatTarget, String> {
    let (name, file) = match s.split_once(':') {
        Some((name, file)) => (name, Some(file)),
        None => (s, None),
    };
    let format = ReportFormat::from_str(name, true).map_err(|_| {
        format!("`{name}` is not a report format; use human, json, sarif, junit, github or html")
    })?;
    match file {
        Some("") => Err(format!("`{s}` names no file after the `:`")),
        file => Ok(FormatTarget {
            format,
            file: file.map(PathBuf::from),
        }),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour text written to a stream that is (or is not) a terminal.
    fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }

    fn stdout(self) -> bool {
        self.enabled(std::io::stdout().is_terminal())
    }

    fn stderr(self) -> bool {
        self.enabled(std::io::stderr().is_terminal())
    }
}

/// A jurisdiction code: two or three letters, optionally with a subdivision (`US-NY`).
fn parse_jurisdiction(s: &str) -> Result<String, String> {
    let (country, sub) = s.split_once('-').unwrap_or((s, ""));
    let country_ok =
        (2..=3).contains(&country.len()) && country.chars().all(|c| c.is_ascii_alphabetic());
    let sub_ok = !s.contains('-')
        || (!sub.is_empty() && sub.len() <= 3 && sub.chars().all(|c| c.is_ascii_alphanumeric()));
    if country_ok && sub_ok {
        Ok(s.to_ascii_uppercase())
    } else {
        Err(format!(
            "`{s}` is not a jurisdiction code; use a country code such as CN or US"
        ))
    }
}

/// An encoding label the loader knows (WHATWG labels: `gbk`, `big5`, `utf-16le`, `latin1`…).
fn parse_encoding(s: &str) -> Result<String, String> {
    if loanlint::document::is_known_encoding(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not an encoding name; try UTF-8, GBK, GB18030, Big5, UTF-16LE or UTF-16BE"
        ))
    }
}

/// Exit statuses (see the long help).
pub(crate) const EXIT_FINDINGS: u8 = 1;
pub(crate) const EXIT_ERROR: u8 = 2;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let color = cli.color;
    match cli.command {
        Command::Check(args) => check::run(&args, color),
        Command::Rules(RulesCommand::Check { paths }) => rules::check(&paths, color),
        Command::Rules(RulesCommand::List { rules, format }) => rules::list(&rules, format, color),
        Command::Rules(RulesCommand::Patterns { rules, log }) => {
            rules::patterns(&rules, log, color)
        }
        Command::Rules(RulesCommand::Doc { rules, output }) => {
            rules::doc(&rules, output.as_deref(), color)
        }
        Command::Test(args) => test::run(&args, color),
        Command::Explain(args) => explain::run(&args, color),
        Command::Extract(args) => extract::run(&args),
        Command::Init(args) => init::run(&args, color),
        Command::Apr(args) => apr::run(&args),
    }
}

/// Build the linter from the built-in packs and `--rules` paths. Rule-file errors are
/// rendered to stderr (with ariadne) before the error is returned; warnings about the user's
/// own rule files are shown too (the built-in packs' warnings are for their authors).
fn load_linter(args: &RuleArgs, color: ColorChoice) -> anyhow::Result<Linter> {
    Ok(load_configured_linter(args, color)?.0)
}

/// The configuration named with `--config`, or the one found from the current folder up.
fn load_config(args: &RuleArgs) -> anyhow::Result<Option<Config>> {
    let path = match &args.config {
        Some(p) => p.clone(),
        None => match Config::find(Path::new(".")) {
            Some(found) => relative_to_cwd(found),
            None => return Ok(None),
        },
    };
    let shown = path.display().to_string();
    Config::load(&path, &shown)
        .map(Some)
        .map_err(|errors| config_failure(&errors, &shown))
}

fn relative_to_cwd(path: PathBuf) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or(path)
}

/// Print each configuration error; the returned error ends the run with exit status 2.
fn config_failure(errors: &[ConfigError], file: &str) -> anyhow::Error {
    for e in errors {
        eprintln!("error: {e}");
    }
    anyhow::anyhow!("{} error(s) in the configuration {file}", errors.len())
}

/// The linter with the configuration applied, and the configuration (for its defaults).
fn load_configured_linter(
    args: &RuleArgs,
    color: ColorChoice,
) -> anyhow::Result<(Linter, Option<Config>)> {
    let config = load_config(args)?;
    load_rules(args, color, config)
}

/// Compile the rules `args` names and apply `config` (which `args.config` does not choose).
fn load_rules(
    args: &RuleArgs,
    color: ColorChoice,
    config: Option<Config>,
) -> anyhow::Result<(Linter, Option<Config>)> {
    let config_rules = config.as_ref().map(Config::rule_paths).unwrap_or_default();
    if args.no_builtin && args.rules.is_empty() && config_rules.is_empty() {
        anyhow::bail!("no rules to check with: --no-builtin needs --rules PATH");
    }
    let mut sources = if args.no_builtin {
        Vec::new()
    } else {
        loanlint::builtin::rule_sources()
    };
    sources.extend(read_rule_paths(&args.rules)?);
    sources.extend(read_rule_paths(&config_rules)?);
    let cache = (!args.no_cache)
        .then(RuleCache::default_dir)
        .flatten()
        .map(RuleCache::new);
    match Linter::from_sources_cached(sources, config.as_ref(), cache.as_ref()) {
        Ok(linter) => {
            let own: Vec<_> = linter
                .warnings
                .iter()
                .filter(|d| {
                    linter
                        .sources
                        .get(d.file)
                        .is_some_and(|f| !f.path.starts_with("<builtin>/"))
                })
                .cloned()
                .collect();
            if !own.is_empty() {
                eprint!(
                    "{}",
                    loanlint::lang::render(&own, &linter.sources, color.stderr())
                );
            }
            Ok((linter, config))
        }
        Err(RulesError::Config(errors)) => {
            let file = config.as_ref().map_or("", |c| c.file.as_str());
            Err(config_failure(&errors, file))
        }
        Err(RulesError::Invalid { files, diagnostics }) => {
            eprint!(
                "{}",
                loanlint::lang::render(&diagnostics, &files, color.stderr())
            );
            let errors = diagnostics
                .iter()
                .filter(|d| d.level == loanlint::lang::DiagLevel::Error)
                .count();
            anyhow::bail!(
                "{} in rule files",
                loanlint::report::count_noun(errors, "error", "errors")
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// Write `text` to the `--output` file, or to stdout. A closed pipe (`| head`) is not an
/// error: the reader has seen what it wanted.
fn emit(text: &str, output: Option<&Path>) -> anyhow::Result<()> {
    emit_with(output, &mut |out| out.write_all(text.as_bytes()))
}

/// Runs `write` on `output` (a file, else standard output), buffered. A closed pipe on
/// standard output (`| head`) is not an error.
fn emit_with(
    output: Option<&Path>,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    if let Some(path) = output {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let mut out = std::io::BufWriter::new(file);
        return write(&mut out)
            .and_then(|()| out.flush())
            .with_context(|| format!("cannot write {}", path.display()));
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to standard output"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn format_targets() {
        assert_eq!(
            parse_format_target("sarif").unwrap(),
            FormatTarget {
                format: ReportFormat::Sarif,
                file: None
            }
        );
        assert_eq!(
            parse_format_target("JUnit:out/r.xml").unwrap(),
            FormatTarget {
                format: ReportFormat::Junit,
                file: Some(PathBuf::from("out/r.xml"))
            }
        );
        assert_eq!(
            parse_format_target(r"json:C:\r.json").unwrap().file,
            Some(PathBuf::from(r"C:\r.json"))
        );
        assert!(parse_format_target("xml").is_err());
        assert!(parse_format_target("json:").is_err());
    }

    #[test]
    fn arguments_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn jurisdiction_codes() {
        assert_eq!(parse_jurisdiction("cn").unwrap(), "CN");
        assert_eq!(parse_jurisdiction("US-NY").unwrap(), "US-NY");
        assert!(parse_jurisdiction("China").is_err());
        assert!(parse_jurisdiction("C").is_err());
        assert!(parse_jurisdiction("US-").is_err());
        assert!(parse_jurisdiction("中国").is_err());
    }

    #[test]
    fn encoding_names() {
        assert_eq!(parse_encoding("gbk").unwrap(), "gbk");
        assert!(parse_encoding("UTF-16LE").is_ok());
        assert!(parse_encoding("chinese").is_ok()); // a WHATWG label for GBK
        assert!(parse_encoding("klingon").is_err());
    }

    #[test]
    fn colour_choice() {
        assert!(ColorChoice::Always.enabled(false));
        assert!(!ColorChoice::Never.enabled(true));
        assert!(!ColorChoice::Auto.enabled(false));
    }
}

/// `--tracked-changes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TrackedSide {
    Accepted,
    Original,
}

impl From<TrackedSide> for loanlint::document::TrackedChanges {
    fn from(side: TrackedSide) -> Self {
        match side {
            TrackedSide::Accepted => loanlint::document::TrackedChanges::Accepted,
            TrackedSide::Original => loanlint::document::TrackedChanges::Original,
        }
    }
}
