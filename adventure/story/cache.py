"""The compiled story cache: a story loaded and checked once per version, not once per start.

`open_story` reads a story folder through a cache file in the per-user cache folder
(`$XDG_CACHE_HOME/metallic-rouge/stories` on Linux). The cache holds the model as plain data in
`marshal` form (never pickle: nothing in it can run code), behind a header that names the
engine that wrote it, the folder, and each story file's size and modification time. A start whose
files all match reads the cache and nothing else; one whose times changed but not the bytes (a
fresh checkout) compares a digest of the contents, as the loader makes it; anything else loads
the YAML and writes the cache anew. A cache that is damaged, foreign or stale is ignored and
replaced, never trusted: its payload carries a checksum, and anything that does not decode into
the model's classes means the YAML is read.

Scenes stay packed until play first needs them, so a warm start of ten thousand scenes builds a
handful. This module imports neither yaml nor the loader unless the cache cannot serve.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import operator
import os
import re
import stat
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from adventure.core.errors import Problem
from adventure.core.expr import Assign, Binary, Call, Drop, If, Lit, Take, Unary, Var
from adventure.core.model import (
    Branch,
    Choice,
    Collection,
    Cond,
    Ending,
    Item,
    Name,
    Paragraph,
    Scene,
    Source,
    Stat,
    Story,
    Template,
    Vary,
    Way,
)
from adventure.places import user_folder
from adventure.story.folders import story_files

MAGIC = b"adventure-story-cache\n"
FORMAT = 3  # raise when the encoding below changes
# Every class the model is made of, in a fixed order: an object is [its index, the positions of
# its fields that hold more objects, its fields...] (see `_encode`).
_CLASSES: tuple[type, ...] = (
    Story,
    Scene,
    Choice,
    Branch,
    Way,
    Template,
    Cond,
    Vary,
    Paragraph,
    Source,
    Item,
    Ending,
    Collection,
    Stat,
    Name,
    Lit,
    Var,
    Call,
    Unary,
    Binary,
    Assign,
    Take,
    Drop,
    If,
    Problem,
)
_INDEX = {cls: n for n, cls in enumerate(_CLASSES)}
_FIELDS = tuple(tuple(f.name for f in attrs.fields(cls) if f.init) for cls in _CLASSES)
_ENGINE_FILES = ("core/model.py", "core/expr.py", "story/loader.py", "story/nodes.py", "story/cache.py")
_PLAIN = frozenset((str, int, bool, type(None)))

Signature = tuple[tuple[str, int, int], ...]  # each story file: path in the folder, size, mtime in ns


def cache_folder() -> Path:
    """Where compiled stories are kept: the platform's per-user cache folder."""
    return user_folder("cache") / "stories"


def open_story(folder: Path | str, cache: Path | None = None, use_cache: bool = True) -> Story:
    """The story in `folder`, from its compiled cache when that is current, else from its YAML
    (which then refreshes the cache), to be played. Raises StoryError as `load_story` does.

    What exists once the story is open lives as long as the game, so the cyclic collector is
    told to leave it alone (`gc.freeze`): otherwise each full collection during play walks every
    object of the story again, and a move costs more the larger the story.
    """
    story = _open(Path(folder).resolve(), cache, use_cache)
    gc.freeze()
    return story


def _open(folder: Path, cache: Path | None, use_cache: bool) -> Story:
    if not use_cache:
        return _load(folder)
    files = _signature(folder)
    path = (cache or cache_folder()) / f"{zlib.crc32(os.fsencode(folder)):08x}.cache"
    header = _header(folder)
    cached = _read(path, header)
    if cached is not None:
        signature, fingerprint, data = cached
        if signature == files or (_same_files(signature, files) and _digest(folder) == fingerprint):
            story = _story(data, lambda: _fallback(folder, path))
            if story is not None:
                if signature != files:
                    _write(path, header, files, story)  # the times changed, not the bytes
                return story
    story = _load(folder)
    if files == _signature(folder):  # not edited while it was being read
        _write(path, header, files, story)
    return story


def _load(folder: Path) -> Story:
    from adventure.story.loader import load_story

    return load_story(folder)


def _fallback(folder: Path, path: Path) -> Story:
    """A scene in the cache would not decode after all: forget the cache, read the YAML."""
    path.unlink(missing_ok=True)
    return _load(folder)


# ---------------------------------------------------------------- what makes a cache current


def _header(folder: Path) -> tuple[Any, ...]:
    """What must match for a cache to be this engine's and this folder's: the engine's own files
    as installed (a new version, or an edit in a checkout, writes them anew)."""
    package = Path(__file__).resolve().parent.parent
    engine = []
    for name in _ENGINE_FILES:
        try:
            info = (package / name).stat()
            engine.append((name, info.st_size, info.st_mtime_ns))
        except OSError:
            engine.append((name, -1, -1))
    return (FORMAT, tuple(engine), str(folder))


def _signature(folder: Path) -> Signature:
    found = []
    for file in story_files(folder):
        try:
            info = file.stat()
        except OSError:
            continue
        found.append((file.relative_to(folder).as_posix(), info.st_size, info.st_mtime_ns))
    return tuple(found)


def _same_files(old: Signature, new: Signature) -> bool:
    return [(name, size) for name, size, _ in old] == [(name, size) for name, size, _ in new]


def _digest(folder: Path) -> str:
    """The story's fingerprint from its bytes, made as the loader makes it."""
    from adventure.story.loader import fingerprint

    return fingerprint(folder)


# ---------------------------------------------------------------- the file


def _read(path: Path, header: tuple[Any, ...]) -> tuple[Signature, str, Any] | None:
    """The signature, fingerprint and encoded story of a cache written for `header`, or None."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return None  # a pipe or a folder where the cache should be: never waited on, never read
        raw = path.read_bytes()
        if time.time() - info.st_mtime > _TOUCHED_EVERY:
            os.utime(path)  # still in use: kept by `_prune`
    except OSError:
        return None
    if not raw.startswith(MAGIC) or len(raw) < len(MAGIC) + 4:
        return None
    body = raw[len(MAGIC) + 4 :]
    if zlib.crc32(body) != int.from_bytes(raw[len(MAGIC) : len(MAGIC) + 4], "big"):
        return None  # damaged: never handed to marshal
    try:
        found = marshal.loads(body)
        written, signature, fingerprint, data = found
    except (EOFError, ValueError, TypeError):
        return None
    if written != header or type(signature) is not tuple or type(fingerprint) is not str:
        return None
    return signature, fingerprint, data


def _write(path: Path, header: tuple[Any, ...], signature: Signature, story: Story) -> None:
    """Replace the cache atomically; a folder that cannot be written only means no cache."""
    paused = gc.isenabled()
    gc.disable()  # encoding makes a great many lists and frees none: the collector only slows it
    try:
        body = marshal.dumps((header, signature, story.fingerprint, _encode_story(story)))
    except (ValueError, TypeError):
        return  # something in the story that plain data cannot hold: play on without a cache
    finally:
        if paused:
            gc.enable()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as stream:
            stream.write(MAGIC + zlib.crc32(body).to_bytes(4, "big") + body)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
        return
    _prune(path.parent)


MAX_AGE = 30 * 24 * 3600  # a cache no start has read for this long is removed: its folder is likely gone
_TOUCHED_EVERY = 24 * 3600  # a cache read is marked as in use at most once a day, not at every start
_LEFTOVER_AGE = 3600  # a temporary file this old belongs to a write that died


_CACHE_NAME = re.compile(r"[0-9a-f]{8}\.cache")  # what `_open` names a cache, and nothing else is touched
_LEFTOVER_NAME = re.compile(r"\.[0-9a-f]{8}\.cache\.[0-9]+\.tmp")


def _prune(folder: Path) -> None:
    """Remove the caches of stories no start has opened for MAX_AGE (a folder played once, a story
    deleted since), and what killed writes left behind: the folder does not grow for ever."""
    now = time.time()
    try:
        found = list(os.scandir(folder))
    except OSError:
        return
    for entry in found:
        cache = _CACHE_NAME.fullmatch(entry.name) is not None
        leftover = _LEFTOVER_NAME.fullmatch(entry.name) is not None
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
            if (cache and age > MAX_AGE) or (leftover and age > _LEFTOVER_AGE):
                os.unlink(entry.path)
        except OSError:
            continue  # gone already, or not ours to remove


# ---------------------------------------------------------------- the model as plain data


def _encode(value: Any) -> Any:
    """An object as `[its class's index, where its nested fields are, its fields...]`: decoding
    then visits only the fields that hold more objects, and hands the rest over as they are."""
    kind = type(value)
    n = _INDEX.get(kind)
    if n is not None:
        return _packed(n, list(_GETTERS[n](value)))
    if kind in _PLAIN:
        return value
    if kind is tuple:
        packed = _packed(_TUPLE, list(value))
        return packed if packed[1] else tuple(packed[2:])  # only plain values: decoded as they are
    if kind is frozenset:
        return frozenset(_encode(v) for v in value)
    if isinstance(value, Mapping):
        return {k: v if type(v) in _PLAIN else _encode(v) for k, v in value.items()}
    raise TypeError(f"{kind.__name__} cannot be cached")


def _packed(n: int, fields: list[Any]) -> list[Any]:
    nested = []
    for i, v in enumerate(fields):
        if type(v) not in _PLAIN:
            v = fields[i] = _encode(v)
            if type(v) is list or type(v) is dict:
                nested.append(i)
    return [n, tuple(nested), *fields]


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """An object's fields as a tuple, read in C (attrgetter of one name gives the value alone)."""
    if len(names) == 1:
        name = names[0]
        return lambda value: (getattr(value, name),)
    return operator.attrgetter(*names)


