"""The save format, without a disk: a game to plain data and back, and what it refuses."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adventure.core.engine import begin
from adventure.core.model import Story
from adventure.core.state import GameState
from adventure.saves.savefile import make_save, readable_json, save_from_dict, save_to_dict

from .support import played

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_a_save_round_trips_through_json(mini: Story) -> None:
    state, log = played(mini, "take", "coins", "open")
    save = make_save(mini, state, log, NOW)
    again = save_from_dict(json.loads(json.dumps(save_to_dict(save))))
    assert again == save
    assert again.state.scene == "yard" and again.state.variables["gold"] == 2
    assert again.log == ("Take the key", "Pick up gold", "Open the door")
    assert again.saved_at == "2026-12-02T12:00:00+00:00"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), _JSON, max_size=6))
def test_readable_json_is_json_with_the_top_keys_a_line_each(data: dict[str, object]) -> None:
    """Written with shortcuts for leaves and empty lists: it must read back as what was written."""
    text = readable_json(data)
    assert json.loads(text) == data
    if data:
        assert text.startswith("{\n") and text.count("\n  " + chr(34)) == len(data)


def test_game_state_from_dict_is_the_inverse_of_to_dict(mini: Story) -> None:
    state, _ = played(mini, "take", "coins", "coins", "open")
    assert GameState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scene": 3}, "'state.scene' should be text, not a number"),
        ({"visits": {"hall": -1}}, "'state.visits.hall' should be a whole number, not negative"),
        ({"variables": {"gold": "lots"}}, "'state.variables.gold' should be a whole number or true/false"),
        ({"inventory": ["key", 7]}, "'state.inventory' should hold only text"),
        ({"ending": 5}, "'state.ending' should be text or null, not a number"),
        ({"turn": -2}, "'state.turn' should not be negative"),
    ],
)
def test_game_state_from_dict_names_the_first_bad_field(mini: Story, change: dict[str, object], message: str) -> None:
    data = {**begin(mini).state.to_dict(), **change}
    with pytest.raises(ValueError, match=re.escape(message)):
        GameState.from_dict(data)


def test_a_missing_field_of_the_state_is_named(mini: Story) -> None:
    data = begin(mini).state.to_dict()
    del data["used"]
    with pytest.raises(ValueError, match=r"'state\.used' is missing"):
        GameState.from_dict(data)


def test_a_log_read_from_its_file_behaves_as_the_log_that_wrote_it() -> None:
    """Read lazily, it must give the same labels, checksums and lines once taken apart."""
    from adventure.saves.savefile import MoveLog, read_moves

    written = MoveLog(["Take the key", "Pick up gold", "Open the door"])
    read = read_moves(written.lines(), 3, written.crc())
    assert read is not None and len(read) == 3 and read.crc() == written.crc()
    read.append("Go back inside")
    written.append("Go back inside")
    assert read.crc(2) == written.crc(2) and read.lines(1) == written.lines(1)
    del read[1:]
    assert list(read) == ["Take the key"] and read.crc() == MoveLog(["Take the key"]).crc()
    assert read_moves(written.lines(), 3, written.crc() ^ 1) is None  # not the log the save names
