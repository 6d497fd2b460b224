"""Warnings about a story that loads: things that are legal but almost certainly not meant.

Pure and static: these read the story, never play it (check.py plays it). Each warning is a
Problem with a `code` so tools can filter: unused-item, unused-variable, no-way-in, no-way-out,
never-holds, overflow.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping, MutableMapping

from adventure.analysis.mentions import Finder
from adventure.analysis.statespace import constant, reachable
from adventure.core.errors import Problem
from adventure.core.expr import (
    INT_MAX,
    INT_MIN,
    Assign,
    Binary,
    Call,
    Drop,
    Effect,
    Expr,
    Lit,
    Take,
    Unary,
    Var,
    leaves,
    show,
    walk,
)
from adventure.core.model import Choice, Source, Story, Template, Text, outline, story_exprs

# The values a condition may take, as the linter sees them: a set of truth values, or an interval
# of whole numbers (None: unbounded on that side).
Truths = frozenset[bool]
Interval = tuple[int | None, int | None]
Abstract = Truths | Interval
BOTH: Truths = frozenset((True, False))
ANY: Interval = (None, None)


def _warning(source: Source, message: str, code: str) -> Problem:
    return Problem(source.file, source.line, source.column, message, "warning", code)


def lint_story(story: Story) -> list[Problem]:
    """Every warning, in no particular order (the caller sorts)."""
    return [
        *_unused(story),
        *_dead_ends(story),
        *_never_holds(story),
        *_dead_text(story),
        *_overflows(story),
        *_unmentioned(story),
    ]


# ---------------------------------------------------------------- what is used


def _unmentioned(story: Story) -> Iterator[Problem]:
    """A declared name no text the continuity proof reads mentions: a typo, or a name cut."""
    if not story.names:
        return
    finder = Finder(story)
    templates: list[Template] = [e.title for e in story.endings.values()]
    texts: list[Text] = [e.text for e in story.endings.values()]
    for scene in story.scenes.values():
        templates.append(scene.title)
        texts.extend((scene.text, scene.first, scene.again))
        for choice in scene.choices:
            templates.extend(t for t in (choice.label, choice.because) if t is not None)
            texts.extend((choice.say, *(b.say for b in choice.branches)))
    found = {n.text for t in templates for n in finder.anywhere(t)}
    found |= {n.text for text in texts for p in text for n in finder.anywhere(p.template)}
    found |= {n.text for n in finder.stat_names()}
    for name in story.names:
        if name.text not in found:
            yield Problem(
                name.source.file,
                name.source.line,
                name.source.column,
                f"name {name.text!r} is declared but no text mentions it (matched on whole words, "
                f"{'in any case' if name.ignore_case else 'case-sensitive'}): is it spelt as in the text?",
                "warning",
                "unmentioned-name",
            )


def all_effects(story: Story) -> Iterator[Assign | Take | Drop]:
    """Every assignment, take and drop anywhere in the story, under an `if` or not."""
    for scene in story.scenes.values():
        yield from leaves(scene.on_enter)
        yield from leaves(scene.on_first_enter)
        for choice in scene.choices:
            yield from leaves(choice.effects)
            for branch in choice.branches:
                yield from leaves(branch.effects)
    yield from leaves(story.every_turn)


def _all_choices(story: Story) -> Iterator[tuple[str, int, Choice]]:
    for scene_id, scene in story.scenes.items():
        for number, choice in enumerate(scene.choices, 1):
            yield scene_id, number, choice


def _unused(story: Story) -> Iterator[Problem]:
    read_vars = {node.name for expr in story_exprs(story) for node in walk(expr) if isinstance(node, Var)}
    tested = {
        node.args[0].name
        for expr in story_exprs(story)
        for node in walk(expr)
        if isinstance(node, Call) and node.func == "has" and isinstance(node.args[0], Var)
    }
    set_vars = {e.name for e in all_effects(story) if isinstance(e, Assign)}
    taken = {e.item for e in all_effects(story) if isinstance(e, Take)} | set(story.inventory)
    for name in story.variables:
        if name not in read_vars:
            how = "set but never read" if name in set_vars else "never used"
            source = story.variable_sources.get(name, story.source)
            yield _warning(source, f"variable {name!r} is {how}: no condition or text reads it", "unused-variable")
    for item in story.items.values():
        if item.id not in taken:
            also = f", so has({item.id}) never holds" if item.id in tested else ""
            yield _warning(
                item.source,
                f"item {item.id!r} is never taken: no effect does 'take {item.id}', nor is it in the starting "
                f"'inventory'{also}",
                "unused-item",
            )


# ---------------------------------------------------------------- ways in and out


def _dead_ends(story: Story) -> Iterator[Problem]:
    entered = {w.scene for scene_id, _, c in _all_choices(story) for w in c.ways if w.scene not in (None, scene_id)}
    for scene_id, scene in story.scenes.items():
        if scene_id != story.start and scene_id not in entered:
            yield _warning(
                scene.source,
                f"scene {scene_id!r} has no way in: no other scene has 'goto: {scene_id}' or 'call: {scene_id}'",
                "no-way-in",
            )
        if not any(
            w.end is not None or w.back or w.scene not in (None, scene_id) for c in scene.choices for w in c.ways
        ):
            yield _warning(
                scene.source,
                f"scene {scene_id!r} has no way out: no choice has 'end', 'back', or 'goto' to another scene",
                "no-way-out",
            )


# ---------------------------------------------------------------- conditions that never hold


def _never_holds(story: Story) -> Iterator[Problem]:
    """Conditions false whatever the player does, judged from every value a name can ever take."""
    values = _variable_values(story)
    taken = {e.item for e in all_effects(story) if isinstance(e, Take)} | set(story.inventory)
    reach = reachable(story, story.start)
    ids = len(story.id_items & taken)
    for scene_id, number, choice in _all_choices(story):
        env = _Env(values, taken, reach, scene_id, ids)
        for key, condition, what in (("when", choice.when, "shown"), ("requires", choice.requires, "taken")):
            if condition is not None and _eval(condition, env) == frozenset((False,)):
                yield _warning(
                    choice.source,
                    f"choice {number} of scene {scene_id!r} ({outline(choice.label)!r}) can never be {what}: "
                    f"'{key}: {show(condition)}' never holds",
                    "never-holds",
                )
                break


def _dead_text(story: Story) -> Iterator[Problem]:
    """Paragraphs whose `when` never holds where they are shown: text no player can ever read."""
    values = _variable_values(story)
    taken = {e.item for e in all_effects(story) if isinstance(e, Take)} | set(story.inventory)
    reach = reachable(story, story.start)
    ids = len(story.id_items & taken)
    places: list[tuple[str, str, Text]] = []
    for scene_id, scene in story.scenes.items():
        places += [
            (scene_id, f"the {key} of scene {scene_id!r}", text)
            for key, text in (("text", scene.text), ("first", scene.first), ("again", scene.again))
        ]
        places += [
            (scene_id, f"the 'say' of choice {n} of scene {scene_id!r}", c.say) for n, c in enumerate(scene.choices, 1)
        ]
    places += [("", f"the text of ending {e.id!r}", e.text) for e in story.endings.values()]
    for here, what, text in places:
        env = _Env(values, taken, reach, here, ids)
        for paragraph in text:
            if paragraph.when is not None and _eval(paragraph.when, env) == frozenset((False,)):
                yield _warning(
                    paragraph.source,
                    f"a paragraph of {what} is never shown: 'when: {show(paragraph.when)}' never holds",
                    "dead-text",
                )


def _variable_values(story: Story) -> dict[str, Abstract]:
    """Every value each variable can ever hold: its start, and what effects can make of it."""
    result: dict[str, Abstract] = {}
    for name, start in story.variables.items():
        if isinstance(start, bool):
            result[name] = frozenset((start,))
        else:
            result[name] = (start, start)
    for effect in all_effects(story):
        if isinstance(effect, Assign):
            now = result[effect.name]
            value = constant(effect.value)
            if isinstance(now, frozenset):
                literal = effect.value.value if isinstance(effect.value, Lit) else None
                result[effect.name] = now | {literal} if isinstance(literal, bool) else BOTH
            elif effect.op == "=" and value is not None:
                result[effect.name] = (_min(now[0], value), _max(now[1], value))
            elif effect.op == "=" and (dice := _dice_range(effect.value)) is not None:
                result[effect.name] = (_min(now[0], dice[0]), _max(now[1], dice[1]))
            elif value is not None and (value >= 0) == (effect.op == "+="):
                result[effect.name] = (now[0], None)  # only ever grows
            elif value is not None:
                result[effect.name] = (None, now[1])  # only ever shrinks
            else:
                result[effect.name] = ANY
    return result


def _dice_range(expr: Expr) -> tuple[int, int] | None:
    """The values of `random(a, b)` with constant ends."""
    if isinstance(expr, Call) and expr.func == "random":
        ends = [constant(arg) for arg in expr.args]
        if None not in ends:
            low, high = sorted(e for e in ends if e is not None)
            return low, high
    return None


def _min(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else min(a, b)


def _max(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else max(a, b)


class _Env:
    def __init__(
        self, variables: Mapping[str, Abstract], taken: set[str], reachable: frozenset[str], here: str, ids: int
    ) -> None:
        self.variables = variables
        self.taken = taken
        self.reachable = reachable
        self.here = here
        self.ids = ids


def _eval(expr: Expr, env: _Env) -> Abstract:
    """Every value `expr` can take, over-approximated: a claim 'never' is always right."""
    if isinstance(expr, Lit):
        return frozenset((expr.value,)) if isinstance(expr.value, bool) else (expr.value, expr.value)
    if isinstance(expr, Var):
        if expr.name in env.variables:
            return env.variables[expr.name]
        return (0, env.ids) if expr.name == "ids" else (0, None)
    if isinstance(expr, Call):
        return _eval_call(expr, env)
    if isinstance(expr, Unary):
        inner = _eval(expr.operand, env)
        if isinstance(inner, frozenset):
            return frozenset(not v for v in inner)
        return (None if inner[1] is None else -inner[1], None if inner[0] is None else -inner[0])
    left, right = _eval(expr.left, env), _eval(expr.right, env)
    if expr.op == "*" and expr.left == expr.right and isinstance(left, tuple):
        return _square(left)
    if isinstance(left, frozenset) and isinstance(right, frozenset):
        ops = {
            "and": lambda a, b: a and b,
            "or": lambda a, b: a or b,
            "==": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
        }
        return frozenset(ops[expr.op](a, b) for a in left for b in right)
    assert isinstance(left, tuple) and isinstance(right, tuple)
    return _arith(expr.op, left, right)


def _eval_call(call: Call, env: _Env) -> Abstract:
    name = call.args[0].name if isinstance(call.args[0], Var) else ""
    if call.func == "has":
        return BOTH if name in env.taken else frozenset((False,))
    if call.func in ("visits", "seen"):
        if name == env.here:
            counts: Interval = (1, None)  # the current visit already counts
        else:
            counts = (0, None) if name in env.reachable else (0, 0)
        if call.func == "visits":
            return counts
        return frozenset((True,)) if counts[0] else frozenset((False,)) if counts[1] == 0 else BOTH
    if call.func == "chance":
        return BOTH
    a, b = (_eval(arg, env) for arg in call.args)
    assert isinstance(a, tuple) and isinstance(b, tuple)
    if call.func == "random":  # from the lower to the higher, in either order
        return (_min(a[0], b[0]), _max(a[1], b[1]))
    if call.func == "min":
        return (_min(a[0], b[0]), _either(min, a[1], b[1]))
    return (_either(max, a[0], b[0]), _max(a[1], b[1]))


def _either(pick: Callable[[int, int], int], a: int | None, b: int | None) -> int | None:
    """`pick` of two bounds where None (unbounded) loses."""
    return b if a is None else a if b is None else pick(a, b)


def _arith(op: str, a: Interval, b: Interval) -> Abstract:
    lo_a, hi_a = a
    lo_b, hi_b = b
    if op == "+":
        return (
            None if lo_a is None or lo_b is None else lo_a + lo_b,
            None if hi_a is None or hi_b is None else hi_a + hi_b,
        )
    if op == "-":
        return (
            None if lo_a is None or hi_b is None else lo_a - hi_b,
            None if hi_a is None or lo_b is None else hi_a - lo_b,
        )
    if op == "*":
        return _times(a, b)
    if op == "%" and lo_b is not None and lo_b == hi_b and lo_b > 0:
        return (0, lo_b - 1)
    if op in ("/", "%"):
        return (None, None)
    return _compare(op, a, b)


_Bound = int | float  # an end of an interval, with -inf and inf for None


def _times(a: Interval, b: Interval) -> Interval:
    """Every product of a number from `a` with one from `b`, ends at infinity included."""
    ends_a = (float("-inf") if a[0] is None else a[0], float("inf") if a[1] is None else a[1])
    ends_b = (float("-inf") if b[0] is None else b[0], float("inf") if b[1] is None else b[1])
    products = [0 if x == 0 or y == 0 else x * y for x in ends_a for y in ends_b]  # 0 * inf: 0
    return _interval(min(products), max(products))


def _interval(low: _Bound, high: _Bound) -> Interval:
    return (None if low == float("-inf") else int(low), None if high == float("inf") else int(high))


def _square(a: Interval) -> Interval:
    """The values of `e * e`: never negative."""
    low, high = a
    if low is not None and low >= 0:
        return (low * low, None if high is None else high * high)
    if high is not None and high <= 0:
        return (high * high, None if low is None else low * low)
    return (0, None if low is None or high is None else max(low * low, high * high))


def _compare(op: str, a: Interval, b: Interval) -> Truths:
    """The truth values `a op b` can take for numbers drawn from the two intervals."""

    def below(x: int | None, y: int | None) -> bool:  # every value of a side < every of the other
        return x is not None and y is not None and x < y

    lo_a, hi_a = a
    lo_b, hi_b = b
    always_less = below(hi_a, lo_b)
    always_greater = below(hi_b, lo_a)
    never_less = lo_a is not None and hi_b is not None and lo_a >= hi_b
    never_greater = hi_a is not None and lo_b is not None and hi_a <= lo_b
    equal_points = lo_a is not None and lo_a == hi_a == lo_b == hi_b
    results: dict[str, Truths] = {
        "<": frozenset((True,)) if always_less else frozenset((False,)) if never_less else BOTH,
        ">": frozenset((True,)) if always_greater else frozenset((False,)) if never_greater else BOTH,
        "<=": frozenset((True,)) if never_greater else frozenset((False,)) if always_greater else BOTH,
        ">=": frozenset((True,)) if never_less else frozenset((False,)) if always_less else BOTH,
        "==": frozenset((True,)) if equal_points else frozenset((False,)) if always_less or always_greater else BOTH,
        "!=": frozenset((False,)) if equal_points else frozenset((True,)) if always_less or always_greater else BOTH,
    }
    return results[op]


# ---------------------------------------------------------------- numbers that can overflow

# A step this large takes a number from 0 past the 64-bit range within a million moves. Smaller
# steps, as `gold += 2` taken again and again, would need more moves than anyone makes: no warning.
_BIG_STEP = INT_MAX // 1_000_000
_WIDEN_AFTER = 3  # rounds of the fixed point after which a bound still moving goes to infinity
_ROUNDS = 12  # rounds at most: each is linear in the story, and widening settles most in a few


def _overflows(story: Story) -> Iterator[Problem]:
    """Effects that can take a number past the 64-bit range, where the game would refuse the move.

    Judged from every value each number can take (a fixed point over the effects, each within its
    choice's `when`), and said only where the danger is plain: an effect whose result can be past
    the range, or a choice the player can take again and again that grows a number from itself
    (`x = x * 2`, `x += x`) or by a huge step, with no bound on it in its `when`.
    """
    ranges = _number_ranges(story)
    truths = _variable_values(story)
    taken = {e.item for e in all_effects(story) if isinstance(e, Take)} | set(story.inventory)
    reach = reachable(story, story.start)
    ids = len(story.id_items & taken)
    component = _components(story)
    effects: list[Effect] = list(all_effects(story))
    known: dict[str, Abstract] = {**truths, **ranges}
    for scene_id, number, choice in _all_choices(story):
        if not any(isinstance(e, Assign) and e.name in ranges for e in choice.effects):
            continue
        values = _within(choice.when, known)
        if values is None:
            continue  # the condition never holds
        repeats = (
            not choice.once
            and choice.end is None
            and (choice.goto is None or component[choice.goto] == component[scene_id])
            and not _self_limiting(story, choice, effects)
        )
        for effect in choice.effects:
            if not isinstance(effect, Assign) or effect.name not in ranges:
                continue
            env = _Env(values, taken, reach, scene_id, ids)
            result = _result(effect, env)
            side = _danger(effect, result, repeats, env)
            values[effect.name] = result
            if side is None:
                continue
            source = choice.source if not effect.line else Source(choice.source.file, effect.line, effect.column)
            limit = (
                f"largest number the story can hold ({INT_MAX:,})"
                if side > 0
                else (f"smallest number the story can hold ({INT_MIN:,})")
            )
            why = (
                f"the choice can be taken again and again and its 'when' does not bound {effect.name}"
                if repeats
                else "the values it is computed from can put it out of range"
            )
            yield _warning(
                source,
                f"'{effect.name} {effect.op} {show(effect.value)}' in choice {number} of scene {scene_id!r} "
                f"({outline(choice.label)!r}) can take {effect.name} past the {limit}: {why}; "
                "the game refuses the move then",
                "overflow",
            )


def _result(effect: Assign, env: _Env) -> Interval:
    value = _eval(effect.value, env)
    assert isinstance(value, tuple)
    if effect.op == "=":
        return value
    now = env.variables[effect.name]
    assert isinstance(now, tuple)
    result = _arith("+" if effect.op == "+=" else "-", now, value)
    assert isinstance(result, tuple)
    return result


def _danger(effect: Assign, result: Interval, repeats: bool, env: _Env) -> int | None:
    """+1 (or -1) if the effect can take its number past the largest (smallest) value, else None."""
    low, high = result
    if high is not None and high > INT_MAX:
        return 1
    if low is not None and low < INT_MIN:
        return -1
    if not repeats:
        return None  # unbounded because of other choices: those are where to look
    kind, step, sign = _growth(effect)
    if kind == "self":  # grows from itself: doubling reaches the limit in 63 moves
        return 1 if high is None else -1 if low is None else None
    if kind == "step" and step is not None:
        size = _eval(step, env)
        assert isinstance(size, tuple)
        # The most one move can add, and the most it can take away (as a negative number).
        up = size[1] if sign > 0 else None if size[0] is None else -size[0]
        down = size[0] if sign > 0 else None if size[1] is None else -size[1]
        if high is None and up is not None and up > _BIG_STEP:
            return 1
        if low is None and down is not None and down < -_BIG_STEP:
            return -1
    return None


def _reads(expr: Expr, name: str) -> bool:
    return any(isinstance(node, Var) and node.name == name for node in walk(expr))


def _growth(effect: Assign) -> tuple[str, Expr | None, int]:
    """How an effect changes its number: ("step", e, +1 or -1) for `x += e`, `x -= e`, `x = x + e`,
    `x = e + x` and `x = x - e` with `e` not reading x; ("self", None, 0) when the number grows from
    itself (`x = x * 2`, `x += x`); ("set", None, 0) when it is set from other values only."""
    name, value = effect.name, effect.value
    if effect.op != "=":
        if _reads(value, name):
            return "self", None, 0
        return "step", value, 1 if effect.op == "+=" else -1
    if isinstance(value, Binary) and value.op in ("+", "-"):
        if value.left == Var(name) and not _reads(value.right, name):
            return "step", value.right, 1 if value.op == "+" else -1
        if value.op == "+" and value.right == Var(name) and not _reads(value.left, name):
            return "step", value.left, 1
    return ("self", None, 0) if _reads(value, name) else ("set", None, 0)


def _number_ranges(story: Story) -> dict[str, Interval]:
    """Every value each number variable can hold, over-approximated: a fixed point over every effect,
    each judged within its choice's `when`, with bounds still moving after a few rounds widened to
    infinity (a `when` then bounds them again where it is read)."""
    ranges: dict[str, Interval] = {
        name: (int(start), int(start)) for name, start in story.variables.items() if not isinstance(start, bool)
    }
    truths = _variable_values(story)
    taken = {e.item for e in all_effects(story) if isinstance(e, Take)} | set(story.inventory)
    reach = reachable(story, story.start)
    ids = len(story.id_items & taken)
    choices = [
        (scene_id, choice)
        for scene_id, _, choice in _all_choices(story)
        if any(isinstance(e, Assign) and e.name in ranges for e in choice.effects)
    ]
    known: dict[str, Abstract] = {**truths, **ranges}
    for round_ in range(_ROUNDS):
        changed = False
        for scene_id, choice in choices:
            values = _within(choice.when, known)
            if values is None:
                continue
            for effect in choice.effects:
                if not isinstance(effect, Assign) or effect.name not in ranges:
                    continue
                result = _result(effect, _Env(values, taken, reach, scene_id, ids))
                values[effect.name] = result
                old = ranges[effect.name]
                new = (_min(old[0], result[0]), _max(old[1], result[1]))
                if new != old:
                    if round_ >= _WIDEN_AFTER:
                        new = (None if new[0] != old[0] else old[0], None if new[1] != old[1] else old[1])
                    ranges[effect.name] = known[effect.name] = new
                    changed = True
        if not changed:
            break
    else:
        ranges = dict.fromkeys(ranges, ANY)  # not settled in _ROUNDS: claim nothing
    return ranges


def _within(condition: Expr | None, values: Mapping[str, Abstract]) -> MutableMapping[str, Abstract] | None:
    """`values` narrowed by the comparisons with constants a condition needs (`x < 10 and ...`),
    as a layer over them that effects may write to; None if the condition can never hold."""
    narrowed: ChainMap[str, Abstract] = ChainMap({}, values)  # type: ignore[arg-type]
    pending = [condition] if condition is not None else []
    while pending:
        expr = pending.pop()
        if isinstance(expr, Binary) and expr.op == "and":
            pending += [expr.left, expr.right]
            continue
        found = _comparison(expr)
        if found is None or not isinstance(narrowed.get(found[0]), tuple):
            continue
        name, op, value = found
        now = narrowed[name]
        assert isinstance(now, tuple)
        low, high = now
        if op in ("<", "<=", "=="):
            limit = value - 1 if op == "<" else value
            high = limit if high is None else min(high, limit)
        if op in (">", ">=", "=="):
            limit = value + 1 if op == ">" else value
            low = limit if low is None else max(low, limit)
        if low is not None and high is not None and low > high:
            return None
        narrowed[name] = (low, high)
    return narrowed


_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _comparison(expr: Expr) -> tuple[str, str, int] | None:
    """`x < 3` or `3 > x` as ("x", "<", 3); None for anything else."""
    if not isinstance(expr, Binary) or expr.op not in _MIRROR:
        return None
    if isinstance(expr.left, Var) and (value := constant(expr.right)) is not None:
        return expr.left.name, expr.op, value
    if isinstance(expr.right, Var) and (value := constant(expr.left)) is not None:
        return expr.right.name, _MIRROR[expr.op], value
    return None


def _components(story: Story) -> dict[str, str]:
    """Each scene's strongly connected component of `goto`s, named by one of its scenes."""
    edges = {
        s: [w.scene for c in scene.choices for w in c.ways if w.scene is not None] for s, scene in story.scenes.items()
    }
    order: list[str] = []
    seen: set[str] = set()
    for root in edges:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(edges[root]))]
        while stack:
            node, targets = stack[-1]
            nxt = next(targets, None)
            if nxt is None:
                stack.pop()
                order.append(node)
            elif nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, iter(edges[nxt])))
    back: dict[str, list[str]] = {s: [] for s in edges}
    for source, gotos in edges.items():
        for target in gotos:
            back[target].append(source)
    component: dict[str, str] = {}
    for root in reversed(order):
        if root in component:
            continue
        component[root] = root
        todo = [root]
        while todo:
            for source in back[todo.pop()]:
                if source not in component:
                    component[source] = root
                    todo.append(source)
    return component


