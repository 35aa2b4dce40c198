//! The storage layout, derived from the served places: one table per place entities live.
//!
//! A place is a navigation path from a singleton (`deviceManagement/deviceManagementScripts`,
//! `…/deviceManagementScripts/userRunStates/deviceRunStates`; see [`odata::Places`]). Every
//! version adds to the same catalog, so v1.0 and beta are two views of one data set: a
//! table has the union of the columns of every type that can live there, in every version.
//! A link (a run state's `managedDevice`) is a column of the linking table holding the key
//! of an entity of another table.

use std::collections::HashMap;
use std::sync::Arc;

use intune::ApiVersion;
use odata::PlaceKind;
use odata::Value;
use odata::edm::{Model, Primitive, TypeKind, TypeRef};
use odata::value::default_value;

use crate::columns::Selection;

/// The namespace of the name-based ids of contained single-valued targets.
const CONTAINED_ID_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x6c6f_6361_6c67_7261_7068_0000_0000_0001);

/// Identifies a table of the catalog.
pub type TableId = usize;

/// How entities live in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// A collection-valued navigation: any number of entities per parent.
    Collection,
    /// A contained single-valued navigation (a configuration's `userStatusSummary`): it
    /// exists as soon as its parent does and reads as its defaults until written.
    Contained,
    /// A non-contained single-valued navigation (a summary the service computes): it
    /// always exists, reads as its defaults until written, and its id is derived from
    /// its parent (the parent's key, or the tenant id under a singleton).
    Summary,
}

impl TableKind {
    /// Whether the table holds at most one entity per parent, which always exists.
    pub fn single(self) -> bool {
        self != TableKind::Collection
    }
}

/// How a column stores its values.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnType {
    /// Integral numbers.
    Integer,
    /// `Edm.Boolean`.
    Boolean,
    /// Floating-point numbers.
    Real,
    /// Strings and string-encoded primitives.
    Text,
    /// `Edm.DateTimeOffset` as 100 ns ticks: sorts and compares by instant.
    Ticks,
    /// An enum, stored as the member's value (so it sorts as OData orders enums); its
    /// members (name, value) are shared, as every read of a NULL carries its column's type.
    Enum(Arc<[(String, i64)]>),
    /// Complex values and collections, as JSON text in response form.
    Json,
}

/// A value the store sets itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// Set when the entity is created (`createdDateTime`).
    Created,
    /// Set on every write (`lastModifiedDateTime`).
    Modified,
}

/// One column: a structural property of some type that lives in the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The property name, also the column name; shared with every record read from the
    /// table (a page of 100 devices names 7,900 values).
    pub name: Arc<str>,
    /// How values are stored.
    pub ty: ColumnType,
    /// The value a new entity gets when the write leaves the property out.
    pub default: Option<Value>,
    /// Set by the store rather than by the client.
    pub stamp: Option<Stamp>,
    /// For a link column (`_managedDevice`), the table of the entities it references.
    pub link: Option<TableId>,
    /// The API versions whose types have this property (none for a link column): what a
    /// response of each renders.
    pub versions: Vec<ApiVersion>,
}

/// One table of the catalog.
#[derive(Debug, Clone)]
pub struct Table {
    /// Its index in the catalog.
    pub id: TableId,
    /// The navigation path, e.g. `deviceManagement/deviceManagementScripts`.
    pub path: String,
    /// The SQL table name (at most 63 bytes, PostgreSQL's limit).
    pub sql_name: String,
    /// The table of the parent entities; `None` under a singleton.
    pub parent: Option<TableId>,
    /// How entities live here.
    pub kind: TableKind,
    /// The navigation property's declared entity type.
    pub entity_type: String,
    /// Structural properties except the key, union over types and versions.
    pub columns: Vec<Column>,
    /// Every column, for the reads of whole entities (writes, exports); laid out once
    /// here, as every read's statement starts with its list.
    pub all: Selection,
    /// The columns each version renders, in [`ApiVersion::ALL`]'s order.
    pub rendered: Vec<Selection>,
}

