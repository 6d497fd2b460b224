"""Random play and random save files through the session: nothing escapes, nothing outside changes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adventure.play.session import Session
from adventure.saves.store import SaveStore
from adventure.story.loader import load_story

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def corrupt(data: Any, path: list[str | int], value: Any) -> Any:
    """`data` with the value at `path` (as far as it leads) replaced by `value`."""
    if not path or not isinstance(data, (dict, list)) or not data:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        key = list(data)[hash(head) % len(data)]
        return {**data, key: corrupt(data[key], rest, value)}
    index = hash(head) % len(data)
    return [*data[:index], corrupt(data[index], rest, value), *data[index + 1 :]]


def fingerprint(folder: Path, skip: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file() and skip not in p.parents
    }


COMMANDS = st.one_of(
    st.sampled_from(["1", "2", "3", "look", "i", "help", "undo", "saves", "save a", "load a", "load x", "yes", "no"]),
    st.sampled_from(["restart", "delete a", "delete x", "save", "load", "save ../x", "take", "coins", "open", "dig"]),
    st.text(max_size=20),
    st.integers(min_value=1, max_value=6000).map(lambda n: "7" * n),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    commands=st.lists(COMMANDS, max_size=25),
    damage=st.lists(st.tuples(st.lists(st.text(max_size=3) | st.integers(), max_size=4), JSON), max_size=3),
)
def test_random_commands_and_save_files_never_escape_or_touch_other_files(
    mini_dir: Path, tmp_path: Path, commands: list[str], damage: list[tuple[list[str | int], Any]]
) -> None:
    saves = tmp_path / "saves"
    story = load_story(mini_dir)
    before = fingerprint(tmp_path, saves)
    game = Session(story, SaveStore(saves))
    game.start()
    game.handle("save a")
    valid = json.loads((saves / "a.json").read_text())
    bad = valid
    for path, value in damage:
        bad = corrupt(bad, path, value)
    (saves / "x.json").write_text(json.dumps(bad))
    for command in commands:
        reply = game.handle(command)  # raises if anything escapes
        assert all("\x1b" not in block.text for block in reply.output) or "\x1b" in command
    game.leave()
    assert fingerprint(tmp_path, saves) == before
    assert all(p.parent == saves for p in saves.rglob("*"))
