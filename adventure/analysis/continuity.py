"""The continuity proof: no text the player is shown names what they have not met.

A story declares names (`names:` in story.yaml), each with the condition under which the player
knows it. In every state the search reaches, the checker works out the text shown there, as the
game shows it: the scene's title, its `first` or `again` and its text, the labels of the choices
shown (and why one cannot be taken), what a choice says once its effects have run, the ending it
leads to, and the stats. Any mention of a name whose condition is false there is a violation.

Exact, because the analysis keeps in every state what this reads (see mentions.gates): the
conditions deciding which paragraphs show and the names' own conditions. Where those read
counters, a key stands for many states; the text is then judged for each of them at once, as
masks (see masks.py), and what a choice says is read after the engine has played it for each
combination of the counters it reads. States are visited in the order the search first reached
them, so the first violation of a name is a shortest one.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from adventure.analysis.explore import Exploration, Node
from adventure.analysis.mentions import ALL, Finder, gauge_of, scene_finders
from adventure.core import engine
from adventure.core.dice import ScriptedDice, TooManyOutcomes, every_outcome
from adventure.core.expr import Expr
from adventure.core.model import Choice, Name, Scene, Source, Story
from adventure.core.state import GameState


@attrs.frozen
class Violation:
    """A name shown where its condition is false: in the state `node`, or in what `choice` says
    (or the ending it reaches) when taken there."""

    name: Name
    source: Source  # where the text that names it is written
    node: Node
    choice: Choice | None = None


def violations(story: Story, graph: Exploration) -> dict[str, Violation]:
    """The first (shortest) violation of each declared name, by name."""
    if not story.names:
        return {}
    finders = scene_finders(story)  # each scene's leaves out the names everyone has met by then
    relevant = {scene_id for scene_id, scene in story.scenes.items() if _mentions(story, finders[scene_id], scene)}
    everywhere = Finder(story).stat_names()
    found: dict[str, Violation] = {}
    wrong: dict[int, list[Wrong]] = {}  # per key, where a name shows too soon, and in which of its states
    for level, frontier in enumerate(graph.levels):
        for k in frontier:
            if k not in wrong:
                state = graph.keys[k]
                ok = not state.ended and (state.scene in relevant or everywhere)
                wrong[k] = list(_wrong(story, finders.get(state.scene) or Finder(story), graph, k)) if ok else []
        # What shows in a state of this level takes as many commands as the level; what a choice
        # taken there says, one more: the first pass finds the shorter witnesses.
        for said in (False, True):
            for k, mask in frontier.items():
                for name, source, choice, where in wrong[k]:
                    hit = mask & where
                    if hit and (choice is not None) == said and name.text not in found:
                        found[name.text] = Violation(name, source, (level, k, (hit & -hit).bit_length() - 1), choice)
        if len(found) == len(story.names):
            break
    return found


Wrong = tuple[Name, Source, Choice | None, int]  # a name, its text, the choice that says it, the states


def _wrong(story: Story, finder: Finder, graph: Exploration, k: int) -> Iterator[Wrong]:
    """Every name the text shown in key `k` mentions where its condition is false, with the states
    of the key (counter values, as a mask) where that happens; and the same for what a choice
    taken there says (read after its effects) and the ending it reaches."""
    state = graph.keys[k]
    env = engine.make_env(story, state)

    def gauge(expr: Expr | None) -> int:
        return graph.mask_of(state, env, expr)

    def wrong(shown: Iterator[tuple[Name, Source, int]]) -> Iterator[Wrong]:
        for name, source, where in shown:
            bad = where & ~gauge(name.when)
            if bad:
                yield name, source, None, bad

    yield from wrong((name, story.source, ALL) for name in finder.stat_names())
    if state.scene not in story.scenes or state.ended:
        return
    scene = story.scenes[state.scene]
    yield from wrong((name, scene.source, where) for name, where in finder.shown(scene.title, gauge))
    for text in (scene.first if state.visit_count(scene.id) <= 1 else scene.again, scene.text):
        yield from wrong(finder.shown_in(text, gauge))
    for choice in story.scenes[state.scene].choices:
        if choice.once and choice.key in state.used:
            continue
        visible = gauge(choice.when)
        if not visible:
            continue
        yield from wrong((name, choice.source, where) for name, where in finder.shown(choice.label, gauge, visible))
        takeable = visible & gauge(choice.requires)
        if choice.because is not None:
            shown = finder.shown(choice.because, gauge, visible & ~takeable)
            yield from wrong((name, choice.source, where) for name, where in shown)
        if takeable and _says(story, finder, choice):
            yield from _said(story, finder, graph, k, choice, takeable)


def _said(story: Story, finder: Finder, graph: Exploration, k: int, choice: Choice, takeable: int) -> Iterator[Wrong]:
    """What the choice says and the ending it reaches, read in the state after its effects, as the
    game reads them: the engine plays the choice once for each combination of the values of the
    counters those texts read (the rest of the state is the key's)."""
    state = graph.keys[k]
    for part, named in graph.combinations(state, tuple(finder.said_tests(choice))):
        where = takeable & part
        if not where:
            continue
        played = attrs.evolve(state, variables=state.variables.updated(named)) if named else state
        for moved in _moves(story, played, choice):
            gauge = gauge_of(engine.make_env(story, moved.state))
            said = [*finder.shown_in(choice.say, gauge)]
            if moved.branch is not None:
                said.extend(finder.shown_in(moved.branch.say, gauge))
            if moved.way.end is not None:
                ending = story.endings[moved.way.end]
                said.extend((name, ending.source, shown) for name, shown in finder.shown(ending.title, gauge))
                said.extend(finder.shown_in(ending.text, gauge))
            for name, source, shown in said:
                if shown and not gauge(name.when):
                    yield name, source, choice, where


def _mentions(story: Story, finder: Finder, scene: Scene) -> bool:
    if finder.anywhere(scene.title) or any(finder.in_text(t) for t in (scene.text, scene.first, scene.again)):
        return True
    return any(
        finder.anywhere(c.label) or (c.because is not None and finder.anywhere(c.because)) or _says(story, finder, c)
        for c in scene.choices
    )


def _says(story: Story, finder: Finder, choice: Choice) -> bool:
    """Whether what the choice says, or an ending it reaches, mentions a name."""
    return (
        finder.in_text(choice.say)
        or any(finder.in_text(b.say) for b in choice.branches)
        or any(w.end is not None and finder.in_ending(story.endings[w.end]) for w in choice.ways)
    )


def _moves(story: Story, state: GameState, choice: Choice) -> list[engine.Moved]:
    """Each way the dice can fall for the choice's effects; those the game refuses left out."""

    def run(dice: ScriptedDice) -> engine.Moved | None:
        try:
            return engine.spend(story, state, choice, dice)
        except engine.Refused:
            return None

    try:
        return [moved for moved in every_outcome(run) if moved is not None]
    except TooManyOutcomes:
        return []
