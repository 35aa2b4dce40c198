//! Resource paths (`deviceManagement/deviceManagementScripts/{id}/runSummary/$ref`), parsed
//! against the model: every segment must name something the model serves.

use crate::edm::Model;
use crate::input;

/// One resolved segment of a resource path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A singleton of the container, e.g. `deviceManagement`.
    Singleton {
        /// The singleton's name as the schema spells it.
        name: String,
        /// Its entity type.
        type_name: String,
    },
    /// A navigation property of the entity addressed so far.
    Navigation {
        /// The property's name as the schema spells it.
        name: String,
        /// The declared target type.
        target: String,
        /// Whether it is collection-valued.
        collection: bool,
        /// Whether the targets are contained (`ContainsTarget`).
        contained: bool,
    },
    /// A key selecting one entity of the collection addressed so far.
    Key(String),
}

/// A trailing system segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suffix {
    /// `/$ref`: the reference to a single-valued navigation target.
    Ref,
    /// `/$count`: the number of entities in a collection.
    Count,
}

/// A resource path resolved against the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    /// The segments, starting with a singleton.
    pub segments: Vec<Segment>,
    /// A trailing `$ref` or `$count`.
    pub suffix: Option<Suffix>,
}

/// Why a path does not address anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// Graph's gateway error for a segment it does not know (also for segments that exist
    /// only in the other version).
    #[error("Resource not found for the segment '{0}'.")]
    UnknownSegment(String),
    /// Nothing after the version segment.
    #[error("The request URI does not address a resource.")]
    Empty,
    /// A segment whose escapes are not UTF-8, or that holds a NUL character.
    #[error("The segment '{segment}' of the request path is not valid: {reason}.")]
    InvalidText {
        /// The segment as written.
        segment: String,
        /// What is wrong with it.
        reason: input::TextError,
    },
}

impl ResourcePath {
    /// Parses the part of a URL path after `/{version}/` (still percent-encoded).
    pub fn parse(model: &Model, raw: &str) -> Result<ResourcePath, PathError> {
        let mut segments: Vec<Segment> = Vec::new();
        let mut suffix = None;
        for raw_segment in raw.split('/').filter(|s| !s.is_empty()) {
            let text =
                input::percent_decode(raw_segment).map_err(|reason| PathError::InvalidText {
                    segment: raw_segment.to_string(),
                    reason,
                })?;
            let unknown = || PathError::UnknownSegment(text.clone());
            if suffix.is_some() {
                return Err(unknown());
            }
            let Some(last) = segments.last() else {
                let (name, key) = split_key(&text);
                let singleton = model.singleton(name).ok_or_else(unknown)?;
                if key.is_some() {
                    return Err(unknown());
                }
                segments.push(Segment::Singleton {
                    name: singleton.name.clone(),
                    type_name: singleton.type_name.clone(),
                });
                continue;
            };
            if let Segment::Navigation {
                collection: true, ..
            } = last
            {
                if text == "$count" {
                    suffix = Some(Suffix::Count);
                } else if text.starts_with('$') {
                    return Err(unknown());
                } else {
                    segments.push(Segment::Key(text.clone()));
                }
                continue;
            }
            if text == "$ref" {
                match last {
                    Segment::Navigation {
                        collection: false,
                        contained: false,
                        ..
                    } => suffix = Some(Suffix::Ref),
                    _ => return Err(unknown()),
                }
                continue;
            }
            let (name, key) = split_key(&text);
            let owner = current_type(&segments).and_then(|t| model.structured(t));
            let nav = owner
                .and_then(|t| t.navigation_property(name))
                .ok_or_else(unknown)?;
            if key.is_some() && !nav.collection {
                return Err(unknown());
            }
            segments.push(Segment::Navigation {
                name: nav.name.clone(),
                target: nav.target.clone(),
                collection: nav.collection,
                contained: nav.contains_target,
            });
            if let Some(key) = key {
                segments.push(Segment::Key(key));
            }
        }
        if segments.is_empty() {
            return Err(PathError::Empty);
        }
        Ok(ResourcePath { segments, suffix })
    }

    /// The declared entity type of what the path addresses.
    pub fn target_type(&self) -> &str {
        current_type(&self.segments).unwrap_or_default()
    }

    /// Whether the path addresses a collection (not one of its entities).
    pub fn is_collection(&self) -> bool {
        matches!(
            self.segments.last(),
            Some(Segment::Navigation {
                collection: true,
                ..
            })
        )
    }

    /// The `#…` part of the `@odata.context` URL for a response about this path, in Graph's
    /// forms: `deviceManagement/macOSSoftwareUpdateAccountSummaries` for a collection,
    /// `…/$entity` for one entity or a single-valued navigation target, and keys written as
    /// `('{id}')` for entities along the way.
    pub fn context_fragment(&self) -> String {
        let mut out = String::new();
        let last = self.segments.len() - 1;
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Singleton { name, .. } => out.push_str(name),
                Segment::Navigation { name, .. } => {
                    out.push('/');
                    out.push_str(name);
                }
                Segment::Key(_) if i == last => {}
                Segment::Key(key) => {
                    out.push_str("('");
                    out.push_str(&key.replace('\'', "''"));
                    out.push_str("')");
                }
            }
        }
        if !self.is_collection() && self.segments.len() > 1 {
            out.push_str("/$entity");
        }
        out
    }

    /// The canonical URL path of what this path addresses (without the version), with keys
    /// in parentheses: used for `Location` and `@odata.id`.
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Singleton { name, .. } => out.push_str(name),
                Segment::Navigation { name, .. } => {
                    out.push('/');
                    out.push_str(name);
                }
                Segment::Key(key) => {
                    out.push_str("('");
                    out.push_str(&percent_encode(&key.replace('\'', "''")));
                    out.push_str("')");
                }
            }
        }
        out
    }
}

/// The entity type addressed after the given segments.
fn current_type(segments: &[Segment]) -> Option<&str> {
    segments.iter().rev().find_map(|s| match s {
        Segment::Singleton { type_name, .. } => Some(type_name.as_str()),
        Segment::Navigation { target, .. } => Some(target.as_str()),
        Segment::Key(_) => None,
    })
}

/// Splits `name('key')`, `name(key)` or `name(id='key')` into the name and the key.
fn split_key(segment: &str) -> (&str, Option<String>) {
    let Some(open) = segment.find('(') else {
        return (segment, None);
    };
    let Some(inner) = segment[open + 1..].strip_suffix(')') else {
        return (segment, None);
    };
    let inner = inner.split_once('=').map_or(inner, |(_, v)| v);
    let key = match inner.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')) {
        Some(quoted) => quoted.replace("''", "'"),
        None => inner.to_string(),
    };
    (&segment[..open], Some(key))
}

/// Decodes `%XX` escapes; invalid escapes are kept as written.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes what cannot stand in a path segment.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~'!$&*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
