"""The pure core of play: a state and a command in, a new state and what to show out."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from adventure.core import output as out
from adventure.core.commands import GAME_SPELLINGS, GAME_VERBS, Verb, match_choice, words_of
from adventure.core.expr import INT_MAX, INT_MIN, Drop, Env, Expr, Take, Value, evaluate, fits
from adventure.core.model import Choice, Scene, Story, Text
from adventure.core.output import Block, Output
from adventure.core.state import GameState, new_game


@attrs.frozen
class Turn:
    state: GameState
    output: Output
    quit: bool = False
    choice: Choice | None = None  # the choice taken, if the command took one


class OutOfRange(Exception):
    """An effect would set a number outside the story's 64-bit range: the whole move is refused."""

    def __init__(self, name: str, above: bool) -> None:
        self.name = name
        self.above = above  # past the largest number (else below the smallest)
        bound = f"the largest number the story can hold ({INT_MAX:,})"
        if not above:
            bound = f"the smallest number the story can hold ({INT_MIN:,})"
        self.message = f"That would take {name} past {bound}; nothing happened."
        super().__init__(self.message)


def make_env(story: Story, state: GameState) -> Env:
    inventory = state.inventory
    return Env(
        variables=state.variables,
        has=inventory.__contains__,
        visits=state.visit_count,
        builtins={
            "ids": story.ids_held(inventory),
            "turn": state.turn,
        },
    )


def holds(condition: Expr | None, env: Env) -> bool:
    return condition is None or bool(evaluate(condition, env))


def paragraphs(text: Text, env: Env) -> list[str]:
    """The paragraphs of `text` whose condition holds, with their `{...}` filled in."""
    paragraphs = []
    for paragraph in text:
        if not holds(paragraph.when, env):
            continue
        pieces = []
        for part in paragraph.template.parts:
            if isinstance(part, str):
                pieces.append(part)
            else:
                value = evaluate(part, env)
                pieces.append(str(value).lower() if isinstance(value, bool) else str(value))
        paragraphs.append("".join(pieces))
    return paragraphs


def visible_choices(story: Story, state: GameState, env: Env | None = None) -> list[Choice]:
    """The choices the player can take now, in the order the author wrote them."""
    if state.ended:
        return []
    env = env or make_env(story, state)
    return [
        choice
        for choice in story.scenes[state.scene].choices
        if not (choice.once and choice.key in state.used) and holds(choice.when, env)
    ]


def _choices_block(choices: list[Choice]) -> Block:
    return Block(out.CHOICES, items=tuple(c.label for c in choices))


def describe(story: Story, state: GameState) -> Output:
    """The scene as the player sees it on arrival: title, text, choices."""
    if state.ended:
        return _ending_blocks(story, state)
    scene: Scene = story.scenes[state.scene]
    env = make_env(story, state)
    visits = state.visit_count(scene.id)
    blocks = [Block(out.TITLE, scene.title)]
    for text in (scene.first if visits <= 1 else scene.again, scene.text):
        blocks.extend(Block(out.PROSE, p) for p in paragraphs(text, env))
    blocks.append(_choices_block(visible_choices(story, state, env)))
    return tuple(blocks)


def _ending_blocks(story: Story, state: GameState) -> Output:
    ending = story.endings[state.ending or ""]
    env = make_env(story, state)
    blocks = [Block(out.ENDING, ending.title)]
    blocks.extend(Block(out.PROSE, p) for p in paragraphs(ending.text, env))
    blocks.append(Block(out.NOTE, f"THE END. You finished in {state.turn} turns, with {ids_line(story, state)}."))
    return tuple(blocks)


def ids_line(story: Story, state: GameState) -> str:
    return f"{story.ids_held(state.inventory)} of {story.ids_total} Ids"


def enter(story: Story, state: GameState, scene_id: str) -> GameState:
    visits = state.visits.updated({scene_id: state.visit_count(scene_id) + 1})
    return attrs.evolve(state, scene=scene_id, visits=visits)


def begin(story: Story, state: GameState | None = None) -> Turn:
    """Start a new game, or show where a restored one stands."""
    if state is None:
        state = enter(story, new_game(story), story.start)
    return Turn(state, describe(story, state))


def apply_effects(story: Story, state: GameState, choice: Choice) -> GameState:
    """The state after a choice's effects, in order; raises OutOfRange, changing nothing, if a
    number would leave the story's range."""
    variables: dict[str, Value] = {}
    inventory = list(state.inventory)
    for effect in choice.effects:
        if isinstance(effect, Take):
            if effect.item not in inventory:
                inventory.append(effect.item)
            continue
        if isinstance(effect, Drop):
            if effect.item in inventory:
                inventory.remove(effect.item)
            continue
        # Later effects see earlier ones: evaluate against the state built so far.
        current = attrs.evolve(state, variables=state.variables.updated(variables), inventory=tuple(inventory))
        value = evaluate(effect.value, make_env(story, current))
        if effect.op != "=":
            old = variables.get(effect.name, state.variables[effect.name])
            value = int(old) + int(value) if effect.op == "+=" else int(old) - int(value)
        if not isinstance(value, bool) and not fits(value):
            raise OutOfRange(effect.name, value > 0)
        variables[effect.name] = value
    return attrs.evolve(
        state,
        variables=state.variables.updated(variables) if variables else state.variables,
        inventory=tuple(inventory),
    )


