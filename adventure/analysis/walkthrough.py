"""Walkthroughs: a story played from a YAML list of commands, with what should be true on the way.

A walkthrough pins down a path through a story, so an edit that breaks it is caught at once:

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

Reading (with every mistake at its line and column) and running are pure; only
`load_walkthrough` touches a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Optional, Union

import attrs
import yaml

from adventure.core import engine
from adventure.core import output as out
from adventure.core.commands import GAME_ALIASES
from adventure.core.errors import AdventureError, Problem
from adventure.core.expr import suggest
from adventure.story.loader import SafeLoader, display_path
from adventure.core.model import Source, Story
from adventure.story.nodes import Reader, yaml_problem
from adventure.core.output import plain
from adventure.core.state import GameState

STEP_KEYS = ("do", "expect")
EXPECT_KEYS = ("scene", "text", "has", "lacks", "vars", "ending")

Named = tuple[str, Source]  # a name as written, and where


@attrs.frozen
class Expect:
    """What should hold after a step; empty fields are not checked."""

    scene: Optional[Named] = None
    ending: Optional[Named] = None
    text: tuple[str, ...] = ()
    has: tuple[Named, ...] = ()
    lacks: tuple[Named, ...] = ()
    vars: tuple[tuple[Named, Union[int, bool]], ...] = ()


@attrs.frozen
class Step:
    command: Optional[str]  # None: only check expectations
    expect: Expect
    source: Source


@attrs.frozen
class Walkthrough:
    file: str
    scenes: Optional[Named]  # the story folder as written, relative to the file
    steps: tuple[Step, ...]


class WalkthroughError(AdventureError):
    """A walkthrough file that cannot be read; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problems")

    def show(self) -> str:
        return "\n".join(p.format() for p in self.problems)


# ---------------------------------------------------------------- reading


def load_walkthrough(path: Path) -> Walkthrough:
    """Read a walkthrough file; raise WalkthroughError listing every problem in it."""
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AdventureError(f"cannot read the walkthrough {name}: {getattr(error, 'strerror', None) or error}") from None
    walkthrough, problems = parse_walkthrough(text, name)
    if problems or walkthrough is None:
        raise WalkthroughError(problems)
    return walkthrough


def parse_walkthrough(text: str, file: str) -> tuple[Optional[Walkthrough], list[Problem]]:
    """The walkthrough in `text`, and every problem with its shape (names are checked later)."""
    problems: list[Problem] = []
    lines = text.splitlines()
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError as error:
        return None, [yaml_problem(file, error, lines)]
    reader = Reader(file, lines, problems)
    if root is None:
        reader.problem(None, "the walkthrough is empty; it needs 'steps', a list of commands")
        return None, problems
    top = reader.mapping(root, "a walkthrough", required=("steps",), optional=("scenes",))
    if top is None:
        return None, problems
    scenes = None
    if "scenes" in top:
        folder = reader.string(top["scenes"][1], "'scenes'")
        scenes = (folder, reader.source(top["scenes"][1])) if folder is not None else None
    steps = [_step(reader, node) for node in reader.sequence(top["steps"][1], "'steps'")] if "steps" in top else []
    if "steps" in top and isinstance(top["steps"][1], yaml.SequenceNode) and not steps:
        reader.problem(top["steps"][1], "'steps' is empty: give at least one command")
    return Walkthrough(file, scenes, tuple(s for s in steps if s is not None)), problems


def _step(reader: Reader, node: yaml.Node) -> Optional[Step]:
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


def _expect(reader: Reader, node: yaml.Node) -> Optional[Expect]:
    fields = reader.mapping(node, "'expect'", optional=EXPECT_KEYS)
    if fields is None:
        return None
    before = len(reader.problems)

    def name(key: str) -> Optional[Named]:
        if key not in fields:
            return None
        value = reader.identifier(fields[key][1], f"'{key}'")
        return (value, reader.source(fields[key][1])) if value is not None else None

    def names(key: str) -> tuple[Named, ...]:
        if key not in fields:
            return ()
        found = [(reader.identifier(n, f"an item in '{key}'"), reader.source(n)) for n, _ in reader.strings(fields[key][1], f"an item in '{key}'")]
        return tuple((n, s) for n, s in found if n is not None)

    texts = tuple(t for _, t in reader.strings(fields["text"][1], "'text'")) if "text" in fields else ()
    variables: list[tuple[Named, Union[int, bool]]] = []
    if "vars" in fields:
        for var, (key_node, value_node) in (reader.mapping(fields["vars"][1], "'vars'", any_keys=True) or {}).items():
            value = reader.value(value_node, f"the value of {var!r}")
            if value is not None:
                variables.append(((var, reader.source(key_node)), value))
    expect = Expect(name("scene"), name("ending"), texts, names("has"), names("lacks"), tuple(variables))
    return expect if len(reader.problems) == before else None