impl Table {
    /// The id of a single-valued target, derived from where it lives: for a `Referenced`
    /// summary, as Graph derives it, the parent's key (a script's `runSummary`) or the
    /// tenant id under a singleton; for a `Contained` one (a configuration's
    /// `userStatusSummary`), a name-based GUID of tenant, parent and place, so it is a GUID
    /// like every other id and still known without a lookup.
    pub fn derived_id(&self, tenant: &str, parent_key: &str) -> String {
        match (self.kind, self.parent) {
            (TableKind::Contained, _) => {
                let name = format!("{tenant}/{parent_key}/{}", self.path);
                uuid::Uuid::new_v5(&CONTAINED_ID_NAMESPACE, name.as_bytes()).to_string()
            }
            (_, None) => tenant.to_string(),
            _ => parent_key.to_string(),
        }
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| &*c.name == name)
    }

    /// The link column of the navigation `nav` (`managedDevice` → `_managedDevice`).
    pub fn link(&self, nav: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.link.is_some() && c.name.strip_prefix('_') == Some(nav))
    }

    /// The columns the store keeps an index on (`_tenant, _parent, column, id`): the
    /// timestamps and enums of collection tables. Such an index serves `$orderby` on the
    /// column with keyset pages on (column, id) in either direction, and an `eq` filter
    /// with pages in id order, without a sort: at 1M rows, `$orderby=lastUpdatedDateTime
    /// desc&$top=100` went from a 250 ms scan and sort to 2 ms. Integer counts are left
    /// out: their filters are ranges (`failedUpdateCount gt 3`), for which SQLite, without
    /// statistics, prefers the index and then sorts every match by id, 10 times slower at
    /// 1M rows than scanning in id order; and every index costs each write and about a
    /// fifth of the table's size (README "Performance"). Wide report types pay the most:
    /// `managedDevice` has 24 such columns, which double the cost of a single create and
    /// leave bulk loading within the noise, for equality filters and counts on every state.
    pub fn indexed(&self) -> impl Iterator<Item = &Column> {
        let collection = self.kind == TableKind::Collection;
        self.columns.iter().filter(move |c| {
            collection
                && c.stamp.is_none()
                && c.link.is_none()
                && matches!(c.ty, ColumnType::Ticks | ColumnType::Enum(_))
        })
    }
}

/// Every table, derived from the models.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    tables: Vec<Table>,
    /// foldhash: a read looks its table up by path (std's SipHash cost more than the rest).
    by_path: HashMap<String, TableId, foldhash::fast::RandomState>,
    summaries: Vec<crate::aggregate::Summary>,
}

/// A schema the store cannot lay out.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// Two versions or types disagree on a column's type: other types, or an enum member
    /// name or value that means something else in the other declaration (see `merged`).
    #[error("column {table}.{column} has two different types across the served models")]
    ColumnTypes {
        /// The table's path.
        table: String,
        /// The column.
        column: String,
    },
    /// A computed summary of the reports table does not fit the schema.
    #[error(transparent)]
    Summary(#[from] crate::aggregate::SummaryError),
}

impl Catalog {
    /// Lays out a table for every place entities live in any version of `schema`, a link
    /// column for every link, and the summaries computed from states
    /// ([`intune::reports`]).
    pub fn build(schema: &intune::Schema) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog::default();
        let versions = schema.versions();
        for (version, (model, places)) in ApiVersion::ALL.into_iter().zip(versions) {
            for place in places.iter().filter(|p| p.stores()) {
                let kind = match place.kind {
                    PlaceKind::Collection => TableKind::Collection,
                    PlaceKind::Contained => TableKind::Contained,
                    _ => TableKind::Summary,
                };
                let parent = place
                    .parent
                    .and_then(|p| catalog.by_path.get(&places.get(p).path).copied());
                let id = catalog.table_for(&place.path, parent, kind, &place.entity_type);
                catalog.add_columns(model, version, id, &place.entity_type)?;
            }
            for place in places.iter() {
                let PlaceKind::Link(home) = place.kind else {
                    continue;
                };
                let source = place.parent.map(|p| places.get(p).path.as_str());
                let source = source.and_then(|p| catalog.by_path.get(p).copied());
                let target = catalog.by_path.get(&places.get(home).path).copied();
                if let (Some(source), Some(target)) = (source, target) {
                    let table = &mut catalog.tables[source];
                    if table.link(&place.name).is_none() {
                        table.columns.push(Column {
                            name: format!("_{}", place.name).into(),
                            ty: ColumnType::Text,
                            default: None,
                            stamp: None,
                            link: Some(target),
                            versions: Vec::new(),
                        });
                    }
                }
            }
        }
        for table in &mut catalog.tables {
            table.all = Selection::all(table);
            table.rendered = ApiVersion::ALL
                .iter()
                .map(|v| Selection::rendered(table, *v))
                .collect();
        }
        let models: Vec<&Model> = versions.iter().rev().map(|(m, _)| *m).collect();
        catalog.summaries = crate::aggregate::resolve(&catalog, &models)?;
        Ok(catalog)
    }

    /// The summaries computed from states, inner ones first.
    pub fn summaries(&self) -> &[crate::aggregate::Summary] {
        &self.summaries
    }

    fn table_for(
        &mut self,
        path: &str,
        parent: Option<TableId>,
        kind: TableKind,
        entity_type: &str,
    ) -> TableId {
        if let Some(id) = self.by_path.get(path) {
            return *id;
        }
        let id = self.tables.len();
        self.tables.push(Table {
            id,
            sql_name: sql_name(path),
            path: path.to_string(),
            parent,
            kind,
            entity_type: entity_type.to_string(),
            columns: Vec::new(),
            all: Selection::default(),
            rendered: Vec::new(),
        });
        self.by_path.insert(path.to_string(), id);
        id
    }

    fn add_columns(
        &mut self,
        model: &Model,
        version: ApiVersion,
        id: TableId,
        declared: &str,
    ) -> Result<(), CatalogError> {
        let Some(ty) = model.structured(declared) else {
            return Ok(());
        };
        let types =
            std::iter::once(ty).chain(ty.derived.iter().filter_map(|d| model.structured(d)));
        for t in types {
            // A column another version or type lacks goes just after the column of the
            // property before it, so that each version reads its properties in its own
            // order (beta's device interleaves its own among v1.0's): rendering looks
            // each value up a step after the last.
            let mut after: Option<usize> = None;
            for p in t.properties.iter().filter(|p| !t.key.contains(&p.name)) {
                // Collections are never null: `[]` until written.
                let neutral = !p.nullable || p.ty.collection;
                let column = Column {
                    name: p.name.as_str().into(),
                    ty: column_type(model, &p.ty),
                    default: if neutral {
                        default_value(model, &p.ty)
                    } else {
                        None
                    },
                    stamp: stamp(&p.name, &p.ty, p.computed),
                    link: None,
                    versions: vec![version],
                };
                let table = &mut self.tables[id];
                let path = &table.path;
                match table.columns.iter().position(|c| c.name == column.name) {
                    Some(at) => {
                        let existing = &mut table.columns[at];
                        existing.ty = merged(&existing.ty, &column.ty).ok_or_else(|| {
                            CatalogError::ColumnTypes {
                                table: path.clone(),
                                column: column.name.to_string(),
                            }
                        })?;
                        if !existing.versions.contains(&version) {
                            existing.versions.push(version);
                        }
                        after = Some(at);
                    }
                    None => {
                        let at = after.map_or(table.columns.len(), |a| a + 1);
                        table.columns.insert(at, column);
                        after = Some(at);
                    }
                }
            }
        }
        Ok(())
    }

    /// Every table, parents before children.
    pub fn tables(&self) -> &[Table] {
        &self.tables
    }

    /// A table by id.
    pub fn table(&self, id: TableId) -> &Table {
        &self.tables[id]
    }

    /// The table of the navigation `nav` of the entities in `parent`.
    pub fn child(&self, parent: TableId, nav: &str) -> Option<&Table> {
        let path = format!("{}/{nav}", self.tables[parent].path);
        self.by_path.get(&path).map(|id| &self.tables[*id])
    }
}

