//! Storage for localgraph: the [`Store`] trait the server calls (one call per request), a
//! table layout derived from the served models ([`Catalog`]), SQL built with bound
//! parameters ([`sql`]), and the backends that run it.
//!
//! Every operation is planned as a short list of statements ([`plan`]) and run in one
//! transaction by a backend [`Executor`]: the logic is written once, the backends only
//! talk to their database.

mod aggregate;
mod budget;
pub mod catalog;
mod columns;
mod controls;
mod dump;
mod engine;
mod executor;
mod filter;
mod links;
pub mod list;
pub mod metrics;
mod migrate;
pub mod plan;
mod postgres;
mod reads;
mod rows;
mod scratch;
mod snapshots;
pub mod sql;
mod sqlite;

pub use catalog::{Address, Catalog, Step, Table, TableId, TableKind};
pub use columns::{Columns, Selection};
pub use controls::{ControlRow, ControlSet};
pub use dump::RawRow;
pub use engine::{Executor, SqlStore};
pub use executor::PoolUse;
pub use list::{Cursor, ExpandQuery, ListQuery};
pub use postgres::PostgresExecutor;
pub use scratch::ScratchSchema;
pub use snapshots::{Snapshot, SnapshotInfo};
pub use sqlite::SqliteExecutor;

use std::sync::Arc;

use async_trait::async_trait;
use odata::Value;

/// One stored entity, as the store returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The concrete entity type.
    pub type_name: String,
    /// The key.
    pub id: String,
    /// The names of `values`, one for each: the columns the read returned (every column,
    /// or those the response renders: see [`Columns`]), in table order. Every record built
    /// from one [`Selection`] shares its list, so a renderer tells that two records hold
    /// the same columns by comparing two pointers.
    pub names: Names,
    /// The values, in the order of `names`.
    pub values: Vec<Value>,
    /// Expanded navigation properties, in request order.
    pub expanded: Vec<(String, Expanded)>,
}

/// The entities an expanded navigation property leads to.
#[derive(Debug, Clone, PartialEq)]
pub enum Expanded {
    /// A single-valued navigation: the entity, if there is one.
    One(Option<Box<Record>>),
    /// A collection-valued navigation.
    Many(Vec<Record>),
}

/// The names of a record's values, in order; shared, not copied, by the records of one read.
///
/// One list for a record rather than a name beside each value: a name per value took two
/// atomic operations a cell on counters every concurrent read shares (the catalog's
/// column names), and 16 bytes a value (bench/HISTORY.md, step 39).
pub type Names = Arc<[Arc<str>]>;

impl Record {
    /// A property's value, if the read returned its column.
    pub fn get(&self, name: &str) -> Option<&Value> {
        let at = self.names.iter().position(|n| &**n == name)?;
        self.values.get(at)
    }

    /// The values with their names, in order.
    pub fn properties(&self) -> impl Iterator<Item = (&Arc<str>, &Value)> {
        self.names.iter().zip(&self.values)
    }
}

/// A write: the concrete type, the properties the client set, and the links it binds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Changes {
    /// The concrete entity type.
    pub type_name: String,
    /// The properties to set, by schema name.
    pub values: Vec<(String, Value)>,
    /// The complex values of `values` a PATCH merges into the stored ones, with the
    /// members it gives (an empty list: every value is set).
    pub merged: Vec<(String, odata::value::Given)>,
    /// Links to set: (navigation property, key of the linked entity, or `None` to unset).
    /// The linked entity must exist in the same tenant.
    pub links: Vec<(String, Option<String>)>,
}

/// One page of a collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The entities.
    pub records: Vec<Record>,
    /// Where the next page starts, when more entities follow.
    pub next: Option<Cursor>,
    /// The number of matching entities, when asked for.
    pub count: Option<u64>,
}

