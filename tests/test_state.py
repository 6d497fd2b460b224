from __future__ import annotations

import attrs
import pytest

from adventure.core.engine import begin
from adventure.core.model import Story
from adventure.core.state import FrozenMap, GameState, new_game

from .support import Step


def test_a_new_game_starts_at_the_start_with_the_declared_values(mini: Story) -> None:
    state = new_game(mini)
    assert state.scene == "hall" and dict(state.variables) == {"gold": 0, "door_open": False}
    assert state.inventory == () and state.turn == 0 and not state.ended


def test_states_are_values_equal_states_hash_alike(mini: Story, step: Step) -> None:
    one = step(mini, begin(mini).state, "coins").state
    two = step(mini, begin(mini).state, "coins").state
    assert one == two and hash(one) == hash(two)
    assert len({one, two}) == 1


def test_changing_a_state_makes_a_new_one(mini: Story) -> None:
    state = begin(mini).state
    changed = attrs.evolve(state, variables=state.variables.updated({"gold": 9}))
    assert state.variables["gold"] == 0 and changed.variables["gold"] == 9


def test_to_dict_is_plain_json_data(mini: Story, step: Step) -> None:
    state = step(mini, step(mini, begin(mini).state, "take").state, "open").state
    assert state.to_dict() == {
        "scene": "yard",
        "variables": {"gold": 0, "door_open": True},
        "inventory": ["key", "id_one"],
        "visits": {"hall": 1},  # the yard's visits are not counted: nothing in the story reads them
        "used": ["hall/1"],
        "turn": 2,
        "ending": None,
        "seed": 0,
        "draws": 0,
        "stack": [],
        "shown": {},
        "taken": [],
    }


def test_a_state_without_taken_reads_as_nothing_taken_in_this_visit() -> None:
    data = GameState("hall", {"a": 1}, taken=("hall/2",)).to_dict()
    assert GameState.from_dict(data).taken == ("hall/2",)
    del data["taken"]
    assert GameState.from_dict(data).taken == ()
    with pytest.raises(ValueError, match="taken"):
        GameState.from_dict({**data, "taken": 5})


def test_frozen_maps_compare_with_plain_dicts() -> None:
    assert FrozenMap({"a": 1}) == {"a": 1}
    assert GameState("x", {"a": 1}).variables == FrozenMap({"a": 1})


def test_a_large_map_is_the_same_whatever_order_it_was_built_in() -> None:
    pairs = [(f"scene_{n}", n % 7) for n in range(3000)]
    built = FrozenMap()
    for key, value in pairs:
        built = built.updated({key: value})
    at_once = FrozenMap(dict(reversed(pairs)))
    assert built == at_once and hash(built) == hash(at_once) and len(built) == 3000
    assert dict(built.items()) == dict(pairs) and built["scene_10"] == 3 and "scene_x" not in built
    assert built == dict(pairs) and built.get("scene_x", -1) == -1


def test_updating_a_large_map_copies_only_the_path_to_the_key() -> None:
    """A visit counted after thousands of scenes copies a few small nodes, not every count."""
    before = FrozenMap({f"scene_{n}": 1 for n in range(5000)})
    after = before.updated({"scene_42": 2})
    assert before["scene_42"] == 1 and after["scene_42"] == 2  # the old map is untouched
    shared = sum(1 for old, new in zip(before._root, after._root, strict=True) if old is new)
    assert shared == 31  # of the top node's 32 branches, only the one holding the key was copied
