"""Format v2 as the loader reads it: each new key, and each mistake an author can make with one,
reported at its place with what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from adventure.core.errors import StoryError
from adventure.story.loader import load_story

from .support import V2_SCENES, V2_STORY, v2_story, write_story


def problems(tmp_path: Path, scenes: str = V2_SCENES, story: str = V2_STORY) -> list[str]:
    with pytest.raises(StoryError) as raised:
        v2_story(tmp_path, scenes, story)
    return [f"{p.line}:{p.column}: {p.message}" for p in raised.value.problems]


def test_the_v2_story_loads_with_everything_in_place(tmp_path: Path) -> None:
    story = v2_story(tmp_path)
    assert story.inventory == ("lamp",) and story.variables["half"] == 2
    assert story.collection is not None and story.collection.name == "Coins"
    assert [s.variable for s in story.stats] == ["oil", "half"]
    cellar = story.scenes["cellar"]
    assert cellar.on_enter and cellar.choices[1].branches[0].way.goto == "stairs"
    assert story.scenes["stairs"].choices[1].call == "ghost" and story.scenes["ghost"].choices[1].back
    assert story.id_items == frozenset({"gold"})


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('    text: "You rolled {roll}."', '    text: "You rolled {random(1, 6)}."'),
            "random() rolls dice, which happens only when a move is made",
        ),
        (
            ("        requires: has(gold)\n", ""),
            "has 'because' but no 'requires' for it to explain",
        ),
        (
            ("      - label: Open the chest\n", "      - label: Open the chest\n        goto: stairs\n"),
            "has 'branch' and its own place to go: write that as the last branch, without 'when'",
        ),
        (
            ("        call: ghost\n", "        call: ghost\n        goto: cellar\n"),
            "has both 'goto' and 'call'; a choice leads to one place",
        ),
        (
            ("        call: ghost\n", "        call: ghots\n"),
            "'call' names scene 'ghots', which does not exist; did you mean 'ghost'?",
        ),
        (("        back: true\n", "        back: false\n"), "'back' can only be true"),
        (("{&Water drips.|A rat squeaks.}", "{&Water drips.|A rat squeaks."), "this '{' is never closed"),
        (("      - label: Go down\n", "      - label: Go {down|up}\n"), "variations ({a|b}) belong in prose"),
        (("on_enter: roll = random(1, 6)", "on_enter: roll = 6 / 0"), "'/ 0' divides by zero"),
        (("on_enter: roll = random(1, 6)", "on_enter: roll => 6"), "'=>' is not an operator"),
        (("do: take key", "do: coins =+ 1"), "'=+' is not an operator; to add, write 'coins += ...'"),
        (("        when: coins > 0\n", "        when: coins => 0\n"), "'=>' is not an operator; write '>='"),
        (("{!The ghost bows.|The ghost nods.}", "{seen(cellar) The ghost bows.}"), "unexpected"),
        (
            ("          - when: chance(50)\n", "          - when: chance(50, 2)\n"),
            "chance() takes 1 argument, got 2",
        ),
    ],
)
def test_scene_mistakes_are_found_at_their_place(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    assert change[0] in V2_SCENES
    found = problems(tmp_path, V2_SCENES.replace(*change))
    assert any(expected in p for p in found), found


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("inventory: [lamp]", "inventory: [lamp, lantern]"), "the starting inventory names item 'lantern'"),
        (("inventory: [lamp]", "inventory: [lamp, lamp]"), "item 'lamp' is in the starting inventory twice"),
        (('half: "oil / 2 + oil % 2"', 'half: "oyl / 2"'), "unknown variable 'oyl'; did you mean 'oil'?"),
        (('half: "oil / 2 + oil % 2"', 'half: "coins + 1"'), "unknown variable 'coins'"),  # not declared yet
        (('half: "oil / 2 + oil % 2"', 'half: "random(1, 2)"'), "random() rolls dice"),
        (("  oil: {name: Oil, max: 3}", "  oyl: {name: Oil, max: 3}"), "'stats' shows variable 'oyl'"),
        (("  oil: {name: Oil, max: 3}", "  oil: {name: Oil, max: 0}"), "the 'max' of stat 'oil' should be above 0"),
        (("    do: oil -= 1", "    do: oil -= chance(5)"), "'oil' is a number, cannot be set to a truth value"),
        (("  - if: has(lamp) and oil > 0\n", "  - iff: has(lamp) and oil > 0\n"), "unknown key 'iff'"),
    ],
)
def test_story_file_mistakes_are_found_at_their_place(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    assert change[0] in V2_STORY
    found = problems(tmp_path, story=V2_STORY.replace(*change))
    assert any(expected in p for p in found), found


def test_a_collection_of_a_kind_no_item_has_is_a_warning(tmp_path: Path) -> None:
    story = v2_story(tmp_path, story=V2_STORY.replace("  kind: coin\n  name: Coins", "  kind: coins\n  name: Coins"))
    assert [p.message for p in story.warnings] == ["no item is of kind 'coins': the collection is empty"]


def test_a_word_that_is_a_command_is_a_warning(tmp_path: Path) -> None:
    story = v2_story(
        tmp_path, V2_SCENES.replace("      - label: Climb up\n", "      - label: Climb up\n        words: [look, up]\n")
    )
    [warning] = story.warnings
    assert warning.code == "word-is-command" and "'look' is a command" in warning.message


def test_a_missing_story_file_is_one_error(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s", {"scenes.yaml": V2_SCENES})
    with pytest.raises(StoryError) as raised:
        load_story(folder)
    [problem] = raised.value.problems
    assert "no story.yaml here" in problem.message


def test_a_brace_in_a_label_shows_a_value(tmp_path: Path) -> None:
    story = v2_story(
        tmp_path, V2_SCENES.replace("      - label: Go down\n", '      - label: "Go down {{carefully}}"\n')
    )
    assert story.scenes["stairs"].choices[0].label.literal == "Go down {carefully}"
