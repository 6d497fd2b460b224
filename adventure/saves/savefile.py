"""The save file format, pure: a game as plain JSON-ready data and back, read with suspicion.

Nothing here touches a file; `store` does the IO, and `migrate` builds on this to bring a save
into a changed story, so both can be tested without a disk.
"""

from __future__ import annotations

import functools
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import attrs

from adventure.core.engine import title_of
from adventure.core.errors import AdventureError
from adventure.core.model import Story
from adventure.core.output import safe
from adventure.core.state import GameState

# The save format. Raise FORMAT when the layout changes; raise MIN_READABLE only when this
# version can no longer read older files.
#   1: the first format: story id/version/fingerprint, summary, state, command log.
#   2: scene format v2: the state gains `seed` and `draws` (the dice), `stack` (the scenes `call`
#      goes back to) and `shown` (how often each text variation was shown); the summary gains
#      `collection`, the name of what the story collects ("" if nothing). A format 1 save reads
#      as a game with no dice rolled, no call open and no variation shown. The state may also hold
#      `taken` (the choices taken in this visit, to mark them); without it, none were.
#   3: the command log moves out of the save into a file beside it (NAME.moves: one JSON string
#      a line, appended as the game goes), which the save names by `moves`: {count, crc32} of its
#      first lines. A save may still hold its `log` inline (a program's snapshot). `story` gains
#      `counted`, the scenes whose visits the state keeps (`Story.counted_key`): a story changed to
#      count more scenes rebuilds the game by replay. A save without it kept every visit.
FORMAT = 3
_STATE_SINCE_2 = {"seed": 0, "draws": 0, "stack": [], "shown": {}}
MIN_READABLE = 1

AUTOSAVE = "autosave"  # shown to players by this name; stored where no player's name can go
_AUTOSAVE_FILE = ".autosave.json"  # before each story had its own: still read, never written by a story
NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
_AUTOSAVE_OF = re.compile(r"\.autosave\.([A-Za-z0-9_-]+)\.json\Z")


def autosave_file(story_id: str | None) -> str:
    """The autosave's file name: one per story, so playing one story never replaces another's game
    in a shared saves folder (story ids hold only letters, digits, '-' and '_')."""
    return _AUTOSAVE_FILE if story_id is None else f".autosave.{story_id}.json"


def is_autosave_file(file_name: str) -> bool:
    return file_name == _AUTOSAVE_FILE or _AUTOSAVE_OF.match(file_name) is not None


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
    collection: str = ""  # what `ids` counts, as the story names it ("Ids"); "" if it collects nothing


class MoveLog(Sequence[str]):
    """The labels of the choices taken since the game began, with a running checksum of every
    prefix: a save names the log it belongs to by length and checksum, and the store appends a
    move to the file beside it without reading or writing the rest again.

    A log read from a file keeps the file's lines as they are until something needs them one by
    one (`history`, an undo past them, a replay), so loading a long game costs one checksum.
    """

    __slots__ = ("_crcs", "_labels", "_read", "_read_labels")

    def __init__(self, labels: Iterable[str] = ()) -> None:
        self._labels: list[str] = []
        self._crcs = [0]
        self._read = b""  # lines read from a file, their checksums not yet taken: before every label
        self._read_labels: list[str] = []  # their labels
        for label in labels:
            self.append(label)

    @classmethod
    def of_lines(cls, lines: bytes, labels: list[str], crc: int) -> MoveLog:
        """The log of `labels`, read as `lines` from a file and checked already against `crc`."""
        log = cls()
        log._read, log._read_labels, log._crcs = lines, labels, [crc]
        return log

    @property
    def _read_count(self) -> int:
        return len(self._read_labels)

    def _unpack(self) -> None:
        """Put the moves read from a file with the rest, each with the checksum of its prefix."""
        if not self._read_labels:
            return
        crcs = [0]
        for line in self._read.splitlines(keepends=True):
            crcs.append(zlib.crc32(line, crcs[-1]))
        self._labels[:0] = self._read_labels
        self._crcs = crcs + self._crcs[1:]
        self._read, self._read_labels = b"", []

    def append(self, label: str) -> None:
        self._labels.append(label)
        self._crcs.append(zlib.crc32(move_line(label), self._crcs[-1]))

    def __delitem__(self, cut: slice) -> None:
        """`del log[n:]`: forget the moves from the n-th on (an undo)."""
        start = cut.start or 0
        if start < self._read_count:
            self._unpack()
        start -= self._read_count
        del self._labels[start:]
        del self._crcs[start + 1 :]

    def __getitem__(self, index: Any) -> Any:
        self._unpack()
        return self._labels[index]

    def __iter__(self) -> Iterator[str]:
        self._unpack()
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._read_labels) + len(self._labels)

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    @property
    def size(self) -> int:
        """The bytes of the moves file this log would be, when it was read from one and nothing
        has been added since; for the store's check that the file is still as it left it."""
        return len(self._read) if not self._labels else len(self.lines())

    def crc(self, count: int | None = None) -> int:
        """The checksum of the first `count` moves' lines (all of them by default)."""
        if count is None:
            return self._crcs[-1]
        if count < self._read_count:
            self._unpack()
        return self._crcs[count - self._read_count]

    def lines(self, start: int = 0) -> bytes:
        """The moves from the `start`-th on, as the file beside a save holds them."""
        if start < self._read_count:
            self._unpack()
        return b"".join(move_line(label) for label in self._labels[start - self._read_count :])


