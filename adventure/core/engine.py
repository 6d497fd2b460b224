"""The pure core of play: a state and a command in, a new state and what to show out."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

import attrs

from adventure.core import output as out
from adventure.core.commands import GAME_SPELLINGS, GAME_VERBS, Verb, match_choice, words_of
from adventure.core.dice import SeededDice, pick
from adventure.core.expr import (
    INT_MAX,
    INT_MIN,
    Dice,
    Drop,
    Effect,
    Env,
    Expr,
    If,
    Take,
    Undefined,
    Value,
    Var,
    evaluate,
    fits,
)
from adventure.core.model import (
    CYCLE,
    ONCE,
    SEQUENCE,
    Branch,
    Choice,
    Cond,
    Scene,
    Story,
    Template,
    Text,
    Vary,
    Way,
)
from adventure.core.output import Block, Output
from adventure.core.state import MAX_CALLS, FrozenMap, GameState, new_game


@attrs.frozen
class Turn:
    state: GameState
    output: Output
    quit: bool = False
    choice: Choice | None = None  # the choice taken, if the command took one
    label: str = ""  # its label as the player saw it


class Refused(Exception):
    """A move the game cannot make: the whole move is refused and the state stays as it was."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class OutOfRange(Refused):
    """An effect would set a number outside the story's 64-bit range."""

    def __init__(self, name: str, above: bool) -> None:
        self.name = name
        self.above = above  # past the largest number (else below the smallest)
        bound = f"the largest number the story can hold ({INT_MAX:,})"
        if not above:
            bound = f"the smallest number the story can hold ({INT_MIN:,})"
        super().__init__(f"That would take {name} past {bound}; nothing happened.")


def make_env(story: Story, state: GameState, dice: Dice | None = None) -> Env:
    return Env(state.variables, state.inventory.__contains__, state.visit_count, _Builtins(story, state), dice)


class _Builtins(Mapping[str, int]):
    """`ids` and `turn` of a state or a move in the making, worked out only when read."""

    __slots__ = ("_of", "_story")

    def __init__(self, story: Story, of: GameState | _Made) -> None:
        self._story = story
        self._of = of

    def __getitem__(self, name: str) -> int:
        if name == "ids":
            return self._story.ids_held(self._of.inventory)
        if name == "turn":
            return self._of.turn
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(("ids", "turn"))

    def __len__(self) -> int:
        return 2


def holds(condition: Expr | None, env: Env) -> bool:
    """Whether a condition holds; one that divides by zero does not (the checker warns of it)."""
    if condition is None:
        return True
    if type(condition) is Var:  # the commonest condition, a flag: read without the evaluator
        value = env.variables.get(condition.name)
        if value is not None:
            return bool(value)
    try:
        return bool(evaluate(condition, env))
    except Undefined:
        return False


# ---------------------------------------------------------------- text


class Voice:
    """Renders text against a state, counting each showing of a `{a|b}` when `advance` is set.

    `look` and the inventory do not advance: they show what the last showing showed.
    """

    def __init__(self, env: Env, seed: int = 0, shown: Mapping[str, int] = FrozenMap(), advance: bool = True) -> None:
        self.env = env
        self.seed = seed
        self.advance = advance
        self.counts: dict[str, int] = {}
        self.base = shown

    @classmethod
    def of(cls, story: Story, state: GameState, advance: bool = True) -> Voice:
        return cls(make_env(story, state), state.seed, state.shown, advance)

    def template(self, template: Template) -> str:
        literal = template.literal
        if literal is not None:
            return literal
        return "".join(self._part(part) for part in template.parts)

    def _part(self, part: object) -> str:
        if isinstance(part, str):
            return part
        if isinstance(part, Cond):
            return self.template(part.yes if holds(part.test, self.env) else part.no)
        if isinstance(part, Vary):
            return self._vary(part)
        try:
            value = evaluate(part, self.env)  # type: ignore[arg-type]
        except Undefined:
            return "?"
        return str(value).lower() if isinstance(value, bool) else str(value)

    def _vary(self, vary: Vary) -> str:
        shown = self.counts.get(vary.key, self.base.get(vary.key, 0))
        if self.advance:
            self.counts[vary.key] = shown + 1
        elif shown:
            shown -= 1  # what the last showing showed
        count = len(vary.options)
        if vary.kind == SEQUENCE:
            index = min(shown, count - 1)
        elif vary.kind == CYCLE:
            index = shown % count
        elif vary.kind == ONCE:
            if shown >= count:
                return ""
            index = shown
        else:
            index = pick(self.seed, vary.key, shown, count)
        return self.template(vary.options[index])

    def paragraphs(self, text: Text) -> list[str]:
        """The paragraphs of `text` whose condition holds, filled in; an empty one is left out."""
        shown = []
        for paragraph in text:
            if holds(paragraph.when, self.env):
                rendered = self.template(paragraph.template)
                if paragraph.template.literal is None:
                    rendered = _SPACES.sub(" ", rendered).strip()  # where a `{...}` showed nothing
                if rendered:
                    shown.append(rendered)
        return shown

    def prose(self, text: Text) -> list[Block]:
        return [Block(out.PROSE, p) for p in self.paragraphs(text)]

    def kept(self, state: GameState) -> GameState:
        """`state` with the showings counted so far."""
        if not self.counts:
            return state
        return attrs.evolve(state, shown=state.shown.updated(self.counts))


