"""Shared fixtures: the tiny inline story, the shipped story checked and walked once, the command line
in process, the engine's step run directly and through a save, and folders that keep tests at home.

Plain helpers and constants are in support.py.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from adventure.analysis.check import Report, check_story
from adventure.analysis.walkthrough import Walked, run_walkthrough
from adventure.core import engine
from adventure.core.model import Story
from adventure.core.output import plain
from adventure.core.state import GameState
from adventure.story.loader import load_story
from adventure.story.walkthroughs import load_walkthrough

pytest.register_assert_rewrite("tests.support")  # before the import: its helpers assert, with details

from .support import (  # noqa: E402
    MINI_SCENES,
    MINI_STORY,
    SHIPPED,
    WALKTHROUGHS,
    Cli,
    Play,
    Step,
    round_trip,
    write_story,
)


@pytest.fixture(autouse=True)
def saves_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test, and every command it runs, saves into its own temporary folder, and its per-user
    data and cache folders are temporary too, so no test ever writes to the real home folder."""
    folder = tmp_path / "saves"
    monkeypatch.setenv("ADVENTURE_SAVES", str(folder))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return folder


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    return write_story(tmp_path / "mini", {"story.yaml": MINI_STORY, "hall.yaml": MINI_SCENES})


@pytest.fixture
def mini(mini_dir: Path) -> Story:
    return load_story(mini_dir)


@pytest.fixture(scope="session")
def shipped_story() -> Story:
    """The story the game ships, loaded once for the whole run."""
    return load_story(SHIPPED)


@pytest.fixture(scope="session")
def shipped_report(shipped_story: Story) -> Report:
    """The full check of the shipped story, done once for the whole run: it is the slowest thing we do."""
    return check_story(shipped_story)


@pytest.fixture(scope="session")
def shipped_walks(shipped_story: Story) -> dict[str, Walked]:
    """Every shipped walkthrough, played once for the whole run, by file name."""
    return {
        path.name: run_walkthrough(shipped_story, load_walkthrough(path))
        for path in sorted(WALKTHROUGHS.glob("*.yaml"))
    }


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """The `adventure` command, run in this process: `cli("play", ..., status=0, stdin="look\\n")`."""
    return Cli(capsys)


@pytest.fixture(params=["direct", "through-a-save"])
def step(request: pytest.FixtureRequest) -> Step:
    """engine.step, run directly and then with every state written to JSON and read back before and
    after each step, as ink runs its whole suite: a state that does not survive a save fails the test."""
    if request.param == "direct":
        return engine.step

    def step_through_a_save(story: Story, state: GameState, command: str) -> engine.Turn:
        turn = engine.step(story, round_trip(state), command)
        return attrs.evolve(turn, state=round_trip(turn.state))

    return step_through_a_save


@pytest.fixture
def play(step: Step) -> Play:
    """Begin a story and type commands through `step`: the last state, and what the last one printed."""

    def play(story: Story, *commands: str) -> tuple[GameState, str]:
        turn = engine.begin(story)
        state, text = turn.state, plain(turn.output)
        for command in commands:
            turn = step(story, state, command)
            state, text = turn.state, plain(turn.output)
        return state, text

    return play
