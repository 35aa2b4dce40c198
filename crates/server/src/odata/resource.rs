//! What a request addresses: its version, its path resolved against that version's model,
//! and where the store keeps it.

use axum::http::{HeaderMap, Uri, header};
use intune::ApiVersion;
use intune::permissions::Access;
use odata::path::percent_decode;
use odata::{Model, Place, PlaceKind, Places, ResourcePath, Segment, Suffix};
use store::{Address, Catalog};

use crate::ApiError;

/// The kind of resource a path addresses, which decides the methods it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A singleton (`deviceManagement`).
    Singleton,
    /// A collection.
    Collection,
    /// One entity of a collection.
    Entity,
    /// A contained single-valued target (exists with its parent; POST sets it).
    Contained,
    /// A summary the service keeps (a non-contained single-valued target; always exists).
    Summary,
    /// `…/$count` of a collection.
    Count,
    /// `…/$ref` of a summary, replaced whole with an entity (the seeds' form).
    Ref,
    /// The entity a link points at (a run state's `managedDevice`).
    Link,
    /// `…/$ref` of a link: the reference itself.
    LinkRef,
    /// A bound action.
    Action,
}

/// What a request does: decided by its method and the shape of what it addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// GET a singleton.
    GetSingleton,
    /// GET a page of a collection.
    List,
    /// GET one entity or single-valued target.
    Get,
    /// GET `…/$count`.
    Count,
    /// GET `…/$ref`.
    GetRef,
    /// POST into a collection, or set a contained single-valued target.
    Create,
    /// POST or PUT `…/$ref` with a full entity: replace a summary.
    ReplaceRef,
    /// PATCH: merge into an entity.
    Update,
    /// DELETE an entity (or reset a summary, with or without `/$ref`).
    Delete,
    /// PUT `…/$ref` of a link with `{"@odata.id": …}`: point it at an entity.
    SetLink,
    /// DELETE `…/$ref` of a link: unset it.
    Unlink,
    /// POST to a bound action.
    Invoke,
}

impl Operation {
    /// What a permission check calls the operation: invoking an action, changing data,
    /// or reading it.
    pub fn access(self) -> Access {
        match self {
            Operation::Invoke => Access::Invoke,
            Operation::GetSingleton
            | Operation::List
            | Operation::Get
            | Operation::Count
            | Operation::GetRef => Access::Read,
            _ => Access::Write,
        }
    }
}

impl Shape {
    /// Every method some shape answers, in the order OpenAPI lists them.
    pub const METHODS: [&'static str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// `text` as one of [`Self::METHODS`], in whatever case it is written (a batch
    /// item's `method`, a fault rule's): `None` for any other text.
    pub fn method(text: &str) -> Option<&'static str> {
        Self::METHODS
            .into_iter()
            .find(|m| m.eq_ignore_ascii_case(text))
    }

    /// The JSON Schema pattern of the text [`Self::method`] accepts (`^(?:[Gg][Ee][Tt]|…)$`),
    /// for the documents that describe a method given in a body.
    pub fn methods_pattern() -> String {
        let any_case = |method: &str| -> String {
            method
                .chars()
                .map(|c| format!("[{c}{}]", c.to_ascii_lowercase()))
                .collect()
        };
        let methods: Vec<String> = Self::METHODS.into_iter().map(any_case).collect();
        format!("^(?:{})$", methods.join("|"))
    }

    /// The service's one method table: what `method` does on a resource of this shape,
    /// `None` when it answers no such route. The handlers dispatch on it and OpenAPI
    /// lists it, so the two cannot disagree.
    pub fn operation(self, method: &str) -> Option<Operation> {
        use Shape::*;
        Some(match (method, self) {
            ("GET", Singleton) => Operation::GetSingleton,
            ("GET", Collection) => Operation::List,
            ("GET", Entity | Contained | Summary | Link) => Operation::Get,
            ("GET", Count) => Operation::Count,
            ("GET", Ref | LinkRef) => Operation::GetRef,
            ("POST", Collection | Contained) => Operation::Create,
            ("POST" | "PUT", Ref) => Operation::ReplaceRef,
            ("PUT", LinkRef) => Operation::SetLink,
            ("PATCH", Entity | Contained | Summary) => Operation::Update,
            ("DELETE", Entity | Contained | Summary | Ref) => Operation::Delete,
            ("DELETE", LinkRef) => Operation::Unlink,
            ("POST", Action) => Operation::Invoke,
            _ => return None,
        })
    }

    /// The shape of what `path` addresses at a place of `kind`.
    fn of(kind: PlaceKind, path: &ResourcePath) -> Shape {
        match (path.suffix, kind) {
            (Some(Suffix::Count), _) => Shape::Count,
            (Some(Suffix::Ref), PlaceKind::Link(_)) => Shape::LinkRef,
            (Some(Suffix::Ref), _) => Shape::Ref,
            (None, PlaceKind::Singleton) => Shape::Singleton,
            (None, PlaceKind::Collection) if path.keyed() => Shape::Entity,
            (None, PlaceKind::Collection) => Shape::Collection,
            (None, PlaceKind::Contained) => Shape::Contained,
            (None, PlaceKind::Summary) => Shape::Summary,
            (None, PlaceKind::Link(_)) => Shape::Link,
            (None, PlaceKind::Action(_)) => Shape::Action,
        }
    }
}

