"""Breadth-first over every state a player can reach, with counters kept as sets of values.

Counters (trust, doses: numbers that effects change only by constants and only conditions read)
are what makes a story's state space large: each of their values multiplies every other part of
the state. So a state is split in two: a *key*, the normalised state (see statespace.py) without
its counters, and the counters' values, one bit of a mask per combination. Every key carries the
mask of values it is reached with. The engine runs once per key and choice however many values
there are: a condition becomes the mask of the values it accepts, an effect on counters a shift.

The graph explored is still the graph of states (key and values), level by level, so shortest
paths, softlocks and counts are those of a plain breadth-first search over states.

Counters that never matter in the same part of the story share the same bits (see `_share`), so
a story made of chapters that share no variable costs the sum of its chapters, not their product.
Keys are found by a packed tuple of what each scene keeps (Normaliser.pack), whatever the number
of variables the story declares.
"""

from __future__ import annotations

import itertools
from collections import ChainMap
from collections.abc import Callable, Hashable, Iterator

import attrs

from adventure.analysis.masks import Clamp, Counter, Layout, Transform
from adventure.analysis.statespace import Analysis, Normaliser, OutOfTime, fold, move_effects, move_tests
from adventure.core import engine
from adventure.core.dice import ScriptedDice, TooManyOutcomes, every_outcome
from adventure.core.expr import Assign, Binary, Env, Expr, Var, fits, guarded, leaves, walk
from adventure.core.model import Choice, Story
from adventure.core.state import FrozenMap, GameState, new_game

MAX_BITS = 1 << 16  # the widest mask: 8 KiB integers stay fast


@attrs.frozen
class Edge:
    """A choice from a key: for which counter values it shows, where it leads, what it does."""

    choice: Choice
    enable: int
    target: int
    transform: Transform
    clamp: Clamp  # the target scene's normalisation of the counters
    obtains: tuple[str, ...]  # the Ids in hand after it

    def apply(self, mask: int) -> int:
        if self.transform.changes:
            mask = self.transform.apply(mask)
        return self.clamp.apply(mask) if mask & self.clamp.moved else mask

    def preimage(self, mask: int) -> int:
        return self.transform.preimage(self.clamp.preimage(mask))


def counters(analysis: Analysis, begun: list[GameState] | None = None) -> Layout:
    """The variables worth keeping as sets of values, within MAX_BITS.

    Candidates are the variables that matter somewhere, that effects change only by constants
    and that no effect reads. Numbers with the widest ranges come first, then truth values, those
    that matter in the most scenes first: each multiplies the states most while it stays in keys.
    """
    story = analysis.story
    # A counter's values share one edge, so nothing but a choice's `when` and `requires` may read
    # it: not an effect's value, nor anything that decides where a move leads or what it does.
    read_by_effects = {
        node.name
        for scene in story.scenes.values()
        for choice in scene.choices
        for expr in (
            *(e.value for e in leaves(move_effects(story, choice)) if isinstance(e, Assign)),
            *(t for t in move_tests(story, choice) if t is not choice.requires),
        )
        for node in walk(expr)
        if isinstance(node, Var)
    }
    mattering: dict[str, int] = {}  # variable -> in how many components it matters
    for members in analysis.members:
        for quantity in analysis.live[members[0]]:
            if quantity[0] == "var":
                mattering[quantity[1]] = mattering.get(quantity[1], 0) + len(members)
    guarded_anywhere = {
        name for scene in story.scenes.values() for c in scene.choices for name in guarded(move_effects(story, c))
    }
    candidates = []
    for name, default in story.variables.items():
        scenes = mattering.get(name, 0)
        if name in read_by_effects or not scenes or name in analysis.large or name in guarded_anywhere:
            continue  # a counter's change must be the same for all its values: no `if` may decide it
        changes = analysis.changes(name)
        if changes is None or None in changes[:2]:
            continue
        up, down, resets = changes
        assert up is not None and down is not None
        # The first scene's own effects may have moved it before any choice: those values count too.
        values = [int(default), *map(int, resets), *(int(s.variables[name]) for s in begun or ())]
        low, high = min(values) - down, max(values) + up
        if not (fits(low) and fits(high)):
            continue  # kept exact in the key, where the engine refuses what goes out of range
        flag = isinstance(default, bool)
        candidates.append((flag, -(high - low + 1), -scenes, name, 0 if flag else low, 2 if flag else high - low + 1))
    return _share(analysis, [c[3:] for c in sorted(candidates)], begun or [])


