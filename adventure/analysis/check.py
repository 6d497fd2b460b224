"""Proving a story playable: lint it, explore every state a player can reach, report.

Pure: a Story in, a Report out. The exploration (explore.py) plays the real engine, so what it
proves is about the game as played, and every witness is a list of commands a player could type,
checked by replaying it move by move.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import attrs

from adventure.analysis.continuity import Violation, violations
from adventure.analysis.explore import Exploration, Node, explore, hopeful, parent, starts, trap_entries
from adventure.analysis.lint import lint_story
from adventure.core import engine
from adventure.core.commands import RESERVED_WORDS, match_choice, words_of
from adventure.core.dice import MAX_OUTCOMES, ScriptedDice, every_outcome
from adventure.core.errors import Problem
from adventure.core.expr import Assign, leaves, show
from adventure.core.model import Choice, Source, Story, outline
from adventure.core.state import GameState

PROVED, REFUTED, UNKNOWN = "proved", "refuted", "unknown"
DEFAULT_MAX_STATES = 5_000_000
DEFAULT_MAX_SECONDS = 20.0
DEFAULT_MAX_MEMORY = 1024  # MiB the whole process may hold while it searches

# Words the front ends take for themselves before the story sees them: never the start of a witness.


@attrs.frozen
class Property:
    """One claim about the story, proved or refuted with a witness, or left unknown at a bound."""

    kind: str  # "scene", "ending", "id" (reachable, reachable, obtainable), "softlock", "sure" or "introduced"
    subject: str  # the scene, ending, item id or name; for a softlock, the scene where the trap begins
    status: str
    witness: tuple[str, ...] = ()  # the shortest commands that reach it, or that walk into the trap

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject, "status": self.status, "witness": list(self.witness)}


@attrs.frozen
class Report:
    """Everything `adventure check` found: problems for people, properties and counts for tools."""

    story: str
    problems: tuple[Problem, ...]
    properties: tuple[Property, ...]
    states: int
    transitions: int
    complete: bool  # False when a bound stopped the exploration
    limit: str  # what stopped it: "", or the bound, named as its option: "states", "seconds" or "memory"
    seconds: float

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def count(self, kind: str, status: str = PROVED) -> int:
        return sum(1 for p in self.properties if p.kind == kind and p.status == status)

    def total(self, kind: str) -> int:
        return sum(1 for p in self.properties if p.kind == kind)

    def to_dict(self) -> dict[str, Any]:
        return {
            "story": self.story,
            "ok": not self.errors,
            "complete": self.complete,
            "limit": self.limit or None,
            "states": self.states,
            "transitions": self.transitions,
            "seconds": round(self.seconds, 4),
            "problems": [attrs.asdict(p) for p in self.problems],
            "properties": [p.to_dict() for p in self.properties],
        }


# ---------------------------------------------------------------- witnesses


def command_for(story: Story, state: GameState, choice: Choice) -> str:
    """What a player types to take `choice`: its label's words when they pick it, else its number."""
    offered = [(o.choice, o.label) for o in engine.offers(story, state)]
    number = next((n for n, (c, _) in enumerate(offered, 1) if c.key == choice.key), 0)
    assert number, f"choice {choice.key} is not shown where the exploration took it"
    words = " ".join(words_of(offered[number - 1][1]))
    typable = words and not words.isdigit() and words.split()[0] not in RESERVED_WORDS
    if typable and match_choice(words, offered).choice is choice:
        return words
    return str(number)


