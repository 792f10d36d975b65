"""Serde types for the Rust crate (rust/src/generated/types.rs), generated from the schemas.

A generator of our own rather than typify: the contract needs what typify does not give.
Optional nullable members keep "absent" apart from "null" (``Option<Option<T>>``), every
class keeps its unknown members (``#[serde(flatten)]`` into a map), ``payload.data`` is typed
by ``payload.type`` with unregistered types kept as raw JSON, a class's ``allOf`` of another
class inherits its members, and numbers that may be fractions stay ``serde_json::Number`` so
that 120 and 120.0 both come back as written. Names come from each definition's ``title``
(string types and enums from their ``$defs`` name); doc comments from the descriptions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Schema = dict[str, Any]
MAP = "serde_json::Map<String, serde_json::Value>"
VALUE = "serde_json::Value"


@dataclass(frozen=True)
class Definition:
    file: str
    name: str
    schema: Schema


def load(schemas: Path) -> tuple[dict[tuple[str, str], Definition], dict[str, str]]:
    """Every definition of the protocol schemas, by (file, name), and the class each registered
    payload type's file has at its root, by payload type."""
    index = json.loads((schemas / "index.json").read_text(encoding="utf-8"))
    entries = [*index["definitions"].values(), *index["documents"].values(), *index["payloads"].values()]
    found = {}
    for entry in entries:
        schema = json.loads((schemas / entry["file"]).read_text(encoding="utf-8"))
        for name, definition in schema.get("$defs", {}).items():
            found[(entry["file"], name)] = Definition(entry["file"], name, definition)
    payloads = {}
    for payload_type, entry in index["payloads"].items():
        schema = json.loads((schemas / entry["file"]).read_text(encoding="utf-8"))
        payloads[payload_type] = type_name(found[resolve(entry["file"], schema["$ref"])])
    return found, payloads


def resolve(file: str, ref: str) -> tuple[str, str]:
    """(file, definition name) of a reference made in ``file``."""
    target, _, fragment = ref.partition("#")
    if target:
        file = str(Path(file).parent / target) if not target.startswith("..") else str(Path(target).relative_to(".."))
    return file, fragment.removeprefix("/$defs/")


def type_name(definition: Definition) -> str:
    return str(definition.schema.get("title") or definition.name)


