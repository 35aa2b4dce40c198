//! Which columns a read returns: every column, or only those the response renders (the
//! properties of the request's version, narrowed by `$select`) and the ones the store
//! needs itself (the `$orderby` keys a next page's cursor is made of). A device in v1.0
//! renders 55 of the table's 79 property columns: a page of 100 decoded 2,400 cells it
//! never wrote (bench/HISTORY.md "Columns a response renders").

use std::borrow::Cow;

use intune::ApiVersion;

use crate::Names;
use crate::catalog::{ColumnType, Table};
use crate::sql::{TYPE, push_quoted};

/// Which of an entity's properties a read returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Columns {
    /// Every column of the table: for callers that use the whole entity.
    #[default]
    All,
    /// What a response of `version` renders: the properties the table's types have in
    /// that version (any of its entities may be of any of them), only those named in
    /// `select` when given. A record read so lacks the other columns.
    Rendered {
        /// The API version the response is rendered in.
        version: ApiVersion,
        /// `$select`: the property names to render.
        select: Option<Vec<String>>,
    },
}

/// The columns one read of a table returns: their positions in the table, in table order
/// (so the renderer's cursor still finds each value a step after the last), and the
/// statement's quoted list of them, after `_type` and `id`, and their names, which the
/// records read with it share.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// Positions in the table's `columns`, ascending.
    pub positions: Vec<usize>,
    /// `"_type", "id", "col", …`, quoted.
    pub list: String,
    /// The selected columns' names, in the order of `positions`.
    pub names: Names,
}

impl Selection {
    /// The selection of `positions` (ascending) of `table`.
    pub fn new(table: &Table, positions: Vec<usize>) -> Selection {
        let mut list = String::with_capacity(16 + positions.len() * 24);
        push_quoted(&mut list, TYPE);
        list.push_str(", ");
        push_quoted(&mut list, "id");
        for &at in &positions {
            list.push_str(", ");
            push_quoted(&mut list, &table.columns[at].name);
        }
        let names = positions
            .iter()
            .map(|&at| table.columns[at].name.clone())
            .collect();
        Selection {
            positions,
            list,
            names,
        }
    }

    /// Every column of `table`.
    pub fn all(table: &Table) -> Selection {
        Selection::new(table, (0..table.columns.len()).collect())
    }

    /// The columns of `table` whose property `version` has.
    pub fn rendered(table: &Table, version: ApiVersion) -> Selection {
        let positions = table
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.versions.contains(&version))
            .map(|(at, _)| at)
            .collect();
        Selection::new(table, positions)
    }

    /// The types the backend decodes a row of this selection by: `_type`, `id`, then the
    /// selected columns'.
    pub fn decode(&self, table: &Table) -> Vec<ColumnType> {
        let mut types = Vec::with_capacity(2 + self.positions.len());
        types.extend([ColumnType::Text, ColumnType::Text]);
        types.extend(
            self.positions
                .iter()
                .map(|&at| table.columns[at].ty.clone()),
        );
        types
    }
}

impl Table {
    /// The columns a read of `columns` returns, with the columns named in `needed` (the
    /// store's own: `$orderby` keys) added. Every column, and each version's rendered
    /// columns, are laid out once in the catalog; `$select`, or a key the version lacks,
    /// makes a selection of its own.
    pub fn selection<'t>(&'t self, columns: &Columns, needed: &[&str]) -> Cow<'t, Selection> {
        let Columns::Rendered { version, select } = columns else {
            return Cow::Borrowed(&self.all);
        };
        let Some(view) = self.rendered.get(version.index()) else {
            return Cow::Borrowed(&self.all);
        };
        let covered = |name: &&str| {
            self.columns
                .iter()
                .position(|c| &*c.name == *name)
                .is_none_or(|at| view.positions.binary_search(&at).is_ok())
        };
        if select.is_none() && needed.iter().all(covered) {
            return Cow::Borrowed(view);
        }
        let positions = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                let rendered = c.versions.contains(version)
                    && select
                        .as_ref()
                        .is_none_or(|s| s.iter().any(|name| *name == *c.name));
                rendered || needed.contains(&&*c.name)
            })
            .map(|(at, _)| at)
            .collect();
        Cow::Owned(Selection::new(self, positions))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn devices(catalog: &Catalog) -> &Table {
        catalog
            .tables()
            .iter()
            .find(|t| t.path == "deviceManagement/managedDevices")
            .unwrap()
    }

    #[test]
    fn a_version_reads_the_properties_it_has_and_select_narrows_them() {
        let schema = intune::Schema::load().unwrap();
        let catalog = Catalog::build(&schema).unwrap();
        let table = devices(&catalog);
        // The names a selection's records share are those of its positions.
        let names = |s: &Selection| -> Vec<String> {
            let named: Vec<String> = s.names.iter().map(|n| n.to_string()).collect();
            let positioned: Vec<String> = s
                .positions
                .iter()
                .map(|&at| table.columns[at].name.to_string())
                .collect();
            assert_eq!(named, positioned);
            named
        };
        let all = table.selection(&Columns::All, &[]);
        assert_eq!(all.positions.len(), table.columns.len());
        let v1 = Columns::Rendered {
            version: ApiVersion::V1,
            select: None,
        };
        let beta = Columns::Rendered {
            version: ApiVersion::Beta,
            select: None,
        };
        let (v1_names, beta_names) = (
            names(&table.selection(&v1, &[])),
            names(&table.selection(&beta, &[])),
        );
        let model = schema.model(ApiVersion::V1);
        let device = model.structured("managedDevice").unwrap();
        for p in device.properties.iter().filter(|p| p.name != "id") {
            assert!(v1_names.contains(&p.name), "v1.0 lacks {}", p.name);
        }
        assert!(v1_names.len() < table.columns.len());
        assert!(beta_names.len() > v1_names.len());
        // A key a version lacks is read for the cursor all the same.
        let beta_only = beta_names
            .iter()
            .find(|n| !v1_names.contains(n))
            .unwrap()
            .clone();
        let extra = table.selection(&v1, &[beta_only.as_str()]);
        assert!(names(&extra).contains(&beta_only));
        let selected = Columns::Rendered {
            version: ApiVersion::V1,
            select: Some(vec!["deviceName".into(), "id".into(), "nothing".into()]),
        };
        assert_eq!(
            names(&table.selection(&selected, &["lastSyncDateTime"])),
            ["deviceName", "lastSyncDateTime"]
        );
        assert!(
            table
                .selection(&v1, &[])
                .list
                .starts_with("\"_type\", \"id\", ")
        );
    }
}
