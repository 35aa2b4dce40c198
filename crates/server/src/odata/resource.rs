//! What a request addresses: its version, its path resolved against that version's model,
//! and where the store keeps it.

use axum::http::{HeaderMap, Uri, header};
use intune::ApiVersion;
use odata::path::percent_decode;
use odata::{Model, ResourcePath, Segment, Suffix};
use store::{Address, Catalog, Table, TableKind};

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
    /// A contained single-valued target (created by POST).
    Contained,
    /// A non-contained single-valued target (always exists).
    Referenced,
    /// `…/$count` of a collection.
    Count,
    /// `…/$ref` of a `Referenced` target.
    Ref,
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
    /// POST into a collection, or create a contained single-valued target.
    Create,
    /// POST or PUT `…/$ref` with a full entity: replace a summary.
    ReplaceRef,
    /// PATCH: merge into an entity.
    Update,
    /// DELETE an entity (or reset a summary, with or without `/$ref`).
    Delete,
}

impl Operation {
    /// Whether the operation changes data (what a permission check calls write access).
    pub fn writes(self) -> bool {
        !matches!(
            self,
            Operation::GetSingleton
                | Operation::List
                | Operation::Get
                | Operation::Count
                | Operation::GetRef
        )
    }
}

impl Shape {
    /// Every method some shape answers, in the order OpenAPI lists them.
    pub const METHODS: [&'static str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// The service's one method table: what `method` does on a resource of this shape,
    /// `None` when it answers no such route. The handlers dispatch on it and OpenAPI
    /// lists it, so the two cannot disagree.
    pub fn operation(self, method: &str) -> Option<Operation> {
        use Shape::*;
        Some(match (method, self) {
            ("GET", Singleton) => Operation::GetSingleton,
            ("GET", Collection) => Operation::List,
            ("GET", Entity | Contained | Referenced) => Operation::Get,
            ("GET", Count) => Operation::Count,
            ("GET", Ref) => Operation::GetRef,
            ("POST", Collection | Contained) => Operation::Create,
            ("POST" | "PUT", Ref) => Operation::ReplaceRef,
            ("PATCH", Entity | Contained | Referenced) => Operation::Update,
            ("DELETE", Entity | Contained | Referenced | Ref) => Operation::Delete,
            _ => return None,
        })
    }
}

/// A request's resource, resolved.
pub struct Resource<'a> {
    /// The API version.
    pub version: ApiVersion,
    /// That version's model.
    pub model: &'a Model,
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
        let path = ResourcePath::parse(model, rest)?;
        let unknown_last = || {
            let last = rest
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(rest);
            ApiError::Path(odata::PathError::UnknownSegment(percent_decode(last)))
        };
        let (address, shape) = if path.segments.len() == 1 {
            (None, Shape::Singleton)
        } else {
            let address = catalog
                .address(&path, |table| visible_types(model, table))
                .ok_or_else(unknown_last)?;
            let table = catalog.table(address.target().table);
            let shape = match (path.suffix, table.kind, path.segments.last()) {
                (Some(Suffix::Count), ..) => Shape::Count,
                (Some(Suffix::Ref), ..) => Shape::Ref,
                (None, TableKind::Collection, Some(Segment::Key(_))) => Shape::Entity,
                (None, TableKind::Collection, _) => Shape::Collection,
                (None, TableKind::Contained, _) => Shape::Contained,
                (None, TableKind::Referenced, _) => Shape::Referenced,
            };
            (Some(address), shape)
        };
        Ok(Resource {
            version,
            model,
            path,
            address,
            shape,
            base: base_url(uri, headers),
        })
    }

    /// The address; only a bare singleton has none.
    pub fn address(&self) -> Result<&Address, ApiError> {
        self.address
            .as_ref()
            .ok_or_else(|| ApiError::Internal("no address for a singleton".into()))
    }

    /// `{base}/{version}/$metadata#{fragment}`.
    pub fn context(&self, fragment: &str) -> String {
        format!(
            "{}/{}/$metadata#{fragment}",
            self.base,
            self.version.as_str()
        )
    }

    /// `{base}/{version}/{canonical path}`.
    pub fn url(&self, canonical: &str) -> String {
        format!("{}/{}/{canonical}", self.base, self.version.as_str())
    }

    /// The OData route template of the path, for "no route" errors.
    pub fn template(&self) -> &'static str {
        let nested = self.path.segments.len() > 3;
        match (self.shape, nested) {
            (Shape::Singleton, _) => "~/singleton",
            (Shape::Collection, false) => "~/singleton/navigation",
            (Shape::Entity, false) => "~/singleton/navigation/key",
            (Shape::Contained | Shape::Referenced, false) => "~/singleton/navigation",
            (Shape::Count, false) => "~/singleton/navigation/$count",
            (Shape::Ref, false) => "~/singleton/navigation/$ref",
            (Shape::Collection | Shape::Contained | Shape::Referenced, true) => {
                "~/singleton/navigation/key/navigation"
            }
            (Shape::Entity, true) => "~/singleton/navigation/key/navigation/key",
            (Shape::Count, true) => "~/singleton/navigation/key/navigation/$count",
            (Shape::Ref, true) => "~/singleton/navigation/key/navigation/$ref",
        }
    }
}

/// The concrete types of a table's declared type that this version knows, when the type
/// is polymorphic (so v1.0 does not see beta-only derived types); empty otherwise.
fn visible_types(model: &Model, table: &Table) -> Vec<String> {
    let Some(declared) = model.structured(&table.entity_type) else {
        return Vec::new();
    };
    if declared.derived.is_empty() {
        return Vec::new();
    }
    std::iter::once(&declared.name)
        .chain(declared.derived.iter())
        .filter(|t| model.structured(t).is_some_and(|t| !t.is_abstract))
        .cloned()
        .collect()
}

/// The scheme, host and port the client used, so links in responses resolve.
pub fn base_url(uri: &Uri, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| uri.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".into());
    let scheme = uri.scheme_str().unwrap_or("http");
    format!("{scheme}://{host}")
}
