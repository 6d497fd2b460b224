"""A game told to stop by the system keeps every move: SIGTERM, and SIGHUP when its terminal closes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from adventure.core.model import Story
from adventure.play.session import Session
from adventure.saves.store import AUTOSAVE, SaveStore

ROOT = Path(__file__).resolve().parent.parent


def environment(tmp_path: Path) -> dict[str, str]:
    # This checkout's code, whatever copy of the package is installed.
    return {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "data"), "TERM": "xterm"}


def autosave(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / ".autosave.mini.json").read_text())  # type: ignore[no-any-return]


def piped_game(mini_dir: Path, tmp_path: Path, commands: str) -> subprocess.Popen[str]:
    """The real command playing the mini story with `commands` piped in and its input left open,
    saving in tmp_path/saves."""
    game = subprocess.Popen(
        [sys.executable, "-m", "adventure", "play", "--scenes", str(mini_dir), "--saves", str(tmp_path / "saves")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(tmp_path),
        cwd=tmp_path,
    )
    assert game.stdin is not None
    game.stdin.write(commands)
    game.stdin.flush()
    return game


def moves_kept(saves: Path) -> int:
    """How many moves the autosave's moves file holds: each move is a line there at once, and the
    state file follows at most a second later (and on leaving)."""
    moves = saves / ".autosave.mini.moves"
    return moves.read_text(encoding="utf-8").count("\n") if moves.exists() else 0


def wait_for(predicate, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_in_piped_play_autosaves_every_move_and_exits_128_plus_n(
    mini_dir: Path, tmp_path: Path, number: int
) -> None:
    saves = tmp_path / "saves"
    game = piped_game(mini_dir, tmp_path, "take\ncoins\n")  # two moves, no change of scene
    wait_for(lambda: moves_kept(saves) == 2)
    game.send_signal(number)
    _, err = game.communicate(timeout=20)
    assert game.returncode == 128 + number
    assert "Traceback" not in err
    state = autosave(saves)["state"]
    assert state["inventory"] == ["key"] and state["variables"]["gold"] == 2


def test_a_kill_in_piped_play_loses_no_move(mini_dir: Path, mini: Story, tmp_path: Path) -> None:
    """SIGKILL gives the game no chance to write on leaving: the moves file alone keeps the moves
    the autosave's state does not have yet, and continuing replays them."""
    saves = tmp_path / "saves"
    game = piped_game(mini_dir, tmp_path, "take\ncoins\nopen\n")
    wait_for(lambda: moves_kept(saves) == 3)
    game.kill()
    game.communicate(timeout=20)
    later = Session(mini, SaveStore(saves, mini.id))
    later.start_from_save(AUTOSAVE)
    assert later.state.scene == "yard" and later.state.variables["gold"] == 2 and later.state.turn == 3


def test_closing_the_terminal_keeps_the_last_move(mini_dir: Path, tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "adventure", "play", "--scenes", str(mini_dir), "--saves", str(saves)],
        env=environment(tmp_path),
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=20,
        dimensions=(30, 100),
    )
    child.expect("Take the key")
    child.sendline("take")
    child.expect("You pocket the key")
    child.sendline("coins")
    child.expect("You have 2")
    wait_for(lambda: moves_kept(saves) == 2)
    child.close(force=False)  # the terminal goes away: the game gets SIGHUP
    wait_for(lambda: not child.isalive())
    state = autosave(saves)["state"]
    assert state["turn"] == 2 and state["variables"]["gold"] == 2
