"""Which parts of a game state can still matter, scene by scene, and how to forget the rest.

The checker explores every state a player can reach. Taken literally that space is infinite (visit
counts and `turn` grow for ever, a repeatable `gold += 2` never stops) and needlessly large (the
order of the inventory, the `once` choices used in a chapter the player has left). Exploring
*normalised* states keeps it finite and small without changing what can happen next:

- Only choices move the game on, so only what choice conditions (`when`) and effect values (`do`)
  read can change the future; text, `first`/`again` and `{...}` holes never do.
- From a scene, the future can only involve the scenes its `goto`s can lead to (ignoring
  conditions, which only removes ways). A quantity no condition or effect of those scenes reads
  (a variable, an item, a scene's visit count, `turn`, a `once` choice's use) is forgotten: reset
  to its starting value. Two states that agree on everything still read have the same futures.
- A number read only in comparisons with constants (`visits(x) == 3`, `seen(x)`, `trust >= 4`)
  needs telling apart only where those comparisons can still tell values apart. Visit counts and
  `turn` only grow, so all values past the largest constant compared ahead are one value: they
  are capped at that constant + 1 (`seen` needs only 0 and 1). A variable changed only by
  constants (`+= 1`, `-= 2`, `= 5`) can still fall by at most D and rise by at most U (summed over
  the choices ahead, each taken at most once, as a `once` choice or a move out of a scene the
  player cannot come back to; without limit if one can repeat), so every value
  above max(C) + D answers every comparison ahead alike, as does every value below min(C) - U:
  it is clamped into [min(C) - U - 1, max(C) + D + 1]. A number read in any other way (`a > b`,
  `a + 1`) is kept exact, and a story that makes it grow for ever meets the search's bounds.
- The game refuses a move whose effect would take a number past the 64-bit range, so an effect that
  can (one that grows a number from itself, `x = x * 2`, or holds a constant past LARGE) counts
  as reading its number exactly: the search then meets the refusal where a player would.
- The inventory is a set for conditions (`has`, `ids`), so its order is forgotten.
- A choice that stays in its scene and changes nothing still read (a question, a look around) is
  *inert*: taking it leads back to a state with the same future, so its `once` is forgotten, and
  what its own condition reads does not count as read (a least fixed point: see `_live`).

A normalised state offers the same choices that matter as every state it stands for, and they
lead to the same places: a path found among normalised states replays move for move in the real
game (inert choices aside, which no shortest path takes).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator

import attrs

from adventure.analysis.mentions import gates
from adventure.core.expr import (
    COMPARISONS,
    Assign,
    Binary,
    Call,
    Drop,
    Effect,
    Expr,
    If,
    Lit,
    Take,
    Unary,
    Var,
    guarded,
    leaves,
    tests,
    walk,
)
from adventure.core.model import Choice, Story
from adventure.core.state import FrozenMap, GameState

# What an expression can read: ("var", name), ("visits", scene), ("item", item), ("turn",), ("ids",).
Quantity = tuple[str, ...]
TURN: Quantity = ("turn",)
IDS: Quantity = ("ids",)


def constant(expr: Expr) -> int | None:
    """The value of a literal whole number (`3`, `-3`), else None."""
    if isinstance(expr, Lit) and not isinstance(expr.value, bool):
        return expr.value
    if (
        isinstance(expr, Unary)
        and expr.op == "-"
        and isinstance(expr.operand, Lit)
        and not isinstance(expr.operand.value, bool)
    ):
        return -expr.operand.value
    return None


def _leaf(expr: Expr) -> Quantity | None:
    if isinstance(expr, Var):
        return TURN if expr.name == "turn" else IDS if expr.name == "ids" else ("var", expr.name)
    if isinstance(expr, Call) and expr.func in ("visits", "seen", "has") and isinstance(expr.args[0], Var):
        return ("item" if expr.func == "has" else "visits", expr.args[0].name)
    return None


def reads(expr: Expr) -> Iterator[tuple[Quantity, int | None]]:
    """Each quantity `expr` reads, with the constant it is compared to, or None for any other use.

    `seen(x)` is `visits(x) > 0`, a comparison with 0.
    """
    if isinstance(expr, Binary) and expr.op in COMPARISONS:
        for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
            quantity, value = _leaf(side), constant(other)
            if quantity is not None and value is not None and quantity[0] in ("var", "visits", "turn"):
                yield quantity, value
                return
    if isinstance(expr, Call) and expr.func == "seen" and isinstance(expr.args[0], Var):
        yield ("visits", expr.args[0].name), 0
        return
    quantity = _leaf(expr)
    if quantity is not None:
        yield quantity, None
        return
    children: tuple[Expr, ...] = ()
    if isinstance(expr, Binary):
        children = (expr.left, expr.right)
    elif isinstance(expr, Unary):
        children = (expr.operand,)
    elif isinstance(expr, Call):
        children = expr.args
    for child in children:
        yield from reads(child)


@attrs.frozen
class Bound:
    """How a number is kept finite: clamped into [low, high] (None: unbounded on that side)."""

    low: int | None = None
    high: int | None = None

    def clamp(self, value: int) -> int:
        if self.high is not None and value > self.high:
            return self.high
        if self.low is not None and value < self.low:
            return self.low
        return value


EXACT = Bound()
Reads = dict[Quantity, frozenset[int | None]]  # each quantity read, with the constants it is compared to


class OutOfTime(Exception):
    """The checker's time ran out during the analysis that comes before the search."""