class Witnesses:
    """Shortest paths to explored states, as commands, replayed in the real game as they are built.

    Paths to different states share their beginnings; each step is worked out once.
    """

    def __init__(self, story: Story, graph: Exploration) -> None:
        self.story = story
        self.graph = graph
        self.known: dict[Node, tuple[tuple[str, ...], GameState]] = {}

    def to(self, node: Node, good: list[int] | None = None) -> tuple[tuple[str, ...], GameState]:
        """The commands that reach `node`, and the real state they lead to."""
        steps: list[tuple[Node, Choice]] = []
        while node not in self.known and node[0] > 0:
            earlier, choice = parent(self.graph, node, good if not steps else None)
            steps.append((node, choice))
            node = earlier
        commands, state = self.known.get(node) or ((), self._start(node))
        for reached, choice in reversed(steps):
            commands += (command_for(self.story, state, choice),)
            state = self._follow(state, choice, reached)
            if good is None:
                self.known[reached] = (commands, state)
        return commands, state

    def _start(self, node: Node) -> GameState:
        """The state the game begins in on the way to `node` (the dice of the first scene may differ)."""
        target = self.graph.keys[node[1]]
        found = [s for s in starts(self.story) if self.graph.normalise(s) == target]
        return found[0] if found else engine.begin(self.story).state

    def _follow(self, state: GameState, choice: Choice, reached: Node) -> GameState:
        """The state after `choice` with the dice falling as on the search's way to `reached`."""
        target = self.graph.keys[reached[1]]
        if not self.graph.dice:
            return engine.advance(self.story, state, choice, ScriptedDice(()))

        def run(dice: ScriptedDice) -> GameState | engine.Refused:
            try:
                return engine.advance(self.story, state, choice, dice)
            except engine.Refused as refusal:  # one way the dice fall is refused; the search took another
                return refusal

        outcomes = every_outcome(run)
        for outcome in outcomes:
            if not isinstance(outcome, engine.Refused) and self.graph.normalise(outcome) == target:
                return outcome
        first = outcomes[0]
        if isinstance(first, engine.Refused):
            raise first
        return first

    def commands(self, node: Node, then: Choice | None = None) -> tuple[str, ...]:
        commands, state = self.to(node)
        return commands + ((command_for(self.story, state, then),) if then is not None else ())


# ---------------------------------------------------------------- the report


def _no_clock() -> float:
    return 0.0


def check_story(
    story: Story,
    max_states: int = DEFAULT_MAX_STATES,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    clock: Callable[[], float] | None = None,
    max_memory: int = DEFAULT_MAX_MEMORY,
    memory: Callable[[], int] | None = None,
) -> Report:
    """Lint the story and explore it; every refuted property becomes an error with its witness.

    The core reads no clock and no memory gauge: pass them (time.monotonic, and how many bytes the
    process holds) for `max_seconds` and `max_memory` (in MiB) to bound the search.
    """
    paused = gc.isenabled()
    gc.disable()  # the search makes a great many objects and frees few: the cyclic collector only slows it
    try:
        return _check(story, max_states, max_seconds, clock or _no_clock, max_memory, memory)
    finally:
        if paused:
            gc.enable()


def _check(
    story: Story,
    max_states: int,
    max_seconds: float,
    clock: Callable[[], float],
    max_memory: int,
    memory: Callable[[], int] | None,
) -> Report:
    began = clock()
    graph = explore(story, max_states, max_seconds, clock, max_memory * 2**20, memory)
    properties, stuck, shown = _properties(story, graph)
    if graph.dice and graph.complete:
        properties += [Property("sure", e, PROVED if forced else REFUTED) for e, forced in sure_endings(graph).items()]
    problems = _merge(story, [*story.warnings, *lint_story(story)], graph, properties, stuck, shown)
    return Report(
        story=story.id,
        problems=tuple(sorted(problems, key=lambda p: (p.file, p.line, p.column, p.code))),
        properties=tuple(properties),
        states=graph.states,
        transitions=sum(
            (graph.seen[k] & e.enable).bit_count() for k, edges in enumerate(graph.edges) for e in edges or ()
        ),
        complete=graph.complete,
        limit=graph.limit,
        seconds=clock() - began,
    )


