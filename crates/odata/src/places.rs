//! The served places of one version: every resource a client can address, found once by
//! walking the model from its singletons. Routing (the resource-path parser), the storage
//! layout, discovery (`$metadata`, OpenAPI) and the permission table all read this one map.
//!
//! A place is a singleton, a navigation path from one (`deviceManagement/deviceManagementScripts`,
//! `…/deviceManagementScripts/userRunStates/deviceRunStates`), or a bound action on one
//! (`…/deviceManagementScripts/assign`). Keys, casts and `$count`/`$ref` address things *at*
//! a place; they are not places of their own.

use std::collections::HashSet;

use crate::edm::{Model, NavigationProperty};

/// Identifies a place of a [`Places`] map (its index).
pub type PlaceId = usize;

/// What lives at a place, which decides how it is stored and which requests it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceKind {
    /// A singleton of the container (`deviceManagement`).
    Singleton,
    /// A contained collection-valued navigation: entities keyed by id.
    Collection,
    /// A contained single-valued navigation (a configuration's `userStatusSummary`): it
    /// exists as soon as its parent does.
    Contained,
    /// A non-contained single-valued navigation whose target lives nowhere else (the
    /// tenant's `softwareUpdateStatusSummary`, a script's `runSummary`): the service keeps
    /// it, it always exists, and its id derives from its parent.
    Summary,
    /// A non-contained single-valued navigation to an entity that lives in the collection
    /// place given (a run state's `managedDevice`): a reference, not a copy.
    Link(PlaceId),
    /// A bound action, invoked with `POST`.
    Action(Binding),
}

/// What a bound action is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Binding {
    /// One entity: `…/{id}/assign`, or a single-valued place.
    Entity,
    /// The collection itself: `…/deviceManagementScripts/hasPayloadLinks`.
    Collection,
}

/// One served place.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Its index in the map.
    pub id: PlaceId,
    /// The place it hangs from; `None` for a singleton.
    pub parent: Option<PlaceId>,
    /// The singleton, navigation property or action name, as the schema spells it.
    pub name: String,
    /// The names from the singleton on, joined by `/`: the key of permission rules and
    /// storage tables (`deviceManagement/deviceManagementScripts/runSummary`).
    pub path: String,
    /// What lives here.
    pub kind: PlaceKind,
    /// The declared entity type (for an action: the type it is bound to).
    pub entity_type: String,
    /// The concrete (non-abstract) types an entity here may have in this version, the
    /// declared type and those derived from it (empty for an action).
    pub types: Vec<String>,
    /// The places under this one: navigations, then actions.
    pub children: Vec<PlaceId>,
    /// The navigation property's description, when the schema has one.
    pub description: Option<String>,
}

impl Place {
    /// Whether entities are stored here (not a singleton, a link or an action).
    pub fn stores(&self) -> bool {
        matches!(
            self.kind,
            PlaceKind::Collection | PlaceKind::Contained | PlaceKind::Summary
        )
    }
}

/// Every place a version serves, parents before children.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Places {
    places: Vec<Place>,
}

/// How deep the walk follows navigation (types may contain themselves).
const MAX_DEPTH: usize = 8;

impl Places {
    /// Walks `model` from its singletons.
    pub fn build(model: &Model) -> Places {
        let homes = homes(model);
        let mut map = Places::default();
        for singleton in model.singletons() {
            let id = map.add(
                None,
                &singleton.name,
                PlaceKind::Singleton,
                model,
                &singleton.type_name,
                None,
            );
            map.walk(model, id, &homes, 0);
        }
        map.resolve_links();
        map
    }

    /// A place by id.
    pub fn get(&self, id: PlaceId) -> &Place {
        &self.places[id]
    }

    /// Every place, parents before children.
    pub fn iter(&self) -> impl Iterator<Item = &Place> {
        self.places.iter()
    }

    /// A singleton by name, case-insensitively (an exact match wins).
    pub fn singleton(&self, name: &str) -> Option<&Place> {
        find(self.places.iter().filter(|p| p.parent.is_none()), name)
    }

    /// The navigation place `name` under `parent`, case-insensitively.
    pub fn navigation(&self, parent: PlaceId, name: &str) -> Option<&Place> {
        let children = self
            .children(parent)
            .filter(|p| !matches!(p.kind, PlaceKind::Action(_)));
        find(children, name)
    }

    /// The action `name` bound as `binding` under `parent`, case-insensitively.
    pub fn action(&self, parent: PlaceId, name: &str, binding: Binding) -> Option<&Place> {
        let children = self
            .children(parent)
            .filter(|p| p.kind == PlaceKind::Action(binding));
        find(children, name)
    }

    /// The places directly under `parent`.
    pub fn children(&self, parent: PlaceId) -> impl Iterator<Item = &Place> {
        self.places[parent]
            .children
            .iter()
            .map(|id| &self.places[*id])
    }

    /// A place by its path (`deviceManagement/managedDevices`), exactly.
    pub fn by_path(&self, path: &str) -> Option<&Place> {
        self.places.iter().find(|p| p.path == path)
    }

