//! The storage layout, derived from the served places: one table per place entities live.
//!
//! A place is a navigation path from a singleton (`deviceManagement/deviceManagementScripts`,
//! `…/deviceManagementScripts/userRunStates/deviceRunStates`; see [`odata::Places`]). Every
//! version adds to the same catalog, so v1.0 and beta are two views of one data set: a
//! table has the union of the columns of every type that can live there, in every version.
//! A link (a run state's `managedDevice`) is a column of the linking table holding the key
//! of an entity of another table.

mod address;
mod column;
mod table;

pub use address::{Address, Step};
pub use column::{Column, ColumnType, Stamp};
pub use table::{Table, TableId, TableKind};

use std::collections::HashMap;

use intune::ApiVersion;
use odata::PlaceKind;
use odata::edm::Model;
use odata::value::default_value;

use crate::columns::Selection;
use column::{column_type, merged, stamp};
use table::sql_name;

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
                let types = &mut catalog.tables[id].types;
                for t in &place.types {
                    if !types.contains(t) {
                        types.push(t.clone());
                    }
                }
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
            types: Vec::new(),
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

#[cfg(test)]
mod tests;
