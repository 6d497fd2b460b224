"""The game state: small, immutable and hashable; the only thing a save holds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Optional

import attrs

from adventure.core.model import Story


class FrozenMap(Mapping[str, Any]):
    """An immutable, hashable mapping, so states can be compared, hashed and explored."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[str, Any] = ()) -> None:  # type: ignore[assignment]
        self._data = dict(data)
        self._hash: Optional[int] = None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

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

    def updated(self, changes: Mapping[str, Any]) -> "FrozenMap":
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
    ending: Optional[str] = None

    @property
    def ended(self) -> bool:
        return self.ending is not None

    def visit_count(self, scene_id: str) -> int:
        return self.visits.get(scene_id, 0)

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
        }


def new_game(story: Story) -> GameState:
    """The state before the first scene is entered; the engine's `begin` enters it."""
    return GameState(scene=story.start, variables=FrozenMap(story.variables))

