"""Seeded random play (adventure.analysis.randomplay) and `adventure check --random N`."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from adventure.analysis import randomplay
from adventure.analysis.randomplay import random_play
from adventure.core import engine
from adventure.core.model import Story
from adventure.story.loader import load_story

from .support import Cli, write_story

TRAP = {
    "story.yaml": """\
        story: {id: trap, title: Trap, version: 1, start: hall}
        endings:
          out: {title: Out, text: Out.}
        """,
    "hall.yaml": """\
        scenes:
          hall:
            title: Hall
            choices:
              - {label: Go down the well, goto: well}
              - {label: Leave, end: out}
              - {label: Paint the wall, when: "false", goto: attic}
          well:
            title: Well
            choices:
              - {label: Wait, when: "turn < 3"}
          attic:
            title: Attic
            choices:
              - {label: Leave, end: out}
        """,
}


@pytest.fixture
def trap_dir(tmp_path: Path) -> Path:
    return write_story(tmp_path / "trap", TRAP)


@pytest.fixture
def trap(trap_dir: Path) -> Story:
    return load_story(trap_dir)


def test_random_games_find_the_trap_and_what_none_reached(trap: Story) -> None:
    report = random_play(trap, 100, seed=0)
    assert report.games == 100 and report.stuck + report.endings["out"] == 100 and report.stuck > 0
    assert report.scenes_missed == ("attic",)
    assert report.choices_missed == (("hall", 3, "Paint the wall"),)
    [stuck] = report.failures
    assert stuck.scene == "well" and stuck.problem.startswith("stuck")


def test_a_reported_game_replays_from_its_seed_and_commands(trap: Story) -> None:
    [stuck] = random_play(trap, 50, seed=4).failures
    state = engine.begin(trap, seed=stuck.seed).state
    for command in stuck.commands:
        state = engine.step(trap, state, command).state
    assert state.scene == "well" and not [o for o in engine.offers(trap, state) if o.open]


def test_the_same_seed_gives_the_same_games(trap: Story) -> None:
    assert random_play(trap, 40, seed=9) == random_play(trap, 40, seed=9)
    assert random_play(trap, 40, seed=9).failures != random_play(trap, 40, seed=10).failures


def test_a_failure_of_the_engine_is_caught_and_replayable(trap: Story, monkeypatch: pytest.MonkeyPatch) -> None:
    real = engine.step

    def breaks_in_the_well(story: Story, state: object, command: str) -> engine.Turn:
        if getattr(state, "scene", "") == "well":
            raise ZeroDivisionError("a bug")
        return real(story, state, command)  # type: ignore[arg-type]

    monkeypatch.setattr(randomplay.engine, "step", breaks_in_the_well)
    report = random_play(trap, 20)
    assert report.failed > 0 and any(
        g.problem == "the engine failed: ZeroDivisionError: a bug" for g in report.failures
    )


def test_time_stops_the_games_and_says_so(trap: Story) -> None:
    ticks = iter(range(100))
    report = random_play(trap, 1_000, out_of_time=lambda: next(ticks) >= 5)
    assert report.games == 5 and report.stopped


def test_check_random_prints_what_it_found_and_a_replay_that_works(cli: Cli, trap_dir: Path) -> None:
    lines = cli("check", str(trap_dir), "--random", "60", status=1).out.splitlines()
    assert lines[0].startswith("random play: 60 games from seed 0; ")
    assert "got stuck, 0 made the engine fail" in lines[0]
    assert "  no random game reached: scene 'attic'" in lines
    assert "  never taken: choice 3 of scene 'hall' ('Paint the wall')" in lines
    [replay] = [line for line in lines if line.startswith("    replay: ")]
    typed, command = replay.removeprefix("    replay: printf ").split(" | ")
    args = shlex.split(command)[1:]
    shown = cli(*args, status=0, stdin=shlex.split(typed)[0].replace("\\n", "\n")).out
    assert "== Well ==" in shown and "1. Wait" not in shown.split("\n> ")[-1]  # stuck: nothing to take


def test_a_story_random_games_cannot_fault_exits_0(cli: Cli) -> None:
    story = Path(__file__).parent.parent / "docs" / "examples" / "lamp" / "story"
    out = cli("check", str(story), "--random", "30", "--seed", "5", status=0).out
    assert out.startswith("random play: 30 games from seed 5; 30 reached an ending")


def test_when_the_search_stops_at_a_bound_random_games_are_played(cli: Cli, trap_dir: Path) -> None:
    lines = cli("check", str(trap_dir), "--max-states", "2", status=1).out.splitlines()
    [search] = [n for n, line in enumerate(lines) if "stopped at --max-states;" in line]
    assert lines[search + 1].startswith("random play: 1,000 games from seed 0; ")
    assert lines[-1].startswith("    replay: ")


def test_check_random_json_is_the_report_as_data(cli: Cli, trap_dir: Path) -> None:
    data = json.loads(cli("check", str(trap_dir), "--random", "20", "--json", status=1).out)
    assert data["story"] == "trap" and data["random"]["games"] == 20
    assert data["random"]["failures"][0]["scene"] == "well" and data["random"]["scenes_missed"] == ["attic"]
