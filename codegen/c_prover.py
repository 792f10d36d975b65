"""Compile the closed bundles to C: the schema half of the prover (``c/generated/schemas.h``).

Every schema object becomes one function ``int sN(const Tape *t, uint32_t i)`` that is 1
when the value at tape node ``i`` is valid against it and 0 when not. Both answers are
exact for every document the tape reader accepts (see ``c/tape.h``), so ``not``,
``if`` and ``anyOf`` need no third "unsure" answer. Its twin ``xN`` lists what fails in a value that
``sN`` refuses: it records every failing keyword, as the reference engine lists its
errors (an ``anyOf`` that fails holds its branches' errors), for Python to word. Keywords outside the supported set
raise Unsupported: a schema change that needs more must extend this compiler, never be
skipped by it. Patterns become DFAs (regex_dfa); property names are tested against
``patternProperties`` here, with Python's ``re`` as the reference engine does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urldefrag, urljoin

from regex_dfa import ALPHABET, OTHER, Dfa, Unsupported, compile_pattern, searched_class

from guestkit_job_spec.protocol.closed_bundles import resolve

DEAD = 0xFF  # the automata's failed state, in the C tables

# Keywords that do not constrain instances.
ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples", "deprecated"}
)
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


# The keywords an finding function reports, as the reference engine names them.
KEYWORDS = (
    "type",
    "const",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "required",
    "additionalProperties",
    "anyOf",
    "not",
)


class Prove:
    """How a proving function ``sN`` acts on a failing keyword: it returns 0 at the first."""

    def signature(self, name: str) -> str:
        return f"static int {name}(const Tape *t, uint32_t i)"

    def fail_if(self, condition: str, keyword: str) -> str:
        return f"if ({condition}) return 0;"

    def descend(self, function: str, node: str) -> str:
        return "" if function == "always" else f"if (!{function}(t, {node})) return 0;"

    def unexpected(self) -> str:
        return "return 0;"

    def any_of(self, functions: list[str]) -> str:
        return self.fail_if(f"!({' || '.join(f'{function}(t, i)' for function in functions)})", "anyOf")

    def conditional(self, condition: str, then: str, otherwise: str) -> str:
        return f"if (!({condition}(t, i) ? {then}(t, i) : {otherwise}(t, i))) return 0;"

    def ending(self) -> str:
        return "return 1;"


class Find:
    """How an finding function ``xN`` acts on a failing keyword: it records it (c/findings.h)
    and goes on, descending where a value fails, as the reference engine's error list does."""

    def __init__(self, compiler: Compiler, schema: int) -> None:
        self.compiler = compiler
        self.schema = schema

    def signature(self, name: str) -> str:
        return f"static void {name}(const Tape *t, uint32_t i, Findings *f, int32_t p, uint8_t b)"

    def found(self, keyword: str, key: str = "0") -> str:
        return f"found(f, {self.schema}, KW_{keyword}, i, {key}, p, b);"

    def fail_if(self, condition: str, keyword: str) -> str:
        return f"if ({condition}) {self.found(keyword)}"

    def descend(self, function: str, node: str) -> str:
        if function == "always":
            return ""
        return f"if (!{function}(t, {node})) {self.finder(function)}(t, {node}, f, p, b);"

    def finder(self, function: str) -> str:
        return self.compiler.finder(function)

    def unexpected(self) -> str:
        return self.found("additionalProperties", key="k")

    def any_of(self, functions: list[str]) -> str:
        if len(functions) > 0xFF:
            raise Unsupported(f"anyOf with {len(functions)} branches; findings number them in 8 bits")
        branches = " ".join(
            f"{self.finder(function)}(t, i, f, q, {branch});" for branch, function in enumerate(functions)
        )
        failed = " || ".join(f"{function}(t, i)" for function in functions)
        return f"if (!({failed})) {{ const int32_t q = {self.found('anyOf')[:-1]}; {branches} }}"

    def conditional(self, condition: str, then: str, otherwise: str) -> str:
        return f"if ({condition}(t, i)) {{ {self.descend(then, 'i')} }} else {{ {self.descend(otherwise, 'i')} }}"

    def ending(self) -> str:
        return "(void)f, (void)p, (void)b;"


