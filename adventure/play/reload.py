"""Live reload for authors (`adventure play --dev`): notice edited story files between commands."""

from __future__ import annotations

from pathlib import Path

from adventure.core.model import Story
from adventure.story.folders import story_files
from adventure.story.loader import load_story


class StoryWatcher:
    """Knows a story folder's files by size and modification time, and reloads them on request."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.stamp = self._stamp()

    def _stamp(self) -> tuple[tuple[str, int, int], ...]:
        stamps = []
        for path in story_files(self.folder):
            try:
                info = path.stat()
            except OSError:
                continue
            stamps.append((str(path), info.st_mtime_ns, info.st_size))
        return tuple(stamps)

    def changed(self) -> bool:
        return self._stamp() != self.stamp

    def load(self) -> Story:
        """Read the story again; raises StoryError, and then the next change is noticed again."""
        self.stamp = self._stamp()
        return load_story(self.folder)
