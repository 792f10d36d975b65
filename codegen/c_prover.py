"""Compile the closed bundles to C: the schema half of the prover (``c/generated/schemas.h``).

Every schema object becomes one function ``int valid_<place>(const Tape *t, uint32_t i)``
that is 1 when the value at tape node ``i`` is valid against it and 0 when not. Both
answers are exact for every document the tape reader accepts (see ``c/tape.h``), so
``not``, ``if`` and ``anyOf`` need no third "unsure" answer. Its twin ``find_<place>``
lists what fails in a value that ``valid_<place>`` refuses: it records every failing
keyword, as the reference engine lists its errors (an ``anyOf`` that fails holds its
branches' errors), for Python to word.

A function is named after where its schema object is (the schema file and the JSON
Pointer to it), so a schema edit changes only the functions of what it edits; functions,
automata and tables are written in the order of their names.

Each keyword is compiled by its own function below, registered with ``@compiles`` (as
python-jsonschema keeps one function per keyword): what a keyword is, and whether the
prover checks it, is the keyword table's entry (schemas/keywords-v1.json). A keyword a
schema uses that the table does not list, or lists as unsupported, raises Unsupported
naming the schema file, the pointer and the keyword: a schema change that needs more
must extend this compiler, never be skipped by it. Patterns become DFAs (regex_dfa);
property names are tested against ``patternProperties`` here, with Python's ``re`` as
the reference engine does.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urljoin

from jsonschema import Draft202012Validator
from regex_dfa import ALPHABET, OTHER, Dfa, Unsupported, compile_pattern, searched_class

from guestkit_job_spec.protocol import keywords
from guestkit_job_spec.protocol.closed_bundles import resolve
from guestkit_job_spec.protocol.pointers import escape

DEAD = 0xFF  # the automata's failed state, in the C tables

_KIND_TESTS = {
    "null": "n->kind == K_NULL",
    "boolean": "(n->kind == K_TRUE || n->kind == K_FALSE)",
    "integer": "(n->kind == K_INT || (n->kind == K_FRACTION && n->number == floor(n->number)))",
    "number": "(n->kind == K_INT || n->kind == K_FRACTION)",
    "string": "n->kind == K_STRING",
    "array": "n->kind == K_ARRAY",
    "object": "n->kind == K_OBJECT",
}
_FORMATS = {"date-time": "is_date_time(t, i)"}


def c_string(text: str) -> str:
    """A C string literal of ``text``'s UTF-8 bytes."""
    return '"' + "".join(chr(b) if 32 <= b < 127 and b not in b'"\\?' else f"\\{b:03o}" for b in text.encode()) + '"'


def checked_keywords() -> list[str]:
    """The keywords the prover checks, in the table's order: the finding functions report them by index."""
    return [name for name, keyword in keywords.table().items() if keyword.prover == "checks"]


# ------------------------------------------------------------------ where a schema object is


@dataclass(frozen=True)
class Place:
    """A schema object's place: the URI of the schema file it is in, and a JSON Pointer in that file."""

    resource: str
    pointer: str

    def at(self, relative: str) -> Place:
        return Place(self.resource, f"{self.pointer}/{relative}")

    def __str__(self) -> str:
        return f"{self.resource.rsplit('/schemas/', 1)[-1]}#{self.pointer}"

    def identifier(self) -> str:
        """A C identifier for the place: the file, then the pointer without its $defs steps."""
        file = self.resource.rsplit("/schemas/", 1)[-1].removesuffix(".json")
        steps = [step for step in self.pointer.split("/")[1:] if step != "$defs"]
        return re.sub(r"[^A-Za-z0-9]+", "_", "_".join([file, *steps])).strip("_")


# ------------------------------------------------------------------ the two kinds of function


