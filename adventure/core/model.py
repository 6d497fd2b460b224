"""Story content: loaded once, never changed while a game is played."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from adventure.core.errors import Problem
from adventure.core.expr import Effect, Expr, Value


@attrs.frozen
class Source:
    """Where something was written, so that every message can point at it."""

    file: str
    line: int
    column: int


NOWHERE = Source("<story>", 0, 0)


@attrs.frozen
class Template:
    """A piece of text with `{expression}` holes: literal strings and expressions, in order."""

    parts: tuple[str | Expr, ...]


@attrs.frozen
class Paragraph:
    template: Template
    when: Expr | None = None


Text = tuple[Paragraph, ...]


@attrs.frozen
class Choice:
    key: str  # "scene_id/index": names a one-shot choice in the game state
    label: str
    words: tuple[str, ...] = ()
    when: Expr | None = None
    effects: tuple[Effect, ...] = ()
    say: Text = ()
    goto: str | None = None
    end: str | None = None
    once: bool = False
    source: Source = NOWHERE


@attrs.frozen
class Scene:
    id: str
    title: str
    choices: tuple[Choice, ...]
    text: Text = ()
    first: Text = ()
    again: Text = ()
    aliases: tuple[str, ...] = ()  # old ids of this scene, so saves made before a rename still load
    source: Source = NOWHERE


@attrs.frozen
class Item:
    id: str
    name: str
    kind: str
    description: str
    source: Source = NOWHERE

    @property
    def is_id(self) -> bool:
        return self.kind == "id"


@attrs.frozen
class Ending:
    id: str
    title: str
    text: Text = ()
    source: Source = NOWHERE


@attrs.frozen(eq=False)
class Story:
    id: str
    title: str
    version: int
    start: str
    variables: Mapping[str, Value]  # declared defaults, in declaration order
    items: Mapping[str, Item]
    scenes: Mapping[str, Scene]
    endings: Mapping[str, Ending]
    source: Source = NOWHERE
    fingerprint: str = ""  # a digest of the story's files: saves notice when the story changed
    variable_sources: Mapping[str, Source] = attrs.field(factory=dict)  # where each variable is declared
    warnings: tuple[Problem, ...] = ()  # what the loader found odd but playable, for `adventure check`
    id_items: frozenset[str] = attrs.field(init=False)

    @id_items.default
    def _id_items(self) -> frozenset[str]:
        return frozenset(i.id for i in self.items.values() if i.is_id)

    def ids_held(self, inventory: tuple[str, ...]) -> int:
        """How many Ids an inventory holds: what `ids` means in expressions and '3/9' means on screen."""
        return sum(1 for item in inventory if item in self.id_items)

    @property
    def ids_total(self) -> int:
        """How many Ids the story holds: the 'out of nine' the player is shown."""
        return len(self.id_items)
