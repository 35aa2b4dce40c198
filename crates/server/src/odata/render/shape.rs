//! How the entities of one response render, worked out once per entity type rather than
//! once per entity: which properties the version shows (and `$select` keeps), where each
//! one's value sits in a record, and the version's enum type of each enum property. The
//! entities of a page share the order of their values (one statement's columns, one list
//! of names), and those of one type their properties, so every entity after the first of
//! its type renders without a name lookup in the model or in its record (for a page of
//! devices those lookups were about a tenth of the page's instructions: bench/HISTORY.md,
//! step 35).

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use odata::edm::{EnumType, Property, StructuredType, TypeKind};
use odata::{Model, Value};
use store::{Names, Record};

/// The shapes of one level of a response (its entities, or the entities one `$expand`
/// leads to), made as entities of each type come, and the shapes of the levels below.
#[derive(Default)]
pub struct Shapes<'a> {
    made: Vec<Shape<'a>>,
    /// By the index of the `$expand` item in the request's list.
    nested: Vec<Shapes<'a>>,
}

impl<'a> Shapes<'a> {
    /// The shape of `record`'s type at this level, made from `record` the first time.
    /// Kept by everything it depends on (the type, the model, the declared type, the
    /// `$select`), so entities that differ in any of them never share one.
    pub fn of(
        &mut self,
        model: &'a Model,
        record: &'a Record,
        declared: &'a str,
        select: Option<&'a [String]>,
    ) -> &Shape<'a> {
        let found = self.made.iter().position(|s| {
            s.type_name == record.type_name
                && std::ptr::eq(s.model, model)
                && s.declared == declared
                && s.select == select
        });
        let at = match found {
            Some(at) => at,
            None => {
                self.made.push(Shape::new(model, record, declared, select));
                self.made.len() - 1
            }
        };
        &self.made[at]
    }

    /// The shapes of the entities the `$expand` item at `index` (of `count`) leads to.
    pub fn nested(&mut self, index: usize, count: usize) -> &mut Shapes<'a> {
        if self.nested.len() < count {
            self.nested.resize_with(count, Shapes::default);
        }
        &mut self.nested[index]
    }
}

/// How the entities of one type render at one level of a response.
pub struct Shape<'a> {
    /// The record's type this shape was made for.
    type_name: &'a str,
    /// The model, declared type and `$select` it was made with.
    model: &'a Model,
    declared: &'a str,
    select: Option<&'a [String]>,
    /// The names of the values of the record it was made from: the slots' indices hold
    /// for a record with this very list (one pointer comparison).
    names: &'a Names,
    /// The properties rendered, in the model's order; `None` when the model has neither
    /// the record's type nor the declared one (the entity is written with its
    /// annotations only).
    pub slots: Option<Vec<Slot<'a>>>,
}

/// A property as an entity renders it.
pub struct Slot<'a> {
    /// The property.
    pub property: &'a Property,
    /// Where its value comes from.
    source: Source,
    /// The version's enum type, for an enum property whose type the model has.
    members: Option<&'a EnumType>,
    /// The enum members this slot has rendered, each with the version's name for it
    /// (`None`: its stored name), from its second member on: see [`Slot::member`].
    rendered: RefCell<Vec<(Arc<str>, Option<&'a str>)>>,
    /// Whether this slot has rendered a member yet.
    met: Cell<bool>,
}

/// The most distinct stored members a slot remembers (an enum type's members are fewer;
/// past it, a member is looked up each time, as before).
const REMEMBERED_MEMBERS: usize = 64;

/// Where a property's value is in a record.
enum Source {
    /// The entity's key: the record's id.
    Key,
    /// The value at this index in a record with the shape's names; searched for by name
    /// in any other record.
    Column(usize),
    /// Not among the first record's values: searched for in each record.
    Searched,
}

impl<'a> Shape<'a> {
    fn new(
        model: &'a Model,
        record: &'a Record,
        declared: &'a str,
        select: Option<&'a [String]>,
    ) -> Self {
        Shape {
            type_name: &record.type_name,
            model,
            declared,
            select,
            names: &record.names,
            slots: structured(model, record, declared)
                .map(|ty| slots(model, ty, record, select).collect()),
        }
    }

    /// Whether `record` holds its values where this shape's slots say: it shares the
    /// names of the record the shape was made from.
    pub fn holds(&self, record: &Record) -> bool {
        Arc::ptr_eq(self.names, &record.names)
    }
}

/// The type an entity renders as: its own, else the declared type of where it lives.
pub fn structured<'a>(
    model: &'a Model,
    record: &Record,
    declared: &str,
) -> Option<&'a StructuredType> {
    model
        .structured(&record.type_name)
        .or_else(|| model.structured(declared))
}