def never() -> bool:
    """A deadline that never passes: for analyses run without a clock."""
    return False


def _edges(story: Story) -> dict[str, set[str]]:
    """Each scene's next scenes: where its choices `goto` or `call`, and, for a `back`, every scene
    that calls (the game state knows which; this graph does not need to)."""
    callers = {s for s, scene in story.scenes.items() for c in scene.choices for w in c.ways if w.call is not None}
    edges: dict[str, set[str]] = {}
    for scene_id, scene in story.scenes.items():
        found: set[str] = set()
        for choice in scene.choices:
            for way in choice.ways:
                if way.scene is not None:
                    found.add(way.scene)
                elif way.back:
                    found |= callers
        edges[scene_id] = found
    return edges


def _reach(edges: dict[str, set[str]], scene_id: str) -> frozenset[str]:
    seen = {scene_id}
    stack = [scene_id]
    while stack:
        for nxt in edges[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return frozenset(seen)


def reachable(story: Story, scene_id: str) -> frozenset[str]:
    """Every scene `scene_id`'s `goto`s can lead to, directly or not, itself included."""
    return _reach(_edges(story), scene_id)


def components(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of the scene graph (scenes that can lead to each other),
    each after every component it leads to: sinks first (Tarjan's order), in linear time."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(sorted(edges[root])))]
        while work:
            node, ahead = work[-1]
            for nxt in ahead:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(edges[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    above = work[-1][0]
                    low[above] = min(low[above], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    found.append(component)
    return found


def move_effects(story: Story, choice: Choice) -> tuple[Effect, ...]:
    """Every effect a choice can run, wherever it leads: its own, its branches', every turn's, and
    those of the scenes it can enter. Branches and first visits make them conditional: they are
    read here as `if`s, so no caller mistakes one for an effect that always happens."""
    return _moves(story, choice)[2]


def _guarded_by_move(story: Story, choice: Choice) -> frozenset[str]:
    return _moves(story, choice)[3]


# The analysis asks for the same choice's effects tens of thousands of times: each is worked out
# once per story. Keyed by identity (a story and its choices are immutable), and the entry keeps
# both alive, so an id is never reused while its entry stands.
_MOVES: dict[tuple[int, int], tuple[Story, Choice, tuple[Effect, ...], frozenset[str]]] = {}
_MOVES_KEPT = 100_000


def _moves(story: Story, choice: Choice) -> tuple[Story, Choice, tuple[Effect, ...], frozenset[str]]:
    key = (id(story), id(choice))
    entry = _MOVES.get(key)
    if entry is None:
        if len(_MOVES) >= _MOVES_KEPT:
            _MOVES.clear()
        effects = _move_effects(story, choice)
        entry = _MOVES[key] = (story, choice, effects, guarded(effects))
    return entry


def _move_effects(story: Story, choice: Choice) -> tuple[Effect, ...]:
    found: list[Effect] = list(choice.effects)
    for branch in choice.branches:
        if branch.effects:
            found.append(If(branch.when or Lit(True), branch.effects))
    found.extend(story.every_turn)
    scenes = sorted({w.scene for w in choice.ways if w.scene is not None})
    for scene_id in scenes:
        scene = story.scenes[scene_id]
        entering: list[Effect] = []
        if scene.on_first_enter:
            entering.append(If(Unary("not", Call("seen", (Var(scene_id),))), scene.on_first_enter))
        entering.extend(scene.on_enter)
        if len(choice.ways) == 1:
            found.extend(entering)  # the only way on: its effects always run
        elif entering:
            found.append(If(Lit(True), tuple(entering)))  # only in the plays that go there
    return tuple(found)


def move_tests(story: Story, choice: Choice) -> Iterator[Expr]:
    """What decides what a choice does, besides its `when`: `requires`, branch conditions, the
    conditions of its `if`s, and whether a scene it enters was seen (for `on_first_enter`)."""
    if choice.requires is not None:
        yield choice.requires
    for branch in choice.branches:
        if branch.when is not None:
            yield branch.when
    yield from tests(move_effects(story, choice))


def _inert(story: Story, choice: Choice, live: Reads) -> bool:
    """Whether a choice stays in its scene and changes nothing in `live` (see the module's doc)."""
    if choice.moves or TURN in live:
        return False
    for effect in leaves(move_effects(story, choice)):
        if isinstance(effect, Assign) and ("var", effect.name) in live:
            return False
        if isinstance(effect, (Take, Drop)) and (effect.item in story.id_items or ("item", effect.item) in live):
            return False
    return True


@attrs.frozen
class _Facts:
    """What one choice reads, worked out once: its condition, and each assignment's value."""

    choice: Choice
    condition: tuple[tuple[Quantity, int | None], ...]
    assigns: tuple[tuple[Quantity, tuple[tuple[Quantity, int | None], ...]], ...]

    @classmethod
    def of(cls, story: Story, choice: Choice) -> _Facts:
        effects = move_effects(story, choice)
        # The game refuses a move whose effect would leave the 64-bit range, so such an effect
        # reads the number it sets, as a condition would: kept exact, the search sees the refusal.
        risky = tuple((("var", e.name), None) for e in leaves(effects) if isinstance(e, Assign) and can_overflow(e))
        conditions = [choice.when] if choice.when is not None else []
        conditions.extend(move_tests(story, choice))
        # `back` leads where the stack says: what decides that is kept whole (see Normaliser).
        return cls(
            choice,
            tuple(read for condition in conditions for read in reads(condition)) + risky,
            tuple((("var", e.name), tuple(reads(e.value))) for e in leaves(effects) if isinstance(e, Assign)),
        )


def can_overflow(effect: Assign) -> bool:
    """Whether an effect could take its number out of range in any number of moves a search makes:
    it grows the number from itself (`x = x * 2`, `x += x`: every move can double it), or holds a
    number past LARGE. Steps by smaller constants or values (`x += 1`, `x = x + y`) need more than
    2**31 moves."""
    name, value = effect.name, effect.value
    if any(isinstance(node, Lit) and abs(int(node.value)) > LARGE for node in walk(value)):
        return True
    if effect.op == "=" and isinstance(value, Binary) and value.op in ("+", "-"):
        if value.left == Var(name):  # x = x + e, x = x - e: a step of e
            value = value.right
        elif value.op == "+" and value.right == Var(name):  # x = e + x
            value = value.left
    return any(isinstance(node, Var) and node.name == name for node in walk(value))


def _live(
    story: Story, facts: list[_Facts], after: Reads, shown: tuple[tuple[Quantity, int | None], ...] = ()
) -> Reads:
    """What can still change where the player goes, what they obtain, or how the story ends, from
    the scenes whose choices are `facts`, given `after`: what matters in the scenes they lead to.

    A least fixed point: a choice matters unless it is inert; what a choice that matters reads in
    its condition matters, and so do the values of its effects that set what matters here or
    after. Taking or dropping an Id always matters: the checker proves Ids obtainable. An effect in
    a later scene on something that matters only here is not followed: once the player is there,
    it can no longer matter. `shown` is what the continuity proof reads of the text shown here.
    """
    live = after
    while True:
        found = dict(after)
        _add(found, shown)
        for fact in facts:
            if fact.condition and not _inert(story, fact.choice, live):
                _add(found, fact.condition)
            for target, values in fact.assigns:
                if target in live:
                    _add(found, values)
        if found == live:
            return live
        live = found


def _add(reads: Reads, found: tuple[tuple[Quantity, int | None], ...]) -> None:
    for quantity, value in found:
        known = reads.get(quantity)
        if known is None or value not in known:
            reads[quantity] = (known or frozenset()) | {value}


Change = tuple[int | None, int | None]  # how much a variable can still rise, and fall; None: no limit


@attrs.define
class Analysis:
    """What the checker knows of a story before playing it: which scenes can lead back to each
    other, what matters where, inert choices. Linear in the story's size, but for what matters
    where, which is as large as the story's variables make it."""

    story: Story
    component: dict[str, int]  # scene -> its strongly connected component, numbered sinks first
    members: list[list[str]]  # component -> its scenes
    after: list[frozenset[int]]  # component -> the components its choices lead to
    cyclic: frozenset[str]  # scenes the player can come back to
    live: dict[str, Reads]  # scene -> what still matters there (one shared dict per component)
    inert: frozenset[str]  # keys of the choices that are inert in their scene
    large: frozenset[str] = frozenset()  # variables kept exact: their numbers come near the 64-bit limit
    setters: dict[str, list[tuple[str, Choice]]] = attrs.field(factory=dict)  # variable -> choices setting it
    _changes: dict[str, list[Change | None]] = attrs.field(factory=dict)

    @classmethod
    def of(cls, story: Story, out_of_time: Callable[[], bool] = never) -> Analysis:
        """The analysis of a story; raises OutOfTime as soon as `out_of_time` says so."""
        edges = _edges(story)
        members = components(edges)
        component = {scene_id: i for i, scenes in enumerate(members) for scene_id in scenes}
        after = [frozenset(component[t] for s in scenes for t in edges[s]) - {i} for i, scenes in enumerate(members)]
        cyclic = frozenset(
            scene_id
            for scenes in members
            for scene_id in scenes
            if len(scenes) > 1
            or scene_id in edges[scene_id]
            or any(w.back for c in story.scenes[scene_id].choices for w in c.ways)
        )
        facts = {s: [_Facts.of(story, c) for c in scene.choices] for s, scene in story.scenes.items()}
        gated = {s: tuple(r for e in exprs for r in reads(e)) for s, exprs in gates(story).items()}
        lives: list[Reads] = []
        for i, scenes in enumerate(members):
            if out_of_time():
                raise OutOfTime
            later: Reads = {}
            for j in after[i]:
                for quantity, values in lives[j].items():
                    known = later.get(quantity)
                    later[quantity] = values if known is None or known == values else known | values
            lives.append(
                _live(
                    story,
                    [f for s in scenes for f in facts[s]],
                    later,
                    tuple(r for s in scenes for r in gated.get(s, ())),
                )
            )
        live = {scene_id: lives[component[scene_id]] for scene_id in story.scenes}
        inert = frozenset(
            c.key for scene_id, scene in story.scenes.items() for c in scene.choices if _inert(story, c, live[scene_id])
        )
        setters: dict[str, list[tuple[str, Choice]]] = {}
        for scene_id, scene in story.scenes.items():
            for choice in scene.choices:
                for name in sorted({e.name for e in leaves(move_effects(story, choice)) if isinstance(e, Assign)}):
                    setters.setdefault(name, []).append((scene_id, choice))
        return cls(story, component, members, after, cyclic, live, inert, _large(story, facts), setters)

    def repeats(self, scene_id: str, choice: Choice) -> bool:
        """Whether one play can take `choice` more than once."""
        if choice.once or all(w.end is not None for w in choice.ways):
            return False
        return not all(w.goto is not None or w.end is not None for w in choice.ways) or scene_id in self.cyclic

    def _change(self, scene_id: str, choice: Choice, name: str) -> tuple[Change, int | None] | None:
        """How one choice moves a variable: its rise and fall (None: without limit, as it repeats)
        and the constant it sets it to, if any; None if it sets it from other values."""
        change = fold(self.story, choice, name)
        if change is not None and change[0] == "=":
            return (0, 0), change[1]
        if change is not None:
            low = high = change[1]
        else:
            spread = _spread(move_effects(self.story, choice), name)
            if spread is None:
                return None
            low, high = spread
        repeats = self.repeats(scene_id, choice)
        return (None if high > 0 and repeats else max(high, 0), None if low < 0 and repeats else max(-low, 0)), None

    def changes(self, name: str) -> tuple[int | None, int | None, set[int]] | None:
        """How much a variable can rise and fall in the whole story, and the constants it is set to.

        A rise or fall is None when it has no limit (a repeatable choice changes it that way); the
        whole is None when an effect sets it from other values. Inert choices do not count: the
        checker never follows them.
        """
        up: int | None = 0
        down: int | None = 0
        resets: set[int] = set()
        for scene_id, choice in self.setters.get(name, ()):
            if choice.key in self.inert:
                continue
            change = self._change(scene_id, choice, name)
            if change is None:
                return None
            (rise, fall), reset = change
            if reset is not None:
                resets.add(reset)
            up = None if up is None or rise is None else up + rise
            down = None if down is None or fall is None else down + fall
        return up, down, resets

    def changes_from(self, scene_id: str, name: str) -> Change | None:
        """How much a variable can still rise and fall on any one play from a scene, while it still
        matters; None when an effect sets it from other values."""
        if name not in self._changes:
            self._changes[name] = self._paths(name)
        return self._changes[name][self.component[scene_id]]

    def _paths(self, name: str) -> list[Change | None]:
        """Per component, sinks first: its own choices' changes plus the most of any one way on.
        A component where the variable no longer matters adds nothing: what happens to it there
        cannot change a comparison."""
        own: dict[int, Change | None] = {}
        for scene_id, choice in self.setters.get(name, ()):
            i = self.component[scene_id]
            if choice.key in self.inert or own.get(i, (0, 0)) is None:
                continue
            change = self._change(scene_id, choice, name)
            before = own.get(i, (0, 0))
            assert before is not None
            own[i] = None if change is None else _plus(before, change[0])
        found: list[Change | None] = []
        quantity = ("var", name)
        for i, scenes in enumerate(self.members):
            if quantity not in self.live[scenes[0]]:
                found.append((0, 0))
                continue
            total: Change | None = own.get(i, (0, 0))
            most: Change = (0, 0)
            for j in self.after[i]:
                later = found[j]
                if later is None or total is None:
                    total = None
                    break
                most = (_most(most[0], later[0]), _most(most[1], later[1]))
            found.append(None if total is None else _plus(total, most))
        return found


def _plus(a: Change, b: Change) -> Change:
    return (
        None if a[0] is None or b[0] is None else a[0] + b[0],
        None if a[1] is None or b[1] is None else a[1] + b[1],
    )


def _most(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else max(a, b)


LARGE = 2**32  # numbers past this make a variable's clamping unsafe: see `_large`


def _large(story: Story, facts: dict[str, list[_Facts]]) -> frozenset[str]:
    """The variables whose starting value, or a constant they are set, moved by or compared to, is
    past LARGE.

    Clamping stands one value for many, which is exact for comparisons but not for the engine's
    refusal of a move that would leave the 64-bit range: a value clamped down can still take a
    step the real one cannot. With every constant within LARGE, a real value gets near the limit
    only after 2**31 moves, which no search gets to; otherwise the variable is kept exact.
    """
    found = {name for name, start in story.variables.items() if abs(int(start)) > LARGE}
    first = story.scenes.get(story.start)
    for effect in leaves((first.on_first_enter + first.on_enter) if first is not None else ()):
        if isinstance(effect, Assign) and any(
            isinstance(node, Lit) and abs(int(node.value)) > LARGE for node in walk(effect.value)
        ):
            found.add(effect.name)
    for scene_facts in facts.values():
        for fact in scene_facts:
            for quantity, value in fact.condition:
                if quantity[0] == "var" and value is not None and abs(value) > LARGE:
                    found.add(quantity[1])
            for effect in leaves(move_effects(story, fact.choice)):
                if isinstance(effect, Assign) and any(
                    isinstance(node, Lit) and abs(int(node.value)) > LARGE for node in walk(effect.value)
                ):
                    found.add(effect.name)
    return frozenset(found)


def _spread(effects: tuple[Effect, ...], name: str) -> tuple[int, int] | None:
    """The least and the most a variable can move by through `effects`, some under an `if`, when
    every change to it is a step by a constant (`+= 1`, `-= 2`); None otherwise."""
    low = high = 0
    for effect in effects:
        if isinstance(effect, If):
            then, otherwise = _spread(effect.then, name), _spread(effect.otherwise, name)
            if then is None or otherwise is None:
                return None
            low += min(then[0], otherwise[0])
            high += max(then[1], otherwise[1])
        elif isinstance(effect, Assign) and effect.name == name:
            step = constant(effect.value)
            if effect.op == "=" or step is None:
                return None
            delta = step if effect.op == "+=" else -step
            low, high = low + delta, high + delta
    return low, high


def fold(story: Story, choice: Choice, name: str) -> tuple[str, int] | None:
    """What a choice's effects do to a variable: ("+", delta) or ("=", value), a truth value as 0
    or 1; None if it sets it from anything but constants, or only in some plays (under an `if`)."""
    kind, amount = "+", 0
    effects = move_effects(story, choice)
    if name in _guarded_by_move(story, choice):
        return None
    for effect in effects:
        if not isinstance(effect, Assign) or effect.name != name:
            continue
        literal = effect.value.value if isinstance(effect.value, Lit) and isinstance(effect.value.value, bool) else None
        value = constant(effect.value) if literal is None else int(literal)
        if value is None:
            return None
        if effect.op == "=":
            kind, amount = "=", value
        else:
            amount += value if effect.op == "+=" else -value
    return kind, amount


def _bound(analysis: Analysis, quantity: Quantity, constants: frozenset[int | None], here: str) -> Bound:
    """How far a number can be clamped from here on without changing any comparison ahead.

    Above `max(C) + D`, where C are the constants it is compared to ahead and D the most it can
    still go down, every comparison ahead gives the same answer: such values are one value.
    Likewise below `min(C) - U`, with U the most it can still go up. Visit counts and `turn` only
    grow. A number read any other way (`a > b`, `a + 1`) or set from another is kept exact.
    """
    if None in constants:
        return EXACT
    values = [c for c in constants if c is not None]
    if quantity[0] != "var":
        return Bound(None, max(values) + 1)
    if quantity[1] in analysis.large:
        return EXACT
    changes = analysis.changes_from(here, quantity[1])
    if changes is None:
        return EXACT
    up, down = changes
    return Bound(None if up is None else min(values) - up - 1, None if down is None else max(values) + down + 1)


@attrs.frozen
class Plan:
    """What is kept of a state standing in one scene; everything else is reset."""

    variables: tuple[tuple[str, Bound], ...]
    visits: tuple[tuple[str, Bound], ...]
    items: frozenset[str]
    used: frozenset[str]
    turn: Bound | None  # None: `turn` is forgotten
    apart: tuple[tuple[str, Bound | None], ...] = ()  # variables kept elsewhere; None: forgotten
    visit_bounds: dict[str, Bound] = attrs.field(init=False, eq=False, repr=False)

    @visit_bounds.default
    def _visit_bounds(self) -> dict[str, Bound]:
        return dict(self.visits)


def _plan(analysis: Analysis, here: str, apart: frozenset[str]) -> Plan:
    story, read = analysis.story, analysis.live[here]
    items = {q[1] for q in read if q[0] == "item"}
    if IDS in read:
        items |= story.id_items
    kept = sorted((q[1] for q in read if q[0] == "var" and q[1] not in apart), key=_order(story).__getitem__)
    # A `once` choice's use matters only while the player can come back to its scene: a scene
    # visited before this one and reachable from it is in this one's component.
    around = analysis.members[analysis.component[here]]
    return Plan(
        variables=tuple((name, _bound(analysis, ("var", name), read[("var", name)], here)) for name in kept),
        visits=tuple(sorted((q[1], _bound(analysis, q, c, here)) for q, c in read.items() if q[0] == "visits")),
        items=frozenset(items),
        used=frozenset(
            c.key for s in around for c in story.scenes[s].choices if c.once and c.key not in analysis.inert
        ),
        turn=_bound(analysis, TURN, read[TURN], here) if TURN in read else None,
        apart=tuple(
            (name, _bound(analysis, ("var", name), read[("var", name)], here) if ("var", name) in read else None)
            for name in sorted(apart)
        ),
    )


_ORDERS: dict[int, tuple[Story, dict[str, int]]] = {}


def _order(story: Story) -> dict[str, int]:
    """Each variable's place in the story file: plans list what they keep in that order."""
    entry = _ORDERS.get(id(story))
    if entry is None or entry[0] is not story:
        _ORDERS.clear()
        entry = _ORDERS[id(story)] = (story, {name: i for i, name in enumerate(story.variables)})
    return entry[1]


@attrs.define
class Normaliser:
    """Maps a game state to the normalised state that stands for all states with its future.

    Variables in `apart` are left at their starting value: the explorer keeps them elsewhere.
    """

    story: Story
    plans: dict[str, Plan]
    defaults: FrozenMap

    @classmethod
    def of(
        cls, analysis: Analysis, apart: frozenset[str] = frozenset(), out_of_time: Callable[[], bool] = never
    ) -> Normaliser:
        """The normaliser of an analysed story; raises OutOfTime as soon as `out_of_time` says so."""
        plans: dict[str, Plan] = {}
        for scenes in analysis.members:  # one plan per component: its scenes share what matters
            if out_of_time():
                raise OutOfTime
            plan = _plan(analysis, scenes[0], apart)
            for scene_id in scenes:
                plans[scene_id] = plan
        return cls(analysis.story, plans, FrozenMap(analysis.story.variables))

    def pack(self, state: GameState) -> Hashable:
        """What the normalised state holds, as one tuple of plain values: cheap to hash and to
        compare however many variables the story has, as only what the scene keeps is in it."""
        if state.ending is not None:
            return state.ending
        plan = self.plans[state.scene]
        values = state.variables
        bounds = plan.visit_bounds
        visits = []
        for scene, count in state.visits.items():
            bound = bounds.get(scene)
            if bound is not None and (count := bound.clamp(count)):
                visits.append((scene, count))
        visits.sort()
        return (
            state.scene,
            tuple(bound.clamp(values[name]) for name, bound in plan.variables),
            tuple(visits),
            tuple(sorted(i for i in state.inventory if i in plan.items)),
            state.used & plan.used,
            0 if plan.turn is None else plan.turn.clamp(state.turn),
            state.stack,
        )

    def __call__(self, state: GameState) -> GameState:
        if state.ending is not None:
            # Nothing happens after an ending: all the ways of reaching one are the same state.
            return GameState(scene=self.story.start, variables=self.defaults, ending=state.ending)
        plan = self.plans[state.scene]
        variables = self.defaults
        if plan.variables:
            values = state.variables
            variables = self.defaults.updated(
                {name: values[name] if bound == EXACT else bound.clamp(values[name]) for name, bound in plan.variables}
            )
        bounds = plan.visit_bounds
        kept = {}
        for scene, count in state.visits.items():  # fewer than the plan's, mostly: only what was kept
            bound = bounds.get(scene)
            if bound is not None and (count := bound.clamp(count)):
                kept[scene] = count
        visits = FrozenMap(kept)
        return GameState(
            scene=state.scene,
            variables=variables,
            inventory=tuple(sorted(i for i in state.inventory if i in plan.items)),
            visits=visits,
            used=state.used & plan.used,
            turn=0 if plan.turn is None else plan.turn.clamp(state.turn),
            stack=state.stack,  # where each `back` leads: kept whole; the dice and the text's counts go
        )
