//! The filter language of list endpoints (and, later, saved views):
//!
//! ```text
//! lifecycle = "current" and city = "Gdańsk" and (amount > 1000 or key_account = true)
//! owner = me and not stage in ("lost", "won") and birthday is not null
//! name ~ "acme"            -- contains, case-insensitive
//! custom.tier = "gold"     -- custom fields under custom.
//! amount > 1000            -- money in the workspace's default currency
//! amount >= "500 USD"      -- money in a named currency (never compared across currencies)
//! ```
//!
//! Parsing gives an untyped [`Expr`] with character positions; [`compile`]
//! checks it against an entity [`Schema`] and yields a typed [`Filter`] the
//! store turns into SQL through its query builder. Both steps report errors
//! with the 1-based column where the problem starts.

use crate::meta::{EntityKind, FieldDef, FieldType, Schema, Target};
use crate::value::{FieldValue, ParseContext, parse_text};
use serde::Serialize;
use std::fmt;
use uuid::Uuid;

/// A filter that does not parse or does not fit the entity, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FilterError {
    /// 1-based character column in the filter text.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for FilterError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `~`: contains, case-insensitive.
    Contains,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    String(String),
    Number(String),
    Bool(bool),
    Null,
    /// The signed-in user.
    Me,
}

/// An untyped filter expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Compare { field: String, at: usize, op: Op, value: Literal, value_at: usize },
    In { field: String, at: usize, values: Vec<(Literal, usize)> },
    IsNull { field: String, at: usize, negated: bool },
}

/// Filters built in code rather than typed by people: values are data, never
/// spliced into filter text, so nothing needs quoting.
impl Expr {
    /// `field = value`.
    pub fn eq(field: &str, value: impl Into<Literal>) -> Expr {
        Expr::Compare { field: field.to_string(), at: 0, op: Op::Eq, value: value.into(), value_at: 0 }
    }

    /// `field <op> value`.
    pub fn compare(field: &str, op: Op, value: impl Into<Literal>) -> Expr {
        Expr::Compare { field: field.to_string(), at: 0, op, value: value.into(), value_at: 0 }
    }

    /// `field in (values…)`.
    pub fn one_of<V: Into<Literal>>(field: &str, values: impl IntoIterator<Item = V>) -> Expr {
        Expr::In { field: field.to_string(), at: 0, values: values.into_iter().map(|v| (v.into(), 0)).collect() }
    }

    /// `field is null` (or `is not null`).
    pub fn is_null(field: &str, negated: bool) -> Expr {
        Expr::IsNull { field: field.to_string(), at: 0, negated }
    }

    /// Every condition (none: every record).
    pub fn all(parts: impl IntoIterator<Item = Expr>) -> Expr {
        Expr::And(parts.into_iter().collect())
    }
}

/// A filter as text in the filter language, values quoted and escaped, so
/// that [`parse`] gives it back (for links to list pages).
pub fn to_text(expr: &Expr) -> String {
    fn literal(l: &Literal) -> String {
        match l {
            Literal::String(s) => {
                let escaped = s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
                format!("\"{escaped}\"")
            }
            Literal::Number(n) => n.clone(),
            Literal::Bool(b) => b.to_string(),
            Literal::Null => "null".into(),
            Literal::Me => "me".into(),
        }
    }
    fn op(o: Op) -> &'static str {
        match o {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Contains => "~",
        }
    }
    let joined = |parts: &[Expr], with: &str| {
        let texts: Vec<String> = parts.iter().map(|p| format!("({})", to_text(p))).collect();
        texts.join(with)
    };
    match expr {
        Expr::And(parts) if parts.len() == 1 => to_text(&parts[0]),
        Expr::And(parts) => joined(parts, " and "),
        Expr::Or(parts) => joined(parts, " or "),
        Expr::Not(inner) => format!("not ({})", to_text(inner)),
        Expr::Compare { field, op: o, value, .. } => format!("{field} {} {}", op(*o), literal(value)),
        Expr::In { field, values, .. } => {
            let items: Vec<String> = values.iter().map(|(v, _)| literal(v)).collect();
            format!("{field} in ({})", items.join(", "))
        }
        Expr::IsNull { field, negated, .. } => format!("{field} is {}null", if *negated { "not " } else { "" }),
    }
}

impl From<&str> for Literal {
    fn from(s: &str) -> Literal {
        Literal::String(s.to_string())
    }
}

impl From<String> for Literal {
    fn from(s: String) -> Literal {
        Literal::String(s)
    }
}

impl From<bool> for Literal {
    fn from(b: bool) -> Literal {
        Literal::Bool(b)
    }
}

