"""Static warnings: legal stories with parts an author almost certainly did not mean."""

from __future__ import annotations

from pathlib import Path

import pytest

from adventure.analysis.lint import lint_story
from adventure.core.errors import Problem
from adventure.core.model import Story
from adventure.story.loader import load_story

from .support import MINI_SCENES, MINI_STORY, write_story


def lint(tmp_path: Path, scenes: str = MINI_SCENES, story: str = MINI_STORY) -> list[Problem]:
    loaded: Story = load_story(write_story(tmp_path / "s", {"story.yaml": story, "hall.yaml": scenes}))
    return sorted(lint_story(loaded), key=lambda p: (p.line, p.code))


def test_the_mini_story_has_nothing_to_warn_about(mini: Story) -> None:
    assert lint_story(mini) == []


def test_every_warning_is_a_warning_with_a_code_and_a_place(tmp_path: Path) -> None:
    problems = lint(tmp_path, MINI_SCENES + "  attic:\n    title: Attic\n    choices:\n      - label: Sit\n")
    assert problems and all(p.severity == "warning" and p.code and p.line for p in problems)


def test_an_item_never_taken(tmp_path: Path) -> None:
    story = MINI_STORY.replace(
        "endings:", "  lamp:\n    name: a lamp\n    kind: thing\n    description: Unlit.\nendings:"
    )
    [problem] = lint(tmp_path, story=story)
    assert (problem.code, problem.line) == ("unused-item", 25)
    assert problem.message == (
        "item 'lamp' is never taken: no effect does 'take lamp', nor is it in the starting 'inventory'"
    )


def test_an_item_tested_but_never_taken_says_the_test_never_holds(tmp_path: Path) -> None:
    story = MINI_STORY.replace(
        "endings:", "  lamp:\n    name: a lamp\n    kind: thing\n    description: Unlit.\nendings:"
    )
    scenes = MINI_SCENES.replace(
        "    text: Cold air and stars.", "    text:\n      - when: has(lamp)\n        text: Light."
    )
    problem, dead = sorted(lint(tmp_path, scenes, story), key=lambda p: p.code != "unused-item")
    assert problem.message.endswith("so has(lamp) never holds")
    assert dead.code == "dead-text" and "'when: has(lamp)' never holds" in dead.message


@pytest.mark.parametrize(
    "extra,how",
    [("  spare: 3\n", "never used"), ("  spare: 3\n", "set but never read")],
    ids=["never-used", "set-not-read"],
)
def test_a_variable_nothing_reads(tmp_path: Path, extra: str, how: str) -> None:
    story = MINI_STORY.replace("  door_open: false\n", "  door_open: false\n" + extra)
    scenes = MINI_SCENES if how == "never used" else MINI_SCENES.replace("do: gold += 2", "do: [gold += 2, spare -= 1]")
    [problem] = lint(tmp_path, scenes, story)
    assert (problem.code, problem.line, problem.column) == ("unused-variable", 9, 3)
    assert f"variable 'spare' is {how}" in problem.message


def test_a_variable_read_only_in_text_is_used(tmp_path: Path) -> None:
    # `gold` is only shown in text and `door_open` only decides an ending's paragraph: both are read.
    assert [p for p in lint(tmp_path) if p.code == "unused-variable"] == []


def test_a_scene_with_no_way_in_and_no_way_out(tmp_path: Path) -> None:
    scenes = (
        MINI_SCENES
        + "  attic:\n    title: Attic\n    choices:\n      - label: Sit\n      - label: Again\n        goto: attic\n"
    )
    problems = lint(tmp_path, scenes)
    assert [(p.code, p.line) for p in problems] == [("no-way-in", 35), ("no-way-out", 35)]
    assert problems[0].message == "scene 'attic' has no way in: no other scene has 'goto: attic' or 'call: attic'"


@pytest.mark.parametrize(
    "condition",
    [
        "has(lamp)",  # never taken
        "door_open and gold < 0",  # the second never holds
        "gold < 0",  # gold only grows from 0
        "not seen(yard)",  # the current scene is always seen
        "visits(yard) == 0",
        "seen(attic)",  # no way into the attic
        "gold + 1 < 1",
        "min(gold, 5) > 5",
    ],
)
def test_conditions_that_can_never_hold(tmp_path: Path, condition: str) -> None:
    story = MINI_STORY.replace(
        "endings:", "  lamp:\n    name: a lamp\n    kind: thing\n    description: Unlit.\nendings:"
    )
    scenes = MINI_SCENES.replace("        when: not has(id_two)", f"        when: {condition}") + (
        "  attic:\n    title: Attic\n    choices:\n      - label: Leave\n        goto: hall\n"
    )
    problems = [p for p in lint(tmp_path, scenes, story) if p.code == "never-holds"]
    assert len(problems) == 1, problems
    assert problems[0].line == 31 and f"'when: {condition}' never holds" in problems[0].message


@pytest.mark.parametrize(
    "condition", ["gold > 100", "door_open", "seen(hall) and has(key)", "turn > 3", "ids == 2", "max(gold, 1) > 1"]
)
def test_conditions_that_may_hold_are_left_alone(tmp_path: Path, condition: str) -> None:
    scenes = MINI_SCENES.replace("        when: not has(id_two)", f"        when: {condition}")
    assert [p for p in lint(tmp_path, scenes) if p.code == "never-holds"] == []
