"""Where the story's text mentions a declared name, and what decides whether the player sees it.

The continuity proof (continuity.py) asks, in every state the checker reaches, which names the
text shown there mentions. A mention counts only in literal text: a name split across a `{...}`
or printed from a variable is not seen. Every option of a `{a|b}` variation counts as shown
whenever the variation is, since the checker does not follow how often each was shown: a name in
any option must be known wherever the variation can show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from adventure.core.engine import holds
from adventure.core.expr import Binary, Call, Env, Expr, Lit, Var
from adventure.core.model import Choice, Cond, Ending, Name, Scene, Source, Story, Template, Text, Vary


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

    def __init__(self, story: Story) -> None:
        self.story = story
        self.patterns = [(name, pattern(name)) for name in story.names]
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


def gates(story: Story, finder: Finder | None = None) -> dict[str, tuple[Expr, ...]]:
    """Per scene, what decides whether a mention shows there (or in what its choices say and the
    endings they reach) and what the names mentioned require: the checker keeps these exact."""
    finder = finder or Finder(story)
    if not story.names:
        return {}
    everywhere = tuple(name.when for name in finder.stat_names())
    found: dict[str, tuple[Expr, ...]] = {}
    for scene_id, scene in story.scenes.items():
        tests = [*everywhere, *_scene_tests(story, finder, scene)]
        if tests:
            found[scene_id] = tuple(tests)
    return found


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
