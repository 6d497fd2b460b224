"""Walkthroughs: a story played from a list of commands, with what should be true on the way.

A walkthrough pins down a path through a story, so an edit that breaks it is caught at once. This
module holds the model of one and runs it, purely; `adventure.story.walkthroughs` reads the YAML
file format (documented there and in docs/authoring.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import attrs

from adventure.core import engine
from adventure.core import output as out
from adventure.core.commands import GAME_SPELLINGS
from adventure.core.errors import Problem
from adventure.core.expr import suggest
from adventure.core.model import Source, Story, outline
from adventure.core.output import plain
from adventure.core.state import GameState

STEP_KEYS = ("do", "expect")
EXPECT_KEYS = ("scene", "text", "has", "lacks", "vars", "ending")

Named = tuple[str, Source]  # a name as written, and where


@attrs.frozen
class Expect:
    """What should hold after a step; empty fields are not checked."""

    scene: Named | None = None
    ending: Named | None = None
    text: tuple[str, ...] = ()
    has: tuple[Named, ...] = ()
    lacks: tuple[Named, ...] = ()
    vars: tuple[tuple[Named, int | bool], ...] = ()


@attrs.frozen
class Step:
    command: str | None  # None: only check expectations
    expect: Expect
    source: Source


@attrs.frozen
class Walkthrough:
    file: str
    scenes: Named | None  # the story folder as written, relative to the file
    steps: tuple[Step, ...]
    seed: int = 0  # the dice: the same seed, the same game


def check_names(walkthrough: Walkthrough, story: Story) -> list[Problem]:
    """Every name in the expectations that the story does not have, with a suggestion."""
    problems = []

    def unknown(named: Named, kind: str, known: Iterable[str]) -> None:
        value, source = named
        if value not in known:
            problems.append(
                Problem(
                    source.file, source.line, source.column, f"no {kind} {value!r} in the story{suggest(value, known)}"
                )
            )

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
                problems.append(
                    Problem(source.file, source.line, source.column, f"{var!r} is {kind}, not {str(value).lower()}")
                )
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
    failure: Failure | None
    transcript: tuple[str, ...]  # the game's text and the commands, as a player would have read it
    scenes: frozenset[str]  # every scene entered
    choices: frozenset[str]  # the key of every choice taken
    state: GameState
    words: int = 0  # the words the game showed: prose, titles and choices
    decisions: int = 0  # the steps that took a choice

    @property
    def passed(self) -> bool:
        return self.failure is None

    @property
    def minutes(self) -> float:
        """How long a player would take over the same path: reading at WORDS_A_MINUTE, and
        SECONDS_A_CHOICE to make up their mind at each choice."""
        return self.words / WORDS_A_MINUTE + self.decisions * SECONDS_A_CHOICE / 60


WORDS_A_MINUTE = 230  # an adult reading prose on a screen
SECONDS_A_CHOICE = 8


def words_in(output: out.Output) -> int:
    return sum(len(block.text.split()) + sum(len(item.split()) for item in block.items) for block in output)


def run_walkthrough(story: Story, walkthrough: Walkthrough) -> Walked:
    """Play the steps, stopping at the first that does not do what it says."""
    turn = engine.begin(story, seed=walkthrough.seed)
    state, said = turn.state, plain(turn.output)
    transcript = [said]
    words, decisions = words_in(turn.output), 0
    taken: set[str] = set()
    entered = {state.scene}  # a move enters one scene at most, so this sees every scene entered
    failure = None
    for number, step in enumerate(walkthrough.steps, 1):
        if step.command is not None:
            if turn.quit:
                failure = Failure(step, number, f"the game to take {step.command!r}", "an earlier step quit the game")
                break
            if state.ended and step.command.strip().lower() not in GAME_SPELLINGS:
                failure = Failure(step, number, f"the game to take {step.command!r}", _where(story, state))
                break
            turn = engine.step(story, state, step.command)
            state, said = turn.state, plain(turn.output)
            if not state.ended:
                entered.add(state.scene)
            transcript.append(f"> {step.command}\n{said}" if said else f"> {step.command}")
            words += words_in(turn.output)
            if turn.choice is not None:
                taken.add(turn.choice.key)
                decisions += 1
            refused = _refusal(turn.output)
            if refused:
                failure = Failure(step, number, f"the game to take {step.command!r}", refused)
                break
        problem = _unmet(story, step.expect, state, said)
        if problem is not None:
            failure = Failure(step, number, *problem)
            break
    return Walked(
        walkthrough, failure, tuple(transcript), frozenset(entered), frozenset(taken), state, words, decisions
    )


def _refusal(output: out.Output) -> str:
    """The game's answer when it did not understand the command, else ""."""
    if output and output[0].kind == out.ERROR:
        return output[0].text
    return ""


def _where(story: Story, state: GameState) -> str:
    if state.ended:
        return f"the story ended with {state.ending!r} ({outline(story.endings[state.ending or ''].title)})"
    return f"the player is in scene {state.scene!r} ({outline(story.scenes[state.scene].title)})"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _unmet(story: Story, expect: Expect, state: GameState, said: str) -> tuple[str, str] | None:
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


def _value(value: int | bool) -> str:
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
    return Coverage(
        missed_scenes, missed_choices, len(story.scenes), sum(len(s.choices) for s in story.scenes.values())
    )
