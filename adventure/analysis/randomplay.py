"""Seeded random play, as ChoiceScript's randomtest: many games of random choices, each one
replayable from its seed, for stories too big for the exhaustive search (or as a second opinion).

It proves nothing: it reports what no random game reached, and any game that got stuck or made
the engine fail, with the seed and the commands that replay it.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from adventure.core import engine
from adventure.core.dice import SeededDice, mix
from adventure.core.model import Story, outline

MAX_MOVES = 1_000  # a game that has not ended by then is counted as unfinished, not as stuck


@attrs.frozen
class Game:
    """One random game that went wrong: enough to replay it."""

    number: int
    seed: int  # `adventure play --seed SEED`
    commands: tuple[str, ...]  # typed one a line, they replay the game
    scene: str
    problem: str  # "stuck": no choice can be taken and no ending reached; else what failed


@attrs.frozen
class RandomReport:
    games: int
    seed: int
    endings: dict[str, int]  # how many games reached each ending
    unfinished: int  # games still going after MAX_MOVES moves
    scenes_missed: tuple[str, ...]
    choices_missed: tuple[tuple[str, int, str], ...]  # (scene, number from 1, label) never taken
    failures: tuple[Game, ...]  # stuck games and engine failures: the first of each kind in each scene
    stuck: int = 0  # games in which no choice could be taken and no ending was reached
    failed: int = 0  # games in which the engine failed
    stopped: bool = False  # time ran out before every game was played


def game_seed(seed: int, number: int) -> int:
    """The dice seed of game `number` of a run from `seed`."""
    return mix(seed ^ mix(number + 1))


def random_play(
    story: Story,
    games: int,
    seed: int = 0,
    max_moves: int = MAX_MOVES,
    out_of_time: Callable[[], bool] = lambda: False,
) -> RandomReport:
    """Play `games` games, each from its own seed, choosing among the open choices at random."""
    endings: dict[str, int] = {}
    unfinished = 0
    scenes_seen: set[str] = set()
    taken: set[str] = set()
    failures: dict[tuple[str, str], Game] = {}
    played = stuck = failed = 0
    for number in range(games):
        if out_of_time():
            break
        played += 1
        dice = game_seed(seed, number)
        picker = SeededDice(mix(dice ^ 0x5EED), 0)  # which choice to take: apart from the story's dice
        state = engine.begin(story, seed=dice).state
        commands: list[str] = []
        scenes_seen.add(state.scene)
        problem = ""
        for _ in range(max_moves):
            if state.ended:
                break
            offers = engine.offers(story, state)
            open_numbers = [n for n, offer in enumerate(offers, 1) if offer.open]
            if not open_numbers:
                problem = "stuck: no choice can be taken here and the story has not ended"
                break
            number_taken = open_numbers[picker.roll(0, len(open_numbers) - 1)]
            commands.append(str(number_taken))
            try:
                turn = engine.step(story, state, str(number_taken))
            except Exception as error:
                problem = f"the engine failed: {type(error).__name__}: {error}"
                break
            if turn.choice is not None:
                taken.add(turn.choice.key)
            state = turn.state
            scenes_seen.add(state.scene)
        if problem:
            stuck += problem.startswith("stuck")
            failed += not problem.startswith("stuck")
            failures.setdefault(
                (state.scene, problem.split(":")[0]), Game(number, dice, tuple(commands), state.scene, problem)
            )
        elif state.ended and state.ending is not None:
            endings[state.ending] = endings.get(state.ending, 0) + 1
        else:
            unfinished += 1
    scenes_missed = tuple(s for s in story.scenes if s not in scenes_seen)
    choices_missed = tuple(
        (scene_id, n, outline(choice.label))
        for scene_id, scene in story.scenes.items()
        if scene_id in scenes_seen
        for n, choice in enumerate(scene.choices, 1)
        if choice.key not in taken
    )
    return RandomReport(
        games=played,
        seed=seed,
        endings=endings,
        unfinished=unfinished,
        scenes_missed=scenes_missed,
        choices_missed=choices_missed,
        failures=tuple(failures.values()),
        stuck=stuck,
        failed=failed,
        stopped=played < games,
    )
