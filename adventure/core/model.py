"""Story content: loaded once, never changed while a game is played."""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterator, Mapping

import attrs

from adventure.core.errors import Problem
from adventure.core.expr import Assign, Call, Effect, Expr, Value, Var, leaves, show, tests, walk


@attrs.frozen
class Source:
    """Where something was written, so that every message can point at it."""

    file: str
    line: int
    column: int


NOWHERE = Source("<story>", 0, 0)


@attrs.frozen
class Template:
    """A piece of text: literal strings, `{expression}` holes, conditionals and variations, in order."""

    parts: tuple[Part, ...]
    # The text, if it is only literal text (no holes): most labels and titles are. Worked out once.
    literal: str | None = attrs.field(init=False, eq=False, repr=False)

    @literal.default
    def _literal(self) -> str | None:
        if not self.parts:
            return ""
        return self.parts[0] if len(self.parts) == 1 and isinstance(self.parts[0], str) else None


@attrs.frozen
class Cond:
    """`{condition: shown if true|shown if false}`."""

    test: Expr
    yes: Template
    no: Template


SEQUENCE, CYCLE, ONCE, SHUFFLE = "sequence", "cycle", "once", "shuffle"
SIGILS = {"&": CYCLE, "!": ONCE, "~": SHUFFLE}  # `{a|b}` alone is a sequence


@attrs.frozen
class Vary:
    """`{a|b|c}` and its kinds: which option shows depends on how often this place has been shown.

    `key` names the place in the game state's count of showings; it is made of the scene (or item,
    ending) and the place's order there, so it survives edits elsewhere in the file.
    """

    kind: str
    key: str
    options: tuple[Template, ...]


Part = str | Expr | Cond | Vary


def template_exprs(template: Template) -> Iterator[Expr]:
    """Every expression a template reads: its holes and the tests of its conditions, nested too."""
    for part in template.parts:
        if isinstance(part, str):
            continue
        if isinstance(part, Cond):
            yield part.test
            yield from template_exprs(part.yes)
            yield from template_exprs(part.no)
        elif isinstance(part, Vary):
            for option in part.options:
                yield from template_exprs(option)
        else:
            yield part


def outline(template: Template) -> str:
    """A template as its author wrote it, near enough: for graphs and messages, never for players."""
    pieces = []
    for part in template.parts:
        if isinstance(part, str):
            pieces.append(part)
        elif isinstance(part, Cond):
            pieces.append(f"{{{show(part.test)}: {outline(part.yes)}|{outline(part.no)}}}")
        elif isinstance(part, Vary):
            pieces.append("{" + "|".join(outline(o) for o in part.options) + "}")
        else:
            pieces.append(f"{{{show(part)}}}")
    return "".join(pieces)


def plain_text(text: str) -> Template:
    return Template((text,) if text else ())


def _template(value: Template | str) -> Template:
    """Plain text where a template is wanted, so that a model can be built by hand (in tests, say)."""
    return plain_text(value) if isinstance(value, str) else value


def _text(value: Text | str) -> Text:
    return (Paragraph(plain_text(value)),) if isinstance(value, str) else value


@attrs.frozen
class Paragraph:
    template: Template
    when: Expr | None = None
    source: Source = attrs.field(default=NOWHERE, eq=False)  # where its condition is written


Text = tuple[Paragraph, ...]


@attrs.frozen
class Way:
    """Where a move leads: a scene, an ending, into a sub-scene (`call`), back out of one, or
    nowhere (all None and False: the player stays in the scene)."""

    goto: str | None = None
    end: str | None = None
    call: str | None = None
    back: bool = False

    @property
    def stays(self) -> bool:
        return self.goto is None and self.end is None and self.call is None and not self.back

    @property
    def scene(self) -> str | None:
        """The scene entered, if any (`back` returns to one the game state names)."""
        return self.goto if self.goto is not None else self.call


STAY = Way()


@attrs.frozen
class Branch:
    """One case of a choice's `branch`: taken when its condition holds and no earlier one's did."""

    when: Expr | None
    way: Way
    effects: tuple[Effect, ...] = ()
    say: Text = ()


@attrs.frozen
class Choice:
    key: str  # "scene_id/index": names a one-shot choice in the game state
    label: Template = attrs.field(converter=_template)
    words: tuple[str, ...] = ()
    when: Expr | None = None
    effects: tuple[Effect, ...] = ()
    say: Text = ()
    goto: str | None = None
    end: str | None = None
    once: bool = False
    source: Source = NOWHERE
    call: str | None = None
    back: bool = False
    requires: Expr | None = None  # shown but not takeable unless this holds
    because: Template | None = None  # why not, when `requires` does not hold
    branches: tuple[Branch, ...] = ()  # first that holds decides where it leads; none: `way`
    # Worked out once: the checker asks for them hundreds of thousands of times.
    way: Way = attrs.field(init=False, eq=False, repr=False)  # where it leads if no branch holds
    ways: tuple[Way, ...] = attrs.field(init=False, eq=False, repr=False)  # every place it can lead
    moves: bool = attrs.field(init=False, eq=False, repr=False)  # whether it can lead out of its scene

    def __attrs_post_init__(self) -> None:
        goto, end, call, back = self.goto, self.end, self.call, self.back
        stays = goto is None and end is None and call is None and not back
        way = STAY if stays else Way(goto, end, call, back)  # one object for every choice that stays
        if not self.branches:  # the usual case, built for every choice a scene shows when it is first entered
            ways: tuple[Way, ...] = (way,)
            moves = not stays
        else:
            found = [b.way for b in self.branches]
            if self.branches[-1].when is not None:
                found.append(way)
            ways = tuple(found)
            moves = any(not w.stays for w in ways)
        set_field = object.__setattr__
        set_field(self, "way", way)
        set_field(self, "ways", ways)
        set_field(self, "moves", moves)


