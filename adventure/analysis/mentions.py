"""Where the story's text mentions a declared name, and what decides whether the player sees it.

The continuity proof (continuity.py) asks, in every state the checker reaches, which names the
text shown there mentions. A mention counts only in literal text: a name split across a `{...}`
or printed from a variable is not seen. Every option of a `{a|b}` variation counts as shown
whenever the variation is, since the checker does not follow how often each was shown: a name in
any option must be known wherever the variation can show.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator

from adventure.core.engine import holds
from adventure.core.expr import Binary, Call, Env, Expr, Lit, Var
from adventure.core.model import Choice, Cond, Ending, Name, Scene, Source, Story, Template, Text, Vary


@functools.cache
def pattern(name: Name) -> re.Pattern[str]:
    """Whole words, case-sensitive unless the name says otherwise; any spacing between words."""
    words = r"\s+".join(re.escape(word) for word in name.text.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE if name.ignore_case else 0)


# The states, among those of one key of the search, in which an expression holds: the bits of a
# mask (see masks.py), ALL for every state. A state the engine plays alone answers ALL or 0.
Gauge = Callable[[Expr | None], int]
ALL = -1


def gauge_of(env: Env) -> Gauge:
    """The gauge of one state."""
    return lambda expr: ALL if holds(expr, env) else 0


class Finder:
    """The names a story declares, found in its templates; each literal is searched once."""

    def __init__(self, story: Story, known: frozenset[str] = frozenset()) -> None:
        self.story = story
        # `known`: names the player has met on every way to where this finder looks (see `settled`)
        self.patterns = [(name, pattern(name)) for name in story.names if name.text not in known]
        self._literals: dict[str, tuple[Name, ...]] = {}
        self._anywhere: dict[int, tuple[Name, ...]] = {}  # id(template) -> names in it, shown or not

    def in_literal(self, text: str) -> tuple[Name, ...]:
        found = self._literals.get(text)
        if found is None:
            found = self._literals[text] = tuple(name for name, regex in self.patterns if regex.search(text))
        return found

    def anywhere(self, template: Template) -> tuple[Name, ...]:
        """Every name the template could show, in any state."""
        found = self._anywhere.get(id(template))
        if found is None:
            names: dict[str, Name] = {}
            for part in template.parts:
                if isinstance(part, str):
                    names.update((n.text, n) for n in self.in_literal(part))
                elif isinstance(part, Cond):
                    names.update((n.text, n) for n in (*self.anywhere(part.yes), *self.anywhere(part.no)))
                elif isinstance(part, Vary):
                    names.update((n.text, n) for option in part.options for n in self.anywhere(option))
            found = self._anywhere[id(template)] = tuple(names.values())
        return found

    def in_text(self, text: Text) -> bool:
        return any(self.anywhere(p.template) for p in text)

    def shown(self, template: Template, gauge: Gauge, within: int = ALL) -> Iterator[tuple[Name, int]]:
        """The names in what the template shows, each with the states it shows in (of `within`):
        a `{test: a|b}` shows `a` where its test holds and `b` elsewhere; every option of a variation."""
        if not within or not self.anywhere(template):
            return
        for part in template.parts:
            if isinstance(part, str):
                yield from ((name, within) for name in self.in_literal(part))
            elif isinstance(part, Cond):
                holds = gauge(part.test)
                yield from self.shown(part.yes, gauge, within & holds)
                yield from self.shown(part.no, gauge, within & ~holds)
            elif isinstance(part, Vary):
                for option in part.options:
                    yield from self.shown(option, gauge, within)

    def shown_in(self, text: Text, gauge: Gauge, within: int = ALL) -> Iterator[tuple[Name, Source, int]]:
        for paragraph in text:
            if self.anywhere(paragraph.template):
                for name, where in self.shown(paragraph.template, gauge, within & gauge(paragraph.when)):
                    yield name, paragraph.source, where

    def tests(self, template: Template) -> Iterator[Expr]:
        """The conditions that decide which of the template's mentions show."""
        for part in template.parts:
            if isinstance(part, Cond) and (self.anywhere(part.yes) or self.anywhere(part.no)):
                yield part.test
                yield from self.tests(part.yes)
                yield from self.tests(part.no)
            elif isinstance(part, Vary):
                for option in part.options:
                    yield from self.tests(option)

    def text_tests(self, text: Text) -> Iterator[Expr]:
        """What decides which of a text's mentions show, and what the names mentioned require."""
        for paragraph in text:
            names = self.anywhere(paragraph.template)
            if names:
                if paragraph.when is not None:
                    yield paragraph.when
                yield from self.tests(paragraph.template)
                yield from (name.when for name in names)

    def template_tests(self, template: Template) -> Iterator[Expr]:
        names = self.anywhere(template)
        if names:
            yield from self.tests(template)
            yield from (name.when for name in names)

    def ending_tests(self, ending: Ending) -> Iterator[Expr]:
        yield from self.template_tests(ending.title)
        yield from self.text_tests(ending.text)

    def in_ending(self, ending: Ending) -> bool:
        return bool(self.anywhere(ending.title)) or self.in_text(ending.text)

    def said_tests(self, choice: Choice) -> list[Expr]:
        """What decides which mentions show in what the choice says and the ending it reaches, and
        what the names mentioned there require: all read after the choice's effects."""
        said = [*self.text_tests(choice.say)]
        for branch in choice.branches:
            branch_said = [*self.text_tests(branch.say)]
            said += branch_said
            if branch_said:
                said += [b.when for b in choice.branches if b.when is not None]
        for way in choice.ways:
            if way.end is not None:
                said += self.ending_tests(self.story.endings[way.end])
        return said

    def stat_names(self) -> tuple[Name, ...]:
        """Names in the stats' names, which the player can look at in every scene."""
        found: dict[str, Name] = {}
        for stat in self.story.stats:
            found.update((n.text, n) for n in self.in_literal(stat.name))
        return tuple(found.values())


