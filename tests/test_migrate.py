from __future__ import annotations

import json
from pathlib import Path

import pytest

from adventure.core.engine import describe
from adventure.core.output import plain
from adventure.play.session import Session
from adventure.saves.migrate import restore
from adventure.saves.savefile import SaveError
from adventure.saves.store import SaveStore
from adventure.story.loader import load_story

from .support import MINI_SCENES, MINI_STORY, write_story


def saved_in_yard(tmp_path: Path) -> SaveStore:
    """Play the mini story to the yard with 2 gold and save it as 'mine'."""
    story = load_story(write_story(tmp_path / "v1", {"story.yaml": MINI_STORY, "hall.yaml": MINI_SCENES}))
    store = SaveStore(tmp_path / "saves")
    game = Session(story, store)
    game.start()
    for line in ("take", "coins", "open", "save mine"):
        game.handle(line)
    return store


def new_version(tmp_path: Path, scenes: str, story: str = MINI_STORY):  # type: ignore[no-untyped-def]
    return load_story(write_story(tmp_path / "v2", {"story.yaml": story, "hall.yaml": scenes}))


def test_an_unchanged_story_loads_silently(tmp_path: Path) -> None:
    store = saved_in_yard(tmp_path)
    story = load_story(tmp_path / "v1")
    restored = restore(story, store.read("mine"), "'mine'")
    assert restored.note == "" and restored.state.scene == "yard"


def test_an_edited_story_that_still_fits_loads_with_a_note(tmp_path: Path) -> None:
    store = saved_in_yard(tmp_path)
    story = new_version(
        tmp_path,
        MINI_SCENES.replace("Cold air and stars.", "Frost and stars."),
        MINI_STORY.replace("  gold: 0", "  gold: 0\n  silver: 5"),
    )
    restored = restore(story, store.read("mine"), "'mine'")
    assert "updated" in restored.note
    assert restored.state.variables["gold"] == 2 and restored.state.variables["silver"] == 5


def test_a_renamed_scene_with_its_old_id_listed_keeps_the_save(tmp_path: Path) -> None:
    store = saved_in_yard(tmp_path)
    scenes = (
        MINI_SCENES.replace("  yard:\n", "  courtyard:\n    aliases: [yard]\n")
        .replace("goto: yard", "goto: courtyard")
        .replace("  hall:\n", "  great_hall:\n    aliases: [hall]\n")
        .replace("goto: hall", "goto: great_hall")
    )
    restored = restore(
        new_version(tmp_path, scenes, MINI_STORY.replace("start: hall", "start: great_hall")),
        store.read("mine"),
        "'mine'",
    )
    assert restored.state.scene == "courtyard"
    assert restored.state.visit_count("great_hall") == 1  # the hall's visits, counted for its `again`


def test_a_renamed_scene_without_aliases_is_rebuilt_by_replay(tmp_path: Path) -> None:
    store = saved_in_yard(tmp_path)
    scenes = MINI_SCENES.replace("  yard:\n", "  garden:\n").replace("goto: yard", "goto: garden")
    restored = restore(new_version(tmp_path, scenes), store.read("mine"), "'mine'")
    assert "rebuilt by replaying your 3 moves" in restored.note
    assert restored.state.scene == "garden" and restored.state.variables["gold"] == 2


def test_when_replay_fails_too_the_message_says_what_is_missing(tmp_path: Path) -> None:
    store = saved_in_yard(tmp_path)
    path = store.path("mine")
    before = path.read_bytes()
    scenes = (
        MINI_SCENES.replace("  yard:\n", "  garden:\n")
        .replace("goto: yard", "goto: garden")
        .replace("label: Open the door", "label: Climb out of the window")
    )
    with pytest.raises(SaveError) as caught:
        restore(new_version(tmp_path, scenes), store.read("mine"), "'mine'")
    assert (
        str(caught.value)
        == "'mine' no longer fits the story: scene 'yard' no longer exists. The save was left untouched"
    )
    assert path.read_bytes() == before


def test_a_save_of_another_story_is_refused(tmp_path: Path) -> None:
    store = saved_in_yard(tmp_path)
    other = new_version(tmp_path, MINI_SCENES, MINI_STORY.replace("id: mini", "id: other"))
    with pytest.raises(SaveError, match="'mine' belongs to another story \\('mini'\\), not 'other'"):
        restore(other, store.read("mine"), "'mine'")


def test_loading_in_game_says_the_story_changed(tmp_path: Path) -> None:
    store = saved_in_yard(tmp_path)
    scenes = MINI_SCENES.replace("  yard:\n", "  garden:\n").replace("goto: yard", "goto: garden")
    game = Session(new_version(tmp_path, scenes), store)
    game.start()
    output = game.handle("load mine").output
    assert any("rebuilt by replaying" in block.text for block in output)
    assert game.state.scene == "garden"


def test_a_save_that_lacks_a_variable_the_story_has_loads_with_its_default(tmp_path: Path) -> None:
    store = saved_in_yard(tmp_path)
    path = store.path("mine")
    data = json.loads(path.read_text())
    del data["state"]["variables"]["door_open"]  # the fingerprint still matches the story
    path.write_text(json.dumps(data))
    story = load_story(tmp_path / "v1")
    restored = restore(story, store.read("mine"), "'mine'")
    # Before: the state was used as it was, and the first condition reading it raised KeyError.
    assert restored.state.variables["door_open"] is False  # a variable the save lacks starts at its default
    assert restored.state.scene == "yard"
    assert "yard" in describe(story, restored.state)[0].text.lower()