def check_names(walkthrough: Walkthrough, story: Story) -> list[Problem]:
    """Every name in the expectations that the story does not have, with a suggestion."""
    problems = []

    def unknown(named: Named, kind: str, known: Iterable[str]) -> None:
        value, source = named
        if value not in known:
            problems.append(Problem(source.file, source.line, source.column, f"no {kind} {value!r} in the story{suggest(value, known)}"))

    for step in walkthrough.steps:
        expect = step.expect
        if expect.scene:
            unknown(expect.scene, "scene", story.scenes)
        if expect.ending:
            unknown(expect.ending, "ending", story.endings)
        for item in expect.has + expect.lacks:
            unknown(item, "item", story.items)
        for (var, source), value in expect.vars:
            unknown((var, source), "variable", story.variables)
            declared = story.variables.get(var)
            if declared is not None and isinstance(declared, bool) != isinstance(value, bool):
                kind = "true or false" if isinstance(declared, bool) else "a whole number"
                problems.append(Problem(source.file, source.line, source.column, f"{var!r} is {kind}, not {str(value).lower()}"))
    return problems


# ---------------------------------------------------------------- running


@attrs.frozen
class Failure:
    """Why a walkthrough stopped: the step, what it expected, and what happened instead."""

    step: Step
    number: int  # 1-based
    expected: str
    got: str


@attrs.frozen
class Walked:
    """The outcome of one walkthrough: where it failed, if it did, and what it visited."""

    walkthrough: Walkthrough
    failure: Optional[Failure]
    transcript: tuple[str, ...]  # the game's text and the commands, as a player would have read it
    scenes: frozenset[str]  # every scene entered
    choices: frozenset[str]  # the key of every choice taken
    state: GameState

    @property
    def passed(self) -> bool:
        return self.failure is None


def run_walkthrough(story: Story, walkthrough: Walkthrough) -> Walked:
    """Play the steps, stopping at the first that does not do what it says."""
    turn = engine.begin(story)
    state, said = turn.state, plain(turn.output)
    transcript = [said]
    taken: set[str] = set()
    failure = None
    for number, step in enumerate(walkthrough.steps, 1):
        if step.command is not None:
            if turn.quit:
                failure = Failure(step, number, f"the game to take {step.command!r}", "an earlier step quit the game")
                break
            if state.ended and step.command.strip().lower() not in GAME_ALIASES:
                failure = Failure(step, number, f"the game to take {step.command!r}", _where(story, state))
                break
            turn = engine.step(story, state, step.command)
            state, said = turn.state, plain(turn.output)
            transcript.append(f"> {step.command}\n{said}" if said else f"> {step.command}")
            if turn.choice is not None:
                taken.add(turn.choice.key)
            refused = _refusal(turn.output)
            if refused:
                failure = Failure(step, number, f"the game to take {step.command!r}", refused)
                break
        problem = _unmet(story, step.expect, state, said)
        if problem is not None:
            failure = Failure(step, number, *problem)
            break
    scenes = frozenset(state.visits) | ({state.scene} if not state.ended else frozenset())
    return Walked(walkthrough, failure, tuple(transcript), frozenset(scenes), frozenset(taken), state)


def _refusal(output: out.Output) -> str:
    """The game's answer when it did not understand the command, else ""."""
    if output and output[0].kind == out.ERROR:
        return output[0].text
    return ""


def _where(story: Story, state: GameState) -> str:
    if state.ended:
        return f"the story ended with {state.ending!r} ({story.endings[state.ending or ''].title})"
    return f"the player is in scene {state.scene!r} ({story.scenes[state.scene].title})"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _unmet(story: Story, expect: Expect, state: GameState, said: str) -> Optional[tuple[str, str]]:
    """The first expectation that does not hold, as (expected, got)."""
    if expect.scene and (state.ended or state.scene != expect.scene[0]):
        return f"scene {expect.scene[0]!r}", _where(story, state)
    if expect.ending and state.ending != expect.ending[0]:
        return f"the ending {expect.ending[0]!r}", _where(story, state)
    for text in expect.text:
        if _squash(text) not in _squash(said):
            return f"the text {text!r}", "it was not in what the game printed for this step"
    held = ", ".join(state.inventory) or "nothing"
    for item, _ in expect.has:
        if item not in state.inventory:
            return f"the player to have {item!r}", f"the player has {held}"
    for item, _ in expect.lacks:
        if item in state.inventory:
            return f"the player not to have {item!r}", f"the player has {held}"
    for (var, _), value in expect.vars:
        actual = state.variables[var]
        if actual != value or isinstance(actual, bool) != isinstance(value, bool):
            return f"{var} = {_value(value)}", f"{var} = {_value(actual)}"
    return None


def _value(value: Union[int, bool]) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


# ---------------------------------------------------------------- coverage


@attrs.frozen
class Coverage:
    """What no walkthrough of a story visits: scenes never entered, choices never taken."""

    scenes: tuple[str, ...]
    choices: tuple[tuple[str, int], ...]  # (scene id, 1-based choice number)
    total_scenes: int
    total_choices: int


def coverage(story: Story, walked: Sequence[Walked]) -> Coverage:
    """Scenes and choices that none of `walked` (all played on `story`) reached."""
    scenes = frozenset().union(*(w.scenes for w in walked)) if walked else frozenset()
    choices = frozenset().union(*(w.choices for w in walked)) if walked else frozenset()
    missed_scenes = tuple(s for s in story.scenes if s not in scenes)
    missed_choices = tuple(
        (scene_id, number)
        for scene_id, scene in story.scenes.items()
        for number, choice in enumerate(scene.choices, 1)
        if choice.key not in choices
    )
    return Coverage(missed_scenes, missed_choices, len(story.scenes), sum(len(s.choices) for s in story.scenes.values()))