def move_line(label: str) -> bytes:
    return (_ENCODE(label) + "\n").encode("utf-8")


def read_moves(raw: bytes, count: int, crc: int) -> MoveLog | None:
    """The first `count` moves of a moves file, if they are the ones a save names; else None."""
    if raw.count(b"\n") == count and (not raw or raw.endswith(b"\n")):
        lines = raw  # the usual case: the file holds just the moves the save names
    else:
        end = 0
        for _ in range(count):  # the end of the count-th line: a save names only lines it wrote whole
            end = raw.find(b"\n", end) + 1
            if end == 0:
                return None
        lines = raw[:end]
    if zlib.crc32(lines) != crc:
        return None
    try:
        labels = json.loads("[" + lines.decode("utf-8").replace("\n", ",").rstrip(",") + "]")
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if len(labels) != count or not all(_is_label(label) for label in labels):
        return None
    return MoveLog.of_lines(lines, labels, crc)


def _is_label(value: object) -> bool:
    """A move's label as a moves file may hold it: text, and valid Unicode (JSON can spell a lone
    surrogate, `"\\ud800"`, which no file or terminal can take)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


MAX_AHEAD = 10_000  # the moves of one second of the fastest piped play, many times over


def moves_after(raw: bytes, count: int) -> tuple[str, ...]:
    """The moves a moves file holds after its first `count`: taken since its save was written.
    A line cut short by a kill, anything after a line that is not a label, and anything past
    MAX_AHEAD (more than a second of play could add: the file was tampered with) are left out."""
    if raw.count(b"\n") <= count:
        return ()
    found = []
    for line in raw.split(b"\n", count + MAX_AHEAD)[count:-1]:  # the last piece is never whole
        try:
            label = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            break
        if not _is_label(label):
            break
        found.append(label)
    return tuple(found)


@attrs.frozen
class SaveData:
    story_id: str
    story_version: int
    fingerprint: str
    saved_at: str  # ISO 8601, UTC
    summary: Summary
    state: GameState
    log: Sequence[str] | None  # None: the moves file beside the save is gone or is not this save's
    counted: str = "all"  # Story.counted_key when saved: which scenes' visits the state keeps
    moves: tuple[int, int] | None = None  # (count, crc32) of the moves file, as the save names it
    # Moves the file holds after those: taken after the save was written (the autosave writes its
    # state at most once a second, and every move to its moves file at once). A load replays them.
    ahead: tuple[str, ...] = ()


def summarize(story: Story, state: GameState) -> Summary:
    name = story.collection.name if story.collection is not None else ""
    return Summary(
        title_of(story, state), story.ids_held(state.inventory), story.ids_total, state.turn, state.ended, name
    )


def make_save(story: Story, state: GameState, log: Sequence[str], now: datetime) -> SaveData:
    """A save of `state` as of `now` (the caller reads the clock, so this stays pure)."""
    moment = now.isoformat(timespec="seconds")
    summary = summarize(story, state)
    kept = log if isinstance(log, MoveLog) else tuple(log)
    return SaveData(story.id, story.version, story.fingerprint, moment, summary, state, kept, story.counted_key)


def save_to_dict(save: SaveData, moves: tuple[int, int] | None = None) -> dict[str, Any]:
    """The save as JSON-ready data: with its log inline, or naming the moves file beside it by
    `moves` (count, crc32), as the store writes it."""
    story = {"id": save.story_id, "version": save.story_version, "fingerprint": save.fingerprint}
    data = {
        "format": FORMAT,
        "story": {**story, "counted": save.counted},
        "saved_at": save.saved_at,
        "summary": attrs.asdict(save.summary),
        "state": save.state.to_dict(),
    }
    if moves is not None:
        data["moves"] = {"count": moves[0], "crc32": moves[1]}
    else:
        data["log"] = list(save.log or ())
    return data


class SaveFormatError(ValueError):
    """A save from a newer game: not damaged, just not ours to read yet."""

    def __init__(self, version: int) -> None:
        super().__init__(
            f"it was made by a newer version of the game (save format {version}; "
            f"this one reads up to {FORMAT}): update the game to load it"
        )


class _Shape:
    """Checks one decoded JSON document field by field, naming the path of the first bad one."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def get(self, path: str, kind: type | tuple[type, ...], optional: bool = False) -> Any:
        value: Any = self.data
        for key in _keys(path):
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


