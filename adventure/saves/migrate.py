"""Bringing a saved game into the story as it is now, which may have changed since the save.

Three ways, in order: the story is unchanged, so the state is used as it is; the state still fits
(every scene, item and variable it names exists, after applying scene renames), so it is used with
new variables at their defaults; or the saved command log is replayed from a new game. A story
that now counts the visits of scenes the save did not count is replayed too, where the log can
be, so `seen()` knows what the player saw. Pure: no IO.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from adventure.core import engine
from adventure.core.model import Story
from adventure.core.state import FrozenMap, GameState
from adventure.saves.savefile import SaveData, SaveError


@attrs.frozen
class Restored:
    state: GameState
    note: str = ""  # what the player should be told about how the save was brought in
    ahead: tuple[str, ...] = ()  # the moves taken after the save was written, replayed onto it


def renames(story: Story) -> dict[str, str]:
    """Old scene id -> current id, from the scenes' `aliases`."""
    return {alias: scene.id for scene in story.scenes.values() for alias in scene.aliases}


_GONE = object()


def misfits(story: Story, state: GameState) -> list[str]:
    """What a state names that the story no longer has, in words a player can act on."""
    problems = []
    if state.ending is not None:
        if state.ending not in story.endings:
            problems.append(f"ending '{state.ending}' no longer exists")
    elif state.scene not in story.scenes:
        problems.append(f"scene '{state.scene}' no longer exists")
    declared, mine = story.variables, dict(state.variables.items())
    same_kinds = list(mine) == list(declared) and list(map(type, mine.values())) == list(map(type, declared.values()))
    for name, value in () if same_kinds else mine.items():  # the loop only to say what is wrong
        default = declared.get(name, _GONE)
        if default is _GONE:
            problems.append(f"variable '{name}' no longer exists")
        elif (type(value) is bool) != (type(default) is bool):
            problems.append(f"variable '{name}' changed type")
    problems.extend(f"item '{item}' no longer exists" for item in state.inventory if item not in story.items)
    problems.extend(f"scene '{scene}' no longer exists" for scene in state.visits if scene not in story.scenes)
    problems.extend(f"scene '{scene}' no longer exists" for scene in state.stack if scene not in story.scenes)
    for key in state.used:
        scene_id, _, index = key.partition("/")
        scene = story.scenes.get(scene_id)
        if scene is None or not (index.isascii() and index.isdigit()) or not 1 <= int(index) <= len(scene.choices):
            problems.append(f"choice '{key}' no longer exists")
    return list(dict.fromkeys(problems))


def apply_renames(story: Story, state: GameState) -> GameState:
    """Follow scene renames everywhere a state names a scene; add variables the story gained."""
    moved = renames(story)
    kept = all(story.counts(scene) for scene in state.visits)
    if not moved and kept and set(story.variables) <= set(state.variables):
        return state

    def scene(old: str) -> str:
        return moved.get(old, old)

    visits: dict[str, int] = {}
    for old, count in state.visits.items():
        if story.counts(scene(old)) or scene(old) not in story.scenes:  # a gone scene is a misfit
            visits[scene(old)] = visits.get(scene(old), 0) + count
    used = frozenset(f"{scene(key.partition('/')[0])}/{key.partition('/')[2]}" for key in state.used)
    variables = {**story.variables, **state.variables}
    return attrs.evolve(
        state,
        scene=scene(state.scene),
        visits=FrozenMap(visits),
        used=used,
        variables=FrozenMap(variables),
        stack=tuple(scene(s) for s in state.stack),
    )


def replay(story: Story, log: Sequence[str], seed: int = 0) -> GameState | None:
    """Play the saved commands from a new game with the same dice; None if one of them no longer
    takes a choice."""
    state = engine.begin(story, seed=seed).state
    for label in log:
        turn = engine.retake(story, state, label)
        if turn is None:
            return None
        state = turn.state
    return state


def restore(story: Story, save: SaveData, shown: str) -> Restored:
    """The state to play from, or a SaveError saying exactly what no longer fits."""
    restored = _restore(story, save, shown)
    return play_ahead(story, restored, save.ahead) if save.ahead else restored


def play_ahead(story: Story, restored: Restored, ahead: Sequence[str]) -> Restored:
    """`restored` with the moves taken after its save replayed onto it, as far as they still take
    a choice: the autosave's state trails its moves by up to a second, and a kill loses none."""
    state = restored.state
    taken: list[str] = []
    for label in ahead:
        turn = engine.retake(story, state, label)
        if turn is None:
            break
        state = turn.state
        taken.append(label)
    note = restored.note
    if len(taken) < len(ahead):
        left = len(ahead) - len(taken)
        lost = (
            f"Your last {left} moves no longer fit the story" if left > 1 else "Your last move no longer fits the story"
        )
        note = f"{note} {lost}; you are back before {'them' if left > 1 else 'it'}.".strip()
    return Restored(state, note, tuple(taken))


def _restore(story: Story, save: SaveData, shown: str) -> Restored:
    if save.story_id != story.id:
        raise SaveError(f"{shown} belongs to another story ('{save.story_id}'), not '{story.id}'")
    exact = set(save.state.variables) == set(story.variables)
    same = save.fingerprint == story.fingerprint and save.counted == story.counted_key
    if same and exact and not misfits(story, save.state):
        return Restored(save.state)
    recount = save.counted != story.counted_key and save.counted != "all"
    try:
        return carry_over(story, save.state, save.log, _since(story, save), recount)
    except SaveError as error:
        raise SaveError(f"{shown} no longer fits the story: {error}. The save was left untouched") from None


def _since(story: Story, save: SaveData) -> str:
    """How the story changed since the save, in the words of the story's `version`."""
    if save.story_version < story.version:
        return f"from version {save.story_version} to {story.version} since this save"
    if save.story_version > story.version:
        return f"since this save (made with version {save.story_version}; this is version {story.version})"
    return "since this save"


def carry_over(
    story: Story, state: GameState, log: Sequence[str] | None, since: str, recount: bool = False
) -> Restored:
    """Bring a state into a changed story: as it is if it fits, else by replaying its log.

    `recount`: the story counts visits the state may not have kept, so a replay is tried first.
    """
    if log is not None and len(log) != state.turn:
        log = None  # not every move is in it (its file was lost once): a replay would go astray
    renamed = apply_renames(story, state)
    problems = misfits(story, renamed)
    if not problems and not recount:
        return Restored(renamed, f"The story has been updated {since}; your game carries on.")
    replayed = replay(story, log, state.seed) if log is not None else None
    if replayed is not None:
        assert log is not None
        return Restored(
            replayed, f"The story has changed {since}; your game was rebuilt by replaying your {len(log)} moves."
        )
    if not problems:
        return Restored(renamed, f"The story has been updated {since}; your game carries on.")
    lost = "" if log is not None else " (and the file of its moves, which could rebuild it, is missing or damaged)"
    raise SaveError("; ".join(problems[:3]) + lost)