/// Why a store operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The addressed entity, or one of its parents, does not exist.
    #[error("not found")]
    NotFound,
    /// The entity exists already (a single-valued navigation target created twice).
    #[error("already exists")]
    Conflict,
    /// A write links to an entity that does not exist (`managedDevice@odata.bind`).
    #[error("a linked entity does not exist")]
    InvalidReference,
    /// The entity exists but is of another type than the write names.
    #[error("the entity is a {stored}, not a {given}")]
    TypeMismatch {
        /// The stored type.
        stored: String,
        /// The type the write named.
        given: String,
    },
    /// The database is unreachable or kept failing transiently (a lost connection, a
    /// serialization failure, a busy lock) past the retry budget: the write did not
    /// happen or is unconfirmed, and the client should try again later.
    #[error("the database is unavailable")]
    Unavailable(#[source] Cause),
    /// A read would hold more than its byte budget: `fitted` rows of its statement number
    /// `statement` fit (a page can be read again, shorter).
    #[error("the answer would hold more than {limit} bytes")]
    TooLarge {
        /// The budget, in bytes.
        limit: usize,
        /// The plan's statement that went over.
        statement: usize,
        /// The rows of that statement that fit.
        fitted: usize,
    },
    /// The data set's tables disagree with the schema in a way no migration settles (a
    /// column whose type changed, a table the schema no longer has that holds rows).
    #[error("the data set's tables disagree with the schema: {0}")]
    SchemaDrift(String),
    /// The database failed; details for the log, never for the client.
    #[error("the database failed")]
    Backend(#[source] Cause),
}

impl StoreError {
    /// The same failure again, for each write of a group that failed together (its
    /// transaction lost whole): the kind kept, a cause kept as its message.
    pub(crate) fn again(&self) -> StoreError {
        let cause = || -> Cause {
            std::error::Error::source(self)
                .map_or_else(|| self.to_string(), |source| source.to_string())
                .into()
        };
        match self {
            StoreError::NotFound => StoreError::NotFound,
            StoreError::Conflict => StoreError::Conflict,
            StoreError::InvalidReference => StoreError::InvalidReference,
            StoreError::TypeMismatch { stored, given } => StoreError::TypeMismatch {
                stored: stored.clone(),
                given: given.clone(),
            },
            StoreError::Unavailable(_) => StoreError::Unavailable(cause()),
            StoreError::TooLarge {
                limit,
                statement,
                fitted,
            } => StoreError::TooLarge {
                limit: *limit,
                statement: *statement,
                fitted: *fitted,
            },
            StoreError::SchemaDrift(drift) => StoreError::SchemaDrift(drift.clone()),
            StoreError::Backend(_) => StoreError::Backend(cause()),
        }
    }
}

/// What a database failure came from, kept whole (its own source chain included) for the
/// log: a driver error, or a message where the store found the fault itself.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// What the server needs from storage. Every method is one transaction, scoped to one
/// tenant: no call can see or change another tenant's rows.
#[async_trait]
pub trait Store: Send + Sync {
    /// The table layout.
    fn catalog(&self) -> &Catalog;

    /// A page of the collection `at` addresses, filtered, ordered and expanded as asked.
    async fn list(&self, tenant: &str, at: &Address, query: &ListQuery)
    -> Result<Page, StoreError>;

    /// The number of entities in the collection `at` addresses that match `filter`.
    async fn count(
        &self,
        tenant: &str,
        at: &Address,
        filter: Option<&odata::query::Expr>,
    ) -> Result<u64, StoreError>;

    /// The entity `at` addresses (a `Referenced` one reads as its defaults until written),
    /// its `columns`, with the navigations in `expand` read along, in at most `max_bytes`
    /// of row data (else [`StoreError::TooLarge`]).
    async fn get(
        &self,
        tenant: &str,
        at: &Address,
        columns: &Columns,
        expand: &[ExpandQuery],
        max_bytes: Option<usize>,
    ) -> Result<Record, StoreError>;

    /// Creates an entity in a collection, or a `Contained` single-valued target
    /// (`Conflict` if it exists).
    async fn create(
        &self,
        tenant: &str,
        at: &Address,
        changes: Changes,
    ) -> Result<Record, StoreError>;

    /// Merges `changes` into the entity, atomically in the database. A `Referenced`
    /// target is created on first write.
    async fn update(
        &self,
        tenant: &str,
        at: &Address,
        changes: Changes,
    ) -> Result<Record, StoreError>;

    /// Replaces a `Referenced` target whole: properties left out take their defaults.
    async fn replace(
        &self,
        tenant: &str,
        at: &Address,
        changes: Changes,
    ) -> Result<Record, StoreError>;

    /// Deletes the entity and everything it contains; a `Referenced` target is reset.
    async fn delete(&self, tenant: &str, at: &Address) -> Result<(), StoreError>;

    /// Points the link `at` addresses (`…/deviceRunStates/{id}/managedDevice`) at the
    /// entity with key `key` of the link's target collection, or unsets it (`None`).
    async fn set_link(
        &self,
        tenant: &str,
        at: &Address,
        key: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Replaces, in one transaction, the entities of each child collection `children`
    /// names (by navigation property) under the entity `at` addresses with the given ones,
    /// under new ids (what `assign` does). Collections not named keep their entities.
    async fn replace_children(
        &self,
        tenant: &str,
        at: &Address,
        children: Vec<(String, Vec<Changes>)>,
    ) -> Result<(), StoreError>;

    /// Recomputes every computed summary of `tenant` from its states, in one transaction:
    /// after a bulk load (`localgraph seed`) that wrote states without them. Updates the
    /// summary rows that exist.
    async fn recompute_summaries(&self, tenant: &str) -> Result<(), StoreError>;

    /// Brings the database's planner statistics up to date: after a bulk load (`seed`,
    /// `import`), before anything reads it.
    async fn analyze(&self) -> Result<(), StoreError>;

    /// A persistent setting of the data set, set to `initial` on first read.
    async fn setting(&self, key: &str, initial: &str) -> Result<String, StoreError>;

    /// A persistent setting of the data set, if it has been set.
    async fn find_setting(&self, key: &str) -> Result<Option<String>, StoreError>;

    /// Adds `delta` to a setting that holds a count (0 when unset), atomically in the
    /// database, and returns the sum.
    async fn add_to_setting(&self, key: &str, delta: i64) -> Result<i64, StoreError>;

    /// How the store's database connections are used now.
    fn pool_use(&self) -> PoolUse;

    /// Whether the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// For export: up to `limit` stored rows of `table`, of one tenant or all, in
    /// (tenant, id) order, starting after the (tenant, id) `after`. Rows are as stored
    /// (a `Referenced` summary that was never written has no row).
    async fn export_rows(
        &self,
        table: TableId,
        tenant: Option<&str>,
        after: Option<&(String, String)>,
        limit: usize,
    ) -> Result<Vec<RawRow>, StoreError>;

    /// For import: writes `rows` into `table` as they are, in one transaction, replacing
    /// rows with the same tenant and id. Parents must be imported first (catalog order).
    async fn import_rows(&self, table: TableId, rows: &[RawRow]) -> Result<(), StoreError>;

    /// Every persistent setting of the data set (for export).
    async fn settings(&self) -> Result<Vec<(String, String)>, StoreError>;

    /// Sets a persistent setting, replacing its value (for import).
    async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError>;

    /// The controls of one tenant or all (throttling settings, profiles, fault rules), and
    /// the generation they were read at.
    async fn controls(&self, tenant: Option<&str>) -> Result<ControlSet, StoreError>;

    /// The generation of the controls: it changes with every change of a control.
    async fn controls_generation(&self) -> Result<i64, StoreError>;

    /// Sets one control (replacing the one of the same tenant, kind and id).
    async fn put_control(&self, control: &ControlRow) -> Result<(), StoreError>;

    /// Deletes a tenant's control of `kind` with `id`, or all of that kind; how many.
    async fn delete_controls(
        &self,
        tenant: &str,
        kind: &str,
        id: Option<&str>,
    ) -> Result<u64, StoreError>;

    /// Takes one use of a control with a limited number of uses, atomically: false when
    /// none is left (or the control is gone).
    async fn consume_control(&self, tenant: &str, kind: &str, id: &str)
    -> Result<bool, StoreError>;

    /// Deletes every row of the tenant's data, in one transaction (its controls and
    /// snapshots stay); how many rows there were.
    async fn reset_tenant(&self, tenant: &str) -> Result<u64, StoreError>;

    /// Saves the tenant's data as snapshot `name` (`Conflict` if the name is taken).
    async fn save_snapshot(&self, tenant: &str, name: &str) -> Result<SnapshotInfo, StoreError>;

    /// The snapshots of one tenant or all, by tenant and name.
    async fn snapshots(&self, tenant: Option<&str>) -> Result<Vec<SnapshotInfo>, StoreError>;

    /// Replaces the tenant's data with the snapshot's, in one transaction (`NotFound` if
    /// there is no such snapshot).
    async fn restore_snapshot(&self, tenant: &str, name: &str) -> Result<SnapshotInfo, StoreError>;

    /// Deletes a snapshot (`NotFound` if there is none).
    async fn delete_snapshot(&self, tenant: &str, name: &str) -> Result<(), StoreError>;

    /// A snapshot with its rows (for export).
    async fn export_snapshot(&self, tenant: &str, name: &str) -> Result<Snapshot, StoreError>;

    /// Writes a snapshot as it is, replacing one of the same tenant and name (for import).
    async fn import_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError>;
}