def _self_limiting(story: Story, choice: Choice, effects: list[Effect]) -> bool:
    """Whether a choice's own effects make its `when` false for good: taken a few times at most.

    `when: not has(x)` with `take x` and no `drop x` anywhere; `when: not f` with `f = true` and no
    other value ever given to f (and the same the other way round); `when: n < 5` with `n += 1` and
    nothing anywhere that lowers or sets n (and the same the other way round).
    """
    if choice.when is None:
        return False
    pending = [choice.when]
    while pending:
        atom = pending.pop()
        if isinstance(atom, Binary) and atom.op == "and":
            pending += [atom.left, atom.right]
            continue
        negated = isinstance(atom, Unary) and atom.op == "not"
        inner = atom.operand if isinstance(atom, Unary) and negated else atom
        if isinstance(inner, Call) and inner.func == "has" and isinstance(inner.args[0], Var):
            item = inner.args[0].name
            ours, undo = (Take, Drop) if negated else (Drop, Take)
            if any(isinstance(e, ours) and e.item == item for e in choice.effects) and not any(
                isinstance(e, undo) and e.item == item for e in effects
            ):
                return True
        if isinstance(inner, Var) and isinstance(story.variables.get(inner.name), bool):
            ends = Lit(negated)  # what the choice must set to shut itself off
            sets = [e for e in effects if isinstance(e, Assign) and e.name == inner.name]
            if any(e in choice.effects and e.value == ends for e in sets) and all(e.value == ends for e in sets):
                return True
        found = _comparison(atom)
        if found is not None and found[1] in ("<", "<=", ">", ">="):
            name, op, _ = found
            rising = op in ("<", "<=")
            if _only_moves(effects, choice, name, rising):
                return True
    return False


def _only_moves(effects: list[Effect], choice: Choice, name: str, rising: bool) -> bool:
    """Whether `choice` moves the number `name` by a constant towards its limit (up if `rising`),
    and no effect anywhere moves it back or sets it."""
    ours = False
    for effect in effects:
        if not isinstance(effect, Assign) or effect.name != name:
            continue
        step = constant(effect.value)
        if effect.op == "=" or step is None:
            return False
        delta = step if effect.op == "+=" else -step
        if (delta > 0) != rising and delta != 0:
            return False
        if delta != 0 and any(effect is e for e in choice.effects):
            ours = True
    return ours
