"""Format v2 in play: dice, branches, calls, effects on entering and every turn, disabled choices,
text that varies, interpolation everywhere, examine and stats, a declared collection."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from adventure.core import engine
from adventure.core.model import Story
from adventure.core.output import plain
from adventure.core.state import MAX_CALLS, GameState
from adventure.story.loader import load_story

from .support import MINI_SCENES, MINI_STORY, V2_SCENES, mini_with, round_trip, v2_story


@pytest.fixture
def v2(tmp_path: Path) -> Story:
    return v2_story(tmp_path)


def play(story: Story, *commands: str, seed: int = 0) -> tuple[GameState, str]:
    turn = engine.begin(story, seed=seed)
    for command in commands:
        turn = engine.step(story, turn.state, command)
    return turn.state, plain(turn.output)


def test_the_starting_inventory_and_computed_starting_values(v2: Story) -> None:
    state, _ = play(v2)
    assert state.inventory == ("lamp",)
    assert state.variables["half"] == 2  # oil / 2 + oil % 2 with oil 3


def test_every_turn_burns_the_lamp_and_the_title_shows_it(v2: Story) -> None:
    state, shown = play(v2, "down")
    assert state.variables["oil"] == 2
    _, shown = play(v2, "down", "climb", "down", "climb")
    assert shown.startswith("== Stairs (0 oil) ==")  # the title is interpolated, and oil stops at 0


def test_text_variations_advance_on_moves_and_look_repeats_the_last(v2: Story) -> None:
    _, first = play(v2)
    assert "Stone steps go down. Water drips." in first
    _, second = play(v2, "down", "climb")
    assert "The steps again. A rat squeaks." in second
    _, looked = play(v2, "down", "climb", "look")
    assert "The steps again. A rat squeaks." in looked
    _, third = play(v2, "down", "climb", "down", "climb")
    assert "== Stairs (0 oil) ==\n\nWater drips." in third  # the sequence stays on its empty last option


def test_a_disabled_choice_is_shown_with_its_reason_and_refused(v2: Story) -> None:
    state, shown = play(v2)
    assert "3. Leave (unavailable: you have not found the gold)" in shown
    after, said = play(v2, "3")
    assert said == "You can't leave yet: you have not found the gold."
    assert after == state


def test_a_branch_leads_by_state(v2: Story) -> None:
    _, locked = play(v2, "down", "open")
    assert locked.startswith("It is locked.")
    state, opened = play(v2, "down", "search", "open")
    assert opened.startswith("The chest opens.\n\n== Stairs")
    assert state.scene == "stairs" and "gold" in state.inventory


def test_a_call_goes_back_where_it_came_from_without_a_visit(v2: Story) -> None:
    state, shown = play(v2, "talk")
    assert state.stack == ("stairs",) and "The ghost bows." in shown
    v2 = attrs.evolve(v2, counted=None)  # count every scene, the stairs too, to see no visit is added
    back, shown = play(v2, "talk", "goodbye")
    assert back.scene == "stairs" and back.stack == () and back.visit_count("stairs") == 1
    again, shown = play(v2, "talk", "goodbye", "talk")
    assert "The ghost nods." in shown and again.visit_count("ghost") == 2


def test_back_with_nowhere_to_go_and_calls_too_deep_are_refused(tmp_path: Path) -> None:
    scenes = V2_SCENES.replace(
        "      - label: Say goodbye\n", "      - label: Again\n        call: ghost\n      - label: Say goodbye\n"
    )
    story = v2_story(tmp_path, scenes)
    state = engine.begin(story).state
    nowhere = attrs.evolve(state, scene="ghost")
    turn = engine.step(story, nowhere, "goodbye")
    assert turn.state == nowhere and turn.output[0].text.startswith("There is no scene to go back to")
    deep = attrs.evolve(state, scene="ghost", stack=("stairs",) * MAX_CALLS)
    turn = engine.step(story, deep, "again")
    assert turn.state == deep and "deep into calls" in turn.output[0].text


def test_the_same_seed_rolls_the_same_dice_and_others_differ(v2: Story) -> None:
    rolls = {play(v2, "down", seed=seed)[0].variables["roll"] for seed in range(40)}
    assert rolls == {1, 2, 3, 4, 5, 6}
    assert play(v2, "down", seed=7) == play(v2, "down", seed=7)


def test_the_dice_replay_through_a_save(v2: Story) -> None:
    state, _ = play(v2, "down", "search", "open", "down", seed=11)
    kept = round_trip(state)
    assert kept == state
    assert engine.step(v2, kept, "gamble") == engine.step(v2, state, "gamble")


def test_examine_describes_what_is_carried_as_it_is_now(v2: Story) -> None:
    _, shown = play(v2, "x lamp")
    assert shown == "It burns, 3 turns of oil left."
    _, shown = play(v2, "down", "climb", "down", "climb", "examine brass lamp")
    assert shown == "It is cold."
    _, shown = play(v2, "x key")
    assert shown == "You carry nothing called 'key'."
    _, shown = play(v2, "x")
    assert shown == "Examine what? You carry a brass lamp."


def test_examine_falls_back_to_a_choice_that_starts_with_the_word(tmp_path: Path) -> None:
    scenes = V2_SCENES.replace("      - label: Search the barrel\n", "      - label: Examine the barrel\n")
    story = v2_story(tmp_path, scenes)
    state, _ = play(story, "down", "examine barrel")
    assert "key" in state.inventory


def test_stats_and_the_collection_are_what_the_story_declares(v2: Story, mini: Story) -> None:
    _, shown = play(v2, "stats")
    assert shown == "Stats:\n  - Coins: 0 of 1\n  - Oil: ### 3/3\n  - Half: 2\n  - Turn: 0"
    assert engine.status_parts(v2, engine.begin(v2).state) == ["Coins 0/1", "Oil 3/3"]
    _, inventory = play(v2, "i")
    assert inventory.startswith("Coins: 0 of 1")
    _, ended = play(v2, "down", "search", "open", "leave")
    assert ended.endswith("THE END. You finished in 4 turns, with 1 of 1 Coins.")
    assert "*** Out, with 1 coins ***" in ended


def test_a_story_that_declares_nothing_shows_no_collection(tmp_path: Path) -> None:
    plain_story = MINI_STORY.replace("collection:\n  kind: id\n  name: Ids\n", "")
    story = load_story(mini_with(tmp_path, MINI_SCENES, plain_story))
    _, shown = play(story, "stats")
    assert shown == "This story keeps no score."
    _, shown = play(story, "i")
    assert "Ids" not in shown
    assert engine.status_parts(story, engine.begin(story).state) == []


def test_a_division_by_zero_refuses_the_move_whole(tmp_path: Path) -> None:
    scenes = V2_SCENES.replace("        goto: cellar\n", "        do: coins = 1 / coins\n        goto: cellar\n", 1)
    story = v2_story(tmp_path, scenes)
    state = engine.begin(story).state
    turn = engine.step(story, state, "down")
    assert turn.state == state
    assert turn.output[0].text == "Setting coins needs a division by zero; nothing happened."


def test_words_of_a_label_with_a_hole_match_as_shown(tmp_path: Path) -> None:
    scenes = V2_SCENES.replace("      - label: Go down\n", "      - label: Go down with {oil} oil\n")
    story = v2_story(tmp_path, scenes)
    assert play(story, "go down with 3")[0].scene == "cellar"
