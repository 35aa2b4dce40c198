//! The syntax trees of `$filter` and `$orderby`, with an S-expression `Display` that makes
//! snapshots readable.

use std::fmt;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
}

impl CompareOp {
    /// Parses an operator keyword (case-insensitive).
    pub fn from_keyword(word: &str) -> Option<CompareOp> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "gt" => CompareOp::Gt,
            "ge" => CompareOp::Ge,
            "lt" => CompareOp::Lt,
            "le" => CompareOp::Le,
            _ => return None,
        })
    }

    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    /// ODataLib's name of the operator kind, used in its messages.
    pub fn kind_name(self) -> &'static str {
        match self {
            CompareOp::Eq => "Equal",
            CompareOp::Ne => "NotEqual",
            CompareOp::Gt => "GreaterThan",
            CompareOp::Ge => "GreaterThanOrEqual",
            CompareOp::Lt => "LessThan",
            CompareOp::Le => "LessThanOrEqual",
        }
    }
}

/// A built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// `startswith(string, prefix)`
    StartsWith,
    /// `endswith(string, suffix)`
    EndsWith,
    /// `contains(string, part)`
    Contains,
    /// `tolower(string)`
    ToLower,
    /// `toupper(string)`
    ToUpper,
}

impl Function {
    /// Parses a function name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Function> {
        Some(match name.to_ascii_lowercase().as_str() {
            "startswith" => Function::StartsWith,
            "endswith" => Function::EndsWith,
            "contains" => Function::Contains,
            "tolower" => Function::ToLower,
            "toupper" => Function::ToUpper,
            _ => return None,
        })
    }

    /// The function's name.
    pub fn name(self) -> &'static str {
        match self {
            Function::StartsWith => "startswith",
            Function::EndsWith => "endswith",
            Function::Contains => "contains",
            Function::ToLower => "tolower",
            Function::ToUpper => "toupper",
        }
    }

    /// How many arguments it takes.
    pub fn arity(self) -> usize {
        match self {
            Function::ToLower | Function::ToUpper => 1,
            _ => 2,
        }
    }
}

/// A literal. After type checking, strings compared to an enum or a date have become
/// `Enum` and `DateTimeOffset` literals.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number with a fraction or exponent.
    Float(f64),
    /// `'text'`
    String(String),
    /// A GUID.
    Guid(String),
    /// A date-time with offset, as ticks.
    DateTimeOffset(i64),
    /// An enum member: its name and value (the value is known once type-checked).
    Enum {
        /// The enum type's name, when written qualified or once type-checked.
        type_name: Option<String>,
        /// The member name.
        member: String,
        /// The member value, once type-checked.
        value: Option<i64>,
    },
}

/// A `$filter` expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal.
    Literal(Literal),
    /// A property path, `a` or `a/b` into a complex value.
    Property(Vec<String>),
    /// `not e`
    Not(Box<Expr>),
    /// `a and b`
    And(Box<Expr>, Box<Expr>),
    /// `a or b`
    Or(Box<Expr>, Box<Expr>),
    /// `a op b`
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    /// `a in (l1, l2, …)`
    In(Box<Expr>, Vec<Literal>),
    /// `f(args)`
    Call(Function, Vec<Expr>),
}

/// One key of an `$orderby`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderKey {
    /// The property path.
    pub path: Vec<String>,
    /// `desc` (else ascending).
    pub descending: bool,
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => write!(f, "null"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Float(x) => write!(f, "{x:?}"),
            Literal::String(s) => write!(f, "'{}'", s.replace('\'', "''")),
            Literal::Guid(g) => write!(f, "{g}"),
            Literal::DateTimeOffset(t) => write!(f, "{}", crate::datetime::format(*t)),
            Literal::Enum {
                type_name, member, ..
            } => match type_name {
                Some(t) => write!(f, "{t}'{member}'"),
                None => write!(f, "enum'{member}'"),
            },
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Literal(l) => write!(f, "{l}"),
            Expr::Property(path) => write!(f, "{}", path.join("/")),
            Expr::Not(e) => write!(f, "(not {e})"),
            Expr::And(a, b) => write!(f, "(and {a} {b})"),
            Expr::Or(a, b) => write!(f, "(or {a} {b})"),
            Expr::Compare(op, a, b) => write!(f, "({} {a} {b})", op.keyword()),
            Expr::In(e, list) => {
                write!(f, "(in {e}")?;
                for l in list {
                    write!(f, " {l}")?;
                }
                write!(f, ")")
            }
            Expr::Call(function, args) => {
                write!(f, "({}", function.name())?;
                for a in args {
                    write!(f, " {a}")?;
                }
                write!(f, ")")
            }
        }
    }
}
