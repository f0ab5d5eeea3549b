//! pest grammar -> AST.
//!
//! The grammar (`grammar/loanlint.pest`) decides what is well-formed; this module turns the
//! pest pairs into [`ast`](super::ast) nodes with byte spans, converts literal text into values,
//! and turns pest errors into plain-words LL001 diagnostics.

// A syntax error ends the parse, so the size of the error type costs nothing on the hot path;
// `parse` returns a plain `Diagnostic` like the rest of the front end.
#![allow(clippy::result_large_err)]

use super::ast::*;
use super::{Diagnostic, SourceFile};
use pest::iterators::{Pair, Pairs};
use pest::Parser as _;
use rust_decimal::Decimal;
use std::str::FromStr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/loanlint.pest"]
struct Grammar;

/// Deeper expressions than this are refused: the checker and the engine walk expressions
/// recursively, and a rule file must not be able to overflow their stacks.
const MAX_DEPTH: usize = 100;

/// Parse one rule file; `file` is its index (for the diagnostic).
pub fn parse(source: &SourceFile, file: usize) -> Result<RuleFile, Diagnostic> {
    let identity = |p: usize| p;
    let mut pairs = Grammar::parse(Rule::file, &source.text)
        .map_err(|e| syntax_error(&e, &source.text, file, &identity, "end of file"))?;
    let mut b = Builder {
        file,
        map: &identity,
        depth: 0,
    };
    let root = pairs
        .next()
        .ok_or_else(|| b.internal(0..0, "empty parse"))?;
    b.file(root)
}

/// Parse a param value written on its own, as in a `loanlint.yaml` override (`24%`,
/// `200000 CNY`, `30d`, `22:00`, `"text"`, `["a", "b"]`); `None` if it is not one literal.
pub fn parse_param_value(text: &str) -> Option<Literal> {
    let identity = |p: usize| p;
    let root = Grammar::parse(Rule::config_value, text).ok()?.next()?;
    let b = Builder {
        file: 0,
        map: &identity,
        depth: 0,
    };
    let value = root.into_inner().find(|p| p.as_rule() != Rule::EOI)?;
    b.literal(value).ok()
}

/// Parse the expression of a `{…}` interpolation. `src` is the text between the braces;
/// `map` turns an offset in `src` into a byte offset in the rule file (the string may
/// contain escapes, so the mapping is not always a shift).
pub(super) fn parse_template_expr(
    src: &str,
    file: usize,
    map: &dyn Fn(usize) -> usize,
) -> Result<Expr, Diagnostic> {
    let mut pairs = Grammar::parse(Rule::template_expr, src)
        .map_err(|e| syntax_error(&e, src, file, map, "the closing `}`"))?;
    let mut b = Builder {
        file,
        map,
        depth: 0,
    };
    let root = pairs
        .next()
        .ok_or_else(|| b.internal(0..0, "empty interpolation"))?;
    let mut inner = root.into_inner();
    let e = b.child(&mut inner, Rule::expr)?;
    b.expr(e)
}

struct Builder<'a> {
    file: usize,
    map: &'a dyn Fn(usize) -> usize,
    depth: usize,
}

type R<T> = Result<T, Diagnostic>;

impl<'a> Builder<'a> {
    // ------------------------------------------------------------ helpers

    fn span(&self, p: &Pair<'_, Rule>) -> Span {
        (self.map)(p.as_span().start())..(self.map)(end_without_trivia(p))
    }

    fn error(
        &self,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error("LL001", self.file, span, message).with_label(label)
    }

    /// The grammar guarantees the shape of every pair; this is reported instead of a panic
    /// should the grammar and this builder ever disagree.
    fn internal(&self, span: Span, what: &str) -> Diagnostic {
        self.error(
            span,
            format!("internal parser error ({what}); please report this rule file"),
            "here",
        )
    }

