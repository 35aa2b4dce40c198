//! `$filter` as SQL, with OData's null semantics (the same as the in-memory evaluator in
//! `odata::query::eval`): comparisons are two-valued (null-safe equality, and `COALESCE`
//! around ordered comparisons of nullable operands), functions of null are null, and
//! `NOT`/`AND`/`OR` keep SQL's three-valued logic, which is OData's.

use odata::Value;
use odata::query::{CompareOp, Expr, Function, Literal};

use crate::catalog::{Column, ColumnType, Table};
use crate::sql::{Flavor, Param, Sql};

/// A property path as SQL: a column, the key, or a path into a JSON column.
pub struct Operand<'t> {
    /// The column, for a top-level property.
    pub column: Option<&'t Column>,
    /// The column name (`id` for the key).
    pub name: &'t str,
    /// The path inside a JSON column (empty for a top-level property).
    pub json_path: Vec<String>,
}

impl<'t> Operand<'t> {
    /// Resolves a checked property path in `table`.
    pub fn new(table: &'t Table, path: &'t [String]) -> Operand<'t> {
        let (first, rest) = path
            .split_first()
            .map_or(("id", &[][..]), |(f, r)| (f.as_str(), r));
        let column = table.column(first);
        Operand {
            column,
            name: column.map_or("id", |c| &c.name),
            json_path: rest.to_vec(),
        }
    }

    /// Whether the operand can be NULL.
    pub fn nullable(&self) -> bool {
        !self.json_path.is_empty() || self.column.is_some_and(|c| c.default.is_none())
    }

    /// Appends the operand's SQL.
    pub fn push(&self, sql: &mut Sql) {
        self.push_compared(sql, None);
    }

    /// Appends the operand's SQL for a comparison with `literal`. A path into a JSON
    /// column reads the value as SQLite's `json_extract` types it; PostgreSQL's `#>>`
    /// gives text, so it is cast to the literal's type for booleans and numbers (a
    /// device's `configurationManagerClientEnabledFeatures/inventory`,
    /// `deviceHealthAttestationState/resetCount`) and otherwise compared as text by bytes,
    /// like the columns (strings, enum names, date-times in their response form).
    pub fn push_compared(&self, sql: &mut Sql, literal: Option<&Literal>) {
        if self.json_path.is_empty() {
            sql.ident(self.name);
            return;
        }
        match sql.flavor() {
            Flavor::Sqlite => {
                sql.push("json_extract(").ident(self.name).push(", ");
                let path: String = self.json_path.iter().map(|p| format!(".\"{p}\"")).collect();
                sql.bind(Param::Text(format!("${path}")));
                sql.push(")");
            }
            Flavor::Postgres => {
                sql.push("((").ident(self.name).push("::jsonb #>> ");
                sql.bind(Param::Text(format!("{{{}}}", self.json_path.join(","))));
                sql.push(match literal {
                    Some(Literal::Bool(_)) => "::text[])::boolean)",
                    Some(Literal::Int(_) | Literal::Float(_)) => "::text[])::numeric)",
                    _ => "::text[]) COLLATE \"C\")",
                });
            }
        }
    }

    /// The parameter that compares with this operand for a literal.
    pub fn param(&self, literal: &Literal) -> Param {
        let value = literal_value(literal);
        match (self.column, self.json_path.is_empty()) {
            (Some(column), true) => Param::from_value(column, &value),
            // JSON holds response forms: enum names, date strings.
            _ => match value {
                Value::DateTimeOffset(t) => Param::Text(odata::datetime::format(t)),
                Value::Enum(name) => Param::Text(name.to_string()),
                other => Param::of(&ColumnType::Text, &other),
            },
        }
    }
}

/// A literal bound by its own type, where no column says how it is stored: date-times as
/// ticks and enums by value, so they compare as the evaluator compares them.
fn typed_param(literal: &Literal) -> Param {
    match literal {
        Literal::Null => Param::Null(ColumnType::Text),
        Literal::Bool(b) => Param::Bool(*b),
        Literal::Int(i) | Literal::DateTimeOffset(i) => Param::Int(*i),
        Literal::Float(f) => Param::Real(*f),
        Literal::String(s) | Literal::Guid(s) => Param::Text(s.clone()),
        Literal::Enum { value: Some(v), .. } => Param::Int(*v),
        Literal::Enum { member, .. } => Param::Text(member.clone()),
    }
}

fn literal_value(literal: &Literal) -> Value {
    match literal {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Float(f) => Value::Float(*f),
        Literal::String(s) | Literal::Guid(s) => Value::String(s.clone()),
        Literal::DateTimeOffset(t) => Value::DateTimeOffset(*t),
        Literal::Enum { member, .. } => Value::Enum(member.as_str().into()),
    }
}

/// Appends a checked `$filter` expression for rows of `table`.
pub fn push_filter(sql: &mut Sql, table: &Table, expr: &Expr) {
    Filter { table }.push(sql, expr, None);
}

struct Filter<'t> {
    table: &'t Table,
}