def _share(analysis: Analysis, candidates: list[tuple[str, int, int]], begun: list[GameState]) -> Layout:
    """Digits for the counters, in order, within MAX_BITS: a counter takes the digit of others
    that are never active where it is, else a digit of its own while the product of the digits'
    sizes fits.

    A counter is active in a component of scenes where it still matters and may have moved from
    its starting value on the way there; elsewhere it stands at its start, so its digit is free.
    """
    story = analysis.story
    regions = _regions(analysis, [name for name, _, _ in candidates], begun)
    chosen: list[Counter] = []
    owners: list[list[int]] = [[] for _ in analysis.members]
    stride = 1
    for radix, members in _digits([size for _, _, size in candidates], regions):
        for n in members:
            name, low, size = candidates[n]
            region = regions[n]
            while region:
                bit = region & -region
                owners[bit.bit_length() - 1].append(len(chosen))
                region ^= bit
            flag = isinstance(story.variables[name], bool)
            chosen.append(Counter(name, low, size, stride, flag, radix if radix != size else 0))
        stride *= radix
    return Layout(tuple(chosen), story.variables, [tuple(o) for o in owners])


def _regions(analysis: Analysis, names: list[str], begun: list[GameState]) -> list[int]:
    """Per variable, the components where it is active, as the bits of an integer."""
    story = analysis.story
    position = {name: n for n, name in enumerate(names)}
    moved = [0] * len(analysis.members)  # per component, the variables a choice there or before moves
    for name, setters in analysis.setters.items():
        if name in position:
            for scene_id, choice in setters:
                if choice.key not in analysis.inert:
                    moved[analysis.component[scene_id]] |= 1 << position[name]
    for began in begun:  # the first scene's own effects
        for name, n in position.items():
            if began.variables[name] != story.variables[name]:
                moved[analysis.component[began.scene]] |= 1 << n
    for i in range(len(moved) - 1, -1, -1):  # numbered sinks first: each passes on what moved
        for j in analysis.after[i]:
            moved[j] |= moved[i]
    regions = [0] * len(names)
    for i, members in enumerate(analysis.members):
        live = analysis.live[members[0]]
        active = moved[i]
        while active:
            bit = active & -active
            active ^= bit
            n = bit.bit_length() - 1
            if ("var", names[n]) in live:
                regions[n] |= 1 << i
    return regions


def _digits(sizes: list[int], regions: list[int]) -> list[tuple[int, list[int]]]:
    """Each digit's size and the variables (by index) that share it, first come first served."""
    digits: list[tuple[list[int], list[int]]] = []  # ([size, components in use], variables)
    product = 1
    for n, size in enumerate(sizes):
        free = [d for d in digits if not d[0][1] & regions[n]]
        roomy = next((d for d in free if d[0][0] >= size), None)
        smallest = min(free, key=lambda d: d[0][0], default=None)
        if roomy is not None:
            digit = roomy
        elif smallest is not None and product // smallest[0][0] * size <= MAX_BITS:
            product = product // smallest[0][0] * size
            digit = smallest
            digit[0][0] = size
        elif product * size <= MAX_BITS:
            product *= size
            digit = ([size, 0], [])
            digits.append(digit)
        else:
            continue  # kept exact in the key
        digit[0][1] |= regions[n]
        digit[1].append(n)
    return [(d[0][0], d[1]) for d in digits]


