"""Reading YAML nodes with their positions: the checks every story file shares.

The loader composes YAML into nodes (never objects) so that each value keeps its line and column,
duplicate keys can be caught (PyYAML would silently keep the last), and scalars are read exactly as
written (a label `No` stays the word "No").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from typing import TypeVar

import yaml

from adventure.core.errors import Problem
from adventure.core.expr import ExprError
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
        return f"{node.value!r}"
    return _KIND[type(node)]


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
            return found
        self.problem(node, f"{what} should be a whole number, found {describe_node(node)}")
        return None

    def flag(self, node: yaml.Node, what: str) -> bool | None:
        found = _scalar(node, (BOOL_TAG,))
        if isinstance(found, bool):
            return found
        self.problem(node, f"{what} should be true or false, found {describe_node(node)}")
        return None

    def value(self, node: yaml.Node, what: str) -> int | bool | None:
        found = _scalar(node, (INT_TAG, BOOL_TAG))
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
            quoted = f" {source.strip()!r}" if quote else ""
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


def yaml_problem(file: str, error: yaml.YAMLError, lines: list[str]) -> Problem:
    """A PyYAML syntax error as a problem at its place, with a hint for the usual causes."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
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