def gates(story: Story) -> dict[str, tuple[Expr, ...]]:
    """Per scene, what decides whether a mention shows there (or in what its choices say and the
    endings they reach) and what the names mentioned require: the checker keeps these exact."""
    if not story.names:
        return {}
    finders = scene_finders(story)
    found: dict[str, tuple[Expr, ...]] = {}
    for scene_id, scene in story.scenes.items():
        finder = finders[scene_id]
        tests = [*(name.when for name in finder.stat_names()), *_scene_tests(story, finder, scene)]
        if tests:
            found[scene_id] = tuple(tests)
    return found


def scene_finders(story: Story) -> dict[str, Finder]:
    """A finder per scene that leaves out the names settled there (one finder per such set)."""
    shared: dict[frozenset[str], Finder] = {}
    return {scene_id: shared.setdefault(known, Finder(story, known)) for scene_id, known in settled(story).items()}


def settled(story: Story) -> dict[str, frozenset[str]]:
    """Per scene, the declared names the player has met on every way into it: those whose
    condition is `seen(X)` where each path from the start to the scene passes through X (or the
    scene is X), or an `and` / `or` of such. A mention of one there can never come too soon, so
    the proof need not keep what decides whether it shows: naming Jean in a paragraph that only
    some players read costs the search nothing once everyone has met him."""
    found: dict[str, set[str]] = {scene_id: set() for scene_id in story.scenes}
    if not story.names:
        return {scene_id: frozenset() for scene_id in story.scenes}
    ways = _scene_graph(story)
    reachable = _reach(story.start, ways, None)
    behind: dict[str, frozenset[str]] = {}  # X -> the scenes every path to which passes X

    def after(x: str) -> frozenset[str]:
        if x not in behind:
            behind[x] = frozenset(reachable - _reach(story.start, ways, x)) if x in reachable else frozenset()
        return behind[x]

    def met(expr: Expr, scene_id: str) -> bool:
        if isinstance(expr, Call) and expr.func == "seen" and len(expr.args) == 1 and isinstance(expr.args[0], Var):
            return scene_id in after(expr.args[0].name)
        if isinstance(expr, Binary) and expr.op in ("and", "or"):
            left, right = met(expr.left, scene_id), met(expr.right, scene_id)
            return (left and right) if expr.op == "and" else (left or right)
        return False

    for name in story.names:
        for scene_id in reachable:
            if met(name.when, scene_id):
                found[scene_id].add(name.text)
    return {scene_id: frozenset(names) for scene_id, names in found.items()}


def _scene_graph(story: Story) -> dict[str, set[str]]:
    """Where each scene's choices can lead, as scenes. `back` leads to a scene that made a call,
    so it is taken to lead to every scene that makes one (more ways than there are: never fewer)."""
    callers = {s.id for s in story.scenes.values() for c in s.choices for w in c.ways if w.call is not None}
    graph: dict[str, set[str]] = {}
    for scene in story.scenes.values():
        leads = graph.setdefault(scene.id, set())
        for choice in scene.choices:
            for way in choice.ways:
                if way.goto is not None:
                    leads.add(way.goto)
                if way.call is not None:
                    leads.add(way.call)
                if way.back:
                    leads.update(callers)
    return graph


def _reach(start: str, graph: dict[str, set[str]], avoiding: str | None) -> set[str]:
    """The scenes reachable from `start` without passing through `avoiding`."""
    if start == avoiding:
        return set()
    seen, todo = {start}, [start]
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target != avoiding and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _scene_tests(story: Story, finder: Finder, scene: Scene) -> Iterator[Expr]:
    yield from finder.template_tests(scene.title)
    yield from finder.text_tests(scene.text)
    if finder.in_text(scene.first) or finder.in_text(scene.again):
        yield Binary("<=", Call("visits", (Var(scene.id),)), Lit(1))  # first visit, or a later one
        yield from finder.text_tests(scene.first)
        yield from finder.text_tests(scene.again)
    for choice in scene.choices:
        labelled = [*finder.template_tests(choice.label)]
        if choice.because is not None:
            because = [*finder.template_tests(choice.because)]
            labelled += [*because, *([choice.requires] if because and choice.requires is not None else [])]
        said = finder.said_tests(choice)
        if said and choice.requires is not None:
            labelled.append(choice.requires)
        if (labelled or said) and choice.when is not None:
            yield choice.when
        yield from labelled
        yield from said