impl Filter<'_> {
    /// Pushes `expr`; `partner` is the operand on the other side of a comparison, which
    /// decides how a literal is bound.
    fn push(&self, sql: &mut Sql, expr: &Expr, partner: Option<&Expr>) {
        match expr {
            Expr::Literal(literal) => {
                let param = match partner {
                    Some(Expr::Property(path)) => Operand::new(self.table, path).param(literal),
                    _ => typed_param(literal),
                };
                sql.bind(param);
            }
            Expr::Property(path) => {
                let literal = match partner {
                    Some(Expr::Literal(literal)) => Some(literal),
                    _ => None,
                };
                Operand::new(self.table, path).push_compared(sql, literal);
            }
            Expr::Not(inner) => {
                sql.push("(NOT ");
                self.push(sql, inner, None);
                sql.push(")");
            }
            Expr::And(a, b) | Expr::Or(a, b) => {
                let op = if matches!(expr, Expr::And(..)) {
                    " AND "
                } else {
                    " OR "
                };
                sql.push("(");
                self.push(sql, a, None);
                sql.push(op);
                self.push(sql, b, None);
                sql.push(")");
            }
            Expr::Compare(op, a, b) => self.compare(sql, *op, a, b),
            Expr::In(e, list) => {
                let has_null = list.contains(&Literal::Null);
                let values: Vec<&Literal> = list.iter().filter(|l| **l != Literal::Null).collect();
                let first = values.first().map(|l| Expr::Literal((*l).clone()));
                sql.push("(");
                if has_null {
                    self.push(sql, e, None);
                    sql.push(" IS NULL OR ");
                }
                sql.push("COALESCE(");
                self.push(sql, e, first.as_ref());
                sql.push(" IN (");
                for (i, literal) in values.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    self.push(sql, &Expr::Literal((*literal).clone()), Some(e));
                }
                if values.is_empty() {
                    sql.push("NULL");
                }
                sql.push("), FALSE))");
            }
            Expr::Call(function, args) => self.call(sql, *function, args),
        }
    }

    fn nullable(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Literal(l) => *l == Literal::Null,
            Expr::Property(path) => Operand::new(self.table, path).nullable(),
            Expr::Call(_, args) => args.iter().any(|a| self.nullable(a)),
            _ => true,
        }
    }

    fn compare(&self, sql: &mut Sql, op: CompareOp, a: &Expr, b: &Expr) {
        let null_literal = |e: &Expr| matches!(e, Expr::Literal(Literal::Null));
        if null_literal(a) || null_literal(b) {
            let other = if null_literal(a) { b } else { a };
            if null_literal(other) {
                sql.push(if op == CompareOp::Eq { "TRUE" } else { "FALSE" });
                return;
            }
            sql.push("(");
            self.push(sql, other, None);
            sql.push(if op == CompareOp::Eq {
                " IS NULL)"
            } else {
                " IS NOT NULL)"
            });
            return;
        }
        let nullable = self.nullable(a) || self.nullable(b);
        let symbol = match op {
            CompareOp::Eq if nullable => null_safe(sql.flavor(), false),
            CompareOp::Ne if nullable => null_safe(sql.flavor(), true),
            CompareOp::Eq => " = ",
            CompareOp::Ne => " <> ",
            CompareOp::Gt => " > ",
            CompareOp::Ge => " >= ",
            CompareOp::Lt => " < ",
            CompareOp::Le => " <= ",
        };
        let wrap = nullable && !matches!(op, CompareOp::Eq | CompareOp::Ne);
        sql.push(if wrap { "COALESCE((" } else { "(" });
        self.push(sql, a, Some(b));
        sql.push(symbol);
        self.push(sql, b, Some(a));
        sql.push(if wrap { "), FALSE)" } else { ")" });
    }

    fn call(&self, sql: &mut Sql, function: Function, args: &[Expr]) {
        let (a, b) = (&args[0], args.get(1));
        let flavor = sql.flavor();
        match (function, b) {
            (Function::ToLower | Function::ToUpper, _) => {
                sql.push(if function == Function::ToLower {
                    "lower("
                } else {
                    "upper("
                });
                self.push(sql, a, None);
                sql.push(")");
            }
            (Function::Contains, Some(b)) => {
                sql.push(if flavor == Flavor::Sqlite {
                    "(instr("
                } else {
                    "(strpos("
                });
                self.push(sql, a, None);
                sql.push(", ");
                self.push(sql, b, None);
                sql.push(") > 0)");
            }
            (Function::StartsWith | Function::EndsWith, Some(b)) => {
                // substr/left/right compare characters exactly (LIKE folds case in SQLite).
                let starts = function == Function::StartsWith;
                match (flavor, starts) {
                    (Flavor::Sqlite, _) => sql.push("(substr("),
                    (Flavor::Postgres, true) => sql.push("(left("),
                    (Flavor::Postgres, false) => sql.push("(right("),
                };
                if flavor == Flavor::Sqlite && !starts {
                    // substr(a, -n) is the last n characters; n = 0 needs its own case.
                    self.push(sql, a, None);
                    sql.push(", -length(");
                    self.push(sql, b, None);
                    sql.push(")) = ");
                    self.push(sql, b, None);
                    sql.push(" OR (length(");
                    self.push(sql, b, None);
                    sql.push(") = 0 AND ");
                    self.push(sql, a, None);
                    sql.push(" IS NOT NULL))");
                    return;
                }
                self.push(sql, a, None);
                sql.push(if flavor == Flavor::Sqlite {
                    ", 1, length("
                } else {
                    ", length("
                });
                self.push(sql, b, None);
                sql.push(")) = ");
                self.push(sql, b, None);
                sql.push(")");
            }
            _ => {
                sql.push("NULL");
            }
        }
    }
}

fn null_safe(flavor: Flavor, negated: bool) -> &'static str {
    match (flavor, negated) {
        (Flavor::Sqlite, false) => " IS ",
        (Flavor::Sqlite, true) => " IS NOT ",
        (Flavor::Postgres, false) => " IS NOT DISTINCT FROM ",
        (Flavor::Postgres, true) => " IS DISTINCT FROM ",
    }
}
