//! OData system query options: parsed from the raw query string, type-checked against the
//! addressed entity type, ready for a store to execute.
//!
//! The `$` prefix is optional and option names are case-insensitive, as on Graph; `+` and
//! `%20` both mean a space. Unknown `$`-options and duplicates are refused.

mod ast;
mod check;
pub mod eval;
mod expand;
mod lexer;
mod parser;

pub use ast::{CompareOp, Expr, Function, Literal, OrderKey};
pub use check::{check_filter, check_orderby, resolve_path};
pub use expand::Expand;
pub use parser::{parse_filter, parse_orderby};

use crate::edm::{Model, StructuredType};
use crate::input::{self, TextError};
use crate::path::percent_decode;

/// The largest page a client can ask for.
pub const MAX_PAGE_SIZE: usize = 999;

/// A query option that cannot be served, with Graph-style text naming the option (and the
/// position, for syntax errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    /// The option, e.g. `$filter`.
    pub option: String,
    /// The message.
    pub message: String,
}

impl QueryError {
    /// An error about `option`.
    pub fn new(option: &str, message: String) -> QueryError {
        QueryError {
            option: option.to_string(),
            message,
        }
    }

    /// A syntax error at a character position of the option's value.
    pub fn syntax(option: &str, text: &str, position: usize, message: String) -> QueryError {
        QueryError::new(
            option,
            format!("Syntax error at position {position} in {option} '{text}': {message}."),
        )
    }
}

/// The system query options of one request, checked against the addressed type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryOptions {
    /// `$filter`, type-checked.
    pub filter: Option<Expr>,
    /// `$orderby` keys, resolved.
    pub orderby: Vec<OrderKey>,
    /// `$select`: the properties to return (schema names), `None` for all; navigation
    /// properties among them render nothing (see [`parse_select`]).
    pub select: Option<Vec<String>>,
    /// `$expand` items.
    pub expand: Vec<Expand>,
    /// `$top`: the page size (Graph's meaning), 1..=999 (larger values are clamped).
    pub top: Option<usize>,
    /// `$skip`.
    pub skip: Option<usize>,
    /// `$count=true`.
    pub count: bool,
    /// `$skiptoken`, still opaque.
    pub skiptoken: Option<String>,
    /// The names of the options given (`$filter`, …), in request order.
    pub given: Vec<String>,
}

const KNOWN: [&str; 13] = [
    "filter",
    "orderby",
    "select",
    "expand",
    "top",
    "skip",
    "count",
    "skiptoken",
    "search",
    "format",
    "deltatoken",
    "levels",
    "compute",
];

impl QueryOptions {
    /// Parses and checks the options of a request whose resource has type `ty`.
    pub fn parse(
        raw: Option<&str>,
        model: &Model,
        ty: &StructuredType,
    ) -> Result<QueryOptions, QueryError> {
        let mut options = QueryOptions::default();
        for pair in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let Some(option) = option_name(key)? else {
                continue;
            };
            if options.given.contains(&option) {
                return Err(QueryError::new(
                    &option,
                    format!(
                        "Query option '{option}' was specified more than once, but it must be specified at most once."
                    ),
                ));
            }
            options.given.push(option.clone());
            options.set(&option, &decode_value(&option, value)?, model, ty)?;
        }
        Ok(options)
    }

    /// The system query options a query string names (`$top`, …, in request order),
    /// read as [`QueryOptions::parse`] reads their names, without reading their values:
    /// for a request that takes none (a `$batch`), whose refusal names the first.
    pub fn names(raw: Option<&str>) -> Result<Vec<String>, QueryError> {
        let mut names = Vec::new();
        for pair in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
            let key = pair.split_once('=').map_or(pair, |(key, _)| key);
            names.extend(option_name(key)?);
        }
        Ok(names)
    }

    /// Sets one option from its decoded value.
    fn set(
        &mut self,
        option: &str,
        value: &str,
        model: &Model,
        ty: &StructuredType,
    ) -> Result<(), QueryError> {
        if value.trim().is_empty() {
            return Err(QueryError::new(
                option,
                format!("The query option '{option}' has no value."),
            ));
        }
        match option {
            "$filter" => self.filter = Some(check_filter(model, ty, parse_filter(option, value)?)?),
            "$orderby" => self.orderby = check_orderby(model, ty, parse_orderby(option, value)?)?,
            "$select" => self.select = Some(parse_select(model, ty, value)?),
            "$expand" => self.expand = expand::parse(model, ty, value)?,
            "$top" => {
                let top = number(option, value)?;
                if top == 0 {
                    return Err(QueryError::new(
                        option,
                        format!("Invalid value '{value}' for $top: it must be at least 1."),
                    ));
                }
                // Graph's meaning: the page size, clamped to its largest page.
                self.top = Some(top.min(MAX_PAGE_SIZE));
            }
            "$skip" => self.skip = Some(number(option, value)?),
            "$count" => {
                // ODataLib's reading: `true` or `false` in lower case, around them only
                // whitespace (`$count=TRUE` is a 400 in Graph, and the OpenAPI document's
                // boolean says the same).
                self.count = match value.trim() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(QueryError::new(
                            option,
                            format!(
                                "Invalid value '{value}' for $count: it must be 'true' or 'false'."
                            ),
                        ));
                    }
                }
            }
            "$skiptoken" => self.skiptoken = Some(value.to_string()),
            "$format"
                if value.eq_ignore_ascii_case("json") || value.starts_with("application/json") => {}
            _ => {
                return Err(QueryError::new(
                    option,
                    format!("The query option '{option}' is not supported by this resource."),
                ));
            }
        }
        Ok(())
    }
}