def variant_name(value: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", value) if part)


def field_name(name: str) -> str:
    ident = re.sub(r"[^A-Za-z0-9_]", "_", name).strip("_") or "field"
    return f"r#{ident}" if ident in {"type", "ref", "move", "match", "mod", "self"} else ident


def doc(text: str | None, indent: str = "") -> str:
    if not text:
        return ""
    return "".join(f"{indent}/// {line}".rstrip() + "\n" for line in text.splitlines())


class Generator:
    def __init__(self, schemas: Path) -> None:
        self.definitions, self.payloads = load(schemas)

    def definition(self, file: str, ref: str) -> Definition:
        return self.definitions[resolve(file, ref)]

    def nullable_inner(self, schema: Schema) -> Schema | None:
        """The non-null schema of a nullable one (``anyOf [X, null]`` or ``type [T, "null"]``); None if not nullable."""
        branches = schema.get("anyOf")
        if branches and len(branches) == 2 and {"type": "null"} in branches:
            return next(branch for branch in branches if branch != {"type": "null"})
        types = schema.get("type")
        if isinstance(types, list) and "null" in types:
            rest = [t for t in types if t != "null"]
            return {**schema, "type": rest[0] if len(rest) == 1 else rest}
        return None

    def rust_type(self, file: str, schema: Schema) -> str:
        """The Rust type of a non-null schema."""
        if "$ref" in schema:
            return type_name(self.definition(file, schema["$ref"]))
        if "const" in schema:
            return "String"
        kind = schema.get("type")
        if kind == "string":
            return "String"
        if kind == "integer":
            return "i64"
        if kind == "number":
            return "serde_json::Number"
        if kind == "boolean":
            return "bool"
        if kind == "array":
            return f"Vec<{self.rust_type(file, schema.get('items', {}))}>"
        if kind == "object":
            values = schema.get("additionalProperties")
            if isinstance(values, dict):
                return f"indexmap::IndexMap<String, {self.rust_type(file, values)}>"
            return MAP
        return VALUE

    def members(self, definition: Definition) -> tuple[dict[str, tuple[str, Schema]], list[str]]:
        """A class's members, each with the file its schema is read in, inherited ones (an
        ``allOf`` of another class) first; and its required members."""
        properties: dict[str, tuple[str, Schema]] = {}
        required: list[str] = []
        for part in definition.schema.get("allOf", []):
            if "$ref" in part:
                inherited, names = self.members(self.definition(definition.file, part["$ref"]))
                properties.update(inherited)
                required += names
        properties.update({name: (definition.file, p) for name, p in definition.schema.get("properties", {}).items()})
        required += [name for name in definition.schema.get("required", []) if name not in required]
        return properties, required

    def render_field(self, file: str, name: str, schema: Schema, required: bool) -> str:
        inner = self.nullable_inner(schema)
        attributes = [] if field_name(name).removeprefix("r#") == name else [f'rename = "{name}"']
        if inner is None:
            rust = self.rust_type(file, schema)
            if not required:
                rust = f"Option<{rust}>"
                attributes += ["default", 'skip_serializing_if = "Option::is_none"']
        elif required:
            rust = f"Option<{self.rust_type(file, inner)}>"
        else:
            rust = f"Option<Option<{self.rust_type(file, inner)}>>"
            attributes += ["default", 'skip_serializing_if = "Option::is_none"', 'with = "crate::nullable"']
        description = schema.get("description")
        if inner is not None and not required:
            description = (description or "") + "\n\n`None`: absent; `Some(None)`: null."
        serde = f"    #[serde({', '.join(attributes)})]\n" if attributes else ""
        return doc(description, "    ") + serde + f"    pub {field_name(name)}: {rust},\n"

    def render_struct(self, definition: Definition) -> str:
        if definition.file == "job-v1.json" and definition.name == "Payload":
            return self.render_payload(definition)
        members, required = self.members(definition)
        fields = "".join(
            self.render_field(file, name, schema, name in required) for name, (file, schema) in members.items()
        )
        derives = "Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize"
        if not required:
            derives += ", Default"
        extra = "    /// Members no schema declares, kept as they came (forward compatibility).\n"
        extra += f"    #[serde(flatten)]\n    pub extra: {MAP},\n"
        return (
            doc(definition.schema.get("description"))
            + f"#[derive({derives})]\npub struct {type_name(definition)} {{\n{fields}{extra}}}\n"
        )

    def render_payload(self, definition: Definition) -> str:
        """``Payload``: ``data`` typed by ``type``, with hand-picked serde (generated here) since
        serde's tagged enums keep no unknown members."""
        variants, arms, back = "", "", ""
        for payload_type, name in sorted(self.payloads.items()):
            variant = variant_name(payload_type)
            variants += doc(f"`{payload_type}`: data of type [`{name}`].", "    ") + f"    {variant}({name}),\n"
            arms += f'            "{payload_type}" => serde_json::from_value(data).map(Self::{variant}),\n'
            back += f"            Self::{variant}(data) => serde_json::to_value(data),\n"
        return f"""{doc(definition.schema.get("description"))}#[derive(Clone, Debug, PartialEq)]
pub struct Payload {{
{doc(definition.schema["properties"]["type"].get("description"), "    ")}    pub r#type: PayloadType,
{doc(definition.schema["properties"]["data"].get("description"), "    ")}    pub data: PayloadData,
    /// Members no schema declares, kept as they came (forward compatibility).
    pub extra: {MAP},
}}

/// `payload.data`, typed by `payload.type`: one variant per registered payload type, and the
/// data of an unregistered type kept as raw JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum PayloadData {{
{variants}    /// A payload type with no registered schema: its data, unchecked and kept as it came.
    Unregistered({MAP}),
}}

impl PayloadData {{
    /// The data of a payload of `payload_type`, typed by it.
    pub fn from_value(payload_type: &str, data: {VALUE}) -> Result<Self, serde_json::Error> {{
        match payload_type {{
{arms}            _ => serde_json::from_value(data).map(Self::Unregistered),
        }}
    }}

    /// The data as JSON.
    pub fn to_value(&self) -> Result<{VALUE}, serde_json::Error> {{
        match self {{
{back}            Self::Unregistered(data) => Ok({VALUE}::Object(data.clone())),
        }}
    }}
}}

impl serde::Serialize for Payload {{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{
        use serde::ser::{{Error as _, SerializeMap as _}};
        let mut map = serializer.serialize_map(Some(2 + self.extra.len()))?;
        map.serialize_entry("type", &self.r#type)?;
        map.serialize_entry("data", &self.data.to_value().map_err(S::Error::custom)?)?;
        for (key, value) in &self.extra {{
            map.serialize_entry(key, value)?;
        }}
        map.end()
    }}
}}

impl<'de> serde::Deserialize<'de> for Payload {{
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{
        use serde::de::Error as _;
        let mut extra = <{MAP}>::deserialize(deserializer)?;
        let r#type: PayloadType = match extra.remove("type") {{
            Some(given) => serde_json::from_value(given).map_err(D::Error::custom)?,
            None => return Err(D::Error::missing_field("type")),
        }};
        let data = extra.remove("data").ok_or_else(|| D::Error::missing_field("data"))?;
        let data = PayloadData::from_value(&r#type, data).map_err(D::Error::custom)?;
        Ok(Payload {{ r#type, data, extra }})
    }}
}}
"""

    def render_enum(self, definition: Definition) -> str:
        variants = "".join(
            f'    #[serde(rename = "{value}")]\n    {variant_name(value)},\n' for value in definition.schema["enum"]
        )
        derives = "Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize"
        head = f"#[derive({derives})]\npub enum {definition.name}"
        return doc(definition.schema.get("description")) + f"{head} {{\n{variants}}}\n"

    def render_alias(self, definition: Definition) -> str:
        rust = self.rust_type(definition.file, {**definition.schema, "title": None})
        return doc(definition.schema.get("description")) + f"pub type {definition.name} = {rust};\n"

    def render(self) -> str:
        out = []
        current = None
        for (file, _), definition in self.definitions.items():
            if file != current:
                out.append(f"\n// ---- {file} ----\n")
                current = file
            schema = definition.schema
            if schema.get("title") and schema.get("type") == "object":
                out.append(self.render_struct(definition))
            elif "enum" in schema:
                out.append(self.render_enum(definition))
            else:
                out.append(self.render_alias(definition))
        return "\n".join(out)


def render_types(schemas: Path) -> str:
    """The types.rs of the schemas in ``schemas``."""
    return Generator(schemas).render()