@attrs.frozen
class Scene:
    id: str
    title: Template = attrs.field(converter=_template)
    choices: tuple[Choice, ...] = ()
    text: Text = ()
    first: Text = ()
    again: Text = ()
    aliases: tuple[str, ...] = ()  # old ids of this scene, so saves made before a rename still load
    source: Source = NOWHERE
    on_enter: tuple[Effect, ...] = ()  # each time the player comes in (not on coming back from a call)
    on_first_enter: tuple[Effect, ...] = ()  # the first time only, before `on_enter`


@attrs.frozen
class Item:
    id: str
    name: Template = attrs.field(converter=_template)
    kind: str = "thing"
    description: Text = attrs.field(default=(), converter=_text)
    source: Source = NOWHERE


@attrs.frozen
class Ending:
    id: str
    title: Template = attrs.field(converter=_template)
    text: Text = ()
    source: Source = NOWHERE


@attrs.frozen
class Collection:
    """The items the player gathers, shown as a count on the status bar and first in the inventory."""

    kind: str  # the items of this kind
    name: str  # what they are called: "Ids"


@attrs.frozen
class Stat:
    """A variable the player is shown, on the status bar and by `stats`."""

    variable: str
    name: str
    max: int | None = None  # shown as a bar out of this, else as a number
    bar: bool = True  # whether the status bar shows it (`stats` shows every stat)


@attrs.frozen
class Name:
    """A name or fact no text may use before the player has met it: `adventure check` proves it.

    `text` is matched on whole words in the literal text the player is shown; `when` says when
    the player knows it.
    """

    text: str
    when: Expr
    ignore_case: bool = False
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
    inventory: tuple[str, ...] = ()  # what the player carries at the start
    every_turn: tuple[Effect, ...] = ()  # after every choice taken, before the move
    collection: Collection | None = None
    stats: tuple[Stat, ...] = ()
    names: tuple[Name, ...] = ()  # what the continuity proof checks, in the order declared
    # The scenes whose visits are counted (`counted_scenes`, worked out by the loader); None counts
    # every scene, for a story built by hand.
    counted: frozenset[str] | None = None
    id_items: frozenset[str] = attrs.field(init=False)  # the items the checker proves obtainable

    @id_items.default
    def _id_items(self) -> frozenset[str]:
        kind = self.collection.kind if self.collection is not None else "id"
        return frozenset(i.id for i in self.items.values() if i.kind == kind)

    @property
    def counted_key(self) -> str:
        """Names the set of counted scenes in a save, so a changed story that counts more scenes
        than a save did rebuilds it by replay rather than trust counts it never kept."""
        return "all" if self.counted is None else _counted_key(self.counted)

    def counts(self, scene_id: str) -> bool:
        """Whether a visit to the scene is counted in the game state."""
        return self.counted is None or scene_id in self.counted

    def ids_held(self, inventory: tuple[str, ...]) -> int:
        """How many collected items an inventory holds: `ids` in expressions, '3/9' on screen."""
        return sum(1 for item in inventory if item in self.id_items)

    @property
    def ids_total(self) -> int:
        """How many collectable items the story holds: the 'out of nine' the player is shown."""
        return len(self.id_items)


# ---------------------------------------------------------------- what a story reads


@functools.lru_cache(maxsize=8)
def _counted_key(counted: frozenset[str]) -> str:
    return f"{len(counted)}:{zlib.crc32(' '.join(sorted(counted)).encode()):08x}"


def _text_exprs(text: Text) -> Iterator[Expr]:
    for paragraph in text:
        if paragraph.when is not None:
            yield paragraph.when
        yield from template_exprs(paragraph.template)


def _effect_exprs(effects: tuple[Effect, ...]) -> Iterator[Expr]:
    yield from tests(effects)
    yield from (e.value for e in leaves(effects) if isinstance(e, Assign))


def story_exprs(story: Story) -> Iterator[Expr]:
    """Every expression that is read: conditions, effect values, and the `{...}` in any text."""
    for scene in story.scenes.values():
        yield from template_exprs(scene.title)
        for text in (scene.text, scene.first, scene.again):
            yield from _text_exprs(text)
        yield from _effect_exprs(scene.on_enter)
        yield from _effect_exprs(scene.on_first_enter)
        for choice in scene.choices:
            yield from (e for e in (choice.when, choice.requires) if e is not None)
            yield from template_exprs(choice.label)
            if choice.because is not None:
                yield from template_exprs(choice.because)
            yield from _text_exprs(choice.say)
            yield from _effect_exprs(choice.effects)
            for branch in choice.branches:
                if branch.when is not None:
                    yield branch.when
                yield from _text_exprs(branch.say)
                yield from _effect_exprs(branch.effects)
    yield from _effect_exprs(story.every_turn)
    for item in story.items.values():
        yield from template_exprs(item.name)
        yield from _text_exprs(item.description)
    for ending in story.endings.values():
        yield from template_exprs(ending.title)
        yield from _text_exprs(ending.text)
    yield from (Var(stat.variable) for stat in story.stats)
    yield from (name.when for name in story.names)


def counted_scenes(story: Story) -> frozenset[str]:
    """The scenes whose visits the story can read: named by `visits()` or `seen()`, or showing a
    `first` or `again` text, or running `on_first_enter`. Only these are counted in the game
    state, so a state stays as small as what the story can tell apart."""
    named = {
        expr.args[0].name
        for root in story_exprs(story)
        for expr in walk(root)
        if isinstance(expr, Call) and expr.func in ("visits", "seen") and isinstance(expr.args[0], Var)
    }
    own = {s.id for s in story.scenes.values() if s.first or s.again or s.on_first_enter}
    return frozenset(named | own)