class Prove:
    """How a proving function ``valid_*`` acts on a failing keyword: it returns 0 at the first."""

    prefix = "valid_"

    def signature(self, name: str) -> str:
        return f"static int {name}(const Tape *t, uint32_t i)"

    def fail_if(self, condition: str, keyword: str) -> str:
        return f"if ({condition}) return 0;"

    def descend(self, function: str, node: str) -> str:
        return "" if function == "always" else f"if (!{function}(t, {node})) return 0;"

    def unexpected(self) -> str:
        return "return 0;"

    def unexpected_name(self) -> str:
        return "return 0;"

    def any_of(self, functions: list[str]) -> str:
        return self.fail_if(f"!({' || '.join(f'{function}(t, i)' for function in functions)})", "anyOf")

    def conditional(self, condition: str, then: str, otherwise: str) -> str:
        return f"if (!({condition}(t, i) ? {then}(t, i) : {otherwise}(t, i))) return 0;"

    def ending(self) -> str:
        return "return 1;"


class Find:
    """How a finding function ``find_*`` acts on a failing keyword: it records it (c/findings.h)
    and goes on, descending where a value fails, as the reference engine's error list does."""

    prefix = "find_"

    def __init__(self, compiler: Compiler, schema: str) -> None:
        self.compiler = compiler
        self.schema = schema  # the SCHEMA_* constant naming the schema object in SCHEMAS

    def signature(self, name: str) -> str:
        return f"static void {name}(const Tape *t, uint32_t i, Findings *f, int32_t p, uint8_t b)"

    def found(self, keyword: str, key: str = "0") -> str:
        return f"found(f, {self.schema}, KW_{keyword}, i, {key}, p, b);"

    def fail_if(self, condition: str, keyword: str) -> str:
        return f"if ({condition}) {self.found(keyword)}"

    def descend(self, function: str, node: str) -> str:
        if function == "always":
            return ""
        return f"if (!{function}(t, {node})) {self.compiler.finder(function)}(t, {node}, f, p, b);"

    def unexpected(self) -> str:
        return self.found("additionalProperties", key="k")

    def unexpected_name(self) -> str:
        return self.found("propertyNames", key="k")

    def any_of(self, functions: list[str]) -> str:
        if len(functions) > 0xFF:
            raise Unsupported(f"anyOf with {len(functions)} branches; findings number them in 8 bits")
        branches = " ".join(
            f"{self.compiler.finder(function)}(t, i, f, q, {branch});" for branch, function in enumerate(functions)
        )
        failed = " || ".join(f"{function}(t, i)" for function in functions)
        return f"if (!({failed})) {{ const int32_t q = {self.found('anyOf')[:-1]}; {branches} }}"

    def conditional(self, condition: str, then: str, otherwise: str) -> str:
        return f"if ({condition}(t, i)) {{ {self.descend(then, 'i')} }} else {{ {self.descend(otherwise, 'i')} }}"

    def ending(self) -> str:
        return "(void)f, (void)p, (void)b;"


Mode = Prove | Find


@dataclass(frozen=True)
class Context:
    """What a keyword's compiling function gets: the schema object, where it is, the mode, the compiler."""

    schema: dict[str, Any]
    place: Place
    base: str
    doc_type: str
    mode: Mode
    compiler: Compiler

    def sub(self, relative: str, schema: Any) -> str:
        """The function of a subschema found at ``relative`` below this schema object."""
        return self.compiler.function(schema, self.place.at(relative), self.base, self.doc_type)


# ------------------------------------------------------------------ one compiling function per keyword

KeywordCompiler = Callable[[Context], list[str]]
COMPILERS: dict[str, KeywordCompiler] = {}
"""Each keyword the prover checks, to the function compiling it (keywords compiled together share one)."""


def compiles(*names: str) -> Callable[[KeywordCompiler], KeywordCompiler]:
    def register(function: KeywordCompiler) -> KeywordCompiler:
        for name in names:
            COMPILERS[name] = function
        return function

    return register


