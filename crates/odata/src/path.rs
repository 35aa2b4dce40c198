//! Resource paths (`deviceManagement/deviceManagementScripts/{id}/runSummary/$ref`), parsed
//! against a version's [`Places`]: every segment must name a served place, a key, a type
//! cast or a bound action.

use crate::edm::Model;
use crate::input;
use crate::places::{Binding, PlaceId, PlaceKind, Places};

/// One resolved segment of a resource path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A served place: a singleton, a navigation property, or a bound action.
    Place(PlaceId),
    /// A key selecting one entity of the collection addressed so far.
    Key(String),
    /// A type cast (`microsoft.graph.iosMobileAppConfiguration`): narrows what is addressed
    /// so far to a type derived from its declared type (the unqualified name).
    Cast(String),
}

/// A trailing system segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suffix {
    /// `/$ref`: the reference to a single-valued navigation target.
    Ref,
    /// `/$count`: the number of entities in a collection.
    Count,
}

/// A resource path resolved against a version's places.
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

/// Where a parse stands: the place reached, whether a key selected one of its entities,
/// and whether a cast narrowed it.
struct Position {
    place: PlaceId,
    keyed: bool,
    cast: bool,
}

impl ResourcePath {
    /// Parses the part of a URL path after `/{version}/` (still percent-encoded).
    pub fn parse(places: &Places, model: &Model, raw: &str) -> Result<ResourcePath, PathError> {
        let mut segments: Vec<Segment> = Vec::new();
        let mut suffix = None;
        let mut at: Option<Position> = None;
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
            let Some(pos) = &mut at else {
                let (name, key) = split_key(&text);
                let singleton = places
                    .singleton(name)
                    .filter(|_| key.is_none())
                    .ok_or_else(unknown)?;
                segments.push(Segment::Place(singleton.id));
                at = Some(Position {
                    place: singleton.id,
                    keyed: false,
                    cast: false,
                });
                continue;
            };
            let place = places.get(pos.place);
            let collection = place.kind == PlaceKind::Collection && !pos.keyed;
            if let PlaceKind::Action(_) = place.kind {
                return Err(unknown());
            }
            if collection && text == "$count" {
                suffix = Some(Suffix::Count);
                continue;
            }
            if text == "$ref" {
                if !matches!(place.kind, PlaceKind::Summary | PlaceKind::Link(_)) {
                    return Err(unknown());
                }
                suffix = Some(Suffix::Ref);
                continue;
            }
            if text.starts_with('$') {
                return Err(unknown());
            }
            if !pos.cast
                && text.contains('.')
                && let Some(cast) = cast(model, &place.entity_type, &text)
            {
                segments.push(Segment::Cast(cast));
                pos.cast = true;
                continue;
            }
            let binding = if collection {
                Binding::Collection
            } else {
                Binding::Entity
            };
            if let Some(action) = places.action(pos.place, unqualified(model, &text), binding) {
                segments.push(Segment::Place(action.id));
                *pos = Position {
                    place: action.id,
                    keyed: false,
                    cast: false,
                };
                continue;
            }
            if collection {
                segments.push(Segment::Key(text.clone()));
                pos.keyed = true;
                pos.cast = false;
                continue;
            }
            let (name, key) = split_key(&text);
            let nav = places.navigation(pos.place, name).ok_or_else(unknown)?;
            if key.is_some() && nav.kind != PlaceKind::Collection {
                return Err(unknown());
            }
            segments.push(Segment::Place(nav.id));
            *pos = Position {
                place: nav.id,
                keyed: key.is_some(),
                cast: false,
            };
            if let Some(key) = key {
                segments.push(Segment::Key(key));
            }
        }
        if segments.is_empty() {
            return Err(PathError::Empty);
        }
        Ok(ResourcePath { segments, suffix })
    }

    /// The place the path addresses (for an action: the action's place).
    pub fn place(&self) -> PlaceId {
        self.segments
            .iter()
            .rev()
            .find_map(|s| match s {
                Segment::Place(id) => Some(*id),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// Whether a key follows the addressed place: one entity of a collection.
    pub fn keyed(&self) -> bool {
        self.tail().any(|s| matches!(s, Segment::Key(_)))
    }

    /// The type cast to at the addressed place, if any.
    pub fn cast(&self) -> Option<&str> {
        self.tail().find_map(|s| match s {
            Segment::Cast(t) => Some(t.as_str()),
            _ => None,
        })
    }

    /// The type of what the path addresses: the cast type, else the place's declared type.
    pub fn target_type<'a>(&'a self, places: &'a Places) -> &'a str {
        self.cast()
            .unwrap_or_else(|| &places.get(self.place()).entity_type)
    }

    /// Whether the path addresses a collection (not one of its entities, not its count).
    pub fn is_collection(&self, places: &Places) -> bool {
        places.get(self.place()).kind == PlaceKind::Collection && !self.keyed()
    }

    /// The `#…` part of the `@odata.context` URL for a response about this path, in Graph's
    /// forms: `deviceManagement/macOSSoftwareUpdateAccountSummaries` for a collection,
    /// `…/$entity` for one entity or a single-valued navigation target, keys written as
    /// `('{id}')` for entities along the way, and casts as qualified type names.
    pub fn context_fragment(&self, places: &Places, model: &Model) -> String {
        let mut out = String::new();
        let last_place = self
            .segments
            .iter()
            .rposition(|s| matches!(s, Segment::Place(_)));
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Place(id) => {
                    if i > 0 {
                        out.push('/');
                    }
                    out.push_str(&places.get(*id).name);
                }
                Segment::Key(_) if Some(i) > last_place => {}
                Segment::Key(key) => {
                    out.push_str("('");
                    out.push_str(&key.replace('\'', "''"));
                    out.push_str("')");
                }
                Segment::Cast(ty) => {
                    out.push('/');
                    out.push_str(&model.qualified(ty));
                }
            }
        }
        let singleton = self.segments.len() == 1;
        if !self.is_collection(places) && !singleton {
            out.push_str("/$entity");
        }
        out
    }

    /// The canonical URL path of what this path addresses (without the version), with keys
    /// in parentheses and casts qualified: used for `Location` and `@odata.id`.
    pub fn canonical(&self, places: &Places, model: &Model) -> String {
        let mut out = String::new();
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Place(id) => {
                    if i > 0 {
                        out.push('/');
                    }
                    out.push_str(&places.get(*id).name);
                }
                Segment::Key(key) => {
                    out.push_str("('");
                    out.push_str(&percent_encode(&key.replace('\'', "''")));
                    out.push_str("')");
                }
                Segment::Cast(ty) => {
                    out.push('/');
                    out.push_str(&model.qualified(ty));
                }
            }
        }
        out
    }

    /// The segments after the addressed place.
    fn tail(&self) -> impl Iterator<Item = &Segment> {
        let start = self
            .segments
            .iter()
            .rposition(|s| matches!(s, Segment::Place(_)))
            .map_or(0, |i| i + 1);
        self.segments[start..].iter()
    }
}

/// The entity type `text` casts to, when it names one derived from `declared` (or
/// `declared` itself).
fn cast(model: &Model, declared: &str, text: &str) -> Option<String> {
    model
        .resolve_type_name(text)
        .filter(|t| t.is_entity && model.is_assignable(&t.name, declared))
        .map(|t| t.name.clone())
}

/// An action name without its namespace (`microsoft.graph.assign` → `assign`).
fn unqualified<'a>(model: &Model, text: &'a str) -> &'a str {
    let prefixes = [Some(model.namespace.as_str()), model.alias.as_deref()];
    prefixes
        .into_iter()
        .flatten()
        .find_map(|p| {
            let head = text.get(..p.len())?;
            let rest = text.get(p.len()..)?.strip_prefix('.')?;
            head.eq_ignore_ascii_case(p).then_some(rest)
        })
        .unwrap_or(text)
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

/// Decodes `%XX` escapes; invalid escapes are kept as written, and what is not UTF-8
/// shows as U+FFFD (for messages: requests go through [`input::percent_decode`]).
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    String::from_utf8_lossy(&input::unescape(text).0).into_owned()
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