@attrs.define
class Exploration:
    """The explored graph: keys, the values each is reached with, level by level, and the edges."""

    story: Story
    analysis: Analysis
    layout: Layout
    normalise: Normaliser
    keys: list[GameState] = attrs.field(factory=list)
    index: dict[Hashable, int] = attrs.field(factory=dict)  # the packed key (Normaliser.pack) -> its number
    edges: list[list[Edge] | None] = attrs.field(factory=list)
    preds: list[list[tuple[int, Edge]]] = attrs.field(factory=list)
    seen: list[int] = attrs.field(factory=list)
    levels: list[dict[int, int]] = attrs.field(factory=list)  # level -> key -> values first reached there
    unexpanded: dict[int, int] = attrs.field(factory=dict)  # reached when a bound stopped the search
    obtained: dict[str, tuple[int, int, Edge]] = attrs.field(factory=dict)  # Id -> level, key, edge
    held: frozenset[str] = frozenset()  # Ids the player can hold from the start, before any choice
    clamps: dict[str, Clamp] = attrs.field(factory=dict)
    transforms: dict[tuple[str, int], Transform] = attrs.field(factory=dict)  # (choice, component reached)
    conditions: dict[str, Expr | None] = attrs.field(factory=dict)  # choice -> its `when` and `requires`
    reads: dict[tuple[tuple[int, ...], int], list[int]] = attrs.field(
        factory=dict
    )  # (ids of exprs, component) -> counters
    refused: dict[str, engine.Refused] = attrs.field(factory=dict)  # choice key -> why the game refused it
    too_many: set[str] = attrs.field(factory=set)  # keys of choices with more outcomes than the checker follows
    dice: bool = False  # whether some move had more than one outcome
    states: int = 0
    limit: str = ""  # "", or the bound that stopped the search: "states", "seconds" or "memory" (--max-...)

    @property
    def complete(self) -> bool:
        return not self.limit

    def key(self, state: GameState) -> int:
        packed = self.normalise.pack(state)
        found = self.index.get(packed)
        if found is None:
            found = self.index[packed] = len(self.keys)
            self.keys.append(self.normalise(state))
            self.edges.append(None)
            self.preds.append([])
            self.seen.append(0)
        return found

    def edges_of(self, k: int) -> list[Edge]:
        known = self.edges[k]
        if known is None:
            known = self.edges[k] = list(self._edges(k))
            for edge in known:
                self.preds[edge.target].append((k, edge))
        return known

    def _edges(self, k: int) -> list[Edge]:
        state = self.keys[k]
        if state.ended:
            return []
        env = engine.make_env(self.story, state)
        found = []
        for choice in self.story.scenes[state.scene].choices:
            if (choice.once and choice.key in state.used) or choice.key in self.analysis.inert:
                continue  # inert choices lead back to the same key: no edge worth keeping
            enable = self._enable(state, env, choice)
            if not enable:
                continue
            for reached in self.outcomes(state, choice):
                transform = self._transform(choice, state.scene, reached)
                obtains = tuple(i for i in reached.inventory if i in self.story.id_items)
                clamp = self.clamp(reached.scene if not reached.ended else "")
                found.append(Edge(choice, enable, self.key(reached), transform, clamp, obtains))
        return found

    def outcomes(self, state: GameState, choice: Choice) -> list[GameState]:
        """Every state the choice can lead to, one per way the dice fall; those the game refuses left out."""

        def run(dice: ScriptedDice) -> GameState | engine.Refused:
            try:
                return engine.advance(self.story, state, choice, dice)
            except engine.Refused as refusal:
                return refusal

        try:
            results = every_outcome(run)
        except TooManyOutcomes:
            self.too_many.add(choice.key)
            return []
        if len(results) > 1:
            self.dice = True
        reached = []
        for result in results:
            if isinstance(result, engine.Refused):
                self.refused.setdefault(choice.key, result)  # the game refuses the move, changing nothing
            else:
                reached.append(result)
        return reached

    def clamp(self, scene: str) -> Clamp:
        """The normalisation of the counters on entering `scene` ("": an ending)."""
        if scene not in self.clamps:
            bounds = dict(self.normalise.plans[scene].apart) if scene else {}
            folds = []
            for i in self.layout.owned(self.analysis.component[scene]) if scene else ():
                c = self.layout.counters[i]
                bound = bounds.get(c.name)
                if bound is None:  # forgotten here: back to its starting value
                    start = self.layout.defaults[c.name] - c.low
                    folds.append((i, start, start))
                    continue
                # A bound past the counter's range folds the whole range onto its nearest end: every
                # value there is on the same side of the bound, so any one of them stands for all.
                low = 0 if bound.low is None else min(max(0, bound.low - c.low), c.size - 1)
                high = c.size - 1 if bound.high is None else min(max(0, bound.high - c.low), c.size - 1)
                if low > 0 or high < c.size - 1:
                    folds.append((i, low, high))
            self.clamps[scene] = Clamp(self.layout, tuple(folds))
        return self.clamps[scene]

    def _enable(self, state: GameState, env: Env, choice: Choice) -> int:
        """The counter values for which the choice shows and can be taken, as a mask."""
        condition = self.conditions.get(choice.key, choice.when)
        if choice.key not in self.conditions:
            if choice.requires is not None:
                condition = choice.requires if condition is None else Binary("and", condition, choice.requires)
            self.conditions[choice.key] = condition
        return self.mask_of(state, env, condition)

    def mask_of(self, state: GameState, env: Env, condition: Expr | None) -> int:
        """The counter values of the key `state` for which `condition` holds, as a mask."""
        if condition is None:
            return self.layout.full
        mask = 0
        for part, named in self.combinations(state, (condition,)):
            trial = Env(ChainMap(named, env.variables), env.has, env.visits, env.builtins) if named else env  # type: ignore[arg-type]
            if engine.holds(condition, trial):
                mask |= part
        return mask

    def combinations(self, state: GameState, exprs: tuple[Expr, ...]) -> Iterator[tuple[int, dict[str, int | bool]]]:
        """Each combination of the values of the counters `exprs` read, among those that own a digit
        in the key `state`'s scene, as the mask of its states and the values; one, with no values,
        if they read none. A counter without a digit stands at its starting value, as in the key."""
        layout = self.layout
        region = self.analysis.component[state.scene]
        read = self.reads.get((tuple(map(id, exprs)), region))
        if read is None:
            owned = layout.owned(region)
            read = self.reads[tuple(map(id, exprs)), region] = sorted(
                {
                    i
                    for expr in exprs
                    for n in walk(expr)
                    if isinstance(n, Var) and (i := layout.position.get(n.name)) is not None and i in owned
                }
            )
        if not read:
            yield layout.full, {}
            return
        for values in itertools.product(*(range(layout.counters[i].size) for i in read)):
            part = layout.full
            for i, j in zip(read, values, strict=True):
                part &= layout.plane(i, j)
            yield (
                part,
                {layout.counters[i].name: layout.counters[i].value(j) for i, j in zip(read, values, strict=True)},
            )

    def _transform(self, choice: Choice, source: str, reached: GameState) -> Transform:
        layout = self.layout
        if reached.ended:
            return Transform(layout, (), 0, layout.full, to_origin=True)
        component = self.analysis.component
        key = (choice.key, component[reached.scene])
        known = self.transforms.get(key)
        if known is not None:
            return known
        before = {layout.counters[i].stride: i for i in layout.owned(component[source])}
        after = {layout.counters[i].stride: i for i in layout.owned(component[reached.scene])}
        sets: list[tuple[int, int]] = []
        shift, guard = 0, layout.full
        for stride in sorted(before.keys() | after.keys()):
            was, now = before.get(stride), after.get(stride)
            if now is None:  # the digit is free on the way in: its canonical value
                assert was is not None
                sets.append((was, 0))
                continue
            c = layout.counters[now]
            kind, amount = fold(self.story, choice, c.name) or ("+", 0)  # counters are only changed by constants
            if was != now:  # the digit passes to a counter that stood at its start until now
                sets.append((now, (int(amount) if kind == "=" else layout.defaults[c.name] + amount) - c.low))
            elif kind == "=":
                sets.append((now, int(amount) - c.low))
            elif amount:
                shift += amount * c.stride
                guard &= layout.guard(now, amount)
        found = self.transforms[key] = Transform(layout, tuple(sets), shift, guard)
        return found

    def values(self, k: int, bit: int) -> dict[str, int | bool]:
        """The counters' values in the state `bit` of key `k` (those without a digit: their starts)."""
        owned = self.layout.owned(self.analysis.component[self.keys[k].scene])
        return {**self.layout.defaults, **self.layout.values(bit, owned)}