def _properties(story: Story, graph: Exploration) -> tuple[list[Property], dict[str, GameState], dict[str, Violation]]:
    """Every property with its witness, the state each softlock witness ends in, and where each
    name refuted is shown too soon."""
    first: dict[tuple[str, str], Node] = {}
    for level, frontier in enumerate(graph.levels):
        for k, mask in frontier.items():
            state = graph.keys[k]
            place = ("ending", state.ending or "") if state.ended else ("scene", state.scene)
            if place not in first:
                first[place] = (level, k, (mask & -mask).bit_length() - 1)
    missing = UNKNOWN if not graph.complete else REFUTED
    witnesses = Witnesses(story, graph)

    def proved(kind: str, subject: str, node: Node, then: Choice | None = None) -> Property:
        # A witness replays in the real game; should the game refuse one of its moves (a number out
        # of range, which normalised states can hide: see statespace.LARGE), nothing is claimed.
        try:
            return Property(kind, subject, PROVED, witnesses.commands(node, then))
        except engine.Refused:
            return Property(kind, subject, UNKNOWN)

    properties = []
    for kind, ids in (("scene", story.scenes), ("ending", story.endings)):
        for subject in ids:
            if (kind, subject) in first:
                properties.append(proved(kind, subject, first[kind, subject]))
            else:
                properties.append(Property(kind, subject, missing))
    properties += [_obtained(story, graph, item, missing, proved) for item in story.items if item in story.id_items]
    good = hopeful(graph)
    stuck: dict[str, GameState] = {}
    unsure = False
    if any(seen & ~hope for seen, hope in zip(graph.seen, good, strict=False)):
        for scene, node in trap_entries(graph, good).items():
            try:
                commands, stuck[scene] = witnesses.to(node, good)
            except engine.Refused:
                unsure = True
                continue
            properties.append(Property("softlock", scene, REFUTED, commands))
    if not stuck:
        properties.append(Property("softlock", "", PROVED if graph.complete and not unsure else UNKNOWN))
    introduced, shown = _introduced(story, graph, witnesses)
    return properties + introduced, stuck, shown


def _obtained(
    story: Story, graph: Exploration, item: str, missing: str, proved: Callable[[str, str, Node, Choice], Property]
) -> Property:
    if item in graph.held:  # the starting inventory, or the first scene's effects, give it
        return Property("id", item, PROVED, ())
    if item not in graph.obtained:
        return Property("id", item, missing)
    level, k, edge = graph.obtained[item]
    source = graph.levels[level][k] & edge.enable
    return proved("id", item, (level, k, (source & -source).bit_length() - 1), edge.choice)


def _introduced(story: Story, graph: Exploration, witnesses: Witnesses) -> tuple[list[Property], dict[str, Violation]]:
    """The continuity proof: each declared name, proved or shown too soon (where, and after what)."""
    shown = violations(story, graph)
    properties = []
    for name in story.names:
        found = shown.get(name.text)
        if found is None:
            properties.append(Property("introduced", name.text, PROVED if graph.complete else UNKNOWN))
            continue
        try:
            properties.append(Property("introduced", name.text, REFUTED, witnesses.commands(found.node, found.choice)))
        except engine.Refused:
            del shown[name.text]  # as for any witness the game refuses: nothing is claimed
            properties.append(Property("introduced", name.text, UNKNOWN))
    return properties, shown


def sure_endings(graph: Exploration) -> dict[str, bool]:
    """For each ending, whether a player can reach it from the start however the dice fall.

    A least fixed point over the explored graph: a state is sure of an ending if it is that ending,
    or if some choice there leads, with every outcome of its dice, to states sure of it.
    """
    starts = graph.levels[0] if graph.levels else {}
    found: dict[str, bool] = {}
    groups: list[dict[str, list[Any]]] = []
    for edges in graph.edges:
        by_choice: dict[str, list[Any]] = {}
        for edge in edges or ():
            by_choice.setdefault(edge.choice.key, []).append(edge)
        groups.append(by_choice)
    for ending in graph.story.endings:
        sure = [graph.seen[k] if state.ending == ending else 0 for k, state in enumerate(graph.keys)]
        changed = True
        while changed:
            changed = False
            for k in range(len(graph.keys) - 1, -1, -1):
                wanting = graph.seen[k] & ~sure[k]
                if not wanting or graph.keys[k].ended:
                    continue
                more = 0
                for key, edges in groups[k].items():
                    if key in graph.refused:
                        continue  # some outcome is refused: the dice can leave the player where they are
                    ok = edges[0].enable & wanting
                    for edge in edges:
                        ok &= edge.preimage(sure[edge.target])
                        if not ok:
                            break
                    more |= ok
                if more:
                    sure[k] |= more
                    changed = True
        found[ending] = all(mask & ~sure[k] == 0 for k, mask in starts.items())
    return found


def _quote(commands: tuple[str, ...]) -> str:
    return "'" + ", ".join(commands) + "'" if commands else "the start"


def _at(source: Source, message: str, code: str, severity: str = "error") -> Problem:
    return Problem(source.file, source.line, source.column, message, severity, code)


