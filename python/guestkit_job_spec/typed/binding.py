"""JSON <-> generated dataclasses, losslessly.

The generated models (``typed/models/``) are plain dataclasses; this module moves documents in
and out of them without losing anything:

- Unknown members (forward-compatible fields, extension keys) are kept on the object and
  written back in their place.
- Absent and ``null`` stay distinct, and no default is inserted: an object remembers the
  keys its source had, in their order, and writes those back; a field the source lacked
  is written only once code sets it to something other than ``None`` or its default.
- Fields dispatched by a discriminator (``payload.data`` by ``payload.type``, a fix
  operation's ``options`` by its ``type``) become the class the schema selects, read from
  the schemas' ``if``/``then`` branches, never from a hand-kept list.

To change a field and keep everything else (unknown members included) use ``replace``.
"""

from __future__ import annotations

import dataclasses
import importlib
import keyword
import pkgutil
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from ..protocol import resources
from ..protocol.json_values import leaves
from . import models

if TYPE_CHECKING:
    from referencing._core import Resolver

T = TypeVar("T")

_SOURCE_KEYS = "_gk_source_keys"
_UNKNOWN = "_gk_unknown"


@dataclass(frozen=True)
class Layout:
    """How a model class maps to JSON, read from the schema definition it was generated from."""

    members: tuple[tuple[str, str], ...]
    """(JSON key, attribute name) of every declared property, in schema order."""
    dispatch: tuple[str, str, Mapping[str, type]] | None = None
    """(discriminator key, dispatched key, discriminator value -> class), if any."""

    def attribute(self, key: str) -> str | None:
        return dict(self.members).get(key)


def attribute_name(json_key: str) -> str:
    """The attribute datamodel-code-generator gives a JSON key (``$schema`` -> ``field_schema``)."""
    if json_key.isidentifier() and not keyword.iskeyword(json_key):
        return json_key
    return "field_" + json_key.lstrip("$")


@cache
def model_classes() -> Mapping[str, type]:
    """Every generated dataclass, by class name (the schema definition's title)."""
    classes: dict[str, type] = {}
    for info in pkgutil.walk_packages(models.__path__, models.__name__ + "."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == module.__name__:
                classes[name] = value
    return classes


def definition(title: str) -> dict[str, Any]:
    """The schema definition whose title is ``title`` (the name of its model class)."""
    return _titled_definitions()[title][0]


@cache
def _titled_definitions() -> Mapping[str, tuple[dict[str, Any], Resolver[Any]]]:
    registry = resources.registry()
    found: dict[str, tuple[dict[str, Any], Resolver[Any]]] = {}
    for schema_id, schema in resources.schemas_by_id().items():
        for definition in schema.get("$defs", {}).values():
            if "title" in definition:
                found[definition["title"]] = (definition, registry.resolver(base_uri=schema_id))
    return found


_LAYOUTS: dict[type[Any], Layout] = {}


def layout(cls: type[Any]) -> Layout:
    """The layout of a model class (computed once per class)."""
    if cls not in _LAYOUTS:
        _LAYOUTS[cls] = _layout_of(cls)
    return _LAYOUTS[cls]


def _layout_of(cls: type[Any]) -> Layout:
    definition, resolver = _titled_definitions()[cls.__name__]
    properties: dict[str, Any] = {}
    dispatch = None
    for part in definition.get("allOf", ()):
        if "$ref" in part:  # a base class: its properties come first
            base = resolver.lookup(part["$ref"]).contents
            properties.update(base.get("properties", {}))
        elif _is_dispatch(part):
            dispatch = _merge_dispatch(dispatch, part, resolver)
    properties.update(definition.get("properties", {}))
    return Layout(tuple((key, attribute_name(key)) for key in properties), dispatch)


def _is_dispatch(branch: dict[str, Any]) -> bool:
    """``if`` a discriminator has a value, ``then`` one property has a given schema, and nothing else."""
    condition, consequence = branch.get("if", {}), branch.get("then", {})
    return "properties" in condition and consequence.keys() == {"properties"}


def _merge_dispatch(
    found: tuple[str, str, Mapping[str, type]] | None, branch: dict[str, Any], resolver: Resolver[Any]
) -> tuple[str, str, Mapping[str, type]]:
    """Add one ``if: {properties: {D: {const: V}}} then: {properties: {F: ref}}`` branch."""
    ((discriminator, condition),) = branch["if"]["properties"].items()
    ((field, target),) = branch["then"]["properties"].items()
    if "anyOf" in target:  # nullable: the non-null branch
        target = target["anyOf"][0]
    resolved = resolver.lookup(target["$ref"])
    while "$ref" in resolved.contents:  # a payload file's root refers to its class definition
        resolved = resolved.resolver.lookup(resolved.contents["$ref"])
    targets = dict(found[2]) if found else {}
    targets[condition["const"]] = model_classes()[resolved.contents["title"]]
    return discriminator, field, targets


def from_json(cls: type[T], data: Mapping[str, Any]) -> T:
    """Build ``cls`` from a decoded, already validated JSON object."""
    shape = layout(cls)
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    for key, value in data.items():
        attribute = shape.attribute(key)
        if attribute is None:
            unknown[key] = value
        else:
            values[attribute] = _convert(value, hints[attribute])
    if shape.dispatch is not None:
        discriminator, field, targets = shape.dispatch
        target = targets.get(data.get(discriminator))  # type: ignore[arg-type]
        if target is not None and isinstance(data.get(field), Mapping):
            values[attribute_name(field)] = from_json(target, data[field])
    instance = cls(**values)
    object.__setattr__(instance, _SOURCE_KEYS, tuple(data))
    object.__setattr__(instance, _UNKNOWN, unknown)
    return instance


def _convert(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        fitting = [arg for arg in args if arg is not type(None) and _fits(value, arg)]
        return _convert(value, fitting[0]) if fitting else value
    if dataclasses.is_dataclass(hint) and isinstance(value, Mapping):
        return from_json(hint, value)  # type: ignore[arg-type]
    if origin is list and isinstance(value, list):
        return [_convert(item, args[0]) for item in value]
    if origin is dict and isinstance(value, Mapping):
        return {key: _convert(item, args[1]) for key, item in value.items()}
    return value


def _fits(value: Any, hint: Any) -> bool:
    if dataclasses.is_dataclass(hint) or typing.get_origin(hint) is dict:
        return isinstance(value, Mapping)
    if typing.get_origin(hint) is list:
        return isinstance(value, list)
    return True


_SCALARS = frozenset({str, int, float, bool, type(None)})


def is_decoded_json(value: Any) -> bool:
    """Whether ``value`` is decoded JSON already: dicts, lists and scalars only, no model object
    anywhere in it (so ``to_json`` would only copy it).

    >>> is_decoded_json({"a": [1, "x", None]}), is_decoded_json({"a": (1,)})
    (True, False)
    """
    return all(type(leaf) in _SCALARS for leaf in leaves(value))


def to_json(value: Any) -> Any:
    """The JSON value of a model object (or of lists and maps of them)."""
    if type(value) in _SCALARS:  # exactly these types: the leaves of decoded JSON, cheaply
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _object_to_json(value)
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, Mapping):
        return {key: to_json(item) for key, item in value.items()}
    return value


def _object_to_json(instance: Any) -> dict[str, Any]:
    shape = layout(type(instance))
    source_keys: tuple[str, ...] = getattr(instance, _SOURCE_KEYS, ())
    # Payload data made by code (not parsed: parsed data round-trips as read) always says a
    # default of true, such as a repair's dry_run: a reader that missed it would act on false.
    writes_true = not hasattr(instance, _SOURCE_KEYS) and ".models.payloads." in type(instance).__module__
    unknown: Mapping[str, Any] = getattr(instance, _UNKNOWN, {})
    defaults = {f.name: f.default for f in dataclasses.fields(instance)}
    result: dict[str, Any] = {}
    for key in source_keys:  # what the source had, in its order, null included
        attribute = shape.attribute(key)
        result[key] = to_json(unknown[key] if attribute is None else getattr(instance, attribute))
    for key, attribute in shape.members:  # what code set since (or built from scratch)
        value, default = getattr(instance, attribute), defaults[attribute]
        if key in result:
            continue
        if default is True and writes_true:
            result[key] = True if value is None else to_json(value)
        elif value is not None and value != default:
            result[key] = to_json(value)
    for key, value in unknown.items():  # unknown members added after parsing
        result.setdefault(key, to_json(value))
    return result


def reorder(instance: Any) -> None:
    """Put every object's members in schema order (unknown ones last), through the whole tree.

    For documents made in code, whose key order is only the order the setters ran in.
    """
    if isinstance(instance, list):
        for item in instance:
            reorder(item)
        return
    if not dataclasses.is_dataclass(instance) or isinstance(instance, type):
        return
    rank = {key: i for i, (key, _) in enumerate(layout(type(instance)).members)}
    keys: tuple[str, ...] = getattr(instance, _SOURCE_KEYS, ())
    ordered = sorted(keys, key=lambda key: rank.get(key, len(rank)))  # stable: unknown keys keep their order
    object.__setattr__(instance, _SOURCE_KEYS, tuple(ordered))
    for field in dataclasses.fields(instance):
        reorder(getattr(instance, field.name))


def unknown_members(instance: Any) -> dict[str, Any]:
    """The members of ``instance``'s source that no schema declares (a live dict: edits are written back)."""
    unknown: dict[str, Any] | None = getattr(instance, _UNKNOWN, None)
    if unknown is None:
        unknown = {}
        object.__setattr__(instance, _UNKNOWN, unknown)
    return unknown


def replace(instance: T, /, **changes: Any) -> T:
    """``dataclasses.replace`` that keeps the unknown members and the source's key order."""
    changed = dataclasses.replace(instance, **changes)  # type: ignore[type-var]
    object.__setattr__(changed, _SOURCE_KEYS, getattr(instance, _SOURCE_KEYS, ()))
    object.__setattr__(changed, _UNKNOWN, dict(getattr(instance, _UNKNOWN, {})))
    return changed
