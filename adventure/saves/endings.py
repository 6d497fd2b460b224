"""Which endings of each story a player has reached, across all their games: one small JSON file
in the per-user data folder, read with suspicion and written atomically.

It is a comfort, not a save: a record that cannot be read or written is left alone and the game
goes on without it.
"""

from __future__ import annotations

import json
import os
import re
import stat
import time
from pathlib import Path
from typing import Any

FILE = "endings.json"
MAX_BYTES = 1 << 20  # thousands of stories' worth; a larger file is not ours
_ID = re.compile(r"[A-Za-z0-9_-]{1,200}\Z")


class EndingsBook:
    """The endings found, per story id, in the order they were first reached."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def found(self, story_id: str) -> list[str]:
        return list(self._read().get(story_id, []))

    def add(self, story_id: str, ending: str) -> list[str]:
        """Record `ending` as found; return every ending of the story found so far."""
        stories = self._read()
        found = stories.setdefault(story_id, [])
        if ending in found:
            return list(found)
        found.append(ending)
        try:
            self._write(stories)
        except OSError:
            pass  # a read-only or full disk: the player is still told, this game
        return list(found)

    def _read(self) -> dict[str, list[str]]:
        try:
            descriptor = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return {}
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
                return {}
            data = json.loads(os.read(descriptor, MAX_BYTES + 1).decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}
        finally:
            os.close(descriptor)
        return _clean(data)

    def _write(self, stories: dict[str, list[str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
        try:
            temporary.write_text(json.dumps({"format": 1, "stories": stories}, indent=1) + "\n", encoding="utf-8")
            os.replace(temporary, self.path)
        finally:
            temporary.unlink(missing_ok=True)


def _clean(data: Any) -> dict[str, list[str]]:
    """Only well-formed ids survive: a hand-edited or hostile file can add nothing odd."""
    stories = data.get("stories") if isinstance(data, dict) else None
    if not isinstance(stories, dict):
        return {}
    return {
        story: list(dict.fromkeys(e for e in endings if isinstance(e, str) and _ID.match(e)))
        for story, endings in stories.items()
        if isinstance(story, str) and _ID.match(story) and isinstance(endings, list)
    }
