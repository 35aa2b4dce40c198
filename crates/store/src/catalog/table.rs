//! A table of the catalog: where it lives, how entities live in it, and its SQL name.

use crate::columns::Selection;

use super::column::{Column, ColumnType};

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
    /// The concrete entity types its rows may have, union over versions. A version that
    /// sees fewer of them must name the ones it sees in every statement (a `_type`
    /// filter), whatever its own model says of the declared type ([`super::Step::types`]).
    pub types: Vec<String>,
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

    /// The position in `columns` of `column`, if it is one of this table's.
    pub fn position_of(&self, column: &Column) -> Option<usize> {
        self.columns.iter().position(|c| std::ptr::eq(c, column))
    }

    /// The link column of the navigation `nav` (`managedDevice` → `_managedDevice`).
    pub fn link(&self, nav: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.link.is_some() && c.name.strip_prefix('_') == Some(nav))
    }

    /// Whether the table is at the root of the served places (no entity contains its
    /// entities): its rows all have the parent `''`.
    pub fn at_root(&self) -> bool {
        self.parent.is_none()
    }

    /// Whether its rows may have several entity types (across versions and derived
    /// types): its column indexes end with the type (`sql::create_table`).
    pub fn typed(&self) -> bool {
        self.types.len() > 1
    }

    /// The columns the store keeps an index on (`_tenant, [_parent,] column, id`, as
    /// `sql::create_table` says): the timestamps and enums of collection tables. Such
    /// an index serves `$orderby` on the column with keyset pages on (column, id) in
    /// either direction, and an `eq` filter with pages in id order, without a sort: at
    /// 1M rows, `$orderby=lastUpdatedDateTime desc&$top=100` went from a 250 ms scan
    /// and sort to 2 ms. Integer counts are left out: their filters are ranges
    /// (`failedUpdateCount gt 3`), for which SQLite, without statistics, prefers the
    /// index and then sorts every match by id, 10 times slower at 1M rows than scanning
    /// in id order; and every index costs each write and about a fifth of the table's
    /// size (README "Performance"). Wide report types pay the most: `managedDevice` has
    /// 24 such columns, which double the cost of a single create and leave bulk loading
    /// within the noise, for equality filters and counts on every state.
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

/// The full path with `/` as `__`, or past 63 bytes the last segment and a hash of the path.
pub(super) fn sql_name(path: &str) -> String {
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
