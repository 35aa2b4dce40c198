//! Tokens of the OData expression syntax, with their positions. Literal forms that look
//! alike (a GUID that starts with letters, a date-time that starts with digits) are told
//! apart here, so the parser sees typed literals.

use super::QueryError;
use crate::datetime;

/// One token and the character position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Its 0-based character position in the option's value.
    pub position: usize,
    /// Its length in characters, as written.
    pub length: usize,
}

/// The kinds of token.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    /// A name, possibly dotted (`failedUpdateCount`, `microsoft.graph.x`), or a keyword.
    Word(String),
    /// `'text'`, with `''` unescaped.
    String(String),
    /// An integer.
    Int(i64),
    /// A number with a fraction or an exponent.
    Float(f64),
    /// A GUID.
    Guid(String),
    /// A date-time with offset, as ticks.
    DateTimeOffset(i64),
    /// `Namespace.enumType'member'`.
    Enum(String, String),
    /// `(`
    Open,
    /// `)`
    Close,
    /// `,`
    Comma,
    /// `/`
    Slash,
    /// `;`
    Semicolon,
    /// `=`
    Equals,
    /// The end of the input.
    End,
}

impl Token {
    /// How the token reads in an error message: a literal as `text`, the option's value
    /// it was read from, wrote it (`1e2`, not `100`), as ODataLib quotes literals.
    pub fn describe(&self, text: &str) -> String {
        match self.kind {
            TokenKind::String(_)
            | TokenKind::Int(_)
            | TokenKind::Float(_)
            | TokenKind::Guid(_)
            | TokenKind::DateTimeOffset(_)
            | TokenKind::Enum(..) => text.chars().skip(self.position).take(self.length).collect(),
            _ => self.kind.describe(),
        }
    }
}

impl TokenKind {
    /// How the token reads in an error message, without the text it was read from.
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Word(w) => format!("'{w}'"),
            TokenKind::String(s) => format!("'{}'", s.replace('\'', "''")),
            TokenKind::Int(i) => i.to_string(),
            TokenKind::Float(f) => f.to_string(),
            TokenKind::Guid(g) => g.clone(),
            TokenKind::DateTimeOffset(t) => datetime::format(*t),
            TokenKind::Enum(t, m) => format!("{t}'{m}'"),
            TokenKind::Open => "'('".into(),
            TokenKind::Close => "')'".into(),
            TokenKind::Comma => "','".into(),
            TokenKind::Slash => "'/'".into(),
            TokenKind::Semicolon => "';'".into(),
            TokenKind::Equals => "'='".into(),
            TokenKind::End => "the end of the expression".into(),
        }
    }
}

/// Splits `text` into tokens; `option` names the query option for error messages.
pub fn tokenize(option: &str, text: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let error =
            |position: usize, message: String| QueryError::syntax(option, text, position, message);
        let kind = match c {
            ' ' | '\t' | '\r' | '\n' => {
                i += 1;
                continue;
            }
            '(' => single(&mut i, TokenKind::Open),
            ')' => single(&mut i, TokenKind::Close),
            ',' => single(&mut i, TokenKind::Comma),
            '/' => single(&mut i, TokenKind::Slash),
            ';' => single(&mut i, TokenKind::Semicolon),
            '=' => single(&mut i, TokenKind::Equals),
            '\'' => {
                let (value, end) = quoted(&chars, i).ok_or_else(|| {
                    error(
                        start,
                        "the string literal is not closed with a quote".into(),
                    )
                })?;
                i = end;
                TokenKind::String(value)
            }
            _ if guid_at(&chars, i) => {
                i += 36;
                TokenKind::Guid(
                    chars[start..i]
                        .iter()
                        .collect::<String>()
                        .to_ascii_lowercase(),
                )
            }
            _ if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                i += 1;
                while chars.get(i).is_some_and(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '+' | '-')
                }) {
                    i += 1;
                }
                let raw: String = chars[start..i].iter().collect();
                number_or_date(&raw)
                    .ok_or_else(|| error(start, format!("'{raw}' is not a valid literal")))?
            }
            _ if c.is_alphabetic() || c == '_' || c == '$' => {
                i += 1;
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if chars.get(i) == Some(&'\'') && word.contains('.') {
                    let (member, end) = quoted(&chars, i).ok_or_else(|| {
                        error(i, "the enum literal is not closed with a quote".into())
                    })?;
                    i = end;
                    TokenKind::Enum(word, member)
                } else {
                    TokenKind::Word(word)
                }
            }
            // A lambda's variable (`tags/any(t: t eq 'a')`) is the only place OData
            // writes a ':' in `$filter`: say what is missing, not only which character.
            ':' => {
                return Err(error(
                    start,
                    "the character ':' is not valid here: the lambda operators any and all \
                     are not supported"
                        .into(),
                ));
            }
            other => {
                return Err(error(
                    start,
                    format!("the character '{other}' is not valid here"),
                ));
            }
        };
        tokens.push(Token {
            kind,
            position: start,
            length: i - start,
        });
    }
    tokens.push(Token {
        kind: TokenKind::End,
        position: chars.len(),
        length: 0,
    });
    Ok(tokens)
}

fn single(i: &mut usize, kind: TokenKind) -> TokenKind {
    *i += 1;
    kind
}

/// A quoted string starting at `start`: its value and the position after it.
fn quoted(chars: &[char], start: usize) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i)? {
            '\'' if chars.get(i + 1) == Some(&'\'') => {
                value.push('\'');
                i += 2;
            }
            '\'' => return Some((value, i + 1)),
            c => {
                value.push(*c);
                i += 1;
            }
        }
    }
}

fn guid_at(chars: &[char], i: usize) -> bool {
    let Some(candidate) = chars.get(i..i + 36) else {
        return false;
    };
    let shape_ok = candidate.iter().enumerate().all(|(k, c)| match k {
        8 | 13 | 18 | 23 => *c == '-',
        _ => c.is_ascii_hexdigit(),
    });
    shape_ok
        && !chars
            .get(i + 36)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

fn number_or_date(raw: &str) -> Option<TokenKind> {
    if let Ok(i) = raw.parse::<i64>() {
        return Some(TokenKind::Int(i));
    }
    if raw.len() >= 10 && raw.as_bytes().get(4) == Some(&b'-') {
        return datetime::parse(raw).map(TokenKind::DateTimeOffset);
    }
    let number = raw.trim_end_matches(['d', 'D', 'm', 'M', 'f', 'F']);
    let looks_numeric = number
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if looks_numeric {
        return number
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(TokenKind::Float);
    }
    None
}
