"""Leaving when the system asks: SIGTERM and SIGHUP (the terminal closed) end the game as Ctrl-C does.

The handlers only raise `Stopped`, so a save being written when the signal lands is abandoned
cleanly by the store (its temporary file goes, the old save stays), and the front end then
autosaves the current state once more before it exits with the conventional status, 128 + N.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Stopped(BaseException):
    """The process was asked to stop by a signal; like KeyboardInterrupt, not an error."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number

    @property
    def exit_code(self) -> int:
        return 128 + self.number


def _raise(number: int, _frame: FrameType | None) -> None:
    raise Stopped(number)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise Stopped; the old handlers come back after."""
    previous = {number: signal.signal(number, _raise) for number in SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
