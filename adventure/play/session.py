"""A game being played: the story, where the player stands, and the commands around the story.

The engine answers story commands; the session adds what needs memory or files: undo, the
command log, saving, loading, and questions that wait for a yes. Both front ends talk only to it,
so they behave the same.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

import attrs

from adventure.core import engine
from adventure.core import output as out
from adventure.core.commands import VERBS, Verb, verb_spellings
from adventure.core.errors import StoryError
from adventure.core.model import Story
from adventure.core.output import Block, Output
from adventure.core.state import GameState
from adventure.saves.endings import EndingsBook
from adventure.saves.savefile import (
    AUTOSAVE,
    MoveLog,
    SaveError,
    Summary,
    check_name,
    format_entries,
    make_save,
    summarize,
)
from adventure.saves.store import SaveStore

if TYPE_CHECKING:  # loading, reloading and transcripts import what they need when they happen
    from adventure.play.transcript import Transcript
    from adventure.saves.migrate import Restored

QUICKSAVE = "quicksave"
SYNC_SECONDS = 1.0  # after a move, the autosave's state is written at most this often (its moves at once)
TRANSCRIPTS = "transcripts"  # the saves folder's sub-folder for `transcript NAME`


class Reloader(Protocol):
    """What --dev mode needs to reload a story (play.reload.StoryWatcher is the real one)."""

    @property
    def folder(self) -> Path: ...

    def changed(self) -> bool: ...

    def load(self) -> Story: ...


@attrs.frozen
class Reply:
    output: Output
    quit: bool = False


@attrs.frozen
class _Undo:
    """What `undo` goes back to: the state before a move, or before a load or a restart (which
    replaced the whole log, so the log is kept too)."""

    state: GameState
    length: int  # the log's length then
    log: tuple[str, ...] | None = None  # the whole log then, when the step replaced it
    what: str = "move"


@attrs.frozen
class _Question:
    """A yes/no question waiting for the player's next line."""

    action: Callable[[], Output]


def _note(text: str) -> Block:
    return Block(out.NOTE, text)


def _error(text: str) -> Block:
    return Block(out.ERROR, text)


def _failed(error: SaveError) -> Block:
    """A save error, which is one line in lower case, as a sentence for the player."""
    said = str(error)
    return _error(f"{said[:1].upper()}{said[1:]}.")


@functools.cache
def _verbs(saves: bool, dev: bool) -> tuple[tuple[Verb, ...], Mapping[str, Verb]]:
    """The verbs of a session with a saves folder or not, in --dev or not, and their spellings:
    four tables, made once, for the command read at every line."""
    offered = {"": True, "session": True, "saves": saves, "dev": dev}
    verbs = tuple(verb for verb in VERBS if offered[verb.needs])
    return verbs, MappingProxyType(verb_spellings(verbs))


