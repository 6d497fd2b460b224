"""A transcript of a game: everything the player read and typed, as plain text, as Inform's
interpreters keep one. Written as it happens, so a game that is killed keeps its transcript.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO

from adventure.core.output import Output, plain, safe

WIDTH = 80  # lines of a transcript are wrapped for reading, not for a screen


class Transcript:
    """An open transcript file. It is only ever added to: an existing file keeps what it held."""

    def __init__(self, path: Path, title: str, now: datetime) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] | None = path.open("a", encoding="utf-8")
        self._write(f"== A transcript of {safe(title)}, begun {now.isoformat(timespec='minutes')} ==\n")

    @property
    def open(self) -> bool:
        return self._file is not None

    def record(self, command: str | None, output: Output) -> None:
        """Add a command as typed (None: none, as for the opening) and what the game answered."""
        text = f"\n> {safe(command)}\n" if command is not None else ""
        if output:
            text += "\n" + plain(output, WIDTH) + "\n"
        self._write(text)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _write(self, text: str) -> None:
        if self._file is None:
            return
        self._file.write(text)
        self._file.flush()
