from __future__ import annotations

from pathlib import Path

import pytest

from adventure.core.model import Story
from adventure.core.output import plain
from adventure.play.session import Session
from adventure.saves.store import AUTOSAVE, SaveStore


@pytest.fixture
def session(mini: Story, tmp_path: Path) -> Session:
    game = Session(mini, SaveStore(tmp_path / "saves"))
    game.start()
    return game


def say(session: Session, *lines: str) -> str:
    text = ""
    for line in lines:
        text = plain(session.handle(line).output)
    return text


def test_save_and_load_bring_back_the_same_state(session: Session) -> None:
    say(session, "take", "coins")
    saved = session.state
    assert say(session, "save first") == "Saved as 'first'."
    say(session, "open", "dig")
    text = say(session, "load first")
    assert session.state == saved
    assert text.startswith("Loaded 'first'.") and "The Hall" in text


def test_save_alone_reuses_the_last_name(session: Session) -> None:
    say(session, "save mine")
    assert say(session, "coins", "save") == "Saved as 'mine'."


def test_load_alone_takes_the_newest(session: Session) -> None:
    say(session, "save older", "coins", "take", "open")  # the move to the yard autosaves last
    say(session, "back")
    assert "Loaded the autosave." in say(session, "load")


def test_undo_goes_back_move_by_move_to_the_start(session: Session) -> None:
    start = session.state
    say(session, "take", "coins")
    after_take = session.state
    say(session, "coins")
    assert "You take back your last move." in say(session, "undo")
    assert say(session, "u") and session.state.variables["gold"] == 0
    assert session.state.used == after_take.used
    say(session, "u")
    assert session.state == start and session.log == []
    assert "nothing to undo" in say(session, "undo")


def test_undo_stops_at_the_load(session: Session) -> None:
    say(session, "take", "save here", "coins")
    say(session, "load here")
    assert "nothing to undo" in say(session, "undo")


def test_the_log_records_choices_for_replay(session: Session) -> None:
    say(session, "1", "coins", "look", "dance", "open")
    assert session.log == ["Take the key", "Pick up gold", "Open the door"]


def test_delete_asks_first(session: Session) -> None:
    say(session, "save gone")
    assert "Delete the save 'gone'?" in say(session, "delete gone")
    assert say(session, "no") == "All right, nothing was changed."
    assert session.store and session.store.names() == ["gone"]
    say(session, "delete gone")
    assert say(session, "yes") == "Deleted the save 'gone'."
    assert session.store.names() == []


def test_restart_asks_first(session: Session) -> None:
    say(session, "take", "coins")
    assert "Start the story again" in say(session, "restart")
    say(session, "n")
    assert session.state.variables["gold"] == 2
    say(session, "restart")
    assert "The story begins again." in say(session, "y")
    assert session.state.turn == 0 and session.state.variables["gold"] == 0


def test_autosave_follows_scene_changes_in_its_own_slot(session: Session) -> None:
    store = session.store
    assert store is not None
    say(session, "save mine", "take")
    assert store.names() == ["mine"]  # no scene change yet
    say(session, "open")
    assert store.read(AUTOSAVE).state.scene == "yard"
    assert store.read("mine").state.turn == 0


def test_quit_autosaves(session: Session) -> None:
    say(session, "coins")
    assert session.handle("quit").quit
    assert session.store and session.store.read(AUTOSAVE).state.variables["gold"] == 2


def test_bad_names_and_missing_saves_change_nothing(session: Session) -> None:
    say(session, "coins")
    before = session.state
    assert "'../x' cannot name a save" in say(session, "save ../x")
    assert "There is no save 'ghost'" in say(session, "load ghost")
    assert "There is no save 'ghost'" in say(session, "delete ghost")
    assert session.state == before


def test_a_damaged_save_leaves_the_game_where_it_was(session: Session) -> None:
    assert session.store is not None
    session.store.folder.mkdir(parents=True, exist_ok=True)
    (session.store.folder / "bad.json").write_text('{"format": 1,')
    say(session, "coins")
    before = session.state
    assert "'bad' is damaged (not valid JSON" in say(session, "load bad")
    assert session.state == before
    assert (session.store.folder / "bad.json").read_text() == '{"format": 1,'


def test_completion_offers_save_names_after_load_and_delete(session: Session) -> None:
    say(session, "save alpha", "open")
    words = session.completions()
    assert "load alpha" in words and "delete alpha" in words
    assert "undo" in words and "saves" in words


def test_saves_lists_the_games(session: Session) -> None:
    say(session, "take", "open")  # autosave
    say(session, "save named")
    text = say(session, "saves")
    assert "Saved games, newest first:" in text
    assert "named" in text and "autosave" in text and "The Yard  Ids 1/2  turn 2" in text


def test_autosave_failure_is_said_once_and_play_goes_on(mini: Story, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    game = Session(mini, SaveStore(blocker / "saves"))
    game.start()
    first = say(game, "take", "open")
    assert "Autosave failed" in first and "Cold air" in first
    assert "Autosave failed" not in say(game, "back")
