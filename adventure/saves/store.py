"""Save files on disk: one folder, atomic writes, and reads that never trust what they find.

The store never builds a path from a name it has not validated, so no name reaches outside it.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Mapping
from pathlib import Path

import platformdirs

from adventure.saves.savefile import (
    _AUTOSAVE_FILE,
    AUTOSAVE,
    NAME_PATTERN,
    SaveData,
    SaveEntry,
    SaveError,
    SaveFormatError,
    check_name,
    header_from_text,
    readable_json,
    save_from_dict,
    save_to_dict,
)

APP = "metallic-rouge"  # the per-user folder's name, under the platform's data folder
TEMPORARY = ".tmp"  # the ending of a save being written
STALE_SECONDS = 3600  # a temporary file this old belongs to a write that died, whoever made it
MAX_SAVE_BYTES = 64 * 2**20  # far above any real save; a larger file is not read at all
LIST_WHOLE_BYTES = 1 << 20  # a list of saves reads a file whole up to this size, else only its start


class SaveStore:
    """One folder of saves. Every write is atomic: an old save or a new one, never half of one."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._ready = False  # the folder was made and old leftovers removed, once per game

    def path(self, name: str) -> Path:
        name = check_name(name)
        file = _AUTOSAVE_FILE if name == AUTOSAVE else f"{name}.json"
        path = self.folder / file
        # Belt and braces: the pattern already forbids separators and dots.
        if path.parent != self.folder:
            raise SaveError(f"'{name}' cannot name a save")
        return path

    def write(self, name: str, save: SaveData, durable: bool = True) -> Path:
        """Replace the save `name` atomically: a reader sees the old file or the new one, whole.

        `durable` also fsyncs the file and the folder, so the save survives a power cut; the
        autosave after an ordinary move skips that (it is written again at the next scene change
        and on exit, durably), which keeps a move fast. Either way a killed process never leaves
        half a file, because the new text only takes the name by a rename once it is all written.
        """
        path = self.path(name)
        text = readable_json(save_to_dict(save)) + "\n"
        try:
            if not self._ready:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._remove_leftovers()
                self._ready = True
            # Unique to this process and this write, so two games sharing the folder never meet.
            temporary = self.folder / f".{path.stem}.{os.getpid()}.{time.monotonic_ns()}{TEMPORARY}"
            try:
                handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileNotFoundError:  # the folder went away during the game: make it again
                self.folder.mkdir(parents=True, exist_ok=True)
                handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(text)
                    stream.flush()
                    if durable:
                        os.fsync(stream.fileno())
                os.replace(temporary, path)
            except BaseException:
                # Interrupted or failed: the old save stays as it was; only our temporary goes.
                temporary.unlink(missing_ok=True)
                raise
            if durable:
                _sync_folder(self.folder)
        except OSError as error:
            raise SaveError(f"could not save '{name}' in {self.folder}: {error.strerror or error}") from None
        return path

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

    def read(self, name: str) -> SaveData:
        path = self.path(name)
        shown = "the autosave" if name == AUTOSAVE else f"save '{name}'"
        raw = self._read_bytes(path, shown)
        try:
            data = json.loads(raw.decode("utf-8"))
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
            return save_from_dict(data)
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
            raise SaveError(f"there is no {shown} in {self.folder}") from None
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
        except FileNotFoundError:
            raise SaveError(f"there is no save '{name}'") from None
        except OSError as error:
            raise SaveError(f"could not delete '{name}': {error.strerror or error}") from None

    def names(self) -> list[str]:
        """Save names, newest first; the autosave among them under its own name."""
        entries = []
        try:
            files = list(self.folder.iterdir())
        except OSError:
            return []
        for file in files:
            if file.name == _AUTOSAVE_FILE:
                name = AUTOSAVE
            elif file.suffix == ".json" and NAME_PATTERN.match(file.stem) and file.stem != AUTOSAVE:
                name = file.stem
            else:
                continue
            try:
                entries.append((file.stat().st_mtime, name))
            except OSError:
                continue
        return [name for _, name in sorted(entries, reverse=True)]

    def entries(self) -> list[SaveEntry]:
        """Every save with its summary, newest first: a large one is listed from the start of its
        file only, so listing stays fast however long a game's log grows."""
        found = []
        for name in self.names():
            shown = "the autosave" if name == AUTOSAVE else f"save '{name}'"
            try:
                if self._size(name) <= LIST_WHOLE_BYTES:
                    save = self.read(name)
                    found.append(SaveEntry(name, save.summary, save.saved_at))
                    continue
                start = self._read_bytes(self.path(name), shown, LIST_WHOLE_BYTES)
                summary, saved_at = header_from_text(start.decode("utf-8", errors="replace"))
                found.append(SaveEntry(name, summary, saved_at))
            except SaveError as error:
                found.append(SaveEntry(name, None, problem=str(error)))
            except SaveFormatError as error:
                found.append(SaveEntry(name, None, problem=f"{shown} cannot be loaded: {error}"))
            except (ValueError, RecursionError) as error:
                found.append(SaveEntry(name, None, problem=f"{shown} is damaged ({error})"))
        return found

    def _size(self, name: str) -> int:
        try:
            return self.path(name).stat().st_size
        except OSError:
            return 0  # read() then says what is wrong with it


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
    return platformdirs.user_data_path(APP, appauthor=False)


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
