//! `$expand=nav`, `$expand=nav($select=…;$filter=…;$top=…;$orderby=…)`.

use super::ast::Expr;
use super::{
    OrderKey, QueryError, check_filter, check_orderby, parse_filter, parse_orderby, parse_select,
};
use crate::edm::{Model, StructuredType};

/// One expanded navigation property and the options that shape it.
#[derive(Debug, Clone, PartialEq)]
pub struct Expand {
    /// The navigation property (schema name).
    pub navigation: String,
    /// Its target entity type.
    pub target: String,
    /// Whether it is collection-valued.
    pub collection: bool,
    /// Nested `$select`.
    pub select: Option<Vec<String>>,
    /// Nested `$filter` (collections only).
    pub filter: Option<Expr>,
    /// Nested `$orderby` (collections only).
    pub orderby: Vec<OrderKey>,
    /// Nested `$top` (collections only).
    pub top: Option<usize>,
}

/// Parses the value of `$expand`.
pub fn parse(model: &Model, ty: &StructuredType, value: &str) -> Result<Vec<Expand>, QueryError> {
    let mut items = Vec::new();
    for item in split_top_level(value, ',').map_err(|m| syntax(value, m))? {
        let item = item.trim();
        if item.is_empty() {
            return Err(syntax(value, "an empty item".into()));
        }
        let (name, nested) = match item.find('(') {
            Some(open) if item.ends_with(')') => {
                (&item[..open], Some(&item[open + 1..item.len() - 1]))
            }
            Some(_) => return Err(syntax(value, format!("'{item}' has an unclosed '('"))),
            None => (item, None),
        };
        let name = name.trim();
        if name == "*" {
            return Err(QueryError::new(
                "$expand",
                "$expand=* is not supported; name the navigation properties.".into(),
            ));
        }
        let nav = ty.navigation_property(name).ok_or_else(|| {
            QueryError::new(
                "$expand",
                format!(
                    "Could not find a navigation property named '{name}' on type '{}'.",
                    model.qualified(&ty.name)
                ),
            )
        })?;
        // As `$select` refuses a property named twice (and the OpenAPI document's
        // `uniqueItems` says), an expansion named twice is refused, not merged.
        if items.iter().any(|e: &Expand| e.navigation == nav.name) {
            return Err(QueryError::new(
                "$expand",
                format!(
                    "The navigation property '{}' is expanded more than once in $expand.",
                    nav.name
                ),
            ));
        }
        let target = model.structured(&nav.target).ok_or_else(|| {
            QueryError::new(
                "$expand",
                format!("The navigation property '{name}' has no known type."),
            )
        })?;
        let mut expand = Expand {
            navigation: nav.name.clone(),
            target: nav.target.clone(),
            collection: nav.collection,
            select: None,
            filter: None,
            orderby: Vec::new(),
            top: None,
        };
        let mut given: Vec<String> = Vec::new();
        for option in
            split_top_level(nested.unwrap_or_default(), ';').map_err(|m| syntax(value, m))?
        {
            let option = option.trim();
            if option.is_empty() {
                continue;
            }
            let (key, text) = option.split_once('=').unwrap_or((option, ""));
            let key = format!(
                "${}",
                key.trim().trim_start_matches('$').to_ascii_lowercase()
            );
            // As at the top level: an option given twice is refused, not "last wins".
            if given.contains(&key) {
                return Err(QueryError::new(
                    "$expand",
                    format!(
                        "Query option '{key}' was specified more than once in $expand of '{}', but it must be specified at most once.",
                        nav.name
                    ),
                ));
            }
            given.push(key.clone());
            let only_collections = || {
                QueryError::new(
                    "$expand",
                    format!("{key} applies to collections; '{name}' is single-valued."),
                )
            };
            match key.as_str() {
                "$select" => expand.select = Some(parse_select(model, target, text)?),
                "$filter" if nav.collection => {
                    expand.filter =
                        Some(check_filter(model, target, parse_filter("$filter", text)?)?)
                }
                "$orderby" if nav.collection => {
                    expand.orderby = check_orderby(model, target, parse_orderby("$orderby", text)?)?
                }
                "$top" if nav.collection => {
                    let top =
                        super::non_negative(text).filter(|t| *t >= 1).ok_or_else(|| {
                            QueryError::new(
                                "$expand",
                                format!(
                                    "Invalid value '{text}' for $top in $expand: it must be a positive integer."
                                ),
                            )
                        })?;
                    // As at the top level: larger values are clamped to the largest page.
                    expand.top = Some(top.min(super::MAX_PAGE_SIZE));
                }
                "$filter" | "$orderby" | "$top" => return Err(only_collections()),
                _ => {
                    return Err(QueryError::new(
                        "$expand",
                        format!(
                            "The option '{key}' is not supported inside $expand; use $select, $filter, $orderby or $top."
                        ),
                    ));
                }
            }
        }
        items.push(expand);
    }
    Ok(items)
}

fn syntax(value: &str, message: String) -> QueryError {
    QueryError::new(
        "$expand",
        format!("Syntax error in $expand '{value}': {message}."),
    )
}

/// Splits on `separator` outside parentheses and quotes.
fn split_top_level(text: &str, separator: char) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, c) in text.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!("unbalanced ')' at position {i}"));
                }
            }
            c if c == separator && depth == 0 && !quoted => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if depth != 0 || quoted {
        return Err("unbalanced parentheses or quotes".into());
    }
    parts.push(&text[start..]);
    Ok(parts)
}
