//! What a request addresses in the catalog: a chain of tables and keys, resolved from a
//! resource path against the served places.

use odata::edm::Model;
use odata::path::{ResourcePath, Segment};
use odata::{PlaceKind, Places};

use super::{Catalog, TableId};

/// A place in the catalog, addressed by a resource path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The table.
    pub table: TableId,
    /// The key, for an entity of a collection.
    pub key: Option<String>,
    /// The entity types visible here (empty: all). A version that lacks some derived
    /// types does not see entities of those types, and a cast narrows them. Empty only
    /// where this version sees every type the table holds: a version whose model has no
    /// derived type of the declared one (v1.0's `managedDevice`) may still share the
    /// table with a version that has some (beta's `windowsManagedDevice`), and then names
    /// its types while beta, which sees them all, needs no filter.
    pub types: Vec<String>,
    /// For the target of a link: the link column of the previous step's table, which
    /// holds this entity's key.
    pub via: Option<String>,
}

/// What a request addresses: a chain of steps, each inside the previous one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// From the outermost table to the addressed one.
    pub steps: Vec<Step>,
}

impl Address {
    /// The addressed step.
    pub fn target(&self) -> &Step {
        // Invariant: Catalog::address never builds an empty chain.
        self.steps.last().expect("an address has at least one step")
    }
}

impl Catalog {
    /// Where a resource path of the version with `model` and `places` points, or `None`
    /// if no table holds it (a bare singleton, or a place the store does not keep). An
    /// action's path addresses what the action is bound to.
    pub fn address(&self, model: &Model, places: &Places, path: &ResourcePath) -> Option<Address> {
        let mut steps: Vec<Step> = Vec::new();
        let mut at = None;
        for segment in &path.segments {
            match segment {
                Segment::Place(id) => {
                    let place = places.get(*id);
                    at = Some(place);
                    let (table, via) = match place.kind {
                        PlaceKind::Singleton | PlaceKind::Action(_) => continue,
                        PlaceKind::Link(home) => (
                            places.get(home).path.as_str(),
                            Some(format!("_{}", place.name)),
                        ),
                        _ => (place.path.as_str(), None),
                    };
                    let table = *self.by_path.get(table)?;
                    // A version that sees every type the table holds needs no type filter.
                    let narrower = place.types.len() < self.tables[table].types.len();
                    steps.push(Step {
                        table,
                        key: None,
                        types: if narrower {
                            place.types.clone()
                        } else {
                            Vec::new()
                        },
                        via,
                    });
                }
                Segment::Key(key) => steps.last_mut()?.key = Some(key.clone()),
                Segment::Cast(cast) => {
                    let step = steps.last_mut()?;
                    let place = at?;
                    step.types = place
                        .types
                        .iter()
                        .filter(|t| model.is_assignable(t, cast))
                        .cloned()
                        .collect();
                    if step.types.is_empty() {
                        // An abstract type with no concrete subtype here: nothing matches.
                        step.types.push(cast.clone());
                    }
                }
            }
        }
        (!steps.is_empty()).then_some(Address { steps })
    }
}