/// A request's resource, resolved.
pub struct Resource<'a> {
    /// The API version.
    pub version: ApiVersion,
    /// That version's model.
    pub model: &'a Model,
    /// That version's served places.
    pub places: &'a Places,
    /// The resolved path.
    pub path: ResourcePath,
    /// Where the store keeps it (`None` for a bare singleton).
    pub address: Option<Address>,
    /// What kind of resource it is.
    pub shape: Shape,
    /// `scheme://host[:port]` as the client addressed the server.
    pub base: String,
}

impl<'a> Resource<'a> {
    /// Resolves the request URI against the schema and the store's catalog.
    pub fn resolve(
        schema: &'a intune::Schema,
        catalog: &Catalog,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Result<Resource<'a>, ApiError> {
        let raw = uri.path().trim_start_matches('/');
        let (version_segment, rest) = raw.split_once('/').unwrap_or((raw, ""));
        let version = ApiVersion::parse(&percent_decode(version_segment)).ok_or_else(|| {
            ApiError::InvalidVersion(percent_decode(version_segment).to_lowercase())
        })?;
        let model = schema.model(version);
        let places = schema.places(version);
        let path = ResourcePath::parse(places, model, rest)?;
        let kind = places.get(path.place()).kind;
        let address = catalog.address(model, places, &path);
        if address.is_none() && kind != PlaceKind::Singleton {
            let last = rest
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(rest);
            return Err(odata::PathError::UnknownSegment(percent_decode(last)).into());
        }
        Ok(Resource {
            version,
            model,
            places,
            shape: Shape::of(kind, &path),
            path,
            address,
            base: base_url(uri, headers),
        })
    }

    /// The address; only a bare singleton has none.
    pub fn address(&self) -> Result<&Address, ApiError> {
        self.address
            .as_ref()
            .ok_or_else(|| ApiError::Internal("no address for a singleton".into()))
    }

    /// The place the path addresses.
    pub fn place(&self) -> &'a Place {
        self.places.get(self.path.place())
    }

    /// The type of what the path addresses (after any cast).
    pub fn target_type(&self) -> &str {
        self.path.target_type(self.places)
    }

    /// The `#…` fragment of `@odata.context` for this path. A link's target is named by
    /// the collection it lives in, as OData names the target of a non-contained
    /// navigation (`deviceManagement/managedDevices/$entity`).
    pub fn fragment(&self) -> String {
        match self.place().kind {
            PlaceKind::Link(home) => format!("{}/$entity", self.places.get(home).path),
            _ => self.path.context_fragment(self.places, self.model),
        }
    }

    /// The canonical path (keys in parentheses), without the version.
    pub fn canonical(&self) -> String {
        self.path.canonical(self.places, self.model)
    }

    /// `{base}/{version}/$metadata#{fragment}`.
    pub fn context(&self, fragment: &str) -> String {
        // `concat` rather than `format!`: every response makes one (profile of W1).
        [
            &self.base,
            "/",
            self.version.as_str(),
            "/$metadata#",
            fragment,
        ]
        .concat()
    }

    /// `{base}/{version}/{canonical path}`.
    pub fn url(&self, canonical: &str) -> String {
        [&self.base, "/", self.version.as_str(), "/", canonical].concat()
    }

    /// The OData route template of the path (`~/singleton/navigation/key/cast/navigation`),
    /// for "no route" errors.
    pub fn template(&self) -> String {
        let mut out = String::from("~");
        for (i, segment) in self.path.segments.iter().enumerate() {
            out.push_str(match segment {
                Segment::Place(_) if i == 0 => "/singleton",
                Segment::Place(id) if matches!(self.places.get(*id).kind, PlaceKind::Action(_)) => {
                    "/action"
                }
                Segment::Place(_) => "/navigation",
                Segment::Key(_) => "/key",
                Segment::Cast(_) => "/cast",
            });
        }
        match self.path.suffix {
            Some(Suffix::Count) => out.push_str("/$count"),
            Some(Suffix::Ref) => out.push_str("/$ref"),
            None => {}
        }
        out
    }
}

/// The scheme, host and port the client used, so links in responses resolve.
pub fn base_url(uri: &Uri, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
        .unwrap_or("localhost");
    let scheme = uri.scheme_str().unwrap_or("http");
    [scheme, "://", host].concat()
}

#[cfg(test)]
mod tests {
    use super::Shape;

    /// A method given in a body is read in any case, and only as one the service answers;
    /// the documents' pattern spells out the same case-insensitive choice.
    #[test]
    fn a_method_is_read_in_any_case() {
        let read: Vec<_> = ["get", "GeT", "DELETE", "patch", "HEAD", "GET ", "", "ǴET"]
            .into_iter()
            .map(Shape::method)
            .collect();
        assert_eq!(
            read,
            [
                Some("GET"),
                Some("GET"),
                Some("DELETE"),
                Some("PATCH"),
                None,
                None,
                None,
                None
            ]
        );
        assert_eq!(
            Shape::methods_pattern(),
            "^(?:[Gg][Ee][Tt]|[Pp][Oo][Ss][Tt]|[Pp][Uu][Tt]|[Pp][Aa][Tt][Cc][Hh]|[Dd][Ee][Ll][Ee][Tt][Ee])$"
        );
    }
}
