"""Save files: plain, versioned JSON, written atomically, read with suspicion.

The pure half turns a game into a dict and back, checking every field; the IO half (SaveStore)
owns one folder and never builds a path from a name it has not validated.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import attrs

from adventure.core.errors import AdventureError
from adventure.core.model import Story
from adventure.core.state import FrozenMap, GameState

# The save format. Raise FORMAT when the layout changes; raise MIN_READABLE only when this
# version can no longer read older files.
#   1: the first format: story id/version/fingerprint, summary, state, command log.
FORMAT = 1
MIN_READABLE = 1

AUTOSAVE = "autosave"  # shown to players by this name; stored where no player's name can go
_AUTOSAVE_FILE = ".autosave.json"
NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")


class SaveError(AdventureError):
    """A save could not be written or read. The message is one line, for the player."""


# ------------------------------------------------------------------ pure: to and from dicts


@attrs.frozen
class Summary:
    """What a list of saves shows, without replaying anything."""

    title: str
    ids: int
    ids_total: int
    turn: int
    ended: bool = False


@attrs.frozen
class SaveData:
    story_id: str
    story_version: int
    fingerprint: str
    saved_at: str  # ISO 8601, UTC
    summary: Summary
    state: GameState
    log: tuple[str, ...]


def summarize(story: Story, state: GameState) -> Summary:
    if state.ended:
        title = story.endings[state.ending or ""].title
    else:
        title = story.scenes[state.scene].title
    return Summary(title, story.ids_held(state.inventory), story.ids_total, state.turn, state.ended)


def make_save(story: Story, state: GameState, log: Sequence[str], now: Optional[datetime] = None) -> SaveData:
    moment = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    return SaveData(story.id, story.version, story.fingerprint, moment, summarize(story, state), state, tuple(log))


def save_to_dict(save: SaveData) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "story": {"id": save.story_id, "version": save.story_version, "fingerprint": save.fingerprint},
        "saved_at": save.saved_at,
        "summary": attrs.asdict(save.summary),
        "state": save.state.to_dict(),
        "log": list(save.log),
    }


class SaveFormatError(ValueError):
    """A save from a newer game: not damaged, just not ours to read yet."""

    def __init__(self, version: int) -> None:
        super().__init__(f"it was made by a newer version of the game (save format {version}; this one reads up to {FORMAT}): update the game to load it")


class _Shape:
    """Checks one decoded JSON document field by field, naming the path of the first bad one."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def get(self, path: str, kind: type | tuple[type, ...], optional: bool = False) -> Any:
        value: Any = self.data
        for key in path.split("."):
            if not isinstance(value, dict) or key not in value:
                if optional:
                    return None
                raise ValueError(f"'{path}' is missing")
            value = value[key]
        if optional and value is None:
            return None
        # bool is an int in Python: never accept one for the other.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"'{path}' should be {_kind_name(kind)}, not {type(value).__name__}")
        return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", bool: "true or false", list: "a list", dict: "a mapping"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _strings(values: list[Any], path: str) -> list[str]:
    for value in values:
        if not isinstance(value, str):
            raise ValueError(f"'{path}' should hold only text")
    return values


def save_from_dict(data: Any) -> SaveData:
    """Rebuild a save from decoded JSON, refusing anything malformed with the path of the fault."""
    shape = _Shape(data)
    if not isinstance(data, dict):
        raise ValueError("the file does not hold a save (expected a JSON object)")
    version = shape.get("format", int)
    if version > FORMAT:
        raise SaveFormatError(version)
    if version < MIN_READABLE:
        raise ValueError(f"format {version} is too old for this version of the game")
    variables = shape.get("state.variables", dict)
    for name, value in variables.items():
        if not isinstance(value, (int, bool)):
            raise ValueError(f"'state.variables.{name}' should be a whole number or true/false")
    visits = shape.get("state.visits", dict)
    for name, count in visits.items():
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"'state.visits.{name}' should be a whole number")
    turn = shape.get("state.turn", int)
    if turn < 0:
        raise ValueError("'state.turn' should not be negative")
    state = GameState(
        scene=shape.get("state.scene", str),
        variables=FrozenMap(variables),
        inventory=tuple(_strings(shape.get("state.inventory", list), "state.inventory")),
        visits=FrozenMap(visits),
        used=frozenset(_strings(shape.get("state.used", list), "state.used")),
        turn=turn,
        ending=shape.get("state.ending", str, optional=True),
    )
    summary = Summary(
        title=shape.get("summary.title", str),
        ids=shape.get("summary.ids", int),
        ids_total=shape.get("summary.ids_total", int),
        turn=shape.get("summary.turn", int),
        ended=bool(shape.get("summary.ended", bool, optional=True)),
    )
    return SaveData(
        story_id=shape.get("story.id", str),
        story_version=shape.get("story.version", int),
        fingerprint=shape.get("story.fingerprint", str),
        saved_at=shape.get("saved_at", str),
        summary=summary,
        state=state,
        log=tuple(_strings(shape.get("log", list), "log")),
    )


# ------------------------------------------------------------------ names