@functools.cache
def _keys(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))  # a handful of paths, each looked up at every load


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


def save_from_dict(data: Any, text: str | None = None) -> SaveData:
    """Rebuild a save from decoded JSON, refusing anything malformed with the path of the fault.

    `text`, the UTF-8 JSON that `data` was decoded from, lets the check for lone surrogates look
    for their escapes in it rather than encode the whole save again.
    """
    shape = _Shape(data)
    if not isinstance(data, dict):
        raise ValueError("the file does not hold a save (expected a JSON object)")
    version = _version(shape)
    if text is None or _SURROGATE_ESCAPE.search(text):
        _check_unicode(data)
    state_data = shape.get("state", dict)
    if version < 2:
        state_data = {**_STATE_SINCE_2, **state_data}
    state = GameState.from_dict(state_data)
    summary = _summary(shape, version)
    _check_summary(summary, state)
    saved_at = _saved_at(shape)
    moves = None
    log: tuple[str, ...] | None = None
    if version >= 3 and "log" not in data:
        count, crc = shape.get("moves.count", int), shape.get("moves.crc32", int)
        if count < 0 or not 0 <= crc < 2**32:
            raise ValueError("'moves' should give a count and a crc32, neither negative")
        moves = (count, crc)
    else:
        log = tuple(_strings(shape.get("log", list), "log"))
    return SaveData(
        story_id=shape.get("story.id", str),
        story_version=shape.get("story.version", int),
        fingerprint=shape.get("story.fingerprint", str),
        saved_at=saved_at,
        summary=summary,
        state=state,
        log=log,
        counted=(shape.get("story.counted", str, optional=True) or "all") if version >= 3 else "all",
        moves=moves,
    )


def _summary(shape: _Shape, version: int) -> Summary:
    ids_total = shape.get("summary.ids_total", int)
    v1_name = "Ids" if version < 2 and ids_total else ""  # format 1 called every collection Ids
    return Summary(
        title=shape.get("summary.title", str),
        ids=shape.get("summary.ids", int),
        ids_total=shape.get("summary.ids_total", int),
        turn=shape.get("summary.turn", int),
        ended=bool(shape.get("summary.ended", bool, optional=True)),
        collection=shape.get("summary.collection", str, optional=True) or v1_name,
    )


def _saved_at(shape: _Shape) -> str:
    saved_at: str = shape.get("saved_at", str)
    try:
        datetime.fromisoformat(saved_at).astimezone()
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"'saved_at' should be a date and time, not {saved_at[:40]!r}") from None
    return saved_at


def _version(shape: _Shape) -> int:
    version: int = shape.get("format", int)
    if version > FORMAT:
        raise SaveFormatError(version)
    if version < MIN_READABLE:
        raise ValueError(f"format {version} is too old for this version of the game")
    return version


