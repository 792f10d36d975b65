"""What the schemas say about one field: description, type, default, constraints, rule ids."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..protocol import resources, rules
from ..protocol.pointers import parts as pointer_parts
from ..protocol.pointers import unescape
from ..validation.reference.schema_walk import Located, member_schemas, walk


@dataclass
class Explanation:
    pointer: str
    description: str | None = None
    types: list[str] = field(default_factory=list)
    default: Any = None
    has_default: bool = False
    constraints: list[tuple[str, Any]] = field(default_factory=list)
    """(keyword, value) of every constraint, e.g. ("maximum", 10)."""
    members: list[str] = field(default_factory=list)
    rule_ids: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [self.pointer or "(the document)"]
        if self.description:
            out.append(f"  {self.description}")
        if self.types:
            out.append(f"  type: {' or '.join(self.types)}")
        if self.has_default:
            out.append(f"  default: {json.dumps(self.default)}")
        out += [f"  {keyword}: {json.dumps(value)}" for keyword, value in self.constraints]
        if self.members:
            out.append(f"  fields: {', '.join(self.members)}")
        if self.rule_ids:
            out.append(f"  rules: {', '.join(self.rule_ids)}")
        return out


CONSTRAINTS = ("const", "enum", "pattern", "format", "minimum", "maximum", "minLength", "maxLength", "minItems")


def explain(pointer: str, doc_type: str = "job", payload_type: str | None = None) -> Explanation:
    """Explain the field at ``pointer`` of a ``doc_type`` document.

    A pointer into ``payload.data`` needs the payload type that selects its schema.
    Raises KeyError when no schema declares the field.
    """
    if pointer.startswith("/payload/data") and payload_type is None and doc_type == "job":
        raise KeyError(f"{pointer} depends on the payload type: give one of {', '.join(resources.payload_types())}")
    schemas = _field_schemas(pointer, doc_type, payload_type)
    if not any(_declares(located.node) for located in schemas):
        raise KeyError(f"no schema declares {pointer or 'the document'} in a {doc_type} document")
    return describe(pointer, schemas)


def describe(pointer: str, schemas: list[Located]) -> Explanation:
    """What the schema objects of one field say, merged; the first description and default win."""
    found = Explanation(pointer)
    for located in schemas:
        _add(found, located.node)
    if "null" in found.types:  # "string or null" reads better than "null or string"
        found.types = [t for t in found.types if t != "null"] + ["null"]
    return found


def _field_schemas(pointer: str, doc_type: str, payload_type: str | None) -> list[Located]:
    """The schema objects of the field: what its parent declares for it, every branch expanded
    (the walk alone would keep only the branches that admit the skeleton's placeholder)."""
    visits = {v.pointer: v for v in walk(_skeleton(pointer, payload_type), doc_type)}
    if pointer == "":
        return [s for root in visits[""].schemas for s in expanded(root)]
    parent_pointer, _, key = pointer.rpartition("/")
    parent = visits.get(parent_pointer)
    if parent is None:
        return []
    if isinstance(parent.value, list):
        declared = [
            Located(s.node["items"], s.resolver) for s in parent.schemas if isinstance(s.node.get("items"), dict)
        ]
    else:
        declared = list(member_schemas(parent.schemas, unescape(key)))
    return [each for located in declared for each in expanded(located)]


def expanded(located: Located) -> list[Located]:
    """``located`` and every schema object it refers to or combines, all branches included."""
    node, found = located.node, [located]
    if "$ref" in node:
        resolved = located.resolver.lookup(node["$ref"])
        found += expanded(Located(resolved.contents, resolved.resolver))
    for sub in [*node.get("allOf", ()), *node.get("anyOf", ())]:
        if "if" not in sub:
            found += expanded(Located(sub, located.resolver))
    return found


def _declares(node: dict[str, Any]) -> bool:
    return any(key in node for key in ("description", "type", "$ref", "const", "enum", "properties"))


def _add(found: Explanation, node: dict[str, Any]) -> None:
    if found.description is None and node.get("description"):
        found.description = node["description"]
    for type_name in node.get("type", []) if isinstance(node.get("type"), list) else [node.get("type")]:
        if type_name and type_name not in found.types:
            found.types.append(type_name)
    if "default" in node and not found.has_default:
        found.default, found.has_default = node["default"], True
    for keyword in CONSTRAINTS:
        if keyword in node:
            if (keyword, node[keyword]) not in found.constraints:
                found.constraints.append((keyword, node[keyword]))
            _add_rule(found, node, keyword)
    if "type" in node:
        _add_rule(found, node, "type")
    for name in node.get("properties", {}):
        if name not in found.members:
            found.members.append(name + (" (required)" if name in node.get("required", []) else ""))


def _add_rule(found: Explanation, node: dict[str, Any], keyword: str) -> None:
    rule = rules.rule_of(keyword, node)
    if rule is not None and rule.id not in found.rule_ids:
        found.rule_ids.append(rule.id)


def _skeleton(pointer: str, payload_type: str | None) -> Any:
    """A minimal document that has a value at ``pointer`` (and the payload type, if given)."""
    parts = pointer_parts(pointer)
    document: Any = {}
    if payload_type:
        document["payload"] = {"type": payload_type, "data": {}}
    node = document
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        child: Any = None if last else ([] if parts[i + 1].isdigit() else {})
        if isinstance(node, list):
            node.extend([{}] * (int(part) + 1 - len(node)))
            node[int(part)] = child if node[int(part)] == {} or child is not None else node[int(part)]
            node = node[int(part)]
        else:
            node = node.setdefault(part, child) if not last else node.__setitem__(part, child)
    return document