_SPACES = re.compile(r" {2,}")


def paragraphs(text: Text, env: Env) -> list[str]:
    """The paragraphs of `text` whose condition holds, with their `{...}` filled in (no counting)."""
    return Voice(env, advance=False).paragraphs(text)


# ---------------------------------------------------------------- choices


@attrs.frozen
class Offer:
    """A choice as the player is offered it: its label now, and why it cannot be taken, if so."""

    choice: Choice
    label: str
    unmet: str | None = None  # None: it can be taken

    @property
    def open(self) -> bool:
        return self.unmet is None


def visible_choices(story: Story, state: GameState, env: Env | None = None) -> list[Choice]:
    """The choices shown now, taken or not, in the order the author wrote them."""
    if state.ended:
        return []
    env = env or make_env(story, state)
    return [
        choice
        for choice in story.scenes[state.scene].choices
        if not (choice.once and choice.key in state.used) and holds(choice.when, env)
    ]


def takeable(choice: Choice, env: Env) -> bool:
    return holds(choice.requires, env)


def offers(story: Story, state: GameState, env: Env | None = None) -> list[Offer]:
    return [Offer(choice, label, unmet) for choice, label, unmet in _offered(story, state, env)]


def _offered(story: Story, state: GameState, env: Env | None) -> Iterator[tuple[Choice, str, str | None]]:
    """Each choice shown, its label now, and why it cannot be taken (None: it can): what `offers`
    holds, without an Offer made for each when only the text is wanted."""
    voice = Voice(env, state.seed, state.shown, advance=False) if env is not None else Voice.of(story, state, False)
    for choice in visible_choices(story, state, voice.env):
        unmet = None
        if not takeable(choice, voice.env):
            unmet = voice.template(choice.because) if choice.because is not None else ""
        yield choice, voice.template(choice.label), unmet