@compiles("$ref")
def _ref(c: Context) -> list[str]:
    target = urljoin(c.base, c.schema["$ref"])
    resource, fragment = urldefrag(target)
    resolved = resolve(target, c.compiler.resources_of(c.doc_type))
    return [c.mode.descend(c.compiler.function(resolved, Place(resource, fragment), resource, c.doc_type), "i")]


@compiles("type")
def _type(c: Context) -> list[str]:
    kinds = c.schema["type"] if isinstance(c.schema["type"], list) else [c.schema["type"]]
    return [c.mode.fail_if(f"!({' || '.join(_KIND_TESTS[kind] for kind in kinds)})", "type")]


@compiles("const")
def _const(c: Context) -> list[str]:
    return [c.mode.fail_if(f"!({_equals(c.schema['const'])})", "const")]


@compiles("enum")
def _enum(c: Context) -> list[str]:
    return [c.mode.fail_if(f"!({' || '.join(_equals(value) for value in c.schema['enum'])})", "enum")]


def _bound(word: str, test: str) -> KeywordCompiler:
    def compile_bound(c: Context) -> list[str]:
        bound = c.schema[word]
        if not isinstance(bound, int) or isinstance(bound, bool) or abs(bound) >= 2**53:
            raise Unsupported(f"{c.place}/{word}: {word} {bound!r}; the prover compares integers of at most 53 bits")
        condition = (
            f"n->kind == K_INT ? n->integer {test} {bound}LL : n->kind == K_FRACTION && n->number {test} {bound}.0"
        )
        return [c.mode.fail_if(condition, word)]

    return compile_bound


compiles("minimum")(_bound("minimum", "<"))
compiles("maximum")(_bound("maximum", ">"))


def _size(word: str, kind: str, field: str, test: str) -> KeywordCompiler:
    def compile_size(c: Context) -> list[str]:
        return [c.mode.fail_if(f"n->kind == {kind} && n->{field} {test} {int(c.schema[word])}u", word)]

    return compile_size


compiles("minLength")(_size("minLength", "K_STRING", "chars", "<"))
compiles("maxLength")(_size("maxLength", "K_STRING", "chars", ">"))


@compiles("pattern")
def _pattern(c: Context) -> list[str]:
    return [
        c.mode.fail_if(f"n->kind == K_STRING && !{c.compiler.dfa(c.schema['pattern'], final_newline=True)}", "pattern")
    ]


@compiles("format")
def _format(c: Context) -> list[str]:
    if c.schema["format"] not in _FORMATS:
        raise Unsupported(f"{c.place}/format: the prover checks no format {c.schema['format']!r}")
    return [c.mode.fail_if(f"n->kind == K_STRING && !{_FORMATS[c.schema['format']]}", "format")]


compiles("minItems")(_size("minItems", "K_ARRAY", "count", "<"))
compiles("maxItems")(_size("maxItems", "K_ARRAY", "count", ">"))


@compiles("items")
def _items(c: Context) -> list[str]:
    return [
        "if (n->kind == K_ARRAY)\n"
        "        for (uint32_t m = 0, e = i + 1; m < n->count; m++, e = t->nodes[e].next) {\n"
        f"            {c.mode.descend(c.sub('items', c.schema['items']), 'e')}\n"
        "        }"
    ]


