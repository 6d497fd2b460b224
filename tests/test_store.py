from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adventure.core.model import Story
from adventure.core.state import FrozenMap
from adventure.saves.savefile import (
    AUTOSAVE,
    FORMAT,
    MAX_AHEAD,
    MoveLog,
    SaveError,
    format_entries,
    make_save,
    save_to_dict,
)
from adventure.saves.store import SaveStore

from .support import played

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def a_save(story: Story, *commands: str):  # type: ignore[no-untyped-def]
    return make_save(story, *played(story, *commands), NOW)


def test_the_file_is_readable_json_with_version_story_and_summary(mini: Story, tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    path = store.write("first", a_save(mini, "take", "open"))
    data = json.loads(path.read_text())
    assert data["format"] == FORMAT
    story = {"id": "mini", "version": 1, "fingerprint": mini.fingerprint, "counted": mini.counted_key}
    assert data["story"] == story
    assert data["summary"] == {
        "title": "The Yard",
        "ids": 1,
        "ids_total": 2,
        "turn": 2,
        "ended": False,
        "collection": "Ids",
    }
    assert path.read_text().count("\n") > 10  # indented for people
    # The moves are beside it, one a line, and the save names them by count and checksum.
    moves = store.moves_path("first").read_text(encoding="utf-8").splitlines()
    assert moves == ['"Take the key"', '"Open the door"'] and data["moves"]["count"] == 2 and "log" not in data


def test_each_move_is_appended_to_the_moves_file_and_an_undo_writes_it_anew(mini: Story, tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    state, log = played(mini, "take", "coins")
    moves = MoveLog(log)
    store.write("game", make_save(mini, state, moves, NOW))
    first = store.moves_path("game").stat().st_ino
    moves.append("Open the door")
    store.write("game", make_save(mini, state, moves, NOW))
    assert store.moves_path("game").stat().st_ino == first  # appended to, not replaced
    del moves[1:]
    store.write("game", make_save(mini, state, moves, NOW))
    assert store.moves_path("game").read_text(encoding="utf-8") == '"Take the key"\n'
    assert SaveStore(tmp_path).read("game").log == ("Take the key",)


def test_moves_added_after_a_save_are_read_as_ahead_of_it_up_to_a_line_cut_short(mini: Story, tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    state, log = played(mini, "take")
    store.write("game", make_save(mini, state, MoveLog(log), NOW))
    store.add_moves("game", MoveLog([*log, "Count the coins", "Open the door"]))
    read = SaveStore(tmp_path).read("game")
    assert read.log == ("Take the key",) and read.ahead == ("Count the coins", "Open the door")
    path = store.moves_path("game")
    path.write_bytes(path.read_bytes() + b'"Go b')  # a kill in the middle of adding a move
    assert SaveStore(tmp_path).read("game").ahead == ("Count the coins", "Open the door")
    path.write_bytes(b'"Take the key"\n{"not": "a label"}\n"Open the door"\n')
    assert SaveStore(tmp_path).read("game").ahead == ()  # nothing after a line that is not a move
    path.write_bytes(b'"Open the door"\n"Count the coins"\n')
    assert SaveStore(tmp_path).read("game").ahead == ()  # another game's moves: none are replayed
    path.write_bytes(b'"Take the key"\n' + b'"Open the door"\n"Go back"\n' * MAX_AHEAD)
    assert len(SaveStore(tmp_path).read("game").ahead) == MAX_AHEAD  # never more than a second could add


def test_a_save_whose_moves_file_is_lost_or_not_its_own_still_loads_without_its_log(
    mini: Story, tmp_path: Path
) -> None:
    store = SaveStore(tmp_path)
    store.write("game", a_save(mini, "take", "coins"))
    store.moves_path("game").write_text('"Take the key"\n"Open the door"\n', encoding="utf-8")
    read = SaveStore(tmp_path).read("game")
    assert read.log is None and read.state.turn == 2  # another game's moves are never trusted
    store.moves_path("game").unlink()
    assert SaveStore(tmp_path).read("game").log is None


def test_the_autosave_never_overwrites_a_named_save(mini: Story, tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    store.write("autosave_", a_save(mini, "take"))
    store.write(AUTOSAVE, a_save(mini, "coins"))
    assert store.read("autosave_").state.used == {"hall/1"}
    assert store.read(AUTOSAVE).state.variables["gold"] == 2
    assert sorted(store.names()) == [AUTOSAVE, "autosave_"]


def test_the_list_shows_name_scene_ids_and_turn(mini: Story, tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    store.write("late", a_save(mini, "take", "open"))
    [line] = format_entries(store.entries())
    assert line.startswith("late  20") and "The Yard  Ids 1/2  turn 2" in line


@pytest.mark.parametrize(
    "name, message",
    [
        ("../escape", "use letters, digits, '-' and '_' only"),
        ("/etc/passwd", "use letters, digits, '-' and '_' only"),
        ("", "a save needs a name"),
        ("bell\x07", "'bell\\x07' cannot name a save"),
        ("x" * 65, "too long"),
        (".autosave", "use letters"),
    ],
)
def test_bad_names_are_refused_and_nothing_is_written(mini: Story, tmp_path: Path, name: str, message: str) -> None:
    store = SaveStore(tmp_path / "saves")
    with pytest.raises(SaveError, match=re.escape(message)):
        store.write(name, a_save(mini))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini"]  # the story fixture, nothing more


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=80))
def test_no_name_ever_writes_outside_the_saves_folder(
    mini: Story, tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    root = tmp_path_factory.mktemp("root")
    folder = root / "saves"
    save = a_save(mini)
    try:
        path = SaveStore(folder).write(name, save)
    except SaveError:
        path = None
    outside = [p for p in root.rglob("*") if p != folder and folder not in p.parents]
    assert outside == []
    if path is not None:
        assert path.resolve().parent == folder.resolve()


# ------------------------------------------------------------------ bad files


def damaged(tmp_path: Path, mini: Story, text: str | bytes) -> tuple[SaveStore, Path, bytes]:
    store = SaveStore(tmp_path)
    path = tmp_path / "broken.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return store, path, path.read_bytes()


def valid_dict(mini: Story) -> dict:  # type: ignore[type-arg]
    return save_to_dict(a_save(mini, "take"))


BAD_FILES = {
    "truncated": (lambda d: json.dumps(d)[:-40], "is damaged (not valid JSON at line 1"),
    "garbage": (lambda d: b"\x00\xff\xfe garbage", "is damaged (not UTF-8 text)"),
    "not an object": (lambda d: "[1, 2, 3]", "is damaged (the file does not hold a save"),
    "wrong type": (
        lambda d: json.dumps({**d, "state": {**d["state"], "turn": "three"}}),
        "'state.turn' should be a whole number, not text",
    ),
    "bool for int": (
        lambda d: json.dumps({**d, "state": {**d["state"], "turn": True}}),
        "'state.turn' should be a whole number, not true or false",
    ),
    "missing field": (
        lambda d: json.dumps({k: v for k, v in d.items() if k != "summary"}),
        "'summary.ids_total' is missing",
    ),
    "neither moves nor log": (
        lambda d: json.dumps({k: v for k, v in d.items() if k != "log"}),
        "'moves.count' is missing",
    ),
    "bad variable": (
        lambda d: json.dumps({**d, "state": {**d["state"], "variables": {"gold": [1]}}}),
        "'state.variables.gold' should be a whole number or true/false",
    ),
    "future format": (lambda d: json.dumps({**d, "format": FORMAT + 1}), "was made by a newer version of the game"),
    # Found by the fault tester: each of these used to crash a game in progress.
    "deep nesting": (lambda d: "[" * 100_000, "is damaged (nested too deeply)"),
    "a number of 5,000 digits": (
        lambda d: json.dumps(d).replace('"turn": 1', '"turn": ' + "9" * 5000, 1),
        "is damaged (a number too long to read)",
    ),
    "a date out of range": (
        lambda d: json.dumps({**d, "saved_at": "9999-12-31T23:59:59-14:00"}),
        "'saved_at' should be a date and time",
    ),
    "a lone surrogate": (
        lambda d: json.dumps({**d, "summary": {**d["summary"], "title": "\ud800"}}),
        "it holds text that is not valid Unicode",
    ),
    "a lone low surrogate, spelled in capitals, in a variable's name": (
        lambda d: json.dumps({**d, "state": {**d["state"], "variables": {"gold": 1}}}).replace(
            '"gold"', '"gold\\uDC00"'
        ),
        "it holds text that is not valid Unicode",
    ),
    "the same Id three times": (
        lambda d: json.dumps({**d, "state": {**d["state"], "inventory": ["id_one"] * 3}}),
        "'state.inventory' holds the same item twice",
    ),
    "a summary that lies": (
        lambda d: json.dumps({**d, "summary": {**d["summary"], "ids": 9, "ids_total": 9}}),
        "'summary.ids' says 9 Ids",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_gets_one_clear_line_and_is_left_unchanged(mini: Story, tmp_path: Path, kind: str) -> None:
    make, message = BAD_FILES[kind]
    store, path, before = damaged(tmp_path, mini, make(valid_dict(mini)))
    stamp = path.stat().st_mtime_ns
    with pytest.raises(SaveError) as caught:
        store.read("broken")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert path.read_bytes() == before and path.stat().st_mtime_ns == stamp


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "odd.json").mkdir()  # a folder where a file should be: unreadable even for root
    with pytest.raises(SaveError, match="save 'odd' cannot be read"):
        SaveStore(tmp_path).read("odd")


def test_a_missing_save_is_named(tmp_path: Path) -> None:
    with pytest.raises(SaveError, match="there is no save 'ghost'"):
        SaveStore(tmp_path).read("ghost")


def test_a_damaged_file_shows_in_the_list_without_stopping_it(mini: Story, tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    store.write("good", a_save(mini))
    (tmp_path / "bad.json").write_text("{")
    lines = format_entries(store.entries())
    assert any(line.startswith("bad ") and "! save 'bad' is damaged (not valid JSON" in line for line in lines)
    assert any(line.startswith("good ") for line in lines)


# ------------------------------------------------------------------ atomicity

WRITER = """
import sys
from pathlib import Path
from adventure.story.loader import load_story
from adventure.core.engine import begin
from datetime import datetime, timezone
from adventure.saves.savefile import make_save
from adventure.saves.store import SaveStore
story = load_story(sys.argv[1])
store = SaveStore(Path(sys.argv[2]))
state = begin(story).state
log = ["Pick up gold"] * 5000   # a long log makes each write take a while
print("ready", flush=True)
n = 0
while True:
    n += 1
    store.write("slot", make_save(story, state, log + [str(n)], datetime.now(timezone.utc)))
"""


def test_killing_a_saving_process_never_leaves_a_broken_save(mini_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    for delay in [0.01 * (i % 7) + 0.003 * i for i in range(25)]:
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(mini_dir), str(folder)], stdout=subprocess.PIPE, text=True
        )
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
        time.sleep(delay)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        store = SaveStore(folder)
        for name in store.names():
            store.read(name)  # raises if any save is broken
    assert SaveStore(folder).names() == ["slot"]


def special(tmp_path: Path, kind: str) -> SaveStore:
    """A saves folder whose 'odd' save is a FIFO, a link to /dev/zero, or a file of 100 MB."""
    folder = tmp_path / "saves"
    folder.mkdir()
    target = folder / "odd.json"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "dev-zero":
        target.symlink_to("/dev/zero")
    else:
        with target.open("wb") as stream:
            stream.truncate(100 * 2**20)  # sparse: costs no disk
    return SaveStore(folder)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("fifo", "cannot be read: it is a pipe, not a file"),
        ("dev-zero", "cannot be read: it is a device, not a file"),
        ("huge", "is too large to be a save (100 MB; saves are at most 64 MB)"),
    ],
)
def test_files_that_are_not_saves_are_refused_at_once_without_blocking(tmp_path: Path, kind: str, message: str) -> None:
    store = special(tmp_path, kind)
    signal.alarm(10)  # a blocking open or a read of /dev/zero would hang here: fail instead
    try:
        with pytest.raises(SaveError, match=re.escape(message)):
            store.read("odd")
        [entry] = store.entries()
    finally:
        signal.alarm(0)
    assert entry.summary is None and message in entry.problem


TWO_WRITERS = """
import sys
from datetime import UTC, datetime
from adventure.core.engine import begin
from adventure.saves.savefile import make_save
from adventure.saves.store import SaveStore
from adventure.story.loader import load_story
story = load_story(sys.argv[1])
store = SaveStore(sys.argv[2])
save = make_save(story, begin(story).state, ["Pick up gold"] * 200, datetime.now(UTC))
failures = 0
sys.stdin.readline()  # both start together
for _ in range(int(sys.argv[3])):
    try:
        store.write("same", save, durable=False)
    except Exception:
        failures += 1
print(failures)
"""


def test_two_games_saving_one_name_at_once_never_fail_or_corrupt(mini_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", TWO_WRITERS, str(mini_dir), str(folder), "100"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    failures = [int(writer.communicate(timeout=60)[0]) for writer in writers]
    assert failures == [0, 0]
    assert SaveStore(folder).read("same").log == ("Pick up gold",) * 200
    assert sorted(p.name for p in folder.iterdir()) == ["same.json", "same.moves"]  # no temporary file left


def test_a_temporary_file_of_a_killed_write_goes_at_the_first_save_of_a_game(mini: Story, tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    old = tmp_path / ".other.999999.1.tmp"
    old.write_text("half a save")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    live = tmp_path / ".other.999998.2.tmp"  # another game's write in progress: young, not ours
    live.write_text("being written")
    store.write("mine", a_save(mini))
    assert not old.exists() and live.exists()


def test_a_large_save_is_listed_from_its_start_without_reading_it_whole(
    mini: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SaveStore(tmp_path)
    long_game = a_save(mini, "take")
    shown = FrozenMap({f"hall.text#{n}": 1 for n in range(200_000)})  # a state far larger than any real one
    store.write("long", make_save(mini, attrs.evolve(long_game.state, shown=shown), ["Take the key"], NOW))
    assert store.path("long").stat().st_size > 2 * 2**20

    def never(name: str) -> None:
        raise AssertionError("the list read a large save whole")

    monkeypatch.setattr(store, "read", never)
    [line] = format_entries(store.entries())
    assert line.startswith("long") and "The Hall" in line and "turn 1" in line


def test_a_save_made_in_the_same_tick_as_the_autosave_comes_after_it(mini: Story, tmp_path: Path) -> None:
    """A file system's clock ticks in milliseconds, so a save and the autosave written on quitting
    often share a time: --continue then goes on from the autosave, which has every move."""
    store = SaveStore(tmp_path, mini.id)
    state, log = played(mini, "take")
    for name in ("mine", AUTOSAVE, "zed"):
        store.write(name, make_save(mini, state, MoveLog(log), NOW))
        for file in (store.path(name), store.moves_path(name)):
            os.utime(file, (1e9, 1e9))
    assert SaveStore(tmp_path, mini.id).names() == [AUTOSAVE, "zed", "mine"]


def test_the_autosave_is_as_new_as_its_last_move(mini: Story, tmp_path: Path) -> None:
    """Moves added to the autosave after a named save make it the newest again, though its state
    is written later: --continue and `load` alone go on from the last move, not from the save."""
    store = SaveStore(tmp_path, mini.id)
    state, log = played(mini, "take")
    store.write(AUTOSAVE, make_save(mini, state, MoveLog(log), NOW))
    store.write("mine", make_save(mini, state, MoveLog(log), NOW))
    for file, when in ((store.path(AUTOSAVE), 1e9), (store.moves_path(AUTOSAVE), 1e9), (store.path("mine"), 1.5e9)):
        os.utime(file, (when, when))  # the autosave written well before the save
    store = SaveStore(tmp_path, mini.id)  # the game goes on from it
    store.read(AUTOSAVE)
    assert store.names() == ["mine", AUTOSAVE]
    assert store.add_moves(AUTOSAVE, MoveLog([*log, "Pick up gold"]))
    assert store.names() == [AUTOSAVE, "mine"]
    assert [entry.name for entry in store.entries()] == [AUTOSAVE, "mine"]


def test_two_games_on_one_autosave_never_add_their_moves_to_each_other(mini: Story, tmp_path: Path) -> None:
    """A game only adds its move to the moves file it wrote itself: another game's file, written
    since, is replaced whole, even when it is the same size, so a continue never plays one game's
    moves onto the other's state."""
    first, second = SaveStore(tmp_path, mini.id), SaveStore(tmp_path, mini.id)
    state, log = played(mini, "take")
    first.write(AUTOSAVE, make_save(mini, state, MoveLog(log), NOW))
    other, other_log = played(mini, "coins")  # as many bytes as "Take the key"
    second.write(AUTOSAVE, make_save(mini, other, MoveLog(other_log), NOW))
    first.add_moves(AUTOSAVE, MoveLog([*log, "Pick up gold"]))  # the first game's next move
    read = SaveStore(tmp_path, mini.id).read(AUTOSAVE)
    assert read.state == other and read.ahead == ()


def test_a_saves_folder_removed_during_a_game_is_made_again(mini: Story, tmp_path: Path) -> None:
    store = SaveStore(tmp_path / "saves")
    store.write("one", a_save(mini))
    for file in (tmp_path / "saves").iterdir():
        file.unlink()
    (tmp_path / "saves").rmdir()
    store.write("two", a_save(mini, "take"))
    assert store.names() == ["two"]


def test_a_moves_file_removed_just_after_it_was_looked_at_is_written_whole(
    mini: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process may remove the file between the look and the write: the moves are then
    written whole, never as a file that holds only the last of them."""
    store = SaveStore(tmp_path)
    state, log = played(mini, "take")
    store.write("game", make_save(mini, state, MoveLog(log), NOW))
    store.moves_path("game").unlink()
    monkeypatch.setattr(store, "_appendable", lambda name, log: True)  # as it looked a moment before
    assert store.add_moves("game", MoveLog([*log, "Count the coins"]))
    assert store.moves_path("game").read_text(encoding="utf-8") == '"Take the key"\n"Count the coins"\n'


def test_a_moves_file_turned_into_a_pipe_is_replaced_not_appended_to(mini: Story, tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    state, _ = played(mini)
    moves = MoveLog()
    store.write("game", make_save(mini, state, moves, NOW))  # an empty log: a file of 0 bytes
    store.moves_path("game").unlink()
    os.mkfifo(store.moves_path("game"))  # appending to a pipe with no reader would never return
    moves.append("Take the key")
    store.write("game", make_save(mini, state, moves, NOW))
    assert store.moves_path("game").read_text(encoding="utf-8") == '"Take the key"\n'
