"""Reading YAML nodes with their positions: the checks every story file shares.

The loader composes YAML into nodes (never objects) so that each value keeps its line and column,
duplicate keys can be caught (PyYAML would silently keep the last), and scalars are read exactly as
written (a label `No` stays the word "No").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import yaml

from adventure.core.errors import Problem
from adventure.core.expr import INT_MAX, INT_MIN, ExprError, fits
from adventure.core.model import Source

T = TypeVar("T")

STR = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*\Z")

_KIND = {
    yaml.MappingNode: "a mapping (key: value lines)",
    yaml.SequenceNode: "a list ('- ' lines)",
    yaml.ScalarNode: "a single value",
}


def describe_node(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == NULL_TAG:
            return "nothing"
        return shorten(node.value)
    return _KIND[type(node)]


def shorten(text: str, limit: int = 60) -> str:
    """`text` quoted for a message, its middle cut out when it is long."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[: limit - 20]!r}...{text[-12:]!r} ({len(text):,} characters)"


class Reader:
    """Reads the nodes of one file, collecting problems instead of stopping at the first."""

    def __init__(self, file: str, lines: list[str], problems: list[Problem]) -> None:
        self.file = file
        self.lines = lines
        self.problems = problems

    def source(self, node: yaml.Node) -> Source:
        mark = node.start_mark
        return Source(self.file, mark.line + 1, mark.column + 1)

    def problem(self, node: yaml.Node | None, message: str, severity: str = "error", code: str = "") -> None:
        if node is None:
            self.problems.append(Problem(self.file, 0, 0, message, severity, code))
            return
        mark = node.start_mark
        self.problems.append(Problem(self.file, mark.line + 1, mark.column + 1, message, severity, code))

    def problem_at(self, line: int, column: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, column, message))

    # ------------------------------------------------------------ shapes

    def mapping(
        self,
        node: yaml.Node,
        what: str,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
        any_keys: bool = False,
    ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        """Key name -> (key node, value node); unknown, duplicate and missing keys reported."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} should be a mapping (key: value lines), found {describe_node(node)}")
            return None
        required = list(required)
        allowed = required + list(optional)
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        misspelt: set[str] = set()  # keys some unknown key was taken for: not reported missing too
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, f"a key in {what} should be a plain name")
                continue
            key = key_node.value
            if key in result:
                first = result[key][0].start_mark.line + 1
                self.problem(key_node, f"duplicate key {key!r} in {what}; the first is on line {first}")
                continue
            if not any_keys and key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                misspelt.update(close)
                hint = f"; did you mean {close[0]!r}?" if close else f" (expected one of: {', '.join(allowed)})"
                self.problem(key_node, f"unknown key {key!r} in {what}{hint}")
                continue
            result[key] = (key_node, value_node)
        for key in required:
            if key not in result and key not in misspelt:
                self.problem(node, f"{what} is missing {key!r}")
        return result

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        self.problem(node, f"{what} should be a list ('- ' lines), found {describe_node(node)}")
        return []

    def string(self, node: yaml.Node, what: str) -> str | None:
        """Any scalar, read exactly as written: text never turns into a number or a boolean."""
        if isinstance(node, yaml.ScalarNode) and node.tag != NULL_TAG and node.value.strip():
            return str(node.value)
        self.problem(node, f"{what} should be text, found {describe_node(node)}")
        return None

    def strings(self, node: yaml.Node, what: str) -> list[tuple[yaml.Node, str]]:
        """One string or a list of them."""
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        found = []
        for item in items:
            text = self.string(item, what)
            if text is not None:
                found.append((item, text))
        return found

    def identifier(self, node: yaml.Node, what: str) -> str | None:
        value = self.string(node, what)
        if value is None:
            return None
        if not ID_PATTERN.match(value):
            self.problem(
                node,
                f"{what} {value!r} is not a valid id: use lower-case letters, digits and '_', starting with a letter",
            )
            return None
        return value

    def integer(self, node: yaml.Node, what: str) -> int | None:
        found = _scalar(node, (INT_TAG,))
        if isinstance(found, int) and not isinstance(found, bool):
            if self.in_range(node, found, what):
                return found
            return None
        if not self.in_range(node, None, what):
            return None
        self.problem(node, f"{what} should be a whole number, found {describe_node(node)}")
        return None

    def in_range(self, node: yaml.Node, value: int | None, what: str) -> bool:
        """Whether a whole number (None: one YAML could not read) fits in 64 bits; reported if not."""
        if value is None and not _too_long(node):
            return True
        if value is not None and (isinstance(value, bool) or fits(value)):
            return True
        self.problem(
            node, f"{what} {describe_node(node)} is out of range: whole numbers go from {INT_MIN:,} to {INT_MAX:,}"
        )
        return False

    def flag(self, node: yaml.Node, what: str) -> bool | None:
        found = _scalar(node, (BOOL_TAG,))
        if isinstance(found, bool):
            return found
        self.problem(node, f"{what} should be true or false, found {describe_node(node)}")
        return None

    def value(self, node: yaml.Node, what: str) -> int | bool | None:
        found = _scalar(node, (INT_TAG, BOOL_TAG))
        if not self.in_range(node, found if isinstance(found, int) else None, what):
            return None
        if found is not None:
            return found
        self.problem(node, f"{what} should be a whole number or true/false, found {describe_node(node)}")
        return None

    # ------------------------------------------------------------ expressions

    def position_in(self, node: yaml.ScalarNode, offset: int) -> tuple[int, int]:
        """Line and column (1-based) of character `offset` of a scalar's value in the file."""
        mark = node.start_mark
        value = node.value
        if node.style in ("|", ">"):
            before = value[:offset]
            row = before.count("\n")
            col = len(before) - (before.rfind("\n") + 1)
            line_index = mark.line + 1 + row
            indent = 0
            if line_index < len(self.lines):
                text_line = self.lines[line_index]
                indent = len(text_line) - len(text_line.lstrip(" "))
            return line_index + 1, indent + col + 1
        if "\n" in value[:offset] or (node.end_mark.line != mark.line):
            return mark.line + 1, mark.column + 1
        quote = 1 if node.style in ("'", '"') else 0
        return mark.line + 1, mark.column + quote + offset + 1

    def parsed(
        self, node: yaml.Node, what: str, source: str, parse: Callable[[str], T], quote: bool = True
    ) -> T | None:
        """Run an expression parser or checker, reporting its error at the character it names."""
        try:
            return parse(source)
        except ExprError as error:
            if isinstance(node, yaml.ScalarNode):
                line, column = self.position_in(node, error.offset)
            else:
                line, column = node.start_mark.line + 1, node.start_mark.column + 1
            quoted = f" {shorten(source.strip())}" if quote else ""
            self.problem_at(line, column, f"in {what}{quoted}: {error.message}")
            return None


def _scalar(node: yaml.Node, tags: tuple[str, ...]) -> int | bool | None:
    """A whole number or truth value as YAML reads it, or None if the node is not one.

    A constructor is made for each call: a shared one keeps every node it has built alive, and an
    explicit tag on a value that does not fit it (`!!int one`) is a mistake to report, not a crash.
    """
    if not isinstance(node, yaml.ScalarNode) or node.tag not in tags:
        return None
    try:
        value = yaml.constructor.SafeConstructor().construct_object(node)
    except (yaml.YAMLError, ValueError, KeyError, TypeError, OverflowError):
        return None
    return value if isinstance(value, (int, bool)) else None


def _too_long(node: yaml.Node) -> bool:
    """Whether YAML reads the scalar as a whole number but Python cannot (more than 4,300 digits)."""
    if not isinstance(node, yaml.ScalarNode) or node.tag != INT_TAG:
        return False
    return _resolve(yaml.ScalarNode, node.value, (True, False)) == INT_TAG


_RESOLVER = yaml.resolver.Resolver()
_RESOLVED: dict[str, str] = {}  # the tags of short plain scalars, as found
_FIRST = frozenset(k for k in _RESOLVER.yaml_implicit_resolvers if k is not None)  # where implicit tags may start


def _resolve(kind: type[yaml.Node], value: str | None, implicit: Any) -> str:
    """The tag YAML gives an untagged value of this kind, as PyYAML's composer finds it.

    Most scalars are text that no implicit resolver could take (quoted, or starting with a
    letter no YAML word starts with): those are known to be strings without asking."""
    if kind is not yaml.ScalarNode or value is None:
        return str(_RESOLVER.resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
    if not implicit[0] or (value and value[0] not in _FIRST):
        return STR
    if len(value) > 40:
        return str(_RESOLVER.resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
    tag = _RESOLVED.get(value)  # keys and flags come back again and again: `text`, `true`, `0`
    if tag is None:
        tag = str(_RESOLVER.resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
        if len(_RESOLVED) < 10_000:
            _RESOLVED[value] = tag
    return tag


# ------------------------------------------------------------------ composing, within bounds

MAX_NESTING = 100  # lists and mappings inside each other in one file
MAX_ALIAS_VALUES = 50_000  # values (nodes) one file may repeat through aliases, in all
MAX_ALIAS_CHARACTERS = 1_000_000  # characters of text one file may repeat through aliases, in all


class LimitError(yaml.MarkedYAMLError):
    """A file within YAML's rules but past one of ours, at the place that goes past it."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(problem=message, problem_mark=mark)


class _Open:
    """A list or mapping being composed, with its size once every alias in it is expanded."""

    __slots__ = ("anchor", "characters", "key", "node", "values")

    def __init__(self, node: yaml.CollectionNode, anchor: str | None) -> None:
        self.node = node
        self.anchor = anchor
        self.key: yaml.Node | None = None  # a mapping's key waiting for its value
        self.values = 1  # this node and every value in it
        self.characters = 0  # the characters of every scalar in it


class _Composer:
    """PyYAML's composer, without recursion and within bounds: see `compose`."""

    def __init__(self) -> None:
        self.anchors: dict[str, tuple[yaml.Node, int, int]] = {}  # name -> node, values, characters
        self.stack: list[_Open] = []
        self.root: yaml.Node | None = None
        self.documents = 0
        self.repeated = [0, 0]  # values and characters that aliases repeat, so far

    def event(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.ScalarEvent):  # the commonest first
            tag = event.tag
            if tag is None or tag == "!":
                tag = _resolve(yaml.ScalarNode, event.value, event.implicit)
            start: Any = event.start_mark  # the C parser's marks work as PyYAML's do
            end: Any = event.end_mark
            scalar = yaml.ScalarNode(tag, event.value, start, end, style=event.style)
            if event.anchor is not None:
                self.anchor(event.anchor, scalar, 1, len(event.value), event.start_mark)
            self.attach(scalar, 1, len(event.value))
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            done = self.stack.pop()
            done.node.end_mark = event.end_mark
            self.anchor(done.anchor, done.node, done.values, done.characters, done.node.start_mark)
            self.attach(done.node, done.values, done.characters)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            self.open(event)
        elif isinstance(event, yaml.AliasEvent):
            self.alias(event)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise LimitError("a story file holds one YAML document: remove the second '---'", event.start_mark)

    def open(self, event: yaml.CollectionStartEvent) -> None:
        if len(self.stack) >= MAX_NESTING:
            raise LimitError(
                f"lists and mappings are nested too deeply ({MAX_NESTING} levels at most)", event.start_mark
            )
        kind: type[yaml.CollectionNode] = (
            yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
        )
        tag = event.tag
        if tag is None or tag == "!":
            tag = _resolve(kind, None, event.implicit)
        start: Any = event.start_mark
        node = kind(tag, [], start, None, flow_style=event.flow_style)
        if event.anchor is not None and event.anchor in self.anchors:
            self.anchor(event.anchor, node, 0, 0, event.start_mark)  # a duplicate: raises
        self.stack.append(_Open(node, event.anchor))

    def alias(self, event: yaml.AliasEvent) -> None:
        name = str(event.anchor)
        if name not in self.anchors:
            inside = any(o.anchor == name for o in self.stack)
            raise LimitError(
                f"alias *{name} is used {'inside the value it names' if inside else 'before its anchor &' + name}",
                event.start_mark,
            )
        node, values, characters = self.anchors[name]
        self.repeated[0] += values
        self.repeated[1] += characters
        if self.repeated[0] > MAX_ALIAS_VALUES or self.repeated[1] > MAX_ALIAS_CHARACTERS:
            raise LimitError(
                f"alias *{name} repeats too much: with it, this file's aliases repeat {self.repeated[0]:,} values "
                f"and {self.repeated[1]:,} characters, past the {MAX_ALIAS_VALUES:,} values or "
                f"{MAX_ALIAS_CHARACTERS:,} characters one file may repeat; write the repeated part out, or share less",
                event.start_mark,
            )
        self.attach(node, values, characters)

    def anchor(self, name: str | None, node: yaml.Node, values: int, characters: int, mark: Any) -> None:
        if name is None:
            return
        if name in self.anchors:
            first = self.anchors[name][0].start_mark.line + 1
            raise LimitError(f"duplicate anchor &{name}; the first is on line {first}", mark)
        self.anchors[name] = (node, values, characters)

    def attach(self, node: yaml.Node, values: int, characters: int) -> None:
        if not self.stack:
            self.root = node
            return
        top = self.stack[-1]
        top.values += values
        top.characters += characters
        if isinstance(top.node, yaml.SequenceNode):
            top.node.value.append(node)
        elif top.key is None:
            top.key = node
        else:
            top.node.value.append((top.key, node))
            top.key = None


def compose(text: str, loader: Any = yaml.SafeLoader) -> yaml.Node | None:
    """The node tree of a one-document YAML text, as `yaml.compose` gives it, within bounds.

    Composed from the parser's events without recursion, so no nesting can exhaust the stack
    (libyaml's composer crashes the interpreter on 100,000 '['), and more than MAX_NESTING levels
    are refused where they go past, before the parser slows down on them. An alias shares its
    anchor's node, as in PyYAML, but what it would repeat if expanded is counted, aliases inside
    an anchor included: past MAX_ALIAS_VALUES values or MAX_ALIAS_CHARACTERS characters in one
    file, the alias that goes past is refused, so a small file cannot make the loader and every
    later step do a huge amount of work. Raises a yaml.MarkedYAMLError.
    """
    composer = _Composer()
    for event in yaml.parse(text, Loader=loader):
        composer.event(event)
    return composer.root


def yaml_problem(file: str, error: yaml.YAMLError, lines: list[str], text: str | None = None) -> Problem:
    """A PyYAML syntax error as a problem at its place, with a hint for the usual causes.

    `text` is the whole file, for errors that give an offset rather than a line (a control
    character); without it the place is looked for in `lines`.
    """
    if isinstance(error, yaml.reader.ReaderError):
        return _reader_problem(file, error, lines, text)
    if isinstance(error, LimitError):
        place = error.problem_mark
        if place is None:
            return Problem(file, 0, 0, str(error.problem), code="yaml")
        return Problem(file, place.line + 1, place.column + 1, str(error.problem), code="yaml")
    quoted = _quote_problem(file, error, lines, text)
    if quoted is not None:
        return quoted
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    if "maximum nesting depth" in problem and mark is not None:
        # PyYAML 6.0.4 and later stop a runaway nesting in the scanner, before our own limit sees it.
        message = f"lists and mappings are nested too deeply ({MAX_NESTING} levels at most)"
        return Problem(file, mark.line + 1, mark.column + 1, message, code="yaml")
    message = f"YAML syntax: {problem}"
    if context:
        message += f" ({context})"
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "\\t" in problem or "\t" in line[: (mark.column + 1) if mark else 0]:
        message += "; indent with spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        message += "; text with ': ' in it must be put in quotes"
    elif "did not find expected key" in problem or "could not find expected ':'" in problem:
        message += "; check the indentation, and put text in quotes if it holds ': ' or starts with { [ \" or *"
    if mark is None:
        return Problem(file, 0, 0, message, code="yaml")
    return Problem(file, mark.line + 1, mark.column + 1, message, code="yaml")


# ------------------------------------------------------------------ quotes that run on

_PROSE = "or write prose that holds quotes or apostrophes as a '|' block"
_RUN_TO_END = ("end of stream", "document separator", "document indicator")  # PyYAML's and libyaml's words
_Scanner = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _quote_problem(file: str, error: yaml.YAMLError, lines: list[str], text: str | None) -> Problem | None:
    """A quote left open, at the quote that opened it rather than where YAML gave up.

    YAML gives up at the end of the file (no closing quote anywhere), or wherever the next quote
    of the same kind closed the text by mistake, perhaps many lines on: an apostrophe, for `'`.
    """
    if not isinstance(error, yaml.MarkedYAMLError) or error.problem_mark is None:
        return None
    if "quoted scalar" in (error.context or "") and error.context_mark is not None:  # "while scanning a ..."
        if not any(words in (error.problem or "") for words in _RUN_TO_END):
            return None  # a bad escape in double quotes: its own place is the right one
        opened = error.context_mark
        quote = _character(lines, opened.line, opened.column) or "quote"
        message = f"YAML syntax: the {quote} that opens this text is never closed; close it on this line, {_PROSE}"
        return Problem(file, opened.line + 1, opened.column + 1, message, code="yaml")
    token = _quoted_before(text if text is not None else "\n".join(lines), error.problem_mark)
    if token is None:
        return None
    start, end = token.start_mark, token.end_mark
    quote = "'" if token.style == "'" else '"'
    if start.line < end.line:
        closed = f"line {end.line + 1}, column {end.column}"
        if quote == "'":
            message = (
                f"YAML syntax: the ' that opens this text is not closed on its line, so the text runs on to the next "
                f"apostrophe ({closed}); close it on this line, and inside single quotes write an apostrophe twice "
                f"(''), or use double quotes, {_PROSE}"
            )
        else:
            message = (
                f'YAML syntax: the " that opens this text is not closed on its line, so the text runs on to the next '
                f'" ({closed}); close it on this line, {_PROSE}'
            )
        return Problem(file, start.line + 1, start.column + 1, message, code="yaml")
    if end.column != error.problem_mark.column or not _character(lines, end.line, end.column).isalnum():
        return None  # not a word running on from the quote (`'It's'`): YAML's own words say more
    if quote == "'":
        message = (
            f"YAML syntax: this apostrophe ends the text in single quotes that opens at column {start.column + 1}; "
            "inside single quotes write an apostrophe twice (''), or use double quotes"
        )
    else:
        message = (
            f'YAML syntax: this " ends the text in double quotes that opens at column {start.column + 1}; '
            'inside double quotes write a quote as \\", or use single quotes'
        )
    return Problem(file, end.line + 1, end.column, message, code="yaml")


def _quoted_before(text: str, mark: yaml.Mark) -> yaml.ScalarToken | None:
    """The quoted scalar YAML read just before `mark`, if it ends on mark's line with only spaces between."""
    place = (mark.line, mark.column)
    last: yaml.Token | None = None
    try:
        for token in yaml.scan(text, Loader=_Scanner):
            if (token.start_mark.line, token.start_mark.column) >= place:
                break
            last = token
    except yaml.YAMLError:
        pass  # the scanner stopped first: what it read before is all there is
    if not isinstance(last, yaml.ScalarToken) or last.style not in ("'", '"'):
        return None
    end = last.end_mark
    if end.line != mark.line or (end.line, end.column) > place:
        return None
    return last


def _character(lines: list[str], line: int, column: int) -> str:
    return lines[line][column] if line < len(lines) and column < len(lines[line]) else ""


# What YAML refuses in a file, anywhere: PyYAML's reader's own test.
_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _reader_problem(file: str, error: yaml.reader.ReaderError, lines: list[str], text: str | None) -> Problem:
    """A character YAML does not allow (a control character, say), at its line and column."""
    code = error.character if isinstance(error.character, int) else None
    what = f"U+{code:04X}" if code is not None else "a character"
    control = code is not None and (code < 0x20 or 0x7F <= code < 0xA0)
    message = f"the character {what}{' (a control character)' if control else ''} is not allowed in YAML; remove it"
    if text is not None:
        found = _NON_PRINTABLE.search(text)
        if found is not None:
            before = text[: found.start()]
            breaks = list(_BREAK.finditer(before))
            column = found.start() - (breaks[-1].end() if breaks else 0)
            return Problem(file, len(breaks) + 1, column + 1, message, code="yaml")
    for number, line in enumerate(lines, 1):
        found = _NON_PRINTABLE.search(line)
        if found is not None:
            return Problem(file, number, found.start() + 1, message, code="yaml")
    return Problem(file, 0, 0, message, code="yaml")