def explore(
    story: Story,
    max_states: int,
    max_seconds: float,
    clock: Callable[[], float],
    max_bytes: int = 0,
    memory: Callable[[], int] | None = None,
) -> Exploration:
    """Breadth first over states, level by level, until none is new or a bound is hit.

    `max_seconds` bounds the analysis before the search as well as the search itself; with
    `memory` (how many bytes the process holds), `max_bytes` bounds the search's memory.
    """
    deadline = clock() + max_seconds

    def out_of_time() -> bool:
        return clock() > deadline

    try:
        analysis = Analysis.of(story, out_of_time)
        begun = starts(story)
        layout = counters(analysis, begun)
        normalise = Normaliser.of(analysis, frozenset(c.name for c in layout.counters), out_of_time)
    except OutOfTime:
        return _stopped(story)
    graph = Exploration(story, analysis, layout, normalise)
    graph.held = frozenset(i for began in begun for i in began.inventory if i in story.id_items)
    frontier: dict[int, int] = {}
    for began in begun:
        start = graph.key(began)
        # The first scene's effects may have moved a counter already: its bit is the state's own.
        owned = layout.owned(analysis.component[began.scene])
        bit = 1 << layout.index({layout.counters[i].name: began.variables[layout.counters[i].name] for i in owned})
        frontier[start] = frontier.get(start, 0) | graph.clamp(began.scene).apply(bit)
        graph.seen[start] = frontier[start]
    graph.states = sum(mask.bit_count() for mask in frontier.values())
    while frontier:
        graph.levels.append(frontier)
        level = len(graph.levels) - 1
        reached: dict[int, int] = {}
        for count, (k, mask) in enumerate(frontier.items()):
            if count % 64 == 0 and clock() > deadline:
                graph.limit, graph.unexpanded = "seconds", frontier
                return graph
            if count % 256 == 0 and memory is not None and max_bytes and memory() > max_bytes:
                graph.limit, graph.unexpanded = "memory", frontier
                return graph
            for edge in graph.edges[k] or graph.edges_of(k):
                source = mask & edge.enable
                if not source:
                    continue
                for item in edge.obtains:
                    graph.obtained.setdefault(item, (level, k, edge))
                image = edge.apply(source)
                before = reached.get(edge.target)
                reached[edge.target] = image if before is None else before | image
        expanded = frontier
        frontier, full = _merge(graph, reached, max_states - graph.states)
        if full:
            graph.levels.append(frontier)
            # The level just expanded lost some of what it reaches: it counts as unexplored too, so
            # nothing in it is taken for a trap.
            unexpanded = dict(expanded)
            for k, mask in frontier.items():
                unexpanded[k] = unexpanded.get(k, 0) | mask
            graph.limit, graph.unexpanded = "states", unexpanded
            return graph
    return graph


