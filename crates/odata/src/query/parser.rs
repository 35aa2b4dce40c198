//! A recursive-descent parser for `$filter` and `$orderby`, with OData's precedence:
//! `not` (unary) binds tightest, then the comparisons and `in`, then `and`, then `or`.

use super::QueryError;
use super::ast::{CompareOp, Expr, Function, Literal, OrderKey};
use super::lexer::{Token, TokenKind, tokenize};

/// How deep parentheses, `not` and function calls may nest.
const MAX_NESTING: usize = 64;
/// How many comparisons and calls one expression may hold.
const MAX_TERMS: usize = 1000;

struct Parser<'a> {
    option: &'a str,
    text: &'a str,
    /// The current nesting of parentheses, `not` and calls.
    nesting: usize,
    /// Terms parsed so far.
    terms: usize,
    tokens: Vec<Token>,
    next: usize,
}

/// Parses a `$filter` expression.
pub fn parse_filter(option: &str, text: &str) -> Result<Expr, QueryError> {
    let mut parser = Parser::new(option, text)?;
    let expr = parser.expr()?;
    parser.expect_end()?;
    Ok(expr)
}

/// Parses an `$orderby` list: `path [asc|desc], …`.
pub fn parse_orderby(option: &str, text: &str) -> Result<Vec<OrderKey>, QueryError> {
    let mut parser = Parser::new(option, text)?;
    let mut keys = Vec::new();
    loop {
        let path = parser.path("a property to order by")?;
        let descending = if parser.word_is("desc") {
            parser.advance();
            true
        } else {
            if parser.word_is("asc") {
                parser.advance();
            }
            false
        };
        keys.push(OrderKey { path, descending });
        if parser.peek().kind != TokenKind::Comma {
            break;
        }
        parser.advance();
    }
    parser.expect_end()?;
    Ok(keys)
}

impl<'a> Parser<'a> {
    fn new(option: &'a str, text: &'a str) -> Result<Self, QueryError> {
        Ok(Parser {
            option,
            text,
            nesting: 0,
            terms: 0,
            tokens: tokenize(option, text)?,
            next: 0,
        })
    }

    fn peek(&self) -> &Token {
        &self.tokens[self.next.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, offset: usize) -> &Token {
        &self.tokens[(self.next + offset).min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.next < self.tokens.len() - 1 {
            self.next += 1;
        }
        token
    }

    fn word_is(&self, keyword: &str) -> bool {
        matches!(&self.peek().kind, TokenKind::Word(w) if w.eq_ignore_ascii_case(keyword))
    }

    fn error(&self, token: &Token, message: String) -> QueryError {
        QueryError::syntax(self.option, self.text, token.position, message)
    }

    fn expect(&mut self, kind: TokenKind, what: &str) -> Result<Token, QueryError> {
        let token = self.advance();
        if token.kind == kind {
            Ok(token)
        } else {
            Err(self.error(
                &token,
                format!("expected {what} but found {}", token.describe(self.text)),
            ))
        }
    }

    fn expect_end(&mut self) -> Result<(), QueryError> {
        let token = self.peek().clone();
        if token.kind == TokenKind::End {
            Ok(())
        } else {
            Err(self.error(
                &token,
                format!(
                    "unexpected {} after a complete expression",
                    token.describe(self.text)
                ),
            ))
        }
    }

    fn expr(&mut self) -> Result<Expr, QueryError> {
        let mut terms = vec![self.and()?];
        while self.word_is("or") {
            self.advance();
            terms.push(self.and()?);
        }
        Ok(balanced(terms, &|a, b| Expr::Or(Box::new(a), Box::new(b))))
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut terms = vec![self.comparison()?];
        while self.word_is("and") {
            self.advance();
            terms.push(self.comparison()?);
        }
        Ok(balanced(terms, &|a, b| Expr::And(Box::new(a), Box::new(b))))
    }

    /// Enters one level of nesting at `token`, refusing expressions nested too deep or too
    /// large for the recursive passes that follow.
    fn enter(&mut self, token: &Token) -> Result<(), QueryError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(self.error(
                token,
                format!("the expression nests deeper than {MAX_NESTING} levels"),
            ));
        }
        Ok(())
    }

