from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from adventure.core import engine
from adventure.core.commands import VERBS
from adventure.core.model import Story
from adventure.core.output import plain
from adventure.play.reload import StoryWatcher
from adventure.play.session import Session
from adventure.saves.store import AUTOSAVE, SaveStore
from adventure.story.loader import load_story

from .support import flat


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
    text = say(session, "load first", "yes")
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
    assert say(session, "u").startswith("You take back your last move.")
    assert session.state.variables["gold"] == 0 and session.state.used == after_take.used
    say(session, "u")
    assert session.state == start and session.log == []
    assert "nothing to undo" in say(session, "undo")


def test_load_over_moves_not_saved_asks_first_and_undo_steps_back_over_it(session: Session) -> None:
    say(session, "take", "save here", "coins")
    assert say(session, "load here").startswith(
        "Load 'here'? The move you made since you last saved will be left behind ('undo' brings them back)."
    )
    assert session.state.variables["gold"] == 2  # nothing happens before the yes
    assert say(session, "no") == "All right, nothing was changed."
    say(session, "load here", "yes")
    assert session.state.variables["gold"] == 0 and session.log == ["Take the key"]
    assert say(session, "undo").startswith("You go back to before the load.")
    assert session.state.variables["gold"] == 2 and session.log == ["Take the key", "Pick up gold"]
    say(session, "undo", "undo")
    assert session.log == [] and "nothing to undo" in say(session, "undo")


def test_a_load_right_after_a_save_asks_nothing(session: Session) -> None:
    say(session, "take", "save here")
    assert say(session, "load here").startswith("Loaded 'here'.")


def test_undo_steps_back_over_a_restart(session: Session) -> None:
    say(session, "take", "coins", "restart", "yes")
    assert session.log == []
    assert say(session, "undo").startswith("You go back to before the restart.")
    assert session.log == ["Take the key", "Pick up gold"] and session.state.variables["gold"] == 2


def test_history_lists_the_choices_made_in_this_game(session: Session) -> None:
    assert say(session, "history") == "You have made no choices yet in this game."
    say(session, "take", "coins", "look")
    assert say(session, "history") == "Your choices so far, first to last:\n  - Take the key\n  - Pick up gold"


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


def test_delete_needs_a_name(session: Session) -> None:
    assert say(session, "delete") == "Delete which save? Type delete NAME; 'saves' lists them."


def test_a_save_gone_before_the_yes_is_said_so(session: Session) -> None:
    say(session, "save gone", "delete gone")
    assert session.store is not None
    session.store.path("gone").unlink()  # another game, or the player in a file manager
    assert say(session, "yes") == "There is no save 'gone'."


def test_after_deleting_the_last_name_used_save_alone_makes_a_quicksave(session: Session) -> None:
    say(session, "save mine", "delete mine", "yes")
    assert say(session, "save") == "Saved as 'quicksave'."


def test_deleting_another_save_keeps_the_last_name_used(session: Session) -> None:
    say(session, "save old", "save mine", "delete old", "yes")
    assert say(session, "save") == "Saved as 'mine'."


def test_load_alone_with_no_saves_says_where_it_looked(session: Session) -> None:
    assert session.store is not None
    assert flat(say(session, "load")) == f"There are no saves in {session.store.folder} yet."


def test_saves_with_none_yet_says_how_to_make_one(session: Session) -> None:
    assert session.store is not None
    assert flat(say(session, "saves")) == f"No saves yet in {session.store.folder}. Type 'save NAME' to make one."


def test_restart_asks_first(session: Session) -> None:
    say(session, "take", "coins")
    assert "Start the story again" in say(session, "restart")
    say(session, "n")
    assert session.state.variables["gold"] == 2
    say(session, "restart")
    assert "The story begins again ('undo' takes you back)." in say(session, "y")
    assert session.state.turn == 0 and session.state.variables["gold"] == 0