def _merge(graph: Exploration, reached: dict[int, int], room: int) -> tuple[dict[int, int], bool]:
    """Record what a level reached that is new: the next frontier, and whether the state bound
    cut it short (only what fits is kept, so the search never holds more than the bound)."""
    frontier: dict[int, int] = {}
    seen = graph.seen
    added = 0
    full = False
    for k, mask in reached.items():
        new = mask & ~seen[k]
        if not new:
            continue
        count = new.bit_count()
        if count > room - added:
            new, count, full = _lowest_bits(new, room - added), room - added, True
        if new:
            seen[k] |= new
            added += count
            frontier[k] = new
        if full:
            break
    graph.states += added
    return frontier, full


def _lowest_bits(mask: int, count: int) -> int:
    kept = 0
    while count > 0 and mask:
        low = mask & -mask
        kept |= low
        mask ^= low
        count -= 1
    return kept


def starts(story: Story) -> list[GameState]:
    """Every state a game can begin in: one, unless the first scene's `on_enter` rolls dice."""

    def run(dice: ScriptedDice) -> GameState | None:
        try:
            return engine.enter(story, new_game(story), story.start, dice)
        except engine.Refused:
            return None

    try:
        found = [s for s in every_outcome(run) if s is not None]
    except TooManyOutcomes:
        found = []
    return found or [engine.begin(story).state]


