#!/usr/bin/env python3
"""Copy an entity type and every enum and complex type it uses out of Microsoft's CSDL
into one of localgraph's schema files (crates/intune/schema/*.csdl.xml).

    tools/csdl_slice.py --type managedDevice --csdl FULL.csdl.xml --into SCHEMA.csdl.xml
    tools/csdl_slice.py --type managedDevice --csdl beta-2021-07.csdl.xml \\
        --names ../shared/graph-metadata/full --fallback v1.0.csdl.xml --into beta.csdl.xml

What it copies: the type's structural properties (navigation properties are left out and
reported), the enum and complex types they use, transitively, every type derived from one
of those types (values of a derived type can stand where the base type is declared), and
the Core.Description annotations of those types and members.
Core.Computed and Core.Permissions are not copied (reported): localgraph ignores computed
properties in request bodies, so only the store's own stamps carry Computed.

With --names (a directory holding beta-2026-{entity,complex,enum}-names.json, the current
member names per type), the member lists follow those names: a property in the lists and
not in --csdl is taken from --fallback when that file declares it on the same type,
otherwise left out; members of --csdl no longer listed are dropped; properties take the
order of the lists (Microsoft's current, alphabetical, order). Enum members keep --csdl's
order, with members from --fallback inserted by value.

Types the target file declares already are not touched; the navigation property that
serves the type (deviceManagement/managedDevices) and the file's header comment are edited
by hand. Everything left out is printed on stderr, for that comment. Needs only the
Python standard library.
"""

import argparse
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
NAMESPACE = "microsoft.graph"
DESCRIPTION = "Org.OData.Core.V1.Description"


def simple(type_name):
    """`Collection(graph.x)` -> `x`; primitives keep their `Edm.` name."""
    inner = re.sub(r"^Collection\((.*)\)$", r"\1", type_name)
    for prefix in ("graph.", NAMESPACE + "."):
        if inner.startswith(prefix):
            return inner[len(prefix):]
    return inner


class Csdl:
    """The microsoft.graph schema of one CSDL document."""

    def __init__(self, path):
        root = ET.parse(path).getroot()
        self.structured, self.enums, self.descriptions = {}, {}, {}
        self.other_terms = {}
        for schema in root.iter(EDM + "Schema"):
            own = schema.get("Namespace") == NAMESPACE
            for element in schema:
                tag = element.tag[len(EDM):]
                if tag == "Annotations":
                    self._annotations(element)
                elif own and tag in ("EntityType", "ComplexType"):
                    self.structured[element.get("Name")] = element
                elif own and tag == "EnumType":
                    self.enums[element.get("Name")] = element

    def _annotations(self, element):
        target = element.get("Target")
        if not target.startswith(NAMESPACE + "."):
            return
        target = target[len(NAMESPACE) + 1:]
        for annotation in element.findall(EDM + "Annotation"):
            term = annotation.get("Term")
            if term == DESCRIPTION:
                self.descriptions.setdefault(target, annotation.get("String"))
            else:
                self.other_terms.setdefault(target, set()).add(term)

    def derived(self, name):
        """Every type whose base chain reaches `name`, in document order."""
        out = []
        for candidate, element in self.structured.items():
            base = element.get("BaseType")
            while base:
                base = simple(base)
                if base == name:
                    out.append(candidate)
                    break
                parent = self.structured.get(base)
                base = parent.get("BaseType") if parent is not None else None
        return out


class Names:
    """The 2026 member names per type (msgraph-metadata schemas/type-mappings)."""

    def __init__(self, directory):
        def read(kind):
            with open(os.path.join(directory, f"beta-2026-{kind}-names.json")) as f:
                return json.load(f)[NAMESPACE]

        self.entities, self.complexes, self.enums = read("entity"), read("complex"), read("enum")

    def properties(self, name, is_entity):
        entry = (self.entities if is_entity else self.complexes).get(name)
        return None if entry is None else entry["properties"]


