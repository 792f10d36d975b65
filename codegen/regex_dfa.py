"""Compile a schema ``pattern`` to a DFA over ASCII, for the generated C prover.

JSON Schema's ``pattern`` is a search (the reference engine calls ``re.search``). The
automaton reads code points: the 128 ASCII ones, and one symbol (OTHER) for every other
code point, which the supported patterns cannot tell apart: they name only ASCII
characters, so a non-ASCII one matches exactly the negated classes and ``.`` (which, as in
``re``, is every character but a newline). ``^`` and ``$`` are the string's ends; where
``re``'s ``$`` also matches before a final newline, the C matcher says so itself
(``matches(..., final_newline)`` in validation/fast/c/checks.h), from the same automaton.

The subset is what the protocol's schemas use: ASCII literals, escapes, classes with
ranges and negation, groups, ``|``, ``*``, ``+``, ``?`` and ``{n}``, ``{n,}``, ``{n,m}``;
``^`` and ``$`` only at the pattern's ends. Not ``\\d``, ``\\w`` or ``\\s``: ``re`` gives them
Unicode meanings that ECMA-262 does not, so portable schemas spell out ``[0-9]``.
Anything else raises Unsupported, naming the pattern: extend this module rather than let
a pattern go unchecked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OTHER = 128  # any non-ASCII code point
ALPHABET = OTHER + 1
_ANY = frozenset(range(ALPHABET))
_CONTROL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}


class Unsupported(ValueError):
    """A pattern outside the subset this compiler handles."""


@dataclass
class _Nfa:
    """Thompson NFA: epsilon moves and moves on sets of characters, state 0 unused."""

    epsilon: list[list[int]] = field(default_factory=lambda: [[]])
    moves: list[list[tuple[frozenset[int], int]]] = field(default_factory=lambda: [[]])

    def state(self) -> int:
        self.epsilon.append([])
        self.moves.append([])
        return len(self.epsilon) - 1


# A fragment is (start, end): an NFA piece entered at start that leaves from end.
Fragment = tuple[int, int]


class _Parser:
    def __init__(self, pattern: str, nfa: _Nfa) -> None:
        self.pattern, self.at, self.nfa = pattern, 0, nfa

    def fail(self, why: str) -> Unsupported:
        return Unsupported(f"pattern {self.pattern!r}, at {self.at}: {why}")

    def peek(self) -> str | None:
        return self.pattern[self.at] if self.at < len(self.pattern) else None

    def take(self) -> str:
        char = self.pattern[self.at]
        self.at += 1
        return char

    def alternation(self) -> Fragment:
        branches = [self.concatenation()]
        while self.peek() == "|":
            self.take()
            branches.append(self.concatenation())
        if len(branches) == 1:
            return branches[0]
        start, end = self.nfa.state(), self.nfa.state()
        for branch_start, branch_end in branches:
            self.nfa.epsilon[start].append(branch_start)
            self.nfa.epsilon[branch_end].append(end)
        return start, end

    def concatenation(self) -> Fragment:
        start = end = self.nfa.state()
        while self.peek() not in (None, "|", ")"):
            piece_start, piece_end = self.repetition()
            self.nfa.epsilon[end].append(piece_start)
            end = piece_end
        return start, end

    def repetition(self) -> Fragment:
        atom_at = self.at
        fragment = self.atom()
        if self.peek() not in ("*", "+", "?", "{"):
            return fragment
        low, high = self.quantifier()
        if self.peek() in ("*", "+", "?", "{"):
            raise self.fail("a quantifier after a quantifier is not supported")
        return self.repeat(atom_at, fragment, low, high)

    def quantifier(self) -> tuple[int, int | None]:
        char = self.take()
        if char != "{":
            return {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
        closing = self.pattern.find("}", self.at)
        if closing == -1:
            raise self.fail("unclosed {")
        low_text, comma, high_text = self.pattern[self.at : closing].partition(",")
        self.at = closing + 1
        if not low_text.isdigit() or (high_text and not high_text.isdigit()):
            raise self.fail("a counted repetition needs numbers")
        if not comma:
            return int(low_text), int(low_text)
        return int(low_text), int(high_text) if high_text else None

    def repeat(self, atom_at: int, fragment: Fragment, low: int, high: int | None) -> Fragment:
        """``fragment`` low to high times (no bound when high is None); copies re-parse the atom's text."""
        count = low + (1 if high is None else high - low)
        copies = [fragment] + [self.reparse(atom_at) for _ in range(count - 1)]
        start = end = self.nfa.state()
        for index, (copy_start, copy_end) in enumerate(copies[:count]):
            if index < low:
                self.nfa.epsilon[end].append(copy_start)
                end = copy_end
                continue
            skip_start, skip_end = self.nfa.state(), self.nfa.state()
            self.nfa.epsilon[skip_start] += [copy_start, skip_end]
            self.nfa.epsilon[copy_end].append(skip_end)
            if high is None:  # the optional copy may come again
                self.nfa.epsilon[copy_end].append(copy_start)
            self.nfa.epsilon[end].append(skip_start)
            end = skip_end
        return start, end

    def reparse(self, atom_at: int) -> Fragment:
        resume, self.at = self.at, atom_at
        fragment = self.atom()
        self.at = resume
        return fragment

    def atom(self) -> Fragment:
        char = self.take()
        if char == "(":
            if self.peek() == "?":
                raise self.fail("only plain groups are supported")
            fragment = self.alternation()
            if self.peek() != ")":
                raise self.fail("unclosed (")
            self.take()
            return fragment
        if char == "[":
            return self.on(self.character_class())
        if char == ".":
            return self.on(_ANY - {ord("\n")})
        if char == "\\":
            return self.on(self.escape())
        if char in "^$":
            raise self.fail(f"{char} is only supported at the pattern's ends")
        if char in "*+?{)":
            raise self.fail(f"nothing to repeat or close before {char}")
        return self.on(frozenset({self.code(char)}))

    def on(self, characters: frozenset[int]) -> Fragment:
        start, end = self.nfa.state(), self.nfa.state()
        self.nfa.moves[start].append((characters, end))
        return start, end

    def code(self, char: str) -> int:
        if ord(char) >= OTHER:
            raise self.fail("only ASCII characters are supported")
        return ord(char)

    def escape(self) -> frozenset[int]:
        char = self.take()
        if char == "x":
            digits = self.pattern[self.at : self.at + 2]
            self.at += 2
            return frozenset({self.code(chr(int(digits, 16)))})
        if char in _CONTROL_ESCAPES:
            return frozenset({ord(_CONTROL_ESCAPES[char])})
        if char.isalnum():
            raise self.fail(f"escape \\{char} is not supported")
        return frozenset({self.code(char)})

    def character_class(self) -> frozenset[int]:
        negated = self.peek() == "^"
        if negated:
            self.take()
        members: set[int] = set()
        first = True
        while first or self.peek() != "]":
            if self.peek() is None:
                raise self.fail("unclosed [")
            first = False
            low = self.class_member()
            if self.peek() == "-" and self.pattern[self.at + 1 : self.at + 2] not in ("]", ""):
                self.take()
                high = self.class_member()
                if len(low) != 1 or len(high) != 1:
                    raise self.fail("a range needs single characters at both ends")
                members.update(range(min(low), max(high) + 1))
            else:
                members.update(low)
        self.take()
        return _ANY - members if negated else frozenset(members)

    def class_member(self) -> frozenset[int]:
        char = self.take()
        return self.escape() if char == "\\" else frozenset({self.code(char)})