    /// The next child, which must be of rule `rule`.
    fn child<'i>(&self, inner: &mut Pairs<'i, Rule>, rule: Rule) -> R<Pair<'i, Rule>> {
        match inner.next() {
            Some(p) if p.as_rule() == rule => Ok(p),
            Some(p) => Err(self.internal(self.span(&p), &format!("expected {rule:?}"))),
            None => Err(self.internal(0..0, &format!("missing {rule:?}"))),
        }
    }

    /// Skip the next child if it is of rule `rule`; say whether it was.
    fn skip_if(inner: &mut Pairs<'_, Rule>, rule: Rule) -> bool {
        if inner.peek().is_some_and(|p| p.as_rule() == rule) {
            inner.next();
            true
        } else {
            false
        }
    }

    fn ident(&self, p: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(p),
        }
    }

    /// Count one level of nesting; refuse to go deeper than [`MAX_DEPTH`].
    fn enter(&mut self, span: &Span) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self
                .error(
                    span.clone(),
                    format!(
                        "expression is too deep: more than {MAX_DEPTH} levels of nesting or operators in a chain"
                    ),
                    "the limit is reached here",
                )
                .with_help(
                    "split the rule, or put alternatives into a list (`x in [a, b, …]`) or a lexicon",
                ));
        }
        Ok(())
    }

    // ------------------------------------------------------------ file and declarations

    fn file(&mut self, root: Pair<'_, Rule>) -> R<RuleFile> {
        let mut inner = root.into_inner();
        let header = self.header(self.child(&mut inner, Rule::pack_header)?)?;
        let mut items = Vec::new();
        for p in inner {
            match p.as_rule() {
                Rule::param_decl => items.push(Item::Param(self.param(p)?)),
                Rule::lexicon_decl => items.push(Item::Lexicon(self.lexicon(p)?)),
                Rule::rule_decl => items.push(Item::Rule(self.rule(p)?)),
                Rule::EOI => {}
                _ => return Err(self.internal(self.span(&p), "unexpected top-level item")),
            }
        }
        Ok(RuleFile { header, items })
    }

    fn header(&self, p: Pair<'_, Rule>) -> R<PackHeader> {
        let span = self.span(&p);
        let mut header = PackHeader {
            id: Ident {
                name: String::new(),
                span: span.clone(),
            },
            title: None,
            version: None,
            jurisdiction: None,
            span,
        };
        let mut after_version = false;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::pack_id => header.id = self.ident(&c),
                Rule::kw_version => after_version = true,
                Rule::string if after_version => header.version = Some(self.string(c)),
                Rule::string => header.title = Some(self.string(c)),
                Rule::jurisdiction_code => header.jurisdiction = Some(self.ident(&c)),
                _ => {}
            }
        }
        Ok(header)
    }

    fn param(&self, p: Pair<'_, Rule>) -> R<ParamDecl> {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        self.child(&mut inner, Rule::kw_param)?;
        let name = self.ident(&self.child(&mut inner, Rule::ident)?);
        self.child(&mut inner, Rule::colon)?;
        let ty_pair = self.child(&mut inner, Rule::param_type)?;
        let ty = match ty_pair.as_str() {
            "percent" => ParamType::Percent,
            "money" => ParamType::Money,
            "duration" => ParamType::Duration,
            "time" => ParamType::Time,
            "date" => ParamType::Date,
            "int" => ParamType::Int,
            "number" => ParamType::Number,
            "text" => ParamType::Text,
            _ => ParamType::List,
        };
        self.child(&mut inner, Rule::equals)?;
        let value = inner
            .next()
            .ok_or_else(|| self.internal(span.clone(), "param without a value"))?;
        let default_span = self.span(&value);
        let default = self.literal(value)?;
        let cite = match inner.next() {
            Some(_kw_cite) => Some(self.string(self.child(&mut inner, Rule::string)?)),
            None => None,
        };
        Ok(ParamDecl {
            name,
            ty,
            ty_span: self.span(&ty_pair),
            default,
            default_span,
            cite,
            span,
        })
    }

    fn lexicon(&self, p: Pair<'_, Rule>) -> R<LexiconDecl> {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        self.child(&mut inner, Rule::kw_lexicon)?;
        let name = self.ident(&self.child(&mut inner, Rule::ident)?);
        let mut entries = Vec::new();
        for c in inner {
            match c.as_rule() {
                Rule::string => entries.push(LexEntry::Literal(self.string(c))),
                Rule::regex => entries.push(LexEntry::Regex(self.regex(c)?)),
                _ => {}
            }
        }
        Ok(LexiconDecl {
            name,
            entries,
            span,
        })
    }

    // ------------------------------------------------------------ rules

    fn rule(&mut self, p: Pair<'_, Rule>) -> R<RuleDecl> {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        self.child(&mut inner, Rule::kw_rule)?;
        let id = self.ident(&self.child(&mut inner, Rule::rule_id)?);
        let title = self.string(self.child(&mut inner, Rule::string)?);
        self.child(&mut inner, Rule::lbrace)?;
        let mut items = Vec::new();
        for c in inner {
            if c.as_rule() != Rule::rbrace {
                items.push(self.rule_item(c)?);
            }
        }
        Ok(RuleDecl {
            id,
            title,
            items,
            span,
        })
    }

    fn rule_item(&mut self, p: Pair<'_, Rule>) -> R<RuleItem> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut inner = p.into_inner();
        // Every item starts with its keyword.
        inner.next();
        let item = match rule {
            Rule::concept_item => RuleItem::Concept {
                id: self.ident(&self.child(&mut inner, Rule::concept_id)?),
                span,
            },
            Rule::severity_item => {
                let level = match self.child(&mut inner, Rule::severity_level)?.as_str() {
                    "error" => SeverityLit::Error,
                    "warning" => SeverityLit::Warning,
                    _ => SeverityLit::Info,
                };
                RuleItem::Severity { level, span }
            }
            Rule::cite_item => {
                RuleItem::Cite(self.string(self.child(&mut inner, Rule::string)?), span)
            }
            Rule::message_item => {
                RuleItem::Message(self.string(self.child(&mut inner, Rule::string)?), span)
            }
            Rule::help_item => {
                RuleItem::Help(self.string(self.child(&mut inner, Rule::string)?), span)
            }
            Rule::forbid_item => RuleItem::Assertion(self.forbid(inner, span)?),
            Rule::require_item => {
                let cond = self.expr(self.child(&mut inner, Rule::expr)?)?;
                let unless = self.unless(&mut inner)?;
                RuleItem::Assertion(Assertion::Require { cond, unless, span })
            }
            Rule::at_item => RuleItem::At(self.query(self.child(&mut inner, Rule::query)?)?, span),
            Rule::example_item => {
                let fire = self.child(&mut inner, Rule::example_kind)?.as_str() == "fire";
                let text = self.string(self.child(&mut inner, Rule::string)?);
                RuleItem::Example { fire, text, span }
            }
            Rule::subject_item => RuleItem::Subject {
                log: self.child(&mut inner, Rule::subject_kind)?.as_str() == "log",
                span,
            },
            _ => return Err(self.internal(span, "unexpected rule item")),
        };
        Ok(item)
    }

    fn forbid(&mut self, mut inner: Pairs<'_, Rule>, span: Span) -> R<Assertion> {
        let query = if Self::skip_if(&mut inner, Rule::kw_each) {
            self.query(self.child(&mut inner, Rule::query)?)?
        } else {
            let pattern = self.pattern(self.child(&mut inner, Rule::pattern)?)?;
            let pspan = pattern.span();
            Query {
                kind: BinderKind::Match,
                kind_span: pspan.clone(),
                name: None,
                pattern: Some(pattern),
                filter: None,
                span: pspan,
            }
        };
        let unless = self.unless(&mut inner)?;
        Ok(Assertion::Forbid {
            query,
            unless,
            span,
        })
    }

    fn unless(&mut self, inner: &mut Pairs<'_, Rule>) -> R<Option<Expr>> {
        if Self::skip_if(inner, Rule::kw_unless) {
            Ok(Some(self.expr(self.child(inner, Rule::expr)?)?))
        } else {
            Ok(None)
        }
    }

    fn query(&mut self, p: Pair<'_, Rule>) -> R<Query> {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let kind_pair = self.child(&mut inner, Rule::binder_kind)?;
        let kind_span = self.span(&kind_pair);
        let kind = binder_kind(kind_pair.as_str());
        let mut name = None;
        let mut pattern = None;
        let mut filter = None;
        while let Some(c) = inner.next() {
            match c.as_rule() {
                Rule::ident => name = Some(self.ident(&c)),
                Rule::kw_of => {
                    pattern = Some(self.pattern(self.child(&mut inner, Rule::pattern)?)?)
                }
                Rule::kw_where => {
                    filter = Some(Box::new(self.expr(self.child(&mut inner, Rule::expr)?)?))
                }
                _ => return Err(self.internal(self.span(&c), "unexpected query part")),
            }
        }
        if kind == BinderKind::Match && pattern.is_none() {
            let at = name.as_ref().map_or(kind_span.end, |n: &Ident| n.span.end);
            return Err(self
                .error(
                    at..at,
                    "a `match` query needs `of PATTERN`: what should it match?",
                    "expected `of` here",
                )
                .with_help("write e.g. `match of /最终解释权/` or `match m of my_lexicon`"));
        }
        Ok(Query {
            kind,
            kind_span,
            name,
            pattern,
            filter,
            span,
        })
    }

    fn pattern(&mut self, p: Pair<'_, Rule>) -> R<Pattern> {
        let mut inner = p.into_inner();
        let first = inner
            .next()
            .ok_or_else(|| self.internal(0..0, "empty pattern"))?;
        let mut acc = self.pattern_atom(first)?;
        while Self::skip_if(&mut inner, Rule::kw_within) {
            let d = self.child(&mut inner, Rule::distance)?;
            let distance_span = self.span(&d);
            let distance = d.as_str().parse::<u32>().map_err(|_| {
                self.error(
                    distance_span.clone(),
                    "`within` distance is too large",
                    "a number of characters",
                )
            })?;
            Self::skip_if(&mut inner, Rule::kw_chars);
            self.child(&mut inner, Rule::kw_of)?;
            let right_pair = inner.next().ok_or_else(|| {
                self.internal(distance_span.clone(), "`within` without a right side")
            })?;
            self.enter(&distance_span)?;
            let right = self.pattern_atom(right_pair)?;
            let span = acc.span().start..right.span().end;
            acc = Pattern::Within {
                left: Box::new(acc),
                distance,
                distance_span,
                right: Box::new(right),
                span,
            };
        }
        Ok(acc)
    }

    fn pattern_atom(&mut self, p: Pair<'_, Rule>) -> R<Pattern> {
        match p.as_rule() {
            Rule::regex => Ok(Pattern::Regex(self.regex(p)?)),
            Rule::string => Ok(Pattern::Literal(self.string(p))),
            Rule::ident => Ok(Pattern::Lexicon(self.ident(&p))),
            Rule::pattern_group => {
                let span = self.span(&p);
                self.enter(&span)?;
                let mut inner = p.into_inner();
                self.child(&mut inner, Rule::lparen)?;
                let saved = self.depth;
                let pat = self.pattern(self.child(&mut inner, Rule::pattern)?);
                self.depth = saved - 1;
                pat
            }
            _ => Err(self.internal(self.span(&p), "unexpected pattern")),
        }
    }

    // ------------------------------------------------------------ expressions

    /// Depth counts the nodes that really nest (an operator, `not`, parentheses, a query, a
    /// list), not the grammar's precedence levels that a lone operand passes through.
    fn expr(&mut self, p: Pair<'_, Rule>) -> R<Expr> {
        let saved = self.depth;
        let p = skip_single_levels(p);
        let e = match p.as_rule() {
            Rule::expr | Rule::and_expr | Rule::sum_expr | Rule::prod_expr => self.chain(p),
            Rule::not_expr => self.not_expr(p),
            Rule::cmp_expr => self.cmp_expr(p),
            _ => self.primary(p),
        };
        self.depth = saved;
        e
    }

    /// A left-associative chain `a op b op c`.
    fn chain(&mut self, p: Pair<'_, Rule>) -> R<Expr> {
        let mut inner = p.into_inner();
        let first = inner
            .next()
            .ok_or_else(|| self.internal(0..0, "empty expression"))?;
        let mut acc = self.expr(first)?;
        while let Some(op) = inner.next() {
            let op_span = self.span(&op);
            let right_pair = inner
                .next()
                .ok_or_else(|| self.internal(op_span.clone(), "operator without operand"))?;
            self.enter(&op_span)?;
            let right = self.expr(right_pair)?;
            let span = acc.span.start..right.span.end;
            let (l, r) = (Box::new(acc), Box::new(right));
            let kind = match (op.as_rule(), op.as_str()) {
                (Rule::kw_or, _) => ExprKind::Or(l, r),
                (Rule::kw_and, _) => ExprKind::And(l, r),
                (_, "+") => arith(ArithOp::Add, l, r),
                (_, "-") => arith(ArithOp::Sub, l, r),
                (_, "*") => arith(ArithOp::Mul, l, r),
                (_, "/") => arith(ArithOp::Div, l, r),
                _ => return Err(self.internal(op_span, "unknown operator")),
            };
            acc = Expr { kind, span };
        }
        Ok(acc)
    }

    fn not_expr(&mut self, p: Pair<'_, Rule>) -> R<Expr> {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let first = inner
            .next()
            .ok_or_else(|| self.internal(span.clone(), "empty `not`"))?;
        if first.as_rule() == Rule::kw_not {
            self.enter(&span)?;
            let operand = self.expr(self.child(&mut inner, Rule::not_expr)?)?;
            Ok(Expr {
                kind: ExprKind::Not(Box::new(operand)),
                span,
            })
        } else {
            self.expr(first)
        }
    }

    fn cmp_expr(&mut self, p: Pair<'_, Rule>) -> R<Expr> {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let left = self.expr(self.child(&mut inner, Rule::sum_expr)?)?;
        let Some(op) = inner.next() else {
            return Ok(left);
        };
        self.enter(&span)?;
        let left = Box::new(left);
        let kind = match op.as_rule() {
            Rule::cmp_op => {
                let op = match op.as_str() {
                    "==" => CmpOp::Eq,
                    "!=" => CmpOp::Ne,
                    "<" => CmpOp::Lt,
                    "<=" => CmpOp::Le,
                    ">" => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let right = self.expr(self.child(&mut inner, Rule::sum_expr)?)?;
                ExprKind::Compare {
                    op,
                    left,
                    right: Box::new(right),
                }
            }
            Rule::kw_in => match inner.next() {
                Some(set) if set.as_rule() == Rule::interval => self.interval(left, set)?,
                Some(set) => ExprKind::In {
                    value: left,
                    set: Box::new(self.expr(set)?),
                },
                None => return Err(self.internal(span, "`in` without a set")),
            },
            Rule::order_op => {
                let right = self.expr(self.child(&mut inner, Rule::sum_expr)?)?;
                ExprKind::Order {
                    before: op.as_str() == "before",
                    left,
                    right: Box::new(right),
                }
            }
            _ => {
                let pattern = self.pattern(self.child(&mut inner, Rule::pattern)?)?;
                ExprKind::Matches {
                    value: left,
                    pattern,
                }
            }
        };
        Ok(Expr { kind, span })
    }

    fn interval(&mut self, value: Box<Expr>, p: Pair<'_, Rule>) -> R<ExprKind> {
        let mut inner = p.into_inner();
        let lo_closed = self.child(&mut inner, Rule::interval_open)?.as_str() == "[";
        let lo = self.expr(self.child(&mut inner, Rule::sum_expr)?)?;
        self.child(&mut inner, Rule::comma)?;
        let hi = self.expr(self.child(&mut inner, Rule::sum_expr)?)?;
        let hi_closed = self.child(&mut inner, Rule::interval_close)?.as_str() == "]";
        Ok(ExprKind::InInterval {
            value,
            lo: Box::new(lo),
            hi: Box::new(hi),
            lo_closed,
            hi_closed,
        })
    }

    // Each kind of primary has its own small function: in debug builds a function's frame
    // holds the locals of all its match arms, and the builder recurses through these.
    fn primary(&mut self, p: Pair<'_, Rule>) -> R<Expr> {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::paren_expr => self.paren(p, span),
            Rule::exists_expr | Rule::count_expr => self.quantifier(p, span),
            Rule::agg_expr => self.aggregate(p, span),
            Rule::list_expr => self.list(p, span),
            Rule::path => Ok(self.path(p, span)),
            _ => Ok(Expr {
                kind: ExprKind::Literal(self.literal(p)?),
                span,
            }),
        }
    }

    fn paren(&mut self, p: Pair<'_, Rule>, span: Span) -> R<Expr> {
        self.enter(&span)?;
        let mut inner = p.into_inner();
        self.child(&mut inner, Rule::lparen)?;
        // Keep the parentheses in the span: errors about `(a or b)` point at all of it.
        let e = self.expr(self.child(&mut inner, Rule::expr)?)?;
        Ok(Expr { kind: e.kind, span })
    }

    /// `exists QUERY` or `count(QUERY)`.
    fn quantifier(&mut self, p: Pair<'_, Rule>, span: Span) -> R<Expr> {
        self.enter(&span)?;
        let exists = p.as_rule() == Rule::exists_expr;
        let query = p
            .into_inner()
            .find(|c| c.as_rule() == Rule::query)
            .ok_or_else(|| self.internal(span.clone(), "quantifier without a query"))?;
        let query = self.query(query)?;
        let kind = if exists {
            ExprKind::Exists(query)
        } else {
            ExprKind::Count(query)
        };
        Ok(Expr { kind, span })
    }

    fn aggregate(&mut self, p: Pair<'_, Rule>, span: Span) -> R<Expr> {
        self.enter(&span)?;
        let mut inner = p.into_inner();
        let func = match self.child(&mut inner, Rule::agg_func)?.as_str() {
            "min" => AggFunc::Min,
            "max" => AggFunc::Max,
            _ => AggFunc::Sum,
        };
        self.child(&mut inner, Rule::lparen)?;
        let value = self.expr(self.child(&mut inner, Rule::sum_expr)?)?;
        self.child(&mut inner, Rule::kw_for)?;
        let query = self.query(self.child(&mut inner, Rule::query)?)?;
        Ok(Expr {
            kind: ExprKind::Aggregate {
                func,
                value: Box::new(value),
                query,
            },
            span,
        })
    }

    fn list(&mut self, p: Pair<'_, Rule>, span: Span) -> R<Expr> {
        self.enter(&span)?;
        let mut items = Vec::new();
        for c in p.into_inner() {
            if c.as_rule() == Rule::sum_expr {
                items.push(self.expr(c)?);
            }
        }
        Ok(Expr {
            kind: ExprKind::List(items),
            span,
        })
    }

    fn path(&self, p: Pair<'_, Rule>, span: Span) -> Expr {
        let idents = p
            .into_inner()
            .filter(|c| c.as_rule() != Rule::dot)
            .map(|c| self.ident(&c))
            .collect();
        Expr {
            kind: ExprKind::Path(idents),
            span,
        }
    }

    // ------------------------------------------------------------ literals

    fn string(&self, p: Pair<'_, Rule>) -> StrLit {
        let span = self.span(&p);
        let mut value = String::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::str_text => value.push_str(c.as_str()),
                Rule::str_escape => value.push(match c.as_str() {
                    "\\n" => '\n',
                    "\\t" => '\t',
                    "\\\"" => '"',
                    _ => '\\',
                }),
                _ => {}
            }
        }
        StrLit { value, span }
    }

    fn regex(&self, p: Pair<'_, Rule>) -> R<RegexLit> {
        let span = self.span(&p);
        let mut pattern = String::new();
        let mut flags = String::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::regex_body => pattern = unescape_regex(c.as_str()),
                Rule::regex_flags => flags = c.as_str().to_string(),
                _ => {}
            }
        }
        Ok(RegexLit {
            pattern,
            flags,
            span,
        })
    }

    fn literal(&self, p: Pair<'_, Rule>) -> R<Literal> {
        let span = self.span(&p);
        let text = p.as_str();
        let bad = |what: &str| self.error(span.clone(), what.to_string(), "this literal");
        match p.as_rule() {
            Rule::number_lit => Ok(Literal::Number(self.decimal(text, &span)?)),
            Rule::percent_lit => Ok(Literal::Percent(
                self.decimal(text.trim_end_matches('%'), &span)?,
            )),
            Rule::money_lit => {
                let split = text
                    .find(|c: char| c.is_ascii_uppercase())
                    .unwrap_or(text.len());
                let (amount, currency) = text.split_at(split);
                Ok(Literal::Money {
                    amount: self.decimal(amount.trim_end(), &span)?,
                    currency: currency.to_string(),
                })
            }
            Rule::duration_lit => {
                let split = text
                    .find(|c: char| c.is_ascii_alphabetic())
                    .unwrap_or(text.len());
                let (n, unit) = text.split_at(split);
                let seconds: i64 = match unit {
                    "min" => 60,
                    "h" => 3_600,
                    "d" => 86_400,
                    "w" => 7 * 86_400,
                    "mo" => 30 * 86_400,
                    _ => 365 * 86_400,
                };
                self.decimal(n, &span)?
                    .checked_mul(Decimal::from(seconds))
                    .map(Literal::Duration)
                    .ok_or_else(|| bad("duration is too large"))
            }
            Rule::time_lit => parse_time(text)
                .map(Literal::Time)
                .ok_or_else(|| bad("invalid time of day: hours are 0–23 and minutes 0–59")),
            Rule::date_lit => parse_date(text)
                .map(|(year, month, day)| Literal::Date { year, month, day })
                .ok_or_else(|| bad("invalid date: no such day in the calendar")),
            Rule::string => Ok(Literal::Text(self.string(p).value)),
            Rule::bool_lit => Ok(Literal::Bool(text == "true")),
            Rule::string_list => Ok(Literal::List(
                p.into_inner()
                    .filter(|c| c.as_rule() == Rule::string)
                    .map(|c| self.string(c).value)
                    .collect(),
            )),
            _ => Err(self.internal(span, "unexpected literal")),
        }
    }

    fn decimal(&self, text: &str, span: &Span) -> R<Decimal> {
        Decimal::from_str(text).map_err(|_| {
            self.error(
                span.clone(),
                "number is out of range (at most 28 significant digits)",
                "this number",
            )
        })
    }
}