def check_name(name: str) -> str:
    """Refuse any name that could leave the saves folder or confuse a file system."""
    if name == AUTOSAVE or NAME_PATTERN.match(name):
        return name
    if not name:
        raise SaveError("a save needs a name: letters, digits, '-' and '_', up to 64 characters")
    shown = f"'{name}'" if name.isprintable() else repr(name)
    if len(name) > 64:
        raise SaveError(f"{shown[:20]}... is too long for a save name: 64 characters at most")
    raise SaveError(f"{shown} cannot name a save: use letters, digits, '-' and '_' only")


# ------------------------------------------------------------------ IO


@attrs.frozen
class SaveEntry:
    name: str
    save: Optional[SaveData]
    problem: str = ""  # why the file could not be read, when save is None
    modified: float = 0.0


class SaveStore:
    """One folder of saves. Every write is atomic: an old save or a new one, never half of one."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, name: str) -> Path:
        name = check_name(name)
        file = _AUTOSAVE_FILE if name == AUTOSAVE else f"{name}.json"
        path = self.folder / file
        # Belt and braces: the pattern already forbids separators and dots.
        if path.parent != self.folder:
            raise SaveError(f"'{name}' cannot name a save")
        return path

    def write(self, name: str, save: SaveData) -> Path:
        path = self.path(name)
        text = readable_json(save_to_dict(save)) + "\n"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for stale in self.folder.glob(f".{path.stem}.*.tmp"):
                stale.unlink(missing_ok=True)  # left by a write that was killed half way
            temporary = self.folder / f".{path.stem}.{os.getpid()}.{time.monotonic_ns()}.tmp"
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(text)
                    stream.flush()
                    os.fsync(stream.fileno())
                os.replace(temporary, path)
            except BaseException:
                # Interrupted or failed: the old save stays as it was; only our temporary goes.
                Path(temporary).unlink(missing_ok=True)
                raise
            _sync_folder(self.folder)
        except OSError as error:
            raise SaveError(f"could not save '{name}' in {self.folder}: {error.strerror or error}") from None
        return path

    def read(self, name: str) -> SaveData:
        path = self.path(name)
        shown = "the autosave" if name == AUTOSAVE else f"save '{name}'"
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise SaveError(f"there is no {shown} in {self.folder}") from None
        except OSError as error:
            raise SaveError(f"{shown} cannot be read: {error.strerror or error}") from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise SaveError(f"{shown} is damaged (not UTF-8 text); the file was left as it is") from None
        except json.JSONDecodeError as error:
            raise SaveError(
                f"{shown} is damaged (not valid JSON at line {error.lineno}, column {error.colno}); the file was left as it is"
            ) from None
        try:
            return save_from_dict(data)
        except SaveFormatError as error:
            raise SaveError(f"{shown} cannot be loaded: {error}") from None
        except ValueError as error:
            raise SaveError(f"{shown} is damaged ({error}); the file was left as it is") from None

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
            elif file.suffix == ".json" and NAME_PATTERN.match(file.stem):
                name = file.stem
            else:
                continue
            try:
                entries.append((file.stat().st_mtime, name))
            except OSError:
                continue
        return [name for _, name in sorted(entries, reverse=True)]

    def entries(self) -> list[SaveEntry]:
        found = []
        for name in self.names():
            try:
                found.append(SaveEntry(name, self.read(name), modified=self.path(name).stat().st_mtime))
            except (SaveError, OSError) as error:
                found.append(SaveEntry(name, None, str(error)))
        return found


def readable_json(data: Any, levels: int = 2, indent: str = "") -> str:
    """JSON with the top `levels` of mappings one key a line, for people; the rest on one line.

    json.dumps(indent=...) would do it all, but only in pure Python: this keeps the autosave that
    follows every scene change cheap while the command log grows.
    """
    if levels == 0 or not isinstance(data, dict) or not data:
        return json.dumps(data, ensure_ascii=False)
    inner = indent + "  "
    lines = [f"{inner}{json.dumps(key)}: {readable_json(value, levels - 1, inner)}" for key, value in data.items()]
    return "{\n" + ",\n".join(lines) + f"\n{indent}}}"


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


def saves_folder(option: Optional[str], environment: Mapping[str, str]) -> Path:
    """--saves, else $ADVENTURE_SAVES, else saves/ in the current folder."""
    return Path(option or environment.get("ADVENTURE_SAVES") or "saves")


def format_entries(entries: Sequence[SaveEntry]) -> list[str]:
    """The lines of a saves list, shared by the in-game `saves` and `adventure saves`."""
    if not entries:
        return []
    lines = []
    width = max(len(e.name) for e in entries)
    for entry in entries:
        if entry.save is None:
            lines.append(f"{entry.name:<{width}}  (cannot be read: {entry.problem})")
            continue
        save = entry.save
        summary = save.summary
        when = _local_time(save.saved_at)
        where = f"THE END: {summary.title}" if summary.ended else summary.title
        lines.append(f"{entry.name:<{width}}  {when}  {where}  Ids {summary.ids}/{summary.ids_total}  turn {summary.turn}")
    return lines


def _local_time(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp
