"""A game being played: the story, where the player stands, and the commands around the story.

The engine answers story commands; the session is the one place that front ends talk to, so the
plain and the full-screen front ends behave the same.
"""

from __future__ import annotations

from typing import Optional

import attrs

from . import engine
from .model import Story
from .output import Output
from .state import GameState


@attrs.frozen
class Reply:
    output: Output
    quit: bool = False


@attrs.frozen
class Status:
    """What the status bar shows."""

    title: str
    ids: int
    ids_total: int
    turn: int


@attrs.define
class Session:
    story: Story
    state: GameState = attrs.field(default=None)

    def start(self, state: Optional[GameState] = None) -> Output:
        turn = engine.begin(self.story, state)
        self.state = turn.state
        return turn.output

    def handle(self, line: str) -> Reply:
        turn = engine.step(self.story, self.state, line)
        self.state = turn.state
        return Reply(turn.output, turn.quit)

    def completions(self) -> list[str]:
        return engine.completions(self.story, self.state)

    def status(self) -> Status:
        state = self.state
        if state.ended:
            title = self.story.endings[state.ending or ""].title
        else:
            title = self.story.scenes[state.scene].title
        ids = sum(1 for item in state.inventory if item in self.story.id_items)
        return Status(title, ids, self.story.ids_total, state.turn)