/// A precedence level with a single child and no operator is just that child. Skipping such
/// levels in a loop keeps the builder's recursion (and stack) to one step per real node: a
/// parenthesised operand passes through seven grammar levels.
fn skip_single_levels(mut p: Pair<'_, Rule>) -> Pair<'_, Rule> {
    while matches!(
        p.as_rule(),
        Rule::expr
            | Rule::and_expr
            | Rule::not_expr
            | Rule::cmp_expr
            | Rule::sum_expr
            | Rule::prod_expr
    ) {
        let mut inner = p.clone().into_inner();
        match (inner.next(), inner.next()) {
            (Some(only), None) => p = only,
            _ => break,
        }
    }
    p
}

/// Where a pair's text really ends. A non-atomic rule whose last element is optional or
/// repeated also covers the whitespace and comments pest skipped while looking for it; its
/// last child does not.
fn end_without_trivia(p: &Pair<'_, Rule>) -> usize {
    let mut last = p.clone();
    while let Some(child) = last.clone().into_inner().last() {
        last = child;
    }
    last.as_span().end()
}

fn arith(op: ArithOp, left: Box<Expr>, right: Box<Expr>) -> ExprKind {
    ExprKind::Arith { op, left, right }
}

fn binder_kind(word: &str) -> BinderKind {
    BinderKind::ALL
        .into_iter()
        .find(|k| k.keyword() == word)
        .unwrap_or(BinderKind::Match)
}

/// The regex between the slashes with `\/` turned into `/` (every other escape is the regex's).
pub(super) fn unescape_regex(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('/') => out.push('/'),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn parse_time(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
    (h < 24 && m < 60).then_some(h * 3600 + m * 60)
}

fn parse_date(text: &str) -> Option<(i32, u8, u8)> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?.parse::<i32>().ok()?;
    let month = parts.next()?.parse::<u8>().ok()?;
    let day = parts.next()?.parse::<u8>().ok()?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (day >= 1 && day <= days).then_some((year, month, day))
}

// ---------------------------------------------------------------- syntax errors

/// Turn a pest error into an LL001 diagnostic that says, in plain words, what was expected.
fn syntax_error(
    e: &pest::error::Error<Rule>,
    text: &str,
    file: usize,
    map: &dyn Fn(usize) -> usize,
    end_name: &str,
) -> Diagnostic {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let pos = crate::span::floor_char_boundary(text, pos);
    let found = found_token(text, pos);
    let span = map(pos)..map(pos + found.len());
    let (message, help) = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            expected_message(positives, found, text, pos, end_name)
        }
        pest::error::ErrorVariant::CustomError { message } => (
            format!(
                "the rule file could not be parsed: {message} (is something nested too deeply?)"
            ),
            None,
        ),
    };
    let mut d = Diagnostic::error("LL001", file, span, message)
        .with_label(format!("unexpected {}", found_words(found, end_name)));
    d.help = help;
    d
}

