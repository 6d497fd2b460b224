"""The Python API (adventure.play.api, exported as `from adventure import Game`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import adventure
from adventure import Game, Observation
from adventure.core.errors import AdventureError, StoryError
from adventure.play.api import BadCommand, GameOver
from adventure.saves.savefile import SaveError

from .support import MINI_STORY, mini_with

EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"
REFUSED = ("You can't '", "There is no choice", "Which do you mean")


@pytest.fixture
def game() -> Game:
    return Game.open(seed=7)


def test_a_new_game_of_the_shipped_story_shows_its_first_scene(game: Game) -> None:
    seen = game.observation
    assert isinstance(seen, Observation)
    assert (seen.scene, seen.title, seen.ended, seen.ending, seen.turn) == (
        "awakening",
        "A Hand in the Dark",
        False,
        None,
        0,
    )
    assert seen.text[0].startswith("Something cold slides into your arm")
    assert seen.choices[-1] == "Let go of his wrist"
    assert dict(seen.status) == {"Ids": 0, "Nectar": 3}


def test_a_step_is_a_command_as_typed_and_answers_what_the_player_would_read(game: Game) -> None:
    seen = game.step("ask the bird")
    assert seen.text[0].startswith('"Naomi Orthmann.')
    assert "Ask the bird who it is" not in seen.choices and seen.turn == 1
    unknown = game.step("dance")
    assert unknown.text[0] == "You can't 'dance' here. You can:" and unknown.turn == 1
    assert game.step("inventory").text == ("Ids: 0 of 9\n- (none yet)", "You carry nothing else.")


def test_every_valid_command_is_accepted(game: Game) -> None:
    game.step("1")
    game.step("1")  # into Naomi's room, where three choices are open
    commands = game.valid_commands
    assert {"1", "2", "3", "look", "inventory", "help", "undo"} <= set(commands)
    here = game.snapshot()
    for command in commands:
        seen = game.step(command)
        assert not any(line.startswith(REFUSED) for line in seen.text), command
        if seen.quit:
            game = Game.open(seed=7)
        game.restore(here)


def test_snapshots_are_json_and_restore_the_game_exactly(game: Game) -> None:
    game.step("1")
    here = json.loads(json.dumps(game.snapshot()))
    before = game.observation
    game.step("2")
    game.step("3")
    back = game.restore(here)
    assert back.text[0] == "Restored the snapshot."
    assert (back.scene, back.turn, back.choices, back.status) == (
        before.scene,
        before.turn,
        before.choices,
        before.status,
    )
    again = game.step("2")
    game.restore(here)
    assert game.step("2") == again


def test_the_same_seed_and_commands_give_the_same_game() -> None:
    commands = ["blow on the bones", "throw", "throw", "throw", "get up from the table"]

    def play(seed: int) -> list[Observation]:
        game = Game.open(EXAMPLES / "dice" / "story", seed=seed)
        return [game.step(command) for command in commands]

    assert play(3) == play(3)
    assert play(3) != play(6)
    assert play(3)[-1].ending == "ahead" and play(6)[-1].ending == "behind"


def test_a_finished_story_says_so(tmp_path: Path) -> None:
    game = Game.open(EXAMPLES / "locked_door" / "story")
    for command in ["shed", "lift the smallest pot", "back", "try the green door"]:
        seen = game.step(command)
    assert seen.ended and seen.ending == "orchard" and seen.title == "The Orchard"
    assert "*** The Orchard ***" in seen.text and seen.choices == ()


def test_stats_and_a_collection_are_the_status_by_the_names_the_player_sees() -> None:
    game = Game.open(EXAMPLES / "stats" / "story")
    assert dict(game.observation.status) == {"Sea glass": 0, "Warmth": 3, "Stones skimmed": 0}
    assert dict(game.step("green").status) == {"Sea glass": 1, "Warmth": 3, "Stones skimmed": 0}


def test_disabled_choices_are_numbered_and_say_why() -> None:
    game = Game.open(EXAMPLES / "disabled_choice" / "story")
    seen = game.observation
    assert seen.choices[0] == "Show the guard a pass (unavailable: you need Odile's pass)"
    assert seen.disabled == (1,)


def test_saving_needs_a_saves_folder(tmp_path: Path) -> None:
    assert not any(command.startswith("save") for command in Game.open().valid_commands)
    game = Game.open(saves=tmp_path)
    assert "save" in game.valid_commands
    game.step("1")
    assert game.step("save first").text == ("Saved as 'first'.",)
    game.step("1")
    assert game.step("load first").text[0].startswith("Load 'first'? The move you made since you last saved")
    assert game.step("yes").text[0] == "Loaded 'first'."
    assert (tmp_path / "first.json").is_file() and (tmp_path / ".autosave.metallic-rouge.json").is_file()


def test_quit_keeps_the_game_and_ends_the_session(tmp_path: Path) -> None:
    game = Game.open(saves=tmp_path)
    game.step("1")
    seen = game.step("quit")
    assert seen.quit and "Your game is saved in" in seen.text[0] and game.valid_commands == []
    with pytest.raises(GameOver):
        game.step("look")


@pytest.mark.parametrize("command", [None, 3, "look\nquit", "a\rb"])
def test_what_no_player_could_type_is_an_error_of_the_engine(game: Game, command: object) -> None:
    with pytest.raises(BadCommand) as caught:
        game.step(command)  # type: ignore[arg-type]
    assert isinstance(caught.value, AdventureError)
    assert game.observation.turn == 0


@pytest.mark.parametrize(
    "snapshot",
    [None, [], {"format": 2}, "x", {"format": 99, "story": {}}, {"deep": [[[[[[[[[[]]]]]]]]]]}],
    ids=["null", "list", "partial", "string", "future", "odd"],
)
def test_restoring_what_is_not_a_snapshot_says_why_and_changes_nothing(game: Game, snapshot: object) -> None:
    game.step("1")
    before = game.observation
    with pytest.raises(SaveError):
        game.restore(snapshot)
    assert game.observation == before


def test_a_snapshot_of_another_story_is_refused(tmp_path: Path) -> None:
    other = Game.open(mini_with(tmp_path, story=MINI_STORY))
    with pytest.raises(SaveError, match="belongs to another story"):
        Game.open().restore(other.snapshot())


def test_a_story_that_does_not_load_raises_with_its_problems(tmp_path: Path) -> None:
    broken = mini_with(tmp_path, story=MINI_STORY.replace("start: hall", "start: nowhere"))
    with pytest.raises(StoryError) as caught:
        Game.open(broken)
    assert any("nowhere" in p.message for p in caught.value.problems)


def test_the_package_exports_only_what_it_documents() -> None:
    assert adventure.Game is Game
    with pytest.raises(AttributeError):
        adventure.Nothing  # type: ignore[attr-defined]  # noqa: B018