def _merge(
    story: Story,
    lints: list[Problem],
    graph: Exploration,
    properties: list[Property],
    stuck: dict[str, GameState],
    shown: dict[str, Violation],
) -> list[Problem]:
    """Lint warnings and refuted properties, one problem per thing wrong."""
    problems: list[Problem] = []
    by_place = {(p.code, p.file, p.line, p.column): p for p in lints}

    def absorb(code: str, source: Source) -> str:
        """Drop the lint warning that says the same as an error, keeping its reason."""
        lint = by_place.pop((code, source.file, source.line, source.column), None)
        return f" ({lint.message.split(': ', 1)[-1]})" if lint else ""

    for prop in properties:
        if prop.status != REFUTED or prop.kind == "sure":
            continue
        if prop.kind == "scene":
            source = story.scenes[prop.subject].source
            reason = absorb("no-way-in", source) or ": no play leads to it"
            problems.append(_at(source, f"scene {prop.subject!r} can never be reached{reason}", "unreachable-scene"))
        elif prop.kind == "ending":
            source = story.endings[prop.subject].source
            problems.append(
                _at(source, f"ending {prop.subject!r} can never be reached: no play ends with it", "unreachable-ending")
            )
        elif prop.kind == "id":
            source = story.items[prop.subject].source
            reason = absorb("unused-item", source) or ": no play takes it"
            problems.append(_at(source, f"Id {prop.subject!r} can never be obtained{reason}", "unobtainable-id"))
        elif prop.kind == "introduced":
            found = shown[prop.subject]
            problems.append(
                _at(
                    found.source,
                    f"this text names {prop.subject!r} before the player has met it: after {_quote(prop.witness)}, "
                    f"'{show(found.name.when)}' is false (declared at {found.name.source.file}:"
                    f"{found.name.source.line}); make the text depend on it, or introduce the name sooner",
                    "mention-before-introduced",
                )
            )
        else:
            state = stuck[prop.subject]
            how = (
                "no choice is shown there"
                if not engine.visible_choices(story, state)
                else "no ending can be reached from there"
            )
            problems.append(
                _at(
                    story.scenes[prop.subject].source,
                    f"softlock: after {_quote(prop.witness)} the player is in scene {prop.subject!r} and {how}",
                    "softlock",
                )
            )
    problems.extend(_refused(story, graph, by_place))
    problems.extend(_same_labels(story, graph))
    if graph.complete:
        problems.extend(_never_shown(story, graph, by_place))
        problems.extend(_unsure(story, properties))
    else:
        problems.append(_bound_warning(story, graph, properties))
    return problems + list(by_place.values())


def _refused(story: Story, graph: Exploration, lints: dict[tuple[str, str, int, int], Problem]) -> list[Problem]:
    """Choices the game refuses somewhere a player can be: an effect would leave the 64-bit range.

    Where the linter already warns of that effect, its warning says it, with the reason."""
    problems = []
    for scene_id, scene in story.scenes.items():
        for number, choice in enumerate(scene.choices, 1):
            refusal = graph.refused.get(choice.key)
            if refusal is None:
                continue
            source = choice.source
            label = outline(choice.label)
            if not isinstance(refusal, engine.OutOfRange):
                why = refusal.message.removesuffix("; nothing happened.").removeprefix("That ")
                problems.append(
                    _at(
                        source,
                        f"choice {number} of scene {scene_id!r} ({label!r}) is refused in some play: "
                        f"{why[:1].lower() + why[1:]}, so nothing happens",
                        "refused",
                        "warning",
                    )
                )
                continue
            effect = next((e for e in leaves(choice.effects) if isinstance(e, Assign) and e.name == refusal.name), None)
            if effect is not None and effect.line:
                source = Source(source.file, effect.line, effect.column)
            if ("overflow", source.file, source.line, source.column) in lints:
                continue
            limit = "largest" if refusal.above else "smallest"
            problems.append(
                _at(
                    source,
                    f"choice {number} of scene {scene_id!r} ({label!r}) is refused in some play: it would take "
                    f"{refusal.name} past the {limit} number the story can hold, so nothing happens",
                    "out-of-range",
                    "warning",
                )
            )
    for key in sorted(graph.too_many):
        scene_id, place = key.split("/")
        choice = story.scenes[scene_id].choices[int(place) - 1]
        problems.append(
            _at(
                choice.source,
                f"choice {place} of scene {scene_id!r} ({outline(choice.label)!r}) has more than "
                f"{MAX_OUTCOMES:,} ways the dice can fall; the checker does not follow it (roll fewer dice, "
                "or smaller ones)",
                "too-many-outcomes",
                "warning",
            )
        )
    return problems


