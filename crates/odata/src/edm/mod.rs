//! The Entity Data Model: the types one service version exposes, read from CSDL.
//!
//! Type names are kept unqualified (`softwareUpdateStatusSummary`); the model has one
//! namespace (`microsoft.graph`). Lookups that come from requests are case-insensitive, as
//! Graph treats resource and property names.

mod action;
mod csdl;
mod csdl_writer;
mod elements;
mod type_ref;

pub use action::Action;
pub use csdl::CsdlError;
pub use elements::{EnumMember, EnumType, NavigationProperty, Property, Singleton, StructuredType};
pub use type_ref::{Primitive, TypeKind, TypeRef};

use indexmap::IndexMap;

/// Types by qualified name. foldhash, not std's SipHash: a request looks up a few types
/// by name, and SipHash over a name like `microsoft.graph.managedDevice` cost more than
/// the rest of the lookup. (The names come from the schema, not from clients.)
pub(crate) type Named<T> = IndexMap<String, T, foldhash::fast::RandomState>;

/// The model of one service version.
#[derive(Debug, Clone)]
pub struct Model {
    /// The schema namespace, `microsoft.graph`.
    pub namespace: String,
    /// The schema alias, `graph`.
    pub alias: Option<String>,
    /// The entity container's name.
    pub container: String,
    types: Named<StructuredType>,
    enums: Named<EnumType>,
    singletons: Vec<Singleton>,
    actions: Vec<Action>,
}

impl Model {
    /// Reads a model from a CSDL XML document.
    pub fn from_csdl(xml: &str) -> Result<Model, CsdlError> {
        csdl::read(xml)
    }

    /// Writes the model as a CSDL 4.0 XML document: what `$metadata` answers.
    pub fn to_csdl(&self) -> String {
        csdl_writer::write(self)
    }

    /// The same model without the navigation properties `keep` rejects (given the
    /// declaring type and the property): how a service leaves out what it does not serve.
    pub fn retain_navigation(&self, keep: impl Fn(&str, &NavigationProperty) -> bool) -> Model {
        let mut model = self.clone();
        for t in model.types.values_mut() {
            let inherited = t.navigation.len() - t.own_navigation;
            let mut index = 0;
            let mut own = t.own_navigation;
            t.navigation.retain(|n| {
                let declarer = if index < inherited {
                    self.declaring_type(&t.name, &n.name).unwrap_or(&t.name)
                } else {
                    &t.name
                };
                index += 1;
                let kept = keep(declarer, n);
                if !kept && index > inherited {
                    own -= 1;
                }
                kept
            });
            t.own_navigation = own;
        }
        model
    }

    /// The type in `type_name`'s lineage that declares the navigation property `nav`.
    pub fn declaring_type(&self, type_name: &str, nav: &str) -> Option<&str> {
        let mut current = self.types.get(type_name);
        while let Some(t) = current {
            if t.declared_navigation().iter().any(|n| n.name == nav) {
                return Some(&t.name);
            }
            current = t.base.as_deref().and_then(|b| self.types.get(b));
        }
        None
    }

    /// An entity or complex type by exact name.
    pub fn structured(&self, name: &str) -> Option<&StructuredType> {
        self.types.get(name)
    }

    /// An enum type by exact name.
    pub fn enum_type(&self, name: &str) -> Option<&EnumType> {
        self.enums.get(name)
    }

    /// All entity and complex types, in schema order.
    pub fn structured_types(&self) -> impl Iterator<Item = &StructuredType> {
        self.types.values()
    }

    /// All enum types, in schema order.
    pub fn enum_types(&self) -> impl Iterator<Item = &EnumType> {
        self.enums.values()
    }

    /// The container's singletons.
    pub fn singletons(&self) -> &[Singleton] {
        &self.singletons
    }

    /// The bound actions, in schema order.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// The same model with only the actions `keep` accepts: how a service leaves out
    /// what it does not serve.
    pub fn retain_actions(&self, keep: impl Fn(&Action) -> bool) -> Model {
        let mut model = self.clone();
        model.actions.retain(keep);
        model
    }

    /// A singleton by name, case-insensitively.
    pub fn singleton(&self, name: &str) -> Option<&Singleton> {
        find_ci(&self.singletons, name, |s| &s.name)
    }

    /// The qualified name of a model type: `microsoft.graph.<name>`.
    pub fn qualified(&self, name: &str) -> String {
        format!("{}.{name}", self.namespace)
    }

    /// Resolves a type name from a payload (`#microsoft.graph.x`, `microsoft.graph.x`,
    /// `graph.x`, or Intune's internal `microsoft.management.services.api.x`) to a
    /// structured type of the model.
    pub fn resolve_type_name(&self, raw: &str) -> Option<&StructuredType> {
        let name = raw.strip_prefix('#').unwrap_or(raw);
        // Each namespace then its dot, without building the prefixes (every POST with an
        // `@odata.type` resolves one).
        let namespaces = [
            Some(self.namespace.as_str()),
            self.alias.as_deref(),
            Some("microsoft.management.services.api"),
        ];
        let simple = namespaces
            .into_iter()
            .flatten()
            .find_map(|ns| strip_prefix_ci(name, ns)?.strip_prefix('.'))?;
        find_ci_map(&self.types, simple)
    }

    /// An enum type by its qualified name (`microsoft.graph.x` or `graph.x`), any case.
    pub fn enum_type_by_qualified(&self, qualified: &str) -> Option<&EnumType> {
        let (namespace, name) = qualified.rsplit_once('.')?;
        let known = namespace.eq_ignore_ascii_case(&self.namespace)
            || self
                .alias
                .as_deref()
                .is_some_and(|a| a.eq_ignore_ascii_case(namespace));
        known.then(|| find_ci_map(&self.enums, name)).flatten()
    }

    /// Whether `candidate` is `ancestor` or derives from it.
    pub fn is_assignable(&self, candidate: &str, ancestor: &str) -> bool {
        let mut current = Some(candidate);
        while let Some(name) = current {
            if name == ancestor {
                return true;
            }
            current = self.types.get(name).and_then(|t| t.base.as_deref());
        }
        false
    }
}

fn strip_prefix_ci<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &value[prefix.len()..])
}

fn find_ci<'a, T>(items: &'a [T], name: &str, key: impl Fn(&T) -> &String) -> Option<&'a T> {
    items
        .iter()
        .find(|i| key(i) == name)
        .or_else(|| items.iter().find(|i| key(i).eq_ignore_ascii_case(name)))
}

fn find_ci_map<'a, T>(map: &'a Named<T>, name: &str) -> Option<&'a T> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}