    /// The places from the singleton down to `id`.
    pub fn lineage(&self, id: PlaceId) -> Vec<&Place> {
        let mut out = vec![&self.places[id]];
        while let Some(parent) = out.last().and_then(|p| p.parent) {
            out.push(&self.places[parent]);
        }
        out.reverse();
        out
    }

    fn add(
        &mut self,
        parent: Option<PlaceId>,
        name: &str,
        kind: PlaceKind,
        model: &Model,
        entity_type: &str,
        description: Option<String>,
    ) -> PlaceId {
        let id = self.places.len();
        let path = match parent {
            Some(p) => format!("{}/{name}", self.places[p].path),
            None => name.to_string(),
        };
        let types = match kind {
            PlaceKind::Action(_) => Vec::new(),
            _ => concrete_types(model, entity_type),
        };
        self.places.push(Place {
            id,
            parent,
            name: name.to_string(),
            path,
            kind,
            entity_type: entity_type.to_string(),
            types,
            children: Vec::new(),
            description,
        });
        if let Some(p) = parent {
            self.places[p].children.push(id);
        }
        id
    }

    fn walk(&mut self, model: &Model, at: PlaceId, homes: &HashSet<String>, depth: usize) {
        let owner = self.places[at].entity_type.clone();
        let Some(owner_type) = model.structured(&owner) else {
            return;
        };
        for nav in &owner_type.navigation {
            let Some(kind) = navigation_kind(nav, homes) else {
                continue;
            };
            let id = self.add(
                Some(at),
                &nav.name,
                kind,
                model,
                &nav.target,
                nav.description.clone(),
            );
            if depth < MAX_DEPTH && !matches!(kind, PlaceKind::Link(_)) {
                self.walk(model, id, homes, depth + 1);
            }
        }
        let kind = self.places[at].kind;
        for action in model.actions() {
            let binding = match (kind, action.on_collection) {
                (PlaceKind::Collection, true) => Binding::Collection,
                (PlaceKind::Link(_), _) | (_, true) => continue,
                (_, false) => Binding::Entity,
            };
            if model.is_assignable(&owner, &action.binding) {
                self.add(
                    Some(at),
                    &action.name,
                    PlaceKind::Action(binding),
                    model,
                    &owner,
                    None,
                );
            }
        }
    }

    /// Points each link at the collection place its target type lives in: the first one
    /// found, parents before children.
    fn resolve_links(&mut self) {
        for i in 0..self.places.len() {
            if self.places[i].kind != PlaceKind::Link(PlaceId::MAX) {
                continue;
            }
            let target = &self.places[i].entity_type;
            let home = self
                .places
                .iter()
                .find(|p| p.kind == PlaceKind::Collection && &p.entity_type == target)
                .map(|p| p.id);
            self.places[i].kind = match home {
                Some(home) => PlaceKind::Link(home),
                None => PlaceKind::Summary,
            };
        }
    }
}

/// The kind of place a navigation property makes, before links are resolved (a link
/// points at `PlaceId::MAX` until then); `None` for a non-contained collection, which
/// references entities the service keeps elsewhere and is not served.
fn navigation_kind(nav: &NavigationProperty, homes: &HashSet<String>) -> Option<PlaceKind> {
    Some(match (nav.collection, nav.contains_target) {
        (true, true) => PlaceKind::Collection,
        (true, false) => return None,
        (false, true) => PlaceKind::Contained,
        (false, false) if homes.contains(&nav.target) => PlaceKind::Link(PlaceId::MAX),
        (false, false) => PlaceKind::Summary,
    })
}

/// The entity types some contained collection holds: where a non-contained navigation's
/// target can live.
fn homes(model: &Model) -> HashSet<String> {
    fn walk(model: &Model, ty: &str, depth: usize, out: &mut HashSet<String>) {
        let Some(t) = model.structured(ty) else {
            return;
        };
        for nav in t.navigation.iter().filter(|n| n.contains_target) {
            let fresh = !nav.collection || out.insert(nav.target.clone());
            if fresh && depth < MAX_DEPTH {
                walk(model, &nav.target, depth + 1, out);
            }
        }
    }
    let mut out = HashSet::new();
    for s in model.singletons() {
        walk(model, &s.type_name, 0, &mut out);
    }
    out
}

/// The declared type and its derived types that are not abstract, in schema order.
fn concrete_types(model: &Model, declared: &str) -> Vec<String> {
    let Some(t) = model.structured(declared) else {
        return Vec::new();
    };
    std::iter::once(&t.name)
        .chain(t.derived.iter())
        .filter(|name| model.structured(name).is_some_and(|t| !t.is_abstract))
        .cloned()
        .collect()
}

/// The place named `name` among `places`: an exact match, else one that differs in case.
fn find<'a>(places: impl Iterator<Item = &'a Place>, name: &str) -> Option<&'a Place> {
    let mut folded = None;
    for place in places {
        if place.name == name {
            return Some(place);
        }
        if folded.is_none() && place.name.eq_ignore_ascii_case(name) {
            folded = Some(place);
        }
    }
    folded
}

#[cfg(test)]
mod tests;
