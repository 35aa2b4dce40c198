//! Bound actions (`<Action IsBound="true">`): operations a client invokes with `POST` on an
//! entity or a collection, e.g. `…/deviceManagementScripts/{id}/assign`.

use roxmltree::Node;

use super::csdl::{CsdlError, bool_attribute, invalid, required};
use super::{Property, TypeKind, TypeRef};

/// A bound action of the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// The action's name, e.g. `assign`.
    pub name: String,
    /// The entity type of the binding parameter.
    pub binding: String,
    /// Whether the action is bound to a collection of `binding` rather than to one entity.
    pub on_collection: bool,
    /// The parameters after the binding parameter, in schema order (read like properties).
    pub parameters: Vec<Property>,
    /// What a successful call answers, if anything.
    pub return_type: Option<TypeRef>,
}

impl Action {
    /// A parameter by name, case-insensitively (an exact match wins).
    pub fn parameter(&self, name: &str) -> Option<&Property> {
        super::find_ci(&self.parameters, name, |p| &p.name)
    }
}

/// An `<Action>` element, before its types are resolved.
pub(super) struct Declared<'a, 'input> {
    node: Node<'a, 'input>,
}

impl<'a, 'input> Declared<'a, 'input> {
    /// Keeps the element for [`Declared::resolve`], when it is a bound action.
    pub(super) fn read(node: Node<'a, 'input>) -> Option<Self> {
        bool_attribute(node, "IsBound", false).then_some(Declared { node })
    }

    /// The action, with its types resolved by `type_ref`.
    pub(super) fn resolve(
        &self,
        type_ref: impl Fn(&str) -> Result<TypeRef, CsdlError>,
    ) -> Result<Action, CsdlError> {
        let name = required(self.node, "Name")?;
        let mut parameters = self
            .node
            .children()
            .filter(|c| c.has_tag_name("Parameter"))
            .map(|p| {
                Ok(Property {
                    name: required(p, "Name")?,
                    ty: type_ref(&required(p, "Type")?)?,
                    nullable: bool_attribute(p, "Nullable", true),
                    computed: false,
                    description: None,
                })
            })
            .collect::<Result<Vec<_>, CsdlError>>()?
            .into_iter();
        let binding = parameters
            .next()
            .ok_or_else(|| invalid(format!("bound action {name} has no binding parameter")))?;
        let TypeKind::Entity(binding_type) = binding.ty.kind else {
            return Err(invalid(format!(
                "action {name} is not bound to an entity type"
            )));
        };
        let return_type = self
            .node
            .children()
            .find(|c| c.has_tag_name("ReturnType"))
            .map(|r| type_ref(&required(r, "Type")?))
            .transpose()?;
        Ok(Action {
            name,
            binding: binding_type,
            on_collection: binding.ty.collection,
            parameters: parameters.collect(),
            return_type,
        })
    }
}