@dataclass(frozen=True)
class Dfa:
    """transitions[state][character] is the next state, or -1 when the match has failed."""

    transitions: tuple[tuple[int, ...], ...]
    accepting: tuple[bool, ...]


def compile_pattern(pattern: str) -> Dfa:
    """The DFA accepting exactly the ASCII strings in which ``pattern`` finds a match."""
    anchored_start = pattern.startswith("^")
    anchored_end = pattern.endswith("$") and not pattern.endswith("\\$")
    body = pattern[1 if anchored_start else 0 : len(pattern) - 1 if anchored_end else len(pattern)]
    nfa = _Nfa()
    parser = _Parser(body, nfa)
    start, end = parser.alternation()
    if parser.peek() is not None:
        raise parser.fail("unbalanced )")
    if not anchored_start:  # a search may begin anywhere
        nfa.moves[start].append((_ANY, start))
    if not anchored_end:  # and end anywhere
        nfa.moves[end].append((_ANY, end))
    return _determinize(nfa, start, end)


def searched_class(automaton: Dfa) -> frozenset[int] | None:
    """The symbols of a pattern that is one character class searched for anywhere (such as
    ``[\\x00-\\x1f]``), or None for any other pattern. Such a pattern matches exactly when
    one of these symbols occurs: the automaton has two states, the second absorbing, so a
    matcher needs no state at all."""
    transitions, accepting = automaton.transitions, automaton.accepting
    if accepting != (False, True) or set(transitions[1]) != {1} or not set(transitions[0]) <= {0, 1}:
        return None
    return frozenset(symbol for symbol, target in enumerate(transitions[0]) if target == 1)


def _closure(nfa: _Nfa, states: frozenset[int]) -> frozenset[int]:
    seen, stack = set(states), list(states)
    while stack:
        for target in nfa.epsilon[stack.pop()]:
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return frozenset(seen)


def _determinize(nfa: _Nfa, start: int, accept: int) -> Dfa:
    initial = _closure(nfa, frozenset({start}))
    index = {initial: 0}
    order = [initial]
    transitions: list[tuple[int, ...]] = []
    for states in order:  # grows while we walk it
        row = []
        for character in range(ALPHABET):
            targets = frozenset(target for state in states for chars, target in nfa.moves[state] if character in chars)
            if not targets:
                row.append(-1)
                continue
            following = _closure(nfa, targets)
            if following not in index:
                index[following] = len(order)
                order.append(following)
            row.append(index[following])
        transitions.append(tuple(row))
    return Dfa(tuple(transitions), tuple(accept in states for states in order))
