"""What the schemas say about one field: description, type, default, constraints, rule ids."""

from __future__ import annotations

import copy
import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from ..protocol import rules
from ..protocol.pointers import child, unescape
from ..protocol.pointers import parts as pointer_parts
from ..validation.reference.schema_walk import Located, member_schemas, walk


@dataclass
class Explanation:
    pointer: str
    conditions: list[str] = field(default_factory=list)
    """Where the schemas choose a field's schema by another field's value: the values that
    choose this one, e.g. '/payload/type is "guestkit.fix.v1"'."""
    description: str | None = None
    types: list[str] = field(default_factory=list)
    default: Any = None
    has_default: bool = False
    constraints: list[tuple[str, Any]] = field(default_factory=list)
    """(keyword, value) of every constraint, e.g. ("maximum", 10)."""
    members: list[str] = field(default_factory=list)
    member_names: set[str] = field(default_factory=set, repr=False)
    rule_ids: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [self.pointer or "(the document)"]
        if self.conditions:
            out.append(f"  when {' and '.join(self.conditions)}")
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


MOST_CHOICES = 3
"""Choices made in a row to reach a field: the payload type, then a fix operation's type, ..."""


def explain(pointer: str, doc_type: str = "job", payload_type: str | None = None) -> list[Explanation]:
    """Explain the field at ``pointer`` of a ``doc_type`` document.

    Where the schemas choose a field's schema by another field's value (``payload.type``
    selects the schema of ``payload.data``; a fix operation's ``type`` that of its
    ``options``), every choice that declares the field is explained, with the values that
    make it; ``payload_type`` makes the first choice. Raises KeyError when no schema
    declares the field, with the nearest field names that exist.
    """
    found: dict[frozenset[str], Explanation] = {}
    _search(pointer, doc_type, _skeleton(pointer, payload_type), [], found)
    if not found:
        raise KeyError(_not_declared(pointer, doc_type, payload_type))
    return list(found.values())


def _search(pointer: str, doc_type: str, skeleton: Any, conditions: list[str], found: dict[Any, Explanation]) -> None:
    """Explain the field in ``skeleton``; if nothing declares it there, try each value of each
    field whose value chooses a schema on the way to it (an ``if`` testing its ``const``)."""
    schemas = _field_schemas(pointer, doc_type, skeleton)
    if any(_declares(located.node) for located in schemas):
        found.setdefault(frozenset(conditions), describe(pointer, schemas, conditions))
        return
    if len(conditions) == MOST_CHOICES:
        return
    for where, name, value in _choices(pointer, doc_type, skeleton):
        chosen = copy.deepcopy(skeleton)
        _value_at(chosen, where)[name] = value
        _search(pointer, doc_type, chosen, [*conditions, f"{child(where, name)} is {json.dumps(value)}"], found)


def _choices(pointer: str, doc_type: str, skeleton: Any) -> list[tuple[str, str, Any]]:
    """(object, member, value) for every member not yet in the skeleton, of an object on the
    way to ``pointer``, whose value an ``if`` that applies there tests with ``const``."""
    choices = []
    for visit in walk(skeleton, doc_type):
        on_the_way = pointer == visit.pointer or pointer.startswith(visit.pointer + "/")
        if not on_the_way or not isinstance(visit.value, dict):
            continue
        for located in visit.schemas:
            condition = located.node.get("if")
            for name, test in (condition.get("properties", {}) if isinstance(condition, dict) else {}).items():
                if "const" in test and name not in visit.value:
                    choices.append((visit.pointer, name, test["const"]))
    return list(dict.fromkeys(choices))


def _not_declared(pointer: str, doc_type: str, payload_type: str | None) -> str:
    """Why explaining failed, with the names its parent declares that are nearest the last step."""
    message = f"no schema declares {pointer or 'the document'} in a {doc_type} document"
    parent, _, key = pointer.rpartition("/")
    names: set[str] = set()
    skeletons = [_skeleton(parent, payload_type)] if parent else []
    for skeleton in skeletons:
        for located in _field_schemas(parent, doc_type, skeleton):
            names.update(located.node.get("properties", {}))
    if parent == "":
        root_schemas = _field_schemas("", doc_type, {})
        names.update(name for located in root_schemas for name in located.node.get("properties", {}))
    nearest = difflib.get_close_matches(unescape(key), sorted(names), n=3)
    if nearest:
        message += "; did you mean " + " or ".join(child(parent, name) for name in nearest) + "?"
    return message


def describe(pointer: str, schemas: list[Located], conditions: list[str] | None = None) -> Explanation:
    """What the schema objects of one field say, merged; the first description and default win."""
    found = Explanation(pointer, list(conditions or ()))
    for located in schemas:
        _add(found, located.node)
    if "null" in found.types:  # "string or null" reads better than "null or string"
        found.types = [t for t in found.types if t != "null"] + ["null"]
    return found


def _field_schemas(pointer: str, doc_type: str, skeleton: Any) -> list[Located]:
    """The schema objects of the field in ``skeleton``: what its parent declares for it, every
    branch expanded (the walk alone would keep only the branches that admit the skeleton's placeholder)."""
    visits = {v.pointer: v for v in walk(skeleton, doc_type)}
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
        if name not in found.member_names:
            found.member_names.add(name)
            found.members.append(name + (" (required)" if name in node.get("required", []) else ""))


def _add_rule(found: Explanation, node: dict[str, Any], keyword: str) -> None:
    rule = rules.rule_of(keyword, node)
    if rule is not None and rule.id not in found.rule_ids:
        found.rule_ids.append(rule.id)


def _value_at(document: Any, pointer: str) -> Any:
    for part in pointer_parts(pointer):
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


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