class Slice:
    """The types to copy, built member by member, with a log of what was left out."""

    def __init__(self, primary, fallback, names):
        self.primary, self.fallback, self.names = primary, fallback, names
        self.types, self.enums, self.left_out = {}, {}, []

    def note(self, text):
        if text not in self.left_out:
            self.left_out.append(text)

    def source_of_type(self, name, table):
        if name in getattr(self.primary, table):
            return self.primary
        if self.fallback is not None and name in getattr(self.fallback, table):
            return self.fallback
        return None

    def add_structured(self, name):
        if name in self.types or name == "entity":
            return
        source = self.source_of_type(name, "structured")
        if source is None:
            self.note(f"type {name}: declared in no source")
            return
        element = source.structured[name]
        is_entity = element.tag == EDM + "EntityType"
        self.types[name] = None  # reserve against cycles
        declared = {p.get("Name"): (p, source) for p in element.findall(EDM + "Property")}
        wanted = list(declared)
        if self.names is not None:
            current = self.names.properties(name, is_entity)
            if current is None:
                self.note(f"type {name}: not in the 2026 lists, kept as declared")
            else:
                for gone in [n for n in declared if n not in current]:
                    self.note(f"{name}/{gone}: no longer in the 2026 lists, dropped")
                wanted = list(current)
        members = []
        for prop_name in wanted:
            found = declared.get(prop_name) or self.from_fallback(name, prop_name)
            if found is None:
                self.note(f"{name}/{prop_name}: in the 2026 lists, type unknown, left out")
                continue
            prop, prop_source = found
            if not self.add_type_of(prop, prop_source):
                self.note(f"{name}/{prop_name}: its type {prop.get('Type')} is unavailable, left out")
                continue
            members.append((prop, prop_source))
        for nav in element.findall(EDM + "NavigationProperty"):
            self.note(f"{name}/{nav.get('Name')}: navigation property, not copied")
        self.types[name] = (element, source, members)
        base = element.get("BaseType")
        if base:
            self.add_structured(simple(base))
        for derived in self.derived_types(name):
            self.add_structured(derived)

    def derived_types(self, name):
        if name == "entity":
            return []
        found = self.primary.derived(name)
        if self.fallback is not None:
            found += [d for d in self.fallback.derived(name) if d not in found]
        if self.names is None:
            return found
        listed = {**self.names.entities, **self.names.complexes}
        current = [d for d in found if d in listed]
        for gone in [d for d in found if d not in current]:
            self.note(f"type {gone} (derives from {name}): not in the 2026 lists, dropped")
        return current

    def from_fallback(self, type_name, prop_name):
        if self.fallback is None or type_name not in self.fallback.structured:
            return None
        for prop in self.fallback.structured[type_name].findall(EDM + "Property"):
            if prop.get("Name") == prop_name:
                return prop, self.fallback
        return None

    def add_type_of(self, prop, source):
        name = simple(prop.get("Type"))
        if name.startswith("Edm."):
            return True
        if self.source_of_type(name, "enums") is not None:
            return self.add_enum(name)
        self.add_structured(name)
        return name in self.types

    def add_enum(self, name):
        if name in self.enums:
            return True
        source = self.source_of_type(name, "enums")
        if source is None:
            return False
        members = [(m.get("Name"), m.get("Value")) for m in source.enums[name].findall(EDM + "Member")]
        if self.names is not None and name in self.names.enums:
            current = self.names.enums[name]
            for gone in [m for m, _ in members if m not in current]:
                self.note(f"enum {name}/{gone}: no longer in the 2026 lists, dropped")
            members = [(m, v) for m, v in members if m in current]
            extra = self.fallback_members(name) if source is self.primary else {}
            for member in [m for m in current if m not in dict(members)]:
                if member not in extra:
                    self.note(f"enum {name}/{member}: in the 2026 lists, value unknown, left out")
                    continue
                value = extra[member]
                at = next((i for i, (_, v) in enumerate(members) if int(v) > int(value)), len(members))
                members.insert(at, (member, value))
        self.enums[name] = (source.enums[name], members)
        return True

    def fallback_members(self, name):
        if self.fallback is None or name not in self.fallback.enums:
            return {}
        return {m.get("Name"): m.get("Value") for m in self.fallback.enums[name].findall(EDM + "Member")}