@attrs.define
class Session:
    story: Story
    store: SaveStore | None = None
    state: GameState = attrs.field(default=None)
    log: MoveLog = attrs.field(factory=MoveLog)  # the labels of the choices taken since the game began
    undo_stack: list[_Undo] = attrs.field(factory=list)  # what came before each move, load and restart
    last_name: str | None = None
    question: _Question | None = None
    autosave_problem: str = ""
    watcher: Reloader | None = None  # set in --dev mode: reload the story when its files change
    seed: int | None = None  # the dice of every new game (--seed); None: new dice each game
    unsaved: int = 0  # moves since the game was started, saved or loaded: a load asks before leaving them
    endings: EndingsBook | None = None  # the endings found in all the player's games, if kept
    transcript: Transcript | None = None  # what the player reads and types, kept as text
    _synced: float = attrs.field(default=float("-inf"), init=False)  # when the autosave last reached the disk
    # A new game nothing has happened in yet: leaving then writes nothing, so the autosave keeps
    # the last game (see `_leaving`), which `load autosave` can still reach.
    _untouched: bool = attrs.field(default=False, init=False)
    # What the last autosave wrote (the state, the moves' count and checksum) and the file it left:
    # leaving with the same game, the same file still there, has nothing to write.
    _kept: tuple[GameState, int, int, tuple[int, int, int] | None] | None = attrs.field(default=None, init=False)

    # ---------------------------------------------------------------- starting

    def start(self, state: GameState | None = None, log: tuple[str, ...] = ()) -> Output:
        seed = self.seed if self.seed is not None else int.from_bytes(os.urandom(8), "big")
        turn = engine.begin(self.story, state, seed=seed)
        self.state = turn.state
        self.log = MoveLog(log)
        self.undo_stack = []
        self.unsaved = 0
        self._untouched = state is None and not log
        return turn.output

    def start_from_save(self, name: str) -> Output:
        """Begin with a saved game; a SaveError leaves the session unstarted and the file untouched."""
        return self._load(name)

    # ---------------------------------------------------------------- commands

    def handle(self, line: str) -> Reply:
        reply = self._handle(line)
        return Reply(reply.output + self._record(line, reply.output), reply.quit)

    def _record(self, command: str | None, output: Output) -> Output:
        """Add to the transcript, if one is kept; a failure to write stops it, said once."""
        if self.transcript is None:
            return ()
        try:
            self.transcript.record(command, output)
        except OSError as error:
            self.transcript.close()
            self.transcript = None
            return (_error(f"The transcript stopped: {error.strerror or error}. Your game goes on."),)
        return ()

    def begin_transcript(self, path: Path, shown: Output) -> Output:
        """Keep a transcript in `path` from now on, beginning with what the player can see (`shown`)."""
        if self.transcript is not None:
            self._record(None, (_note(f"The transcript goes on in {path}."),))
            self.end_transcript()
        try:
            from adventure.play.transcript import Transcript

            self.transcript = Transcript(path, self.story.title, datetime.now().astimezone())
        except OSError as error:
            return (_error(f"Could not keep a transcript in {path}: {error.strerror or error}."),)
        return self._record(None, shown)

    def end_transcript(self) -> None:
        if self.transcript is not None:
            self.transcript.close()
            self.transcript = None

    def _handle(self, line: str) -> Reply:
        if self.question is not None:
            question, self.question = self.question, None
            if line.strip().lower() in ("y", "yes"):
                try:
                    return Reply(question.action())
                except SaveError as error:  # the save changed or went while the question waited
                    return Reply((_failed(error),))
            return Reply((_note("All right, nothing was changed."),))
        words = line.split(maxsplit=1)
        found = _verbs(self.store is not None, self.watcher is not None)[1].get(words[0].lower()) if words else None
        argument = words[1].strip() if len(words) > 1 else ""
        if self.watcher is not None and (found is None or found.name != "reload") and self.watcher.changed():
            return Reply(self._reload() + self._handle(line).output)
        if found is not None and found.name == "help" and not argument:
            return Reply(engine.help_blocks(self.verbs()))
        if found is not None and found.needs and (found.argument or not argument):
            return Reply(self._session_command(found.name, argument))
        before = self.state
        turn = engine.step(self.story, before, line)
        if turn.quit:
            return Reply(self.leave(line), quit=True)
        self.state = turn.state
        output = turn.output
        if turn.choice is not None:
            self.undo_stack.append(_Undo(before, len(self.log)))
            self.log.append(turn.label)
            self.unsaved += 1
            # Every move is kept at once, as a line of the autosave's moves file; the state is
            # written (and flushed to the disk) at most once a second and at an ending, and a load
            # replays the moves after it, so commands piped in by the hundred do not wait on it.
            # A choice whose label another open choice shows too is written at once: a replay of
            # the label could not tell the two apart.
            if (
                turn.state.ended
                or time.monotonic() - self._synced >= SYNC_SECONDS
                or not engine.label_is_unique(self.story, before, turn.label)
            ):
                output += self.autosave()
            else:
                output += self._keep_move()
            if turn.state.ended and not before.ended:
                output += (self._the_end(),)
        return Reply(output)

    def verbs(self) -> tuple[Verb, ...]:
        """The verbs this session answers: saving needs a saves folder, reload needs --dev."""
        return _verbs(self.store is not None, self.watcher is not None)[0]

    def _session_command(self, verb: str, argument: str) -> Output:
        if verb == "reload":
            return self._reload()
        if verb == "undo":
            return self._undo()
        if verb == "history":
            return self._history()
        if verb == "transcript":
            try:
                return self._transcript(argument)
            except SaveError as error:  # a name that cannot name a file
                return (_failed(error),)
        if verb == "saves":
            return self._list()
        if verb == "restart":
            return self._ask("Start the story again from the beginning? (yes/no)", self._restart)
        try:
            if verb == "save":
                return self._save(argument or self.last_name or QUICKSAVE)
            if verb == "load":
                return self._ask_to_load(argument or self._newest())
            if not argument:
                return (_error("Delete which save? Type delete NAME; 'saves' lists them."),)
            check_name(argument)
            if self.store is None or argument not in self.store.names():
                return (_error(f"There is no save '{argument}'. Type 'saves' to list them."),)
            return self._ask(
                f"Delete the save '{argument}'? It cannot be undone. (yes/no)", lambda: self._delete(argument)
            )
        except SaveError as error:
            return (_failed(error),)

    def _ask(self, question: str, action: Callable[[], Output]) -> Output:
        self.question = _Question(action)
        return (_note(question),)

    def _undo(self) -> Output:
        if not self.undo_stack:
            return (_note("There is nothing to undo since the game was started."),)
        undone = self.undo_stack.pop()
        self.state = undone.state
        if undone.log is not None:
            self.log = MoveLog(undone.log)
        del self.log[undone.length :]
        said = "You take back your last move." if undone.what == "move" else f"You go back to before the {undone.what}."
        return (_note(said), *engine.describe(self.story, self.state), *self.autosave())

    def _before(self, what: str) -> _Undo:
        return _Undo(self.state, len(self.log), tuple(self.log), what)

    def _restart(self) -> Output:
        before, stack = self._before("restart"), self.undo_stack
        output = self.start()
        self.undo_stack = [*stack, before]
        return (_note("The story begins again ('undo' takes you back)."), *output, *self.autosave())

    def _the_end(self) -> Block:
        """What the player can do now, and how much of the story they have seen in all their games."""
        story, state = self.story, self.state
        found = ""
        if self.endings is not None and state.ending is not None:
            reached = [e for e in self.endings.add(story.id, state.ending) if e in story.endings]
            total = len(story.endings)
            found = (
                f"You have found every ending of this story ({total} of {total}). "
                if len(reached) == total
                else f"You have found {len(reached)} of this story's {total} endings in your games. "
            )
        load = ", 'load' for a saved game" if self.store is not None else ""
        return _note(f"{found}Type 'undo' to step back, 'restart' to play again{load}, or 'quit' to leave.")

    def _transcript(self, argument: str) -> Output:
        assert self.store is not None
        if argument.lower() == "off":
            if self.transcript is None:
                return (_note("No transcript is being kept."),)
            said = (_note(f"The transcript is kept in {self.transcript.path}."),)
            self._record(f"transcript {argument}", said)  # its own last lines
            self.end_transcript()
            return said
        if not argument:
            if self.transcript is not None:
                return (_note(f"A transcript is being kept in {self.transcript.path}; 'transcript off' stops it."),)
            return (_note("Type 'transcript NAME' to keep a transcript of this game in the saves folder."),)
        name = check_name(argument)
        path = self.store.folder / TRANSCRIPTS / f"{name}.txt"
        problem = self.begin_transcript(path, engine.describe(self.story, self.state))
        return problem or (_note(f"A transcript is being kept in {path}; 'transcript off' stops it."),)

    def _history(self) -> Output:
        if not self.log:
            return (_note("You have made no choices yet in this game."),)
        return (Block(out.LIST, "Your choices so far, first to last:", tuple(self.log)),)

    def _ask_to_load(self, name: str) -> Output:
        """Load at once, or first ask, when moves made since the last save would be left behind."""
        self._read(name)  # a save that cannot be loaded is said now, not after a question
        if not self.unsaved or name == AUTOSAVE:  # the autosave holds every move already
            return self._load(name)
        moves = "The move you made" if self.unsaved == 1 else f"The {self.unsaved} moves you made"
        return self._ask(
            f"Load {self._shown(name)}? {moves} since you last saved will be left behind "
            "('undo' brings them back). (yes/no)",
            lambda: self._load(name),
        )

    def _save(self, name: str) -> Output:
        assert self.store is not None
        if name == AUTOSAVE:
            return (_error("'autosave' is the game's own slot, written after every move: save under another name."),)
        self.store.write(name, make_save(self.story, self.state, self.log, datetime.now(UTC)))
        self.last_name = name
        self.unsaved = 0
        return (_note(f"Saved as '{name}'."),)

    def _newest(self) -> str:
        assert self.store is not None
        names = self.store.names()
        if not names:
            raise SaveError(f"there are no saves in {self.store.folder} yet")
        return names[0]

    def _read(self, name: str) -> tuple[Restored, Sequence[str] | None]:
        assert self.store is not None
        save = self.store.read(name)
        from adventure.saves.migrate import restore

        restored = restore(self.story, save, self._shown(name))
        return restored, (*save.log, *restored.ahead) if save.log is not None else None

    def _load(self, name: str) -> Output:
        restored, save_log = self._read(name)
        self.last_name = None if name == AUTOSAVE else name
        if name == AUTOSAVE:  # not written again now: the next move writes it whole, so its moves
            self._synced = float("-inf")  # are always those after the state on disk
        return self.adopt(
            restored.state, save_log, f"Loaded {self._shown(name)}.", restored.note, autosave=name != AUTOSAVE
        )

    def adopt(
        self, state: GameState, log: Sequence[str] | None, heading: str, note: str = "", autosave: bool = True
    ) -> Output:
        """Play on from `state`, as a load does: from a save, or from a program's snapshot. A game in
        progress is not lost: `undo` goes back to it. A save whose moves were lost (`log` None)
        plays on with the moves from now on: its history starts here."""
        if self.state is not None:
            self.undo_stack.append(self._before("load"))
        self.state = state
        self.log = MoveLog(log or ())
        self.unsaved = 0
        self.question = None
        notes = (_note(note),) if note else ()
        shown = (_note(heading), *notes, *engine.describe(self.story, state))
        return (*shown, *self.autosave()) if autosave else shown

    def _delete(self, name: str) -> Output:
        assert self.store is not None
        try:
            self.store.delete(name)
        except SaveError as error:
            return (_failed(error),)
        if self.last_name == name:
            self.last_name = None
        if name == AUTOSAVE:
            self._synced = float("-inf")  # the next move writes it whole, not only its moves
        return (_note(f"Deleted the save '{name}'."),)

    def _list(self) -> Output:
        assert self.store is not None
        lines = format_entries(self.store.entries())
        if not lines:
            return (_note(f"No saves yet in {self.store.folder}. Type 'save NAME' to make one."),)
        return (Block(out.LIST, f"Saved games in {self.store.folder}, newest first:", tuple(lines)),)

    @staticmethod
    def _shown(name: str) -> str:
        return "the autosave" if name == AUTOSAVE else f"'{name}'"

    def _reload(self) -> Output:
        """Read the story again and keep the player's place; on any problem keep the old story."""
        assert self.watcher is not None
        try:
            story = self.watcher.load()
        except StoryError as error:
            lines = error.show().splitlines()
            return (
                Block(out.LIST, "The story could not be reloaded; you are still playing the old one:", tuple(lines)),
            )
        try:
            recount = story.counted_key != self.story.counted_key
            from adventure.saves.migrate import carry_over

            carried = carry_over(story, self.state, self.log, "on disk", recount)
        except SaveError as error:
            return (
                _error(
                    f"The story was reloaded, but your place no longer fits it ({error}); still playing the old one."
                ),
            )
        self.story, self.state = story, carried.state
        self.undo_stack = []
        # The state written now: the moves since the last were made in the old story, and a
        # continue must not replay them in this one, where they may do something else.
        shown = (_note(f"Reloaded the story from {self.watcher.folder}."), *engine.describe(story, carried.state))
        return (*shown, *self.autosave())

    # ---------------------------------------------------------------- autosave

    def autosave(self, say_again: bool = False) -> Output:
        """Write the autosave slot, flushed to the disk; a failure is said once and never stops the
        game. Between two of these, each move only adds a line to the moves file (`_keep_move`):
        a kill of the game loses nothing, a power cut at most the moves of the last second.
        """
        if self.store is None or self.state is None:
            return ()
        try:
            save = make_save(self.story, self.state, self.log, datetime.now(UTC))
            self.store.write(AUTOSAVE, save)
            self._synced = time.monotonic()
            self._untouched = False
            self._kept = (self.state, len(self.log), self.log.crc(), self.store.stamp(AUTOSAVE))
        except SaveError as error:
            return self._autosave_failed(error, say_again)
        self.autosave_problem = ""
        return ()

    def _autosave_failed(self, error: SaveError, say_again: bool = False) -> Output:
        """Say an autosave problem once, not at every move while it lasts (`say_again`: as the
        player leaves, when it is the last word on the game)."""
        if str(error) == self.autosave_problem and not say_again:
            return ()
        self.autosave_problem = str(error)
        return (_error(f"Autosave failed: {error}. Your game goes on; try 'save NAME' elsewhere."),)

    def _keep_move(self) -> Output:
        """Add the last move to the autosave's moves file, ahead of its state (see autosave); when
        the file is not as this game left it (another game's, or gone), write the autosave whole."""
        if self.store is None:
            return ()
        try:
            if not self.store.add_moves(AUTOSAVE, self.log):
                return self.autosave()
        except SaveError as error:
            return self._autosave_failed(error)
        return ()

    def leave(self, command: str | None = None) -> Output:
        """Autosave as the player leaves (by `command`, if typed), and say where the game is kept."""
        said = self._leaving()
        if self.transcript is not None:
            said += (_note(f"The transcript is kept in {self.transcript.path}."),)
            self._record(command, said)
            self.end_transcript()
        return said

    def _leaving(self) -> Output:
        if self._untouched and not self.undo_stack and not self.log:
            return ()  # nothing played: the autosave still holds the last game, as it was
        if self._written_already():
            assert self.store is not None
            self.store.touch(AUTOSAVE)  # as new as the game's last moment: --continue takes it first
        else:
            problems = self.autosave(say_again=True)
            if problems:
                return problems
        if self.store is None or self.state is None:
            return ()
        where = self.store.path(AUTOSAVE)
        return (_note(f"Your game is saved in {where}; 'adventure play --continue' goes on from there."),)

    def _written_already(self) -> bool:
        """Whether the autosave on disk is this game as it is now, written by this session and
        not touched since (an ending, or a move less than a second ago, wrote it whole)."""
        if self._kept is None or self.store is None:
            return False
        state, moves, crc, stamp = self._kept
        return (
            state is self.state
            and moves == len(self.log)
            and crc == self.log.crc()
            and stamp is not None
            and stamp == self.store.stamp(AUTOSAVE)
        )

    # ---------------------------------------------------------------- for front ends

    def completions(self) -> list[str]:
        """Every command valid now, from the same table as help and the parser."""
        names = self.store.names() if self.store is not None else []
        extra: list[str] = []
        for verb in self.verbs():
            if verb.needs:
                extra.append(verb.name)
            if "NAME" in verb.argument:
                extra += [f"{verb.name} {name}" for name in names if verb.name != "delete" or name != AUTOSAVE]
        return engine.completions(self.story, self.state, extra)

    def status(self) -> Summary:
        """Where the player stands: the same summary a save list shows."""
        return summarize(self.story, self.state)

    def status_parts(self) -> list[str]:
        """What the status bar shows besides the title and the turn: what the story declares."""
        return engine.status_parts(self.story, self.state)