class Compiler:
    def __init__(self, resources_of: Callable[[str], dict[str, Any]]) -> None:
        self.resources_of = resources_of
        self.names: dict[tuple[str, str], str] = {}
        self.sources: dict[str, tuple[dict[str, Any], str, str]] = {}
        self.finders: set[str] = set()
        self.bodies: list[str] = []
        self.dfas: dict[str, str] = {}
        self.dfa_tables: list[str] = []

    def function(self, schema: Any, base: str, doc_type: str) -> str:
        """The name of the C function proving ``schema``, compiling it on first use."""
        if schema is True:
            return "always"
        if schema is False:  # the reference's error for it names no keyword to word
            raise Unsupported("false as a subschema outside additionalProperties")
        if not isinstance(schema, dict):
            raise Unsupported(f"a schema must be an object or a boolean, got {schema!r}")
        if isinstance(schema.get("$id"), str):
            base = urljoin(base, schema["$id"])
        constraints = {word: value for word, value in schema.items() if word not in ANNOTATIONS or word == "$id"}
        key = (json.dumps(constraints, sort_keys=True), base)
        if key not in self.names:
            self.names[key] = name = f"s{len(self.names)}"
            self.sources[name] = (schema, base, doc_type)
            self.bodies.append(self.body(name, schema, base, doc_type, Prove()))
        return self.names[key]

    def finder(self, function: str) -> str:
        """The name of the C function finding what ``function`` refuses, compiling it on first use
        (only where a failure is looked into: a schema used as a condition needs none)."""
        name = "x" + function[1:]
        if name not in self.finders:
            self.finders.add(name)
            schema, base, doc_type = self.sources[function]
            self.bodies.append(self.body(name, schema, base, doc_type, Find(self, int(function[1:]))))
        return name

    def body(self, name: str, schema: dict[str, Any], base: str, doc_type: str, mode: Prove | Find) -> str:
        checks: list[str] = []
        handled = set(ANNOTATIONS)
        sub = lambda value: self.function(value, base, doc_type)  # noqa: E731

        def keyword(word: str) -> bool:
            handled.add(word)
            return word in schema

        if keyword("$ref"):
            target = urljoin(base, schema["$ref"])
            resolved = resolve(target, self.resources_of(doc_type))
            checks.append(mode.descend(self.function(resolved, urldefrag(target)[0], doc_type), "i"))
        if keyword("type"):
            kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            checks.append(mode.fail_if(f"!({' || '.join(_KIND_TESTS[kind] for kind in kinds)})", "type"))
        for word in ("const", "enum"):
            if keyword(word):
                values = [schema["const"]] if word == "const" else schema["enum"]
                checks.append(mode.fail_if(f"!({' || '.join(_equals(value) for value in values)})", word))
        for word, test in (("minimum", "<"), ("maximum", ">")):
            if keyword(word):
                bound = schema[word]
                if not isinstance(bound, int) or isinstance(bound, bool) or abs(bound) >= 2**53:
                    raise Unsupported(f"{word} {bound!r}: only integers of at most 53 bits")
                condition = (
                    f"n->kind == K_INT ? n->integer {test} {bound}LL : "
                    f"n->kind == K_FRACTION && n->number {test} {bound}.0"
                )
                checks.append(mode.fail_if(condition, word))
        for word, test in (("minLength", "<"), ("maxLength", ">")):
            if keyword(word):
                checks.append(mode.fail_if(f"n->kind == K_STRING && n->chars {test} {int(schema[word])}u", word))
        if keyword("pattern"):
            pattern = self.dfa(schema["pattern"], final_newline=True)
            checks.append(mode.fail_if(f"n->kind == K_STRING && !{pattern}", "pattern"))
        if keyword("format"):
            if schema["format"] not in _FORMATS:
                raise Unsupported(f"format {schema['format']!r}")
            checks.append(mode.fail_if(f"n->kind == K_STRING && !{_FORMATS[schema['format']]}", "format"))
        for word, test in (("minItems", "<"), ("maxItems", ">")):
            if keyword(word):
                checks.append(mode.fail_if(f"n->kind == K_ARRAY && n->count {test} {int(schema[word])}u", word))
        if keyword("items"):
            checks.append(
                "if (n->kind == K_ARRAY)\n"
                "        for (uint32_t m = 0, e = i + 1; m < n->count; m++, e = t->nodes[e].next) {\n"
                f"            {mode.descend(sub(schema['items']), 'e')}\n"
                "        }"
            )
        object_words = ("properties", "patternProperties", "additionalProperties", "required")
        if [word for word in object_words if keyword(word)]:  # marks all four handled
            checks.append(self.object_checks(schema, sub, mode))
        if keyword("allOf"):
            checks += [mode.descend(sub(part), "i") for part in schema["allOf"]]
        if keyword("anyOf"):
            checks.append(mode.any_of([sub(part) for part in schema["anyOf"]]))
        if keyword("not"):
            checks.append(mode.fail_if(f"{sub(schema['not'])}(t, i)", "not"))
        if keyword("if"):
            handled |= {"then", "else"}
            checks.append(
                mode.conditional(sub(schema["if"]), sub(schema.get("then", True)), sub(schema.get("else", True)))
            )
        unknown = [word for word in schema if word not in handled and not word.startswith("x-")]
        if unknown:
            raise Unsupported(f"keywords {unknown} (in {json.dumps(schema)[:120]})")
        lines = "\n".join(f"    {check}" for check in checks if check)
        head = f"{mode.signature(name)} {{\n    const Node *n = &t->nodes[i];\n    (void)n;\n"
        return f"{head}{lines}\n    {mode.ending()}\n}}\n"

    def object_checks(self, schema: dict[str, Any], sub: Callable[[Any], str], mode: Prove | Find) -> str:
        """properties, patternProperties, additionalProperties and required, in one pass over the members."""
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        required = schema.get("required", [])
        names = list(dict.fromkeys([*properties, *required]))
        if len(required) > 64:
            raise Unsupported("more than 64 required properties")
        bits = {field: index for index, field in enumerate(dict.fromkeys(required))}
        cases: dict[int, list[str]] = {}
        for field in names:
            steps = [f"seen |= 1ULL << {bits[field]};"] if field in bits else []
            checks = [properties.get(field, True)]
            # A declared name that a pattern also matches must pass both (decided here, by re).
            checks += [value for pattern, value in patterns.items() if re.search(pattern, field)]
            steps += [step for check in checks if (step := mode.descend(sub(check), "v"))]
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
            f"                if ({self.dfa(pattern, 'k', final_newline=False)}) "
            f"{{ matched = 1; {mode.descend(sub(value), 'v')} }}\n"
            for pattern, value in patterns.items()
        )
        additional = schema.get("additionalProperties", True)
        if additional is False:
            unknown_steps += f"                if (!matched) {mode.unexpected()}\n"
        elif additional is not True:
            unknown_steps += f"                if (!matched) {{ {mode.descend(sub(additional), 'v')} }}\n"
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
        return text

    def dfa(self, pattern: str, node: str = "i", *, final_newline: bool) -> str:
        """A C expression: whether the string at tape node ``node`` matches ``pattern``. With
        ``final_newline``, as Python's ``re.search`` does for a value's ``pattern`` (the reference
        engine's), a closing ``$`` also matches before a final newline; without it, as the
        unknown-field lint matches a name with ``fullmatch``, only at the end."""
        if pattern not in self.dfas:
            automaton = compile_pattern(pattern)
            name = f"dfa{len(self.dfas)}"
            symbols = searched_class(automaton)
            if symbols is None:
                self.dfas[pattern] = f"matches(t, {{node}}, {name}_next, {name}_accepting, {{final_newline}})"
                self.dfa_tables.append(_dfa_table(name, pattern, automaton))
            else:  # one class anywhere: each byte decides alone (a non-ASCII byte stands for OTHER)
                self.dfas[pattern] = f"contains_any(t, {{node}}, {name}_bytes)"
                self.dfa_tables.append(_class_table(name, pattern, symbols))
        return self.dfas[pattern].format(node=node, final_newline=int(final_newline))


