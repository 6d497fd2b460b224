"""Save files on disk: one folder, atomic writes, and reads that never trust what they find.

The store never builds a path from a name it has not validated, so no name reaches outside it.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs

from adventure.places import user_folder
from adventure.saves.savefile import (
    _AUTOSAVE_FILE,
    AUTOSAVE,
    NAME_PATTERN,
    MoveLog,
    SaveData,
    SaveEntry,
    SaveError,
    SaveFormatError,
    autosave_file,
    check_name,
    header_from_text,
    is_autosave_file,
    moves_after,
    read_moves,
    readable_json,
    save_from_dict,
    save_to_dict,
)

TEMPORARY = ".tmp"  # the ending of a save being written
MOVES = ".moves"  # the ending of the file beside a save that holds its moves
STALE_SECONDS = 3600  # a temporary file this old belongs to a write that died, whoever made it
MAX_SAVE_BYTES = 64 * 2**20  # far above any real save; a larger file is not read at all
LIST_WHOLE_BYTES = 1 << 20  # a list of saves reads a file whole up to this size, else only its start


class SaveStore:
    """One folder of saves. Every write is atomic: an old save or a new one, never half of one.

    Given the story being played, the autosave is that story's own file, so two stories sharing a
    folder keep a game each; an autosave from before that (one file for every story) is still read
    until the story writes its own, and then removed if it was this story's.
    """

    def __init__(self, folder: Path, story_id: str | None = None) -> None:
        self.folder = Path(folder)
        self.story_id = story_id
        self._ready = False  # the folder was made and old leftovers removed, once per game
        self._legacy_settled = story_id is None  # nothing to hand over without a story
        # What this store last wrote to or read from each moves file: (moves, crc32, file), the
        # file as (inode, bytes, mtime), so a file another game has replaced since is never added to.
        self._moves: dict[str, tuple[int, int, tuple[int, int, int]]] = {}
        self._moves_paths: dict[str, Path] = {}
        self._paths: dict[str, Path] = {}

    def path(self, name: str) -> Path:
        """Where the save `name` is written."""
        found = self._paths.get(name)
        if found is not None:  # checked once per name: the autosave is written at every move
            return found
        name = check_name(name)
        file = autosave_file(self.story_id) if name == AUTOSAVE else f"{name}.json"
        path = self.folder / file
        # Belt and braces: the pattern already forbids separators and dots.
        if path.parent != self.folder:
            raise SaveError(f"'{name}' cannot name a save")
        self._paths[name] = path
        return path

    def moves_path(self, name: str) -> Path:
        """The file beside the save `name` that holds its moves, one a line."""
        found = self._moves_paths.get(name)
        if found is None:  # checked once per name: the autosave asks at every move
            found = self._moves_paths[name] = self.path(name).with_suffix(MOVES)
        return found

    def _source(self, name: str) -> Path:
        """Where the save `name` is read: the story's own autosave, else the old shared one."""
        path = self.path(name)
        if name == AUTOSAVE and not self._legacy_settled and not os.path.lexists(path):
            legacy = self.folder / _AUTOSAVE_FILE
            if os.path.lexists(legacy):
                return legacy
        return path

    def write(self, name: str, save: SaveData, durable: bool = True) -> Path:
        """Replace the save `name` atomically: a reader sees the old file or the new one, whole.

        `durable` also fsyncs the file and the folder, so the save survives a power cut. Either way
        a killed process never leaves half a file, because the new text only takes the name by a
        rename once it is all written.
        """
        path = self.path(name)
        log = save.log if isinstance(save.log, MoveLog) else MoveLog(save.log or ())
        text = readable_json(save_to_dict(save, (len(log), log.crc()))) + "\n"
        try:
            self._prepare()
            # The moves first: the save names only moves already written, so a kill between the
            # two leaves the old save with its moves whole, and the new ones after them to replay.
            self._write_moves(name, log, durable)
            self._replace(path, text.encode("utf-8"), durable)
            if durable:
                _sync_folder(self.folder)
        except OSError as error:
            raise SaveError(f"could not save '{name}' in {self.folder}: {error.strerror or error}") from None
        if name == AUTOSAVE and not self._legacy_settled:
            self._settle_legacy()
        return path

    def stamp(self, name: str) -> tuple[int, int, int] | None:
        """The file of the save `name` as (inode, bytes, modification time), or None if there is
        none: equal stamps mean nothing has written the file in between (a write renames a new
        file into place)."""
        found = _regular(self.path(name))
        return None if found[0] == -1 else found

    def touch(self, name: str) -> None:
        """Make the save `name` the newest without writing it again: its time only, so a power
        cut can cost nothing but that time; a file that cannot be touched is left as it is."""
        with contextlib.suppress(OSError):
            os.utime(self.path(name))

    def set_aside(self, name: str) -> Path:
        """Keep the file of a save that cannot be read out of the way of the next write, beside it
        under a name no save has (`FILE.damaged-TIME`), its moves too, and say where it went: the
        autosave would otherwise be written over at the next move."""
        path = self.path(name)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        kept = path.with_name(f"{path.name}.damaged-{stamp}")
        moves = self.moves_path(name)
        try:
            os.replace(path, kept)
            if os.path.lexists(moves):
                os.replace(moves, moves.with_name(f"{moves.name}.damaged-{stamp}"))
        except OSError as error:
            raise SaveError(f"could not set '{name}' aside in {self.folder}: {error.strerror or error}") from None
        self._moves.pop(name, None)
        return kept

    def add_moves(self, name: str, log: Sequence[str]) -> bool:
        """Add the moves of `log` the moves file of `name` lacks, without writing the save: the moves
        after the save are replayed when it is read, so a move is kept at the cost of a line.

        False, with nothing written, when the file is not as this store last left it with a prefix
        of `log` (another game wrote it since, or it is not the save's): then only writing the
        save whole keeps the moves with the state they follow."""
        moves = log if isinstance(log, MoveLog) else MoveLog(log)
        if not self._appendable(name, moves):
            return False
        try:
            self._prepare()
            self._write_moves(name, moves, durable=False, appendable=True)
        except OSError as error:
            raise SaveError(f"could not save '{name}' in {self.folder}: {error.strerror or error}") from None
        return True

    def _appendable(self, name: str, log: MoveLog) -> bool:
        """Whether the moves file of `name` holds exactly what this store last wrote to or read from
        it, and that is a beginning of `log`: then the rest of `log` can be added to its end."""
        known = self._moves.get(name)
        return (
            known is not None
            and known[0] <= len(log)
            and log.crc(known[0]) == known[1]
            and _regular(self.moves_path(name)) == known[2]
        )

    def _prepare(self) -> None:
        """Before the first write: the folder made, and what killed writes left behind cleared."""
        if not self._ready:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._remove_leftovers()
            self._ready = True

    def _replace(self, path: Path, data: bytes, durable: bool) -> None:
        """Put `data` in `path` by a rename, so a reader sees the old file or the new one, whole."""
        # Unique to this process and this write, so two games sharing the folder never meet.
        temporary = os.path.join(self.folder, f".{path.stem}.{os.getpid()}.{time.monotonic_ns()}{TEMPORARY}")
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileNotFoundError:  # the folder went away during the game: make it again
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            try:
                _write_all(handle, data)
                if durable:
                    os.fsync(handle)
            finally:
                os.close(handle)
            os.replace(temporary, path)
        except BaseException:
            # Interrupted or failed: the old file stays as it was; only our temporary goes.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def _write_moves(self, name: str, log: MoveLog, durable: bool, appendable: bool | None = None) -> None:
        """Bring the moves file up to `log`: append the new moves when the file holds exactly the
        ones before them (the usual case: one move since the last autosave), else write it anew.

        It is never fsynced, even for a durable save: after a power cut the save may name moves
        the disk lost, and then it loads without them (its game is whole; only a replay needs
        them), so the one fsync a save pays for is the state's."""
        path = self.moves_path(name)
        known = self._moves.get(name)
        if appendable is None:  # `add_moves` has just looked
            appendable = self._appendable(name, log)
        file = known[2] if known is not None and appendable else None
        added = log.lines(known[0]) if known is not None and file is not None else b""
        if added:
            try:
                handle = os.open(path, os.O_WRONLY | os.O_APPEND)  # never made here: it was just seen
            except FileNotFoundError:
                file = None  # gone since it was looked at: written whole, below
            else:
                try:
                    _write_all(handle, added)
                    file = _identity(os.fstat(handle))
                finally:
                    os.close(handle)
        if file is None:
            self._replace(path, log.lines(), durable=False)
            file = _regular(path)
        self._moves[name] = (len(log), log.crc(), file)

    def _settle_legacy(self) -> None:
        """Once this story's own autosave exists, the old shared one is removed if it was this
        story's game (now superseded), and left alone if it was another story's."""
        self._legacy_settled = True
        legacy = self.folder / _AUTOSAVE_FILE
        try:
            if self._read_path(legacy, "the autosave").story_id == self.story_id:
                legacy.unlink()
                legacy.with_suffix(MOVES).unlink(missing_ok=True)
        except (SaveError, OSError):
            pass  # absent, damaged or not ours: never deleted on a guess

    def _remove_leftovers(self) -> None:
        """Delete temporary files left by killed writes: this process's own, or any old enough that
        no live write can still own it. Another game's write in progress is never touched."""
        mine = f".{os.getpid()}."
        now = time.time()
        for leftover in self.folder.glob(f".*{TEMPORARY}"):
            try:
                if mine in leftover.name or now - leftover.stat().st_mtime > STALE_SECONDS:
                    leftover.unlink()
            except OSError:
                continue  # gone already, or not ours to remove

    def read(self, name: str, moves: bool = True) -> SaveData:
        """The save `name` with its moves; `log` is None when its moves file is gone or is not the
        one the save names (the game still loads; only a replay would need them), or when
        `moves` is false (the state alone)."""
        shown = "the autosave" if name == AUTOSAVE else f"save '{name}'"
        path = self._source(name)
        save = self._read_path(path, shown)
        if save.moves is None or not moves:
            return save
        count, crc = save.moves
        try:
            raw = self._read_bytes(path.with_suffix(MOVES), f"the moves of {shown}")
        except SaveError:
            return save
        log = read_moves(raw, count, crc)
        if log is None:
            return attrs.evolve(save, log=None)
        if path == self.path(name):
            inode, _, modified = _regular(path.with_suffix(MOVES))
            self._moves[name] = (count, crc, (inode, log.size, modified))
        return attrs.evolve(save, log=log, ahead=moves_after(raw, count))

    def _read_path(self, path: Path, shown: str) -> SaveData:
        raw = self._read_bytes(path, shown)
        try:
            text = raw.decode("utf-8")
            data = json.loads(text)
        except UnicodeDecodeError:
            raise SaveError(f"{shown} is damaged (not UTF-8 text); the file was left as it is") from None
        except json.JSONDecodeError as error:
            raise SaveError(
                f"{shown} is damaged (not valid JSON at line {error.lineno}, column {error.colno}); "
                "the file was left as it is"
            ) from None
        except (ValueError, RecursionError) as error:
            # Numbers of thousands of digits, or arrays nested beyond what the parser can follow.
            why = "nested too deeply" if isinstance(error, RecursionError) else "a number too long to read"
            raise SaveError(f"{shown} is damaged ({why}); the file was left as it is") from None
        try:
            return save_from_dict(data, text)
        except SaveFormatError as error:
            raise SaveError(f"{shown} cannot be loaded: {error}") from None
        except (ValueError, RecursionError) as error:
            raise SaveError(f"{shown} is damaged ({error}); the file was left as it is") from None

    def _read_bytes(self, path: Path, shown: str, first: int = 0) -> bytes:
        """The file's bytes (only the `first` ones if given), if it is a regular file of a sane size:
        never block on a FIFO or a device, never read /dev/zero or hundreds of megabytes."""
        try:
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            raise SaveError(f"there is no {shown.removeprefix('the ')} in {self.folder}") from None
        except OSError as error:
            raise SaveError(f"{shown} cannot be read: {error.strerror or error}") from None
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                kind = (
                    "a folder"
                    if stat.S_ISDIR(info.st_mode)
                    else "a pipe"
                    if stat.S_ISFIFO(info.st_mode)
                    else "a device"
                )
                raise SaveError(f"{shown} cannot be read: it is {kind}, not a file; it was left as it is")
            if info.st_size > MAX_SAVE_BYTES:
                raise SaveError(
                    f"{shown} is too large to be a save ({info.st_size / 2**20:.0f} MB; saves are at most "
                    f"{MAX_SAVE_BYTES // 2**20} MB); it was left as it is"
                )
            chunks = []
            if first:
                return os.read(descriptor, first)
            left = MAX_SAVE_BYTES + 1
            while left > 0:
                chunk = os.read(descriptor, min(left, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
            if left <= 0:
                raise SaveError(
                    f"{shown} grew past {MAX_SAVE_BYTES // 2**20} MB while being read; it was left as it is"
                )
            return b"".join(chunks)
        except OSError as error:
            raise SaveError(f"{shown} cannot be read: {error.strerror or error}") from None
        finally:
            os.close(descriptor)

    def delete(self, name: str) -> None:
        try:
            self.path(name).unlink()
            self.moves_path(name).unlink(missing_ok=True)
            self._moves.pop(name, None)
        except FileNotFoundError:
            raise SaveError(f"there is no save '{name}'") from None
        except OSError as error:
            raise SaveError(f"could not delete '{name}': {error.strerror or error}") from None

    def names(self) -> list[str]:
        """Save names, newest first; the autosave among them under its own name."""
        return list(dict.fromkeys(name for name, _ in self._listed()))

    def _listed(self) -> list[tuple[str, Path]]:
        """Each save's name and file, newest first. With a story, its autosave is the one it would
        load; without one (a list of the whole folder), every story's autosave is there."""
        entries = []
        try:
            files = list(self.folder.iterdir())
        except OSError:
            return []
        autosave = self._source(AUTOSAVE).name
        for file in files:
            if file.name == autosave or (self.story_id is None and is_autosave_file(file.name)):
                name = AUTOSAVE
            elif is_autosave_file(file.name):
                continue  # another story's game, or the old shared file this story has replaced
            elif file.suffix == ".json" and NAME_PATTERN.match(file.stem) and file.stem != AUTOSAVE:
                name = file.stem
            else:
                continue
            try:
                entries.append((max(file.stat().st_mtime, _modified(file.with_suffix(MOVES))), name, file))
            except OSError:
                continue
        # Equal times are common (a file system's clock ticks in milliseconds): then the autosave,
        # written at every move, is at least as new as a save made in the same tick.
        entries.sort(key=lambda entry: (entry[0], entry[1] == AUTOSAVE, entry[1]), reverse=True)
        return [(name, file) for _, name, file in entries]

    def entries(self) -> list[SaveEntry]:
        """Every save with its summary, newest first: a large one is listed from the start of its
        file only, so listing stays fast however long a game's log grows."""
        found = []
        for name, path in self._listed():
            shown = "the autosave" if name == AUTOSAVE else f"save '{name}'"
            try:
                if _size(path) <= LIST_WHOLE_BYTES:
                    save = self._read_path(path, shown)
                    found.append(SaveEntry(name, save.summary, save.saved_at))
                    continue
                start = self._read_bytes(path, shown, LIST_WHOLE_BYTES)
                summary, saved_at = header_from_text(start.decode("utf-8", errors="replace"))
                found.append(SaveEntry(name, summary, saved_at))
            except SaveError as error:
                found.append(SaveEntry(name, None, problem=str(error)))
            except SaveFormatError as error:
                found.append(SaveEntry(name, None, problem=f"{shown} cannot be loaded: {error}"))
            except (ValueError, RecursionError) as error:
                found.append(SaveEntry(name, None, problem=f"{shown} is damaged ({error})"))
        return found


def _regular(path: Path) -> tuple[int, int, int]:
    """The inode, size and modification time of `path` if it is a regular file, else -1s: a moves
    file that became a pipe or a folder, or that another game replaced (an inode number can be
    used again, so all three), is written anew (by a rename), never appended to."""
    try:
        info = os.stat(path)
    except OSError:
        return (-1, -1, -1)
    return _identity(info) if stat.S_ISREG(info.st_mode) else (-1, -1, -1)


def _identity(info: os.stat_result) -> tuple[int, int, int]:
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def _modified(path: Path) -> float:
    """When `path` last changed; 0 if it is not there. A save's moves file counts, because the
    autosave's moves are added to it at once and its state only up to a second later."""
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reading it then says what is wrong with it


def _write_all(handle: int, data: bytes) -> None:
    written = 0
    while written < len(data):  # a write may take less than it is given
        written += os.write(handle, data[written:] if written else data)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every platform can open a folder, which is fine."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def data_folder() -> Path:
    """The per-user data folder ($XDG_DATA_HOME/metallic-rouge on Linux), where players look."""
    return user_folder("data")


def saves_folder(option: str | None, environment: Mapping[str, str], here: Path | None = None) -> Path:
    """--saves, else $ADVENTURE_SAVES, else saves/ in the current folder if there is one (a checkout
    of the game), else the per-user data folder: one place, whatever folder the game starts in."""
    if option:
        return Path(option)
    if environment.get("ADVENTURE_SAVES"):
        return Path(environment["ADVENTURE_SAVES"])
    local = (here or Path.cwd()) / "saves"
    if local.is_dir():
        return Path("saves") if here is None else local
    return data_folder() / "saves"
