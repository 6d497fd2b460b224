"""Line mode, for pipes and files: one command a line, a clean transcript, no escape codes.

It never imports prompt_toolkit, so `adventure play < commands.txt` starts as fast as it can.
"""

from __future__ import annotations

import os
import sys
from typing import IO

from adventure.core.output import NOTE, Block, Output, plain, safe
from adventure.play.session import Reply, Session
from adventure.play.stopping import Stopped

GOODBYE = "Goodbye."
UNDECODABLE = "Some bytes of that line were not valid text in the input's encoding; they were read as '\ufffd'."


def terminal_columns() -> int:
    """The terminal's width as `shutil.get_terminal_size` finds it, without importing shutil.

    shutil brings bz2 and lzma with it: two milliseconds of every piped start, for one number.
    """
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def screen_width() -> int:
    return min(terminal_columns(), 100)


def play_lines(session: Session, opening: Output, stdin: IO[str], stdout: IO[str]) -> int:
    """Play commands read from `stdin`, writing a transcript in which each command is echoed."""
    width = screen_width()
    status = 0
    try:
        stdout.write(plain(opening, width) + "\n")
        for raw in stdin:
            command = raw.rstrip("\r\n")
            stdout.write(f"\n> {safe(command)}\n")
            reply = session.handle(command)
            if "\ufffd" in command:
                reply = Reply((*reply.output, Block(NOTE, UNDECODABLE)), reply.quit)
            if reply.output:
                stdout.write("\n" + plain(reply.output, width) + "\n")
            if reply.quit:
                break
        else:
            _write_notes(stdout, session.leave(), width)  # end of input: keep the game
    except KeyboardInterrupt:
        _write_notes(stdout, session.leave(), width)
    except Stopped as stop:
        # Closed or told to stop: keep the game first; the reader may be gone already.
        notes = session.leave()
        status = stop.exit_code
        try:
            _write_notes(stdout, notes, width)
        except OSError:
            return status
    stdout.write(f"{GOODBYE}\n")
    stdout.flush()
    return status


def _write_notes(stdout: IO[str], output: Output, width: int) -> None:
    if output:
        stdout.write("\n" + plain(output, width) + "\n")