@compiles("properties", "patternProperties", "additionalProperties", "required")
def _object(c: Context) -> list[str]:
    """properties, patternProperties, additionalProperties and required, in one pass over the members."""
    schema, mode = c.schema, c.mode
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    required = schema.get("required", [])
    names = list(dict.fromkeys([*properties, *required]))
    if len(required) > 64:
        raise Unsupported(f"{c.place}/required: more than 64 required properties")
    bits = {field: index for index, field in enumerate(dict.fromkeys(required))}
    cases: dict[int, list[str]] = {}
    for field in names:
        steps = [f"seen |= 1ULL << {bits[field]};"] if field in bits else []
        checks = [(f"properties/{escape(field)}", properties[field])] if field in properties else []
        # A declared name that a pattern also matches must pass both (decided here, by re).
        checks += [(f"patternProperties/{escape(p)}", value) for p, value in patterns.items() if re.search(p, field)]
        steps += [step for where, check in checks if (step := mode.descend(c.sub(where, check), "v"))]
        length = len(field.encode())
        cases.setdefault(length, []).append(
            f"if (memcmp(name, {c_string(field)}, {length}) == 0) {{ {' '.join(steps)} known = 1; }}"
        )
    switch = "".join(
        f"            case {length}:\n"
        + "".join(f"                {branch}\n" for branch in branches)
        + "                break;\n"
        for length, branches in sorted(cases.items())
    )
    unknown_steps = "".join(
        f"                if ({c.compiler.dfa(pattern, 'k', final_newline=False)}) "
        f"{{ matched = 1; {mode.descend(c.sub(f'patternProperties/{escape(pattern)}', value), 'v')} }}\n"
        for pattern, value in patterns.items()
    )
    if _names_checked_as_unknown(c):
        names = c.sub("propertyNames", schema["propertyNames"])
        unknown_steps = f"                if (!{names}(t, k)) return 0;\n{unknown_steps}"
    additional = schema.get("additionalProperties", True)
    if additional is False:
        unknown_steps += f"                if (!matched) {mode.unexpected()}\n"
    elif additional is not True:
        unknown_steps += (
            f"                if (!matched) {{ {mode.descend(c.sub('additionalProperties', additional), 'v')} }}\n"
        )
    mask = (1 << len(bits)) - 1
    text = (
        "if (n->kind == K_OBJECT) {\n"
        "        uint64_t seen = 0;\n"
        "        for (uint32_t m = 0, k = i + 1; m < n->count; m++, k = t->nodes[k + 1].next) {\n"
        "            const uint32_t v = k + 1;\n"
        "            const char *name = (const char *)string_bytes(t, &t->nodes[k]);\n"
        "            int known = 0, matched = 0;\n"
        "            (void)name, (void)matched;\n"
        "            switch (t->nodes[k].len) {\n"
        f"{switch}"
        "            }\n"
    )
    if unknown_steps:
        text += f"            if (!known) {{\n{unknown_steps}            }}\n"
    text += "            (void)known, (void)v;\n        }\n"
    if bits:
        text += f"        {mode.fail_if(f'(seen & {mask:#x}ULL) != {mask:#x}ULL', 'required')}\n    }}"
    else:
        text += "        (void)seen;\n    }"
    return [text]


def _names_checked_as_unknown(c: Context) -> bool:
    """Whether a proving function checks propertyNames only on the names the object does not
    declare, in the pass over its members: when every declared name passes (decided here, by
    jsonschema, the reference engine), as every name of a closed bundle's guard does."""
    names_schema = c.schema.get("propertyNames")
    if not isinstance(c.mode, Prove) or names_schema is None or "$ref" in json.dumps(names_schema):
        return False
    declared = [*c.schema.get("properties", {}), *c.schema.get("required", [])]
    return bool(declared) and all(Draft202012Validator(names_schema).is_valid(name) for name in declared)


@compiles("propertyNames")
def _property_names(c: Context) -> list[str]:
    """Each member name, a string node of the tape, checked against the subschema; a failure
    names the member (as additionalProperties does), for Python to report where it is."""
    if _names_checked_as_unknown(c):
        return []  # _object checks them
    names = c.sub("propertyNames", c.schema["propertyNames"])
    return [
        "if (n->kind == K_OBJECT)\n"
        "        for (uint32_t m = 0, k = i + 1; m < n->count; m++, k = t->nodes[k + 1].next) {\n"
        f"            if (!{names}(t, k)) {c.mode.unexpected_name()}\n"
        "        }"
    ]


@compiles("allOf")
def _all_of(c: Context) -> list[str]:
    return [c.mode.descend(c.sub(f"allOf/{index}", part), "i") for index, part in enumerate(c.schema["allOf"])]


@compiles("anyOf")
def _any_of(c: Context) -> list[str]:
    return [c.mode.any_of([c.sub(f"anyOf/{index}", part) for index, part in enumerate(c.schema["anyOf"])])]


@compiles("not")
def _not(c: Context) -> list[str]:
    return [c.mode.fail_if(f"{c.sub('not', c.schema['not'])}(t, i)", "not")]


@compiles("if", "then", "else")
def _conditional(c: Context) -> list[str]:
    if "if" not in c.schema:  # then and else without if apply nothing
        return []
    branches = [c.sub(word, c.schema.get(word, True)) for word in ("if", "then", "else")]
    return [c.mode.conditional(*branches)]


def _equals(value: Any) -> str:
    if isinstance(value, str):
        return f"is_string(t, i, {c_string(value)}, {len(value.encode())})"
    if value is None:
        return "n->kind == K_NULL"
    if isinstance(value, bool):
        return "n->kind == K_TRUE" if value else "n->kind == K_FALSE"
    raise Unsupported(f"const or enum value {value!r}: only strings, booleans and null")


# ------------------------------------------------------------------ the compiler


class Compiler:
    def __init__(self, resources_of: Callable[[str], dict[str, Any]]) -> None:
        self.resources_of = resources_of
        self.places: dict[Place, tuple[str, dict[str, Any], str, str, str]] = {}  # name, schema, base, doc type, text
        self.names: dict[str, Place] = {}
        self.bodies: dict[str, str] = {}  # by function name
        self.dfas: dict[str, str] = {}
        self.dfa_tables: dict[str, str] = {}  # by automaton name

    def function(self, schema: Any, place: Place, base: str, doc_type: str) -> str:
        """The name of the C function proving ``schema`` (found at ``place``), compiling it on first use."""
        if schema is True:
            return "always"
        if schema is False:  # the reference's error for it names no keyword to word
            raise Unsupported(f"{place}: false as a subschema outside additionalProperties")
        if not isinstance(schema, dict):
            raise Unsupported(f"{place}: a schema must be an object or a boolean, got {schema!r}")
        if isinstance(schema.get("$id"), str):
            base = urljoin(base, schema["$id"])
        text = json.dumps(schema, sort_keys=True)
        if place in self.places:
            name, _, _, other_type, seen = self.places[place]
            if seen != text:
                raise Unsupported(f"{place} differs between the closed bundles of {other_type} and {doc_type}")
            return name
        name = Prove.prefix + self.identifier(place)
        self.places[place] = (name, schema, base, doc_type, text)
        self.bodies[name] = self.body(name, schema, place, base, doc_type, Prove())
        return name

    def identifier(self, place: Place) -> str:
        """The place's C identifier, made unique with a hash of the place where two places share one."""
        identifier = place.identifier()
        if identifier in self.names and self.names[identifier] != place:
            identifier += "_" + hashlib.sha256(str(place).encode()).hexdigest()[:8]
        self.names[identifier] = place
        return identifier

    def finder(self, function: str) -> str:
        """The name of the C function finding what ``function`` refuses, compiling it on first use
        (only where a failure is looked into: a schema used as a condition needs none)."""
        name = Find.prefix + function.removeprefix(Prove.prefix)
        if name not in self.bodies:
            place = self.names[function.removeprefix(Prove.prefix)]
            _, schema, base, doc_type, _ = self.places[place]
            constant = "SCHEMA_" + function.removeprefix(Prove.prefix)
            self.bodies[name] = ""  # taken: a schema that refers to itself does not recurse here
            self.bodies[name] = self.body(name, schema, place, base, doc_type, Find(self, constant))
        return name

    def body(self, name: str, schema: dict[str, Any], place: Place, base: str, doc_type: str, mode: Mode) -> str:
        for word in schema:
            entry = keywords.get(word)
            if word.startswith("x-"):
                continue  # extension annotations, such as x-rule
            if entry is None:
                raise Unsupported(f"{place}/{word}: the keyword '{word}' is not in schemas/keywords-v1.json")
            if entry.prover == "unsupported":
                raise Unsupported(
                    f"{place}/{word}: the prover cannot compile the keyword '{word}'; give it a compiling function "
                    'in codegen/c_prover.py and mark it `"prover": "checks"` in schemas/keywords-v1.json'
                )
            if entry.prover == "checks" and word not in COMPILERS:
                raise Unsupported(f"{place}/{word}: schemas/keywords-v1.json says the prover checks '{word}', "
                                  "but codegen/c_prover.py has no compiling function for it")  # fmt: skip
        context = Context(schema, place, base, doc_type, mode, self)
        checks: list[str] = []
        done: set[KeywordCompiler] = set()
        for word, compile_keyword in COMPILERS.items():  # in the order they are registered above
            if word in schema and compile_keyword not in done:
                done.add(compile_keyword)
                checks += compile_keyword(context)
        lines = "\n".join(f"    {check}" for check in checks if check)
        head = f"/* {place} */\n{mode.signature(name)} {{\n    const Node *n = &t->nodes[i];\n    (void)n;\n"
        return f"{head}{lines}\n    {mode.ending()}\n}}\n"

    def dfa(self, pattern: str, node: str = "i", *, final_newline: bool) -> str:
        """A C expression: whether the string at tape node ``node`` matches ``pattern``. With
        ``final_newline``, as Python's ``re.search`` does for a value's ``pattern`` (the reference
        engine's), a closing ``$`` also matches before a final newline; without it, as the
        unknown-field lint matches a name with ``fullmatch``, only at the end."""
        if pattern not in self.dfas:
            automaton = compile_pattern(pattern)
            name = "dfa_" + hashlib.sha256(pattern.encode()).hexdigest()[:12]
            symbols = searched_class(automaton)
            if symbols is None:
                self.dfas[pattern] = f"matches(t, {{node}}, {name}_next, {name}_accepting, {{final_newline}})"
                self.dfa_tables[name] = _dfa_table(name, pattern, automaton)
            else:  # one class anywhere: each byte decides alone (a non-ASCII byte stands for OTHER)
                self.dfas[pattern] = f"contains_any(t, {{node}}, {name}_bytes)"
                self.dfa_tables[name] = _class_table(name, pattern, symbols)
        return self.dfas[pattern].format(node=node, final_newline=int(final_newline))