def choice_items(story: Story, state: GameState, env: Env | None = None) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The choices as the player reads them, numbered from 1, and the indexes of the disabled ones."""
    items = []
    off = []
    for n, (choice, label, unmet) in enumerate(_offered(story, state, env)):
        label += _mark(choice, state)
        if unmet is None:
            items.append(label)
        else:
            off.append(n)
            items.append(f"{label} (unavailable{': ' + unmet if unmet else ''})")
    return tuple(items), tuple(off)


def _mark(choice: Choice, state: GameState) -> str:
    """A choice that stays in the scene says whether it can be taken only once, or was taken already
    in this visit; one that leads on needs no word, as the scene changes."""
    if choice.moves:
        return ""
    if choice.once:
        return " (once)"
    return " (again)" if choice.key in state.taken else ""


def _choices_block(story: Story, state: GameState, env: Env | None = None) -> Block:
    items, off = choice_items(story, state, env)
    return Block(out.CHOICES, items=items, off=off)


# ---------------------------------------------------------------- showing


def describe(story: Story, state: GameState) -> Output:
    """The scene as the player sees it now (for `look`): nothing is counted as shown again."""
    return _describe(story, state, Voice.of(story, state, advance=False))


def _arrive(story: Story, state: GameState) -> tuple[Output, GameState]:
    """The scene or ending as the player sees it on arrival, and the state with that showing counted."""
    voice = Voice.of(story, state)
    return _describe(story, state, voice), voice.kept(state)


def _describe(story: Story, state: GameState, voice: Voice) -> Output:
    if state.ended:
        return _ending_blocks(story, state, voice)
    scene: Scene = story.scenes[state.scene]
    visits = state.visit_count(scene.id)
    blocks = [Block(out.TITLE, voice.template(scene.title))]
    for text in (scene.first if visits <= 1 else scene.again, scene.text):
        blocks.extend(voice.prose(text))
    blocks.append(_choices_block(story, state, voice.env))
    return tuple(blocks)


def _ending_blocks(story: Story, state: GameState, voice: Voice) -> Output:
    ending = story.endings[state.ending or ""]
    blocks = [Block(out.ENDING, voice.template(ending.title))]
    blocks.extend(voice.prose(ending.text))
    held = f", with {ids_line(story, state)}" if story.collection is not None else ""
    blocks.append(Block(out.NOTE, f"THE END. You finished in {state.turn} turns{held}."))
    return tuple(blocks)


def title_of(story: Story, state: GameState) -> str:
    """The title of where the player stands: the scene's, or the ending's."""
    title = story.endings[state.ending or ""].title if state.ended else story.scenes[state.scene].title
    return Voice.of(story, state, advance=False).template(title)


def ids_line(story: Story, state: GameState) -> str:
    """'3 of 9 Ids': the collection as the player counts it."""
    name = story.collection.name if story.collection is not None else "collected"
    return f"{story.ids_held(state.inventory)} of {story.ids_total} {name}"


def status_parts(story: Story, state: GameState) -> list[str]:
    """What the status bar shows besides the scene and the turn: the collection, then the stats."""
    parts = []
    if story.collection is not None:
        parts.append(f"{story.collection.name} {story.ids_held(state.inventory)}/{story.ids_total}")
    for stat in story.stats:
        if stat.bar:
            value = state.variables[stat.variable]
            parts.append(f"{stat.name} {_stat_value(value, stat.max)}")
    return parts


def _stat_value(value: Value, top: int | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value}/{top}" if top is not None else str(value)


def _bar(value: Value, top: int) -> str:
    filled = max(0, min(int(value), top))
    return "#" * filled + "." * (top - filled) if top <= 20 else ""


# ---------------------------------------------------------------- moving


class _Made:
    """The inventory, visits and turn a move has made so far: what its effects read back.

    Kept apart from the move so that what evaluation holds (the move's Env) never refers back to
    the move: no move leaves a reference cycle for the cyclic collector to find, or for a
    `gc.freeze` to keep for ever."""

    __slots__ = ("inventory", "turn", "visits")

    def __init__(self, state: GameState) -> None:
        self.inventory = state.inventory
        self.visits = state.visits
        self.turn = state.turn

    def has(self, item: str) -> bool:
        return item in self.inventory

    def visit_count(self, scene_id: str) -> int:
        count: int = self.visits.get(scene_id, 0)
        return count


class _Move:
    """A move in the making. Effects write here and read what the effects before them wrote, so a
    move builds one GameState at the end instead of one per effect, and copies nothing it does
    not change."""

    __slots__ = ("base", "changes", "dice", "env", "made", "stack", "story", "values")

    def __init__(self, story: Story, state: GameState, dice: Dice | None) -> None:
        self.story = story
        self.base = state
        self.changes: dict[str, Value] = {}
        self.values = _Overlay(self.changes, state.variables)
        self.made = made = _Made(state)
        self.stack = state.stack
        self.dice = dice
        self.env = Env(self.values, made.has, made.visit_count, _Builtins(story, made), dice)

    def run(self, effects: Sequence[Effect]) -> None:
        """Run `effects` in order; raise Refused, changing nothing the caller keeps, on a bad value."""
        for effect in effects:
            if isinstance(effect, If):
                try:
                    test = bool(evaluate(effect.condition, self.env))
                except Undefined as why:
                    raise Refused(f"That needs {why}; nothing happened.") from None
                self.run(effect.then if test else effect.otherwise)
            elif isinstance(effect, Take):
                made = self.made
                if effect.item not in made.inventory:
                    made.inventory = (*made.inventory, effect.item)
            elif isinstance(effect, Drop):
                made = self.made
                if effect.item in made.inventory:
                    made.inventory = tuple(i for i in made.inventory if i != effect.item)
            else:
                try:
                    value = evaluate(effect.value, self.env)
                except Undefined as why:
                    raise Refused(f"Setting {effect.name} needs {why}; nothing happened.") from None
                if effect.op != "=":
                    old = self.values[effect.name]
                    value = int(old) + int(value) if effect.op == "+=" else int(old) - int(value)
                if not isinstance(value, bool) and not fits(value):
                    raise OutOfRange(effect.name, value > 0)
                self.changes[effect.name] = value

    def test(self, condition: Expr | None) -> bool:
        try:
            return condition is None or bool(evaluate(condition, self.env))
        except Undefined as why:
            raise Refused(f"That needs {why}; nothing happened.") from None

    def enter(self, scene_id: str) -> None:
        """Come into a scene: count the visit, then run its first-visit and every-visit effects."""
        scene = self.story.scenes[scene_id]
        made = self.made
        count = made.visit_count(scene_id)
        if self.story.counts(scene_id):
            made.visits = made.visits.updated({scene_id: count + 1})
        first = count == 0
        if first and scene.on_first_enter:
            self.run(scene.on_first_enter)
        if scene.on_enter:
            self.run(scene.on_enter)

    def state(self, **fields: object) -> GameState:
        """The game state the move has made, with `fields` (scene, ending, ...) as given."""
        base, now = self.base, self.made
        variables = base.variables.updated(self.changes) if self.changes else base.variables
        made = {
            "scene": base.scene,
            "variables": variables,
            "inventory": now.inventory,
            "visits": now.visits,
            "used": base.used,
            "turn": now.turn,
            "ending": base.ending,
            "seed": base.seed,
            "draws": self.dice.draws if isinstance(self.dice, SeededDice) else base.draws,
            "stack": self.stack,
            "shown": base.shown,
            "taken": base.taken,
        }
        made.update(fields)
        return GameState(**made)  # type: ignore[arg-type]


class _Overlay(Mapping[str, Value]):
    """The variables as a move has left them so far: its changes over the state it began from."""

    __slots__ = ("base", "changes")

    def __init__(self, changes: dict[str, Value], base: Mapping[str, Value]) -> None:
        self.changes = changes
        self.base = base

    def get(self, name: str, default: Value | None = None) -> Value | None:  # type: ignore[override]
        changes = self.changes
        return changes[name] if name in changes else self.base.get(name, default)

    def __getitem__(self, name: str) -> Value:
        changes = self.changes
        return changes[name] if name in changes else self.base[name]

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self.base), **self.changes})

    def __len__(self) -> int:
        return len(self.base) + sum(1 for name in self.changes if name not in self.base)


def enter(story: Story, state: GameState, scene_id: str, dice: Dice | None = None) -> GameState:
    """Come into a scene: count the visit, then run its first-visit and every-visit effects."""
    move = _Move(story, state, dice)
    move.enter(scene_id)
    return move.state(scene=scene_id, taken=())


def begin(story: Story, state: GameState | None = None, seed: int = 0) -> Turn:
    """Start a new game with the dice `seed`, or show where a restored one stands."""
    if state is None:
        fresh = new_game(story, seed)
        dice = SeededDice(fresh.seed, 0)
        try:
            state = enter(story, fresh, story.start, dice)
        except Refused:
            visits = FrozenMap({story.start: 1}) if story.counts(story.start) else FrozenMap()
            state = attrs.evolve(fresh, visits=visits)  # the checker warns of it
        output, state = _arrive(story, state)
        return Turn(state, output)
    return Turn(state, describe(story, state))


@attrs.frozen
class Moved:
    """A choice taken, before anything is shown: the state before the move out, and the way out."""

    state: GameState
    way: Way
    branch: Branch | None


def _spend(move: _Move, choice: Choice) -> tuple[Way, Branch | None]:
    """What a choice does before it moves the player: effects, its branch, every-turn effects, a turn."""
    move.run(choice.effects)
    branch = None
    way = choice.way
    for case in choice.branches:
        if move.test(case.when):
            branch, way = case, case.way
            move.run(case.effects)
            break
    move.run(move.story.every_turn)
    move.made.turn += 1
    return way, branch


def _spent(move: _Move, choice: Choice) -> GameState:
    """The state once `choice` is spent, before it moves the player: where its `say` is read."""
    return move.state(used=_used(move.base, choice), taken=_taken(move.base, choice))


def spend(story: Story, state: GameState, choice: Choice, dice: Dice) -> Moved:
    """The state a choice's `say` is shown in, and where it leads: for the checker's continuity proof."""
    move = _Move(story, state, dice)
    way, branch = _spend(move, choice)
    return Moved(_spent(move, choice), way, branch)


def _go(move: _Move, choice: Choice, way: Way) -> GameState:
    """The state a spent choice leads to by `way`."""
    if way.stays:
        return _spent(move, choice)
    base = move.base
    used = _used(base, choice)
    if way.end is not None:
        return move.state(used=used, ending=way.end, taken=_taken(base, choice))
    if way.back:
        if not move.stack:
            raise Refused("There is no scene to go back to; nothing happened.")
        scene, move.stack = move.stack[-1], move.stack[:-1]
        return move.state(used=used, scene=scene, taken=())
    if way.call is not None:
        if len(move.stack) >= MAX_CALLS:
            raise Refused(f"That would go {MAX_CALLS + 1} scenes deep into calls; nothing happened.")
        move.stack = (*move.stack, base.scene)
    target = way.call if way.call is not None else way.goto
    assert target is not None
    move.enter(target)
    return move.state(used=used, scene=target, taken=())


def _used(state: GameState, choice: Choice) -> frozenset[str]:
    return state.used | {choice.key} if choice.once else state.used


def _taken(state: GameState, choice: Choice) -> tuple[str, ...]:
    return state.taken if choice.key in state.taken else (*state.taken, choice.key)


def advance(story: Story, state: GameState, choice: Choice, dice: Dice | None = None) -> GameState:
    """The state `take_choice` leads to, without rendering a word: for tools that explore every play.

    Raises Refused where `take_choice` refuses the move.
    """
    move = _Move(story, state, dice or SeededDice(state.seed, state.draws))
    way, _ = _spend(move, choice)
    return _go(move, choice, way)


def take_choice(story: Story, state: GameState, choice: Choice, env: Env | None = None) -> Turn:
    """Run a choice: effects, its branch, every-turn effects, then its `say`, then the move.

    A move the game cannot make (a number out of range, a division by zero, a call too deep) is
    refused whole: the state stays as it was, the player is told why and shown the choices again,
    and no choice counts as taken.
    """
    env = env or make_env(story, state)
    before = Voice(env, state.seed, state.shown, advance=False)  # the label as the player saw it
    if not takeable(choice, env):
        voice = before
        label = voice.template(choice.label)
        why = voice.template(choice.because) if choice.because is not None else "not now"
        return Turn(state, (Block(out.ERROR, f"You can't {_lower_first(label)} yet: {why}."),))
    move = _Move(story, state, SeededDice(state.seed, state.draws))
    try:
        way, branch = _spend(move, choice)
        says = choice.say or (branch is not None and branch.say)
        spent = _spent(move, choice) if says else None  # the state the `say` is read in
        reached = _go(move, choice, way)
    except Refused as refused:
        return Turn(state, (Block(out.ERROR, refused.message), _choices_block(story, state, env)))
    label = before.template(choice.label)
    said: list[Block] = []
    if spent is not None:
        voice = Voice.of(story, spent)
        said = voice.prose(choice.say)
        if branch is not None:
            said.extend(voice.prose(branch.say))
        reached = voice.kept(reached)
    state = reached
    if way.stays:
        return Turn(state, (*said, _choices_block(story, state)), choice=choice, label=label)
    shown, state = _arrive(story, state)
    return Turn(state, (*said, *shown), choice=choice, label=label)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


# ---------------------------------------------------------------- the player's other commands


def inventory_blocks(story: Story, state: GameState) -> Output:
    voice = Voice.of(story, state, advance=False)

    def line(item_id: str) -> str:
        item = story.items[item_id]
        described = voice.paragraphs(item.description)
        name = voice.template(item.name)
        return f"{name}: {described[0]}" if described else name

    collected = [i for i in state.inventory if i in story.id_items] if story.collection is not None else []
    things = [i for i in state.inventory if i not in collected]
    blocks = []
    if story.collection is not None:
        heading = f"{story.collection.name}: {len(collected)} of {story.ids_total}"
        blocks.append(Block(out.LIST, heading, tuple(line(i) for i in collected)))
    if things:
        blocks.append(Block(out.LIST, "You carry:", tuple(line(i) for i in things)))
    elif not collected:
        blocks.append(Block(out.NOTE, "You carry nothing." if story.collection is None else "You carry nothing else."))
    return tuple(blocks)


def examine(story: Story, state: GameState, what: str) -> Turn:
    """Describe a thing the player carries, named by words of its name or its id."""
    voice = Voice.of(story, state)
    typed = words_of(what)
    held = [story.items[i] for i in state.inventory]
    if not typed:
        names = ", ".join(voice.template(i.name) for i in held) or "nothing"
        return Turn(state, (Block(out.NOTE, f"Examine what? You carry {names}."),))
    found = [
        item
        for item in held
        if typed == words_of(item.id.replace("_", " "))
        or all(word in words_of(voice.template(item.name)) for word in typed)
        or all(any(w.startswith(t) for w in words_of(voice.template(item.name))) for t in typed)
    ]
    if not found:
        return Turn(state, (Block(out.ERROR, f"You carry nothing called '{what.strip()}'."),), choice=NOTHING)
    if len(found) > 1:
        options = " or ".join(voice.template(i.name) for i in found)
        return Turn(state, (Block(out.ERROR, f"Which do you mean: {options}?"),))
    item = found[0]
    blocks = voice.prose(item.description) or [
        Block(out.NOTE, f"There is nothing more to {voice.template(item.name)}.")
    ]
    return Turn(voice.kept(state), tuple(blocks))


NOTHING = Choice("", Template(()))  # marks an `examine` that found nothing carried


def stats_blocks(story: Story, state: GameState) -> Output:
    if story.collection is None and not story.stats:
        return (Block(out.NOTE, "This story keeps no score."),)
    lines = []
    if story.collection is not None:
        lines.append(f"{story.collection.name}: {story.ids_held(state.inventory)} of {story.ids_total}")
    for stat in story.stats:
        value = state.variables[stat.variable]
        shown = _stat_value(value, stat.max)
        if stat.max is not None and not isinstance(value, bool) and _bar(value, stat.max):
            shown = f"{_bar(value, stat.max)} {shown}"
        lines.append(f"{stat.name}: {shown}")
    lines.append(f"Turn: {state.turn}")
    return (Block(out.LIST, "Stats:", tuple(lines)),)


def help_blocks(verbs: Sequence[Verb] = GAME_VERBS) -> Output:
    """The help list for the verbs a front end offers (the engine alone offers GAME_VERBS)."""
    lines = ["a number: take that choice", "words: take the choice they name (a beginning is enough)"]
    for verb in verbs:
        spelled = " / ".join(verb.spellings)
        lines.append(f"{spelled} {verb.argument}: {verb.what}" if verb.argument else f"{spelled}: {verb.what}")
    return (Block(out.LIST, "Commands:", tuple(lines)),)


def step(story: Story, state: GameState, command: str) -> Turn:
    """Answer one command. Unknown or unclear commands change nothing and say what can be done."""
    typed = command.strip()
    head, _, rest = typed.partition(" ")
    found = GAME_SPELLINGS.get(typed.lower()) or GAME_SPELLINGS.get(head.lower())
    verb = found.name if found else None
    if found is not None and rest and not found.argument:
        verb = None  # `look here` is not `look`: let it match a choice's words
    if verb == "quit":
        return Turn(state, (), quit=True)
    if verb == "look":
        return Turn(state, describe(story, state))
    if verb == "inventory":
        return Turn(state, inventory_blocks(story, state))
    if verb == "examine":
        looked = examine(story, state, rest)
        if (
            looked.choice is not NOTHING
            or match_choice(typed, [(o.choice, o.label) for o in offers(story, state)]).choice is None
        ):
            return attrs.evolve(looked, choice=None) if looked.choice is NOTHING else looked
        # `examine statue` with no statue carried is the scene's choice "Examine the statue"
    if verb == "stats":
        return Turn(state, stats_blocks(story, state))
    if verb == "help":
        return Turn(state, help_blocks())
    if not typed:
        return Turn(state, (Block(out.NOTE, "Type a number, or what you want to do. 'help' lists the commands."),))
    if state.ended:
        ended = "The story has ended. Type 'undo' to step back, 'restart' to play again, or 'quit' to leave."
        return Turn(state, (Block(out.NOTE, ended),))
    by_number = _numbered(story, state, typed)
    if by_number is not None:
        return by_number
    offered = offers(story, state)
    match = match_choice(typed, [(o.choice, o.label) for o in offered])
    if match.choice is not None:
        return take_choice(story, state, match.choice)
    if match.candidates:
        numbered = {o.choice.key: (n, o.label) for n, o in enumerate(offered, 1)}
        options = " or ".join(f"{numbered[c.key][0]}. {numbered[c.key][1]}" for c in match.candidates)
        return Turn(state, (Block(out.ERROR, f"Which do you mean: {options}?"),))
    if typed.isascii() and typed.isdigit():
        shown = typed if len(typed) <= 12 else f"{typed[:12]}..."
        message = f"There is no choice {shown}: pick 1 to {len(offered)}."
    else:
        message = f"You can't '{typed}' here. You can:"
    return Turn(state, (Block(out.ERROR, message), _choices_block(story, state)))


def retake(story: Story, state: GameState, label: str) -> Turn | None:
    """Take again a choice a log names by its label: the open choice shown with that label, else
    whatever the label picks when typed (the story may have reworded it since); None if neither
    takes a choice, or if two open choices show that label (the log cannot say which was taken).
    A label that is also a command ("Look") is still the choice."""
    env = make_env(story, state)
    same = _shown_as(story, state, env, label)
    if len(same) > 1:
        return None
    if same:
        turn = take_choice(story, state, same[0], env)
        return turn if turn.choice is not None else None
    turn = step(story, state, label)
    return turn if turn.choice is not None else None


def label_is_unique(story: Story, state: GameState, label: str) -> bool:
    """Whether at most one open choice shows `label` now, so a log's label says which was taken."""
    choices = story.scenes[state.scene].choices if not state.ended else ()
    literals = [c.label.literal for c in choices]
    if None not in literals and len(set(literals)) == len(literals):
        return True  # the usual scene: every label fixed, no two alike, so nothing to render
    return len(_shown_as(story, state, make_env(story, state), label)) <= 1


def _shown_as(story: Story, state: GameState, env: Env, label: str) -> list[Choice]:
    return [choice for choice, shown, unmet in _offered(story, state, env) if shown == label and unmet is None]


def _numbered(story: Story, state: GameState, typed: str) -> Turn | None:
    """The choice a number names, taken, without reading a label: most moves in play and in
    programs are numbers. None if `typed` is not the number of a choice shown."""
    if not (typed.isascii() and typed.isdigit() and len(typed) <= 9):
        return None
    env = make_env(story, state)
    shown = visible_choices(story, state, env)
    return take_choice(story, state, shown[int(typed) - 1], env) if 0 < int(typed) <= len(shown) else None


def completions(story: Story, state: GameState, extra: Sequence[str] = ()) -> list[str]:
    """Every choice's number and words, then the engine's verbs and `extra`: for Tab completion."""
    words: list[str] = []
    shown = offers(story, state)
    offered = [(o.choice, o.label) for o in shown]
    for n, offer in enumerate(shown, 1):
        words.append(str(n))
        # Only what picks this one choice: words that fit several would only ask which.
        said = [" ".join(words_of(offer.label)), *(" ".join(words_of(w)) for w in offer.choice.words)]
        words.extend(w for w in said if w and match_choice(w, offered).choice is offer.choice)
    words.extend(verb.name for verb in GAME_VERBS)
    voice = Voice.of(story, state, advance=False)
    words.extend(f"examine {' '.join(words_of(voice.template(story.items[i].name)))}" for i in state.inventory)
    words.extend(extra)
    return list(dict.fromkeys(w for w in words if w))