/// The system query option a query parameter's (raw) key names, as `$name`: the `$` is
/// optional and case does not matter. An unknown `$`-name is refused; other parameters
/// are not options (`None`).
fn option_name(raw_key: &str) -> Result<Option<String>, QueryError> {
    let key = decode(raw_key);
    let name = key.strip_prefix('$').unwrap_or(&key).to_ascii_lowercase();
    if KNOWN.contains(&name.as_str()) {
        return Ok(Some(format!("${name}")));
    }
    if key.starts_with('$') {
        return Err(QueryError::new(
            &key,
            format!("The query parameter '{key}' is not supported."),
        ));
    }
    Ok(None)
}

fn number(option: &str, value: &str) -> Result<usize, QueryError> {
    non_negative(value).ok_or_else(|| {
        QueryError::new(
            option,
            format!("Invalid value '{value}' for {option}: it must be a non-negative integer."),
        )
    })
}

/// A non-negative integer option value (`$top`, `$skip`, `$top` in `$expand`): digits,
/// around them whitespace. A value past `usize` saturates, so every all-digits value is a
/// number and a large `$top` is clamped to the largest page however long it is.
fn non_negative(value: &str) -> Option<usize> {
    let digits = value.trim();
    let digits = digits.strip_prefix('+').unwrap_or(digits);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse().unwrap_or(usize::MAX))
}

/// `$select=a,b` (or `*`, alone or among names): the schema names of the structural
/// properties, and of any navigation property named: OData lets `$select` name one, to
/// ask for its navigation link (Microsoft's OData architect, OData/WebApi#854), which
/// minimal metadata leaves out, so it renders nothing unless `$expand` names it too; it
/// shows in `@odata.context`'s projection. Every item is checked, those beside a `*`
/// too, and none may be named twice, `*` included (as the OpenAPI document's
/// `uniqueItems` says).
pub fn parse_select(
    model: &Model,
    ty: &StructuredType,
    value: &str,
) -> Result<Vec<String>, QueryError> {
    let mut names: Vec<String> = Vec::new();
    let mut all = false;
    for item in value.split(',').map(str::trim) {
        if item == "*" {
            if all {
                return Err(QueryError::new(
                    "$select",
                    "'*' is selected more than once in $select.".into(),
                ));
            }
            all = true;
            continue;
        }
        if item.is_empty() {
            return Err(QueryError::new(
                "$select",
                format!("Syntax error in $select '{value}': an empty item."),
            ));
        }
        let name = ty
            .property(item)
            .map(|p| &p.name)
            .or_else(|| ty.navigation_property(item).map(|n| &n.name))
            .ok_or_else(|| {
                QueryError::new(
                    "$select",
                    format!(
                        "Could not find a property named '{item}' on type '{}'.",
                        model.qualified(&ty.name)
                    ),
                )
            })?;
        if names.contains(name) {
            return Err(QueryError::new(
                "$select",
                format!("The property '{name}' is selected more than once in $select."),
            ));
        }
        names.push(name.clone());
    }
    if all {
        let navigation = names.into_iter().filter(|n| ty.property(n).is_none());
        return Ok(ty
            .properties
            .iter()
            .map(|p| p.name.clone())
            .chain(navigation)
            .collect());
    }
    Ok(names)
}

/// Decodes a query component: `+` is a space, then `%XX` escapes (what is not UTF-8
/// shows as U+FFFD: for names and messages; option values go through [`decode_value`]).
pub fn decode(text: &str) -> String {
    percent_decode(&text.replace('+', " "))
}

/// Decodes the value of `option` as [`decode`] does, refusing escapes that are not
/// UTF-8 and NUL characters ([`crate::input`]).
pub fn decode_value(option: &str, raw: &str) -> Result<String, QueryError> {
    input::percent_decode(&raw.replace('+', " ")).map_err(|error| match error {
        TextError::InvalidUtf8 { escape, position } => QueryError::syntax(
            option,
            raw,
            position,
            format!("the escape '{escape}' does not start valid UTF-8"),
        ),
        TextError::Nul { position } => QueryError::new(
            option,
            format!(
                "The query option '{option}' holds a NUL character (U+0000) at position {position}, which is not allowed."
            ),
        ),
    })
}

#[cfg(test)]
mod tests;