def attributes(element, keys):
    return "".join(f' {k}="{escape(element.get(k))}"' for k in keys if element.get(k) is not None)


def escape(text):
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def write_enum(element, members):
    lines = [f'      <EnumType{attributes(element, ["Name", "IsFlags"])}>']
    lines += [f'        <Member Name="{m}" Value="{v}" />' for m, v in members]
    return lines + ["      </EnumType>"]


def write_structured(element, members):
    tag = element.tag[len(EDM):]
    head = f'      <{tag}{attributes(element, ["Name", "BaseType", "Abstract", "OpenType"])}'
    if not members:
        return [head + " />"]
    lines = [head + ">"]
    for prop, _ in members:
        lines.append(f'        <Property{attributes(prop, ["Name", "Type", "Nullable"])} />')
    return lines + [f"      </{tag}>"]


def write_annotations(target, description):
    return [
        f'      <Annotations Target="{NAMESPACE}.{target}">',
        f'        <Annotation Term="{DESCRIPTION}" String="{escape(description)}" />',
        "      </Annotations>",
    ]


def insert_after_last(lines, pattern, block):
    """Inserts `block` after the last line matching `pattern` (the end of a section)."""
    index = max(i for i, line in enumerate(lines) if re.search(pattern, line))
    lines[index + 1:index + 1] = block


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--type", required=True, help="the entity type to copy")
    parser.add_argument("--csdl", required=True, help="Microsoft's CSDL to copy from")
    parser.add_argument("--fallback", help="a CSDL for members --csdl lacks (with --names)")
    parser.add_argument("--names", help="directory of the beta-2026-*-names.json lists")
    parser.add_argument("--into", required=True, help="the schema file to add the types to")
    args = parser.parse_args()

    primary = Csdl(args.csdl)
    fallback = Csdl(args.fallback) if args.fallback else None
    names = Names(args.names) if args.names else None
    piece = Slice(primary, fallback, names)
    piece.add_structured(args.type)

    with open(args.into) as f:
        text = f.read()
    present = set(re.findall(r'<(?:EnumType|ComplexType|EntityType) Name="([^"]+)"', text))
    enums, complexes, entities, notes = [], [], [], []
    for name, (element, members) in sorted(piece.enums.items()):
        if name not in present:
            enums += write_enum(element, members)
    for name, (element, source, members) in sorted(piece.types.items()):
        if name in present:
            continue
        block = write_structured(element, members)
        (entities if element.tag == EDM + "EntityType" else complexes).extend(block)
        if name in source.descriptions:
            notes += write_annotations(name, source.descriptions[name])
        skipped = {}
        for prop, prop_source in members:
            member = f"{name}/{prop.get('Name')}"
            if member in prop_source.descriptions:
                notes += write_annotations(member, prop_source.descriptions[member])
            for term in prop_source.other_terms.get(member, ()):
                skipped.setdefault(term.rsplit(".", 1)[1], []).append(prop.get("Name"))
            if prop_source is not source:
                piece.note(f"{member}: taken from {args.fallback}")
        for term, props in sorted(skipped.items()):
            piece.note(f"{name}: {term} not copied, on {len(props)} of {len(members)} properties")

    lines = text.split("\n")
    insert_after_last(lines, r"</Annotations>", notes)
    insert_after_last(lines, r"</EntityType>|<EntityType .*/>", entities)
    insert_after_last(lines, r"</ComplexType>|<ComplexType .*/>", complexes)
    insert_after_last(lines, r"</EnumType>", enums)
    with open(args.into, "w") as f:
        f.write("\n".join(lines))
    for line in piece.left_out:
        print(line, file=sys.stderr)


if __name__ == "__main__":
    main()
