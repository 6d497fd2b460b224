"""Walkthrough files: YAML read into the pure walkthrough model, every mistake at its line and column.

scenes: ../scenes              # optional: the story folder, relative to this file
steps:
  - take the key               # a command, as the player types it
  - do: open the door          # a command with expectations, checked after it
    expect:
      scene: yard              # where the player stands
      text: Cold air           # words the game just printed (one string or a list)
      has: id_one              # in the inventory (one item or a list)
      lacks: key               # not in the inventory (one item or a list)
      vars: {door_open: true}  # variable values
  - do: leave
    expect: {ending: out}      # the story ended with this ending
  - expect: {ending: out}      # a step without `do` checks where the player stands now
"""

from __future__ import annotations

from pathlib import Path

import yaml

from adventure.analysis.walkthrough import EXPECT_KEYS, STEP_KEYS, Expect, Named, Step, Walkthrough
from adventure.core.errors import AdventureError, Problem
from adventure.story.loader import SafeLoader, display_path
from adventure.story.nodes import Reader, compose, yaml_problem


class WalkthroughError(AdventureError):
    """A walkthrough file that cannot be read; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problems")

    def show(self) -> str:
        return "\n".join(p.format() for p in self.problems)


def load_walkthrough(path: Path) -> Walkthrough:
    """Read a walkthrough file; raise WalkthroughError listing every problem in it."""
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AdventureError(
            f"cannot read the walkthrough {name}: {getattr(error, 'strerror', None) or error}"
        ) from None
    walkthrough, problems = parse_walkthrough(text, name)
    if problems or walkthrough is None:
        raise WalkthroughError(problems)
    return walkthrough


def parse_walkthrough(text: str, file: str) -> tuple[Walkthrough | None, list[Problem]]:
    """The walkthrough in `text`, and every problem with its shape (names are checked later)."""
    problems: list[Problem] = []
    lines = text.splitlines()
    try:
        root = compose(text, SafeLoader)
    except yaml.YAMLError as error:
        return None, [yaml_problem(file, error, lines, text)]
    reader = Reader(file, lines, problems)
    if root is None:
        reader.problem(None, "the walkthrough is empty; it needs 'steps', a list of commands")
        return None, problems
    top = reader.mapping(root, "a walkthrough", required=("steps",), optional=("scenes", "seed"))
    if top is None:
        return None, problems
    scenes = None
    if "scenes" in top:
        folder = reader.string(top["scenes"][1], "'scenes'")
        scenes = (folder, reader.source(top["scenes"][1])) if folder is not None else None
    steps = [_step(reader, node) for node in reader.sequence(top["steps"][1], "'steps'")] if "steps" in top else []
    if "steps" in top and isinstance(top["steps"][1], yaml.SequenceNode) and not steps:
        reader.problem(top["steps"][1], "'steps' is empty: give at least one command")
    seed = 0
    if "seed" in top:
        given = reader.integer(top["seed"][1], "'seed'")
        if given is not None and given < 0:
            reader.problem(top["seed"][1], "'seed' should be 0 or more")
        seed = given if given is not None and given >= 0 else 0
    return Walkthrough(file, scenes, tuple(s for s in steps if s is not None), seed), problems


def _step(reader: Reader, node: yaml.Node) -> Step | None:
    if isinstance(node, yaml.ScalarNode):
        command = reader.string(node, "a step")
        return Step(command, Expect(), reader.source(node)) if command is not None else None
    fields = reader.mapping(node, "a step", optional=STEP_KEYS)
    if fields is None:
        return None
    if not fields:
        reader.problem(node, "a step needs 'do' (a command), 'expect', or both")
        return None
    command = reader.string(fields["do"][1], "'do'") if "do" in fields else None
    expect = _expect(reader, fields["expect"][1]) if "expect" in fields else Expect()
    if ("do" in fields and command is None) or expect is None:
        return None
    return Step(command, expect, reader.source(node))


def _expect(reader: Reader, node: yaml.Node) -> Expect | None:
    fields = reader.mapping(node, "'expect'", optional=EXPECT_KEYS)
    if fields is None:
        return None
    before = len(reader.problems)

    def name(key: str) -> Named | None:
        if key not in fields:
            return None
        value = reader.identifier(fields[key][1], f"'{key}'")
        return (value, reader.source(fields[key][1])) if value is not None else None

    def names(key: str) -> tuple[Named, ...]:
        if key not in fields:
            return ()
        found = [
            (reader.identifier(n, f"an item in '{key}'"), reader.source(n))
            for n, _ in reader.strings(fields[key][1], f"an item in '{key}'")
        ]
        return tuple((n, s) for n, s in found if n is not None)

    texts = tuple(t for _, t in reader.strings(fields["text"][1], "'text'")) if "text" in fields else ()
    variables: list[tuple[Named, int | bool]] = []
    if "vars" in fields:
        for var, (key_node, value_node) in (reader.mapping(fields["vars"][1], "'vars'", any_keys=True) or {}).items():
            value = reader.value(value_node, f"the value of {var!r}")
            if value is not None:
                variables.append(((var, reader.source(key_node)), value))
    expect = Expect(name("scene"), name("ending"), texts, names("has"), names("lacks"), tuple(variables))
    return expect if len(reader.problems) == before else None