_GETTERS = tuple(_getter(names) for names in _FIELDS)


def _decode(value: Any) -> Any:
    if type(value) is dict:
        return {k: _decode(v) if type(v) is list or type(v) is dict else v for k, v in value.items()}
    fields = value[2:]
    for i in value[1]:
        fields[i] = _decode(fields[i])
    n = value[0]
    return tuple(fields) if n == _TUPLE else _CLASSES[n](*fields)


_TUPLE = -1  # in place of a class index: the list is a tuple that holds objects


def _encode_story(story: Story) -> Any:
    scenes = {scene_id: marshal.dumps(_encode(scene)) for scene_id, scene in story.scenes.items()}
    return (_encode(attrs.evolve(story, scenes={})), scenes)


def _story(data: Any, fallback: Callable[[], Story]) -> Story | None:
    """The story the cache holds, its scenes still packed; None if it does not decode."""
    try:
        shell, packed = data
        story = _decode(shell)
        if type(story) is not Story or type(packed) is not dict:
            return None
        return attrs.evolve(story, scenes=PackedScenes(packed, fallback))
    except (IndexError, KeyError, TypeError, ValueError, AttributeError, RecursionError):
        return None


class PackedScenes(Mapping[str, Scene]):
    """A story's scenes, each decoded the first time it is asked for.

    Every scene was checked by the loader before it was cached; should one still fail to decode
    (a cache damaged in a way its checksum missed), the whole story is read from its YAML instead.
    """

    def __init__(self, packed: dict[str, bytes], fallback: Callable[[], Story]) -> None:
        self._packed = packed
        self._scenes: dict[str, Scene] = {}
        self._fallback = fallback
        self._real: Mapping[str, Scene] | None = None

    def __getitem__(self, scene_id: str) -> Scene:
        scene = self._scenes.get(scene_id)
        if scene is not None:
            return scene
        if self._real is not None:
            return self._real[scene_id]
        blob = self._packed[scene_id]
        collecting = gc.isenabled()
        gc.disable()  # a scene is a few dozen objects, all kept: nothing for the collector to find
        try:
            scene = _decode(marshal.loads(blob))
            if type(scene) is not Scene:
                raise TypeError("not a scene")
        except (EOFError, IndexError, KeyError, TypeError, ValueError, AttributeError, RecursionError):
            self._real = self._fallback().scenes
            return self._real[scene_id]
        finally:
            if collecting:
                gc.enable()
        self._scenes[scene_id] = scene
        # Kept for the whole game, like the story opened before it: out of the collector's sight,
        # or each full collection walks every scene visited and a move costs more the longer the
        # game. (Freezing takes everything alive now, at the cost of a list splice; what the game
        # frees later is still freed by its reference count.)
        gc.freeze()
        return scene

    def __contains__(self, scene_id: object) -> bool:
        return scene_id in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)
