"""The game state: small, immutable and hashable; the only thing a save holds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from adventure.core.expr import fits
from adventure.core.model import Story

_BITS = 5  # a branch of the trie splits on 5 bits of the key's hash: 32 ways
_SPLIT = 64  # a leaf holds up to this many keys; one more splits it into a branch
_DEEPEST = 60  # past this many bits of the hash, a leaf just grows (keys whose hashes collide)


class FrozenMap(Mapping[str, Any]):
    """An immutable, hashable mapping, so states can be compared, hashed and explored.

    It is a hash trie: up to 64 keys a plain dict, beyond that a tree of 32-way branches whose
    leaves are small dicts. `updated` copies only the path to the keys it changes, so counting a
    visit costs the same with ten scenes visited or ten thousand, and states share what they did
    not change. The shape depends only on the set of keys, so equal maps are equal structures.
    Iteration follows insertion order up to 64 keys; beyond that it follows the trie.
    """

    __slots__ = ("_hash", "_len", "_root")

    def __init__(self, data: Mapping[str, Any] = ()) -> None:  # type: ignore[assignment]
        root = dict(data)
        self._len = len(root)
        self._root: Any = root if len(root) <= _SPLIT else _split(root, 0)  # a dict, or a 32-way tuple
        self._hash: int | None = None

    def __getitem__(self, key: str) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        node = self._root
        if type(node) is dict:
            return node.get(key, default)
        code, shift = hash(key), 0
        while type(node) is tuple:
            node = node[(code >> shift) & 31]
            if node is None:
                return default
            shift += _BITS
        return node.get(key, default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key, _MISSING) is not _MISSING

    def __iter__(self) -> Iterator[str]:
        if type(self._root) is dict:
            return iter(self._root)
        return (key for leaf in _leaves(self._root) for key in leaf)

    def items(self) -> Any:
        if type(self._root) is dict:
            return self._root.items()
        return [pair for leaf in _leaves(self._root) for pair in leaf.items()]

    def __len__(self) -> int:
        return self._len

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._len == other._len and self._root == other._root
        return isinstance(other, Mapping) and dict(self.items()) == dict(other)

    def __repr__(self) -> str:
        return f"FrozenMap({dict(self.items())!r})"

    def updated(self, changes: Mapping[str, Any]) -> FrozenMap:
        root = self._root
        size = self._len
        if type(root) is dict and size + len(changes) <= _SPLIT:
            data = dict(root)
            data.update(changes)
            return _made(data, len(data))
        for key, value in changes.items():
            root, grew = _set(root, key, hash(key), value, 0)
            size += grew
        return _made(root, size)


_MISSING = object()


def _made(root: dict[str, Any] | tuple[Any, ...], size: int) -> FrozenMap:
    made = FrozenMap.__new__(FrozenMap)
    made._root, made._len, made._hash = root, size, None
    return made


def _split(leaf: dict[str, Any], shift: int) -> tuple[Any, ...]:
    """A branch holding the keys of `leaf`, by the 5 bits of their hashes at `shift`."""
    buckets: list[dict[str, Any] | None] = [None] * 32
    for key, value in leaf.items():
        index = (hash(key) >> shift) & 31
        bucket = buckets[index]
        if bucket is None:
            buckets[index] = {key: value}
        else:
            bucket[key] = value
    return tuple(
        _split(b, shift + _BITS) if b is not None and len(b) > _SPLIT and shift + _BITS < _DEEPEST else b
        for b in buckets
    )


def _set(node: Any, key: str, code: int, value: Any, shift: int) -> tuple[Any, bool]:
    """`node` with `key` set, copying only the path to it, and whether the key is new."""
    if type(node) is dict:
        leaf = dict(node)
        grew = key not in leaf
        leaf[key] = value
        if len(leaf) > _SPLIT and shift < _DEEPEST:
            return _split(leaf, shift), grew
        return leaf, grew
    index = (code >> shift) & 31
    child = node[index]
    if child is None:
        changed: Any = {key: value}
        grew = True
    else:
        changed, grew = _set(child, key, code, value, shift + _BITS)
    return (*node[:index], changed, *node[index + 1 :]), grew


def _leaves(node: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
    for child in node:
        if type(child) is dict:
            yield child
        elif child is not None:
            yield from _leaves(child)


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
            "variables": dict(self.variables.items()),
            "inventory": list(self.inventory),
            "visits": dict(self.visits.items()),
            "used": sorted(self.used),
            "turn": self.turn,
            "ending": self.ending,
            "seed": self.seed,
            "draws": self.draws,
            "stack": list(self.stack),
            "shown": dict(self.shown.items()),
            "taken": list(self.taken),
        }

    @classmethod
    def from_dict(cls, data: object) -> GameState:
        """The inverse of `to_dict`, for data from outside: a ValueError names the first bad field."""
        if not isinstance(data, dict):
            raise ValueError("'state' should be a mapping")
        variables = _field(data, "variables", dict)
        for name, value in variables.items():
            if type(value) is bool:
                continue
            if not isinstance(value, int):
                raise ValueError(f"'state.variables.{_shown(name)}' should be a whole number or true/false")
            if not fits(value):
                raise ValueError(f"'state.variables.{_shown(name)}' is past the story's 64-bit range")
        visits = _field(data, "visits", dict)
        for name, count in visits.items():
            if type(count) is not int or count < 0:
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
        seed = _field(data, "seed", int)
        draws = _field(data, "draws", int)
        if not 0 <= seed < 2**64 or not 0 <= draws < 2**64:
            raise ValueError("'state.seed' and 'state.draws' should be whole numbers from 0 to 2**64 - 1")
        stack = tuple(_texts(_field(data, "stack", list), "stack"))
        if len(stack) > MAX_CALLS:
            raise ValueError(f"'state.stack' is deeper than {MAX_CALLS} calls")
        shown = _field(data, "shown", dict)
        for name, count in shown.items():
            if type(count) is not int or not 0 <= count < 2**63:
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
