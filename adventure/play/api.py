"""The game for programs: `Game.open()`, `game.step(command)`, `game.observation`, snapshots.

Test harnesses, other front ends and agents play through this exactly as a player does: each
command goes through the same session as the terminal's, so saving, undo and every answer are the
same. What comes back is plain data, never a screen. Documented in docs/api.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from adventure.core import engine
from adventure.core import output as out
from adventure.core.errors import AdventureError
from adventure.core.output import Output, safe
from adventure.core.state import FrozenMap
from adventure.play.session import Session
from adventure.saves.migrate import restore
from adventure.saves.savefile import SaveError, SaveFormatError, make_save, save_from_dict, save_to_dict
from adventure.saves.store import SaveStore
from adventure.story.cache import open_story
from adventure.story.folders import story_folder


class GameOver(AdventureError):
    """A command was given after the game was quit."""


class BadCommand(AdventureError):
    """A command that no player could type: not a string, or more than one line."""


@attrs.frozen
class Observation:
    """What the player sees after a command: plain text, never escape codes."""

    text: tuple[str, ...]  # the paragraphs the command printed, in order (choices and titles apart)
    choices: tuple[str, ...]  # the numbered choices open now, as shown ("Open it (unavailable: ...)")
    scene: str  # where the player stands (the last scene, once the story has ended)
    title: str  # the scene's title, or the ending's
    ended: bool
    ending: str | None  # the ending's id, once the story has ended
    status: Mapping[str, int | bool]  # the story's collection and stats, by the names the player sees
    turn: int = 0
    disabled: tuple[int, ...] = ()  # the numbers (from 1) of the choices shown but not open now
    quit: bool = False  # the command left the game (`quit`): no further command is taken

    def to_dict(self) -> dict[str, Any]:
        found = attrs.asdict(self)
        found["status"] = dict(self.status)
        found["text"], found["choices"], found["disabled"] = list(self.text), list(self.choices), list(self.disabled)
        return found


class Game:
    """One game of a story. Not thread-safe; cheap to make many (one per search branch)."""

    def __init__(self, session: Session, opening: Output) -> None:
        self._session = session
        self._observation = _observe(session, opening)

    @classmethod
    def open(cls, scenes: str | Path | None = None, seed: int | None = None, saves: str | Path | None = None) -> Game:
        """A new game of the shipped story, or of the story folder `scenes`.

        `seed` fixes the dice (the same seed and commands give the same game); `saves` names a saves
        folder, which turns on `save`, `load` and the autosave, as in the terminal. Raises
        StoryError, with every problem and its place, if the story does not load.
        """
        story = open_story(story_folder(str(scenes) if scenes is not None else None))
        store = SaveStore(Path(saves), story.id) if saves is not None else None
        session = Session(story, store, seed=seed)
        return cls(session, session.start())

    @property
    def observation(self) -> Observation:
        return self._observation

    @property
    def valid_commands(self) -> list[str]:
        """Every command accepted now: the same list the terminal completes with Tab."""
        return [] if self._observation.quit else self._session.completions()

    def step(self, command: str) -> Observation:
        """Answer one command, exactly as if a player typed it; a command the game does not
        understand is answered (it says so), never raised."""
        if not isinstance(command, str):
            raise BadCommand(f"a command is a string, not {type(command).__name__}")
        if "\n" in command or "\r" in command:
            raise BadCommand("a command is one line: send each line as its own command")
        if self._observation.quit:
            raise GameOver("the game was quit: open a new one, or restore a snapshot")
        reply = self._session.handle(command)
        self._observation = _observe(self._session, reply.output, quit=reply.quit)
        return self._observation

    def snapshot(self) -> dict[str, Any]:
        """The game as JSON-ready data (the save format), for search, undo or a later restore."""
        session = self._session
        return save_to_dict(make_save(session.story, session.state, session.log, datetime.now(UTC)))

    def restore(self, snapshot: Any) -> Observation:
        """Go back to a snapshot; one from an earlier version of the story is carried over as a save
        is. Raises SaveError, saying what is wrong, for anything that is not a snapshot of this story."""
        try:
            save = save_from_dict(json.loads(json.dumps(snapshot)))
        except SaveFormatError as error:
            raise SaveError(f"the snapshot cannot be restored: {error}") from None
        except (ValueError, TypeError, RecursionError) as error:
            raise SaveError(f"that is not a snapshot ({error})") from None
        restored = restore(self._session.story, save, "the snapshot")
        output = self._session.adopt(restored.state, save.log, "Restored the snapshot.", restored.note)
        self._observation = _observe(self._session, output)
        return self._observation


def _observe(session: Session, output: Output, quit: bool = False) -> Observation:
    story, state = session.story, session.state
    choices, disabled = engine.choice_items(story, state)
    status: dict[str, int | bool] = {}
    if story.collection is not None:
        status[story.collection.name] = story.ids_held(state.inventory)
    for stat in story.stats:
        status[stat.name] = state.variables[stat.variable]
    return Observation(
        text=tuple(paragraph for block in output if (paragraph := _paragraph(block))),
        choices=tuple(safe(label) for label in choices),
        scene=state.scene,
        title=safe(engine.title_of(story, state)),
        ended=state.ended,
        ending=state.ending if state.ended else None,
        status=FrozenMap(status),
        turn=state.turn,
        disabled=tuple(n + 1 for n in disabled),
        quit=quit,
    )


def _paragraph(block: out.Block) -> str:
    if block.kind in (out.TITLE, out.CHOICES):
        return ""
    if block.kind == out.LIST:
        return "\n".join([safe(block.text), *(f"- {safe(item)}" for item in block.items or ("(none yet)",))])
    if block.kind == out.ENDING:
        return safe(f"*** {block.text} ***")
    return safe(block.text)