def test_a_one_shot_key_with_a_digit_that_is_not_ascii_is_reported_not_a_crash(tmp_path: Path) -> None:
    store = saved_in_yard(tmp_path)
    path = store.path("mine")
    data = json.loads(path.read_text())
    data["state"]["used"] = ["hall/²"]
    data["log"] = ["No such choice"]
    path.write_text(json.dumps(data))
    story = new_version(tmp_path, MINI_SCENES.replace("The Hall", "The Great Hall"))
    with pytest.raises(SaveError, match=r"choice 'hall/²' no longer exists"):
        restore(story, store.read("mine"), "'mine'")


def test_the_note_names_the_story_versions(tmp_path: Path) -> None:
    store = saved_in_yard(tmp_path)
    story = new_version(
        tmp_path, MINI_SCENES.replace("The Hall", "The Great Hall"), MINI_STORY.replace("version: 1", "version: 2")
    )
    restored = restore(story, store.read("mine"), "'mine'")
    assert restored.note == "The story has been updated from version 1 to 2 since this save; your game carries on."


def test_a_story_that_now_reads_a_scene_s_visits_rebuilds_them_by_replay(tmp_path: Path) -> None:
    """The save did not count the yard (nothing read its visits); the new version says something
    on a second visit, so the game is replayed to know the player has been there."""
    store = saved_in_yard(tmp_path)
    assert "yard" not in store.read("mine").state.visits
    scenes = MINI_SCENES.replace(
        "    text: Cold air and stars.", "    text: Cold air and stars.\n    again: Still cold."
    )
    restored = restore(new_version(tmp_path, scenes), store.read("mine"), "'mine'")
    assert restored.state.visit_count("yard") == 1 and "replaying your 3 moves" in restored.note


def test_a_save_that_no_longer_fits_and_lost_its_moves_says_so(tmp_path: Path) -> None:
    store = saved_in_yard(tmp_path)
    store.moves_path("mine").unlink()
    scenes = MINI_SCENES.replace("  yard:\n", "  courtyard:\n").replace("goto: yard", "goto: courtyard")
    with pytest.raises(SaveError) as caught:
        restore(new_version(tmp_path, scenes), store.read("mine"), "'mine'")
    assert "scene 'yard' no longer exists" in str(caught.value) and "moves" in str(caught.value)


def test_a_choice_labelled_like_a_command_is_replayed_as_the_choice(tmp_path: Path) -> None:
    """The log keeps labels; one that is also a command ('Look') must still take the choice when
    the moves after a save are replayed, not look around and drop the move."""
    scenes = MINI_SCENES.replace(
        "      - label: Pick up gold\n", "      - label: Look\n        goto: yard\n      - label: Pick up gold\n"
    )
    story = load_story(write_story(tmp_path / "v1", {"story.yaml": MINI_STORY, "hall.yaml": scenes}))
    store = SaveStore(tmp_path / "saves", story.id)
    game = Session(story, store)
    game.start()
    game.handle("take")
    game.handle("1")  # 'Look', by its number (the key is taken): the log says "Look"
    assert game.state.scene == "yard" and list(game.log)[-1] == "Look"
    moves = store.moves_path("autosave")
    assert moves.read_text(encoding="utf-8").endswith('"Look"\n')
    later = Session(story, SaveStore(tmp_path / "saves", story.id))
    later.start_from_save("autosave")
    assert later.state == game.state


def test_two_choices_shown_alike_are_never_replayed_as_each_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log names a move by its label; when two open choices show the same one, the move is kept
    by writing the state at once (a kill then loses nothing), and a replay that meets it stops
    there, saying so, rather than taking the other choice."""
    scenes = MINI_SCENES.replace(
        "      - label: Pick up gold\n",
        "      - label: Wait\n        do: gold += 10\n      - label: Wait\n        do: gold += 100\n"
        "      - label: Pick up gold\n",
    )
    story = load_story(write_story(tmp_path / "v1", {"story.yaml": MINI_STORY, "hall.yaml": scenes}))
    store = SaveStore(tmp_path / "saves", story.id)
    monkeypatch.setattr("adventure.play.session.time.monotonic", lambda: 1000.0)
    game = Session(story, store)
    game.start()
    game.handle("take")
    game.handle("2")  # the second 'Wait', within the second of the first move
    assert game.state.variables["gold"] == 100
    later = Session(story, SaveStore(tmp_path / "saves", story.id))  # the first game was killed
    later.start_from_save("autosave")
    assert later.state == game.state
    moves = store.moves_path("autosave")
    moves.write_bytes(moves.read_bytes() + b'"Wait"\n')  # a second 'Wait' the state has not seen
    again = Session(story, SaveStore(tmp_path / "saves", story.id))
    shown = " ".join(plain(again.start_from_save("autosave")).split())
    assert again.state.variables["gold"] == 100 and "Your last move no longer fits the story" in shown
