//! The routes a version serves: every path template the router answers, written from the
//! version's one map of served places ([`odata::Places`]) — a collection is its list, its
//! `$count`, its entities and its casts; a summary or a link also its `$ref`; an action the
//! path it is bound to. `$metadata` and OpenAPI are both written from these.

use std::collections::HashSet;

use odata::{Binding, Model, Place, PlaceKind, Places};

use crate::odata::Shape;

/// One served path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The OpenAPI path, with keys as Microsoft writes them:
    /// `/deviceManagement/deviceManagementScripts/{deviceManagementScript-id}/runSummary`.
    pub template: String,
    /// The key parameters along the path, in order: (parameter name, entity type).
    pub keys: Vec<(String, String)>,
    /// What the path addresses, which decides the methods it answers.
    pub shape: Shape,
    /// The type of what it addresses (for a cast, the cast type; for an action, the type
    /// it is bound to).
    pub entity_type: String,
    /// The path of the place it addresses (the key of its permission rule).
    pub place: String,
    /// The kind of that place.
    pub kind: PlaceKind,
    /// The names along the path, singleton first (casts as `graph.<type>`).
    pub names: Vec<String>,
    /// The description of the last navigation property, when the schema has one.
    pub description: Option<String>,
}

/// Every route of a version's `places`, parents before children.
pub fn routes(places: &Places) -> Vec<Route> {
    let mut out = Vec::new();
    for singleton in places.iter().filter(|p| p.kind == PlaceKind::Singleton) {
        let route = Route {
            template: format!("/{}", singleton.name),
            keys: Vec::new(),
            shape: Shape::Singleton,
            entity_type: singleton.entity_type.clone(),
            place: singleton.path.clone(),
            kind: singleton.kind,
            names: vec![singleton.name.clone()],
            description: None,
        };
        out.push(route.clone());
        walk(places, singleton, &route, &mut out);
    }
    out
}

/// The routes of the places under `at`, whose entity `base` addresses.
fn walk(places: &Places, at: &Place, base: &Route, out: &mut Vec<Route>) {
    for place in places.children(at.id) {
        let route = |suffix: &str, shape| {
            let mut names = base.names.clone();
            names.push(place.name.clone());
            Route {
                template: format!("{}/{}{suffix}", base.template, place.name),
                keys: base.keys.clone(),
                shape,
                entity_type: place.entity_type.clone(),
                place: place.path.clone(),
                kind: place.kind,
                names,
                description: place.description.clone(),
            }
        };
        match place.kind {
            PlaceKind::Collection => {
                let collection = route("", Shape::Collection);
                out.push(collection.clone());
                out.push(route("/$count", Shape::Count));
                let key = key_name(&base.keys, &place.entity_type);
                let mut entity = route(&format!("/{{{key}}}"), Shape::Entity);
                entity.keys.push((key, place.entity_type.clone()));
                out.push(entity.clone());
                for derived in place.types.iter().filter(|t| **t != place.entity_type) {
                    let cast = |on: &Route, shape| {
                        let mut cast = on.clone();
                        cast.template = format!("{}/graph.{derived}", on.template);
                        cast.names.push(format!("graph.{derived}"));
                        cast.entity_type = derived.clone();
                        cast.shape = shape;
                        cast
                    };
                    out.push(cast(&collection, Shape::Collection));
                    out.push(cast(&entity, Shape::Entity));
                }
                for action in places.children(place.id) {
                    if action.kind == PlaceKind::Action(Binding::Collection) {
                        out.push(action_route(&collection, action));
                    }
                }
                walk(places, place, &entity, out);
            }
            PlaceKind::Contained => {
                let contained = route("", Shape::Contained);
                out.push(contained.clone());
                walk(places, place, &contained, out);
            }
            PlaceKind::Summary => {
                let summary = route("", Shape::Summary);
                out.push(summary.clone());
                out.push(route("/$ref", Shape::Ref));
                walk(places, place, &summary, out);
            }
            PlaceKind::Link(_) => {
                out.push(route("", Shape::Link));
                out.push(route("/$ref", Shape::LinkRef));
            }
            PlaceKind::Action(Binding::Entity) => out.push(action_route(base, place)),
            PlaceKind::Action(Binding::Collection) | PlaceKind::Singleton => {}
        }
    }
}

fn action_route(on: &Route, action: &Place) -> Route {
    let mut names = on.names.clone();
    names.push(action.name.clone());
    Route {
        template: format!("{}/{}", on.template, action.name),
        keys: on.keys.clone(),
        shape: Shape::Action,
        entity_type: action.entity_type.clone(),
        place: action.path.clone(),
        kind: action.kind,
        names,
        description: None,
    }
}

/// `{type}-id`, or `{type}-id1`, `-id2`… when the type is keyed twice along one path.
fn key_name(taken: &[(String, String)], entity_type: &str) -> String {
    let plain = format!("{entity_type}-id");
    if !taken.iter().any(|(k, _)| *k == plain) {
        return plain;
    }
    (1..)
        .map(|n| format!("{plain}{n}"))
        .find(|k| !taken.iter().any(|(t, _)| t == k))
        .unwrap_or(plain)
}

/// The model as served: without the navigation properties and actions no served place
/// reaches (a non-contained collection, which the store does not keep, or a navigation or
/// action of a derived type, which no path addresses).
pub fn served_model(model: &Model, places: &Places) -> Model {
    let mut reached = HashSet::new();
    let mut actions = HashSet::new();
    for place in places.iter() {
        let Some(parent) = place.parent.map(|p| places.get(p)) else {
            continue;
        };
        match place.kind {
            PlaceKind::Action(binding) => {
                actions.insert((place.name.clone(), binding == Binding::Collection));
            }
            _ => {
                if let Some(declarer) = model.declaring_type(&parent.entity_type, &place.name) {
                    reached.insert((declarer.to_string(), place.name.clone()));
                }
            }
        }
    }
    model
        .retain_navigation(|owner, nav| reached.contains(&(owner.to_string(), nav.name.clone())))
        .retain_actions(|a| actions.contains(&(a.name.clone(), a.on_collection)))
}

#[cfg(test)]
mod tests;