    fn comparison(&mut self) -> Result<Expr, QueryError> {
        self.terms += 1;
        if self.terms > MAX_TERMS {
            let token = self.peek().clone();
            return Err(self.error(
                &token,
                format!("the expression has more than {MAX_TERMS} terms"),
            ));
        }
        let left = self.unary()?;
        let op = match &self.peek().kind {
            TokenKind::Word(w) => CompareOp::from_keyword(w),
            _ => None,
        };
        if let Some(op) = op {
            self.advance();
            let right = self.unary()?;
            return Ok(Expr::Compare(op, Box::new(left), Box::new(right)));
        }
        if self.word_is("in") {
            self.advance();
            let open = self.expect(TokenKind::Open, "'(' to start the list after 'in'")?;
            let mut list = Vec::new();
            loop {
                let token = self.advance();
                match literal(&token.kind) {
                    Some(l) => list.push(l),
                    None => {
                        return Err(self.error(
                            &token,
                            format!(
                                "expected a literal in the 'in' list but found {}",
                                token.describe(self.text)
                            ),
                        ));
                    }
                }
                let token = self.advance();
                match &token.kind {
                    TokenKind::Comma => continue,
                    TokenKind::Close => break,
                    _ => {
                        return Err(self.error(
                            &token,
                            format!(
                                "expected ',' or ')' to close the list opened at position {} but found {}",
                                open.position,
                                token.describe(self.text)
                            ),
                        ));
                    }
                }
            }
            return Ok(Expr::In(Box::new(left), list));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if self.word_is("not") {
            let token = self.advance();
            self.enter(&token)?;
            let inner = self.unary()?;
            self.nesting -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        let token = self.peek().clone();
        if let Some(l) = literal(&token.kind) {
            self.advance();
            return Ok(Expr::Literal(l));
        }
        match &token.kind {
            TokenKind::Open => {
                self.advance();
                self.enter(&token)?;
                let inner = self.expr()?;
                self.nesting -= 1;
                let close = self.advance();
                if close.kind != TokenKind::Close {
                    return Err(self.error(
                        &close,
                        format!(
                            "expected ')' to close the '(' at position {} but found {}",
                            token.position,
                            close.describe(self.text)
                        ),
                    ));
                }
                Ok(inner)
            }
            TokenKind::Word(w) if self.peek_at(1).kind == TokenKind::Open => {
                let function = Function::from_name(w)
                    .ok_or_else(|| self.error(&token, format!("unknown function '{w}'")))?;
                self.advance();
                self.advance();
                self.enter(&token)?;
                let mut args = Vec::new();
                if self.peek().kind != TokenKind::Close {
                    loop {
                        args.push(self.expr()?);
                        if self.peek().kind != TokenKind::Comma {
                            break;
                        }
                        self.advance();
                    }
                }
                let close = self.advance();
                self.nesting -= 1;
                if close.kind != TokenKind::Close {
                    return Err(self.error(
                        &close,
                        format!(
                            "expected ')' to close the arguments of '{}' but found {}",
                            function.name(),
                            close.describe(self.text)
                        ),
                    ));
                }
                if args.len() != function.arity() {
                    return Err(self.error(
                        &token,
                        format!(
                            "'{}' takes {} argument(s), {} given",
                            function.name(),
                            function.arity(),
                            args.len()
                        ),
                    ));
                }
                Ok(Expr::Call(function, args))
            }
            TokenKind::Word(w) if is_keyword(w) => Err(self.error(
                &token,
                format!("expected an expression but found the operator '{w}'"),
            )),
            TokenKind::Word(_) => Ok(Expr::Property(self.path("a property")?)),
            _ => Err(self.error(
                &token,
                format!(
                    "expected an expression but found {}",
                    token.describe(self.text)
                ),
            )),
        }
    }

    fn path(&mut self, what: &str) -> Result<Vec<String>, QueryError> {
        let mut path = Vec::new();
        loop {
            let token = self.advance();
            match &token.kind {
                TokenKind::Word(w) if !is_keyword(w) && !w.contains('.') => path.push(w.clone()),
                _ => {
                    return Err(self.error(
                        &token,
                        format!("expected {what} but found {}", token.describe(self.text)),
                    ));
                }
            }
            if self.peek().kind != TokenKind::Slash {
                return Ok(path);
            }
            self.advance();
        }
    }
}

/// Joins terms into a balanced tree, so a long `a or b or c …` is only log2(n) deep for
/// the recursive passes that check, translate and evaluate it.
fn balanced(mut terms: Vec<Expr>, join: &dyn Fn(Expr, Expr) -> Expr) -> Expr {
    if terms.len() == 1 {
        return terms.pop().expect("one term");
    }
    let right = terms.split_off(terms.len() / 2);
    join(balanced(terms, join), balanced(right, join))
}

fn is_keyword(word: &str) -> bool {
    CompareOp::from_keyword(word).is_some()
        || ["and", "or", "not", "in", "asc", "desc"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(word))
}

fn literal(kind: &TokenKind) -> Option<Literal> {
    Some(match kind {
        TokenKind::String(s) => Literal::String(s.clone()),
        TokenKind::Int(i) => Literal::Int(*i),
        TokenKind::Float(f) => Literal::Float(*f),
        TokenKind::Guid(g) => Literal::Guid(g.clone()),
        TokenKind::DateTimeOffset(t) => Literal::DateTimeOffset(*t),
        TokenKind::Enum(t, m) => Literal::Enum {
            type_name: Some(t.clone()),
            member: m.clone(),
            value: None,
        },
        TokenKind::Word(w) if w == "null" => Literal::Null,
        TokenKind::Word(w) if w == "true" => Literal::Bool(true),
        TokenKind::Word(w) if w == "false" => Literal::Bool(false),
        _ => return None,
    })
}