def _stopped(story: Story) -> Exploration:
    """The search that time stopped before it began: nothing explored, nothing proved."""
    analysis = Analysis(story, {}, [], [], frozenset(), {}, frozenset())
    layout = Layout((), story.variables)
    return Exploration(story, analysis, layout, Normaliser(story, {}, FrozenMap(story.variables)), limit="seconds")


def hopeful(graph: Exploration) -> list[int]:
    """Per key, the values from which an ending (or an unexplored state) can still be reached.

    A backward fixed point. Keys were found breadth first, so sweeping them last to first settles
    most of it in a few passes; a worklist finishes what loops back.
    """
    good = [graph.seen[k] if state.ended else 0 for k, state in enumerate(graph.keys)]
    for k, mask in graph.unexpanded.items():
        good[k] |= mask
    changed: set[int] = set(range(len(graph.keys)))
    for _ in range(3):
        changed = set()
        for k in range(len(graph.keys) - 1, -1, -1):
            wanting = graph.seen[k] & ~good[k]
            if not wanting:
                continue
            more = 0
            for edge in graph.edges[k] or ():
                if good[edge.target] and edge.enable & wanting:
                    more |= edge.preimage(good[edge.target]) & edge.enable
            more &= wanting
            if more:
                good[k] |= more
                changed.add(k)
        if not changed:
            return good
    stack = list(changed)
    while stack:
        target = stack.pop()
        for k, edge in graph.preds[target]:
            wanting = graph.seen[k] & edge.enable & ~good[k]
            if wanting:
                more = edge.preimage(good[target]) & wanting
                if more:
                    good[k] |= more
                    stack.append(k)
    return good


def trap_entries(graph: Exploration, good: list[int]) -> dict[str, tuple[int, int, int]]:
    """Per scene, the first level, key and value where a player walks into a softlock."""
    entries: dict[str, tuple[int, int, int]] = {}
    first = graph.levels[0] if graph.levels else {}
    for k, mask in first.items():
        if mask & ~good[k]:
            entries[graph.keys[k].scene] = (0, k, _low_bit(mask & ~good[k]))
    for level, frontier in enumerate(graph.levels[:-1]):
        following = graph.levels[level + 1]
        for k, mask in frontier.items():
            hope = mask & good[k]
            for edge in graph.edges[k] or ():
                source = hope & edge.enable
                if not source:
                    continue
                trapped = edge.apply(source) & following.get(edge.target, 0) & ~good[edge.target]
                scene = graph.keys[edge.target].scene
                if trapped and scene not in entries:
                    entries[scene] = (level + 1, edge.target, _low_bit(trapped))
    return entries


def _low_bit(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


Node = tuple[int, int, int]  # a state: the level it was first reached on, its key, its bit


def parent(graph: Exploration, node: Node, good: list[int] | None = None) -> tuple[Node, Choice]:
    """A state one level earlier and the choice that leads from it to `node`: the last step of a
    shortest path. With `good`, a hopeful state (so the step shows where a trap begins)."""
    level, k, bit = node
    earlier = graph.levels[level - 1]
    for source_key, edge in graph.preds[k]:
        source = earlier.get(source_key, 0) & edge.enable
        if good is not None:
            source &= good[source_key]
        if source:
            candidates = edge.preimage(1 << bit) & source
            if candidates:
                return (level - 1, source_key, _low_bit(candidates)), edge.choice
    raise AssertionError("a reached state has no parent on the level before")