/// The slots of `ty`, in the model's order: those `select` keeps, each found in
/// `record`.
pub fn slots<'a, 's>(
    model: &'a Model,
    ty: &'a StructuredType,
    record: &'a Record,
    select: Option<&'s [String]>,
) -> impl Iterator<Item = Slot<'a>> + 's
where
    'a: 's,
{
    let mut values = Values::new(record);
    ty.properties
        .iter()
        .filter(move |p| select.is_none_or(|s| s.contains(&p.name)))
        .map(move |property| Slot {
            property,
            source: if ty.key.contains(&property.name) {
                Source::Key
            } else {
                match values.position(&property.name) {
                    Some(at) => Source::Column(at),
                    None => Source::Searched,
                }
            },
            members: match &property.ty.kind {
                TypeKind::Enum(name) => model.enum_type(name),
                _ => None,
            },
            rendered: RefCell::default(),
            met: Cell::new(false),
        })
}

/// What a slot renders of a record.
pub enum Rendered<'r> {
    /// The record's id.
    Key(&'r str),
    /// The property's value, if the record holds it.
    Value(Option<&'r Value>),
}

impl<'a> Slot<'a> {
    /// What this slot renders of `record`: by the slot's index where `placed` (the record
    /// holds its values where the slots were made for), else what `values` finds by name.
    pub fn of<'r>(
        &self,
        record: &'r Record,
        placed: bool,
        values: &mut Values<'r>,
    ) -> Rendered<'r> {
        match &self.source {
            Source::Key => Rendered::Key(&record.id),
            Source::Column(at) if placed => Rendered::Value(record.values.get(*at)),
            Source::Column(_) | Source::Searched => {
                Rendered::Value(values.get(&self.property.name))
            }
        }
    }

    /// The name an enum member stored as `stored` renders as: as the version names it
    /// (see [`known_member`]). A slot that renders the entities of a page looks each
    /// member up in the enum type once, not once per cell: the store gives every cell of
    /// a column the name its column's members hold (one allocation per member), which
    /// identifies it (searching the type's members by name for each cell was about 1.3%
    /// of a page of devices' instructions, bench/HISTORY.md, step 49). It remembers
    /// from its second member on: the slots of an entity rendered alone meet one each,
    /// and remembering it cost a device read by id 1.4% (the same section).
    pub fn member<'r>(&self, stored: &'r Arc<str>) -> &'r str
    where
        'a: 'r,
    {
        let Some(members) = self.members else {
            return stored;
        };
        if !self.met.replace(true) {
            return known_member(members, stored).unwrap_or(stored);
        }
        let mut rendered = self.rendered.borrow_mut();
        if let Some((_, name)) = rendered.iter().find(|(m, _)| Arc::ptr_eq(m, stored)) {
            return name.unwrap_or(stored);
        }
        let name = known_member(members, stored);
        if rendered.len() < REMEMBERED_MEMBERS {
            rendered.push((stored.clone(), name));
        }
        name.unwrap_or(stored)
    }
}

/// The version's name for an enum member stored as `stored`, where it is not `stored`
/// itself. A member its enum type lacks (stored through a version that has it, like
/// beta's `androidEnterpriseFullyManaged` enrollment type read through v1.0) reads as
/// `unknownFutureValue` where the type has that sentinel, as Graph's evolvable enums
/// answer clients that do not know a member; else as stored.
fn known_member<'a>(members: &'a EnumType, stored: &str) -> Option<&'a str> {
    match members.member(stored) {
        None => members.sentinel().map(|m| m.name.as_str()),
        Some(_) => None,
    }
}

/// A record's values looked up in the model's property order. The store reads columns in
/// table order: the first version's properties, then those only another version has
/// (beta's, after v1.0's). Each lookup searches on from the previous one's value and then
/// wraps around, so a run of properties in table order costs one step each, and a version
/// that interleaves them pays only where it switches between the two runs.
pub struct Values<'a> {
    record: &'a Record,
    next: usize,
}

impl<'a> Values<'a> {
    /// Lookups in `record`, from its first value.
    pub fn new(record: &'a Record) -> Values<'a> {
        Values { record, next: 0 }
    }

    /// The value named `name`.
    pub fn get(&mut self, name: &str) -> Option<&'a Value> {
        let at = self.position(name)?;
        self.record.values.get(at)
    }

    fn position(&mut self, name: &str) -> Option<usize> {
        let names = &self.record.names;
        let (behind, ahead) = names.split_at(self.next.min(names.len()));
        let named = |n: &Arc<str>| &**n == name;
        let at = match ahead.iter().position(named) {
            Some(i) => self.next + i,
            None => behind.iter().position(named)?,
        };
        self.next = at + 1;
        Some(at)
    }
}