def _dfa_table(name: str, pattern: str, automaton: Dfa) -> str:
    if len(automaton.transitions) >= DEAD:
        raise Unsupported(f"pattern {pattern!r} needs {len(automaton.transitions)} states; at most {DEAD - 1}")
    rows = [
        "    {" + ", ".join(str(DEAD if target < 0 else target) for target in row) + "},"
        for row in automaton.transitions
    ]
    accepting = ", ".join("1" if flag else "0" for flag in automaton.accepting)
    comment = pattern.replace("*/", "*\\/")
    return (
        f"/* {comment} */\n"
        f"static const uint8_t {name}_next[][{ALPHABET}] = {{\n" + "\n".join(rows) + "\n};\n"
        f"static const uint8_t {name}_accepting[] = {{{accepting}}};\n"
    )


def _class_table(name: str, pattern: str, symbols: frozenset[int]) -> str:
    flags = ", ".join("1" if (byte if byte < OTHER else OTHER) in symbols else "0" for byte in range(256))
    comment = pattern.replace("*/", "*\\/")
    return f"/* {comment}: one class, searched for */\nstatic const uint8_t {name}_bytes[256] = {{{flags}}};\n"


def render(
    doc_types: list[str],
    bundle_of: Callable[[str], dict[str, Any]],
    resources_of: Callable[[str], dict[str, Any]],
    payload_types: list[str],
    schemas_digest: str,
) -> str:
    """The text of ``c/generated/schemas.h``: a root function per document type, and what they need."""
    compiler = Compiler(resources_of)
    roots = []
    for doc_type in doc_types:
        bundle = bundle_of(doc_type)
        roots.append(compiler.function(bundle, Place(bundle["$id"], ""), bundle["$id"], doc_type))
    finders = [compiler.finder(root) for root in roots]
    identifiers = sorted(name.removeprefix(Prove.prefix) for name, *_ in compiler.places.values())
    if len(identifiers) > 0xFFFF:
        raise Unsupported(f"{len(identifiers)} schema objects; findings number them in 16 bits")
    words = checked_keywords()
    prototypes = "".join(
        f"{mode.signature(mode.prefix + identifier)};\n"
        for identifier in identifiers
        for mode in (Prove(), Find(compiler, ""))
        if mode.prefix + identifier in compiler.bodies
    )
    schema_texts = "".join(
        f"    [SCHEMA_{identifier}] = {c_string(_constraints(compiler, identifier))},\n" for identifier in identifiers
    )
    return (
        "/* Generated by codegen/c_prover.py from the closed bundles (`make gen`): do not edit. */\n"
        "#ifndef GUESTKIT_SCHEMAS_H\n#define GUESTKIT_SCHEMAS_H\n\n"
        '#include "../checks.h"\n#include "../findings.h"\n\n'
        "/* The keywords the prover checks (schemas/keywords-v1.json), as findings name them. */\n"
        + f"enum Keyword {{{', '.join('KW_' + word.lstrip('$') for word in words)}}};\n"
        + f"static const char *const KEYWORDS[] = {{{', '.join(c_string(word) for word in words)}}};\n\n"
        + "/* Every schema object, by its place; SCHEMAS[SCHEMA_x] is its JSON (annotations left out). */\n"
        + "enum Schema {\n"
        + "".join(f"    SCHEMA_{identifier},\n" for identifier in identifiers)
        + "};\n\n"
        + "\n".join(compiler.dfa_tables[name] for name in sorted(compiler.dfa_tables))
        + "\n"
        + prototypes
        + "\n"
        + "\n".join(compiler.bodies[name] for name in sorted(compiler.bodies))
        + "\nstatic const char *const SCHEMAS[] = {\n"
        + schema_texts
        + "};\n\n"
        + "/* Document types, in the order of schemas/index.json, and the functions proving each and\n"
        + " * finding what fails in each. */\n"
        + f"static const char *const DOCUMENT_TYPES[] = {{{', '.join(c_string(t) for t in doc_types)}}};\n"
        + f"static int (*const ROOTS[])(const Tape *, uint32_t) = {{{', '.join(roots)}}};\n"
        + "static void (*const FINDERS[])(const Tape *, uint32_t, Findings *, int32_t, uint8_t) = "
        + f"{{{', '.join(finders)}}};\n\n"
        + "/* The schemas this was generated from (protocol.resources.schemas_digest): the fast engine\n"
        + " * does not use a prover generated from other schemas than the ones it validates with. */\n"
        + f"static const char SCHEMAS_DIGEST[] = {c_string(schemas_digest)};\n\n"
        + "/* Payload types with a registered schema (schemas/index.json). */\n"
        + f"static const char *const PAYLOAD_TYPES[] = {{{', '.join(c_string(t) for t in payload_types)}}};\n\n"
        + "#endif\n"
    )


def _constraints(compiler: Compiler, identifier: str) -> str:
    """The JSON of a schema object without what never changes a verdict (annotations, identifiers)."""
    _, schema, *_ = compiler.places[compiler.names[identifier]]
    kept = {
        word: value
        for word, value in schema.items()
        if word == "$id"
        or word.startswith("x-")
        or (entry := keywords.get(word)) is None
        or entry.kind not in ("annotation", "identifier")
    }
    return json.dumps(kept, sort_keys=True)