fn column_type(model: &Model, ty: &TypeRef) -> ColumnType {
    if ty.collection {
        return ColumnType::Json;
    }
    match &ty.kind {
        TypeKind::Primitive(p) if p.integer_range().is_some() => ColumnType::Integer,
        TypeKind::Primitive(Primitive::Boolean) => ColumnType::Boolean,
        TypeKind::Primitive(Primitive::Double | Primitive::Single | Primitive::Decimal) => {
            ColumnType::Real
        }
        TypeKind::Primitive(Primitive::DateTimeOffset) => ColumnType::Ticks,
        TypeKind::Primitive(_) => ColumnType::Text,
        TypeKind::Enum(name) => ColumnType::Enum(
            model
                .enum_type(name)
                .map(|e| {
                    e.members
                        .iter()
                        .map(|m| (m.name.clone(), m.value))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        TypeKind::Complex(_) | TypeKind::Entity(_) => ColumnType::Json,
    }
}

/// One column's type as two declarations agree on it: the same type, or, for an enum
/// whose versions list different members (beta's `deviceEnrollmentType` has members
/// v1.0 lacks), every member of either, so a value written through one version is kept
/// for the other. `None` when they disagree: other types, or a member name or value
/// that means something else in the other declaration (a stored value must decode to
/// one name).
fn merged(a: &ColumnType, b: &ColumnType) -> Option<ColumnType> {
    let (ColumnType::Enum(first), ColumnType::Enum(second)) = (a, b) else {
        return (a == b).then(|| a.clone());
    };
    let mut members = first.to_vec();
    for (name, value) in second.iter() {
        match members.iter().find(|(n, _)| n == name) {
            Some((_, known)) if known != value => return None,
            Some(_) => {}
            None if members.iter().any(|(_, v)| v == value) => return None,
            None => members.push((name.clone(), *value)),
        }
    }
    Some(ColumnType::Enum(members.into()))
}

/// Computed timestamps the store maintains, by Graph's naming convention.
fn stamp(name: &str, ty: &TypeRef, computed: bool) -> Option<Stamp> {
    let is_date = ty.kind == TypeKind::Primitive(Primitive::DateTimeOffset) && !ty.collection;
    match name {
        "createdDateTime" if computed && is_date => Some(Stamp::Created),
        "lastModifiedDateTime" if computed && is_date => Some(Stamp::Modified),
        _ => None,
    }
}

/// The full path with `/` as `__`, or past 63 bytes the last segment and a hash of the path.
fn sql_name(path: &str) -> String {
    let full = path.replace('/', "__");
    if full.len() <= 63 {
        return full;
    }
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let hash = path.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let leaf = path.rsplit('/').next().unwrap_or(path);
    let leaf = &leaf[..leaf.len().min(40)];
    format!("{leaf}__{hash:016x}")
}

mod address;

pub use address::{Address, Step};

#[cfg(test)]
mod tests;