def _equals(value: Any) -> str:
    if isinstance(value, str):
        return f"is_string(t, i, {c_string(value)}, {len(value.encode())})"
    if value is None:
        return "n->kind == K_NULL"
    if isinstance(value, bool):
        return "n->kind == K_TRUE" if value else "n->kind == K_FALSE"
    raise Unsupported(f"const or enum value {value!r}: only strings, booleans and null")


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
    roots = [compiler.function(bundle_of(doc_type), "", doc_type) for doc_type in doc_types]
    if len(compiler.names) > 0xFFFF:
        raise Unsupported(f"{len(compiler.names)} schema objects; findings number them in 16 bits")
    finders = ", ".join(compiler.finder(root) for root in roots)
    prototypes = "".join(
        f"{Prove().signature(name)};\n"
        + (f"{Find(compiler, index).signature('x' + name[1:])};\n" if "x" + name[1:] in compiler.finders else "")
        for index, name in enumerate(compiler.names.values())
    )
    schema_texts = "".join(f"    {c_string(text)},\n" for text, _ in compiler.names)
    return (
        "/* Generated by codegen/c_prover.py from the closed bundles (`make gen`): do not edit. */\n"
        "#ifndef GUESTKIT_SCHEMAS_H\n#define GUESTKIT_SCHEMAS_H\n\n"
        '#include "../checks.h"\n#include "../findings.h"\n\n'
        + f"enum Keyword {{{', '.join(f'KW_{word}' for word in KEYWORDS)}}};\n"
        + f"static const char *const KEYWORDS[] = {{{', '.join(c_string(word) for word in KEYWORDS)}}};\n\n"
        + "\n".join(compiler.dfa_tables)
        + "\n"
        + prototypes
        + "\n"
        + "\n".join(compiler.bodies)
        + "\n/* The schema object each sN (and its twin xN) checks, as JSON (annotations left out). */\n"
        + f"static const char *const SCHEMAS[] = {{\n{schema_texts}}};\n\n"
        + "/* Document types, in the order of schemas/index.json, and the functions proving each and\n"
        + " * finding what fails in each. */\n"
        + f"static const char *const DOCUMENT_TYPES[] = {{{', '.join(c_string(t) for t in doc_types)}}};\n"
        + f"static int (*const ROOTS[])(const Tape *, uint32_t) = {{{', '.join(roots)}}};\n"
        + "static void (*const FINDERS[])(const Tape *, uint32_t, Findings *, int32_t, uint8_t) = "
        + f"{{{finders}}};\n\n"
        + "/* The schemas this was generated from (protocol.resources.schemas_digest): the fast engine\n"
        + " * does not use a prover generated from other schemas than the ones it validates with. */\n"
        + f"static const char SCHEMAS_DIGEST[] = {c_string(schemas_digest)};\n\n"
        + "/* Payload types with a registered schema (schemas/index.json). */\n"
        + f"static const char *const PAYLOAD_TYPES[] = {{{', '.join(c_string(t) for t in payload_types)}}};\n\n"
        + "#endif\n"
    )
