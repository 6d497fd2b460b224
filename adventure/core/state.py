"""The game state: small, immutable and hashable; the only thing a save holds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from adventure.core.expr import fits
from adventure.core.model import Story


class FrozenMap(Mapping[str, Any]):
    """An immutable, hashable mapping, so states can be compared, hashed and explored."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[str, Any] = ()) -> None:  # type: ignore[assignment]
        self._data = dict(data)
        self._hash: int | None = None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)  # Mapping's own goes through __getitem__ and an exception

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._data == other._data
        return isinstance(other, Mapping) and self._data == dict(other)

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def updated(self, changes: Mapping[str, Any]) -> FrozenMap:
        data = dict(self._data)
        data.update(changes)
        return FrozenMap(data)


def _frozen_map(value: Mapping[str, Any]) -> FrozenMap:
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


@attrs.frozen
class GameState:
    scene: str
    variables: FrozenMap = attrs.field(converter=_frozen_map)
    inventory: tuple[str, ...] = ()  # in the order the items were taken
    visits: FrozenMap = attrs.field(default=FrozenMap(), converter=_frozen_map)
    used: frozenset[str] = frozenset()  # keys of one-shot choices already taken
    turn: int = 0
    ending: str | None = None
    seed: int = 0  # the game's dice: outcome k is a hash of (seed, k), so a game replays exactly
    draws: int = 0  # how many outcomes have been drawn
    stack: tuple[str, ...] = ()  # the scenes a `call` will go `back` to, innermost last
    shown: FrozenMap = attrs.field(default=FrozenMap(), converter=_frozen_map)  # times each {a|b} shown
    taken: tuple[str, ...] = ()  # keys of the choices taken since the player came into this scene

    @property
    def ended(self) -> bool:
        return self.ending is not None

    def visit_count(self, scene_id: str) -> int:
        count: int = self.visits.get(scene_id, 0)
        return count

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, keyed by name so saves survive reordered declarations."""
        return {
            "scene": self.scene,
            "variables": dict(self.variables),
            "inventory": list(self.inventory),
            "visits": dict(self.visits),
            "used": sorted(self.used),
            "turn": self.turn,
            "ending": self.ending,
            "seed": self.seed,
            "draws": self.draws,
            "stack": list(self.stack),
            "shown": dict(self.shown),
            "taken": list(self.taken),
        }

    @classmethod
    def from_dict(cls, data: object) -> GameState:
        """The inverse of `to_dict`, for data from outside: a ValueError names the first bad field."""
        if not isinstance(data, dict):
            raise ValueError("'state' should be a mapping")
        variables = _field(data, "variables", dict)
        for name, value in variables.items():
            if not isinstance(value, (int, bool)):
                raise ValueError(f"'state.variables.{_shown(name)}' should be a whole number or true/false")
        visits = _field(data, "visits", dict)
        for name, count in visits.items():
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise ValueError(f"'state.visits.{_shown(name)}' should be a whole number, not negative")
        turn = _field(data, "turn", int)
        if turn < 0:
            raise ValueError("'state.turn' should not be negative")
        ending = data.get("ending")
        if ending is not None and not isinstance(ending, str):
            raise ValueError(f"'state.ending' should be text or null, not {_kind(ending)}")
        inventory = tuple(_texts(_field(data, "inventory", list), "inventory"))
        if len(set(inventory)) != len(inventory):
            raise ValueError("'state.inventory' holds the same item twice")
        for name, value in variables.items():
            if not isinstance(value, bool) and not fits(value):
                raise ValueError(f"'state.variables.{_shown(name)}' is past the story's 64-bit range")
        seed = _field(data, "seed", int)
        draws = _field(data, "draws", int)
        if not 0 <= seed < 2**64 or not 0 <= draws < 2**64:
            raise ValueError("'state.seed' and 'state.draws' should be whole numbers from 0 to 2**64 - 1")
        stack = tuple(_texts(_field(data, "stack", list), "stack"))
        if len(stack) > MAX_CALLS:
            raise ValueError(f"'state.stack' is deeper than {MAX_CALLS} calls")
        shown = _field(data, "shown", dict)
        for name, count in shown.items():
            if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count < 2**63:
                raise ValueError(f"'state.shown.{_shown(name)}' should be a whole number, not negative")
        return cls(
            scene=_field(data, "scene", str),
            variables=FrozenMap(variables),
            inventory=inventory,
            visits=FrozenMap(visits),
            used=frozenset(_texts(_field(data, "used", list), "used")),
            turn=turn,
            ending=ending,
            seed=seed,
            draws=draws,
            stack=stack,
            shown=FrozenMap(shown),
            taken=tuple(dict.fromkeys(_texts(_field(data, "taken", list) if "taken" in data else [], "taken"))),
        )


_KINDS = {str: "text", int: "a whole number", bool: "true or false", list: "a list", dict: "a mapping"}


def _kind(value: object) -> str:
    return {
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), "null" if value is None else type(value).__name__)


def _shown(name: object) -> str:
    text = str(name)
    return text if text.isprintable() and len(text) <= 40 else repr(text[:40])


def _field(data: dict[str, Any], key: str, kind: type) -> Any:
    if key not in data:
        raise ValueError(f"'state.{key}' is missing")
    value = data[key]
    # bool is an int in Python: never accept one for the other.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"'state.{key}' should be {_KINDS[kind]}, not {_kind(value)}")
    return value


def _texts(values: list[Any], key: str) -> list[str]:
    if not all(isinstance(value, str) for value in values):
        raise ValueError(f"'state.{key}' should hold only text")
    return values


MAX_CALLS = 16  # how deep `call`s may nest: a story that calls on and on meets a clear refusal


def new_game(story: Story, seed: int = 0) -> GameState:
    """The state before the first scene is entered; the engine's `begin` enters it."""
    return GameState(
        scene=story.start, variables=FrozenMap(story.variables), inventory=story.inventory, seed=seed % 2**64
    )