def header_from_text(start: str) -> tuple[Summary, str]:
    """The summary and time of a save from the start of its file, before its state and log.

    `readable_json` writes the top-level keys one a line, in order, so a list of saves can show a
    large save without reading it whole; loading it still reads and checks everything.
    """
    cut = start.find(_STATE_LINE)
    if cut < 0:
        raise ValueError("its summary could not be found at the start of the file")
    data = json.loads(start[:cut].rstrip().rstrip(",") + "\n}")
    shape = _Shape(data)
    if not isinstance(data, dict):
        raise ValueError("the file does not hold a save (expected a JSON object)")
    version = _version(shape)
    _check_unicode(data)
    summary = _summary(shape, version)
    if not 0 <= summary.ids <= summary.ids_total:
        raise ValueError(f"'summary.ids' says {summary.ids} of {summary.ids_total} Ids")
    return summary, _saved_at(shape)


_STATE_LINE = '\n  "state": '


# How JSON spells a UTF-16 surrogate; text decoded from UTF-8 cannot hold one any other way.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _check_unicode(data: Any) -> None:
    """JSON may spell lone surrogates (`"\\ud800"`), which no terminal or file can take: refuse them."""
    try:
        _ENCODE(data).encode("utf-8")  # a walk in Python would be slower than the C encoder
    except UnicodeEncodeError:
        raise ValueError("it holds text that is not valid Unicode") from None


def _check_summary(summary: Summary, state: GameState) -> None:
    """The summary is what lists show without the story: it must agree with the state it sums up."""
    if not 0 <= summary.ids <= min(summary.ids_total, len(state.inventory)):
        raise ValueError(f"'summary.ids' says {summary.ids} Ids, but the state holds {len(state.inventory)} items")
    if summary.turn != state.turn or summary.ended != state.ended:
        raise ValueError("'summary' does not match the state it sums up")


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


def readable_json(data: Any, levels: int = 2, indent: str = "") -> str:
    """JSON with the top `levels` of mappings one key a line, for people; the rest on one line.

    json.dumps(indent=...) would do it all, but only in pure Python: this keeps the autosave that
    follows every scene change cheap while the command log grows.
    """
    if levels == 0 or type(data) is not dict or not data:
        return _ENCODE(data)
    inner = indent + "  "
    lines = []
    for key, value in data.items():
        kind = type(value)
        if kind is str:  # the leaves, spelled as the encoder would, without its per-call set-up
            text = _STRING(value)
        elif kind is dict and levels > 1:
            text = readable_json(value, levels - 1, inner)
        elif kind is int:
            text = int.__repr__(value)
        elif kind is bool or value is None:
            text = "true" if value is True else "false" if value is False else "null"
        elif not value and (kind is list or kind is dict):
            text = "[]" if kind is list else "{}"  # most of a state's lists and counts, most of the time
        else:
            text = _ENCODE(value)
        lines.append(f"{inner}{_STRING(key)}: {text}")
    return "{\n" + ",\n".join(lines) + f"\n{indent}}}"


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every save, not one per value
_STRING: Callable[[str], str] = json.encoder.encode_basestring  # a string as JSON, as `_ENCODE` spells it


@attrs.frozen
class SaveEntry:
    """One line of a saves list: a save, or why its file could not be read."""

    name: str
    summary: Summary | None
    saved_at: str = ""
    problem: str = ""  # why the file could not be read, when summary is None


def format_entries(entries: Sequence[SaveEntry]) -> list[str]:
    """The lines of a saves list, shared by the in-game `saves` and `adventure saves`."""
    if not entries:
        return []
    lines = []
    width = max(len(e.name) for e in entries)
    for entry in entries:
        if entry.summary is None:
            lines.append(safe(f"{entry.name:<{width}}  ! {entry.problem}"))
            continue
        summary = entry.summary
        when = _local_time(entry.saved_at)
        where = f"THE END: {summary.title}" if summary.ended else summary.title
        ids = f"{summary.collection} {summary.ids}/{summary.ids_total}  " if summary.collection else ""
        lines.append(safe(f"{entry.name:<{width}}  {when}  {where}  {ids}turn {summary.turn}"))
    return lines


def _local_time(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except (ValueError, OverflowError, OSError):
        return "(unknown time)"
