"""What the `adventure` process knows of itself, shared by the player's commands and the tools."""

from __future__ import annotations

QUICK_EXIT = [False]  # set by `check`: the command may leave without freeing its memory (main.entry)
STARTED: list[float] = []  # when the process started, on the perf_counter clock, if main.entry knows