fn found_words(found: &str, end_name: &str) -> String {
    match found {
        "" => end_name.to_string(),
        "\n" | "\r" => "end of line".to_string(),
        f => format!("`{f}`"),
    }
}

/// The token at `pos` as a user would name it: a word, or one character ("" at the end).
fn found_token(text: &str, pos: usize) -> &str {
    let rest = text.get(pos..).unwrap_or("");
    let mut chars = rest.char_indices();
    match chars.next() {
        None => "",
        Some((_, c)) if is_word_char(c) => {
            let end = rest
                .char_indices()
                .find(|&(_, c)| !is_word_char(c))
                .map_or(rest.len(), |(i, _)| i);
            let end = rest.char_indices().nth(24).map_or(end, |(i, _)| i.min(end));
            &rest[..end]
        }
        Some((_, c)) => &rest[..c.len_utf8()],
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// "expected `a`, `b` or `c`, found …", with string and regex troubles explained.
fn expected_message(
    positives: &[Rule],
    found: &str,
    text: &str,
    pos: usize,
    end_name: &str,
) -> (String, Option<String>) {
    let at_line_end = matches!(found, "" | "\n" | "\r");
    if positives.contains(&Rule::str_end) {
        return if at_line_end {
            (
                "unterminated string: expected `\"` before the end of the line".into(),
                Some(
                    "a string must end on the line it starts on; write `\\n` for a line break"
                        .into(),
                ),
            )
        } else {
            let brace = matches!(text.get(pos + 1..pos + 2), Some("{" | "}"));
            (
                "unknown escape in string: expected `\\n`, `\\t`, `\\\"` or `\\\\`".into(),
                brace.then(|| "write `{{` and `}}` for literal braces in messages".into()),
            )
        };
    }
    if positives.contains(&Rule::regex_end) || positives.contains(&Rule::regex_body) {
        return if found == "/" {
            (
                "empty regex: expected a pattern between the slashes".into(),
                None,
            )
        } else {
            (
                "unterminated regex: expected `/` before the end of the line".into(),
                Some("write `\\/` for a slash inside a regex".into()),
            )
        };
    }
    let mut names: Vec<&'static str> = Vec::new();
    for r in positives {
        for name in friendly(*r) {
            if !names.contains(name) {
                names.push(name);
            }
        }
    }
    let names = collapse_operators(names);
    let message = format!(
        "expected {}, found {}",
        join_or(&names),
        found_words(found, end_name)
    );
    let keyword_note = (positives.contains(&Rule::ident) && is_keyword(found))
        .then(|| format!("`{found}` is a reserved word and cannot be used as a name"));
    let eq_note = (found == "=" && text.get(pos..pos + 2) != Some("=="))
        .then(|| "comparisons use `==`".to_string())
        .filter(|_| positives.contains(&Rule::cmp_op));
    (message, keyword_note.or(eq_note))
}

/// Many operators can follow a complete value; listing them all (and every rule item that
/// could come next) drowns the useful part, so they are summarised.
fn collapse_operators(names: Vec<&'static str>) -> Vec<&'static str> {
    const OPERATORS: [&str; 10] = [
        "`.`",
        "`before` or `after`",
        "`*` or `/`",
        "`+` or `-`",
        "a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`)",
        "`in`",
        "`matches`",
        "`within`",
        "`and`",
        "`or`",
    ];
    const ITEMS: [&str; 10] = [
        "`subject`",
        "`concept`",
        "`severity`",
        "`cite`",
        "`message`",
        "`help`",
        "`forbid`",
        "`require`",
        "`at`",
        "`example`",
    ];
    if names.iter().filter(|n| OPERATORS.contains(n)).count() < 3 {
        return names;
    }
    let all_items = ITEMS.iter().all(|i| names.contains(i));
    let mut out = Vec::new();
    for n in names {
        let replacement = if OPERATORS.contains(&n) {
            "an operator (`and`, `or`, `==`, `+`, …)"
        } else if all_items && ITEMS.contains(&n) {
            "the next rule item"
        } else {
            n
        };
        if !out.contains(&replacement) {
            out.push(replacement);
        }
    }
    out
}

fn join_or(names: &[&str]) -> String {
    match names {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn is_keyword(word: &str) -> bool {
    Grammar::parse(Rule::keyword, word).is_ok_and(|p| p.as_str() == word)
}

/// What a grammar rule is called in an error message.
fn friendly(rule: Rule) -> &'static [&'static str] {
    use Rule::*;
    match rule {
        EOI => &["end of file"],
        file | pack_header | kw_pack => &["`pack` (a rule file starts with its pack header)"],
        pack_id => &["a pack id (lower-case letters, digits and `-`, like `cn-consumer-credit`)"],
        jurisdiction_code => &["a jurisdiction code (upper-case, like `CN`)"],
        kw_version => &["`version`"],
        kw_jurisdiction => &["`jurisdiction`"],
        kw_param | param_decl => &["`param`"],
        kw_lexicon | lexicon_decl => &["`lexicon`"],
        kw_rule | rule_decl => &["`rule`"],
        param_type => &["a type (`percent`, `money`, `duration`, `time`, `date`, `int`, `number`, `text` or `list`)"],
        string_list => &["a list of strings"],
        config_value => &["a value such as `24%`, `200000 CNY`, `30d` or `22:00`"],
        rule_id => &["a rule id (upper-case letters and digits in dash-separated parts, like `CN-STD-001`)"],
        kw_concept | concept_item => &["`concept`"],
        kw_severity | severity_item => &["`severity`"],
        kw_cite | cite_item => &["`cite`"],
        kw_message | message_item => &["`message`"],
        kw_help | help_item => &["`help`"],
        kw_forbid | forbid_item => &["`forbid`"],
        kw_require | require_item => &["`require`"],
        kw_at | at_item => &["`at`"],
        kw_example | example_item => &["`example`"],
        concept_id => &["a concept id (like `format.final-interpretation`)"],
        concept_part => &["a concept id part"],
        severity_level => &["`error`, `warning` or `info`"],
        example_kind => &["`fire` or `pass`"],
        kw_each => &["`each`"],
        kw_unless => &["`unless`"],
        kw_of => &["`of`"],
        kw_where => &["`where`"],
        kw_within => &["`within`"],
        kw_chars => &["`chars`"],
        kw_and => &["`and`"],
        kw_or => &["`or`"],
        kw_not => &["`not`"],
        kw_in => &["`in`"],
        kw_matches => &["`matches`"],
        kw_exists | exists_expr => &["`exists`"],
        kw_count | count_expr => &["`count`"],
        kw_for => &["`for`"],
        kw_document => &["`document`"],
        kw_subject | subject_item => &["`subject`"],
        subject_kind => &["`log` or `contract`"],
        interval => &["an interval (`[a, b]`, `[a, b)`, `(a, b]` or `(a, b)`)"],
        interval_open => &["`[` or `(`"],
        interval_close => &["`]` or `)`"],
        order_op => &["`before` or `after`"],
        query | binder_kind => &["a query kind (`match`, `sentence`, `clause`, `paragraph`, `rate`, `money`, `duration`, `date`, `blank` or `event`)"],
        pattern | pattern_group => &["a pattern (a `/regex/`, a \"string\" or a lexicon name)"],
        distance => &["a number of characters"],
        template_expr | expr | and_expr | not_expr | cmp_expr | sum_expr | prod_expr
        | paren_expr | agg_expr | agg_func | list_expr | path | date_lit | time_lit
        | duration_lit | percent_lit | money_lit | number_lit | bool_lit => &["a value"],
        ident => &["a name"],
        prop_name => &["a property name"],
        cmp_op => &["a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`)"],
        add_op => &["`+` or `-`"],
        mul_op => &["`*` or `/`"],
        string | str_text | str_escape | str_end => &["a string (\"…\")"],
        regex | regex_body | regex_end | regex_flags => &["a `/regex/`"],
        keyword => &["a keyword"],
        lbrace => &["`{`"],
        rbrace => &["`}`"],
        lbracket => &["`[`"],
        rbracket => &["`]`"],
        lparen => &["`(`"],
        rparen => &["`)`"],
        comma => &["`,`"],
        colon => &["`:`"],
        equals => &["`=`"],
        dot => &["`.`"],
        top_item => &["`param`", "`lexicon`", "`rule`"],
        rule_item => &[
            "`concept`", "`severity`", "`cite`", "`message`", "`help`", "`forbid`", "`require`",
            "`at`", "`example`", "`subject`",
        ],
        param_value => &["a value"],
        lex_entry | pattern_atom => &["a pattern (a `/regex/`, a \"string\" or a lexicon name)"],
        primary | literal | path_head | decimal => &["a value"],
        WHITESPACE | COMMENT => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> RuleFile {
        let source = SourceFile {
            path: "t.rules".into(),
            text: text.into(),
        };
        match parse(&source, 0) {
            Ok(f) => f,
            Err(d) => panic!("{}: {:?}", d.message, d.span),
        }
    }

    fn param_default(text: &str) -> Literal {
        let f = parse_text(&format!("pack t\nparam p: number = {text}\n"));
        match f.items.first() {
            Some(Item::Param(p)) => p.default.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn literals_are_exact_values() {
        let d = |n: i64| Decimal::from(n);
        assert_eq!(param_default("0.5"), Literal::Number(Decimal::new(5, 1)));
        assert_eq!(param_default("-3"), Literal::Number(d(-3)));
        assert_eq!(param_default("24%"), Literal::Percent(d(24)));
        assert_eq!(
            param_default("10000.50 CNY"),
            Literal::Money {
                amount: Decimal::new(1_000_050, 2),
                currency: "CNY".into()
            }
        );
        assert_eq!(param_default("15min"), Literal::Duration(d(900)));
        assert_eq!(param_default("12h"), Literal::Duration(d(43_200)));
        assert_eq!(param_default("2w"), Literal::Duration(d(14 * 86_400)));
        assert_eq!(param_default("6mo"), Literal::Duration(d(180 * 86_400)));
        assert_eq!(param_default("1y"), Literal::Duration(d(365 * 86_400)));
        assert_eq!(param_default("8:30"), Literal::Time(8 * 3600 + 30 * 60));
        assert_eq!(
            param_default("2024-02-29"),
            Literal::Date {
                year: 2024,
                month: 2,
                day: 29
            }
        );
        assert_eq!(
            param_default("\"a\\\"b\\n\\\\\""),
            Literal::Text("a\"b\n\\".into())
        );
        assert_eq!(
            param_default("[\"股票\", \"期货\",]"),
            Literal::List(vec!["股票".into(), "期货".into()])
        );
        assert_eq!(param_default("true"), Literal::Bool(true));
    }

    #[test]
    fn every_node_keeps_its_byte_span() {
        let text = "pack 包-x\n";
        let source = SourceFile {
            path: "t".into(),
            text: text.into(),
        };
        assert!(parse(&source, 0).is_err(), "pack ids are lower-case ASCII");

        let text = "pack t # comment\nrule R-1 \"标题\" {\n  forbid each sentence s of /a\\/b/i within 5 chars of \"x\" where s.clause.title == \"y\"\n}\n";
        let f = parse_text(text);
        let Some(Item::Rule(r)) = f.items.first() else {
            panic!("rule expected")
        };
        assert_eq!(&text[r.id.span.clone()], "R-1");
        assert_eq!(&text[r.title.span.clone()], "\"标题\"");
        let Some(RuleItem::Assertion(Assertion::Forbid { query, span, .. })) = r.items.first()
        else {
            panic!("forbid expected")
        };
        assert_eq!(
            &text[span.clone()],
            "forbid each sentence s of /a\\/b/i within 5 chars of \"x\" where s.clause.title == \"y\""
        );
        assert_eq!(&text[query.kind_span.clone()], "sentence");
        let Some(Pattern::Within {
            left,
            distance,
            distance_span,
            right,
            span,
        }) = &query.pattern
        else {
            panic!("within expected")
        };
        assert_eq!(*distance, 5);
        assert_eq!(&text[distance_span.clone()], "5");
        assert_eq!(&text[span.clone()], "/a\\/b/i within 5 chars of \"x\"");
        let Pattern::Regex(re) = left.as_ref() else {
            panic!("regex expected")
        };
        assert_eq!((re.pattern.as_str(), re.flags.as_str()), ("a/b", "i"));
        assert_eq!(&text[re.span.clone()], "/a\\/b/i");
        assert!(matches!(right.as_ref(), Pattern::Literal(s) if s.value == "x"));
        let filter = query.filter.as_ref().expect("filter");
        assert_eq!(&text[filter.span.clone()], "s.clause.title == \"y\"");
        let ExprKind::Compare { left, .. } = &filter.kind else {
            panic!("compare expected")
        };
        let ExprKind::Path(ids) = &left.kind else {
            panic!("path expected")
        };
        let names: Vec<&str> = ids.iter().map(|i| &text[i.span.clone()]).collect();
        assert_eq!(names, ["s", "clause", "title"]);
    }

    #[test]
    fn precedence_or_and_not_comparison_sum_product() {
        let text = "pack t\nrule R-1 \"t\" {\n  require not a == 1 + 2 * 3 and b or c\n}\n";
        let f = parse_text(text);
        let Some(Item::Rule(r)) = f.items.first() else {
            panic!("rule expected")
        };
        let Some(RuleItem::Assertion(Assertion::Require { cond, .. })) = r.items.first() else {
            panic!("require expected")
        };
        // ((not (a == (1 + (2 * 3)))) and b) or c
        let ExprKind::Or(and, c) = &cond.kind else {
            panic!("or at the top: {cond:?}")
        };
        assert!(matches!(&c.kind, ExprKind::Path(p) if p[0].name == "c"));
        let ExprKind::And(not, _) = &and.kind else {
            panic!("and below or")
        };
        let ExprKind::Not(cmp) = &not.kind else {
            panic!("not below and")
        };
        let ExprKind::Compare { right, .. } = &cmp.kind else {
            panic!("comparison below not")
        };
        let ExprKind::Arith {
            op: ArithOp::Add,
            right: product,
            ..
        } = &right.kind
        else {
            panic!("sum on the right")
        };
        assert!(matches!(
            product.kind,
            ExprKind::Arith {
                op: ArithOp::Mul,
                ..
            }
        ));
        assert_eq!(&text[product.span.clone()], "2 * 3");
    }
}
