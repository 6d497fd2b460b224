"""Warnings about a story that loads: things that are legal but almost certainly not meant.

Pure and static: these read the story, never play it (check.py plays it). Each warning is a
Problem with a `code` so tools can filter: unused-item, unused-variable, no-way-in, no-way-out,
never-holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from adventure.analysis.statespace import constant, successors, walk
from adventure.core.errors import Problem
from adventure.core.expr import Assign, Call, Expr, Lit, Take, Unary, Var, show
from adventure.core.model import Choice, Source, Story, Text

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
    return [*_unused(story), *_dead_ends(story), *_never_holds(story)]


# ---------------------------------------------------------------- what is used


def _text_exprs(text: Text) -> Iterator[Expr]:
    for paragraph in text:
        if paragraph.when is not None:
            yield paragraph.when
        yield from (part for part in paragraph.template.parts if not isinstance(part, str))


def story_exprs(story: Story) -> Iterator[Expr]:
    """Every expression that is read: conditions, effect values, and the `{...}` holes in text."""
    for scene in story.scenes.values():
        for text in (scene.text, scene.first, scene.again):
            yield from _text_exprs(text)
        for choice in scene.choices:
            if choice.when is not None:
                yield choice.when
            yield from _text_exprs(choice.say)
            yield from (e.value for e in choice.effects if isinstance(e, Assign))
    for ending in story.endings.values():
        yield from _text_exprs(ending.text)


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
    set_vars = {e.name for _, _, c in _all_choices(story) for e in c.effects if isinstance(e, Assign)}
    taken = {e.item for _, _, c in _all_choices(story) for e in c.effects if isinstance(e, Take)}
    for name in story.variables:
        if name not in read_vars:
            how = "set but never read" if name in set_vars else "never used"
            source = story.variable_sources.get(name, story.source)
            yield _warning(source, f"variable {name!r} is {how}: no condition or text reads it", "unused-variable")
    for item in story.items.values():
        if item.id not in taken:
            also = f", so has({item.id}) never holds" if item.id in tested else ""
            yield _warning(
                item.source, f"item {item.id!r} is never taken: no choice does 'take {item.id}'{also}", "unused-item"
            )


# ---------------------------------------------------------------- ways in and out


def _dead_ends(story: Story) -> Iterator[Problem]:
    entered = {c.goto for scene_id, _, c in _all_choices(story) if c.goto not in (None, scene_id)}
    for scene_id, scene in story.scenes.items():
        if scene_id != story.start and scene_id not in entered:
            yield _warning(
                scene.source, f"scene {scene_id!r} has no way in: no other scene has 'goto: {scene_id}'", "no-way-in"
            )
        if not any(c.end is not None or c.goto not in (None, scene_id) for c in scene.choices):
            yield _warning(
                scene.source,
                f"scene {scene_id!r} has no way out: no choice has 'end', or 'goto' to another scene",
                "no-way-out",
            )


# ---------------------------------------------------------------- conditions that never hold


def _never_holds(story: Story) -> Iterator[Problem]:
    """Conditions false whatever the player does, judged from every value a name can ever take."""
    values = _variable_values(story)
    taken = {e.item for _, _, c in _all_choices(story) for e in c.effects if isinstance(e, Take)}
    reachable = successors(story)[story.start]
    ids = len(story.id_items & taken)
    for scene_id, number, choice in _all_choices(story):
        if choice.when is None:
            continue
        env = _Env(values, taken, reachable, scene_id, ids)
        if _eval(choice.when, env) == frozenset((False,)):
            yield _warning(
                choice.source,
                f"choice {number} of scene {scene_id!r} ({choice.label!r}) can never be shown: "
                f"'when: {show(choice.when)}' never holds",
                "never-holds",
            )


def _variable_values(story: Story) -> dict[str, Abstract]:
    """Every value each variable can ever hold: its start, and what effects can make of it."""
    result: dict[str, Abstract] = {}
    for name, start in story.variables.items():
        if isinstance(start, bool):
            result[name] = frozenset((start,))
        else:
            result[name] = (start, start)
    for _, _, choice in _all_choices(story):
        for effect in choice.effects:
            if not isinstance(effect, Assign):
                continue
            now = result[effect.name]
            value = constant(effect.value)
            if isinstance(now, frozenset):
                literal = effect.value.value if isinstance(effect.value, Lit) else None
                result[effect.name] = now | {literal} if isinstance(literal, bool) else BOTH
            elif effect.op == "=" and value is not None:
                result[effect.name] = (_min(now[0], value), _max(now[1], value))
            elif value is not None and (value >= 0) == (effect.op == "+="):
                result[effect.name] = (now[0], None)  # only ever grows
            elif value is not None:
                result[effect.name] = (None, now[1])  # only ever shrinks
            else:
                result[effect.name] = ANY
    return result


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
    a, b = (_eval(arg, env) for arg in call.args)
    assert isinstance(a, tuple) and isinstance(b, tuple)
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
        if None in (lo_a, hi_a, lo_b, hi_b):
            return ANY
        products = [x * y for x in (lo_a, hi_a) for y in (lo_b, hi_b)]  # type: ignore[operator]
        return (min(products), max(products))
    return _compare(op, a, b)


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
