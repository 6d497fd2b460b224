"""Line mode, for pipes and files: one command a line, a clean transcript, no escape codes.

It never imports prompt_toolkit, so `adventure play < commands.txt` starts as fast as it can.
"""

from __future__ import annotations

import shutil
from typing import IO

from adventure.core.output import Output, plain
from adventure.play.session import Session

GOODBYE = "Goodbye."


def screen_width() -> int:
    return min(shutil.get_terminal_size((80, 24)).columns, 100)


def play_lines(session: Session, opening: Output, stdin: IO[str], stdout: IO[str]) -> int:
    """Play commands read from `stdin`, writing a transcript in which each command is echoed."""
    width = screen_width()
    stdout.write(plain(opening, width) + "\n")
    try:
        for raw in stdin:
            command = raw.rstrip("\r\n")
            stdout.write(f"\n> {command}\n")
            reply = session.handle(command)
            if reply.output:
                stdout.write("\n" + plain(reply.output, width) + "\n")
            if reply.quit:
                break
        else:
            _write_notes(stdout, session.leave(), width)  # end of input: keep the game
    except KeyboardInterrupt:
        _write_notes(stdout, session.leave(), width)
    stdout.write(f"{GOODBYE}\n")
    stdout.flush()
    return 0


def _write_notes(stdout: IO[str], output: Output, width: int) -> None:
    if output:
        stdout.write("\n" + plain(output, width) + "\n")