impl From<uuid::Uuid> for Literal {
    fn from(id: uuid::Uuid) -> Literal {
        Literal::String(id.to_string())
    }
}

impl From<crate::ids::RecordId> for Literal {
    fn from(id: crate::ids::RecordId) -> Literal {
        Literal::String(id.to_string())
    }
}

impl From<crate::ids::UserId> for Literal {
    fn from(id: crate::ids::UserId) -> Literal {
        Literal::String(id.to_string())
    }
}

impl From<chrono::NaiveDate> for Literal {
    fn from(d: chrono::NaiveDate) -> Literal {
        Literal::String(d.to_string())
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(String),
    Op(Op),
    LParen,
    RParen,
    Comma,
}

const MAX_FILTER_LEN: usize = 4000;
const MAX_DEPTH: usize = 32;

fn lex(input: &str) -> Result<Vec<(Tok, usize)>, FilterError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let fail = |at: usize, message: String| FilterError { column: at + 1, message };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => {
                out.push((Tok::LParen, start));
                i += 1;
            }
            ')' => {
                out.push((Tok::RParen, start));
                i += 1;
            }
            ',' => {
                out.push((Tok::Comma, start));
                i += 1;
            }
            '~' => {
                out.push((Tok::Op(Op::Contains), start));
                i += 1;
            }
            '=' => {
                out.push((Tok::Op(Op::Eq), start));
                i += if chars.get(i + 1) == Some(&'=') { 2 } else { 1 };
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                out.push((Tok::Op(Op::Ne), start));
                i += 2;
            }
            '<' | '>' => {
                let eq = chars.get(i + 1) == Some(&'=');
                let ne = c == '<' && chars.get(i + 1) == Some(&'>');
                let op = match (c, eq, ne) {
                    (_, _, true) => Op::Ne,
                    ('<', true, _) => Op::Le,
                    ('<', false, _) => Op::Lt,
                    (_, true, _) => Op::Ge,
                    _ => Op::Gt,
                };
                out.push((Tok::Op(op), start));
                i += if eq || ne { 2 } else { 1 };
            }
            '"' | '\'' => {
                let quote = c;
                i += 1;
                let mut s = String::new();
                loop {
                    match chars.get(i) {
                        None => return Err(fail(start, "unterminated string".into())),
                        Some('\\') => {
                            match chars.get(i + 1) {
                                Some(&e @ ('"' | '\'' | '\\')) => s.push(e),
                                Some('n') => s.push('\n'),
                                _ => return Err(fail(i, "unknown escape; use \\\" or \\\\".into())),
                            }
                            i += 2;
                        }
                        Some(&ch) if ch == quote => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                out.push((Tok::Str(s), start));
            }
            c if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) => {
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                out.push((Tok::Num(chars[start..i].iter().collect()), start));
            }
            c if c.is_alphabetic() || c == '_' => {
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                    i += 1;
                }
                out.push((Tok::Ident(chars[start..i].iter().collect()), start));
            }
            other => return Err(fail(start, format!("unexpected character {other:?}"))),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }
    fn at(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, a)| *a)
    }
    fn fail<T>(&self, message: impl Into<String>) -> Result<T, FilterError> {
        Err(FilterError { column: self.at() + 1, message: message.into() })
    }
    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(kw))
    }
    fn bump(&mut self) -> Option<(Tok, usize)> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut parts = vec![self.and()?];
        while self.keyword("or") {
            self.bump();
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 { parts.pop().unwrap() } else { Expr::Or(parts) })
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut parts = vec![self.not()?];
        while self.keyword("and") {
            self.bump();
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 { parts.pop().unwrap() } else { Expr::And(parts) })
    }

    /// Every form of nesting (parentheses, `not`) goes through here, so one
    /// limit bounds the parser's recursion, and the compiler's and
    /// printer's after it, whatever the length limit allows.
    fn nested<T>(&mut self, parse: impl FnOnce(&mut Self) -> Result<T, FilterError>) -> Result<T, FilterError> {
        if self.depth >= MAX_DEPTH {
            return self.fail(format!("nested more than {MAX_DEPTH} levels deep"));
        }
        self.depth += 1;
        let parsed = parse(self);
        self.depth -= 1;
        parsed
    }

    fn not(&mut self) -> Result<Expr, FilterError> {
        if self.keyword("not") {
            self.bump();
            return self.nested(|p| Ok(Expr::Not(Box::new(p.not()?))));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, FilterError> {
        match self.peek() {
            Some(Tok::LParen) => {
                self.bump();
                let inner = self.nested(|p| p.or())?;
                match self.bump() {
                    Some((Tok::RParen, _)) => Ok(inner),
                    _ => {
                        self.pos -= 1;
                        self.fail("expected )")
                    }
                }
            }
            Some(Tok::Ident(_)) => self.condition(),
            None => self.fail("expected a condition like name = \"Acme\""),
            _ => self.fail("expected a field name"),
        }
    }

    fn condition(&mut self) -> Result<Expr, FilterError> {
        let Some((Tok::Ident(field), at)) = self.bump() else { unreachable!() };
        if self.keyword("is") {
            self.bump();
            let negated = self.keyword("not");
            if negated {
                self.bump();
            }
            if !self.keyword("null") {
                return self.fail("expected null after is");
            }
            self.bump();
            return Ok(Expr::IsNull { field, at, negated });
        }
        if self.keyword("in") {
            self.bump();
            if self.peek() != Some(&Tok::LParen) {
                return self.fail("expected ( after in");
            }
            self.bump();
            let mut values = Vec::new();
            loop {
                let value_at = self.at();
                values.push((self.literal()?, value_at));
                match self.bump() {
                    Some((Tok::Comma, _)) => continue,
                    Some((Tok::RParen, _)) => break,
                    _ => {
                        self.pos -= 1;
                        return self.fail("expected , or ) in the list");
                    }
                }
            }
            return Ok(Expr::In { field, at, values });
        }
        let op = match self.bump() {
            Some((Tok::Op(op), _)) => op,
            _ => {
                self.pos -= 1;
                return self.fail(format!("expected an operator after {field} (=, !=, <, <=, >, >=, ~, in, is null)"));
            }
        };
        let value_at = self.at();
        let value = self.literal()?;
        Ok(Expr::Compare { field, at, op, value, value_at })
    }

    fn literal(&mut self) -> Result<Literal, FilterError> {
        let lit = match self.peek() {
            Some(Tok::Str(s)) => Literal::String(s.clone()),
            Some(Tok::Num(n)) => Literal::Number(n.clone()),
            Some(Tok::Ident(w)) => match w.to_ascii_lowercase().as_str() {
                "true" => Literal::Bool(true),
                "false" => Literal::Bool(false),
                "null" => Literal::Null,
                "me" => Literal::Me,
                _ => {
                    return self.fail(format!("expected a value; put text in quotes: \"{w}\""));
                }
            },
            _ => return self.fail("expected a value (a \"string\", a number, true, false, null or me)"),
        };
        self.bump();
        Ok(lit)
    }
}

/// Parses filter text into an untyped expression.
pub fn parse(input: &str) -> Result<Expr, FilterError> {
    if input.chars().count() > MAX_FILTER_LEN {
        return Err(FilterError {
            column: MAX_FILTER_LEN,
            message: format!("longer than {MAX_FILTER_LEN} characters"),
        });
    }
    let toks = lex(input)?;
    let mut p = Parser { toks, pos: 0, end: input.chars().count(), depth: 0 };
    let expr = p.or()?;
    if p.pos < p.toks.len() {
        return p.fail("expected and, or, or the end of the filter");
    }
    Ok(expr)
}

/// A filter checked against a schema, with values parsed to field types.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter<'a> {
    And(Vec<Filter<'a>>),
    Or(Vec<Filter<'a>>),
    Not(Box<Filter<'a>>),
    Compare {
        field: &'a FieldDef,
        op: Op,
        value: FieldValue,
    },
    In {
        field: &'a FieldDef,
        values: Vec<FieldValue>,
    },
    IsNull {
        field: &'a FieldDef,
        negated: bool,
    },
    /// A condition on the record a relation field points at
    /// (`account.city = "Gdańsk"`): `inner` is about the `target` type.
    Related {
        link: &'a FieldDef,
        target: EntityKind,
        inner: Box<Filter<'a>>,
    },
}

/// Whether a filter may look at a field of related records of a type.
pub type RelatedFields<'c> = dyn Fn(EntityKind, &FieldDef) -> bool + Sync + 'c;

/// Who "me" is, how to read literal values, and which fields of related
/// records a filter may name (`None`: none).
pub struct CompileContext<'c> {
    pub me: Option<Uuid>,
    pub parse: &'c ParseContext,
    /// Whether the filter may look at this field of a related type (the
    /// reader sees the type and the field).
    pub related: Option<&'c RelatedFields<'c>>,
}

/// For filters Relata itself applies (rules, webhooks): any related type
/// but those private to their owners.
pub fn any_shared_type(kind: EntityKind, _field: &FieldDef) -> bool {
    !kind.def().private_to_owner
}

impl<'c> CompileContext<'c> {
    /// How Relata compiles its own filters (rules, webhooks): no "me", and
    /// related records of every type not private to its owners.
    pub fn relata(parse: &'c ParseContext) -> CompileContext<'c> {
        CompileContext { me: None, parse, related: Some(&any_shared_type) }
    }
}

/// Checks an expression against `schema` and types its values.
pub fn compile<'a>(expr: &Expr, schema: &'a Schema, cx: &CompileContext) -> Result<Filter<'a>, FilterError> {
    // A field of the record, or of a related one (`account.city`): then
    // also the relation that leads there, and the type it leads to.
    type Resolved<'a> = (&'a FieldDef, Option<(&'a FieldDef, EntityKind)>);
    let field_of = |name: &str, at: usize| -> Result<Resolved<'a>, FilterError> {
        let unknown = || FilterError { column: at + 1, message: format!("unknown field {name:?}") };
        let (field, link) = match schema.field(name) {
            Some(field) => (field, None),
            None => {
                let (link, rest) = name.split_once('.').ok_or_else(unknown)?;
                let link = schema.field(link).filter(|l| l.filterable).ok_or_else(unknown)?;
                let FieldType::Relation(Target::Entity(target)) = link.ty else { return Err(unknown()) };
                let allowed = cx.related.ok_or_else(|| FilterError {
                    column: at + 1,
                    message: format!("{name}: conditions on related records are not available here"),
                })?;
                let field: &'static FieldDef = if target.is_custom() {
                    None
                } else {
                    target.def().fields.iter().find(|f| f.id == rest && allowed(target, f))
                }
                .ok_or_else(unknown)?;
                (field, Some((link, target)))
            }
        };
        if !field.filterable {
            return Err(FilterError { column: at + 1, message: format!("{name} cannot be filtered on") });
        }
        Ok((field, link))
    };
    let related = |link: Option<(&'a FieldDef, EntityKind)>, inner: Filter<'a>| match link {
        Some((link, target)) => Filter::Related { link, target, inner: Box::new(inner) },
        None => inner,
    };
    Ok(match expr {
        Expr::And(parts) => Filter::And(parts.iter().map(|p| compile(p, schema, cx)).collect::<Result<_, _>>()?),
        Expr::Or(parts) => Filter::Or(parts.iter().map(|p| compile(p, schema, cx)).collect::<Result<_, _>>()?),
        Expr::Not(inner) => Filter::Not(Box::new(compile(inner, schema, cx)?)),
        Expr::IsNull { field, at, negated } => {
            let (f, link) = field_of(field, *at)?;
            related(link, Filter::IsNull { field: f, negated: *negated })
        }
        Expr::Compare { field, at, op, value, value_at } => {
            let (f, link) = field_of(field, *at)?;
            if *value == Literal::Null {
                return match op {
                    Op::Eq => Ok(related(link, Filter::IsNull { field: f, negated: false })),
                    Op::Ne => Ok(related(link, Filter::IsNull { field: f, negated: true })),
                    _ => Err(FilterError {
                        column: value_at + 1,
                        message: "null only compares with = or !=; or write is null".into(),
                    }),
                };
            }
            check_operator(f, *op, *at)?;
            let value = if *op == Op::Contains {
                match value {
                    Literal::String(s) => FieldValue::Text(s.clone()),
                    _ => return Err(FilterError { column: value_at + 1, message: "~ takes a \"string\"".into() }),
                }
            } else {
                literal_value(f, value, *value_at, cx)?
            };
            related(link, Filter::Compare { field: f, op: *op, value })
        }
        Expr::In { field, at, values } => {
            let (f, link) = field_of(field, *at)?;
            check_operator(f, Op::Eq, *at)?;
            let values = values.iter().map(|(v, va)| literal_value(f, v, *va, cx)).collect::<Result<_, _>>()?;
            related(link, Filter::In { field: f, values })
        }
    })
}

/// The prefix of a rule's conditions that names a field's value before the
/// change the rule reacts to (`before.status = "draft"`).
pub const BEFORE: &str = "before.";

/// `expr` with each condition on `before.<field>` settled: where `before`
/// gives the field's earlier value (the change changed it), the condition
/// is decided on that value and becomes always true or always false;
/// elsewhere (`None`: the field did not change) it is about the field as
/// it is. A condition that cannot be decided on a value holds not.
pub fn settle_before(
    expr: Expr,
    schema: &Schema,
    cx: &CompileContext,
    before: &dyn Fn(&FieldDef) -> Option<FieldValue>,
) -> Expr {
    let each = |parts: Vec<Expr>| parts.into_iter().map(|p| settle_before(p, schema, cx, before)).collect();
    let leaf = match expr {
        Expr::And(parts) => return Expr::And(each(parts)),
        Expr::Or(parts) => return Expr::Or(each(parts)),
        Expr::Not(inner) => return Expr::Not(Box::new(settle_before(*inner, schema, cx, before))),
        leaf => leaf,
    };
    let Some(now) = without_before(&leaf) else { return leaf };
    let Some(earlier) = leaf_field(&now).and_then(|f| schema.field(f)).and_then(before) else { return now };
    let holds = compile(&now, schema, cx).ok().and_then(|f| holds(&f, &|_| earlier.clone())).unwrap_or(false);
    // Always true, always false: the record's id is never empty.
    Expr::IsNull { field: "id".into(), at: 0, negated: holds }
}

/// `before.<field>` in a condition made about `<field>`; `None` when the
/// condition is not about an earlier value.
pub fn without_before(leaf: &Expr) -> Option<Expr> {
    let strip = |f: &String| f.strip_prefix(BEFORE).map(str::to_string);
    Some(match leaf {
        Expr::Compare { field, at, op, value, value_at } => {
            Expr::Compare { field: strip(field)?, at: *at, op: *op, value: value.clone(), value_at: *value_at }
        }
        Expr::In { field, at, values } => Expr::In { field: strip(field)?, at: *at, values: values.clone() },
        Expr::IsNull { field, at, negated } => Expr::IsNull { field: strip(field)?, at: *at, negated: *negated },
        _ => return None,
    })
}

/// Every condition on `before.<field>` made about `<field>` (to check a
/// rule's conditions against its type).
pub fn strip_before(expr: Expr) -> Expr {
    match expr {
        Expr::And(parts) => Expr::And(parts.into_iter().map(strip_before).collect()),
        Expr::Or(parts) => Expr::Or(parts.into_iter().map(strip_before).collect()),
        Expr::Not(inner) => Expr::Not(Box::new(strip_before(*inner))),
        leaf => without_before(&leaf).unwrap_or(leaf),
    }
}

/// Whether `expr` names an earlier value anywhere.
pub fn mentions_before(expr: &Expr) -> bool {
    match expr {
        Expr::And(parts) | Expr::Or(parts) => parts.iter().any(mentions_before),
        Expr::Not(inner) => mentions_before(inner),
        leaf => without_before(leaf).is_some(),
    }
}

fn leaf_field(leaf: &Expr) -> Option<&str> {
    match leaf {
        Expr::Compare { field, .. } | Expr::In { field, .. } | Expr::IsNull { field, .. } => Some(field),
        _ => None,
    }
}

/// Whether `filter` holds for a record whose fields have the values
/// `value_of` gives, decided in memory as the database would (nothing
/// compares with an empty value); `None` where only the database can
/// tell (related records, lists of values).
pub fn holds(filter: &Filter, value_of: &dyn Fn(&FieldDef) -> FieldValue) -> Option<bool> {
    Some(match filter {
        Filter::And(parts) => {
            for part in parts {
                if !holds(part, value_of)? {
                    return Some(false);
                }
            }
            true
        }
        Filter::Or(parts) => {
            for part in parts {
                if holds(part, value_of)? {
                    return Some(true);
                }
            }
            false
        }
        Filter::Not(inner) => !holds(inner, value_of)?,
        Filter::IsNull { field, negated } => value_of(field).is_null() != *negated,
        Filter::In { field, values } => {
            let value = value_of(field);
            let mut any = false;
            for v in values {
                any |= compare_values(&value, Op::Eq, v)?;
            }
            any
        }
        Filter::Compare { field, op, value } => compare_values(&value_of(field), *op, value)?,
        Filter::Related { .. } => return None,
    })
}

fn compare_values(left: &FieldValue, op: Op, right: &FieldValue) -> Option<bool> {
    use FieldValue::*;
    use std::cmp::Ordering;
    if left.is_null() || right.is_null() {
        return Some(false);
    }
    if op == Op::Contains {
        let (Text(l), Text(r)) = (left, right) else { return None };
        return Some(l.to_lowercase().contains(&r.to_lowercase()));
    }
    // A list equals a value when it holds it (as the database decides).
    if let (List(items), Text(one), Op::Eq | Op::Ne) = (left, right, op) {
        return Some(items.contains(one) == (op == Op::Eq));
    }
    let order = match (left, right) {
        (Text(l), Text(r)) => l.cmp(r),
        (Int(l), Int(r)) => l.cmp(r),
        (Number(l), Number(r)) => l.partial_cmp(r)?,
        (Decimal(l), Decimal(r)) => l.cmp(r),
        (Date(l), Date(r)) => l.cmp(r),
        (DateTime(l), DateTime(r)) => l.cmp(r),
        (Bool(l), Bool(r)) => l.cmp(r),
        (Ref(l), Ref(r)) => l.cmp(r),
        (Money(l), Money(r)) if l.currency == r.currency => l.minor.cmp(&r.minor),
        _ => return None,
    };
    Some(match op {
        Op::Eq => order == Ordering::Equal,
        Op::Ne => order != Ordering::Equal,
        Op::Lt => order == Ordering::Less,
        Op::Le => order != Ordering::Greater,
        Op::Gt => order == Ordering::Greater,
        Op::Ge => order != Ordering::Less,
        Op::Contains => unreachable!("handled above"),
    })
}

fn check_operator(field: &FieldDef, op: Op, at: usize) -> Result<(), FilterError> {
    use FieldType::*;
    let ordered =
        matches!(field.ty, Integer { .. } | Number | Decimal { .. } | Money | Date | DateTime | Text { .. } | Id);
    let textual = matches!(field.ty, Text { .. } | LongText | Email | Emails | Phone | Phones);
    let allowed = match op {
        Op::Eq | Op::Ne => !matches!(field.ty, LongText),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => ordered,
        Op::Contains => textual,
    };
    if allowed {
        Ok(())
    } else {
        Err(FilterError {
            column: at + 1,
            message: format!("{} ({}) does not support this operator", field.qualified_id(), field.ty.name()),
        })
    }
}

fn literal_value(field: &FieldDef, lit: &Literal, at: usize, cx: &CompileContext) -> Result<FieldValue, FilterError> {
    let fail = |message: String| FilterError { column: at + 1, message };
    let id = field.qualified_id();
    match (lit, &field.ty) {
        (Literal::Me, FieldType::Relation(Target::User)) => {
            cx.me.map(FieldValue::Ref).ok_or_else(|| fail("me is only known for a signed-in user".into()))
        }
        // A list of members holds the one named (`attendees = me`).
        (Literal::Me, FieldType::Members) => cx
            .me
            .map(|me| FieldValue::Text(me.to_string()))
            .ok_or_else(|| fail("me is only known for a signed-in user".into())),
        (Literal::String(s), FieldType::Members) => Uuid::parse_str(s)
            .map(|member| FieldValue::Text(member.to_string()))
            .map_err(|_| fail(format!("{id}: {s:?} is not a member's id"))),
        (Literal::Me, _) => Err(fail(format!("me only compares with user fields, not {id}"))),
        (Literal::Null, _) => Ok(FieldValue::Null),
        (Literal::Bool(b), FieldType::Boolean) => Ok(FieldValue::Bool(*b)),
        (Literal::Bool(_), _) => Err(fail(format!("{id} is not a true/false field"))),
        (Literal::Number(n), FieldType::Money) => {
            // A bare amount is in the workspace's default currency; a string
            // names its own (`amount > "1000 USD"`). Amounts compare only
            // with amounts of that currency.
            let currency = cx.parse.default_currency();
            crate::money::parse_decimal_to_minor(n, currency.exponent())
                .map(|minor| FieldValue::Money(crate::money::Money::new(minor, currency)))
                .map_err(|e| fail(format!("{id}: {}", e.0)))
        }
        (Literal::Number(n), FieldType::Integer { .. }) => {
            n.parse::<i64>().map(FieldValue::Int).map_err(|_| fail(format!("{id} compares with whole numbers")))
        }
        (Literal::Number(n), FieldType::Decimal { scale }) => {
            crate::decimal::parse(n, *scale).map(FieldValue::Decimal).map_err(|e| fail(format!("{id}: {}", e.0)))
        }
        (Literal::Number(n), FieldType::Number) => {
            n.parse::<f64>().map(FieldValue::Number).map_err(|_| fail(format!("{n} is not a number")))
        }
        (Literal::Number(_), _) => {
            Err(fail(format!("{id} ({}) does not compare with numbers; use a \"string\"", field.ty.name())))
        }
        (Literal::String(s), FieldType::Emails) => crate::email::Email::parse(s)
            .map(|e| FieldValue::Text(e.as_str().to_string()))
            .map_err(|e| fail(format!("{id}: {s:?} {e}"))),
        (Literal::String(s), FieldType::Phones) => crate::phone::PhoneE164::parse(s, cx.parse.phone_region)
            .map(|p| FieldValue::Text(p.as_str().to_string()))
            .map_err(|e| fail(format!("{id}: {e}"))),
        (Literal::String(s), FieldType::MultiChoice(options)) => {
            if options.contains(s) {
                Ok(FieldValue::Text(s.clone()))
            } else {
                Err(fail(format!("{id}: {s:?} is not one of: {}", options.join(", "))))
            }
        }
        (Literal::String(s), FieldType::Text { .. }) => Ok(FieldValue::Text(s.clone())),
        (Literal::String(s), FieldType::Id) => {
            Uuid::parse_str(s).map(FieldValue::Ref).map_err(|_| fail(format!("{s:?} is not an id")))
        }
        (Literal::String(s), _) => parse_text(field, s, cx.parse).map_err(|e| fail(format!("{id}: {}", e.message))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::testing::{self, CONTACTS, OPPORTUNITIES};
    use crate::money::Currency;

    fn pctx() -> ParseContext {
        ParseContext { phone_region: None, currencies: vec![Currency::parse("EUR").unwrap()] }
    }

    #[test]
    fn parses_the_documented_example() {
        testing::install();
        let e = parse(r#"lifecycle = "current" and city = "Gdańsk" and amount > 1000 and owner = me"#).unwrap();
        let Expr::And(parts) = e else { panic!("expected and") };
        assert_eq!(parts.len(), 4);
        assert!(matches!(&parts[3], Expr::Compare { field, value: Literal::Me, .. } if field == "owner"));
    }

    #[test]
    fn or_binds_looser_than_and() {
        testing::install();
        let e = parse("a = 1 or b = 2 and c = 3").unwrap();
        let Expr::Or(parts) = e else { panic!("expected or") };
        assert!(matches!(parts[1], Expr::And(_)));
    }

    #[test]
    fn errors_say_where() {
        testing::install();
        assert_eq!(parse("name = ").unwrap_err().column, 8);
        assert_eq!(parse("name = \"x\" and").unwrap_err().column, 15);
        assert_eq!(parse("name \"x\"").unwrap_err().column, 6);
        assert_eq!(parse("name = \"x").unwrap_err().column, 8);
        assert_eq!(parse("(name = \"x\"").unwrap_err().column, 12);
        assert!(parse("name = x").unwrap_err().message.contains("quotes"));
        assert_eq!(parse("a = 1 b = 2").unwrap_err().column, 7);
    }

    #[test]
    fn compile_checks_fields_operators_and_values() {
        testing::install();
        let schema = Schema::standard(CONTACTS);
        let p = pctx();
        let cx = CompileContext { me: Some(Uuid::nil()), parse: &p, related: None };
        let ok = |s: &str| compile(&parse(s).unwrap(), &schema, &cx);
        assert!(ok(r#"lifecycle = "current" and city = "Gdańsk" and owner = me"#).is_ok());
        assert_eq!(ok(r#"colour = "red""#).unwrap_err().column, 1);
        assert!(ok(r#"lifecycle = "gold""#).unwrap_err().message.contains("not one of"));
        assert!(ok(r#"birthday > 5"#).is_err());
        assert!(ok(r#"birthday > "1990-01-01""#).is_ok());
        assert!(ok(r#"phones = "+48 58 123 45 67""#).is_ok());
        assert!(ok(r#"lifecycle > "a""#).is_err());
        assert!(matches!(ok("birthday = null").unwrap(), Filter::IsNull { negated: false, .. }));
        let opp = Schema::standard(OPPORTUNITIES);
        let f = compile(&parse("amount > 1000").unwrap(), &opp, &cx).unwrap();
        assert!(matches!(f, Filter::Compare { value: FieldValue::Money(m), .. } if m.minor == 100_000));
    }

    #[test]
    fn conditions_reach_related_records_where_the_reader_may_look() {
        testing::install();
        let schema = Schema::standard(CONTACTS);
        let p = pctx();
        let not_city = |_: EntityKind, f: &FieldDef| f.id != "city";
        let cx = CompileContext { me: None, parse: &p, related: Some(&not_city) };
        let f = compile(&parse(r#"account.name ~ "Acme" and lifecycle = "current""#).unwrap(), &schema, &cx).unwrap();
        let Filter::And(parts) = f else { panic!("{f:?}") };
        assert!(
            matches!(&parts[0], Filter::Related { link, target, inner }
                if link.id == "account" && *target == EntityKind::named("accounts")
                    && matches!(**inner, Filter::Compare { op: Op::Contains, .. })),
            "{parts:?}"
        );
        assert!(matches!(
            compile(&parse("account.name = null").unwrap(), &schema, &cx).unwrap(),
            Filter::Related { .. }
        ));
        // A field the reader may not look at is unknown, as is one that is not there.
        let e = compile(&parse(r#"account.city = "Gdańsk""#).unwrap(), &schema, &cx).unwrap_err();
        assert_eq!((e.column, e.message.contains("unknown field")), (1, true));
        assert!(compile(&parse(r#"account.colour = "red""#).unwrap(), &schema, &cx).is_err());
        assert!(compile(&parse(r#"city.name = "x""#).unwrap(), &schema, &cx).is_err(), "city is no relation");
        let plain = CompileContext { me: None, parse: &p, related: None };
        let e = compile(&parse(r#"account.name = "x""#).unwrap(), &schema, &plain).unwrap_err();
        assert!(e.message.contains("not available here"), "{e:?}");
    }

    #[test]
    fn earlier_values_settle_their_conditions_in_memory() {
        testing::install();
        let schema = Schema::standard(CONTACTS);
        let p = pctx();
        let cx = CompileContext { me: None, parse: &p, related: None };
        let text = r#"before.lifecycle = "potential" and lifecycle = "current" and not before.city ~ "gda""#;
        let expr = parse(text).unwrap();
        assert!(mentions_before(&expr));
        assert!(compile(&strip_before(expr.clone()), &schema, &cx).is_ok());
        let potential = |f: &FieldDef| (f.id == "lifecycle").then(|| FieldValue::Text("potential".into()));
        // The lifecycle changed from potential; the city did not change: it
        // is asked of the record as it is.
        let settled = settle_before(expr.clone(), &schema, &cx, &potential);
        assert!(!mentions_before(&settled));
        let printed = to_text(&settled);
        assert_eq!(printed, r#"(id is not null) and (lifecycle = "current") and (not (city ~ "gda"))"#);
        let former = |f: &FieldDef| (f.id == "lifecycle").then(|| FieldValue::Text("former".into()));
        assert!(to_text(&settle_before(expr, &schema, &cx, &former)).starts_with("(id is null) and"));

        let value_of = |f: &FieldDef| match f.id.as_ref() {
            "city" => FieldValue::Text("Gdańsk".into()),
            "birthday" => FieldValue::Date(chrono::NaiveDate::from_ymd_opt(1990, 5, 1).unwrap()),
            _ => FieldValue::Null,
        };
        let holds_for = |s: &str| holds(&compile(&parse(s).unwrap(), &schema, &cx).unwrap(), &value_of);
        assert_eq!(holds_for(r#"city ~ "GDA" and birthday < "2000-01-01""#), Some(true));
        assert_eq!(holds_for(r#"city in ("Sopot", "Gdańsk") and not birthday > "1995-01-01""#), Some(true));
        assert_eq!(holds_for(r#"last_name = "x" or last_name != "x""#), Some(false), "empty compares with nothing");
        assert_eq!(holds_for("last_name is null and city is not null"), Some(true));
        let opp = Schema::standard(OPPORTUNITIES);
        let eur = Currency::parse("EUR").unwrap();
        let amount = |_: &FieldDef| FieldValue::Money(crate::money::Money::parse_major("1500.00", eur).unwrap());
        let f = compile(&parse("amount > 1000").unwrap(), &opp, &cx).unwrap();
        assert_eq!(holds(&f, &amount), Some(true));
    }

    #[test]
    fn filters_built_in_code_read_back_from_their_text() {
        testing::install();
        let id = Uuid::now_v7();
        let built = Expr::all([
            Expr::eq("account", id),
            Expr::eq("last_name", "O\"Brien \\ \n co"),
            Expr::one_of("lifecycle", ["current", "former"]),
            Expr::is_null("birthday", true),
        ]);
        let text = to_text(&built);
        let schema = Schema::standard(CONTACTS);
        let p = pctx();
        let cx = CompileContext { me: None, parse: &p, related: None };
        assert_eq!(compile(&parse(&text).unwrap(), &schema, &cx).unwrap(), compile(&built, &schema, &cx).unwrap());
    }

    #[test]
    fn never_panics_on_odd_input() {
        testing::install();
        for s in [
            "", "(", ")", "((((", "a", "a =", "= 1", "\"", "a in (", "a in ()", "a is", "not", "-", "a = -", "é = 1",
            "a ~ 1",
        ] {
            let _ = parse(s);
        }
        let deep = "(".repeat(100) + "a = 1" + &")".repeat(100);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn one_limit_bounds_every_form_of_nesting() {
        let nots = |n: usize| "not ".repeat(n) + "a = 1";
        let parens = |n: usize| "(".repeat(n) + "a = 1" + &")".repeat(n);
        let mixed = |n: usize| "not (".repeat(n) + "a = 1" + &")".repeat(n);
        assert!(parse(&nots(MAX_DEPTH)).is_ok());
        assert!(parse(&parens(MAX_DEPTH)).is_ok());
        assert!(parse(&mixed(MAX_DEPTH / 2)).is_ok());
        for deep in [nots(MAX_DEPTH + 1), parens(MAX_DEPTH + 1), mixed(MAX_DEPTH / 2 + 1), nots(900)] {
            let e = parse(&deep).unwrap_err();
            assert!(e.message.contains("nested more than"), "{deep}: {e:?}");
        }
    }
}