def continued(session: Session) -> Session:
    """A new game continuing from `session`'s autosave, as `--continue` does after a kill."""
    assert session.store is not None
    later = Session(session.story, SaveStore(session.store.folder))
    later.start_from_save(AUTOSAVE)
    return later


def test_autosave_follows_every_move_in_its_own_slot(session: Session) -> None:
    store = session.store
    assert store is not None
    say(session, "save mine", "take")
    assert continued(session).state.inventory == ("key",)  # no scene change, and the move is kept
    say(session, "open")
    assert continued(session).state.scene == "yard"
    say(session, "undo")
    assert store.read(AUTOSAVE).state.scene == "hall"  # undo writes the state at once
    assert continued(session).state == session.state
    assert store.read("mine").state.turn == 0


def test_a_kill_between_autosaves_loses_no_move(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """Moves in the same second only add a line to the moves file; continuing replays them onto
    the state the autosave last wrote, so the game is where it was, history and all."""
    clock = [1000.0]
    monkeypatch.setattr("adventure.play.session.time.monotonic", lambda: clock[0])
    say(session, "take", "open", "back")
    assert session.store is not None
    assert session.store.read(AUTOSAVE).state.turn == 1  # the state as the first move wrote it
    later = continued(session)  # the session is dropped without leaving: a kill
    assert later.state == session.state and list(later.log) == list(session.log)
    assert plain(later.handle("history").output) == plain(session.handle("history").output)


def test_a_moves_file_spelling_text_that_is_not_unicode_still_loads(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON can spell a lone surrogate ("\\ud800"), which no file can hold: such a line is not a
    move, before or after the moves the save names, and the game loads without it."""
    clock = [1000.0]
    monkeypatch.setattr("adventure.play.session.time.monotonic", lambda: clock[0])
    say(session, "take")
    assert session.store is not None
    moves = session.store.moves_path(AUTOSAVE)
    kept = moves.read_bytes()
    moves.write_bytes(kept + b'"Pick up gold\\ud800"\n')
    later = continued(session)
    assert later.state == session.state and list(later.log) == ["Take the key"]
    say(session, "save mine")
    mine = session.store.moves_path("mine")
    mine.write_bytes(b'"Take the key\\ud800"\n')
    saved = json.loads(session.store.path("mine").read_text(encoding="utf-8"))
    saved["moves"]["crc32"] = zlib.crc32(mine.read_bytes())
    session.store.path("mine").write_text(json.dumps(saved), encoding="utf-8")
    assert "Loaded 'mine'." in say(later, "load mine")
    assert later.state.inventory == ("key",) and "no choices yet" in say(later, "history")


def test_moves_after_deleting_the_autosave_are_kept_by_a_new_one(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next move writes the autosave's state again, even within the second: moves alone,
    with no state to replay them onto, would be lost to a kill."""
    clock = [1000.0]
    monkeypatch.setattr("adventure.play.session.time.monotonic", lambda: clock[0])
    say(session, "take", "delete autosave", "yes", "coins")
    later = continued(session)
    assert later.state == session.state and list(later.log) == ["Take the key", "Pick up gold"]


def test_a_move_after_loading_an_autosave_whose_moves_are_lost_survives_a_kill(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Such a load plays on with no history, so the state on disk names moves the file no longer
    holds: the next move writes the state again, or a kill would take the game back before it."""
    clock = [1000.0]
    monkeypatch.setattr("adventure.play.session.time.monotonic", lambda: clock[0])
    say(session, "take", "coins")
    assert session.store is not None
    session.store.moves_path(AUTOSAVE).write_bytes(b'"Dance on the ceiling"\n')
    assert "Loaded the autosave." in say(session, "load autosave")
    say(session, "open")
    later = continued(session)
    assert later.state == session.state and later.state.scene == "yard"


def test_a_kill_after_a_dev_reload_continues_from_the_place_the_player_had(
    mini_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Moves made before a reload were made in the old story: the reload writes the autosave's
    state, so a continue does not replay them in the new one, where they may do something else."""
    monkeypatch.setattr("adventure.play.session.time.monotonic", lambda: 1000.0)
    game = Session(load_story(mini_dir), SaveStore(mini_dir / "saves"), watcher=StoryWatcher(mini_dir))
    game.start()
    say(game, "take", "coins")
    hall = mini_dir / "hall.yaml"
    hall.write_text(hall.read_text(encoding="utf-8").replace("gold += 2", "gold += 5"), encoding="utf-8")
    assert "Reloaded the story" in say(game, "reload")
    assert game.state.variables["gold"] == 2
    later = continued(game)  # the game was killed
    assert later.state == game.state and later.state.variables["gold"] == 2


def test_two_games_on_one_autosave_continue_as_the_one_that_moved_last(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A move within the second adds a line only to the moves file this game left; when another
    game has written the autosave since, this one writes it whole, so a continue after a kill is
    one game or the other, never one game's state without its moves."""
    monkeypatch.setattr("adventure.play.session.time.monotonic", lambda: 1000.0)
    assert session.store is not None
    other = Session(session.story, SaveStore(session.store.folder))
    other.start()
    say(session, "take")
    say(other, "coins")  # its first move: the autosave written whole, by the other game
    say(session, "open")  # within the second of this game's last write
    later = continued(session)
    assert later.state == session.state and list(later.log) == ["Take the key", "Open the door"]


def test_moves_that_no_longer_fit_are_dropped_with_a_word(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr("adventure.play.session.time.monotonic", lambda: clock[0])
    say(session, "take", "open")
    assert session.store is not None
    moves = session.store.moves_path(AUTOSAVE)
    moves.write_bytes(moves.read_bytes() + b'"Dance on the ceiling"\n')
    later = Session(session.story, SaveStore(session.store.folder))
    shown = plain(later.start_from_save(AUTOSAVE))
    assert "Your last move no longer fits the story; you are back before it." in shown
    assert later.state == session.state


def test_a_named_save_called_autosave_is_refused_so_the_autosave_never_overwrites_it(session: Session) -> None:
    store = session.store
    assert store is not None
    reply = session.handle("save autosave")
    assert "the game's own slot" in reply.output[0].text
    assert store.names() == []


def test_quit_autosaves(session: Session) -> None:
    say(session, "coins")
    assert session.handle("quit").quit
    assert session.store and session.store.read(AUTOSAVE).state.variables["gold"] == 2


def test_leaving_right_after_the_autosave_was_written_writes_nothing_again(session: Session) -> None:
    """The first move (or an ending) writes the autosave whole, flushed to the disk: a quit with
    nothing done since has nothing to add, and does not wait on the disk a second time."""
    store = session.store
    assert store is not None
    say(session, "coins")
    stamp, text = store.stamp(AUTOSAVE), store.path(AUTOSAVE).read_bytes()
    reply = session.handle("quit")
    assert reply.quit and "Your game is saved in" in plain(reply.output)
    after = store.stamp(AUTOSAVE)
    assert stamp is not None and after is not None and after[0] == stamp[0]  # the same file, not a new one
    assert store.path(AUTOSAVE).read_bytes() == text and after[2] >= stamp[2]  # only its time is new


def test_leaving_writes_the_game_as_it_is_if_anything_changed_since_the_autosave(session: Session) -> None:
    store = session.store
    assert store is not None
    say(session, "coins", "coins")  # the second move only adds a line to the moves file
    session.handle("quit")
    assert store.read(AUTOSAVE, moves=False).state.variables["gold"] == 4
    say(session, "coins")
    store.path(AUTOSAVE).unlink()  # removed behind the game's back
    session.handle("quit")
    assert store.read(AUTOSAVE, moves=False).state.variables["gold"] == 6


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
    assert "Saved games in " in text and "newest first:" in text
    assert "named" in text and "autosave" in text and "The Yard  Ids 1/2  turn 2" in text


def test_autosave_failure_is_said_once_and_play_goes_on(mini: Story, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    game = Session(mini, SaveStore(blocker / "saves"))
    game.start()
    first = say(game, "take")
    assert "Autosave failed" in first and "You pocket the key" in first
    assert "Autosave failed" not in say(game, "open")
    assert "Autosave failed" not in say(game, "back")


def test_leaving_while_the_autosave_fails_says_so_not_that_the_game_is_saved(mini: Story, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    game = Session(mini, SaveStore(blocker / "saves"))
    game.start()
    assert "Autosave failed" in say(game, "take")
    left = say(game, "quit")
    assert "Autosave failed" in left and "Your game is saved" not in left


# ---------------------------------------------------------------- what a session offers


def help_verbs(session: Session) -> set[str]:
    """The verbs the help list shows, by name: each line starts 'name / short ...: what it does'."""
    [listing] = session.handle("help").output
    return {line.split(":")[0].split(" / ")[0].split()[0] for line in listing.items[2:]}


def completed_verbs(session: Session) -> set[str]:
    """The verbs among the completions: all but the choices' numbers and words, by first word."""
    choices = set(engine.completions(session.story, session.state)) - {verb.name for verb in VERBS}
    return {word.split()[0] for word in session.completions() if word not in choices}


@pytest.mark.parametrize("store, dev", [(False, False), (True, False), (True, True)], ids=["bare", "saves", "dev"])
def test_help_and_completion_offer_the_same_verbs(mini: Story, tmp_path: Path, store: bool, dev: bool) -> None:
    game = Session(
        mini,
        SaveStore(tmp_path / "saves") if store else None,
        watcher=StoryWatcher(tmp_path) if dev else None,
    )
    game.start()
    if store:
        say(game, "save one")  # so that 'load one' and 'delete one' are offered too
    offered = {verb.name for verb in game.verbs()}
    assert help_verbs(game) == offered == completed_verbs(game)
    assert offered <= set(game.completions())  # each verb alone, not only 'load one'
    assert ("save" in offered, "reload" in offered) == (store, dev)


def test_a_session_without_saves_offers_undo_and_restart_but_not_save(mini: Story) -> None:
    game = Session(mini)
    game.start()
    words = game.completions()
    assert "undo" in words and "restart" in words
    assert not {"save", "load", "saves", "delete"} & {word.split()[0] for word in words}
    assert say(game, "save").startswith("You can't 'save' here.")  # only words, as for the engine alone
    say(game, "take", "coins")
    assert say(game, "undo").startswith("You take back your last move.")
    assert game.state.variables["gold"] == 0 and game.state.inventory == ("key",)
    say(game, "restart")
    assert say(game, "yes").startswith("The story begins again (")
    assert game.state == engine.begin(mini, seed=game.state.seed).state and game.log == []


def test_the_autosave_state_reaches_the_disk_at_most_once_a_second(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commands piped in by the hundred would otherwise wait on a write and an fsync at every move;
    a player typing takes longer than a second, so each of their moves still writes it."""
    assert session.store is not None
    writes: list[int] = []
    real = session.store.write
    monkeypatch.setattr(session.store, "write", lambda name, save, durable=True: write(name, save, durable))

    def write(name: str, save: object, flag: bool) -> Path:
        writes.append(save.state.turn)  # type: ignore[attr-defined]
        assert flag
        return real(name, save, durable=flag)  # type: ignore[arg-type]

    clock = [1000.0]
    monkeypatch.setattr("adventure.play.session.time.monotonic", lambda: clock[0])
    for command in ("take", "open", "back"):  # three moves in the same instant
        session.handle(command)
    assert writes == [1]
    clock[0] += 1.5
    session.handle("open")
    assert writes == [1, 4]
    session.handle("back")
    session.handle("quit")
    assert writes == [1, 4, 5]  # leaving writes what the last second added
