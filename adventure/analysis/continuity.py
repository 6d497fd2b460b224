"""The continuity proof: no text the player is shown names what they have not met.

A story declares names (`names:` in story.yaml), each with the condition under which the player
knows it. In every state the search reaches, the checker works out the text shown there, as the
game shows it: the scene's title, its `first` or `again` and its text, the labels of the choices
shown (and why one cannot be taken), what a choice says once its effects have run, the ending it
leads to, and the stats. Any mention of a name whose condition is false there is a violation.

Exact, because the analysis keeps in every state what this reads (see mentions.gates): the
conditions deciding which paragraphs show and the names' own conditions. States are visited in
the order the search first reached them, so the first violation of a name is a shortest one.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from adventure.analysis.explore import Exploration, Node
from adventure.analysis.mentions import Finder
from adventure.core import engine
from adventure.core.dice import ScriptedDice, TooManyOutcomes, every_outcome
from adventure.core.expr import Env
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
    finder = Finder(story)
    everywhere = [(name, story.source) for name in finder.stat_names()]
    relevant = {scene_id for scene_id, scene in story.scenes.items() if _mentions(story, finder, scene)}
    found: dict[str, Violation] = {}
    first: dict[int, Node] = {}
    for level, frontier in enumerate(graph.levels):
        for k, mask in frontier.items():
            if k not in first:
                first[k] = (level, k, (mask & -mask).bit_length() - 1)
    for k, node in first.items():
        state = graph.keys[k]
        if state.ended or (state.scene not in relevant and not everywhere):
            continue
        env = engine.make_env(story, state)
        shown: list[Shown] = [(name, source, env, None) for name, source in everywhere]
        if state.scene in relevant:
            shown.extend(_shown(story, finder, state, env))
        for name, source, where, choice in shown:
            if name.text not in found and not engine.holds(name.when, where):
                found[name.text] = Violation(name, source, node, choice)
        if len(found) == len(story.names):
            break
    return found


def _mentions(story: Story, finder: Finder, scene: Scene) -> bool:
    if finder.anywhere(scene.title) or any(finder.in_text(t) for t in (scene.text, scene.first, scene.again)):
        return True
    for choice in scene.choices:
        if finder.anywhere(choice.label) or (choice.because is not None and finder.anywhere(choice.because)):
            return True
        if _says(story, finder, choice):
            return True
    return False


def _says(story: Story, finder: Finder, choice: Choice) -> bool:
    """Whether what the choice says, or an ending it reaches, mentions a name."""
    return (
        finder.in_text(choice.say)
        or any(finder.in_text(b.say) for b in choice.branches)
        or any(w.end is not None and finder.in_ending(story.endings[w.end]) for w in choice.ways)
    )


Shown = tuple[Name, Source, Env, Choice | None]  # a name shown, where it is written, the state it shows in


def _shown(story: Story, finder: Finder, state: GameState, env: Env) -> Iterator[Shown]:
    """Every name the text shown in `state` mentions, and every one a choice taken there shows
    (with the choice and the state after its effects, which its `say` and ending show in)."""
    scene = story.scenes[state.scene]
    yield from ((name, scene.source, env, None) for name in finder.shown(scene.title, env))
    for text in (scene.first if state.visit_count(scene.id) <= 1 else scene.again, scene.text):
        yield from ((name, source, env, None) for name, source in finder.shown_in(text, env))
    visible = engine.visible_choices(story, state, env)
    for choice in visible:
        yield from ((name, choice.source, env, None) for name in finder.shown(choice.label, env))
        if choice.because is not None and not engine.takeable(choice, env):
            yield from ((name, choice.source, env, None) for name in finder.shown(choice.because, env))
    for choice in visible:
        if not engine.takeable(choice, env) or not _says(story, finder, choice):
            continue
        for moved in _moves(story, state, choice):
            after = engine.make_env(story, moved.state)
            said = [*finder.shown_in(choice.say, after)]
            if moved.branch is not None:
                said.extend(finder.shown_in(moved.branch.say, after))
            if moved.way.end is not None:
                ending = story.endings[moved.way.end]
                said.extend((name, ending.source) for name in finder.shown(ending.title, after))
                said.extend(finder.shown_in(ending.text, after))
            yield from ((name, source, after, choice) for name, source in said)


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