def _spend(story: Story, state: GameState, choice: Choice) -> GameState:
    """What a choice does before it moves the player: its effects, a turn, its `once` used."""
    state = apply_effects(story, state, choice)
    return attrs.evolve(
        state,
        turn=state.turn + 1,
        used=state.used | {choice.key} if choice.once else state.used,
    )


def advance(story: Story, state: GameState, choice: Choice) -> GameState:
    """The state `take_choice` leads to, without rendering a word: for tools that explore every play.

    Raises OutOfRange where `take_choice` refuses the move.
    """
    state = _spend(story, state, choice)
    if choice.end is not None:
        return attrs.evolve(state, ending=choice.end)
    return enter(story, state, choice.goto) if choice.goto is not None else state


def take_choice(story: Story, state: GameState, choice: Choice) -> Turn:
    """Run a choice: effects, then its `say`, then the move to a scene or an ending.

    A choice whose effects would take a number out of range is refused whole: the state stays as it
    was, the player is told why and shown the choices again, and no choice counts as taken.
    """
    try:
        spent = _spend(story, state, choice)
    except OutOfRange as refused:
        return Turn(state, (Block(out.ERROR, refused.message), _choices_block(visible_choices(story, state))))
    state = spent
    said = tuple(Block(out.PROSE, p) for p in paragraphs(choice.say, make_env(story, state)))
    if choice.end is not None:
        state = attrs.evolve(state, ending=choice.end)
        return Turn(state, said + _ending_blocks(story, state), choice=choice)
    if choice.goto is not None:
        state = enter(story, state, choice.goto)
        return Turn(state, said + describe(story, state), choice=choice)
    return Turn(state, (*said, _choices_block(visible_choices(story, state))), choice=choice)


def inventory_blocks(story: Story, state: GameState) -> Output:
    ids = [story.items[i] for i in state.inventory if i in story.id_items]
    things = [story.items[i] for i in state.inventory if i not in story.id_items]
    blocks = []
    heading = f"Ids: {len(ids)} of {story.ids_total}"
    blocks.append(Block(out.LIST, heading, tuple(f"{i.name}: {i.description}" for i in ids)))
    if things:
        blocks.append(Block(out.LIST, "You carry:", tuple(f"{i.name}: {i.description}" for i in things)))
    elif not ids:
        blocks.append(Block(out.NOTE, "You carry nothing else."))
    return tuple(blocks)


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
    found = GAME_SPELLINGS.get(typed.lower())
    verb = found.name if found else None
    if verb == "quit":
        return Turn(state, (), quit=True)
    if verb == "look":
        return Turn(state, describe(story, state))
    if verb == "inventory":
        return Turn(state, inventory_blocks(story, state))
    if verb == "help":
        return Turn(state, help_blocks())
    if not typed:
        return Turn(state, (Block(out.NOTE, "Type a number, or what you want to do. 'help' lists the commands."),))
    if state.ended:
        return Turn(state, (Block(out.NOTE, "The story has ended. Type 'quit' to leave."),))
    choices = visible_choices(story, state)
    match = match_choice(typed, choices)
    if match.choice is not None:
        return take_choice(story, state, match.choice)
    if match.candidates:
        numbered = {c.key: n for n, c in enumerate(choices, 1)}
        options = " or ".join(f"{numbered[c.key]}. {c.label}" for c in match.candidates)
        return Turn(state, (Block(out.ERROR, f"Which do you mean: {options}?"),))
    if typed.isascii() and typed.isdigit():
        shown = typed if len(typed) <= 12 else f"{typed[:12]}..."
        message = f"There is no choice {shown}: pick 1 to {len(choices)}."
    else:
        message = f"You can't '{typed}' here. You can:"
    return Turn(state, (Block(out.ERROR, message), _choices_block(choices)))


def completions(story: Story, state: GameState, extra: Sequence[str] = ()) -> list[str]:
    """Every choice's number and words, then the engine's verbs and `extra`: for Tab completion."""
    words: list[str] = []
    choices = visible_choices(story, state)
    for n, choice in enumerate(choices, 1):
        words.append(str(n))
        words.append(" ".join(words_of(choice.label)))
        words.extend(" ".join(words_of(w)) for w in choice.words)
    words.extend(verb.name for verb in GAME_VERBS)
    words.extend(extra)
    return list(dict.fromkeys(w for w in words if w))
