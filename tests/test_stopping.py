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

ROOT = Path(__file__).resolve().parent.parent


def environment(tmp_path: Path) -> dict[str, str]:
    # This checkout's code, whatever copy of the package is installed.
    return {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "data"), "TERM": "xterm"}


def autosave(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / ".autosave.mini.json").read_text())  # type: ignore[no-any-return]


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
    game = subprocess.Popen(
        [sys.executable, "-m", "adventure", "play", "--scenes", str(mini_dir), "--saves", str(saves)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(tmp_path),
        cwd=tmp_path,
    )
    assert game.stdin is not None
    game.stdin.write("take\ncoins\n")  # two moves, no change of scene
    game.stdin.flush()
    wait_for(lambda: (saves / ".autosave.mini.json").exists() and autosave(saves)["state"]["turn"] == 2)
    game.send_signal(number)
    _, err = game.communicate(timeout=20)
    assert game.returncode == 128 + number
    assert "Traceback" not in err
    state = autosave(saves)["state"]
    assert state["inventory"] == ["key"] and state["variables"]["gold"] == 2


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
    wait_for(lambda: (saves / ".autosave.mini.json").exists() and autosave(saves)["state"]["turn"] == 2)
    child.close(force=False)  # the terminal goes away: the game gets SIGHUP
    wait_for(lambda: not child.isalive())
    state = autosave(saves)["state"]
    assert state["turn"] == 2 and state["variables"]["gold"] == 2