def _same_labels(story: Story, graph: Exploration) -> list[Problem]:
    """Two choices shown at once with the same label, somewhere a player can be: the player cannot
    tell them apart (only choices that matter are judged: their `when` is exact in every state)."""
    problems = []
    told: set[tuple[str, str]] = set()
    doubled = set()  # the scenes where two choices that matter are written with the same label
    for scene_id, scene in story.scenes.items():
        outlines = [outline(c.label) for c in scene.choices if c.key not in graph.analysis.inert]
        if len(set(outlines)) < len(outlines):
            doubled.add(scene_id)
    for k, state in enumerate(graph.keys):
        mask = graph.seen[k]
        if not mask or state.ended or state.scene not in doubled:
            continue
        low = (mask & -mask).bit_length() - 1
        real = attrs.evolve(state, variables=state.variables.updated(graph.values(k, low)))
        env = engine.make_env(story, real)
        labels: dict[str, Choice] = {}
        for choice in engine.visible_choices(story, real, env):
            if choice.key in graph.analysis.inert:
                continue
            label = outline(choice.label)
            first = labels.setdefault(label, choice)
            if first is not choice and (first.key, choice.key) not in told:
                told.add((first.key, choice.key))
                problems.append(
                    _at(
                        choice.source,
                        f"choices {first.key.split('/')[1]} and {choice.key.split('/')[1]} of scene {state.scene!r} "
                        f"are both shown as {label!r} in some play: the player cannot tell them apart",
                        "same-label",
                        "warning",
                    )
                )
    return problems


def _unsure(story: Story, properties: list[Property]) -> list[Problem]:
    """What a complete search found but could not replay: a move on the way the game refuses."""
    unsure = [p for p in properties if p.status == UNKNOWN]
    if not unsure:
        return []
    names = ", ".join(f"{p.kind} {p.subject!r}" if p.subject else "no softlock" for p in unsure[:6])
    more = f" and {len(unsure) - 6} more" if len(unsure) > 6 else ""
    return [
        Problem(
            story.source.file,
            0,
            0,
            f"not proved: {names}{more}; the play the checker found takes a number past the 64-bit range, "
            "which the game refuses",
            "warning",
            "out-of-range",
        )
    ]


def _never_shown(story: Story, graph: Exploration, lints: dict[tuple[str, str, int, int], Problem]) -> list[Problem]:
    """Choices that matter, in scenes the player reaches, that no play ever shows."""
    shown = {e.choice.key for k, edges in enumerate(graph.edges) for e in edges or () if graph.seen[k] & e.enable}
    reached = {state.scene for k, state in enumerate(graph.keys) if graph.seen[k] and not state.ended}
    problems = []
    for scene_id in story.scenes:
        if scene_id not in reached:
            continue
        for number, choice in enumerate(story.scenes[scene_id].choices, 1):
            if choice.key in shown or choice.key in graph.analysis.inert or choice.key in graph.refused:
                continue
            source = choice.source
            if ("never-holds", source.file, source.line, source.column) in lints:
                continue  # the linter already says why
            what = (
                "can never be taken: its 'when' or 'requires' never holds"
                if choice.requires is not None
                else "is never shown: its condition never holds"
            )
            problems.append(
                _at(
                    source,
                    f"choice {number} of scene {scene_id!r} ({outline(choice.label)!r}) {what} when the player is "
                    "there",
                    "never-shown",
                    "warning",
                )
            )
    return problems


def _bound_warning(story: Story, graph: Exploration, properties: list[Property]) -> Problem:
    unproved = [p for p in properties if p.status == UNKNOWN]
    bound = f"--max-{graph.limit}"
    names = ", ".join(f"{p.kind} {p.subject!r}" if p.subject else "no softlock" for p in unproved[:6])
    more = f" and {len(unproved) - 6} more" if len(unproved) > 6 else ""
    what = f"not proved: {names}{more}" if unproved else "everything was proved anyway"
    return Problem(
        story.source.file,
        0,
        0,
        f"the exploration stopped at the {bound} bound after {graph.states:,} states; {what}",
        "warning",
        "bound",
    )
