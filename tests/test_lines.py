"""Line mode (adventure.play.lines), for pipes and files: a transcript, and leaving cleanly however
the input ends: its end, `quit`, Ctrl-C, or a reader that goes away."""

from __future__ import annotations

import io
import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from adventure.core.model import Story
from adventure.play.lines import play_lines
from adventure.play.session import Session
from adventure.saves.savefile import AUTOSAVE
from adventure.saves.store import SaveStore

from .support import ROOT, Cli, adventure_command, checkout_env, expect, spawn


def played(session: Session, lines: list[str] | Iterator[str]) -> str:
    stdout = io.StringIO()
    assert play_lines(session, session.start(), iter(lines), stdout) == 0
    return stdout.getvalue()


@pytest.fixture
def session(mini: Story, saves_in_tmp: Path) -> Session:
    return Session(mini, SaveStore(saves_in_tmp))


def test_each_command_is_echoed_before_its_answer(session: Session) -> None:
    transcript = played(session, ["take\n", "coins\r\n"])
    assert "\n> take\n\nYou pocket the key.\n" in transcript
    assert "\n> coins\n\nYou have 2 gold now.\n" in transcript  # a Windows line end is no part of it


def test_quit_stops_reading(session: Session) -> None:
    transcript = played(session, ["quit\n", "coins\n"])
    assert "> coins" not in transcript and transcript.endswith("\n> quit\nGoodbye.\n")


def test_the_end_of_input_keeps_the_game(session: Session, saves_in_tmp: Path) -> None:
    played(session, ["coins\n"])
    assert SaveStore(saves_in_tmp).read(AUTOSAVE).state.variables["gold"] == 2


def test_ctrl_c_keeps_the_game_and_says_goodbye(session: Session, saves_in_tmp: Path) -> None:
    def typed_then_interrupted() -> Iterator[str]:
        yield "coins\n"
        raise KeyboardInterrupt

    transcript = played(session, typed_then_interrupted())
    assert transcript.endswith("Goodbye.\n") and "Traceback" not in transcript
    assert SaveStore(saves_in_tmp).read(AUTOSAVE).state.variables["gold"] == 2


def test_a_game_that_cannot_be_kept_says_so_on_leaving(mini: Story, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    transcript = played(Session(mini, SaveStore(blocker / "saves")), [])
    assert "Autosave failed" in transcript and transcript.endswith("Goodbye.\n")


@pytest.mark.parametrize("columns, widest", [("40", 40), ("300", 100)])
def test_text_is_wrapped_to_the_screen_up_to_100_columns(
    mini: Story, monkeypatch: pytest.MonkeyPatch, columns: str, widest: int
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    long = "A long hall. " * 30
    story_text = played(Session(mini), ["look\n"]).replace("A long hall. Gold: 0.", long)
    assert story_text  # the story's own paragraphs are short; wrap a long one the same way
    from adventure.core.output import PROSE, Block, plain
    from adventure.play.lines import screen_width

    assert screen_width() == widest
    assert max(len(line) for line in plain((Block(PROSE, long),), screen_width()).splitlines()) <= widest


def test_a_reader_that_goes_away_in_process_ends_quietly(
    cli: Cli, mini_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    errors = io.StringIO()
    monkeypatch.setattr("sys.stdout", Closed())
    monkeypatch.setattr("sys.stderr", errors)
    ran = cli("play", "--scenes", str(mini_dir), status=0, stdin="coins\n")
    assert ran.out == "" and errors.getvalue() == ""


# ---------------------------------------------------------------- in a real subprocess


def test_a_reader_that_goes_away_gets_no_traceback(mini_dir: Path, tmp_path: Path) -> None:
    commands = tmp_path / "commands.txt"
    commands.write_text("coins\n" * 3000)  # far more output than a pipe holds, so writing must fail
    shell = " ".join([*adventure_command(), "play", "--scenes", str(mini_dir)])
    done = subprocess.run(
        ["bash", "-c", f"{shell} < {commands} | head -1; exit ${{PIPESTATUS[0]}}"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=checkout_env(),
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "== The Hall ==\n", "")


def test_ctrl_c_in_piped_play_keeps_the_game(mini_dir: Path, saves_in_tmp: Path) -> None:
    game = subprocess.Popen(
        [*adventure_command(), "play", "--scenes", str(mini_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=checkout_env(),
    )
    assert game.stdin and game.stdout and game.stderr
    game.stdin.write("coins\n")
    game.stdin.flush()
    while "You have 2 gold now." not in game.stdout.readline():
        pass
    game.send_signal(signal.SIGINT)  # the pipe stays open: only the interrupt ends the game
    rest, errors = game.stdout.read(), game.stderr.read()
    assert game.wait(timeout=30) == 0
    assert rest.endswith("Goodbye.\n") and errors == ""
    saved = json.loads((saves_in_tmp / ".autosave.json").read_text())
    assert saved["state"]["variables"]["gold"] == 2


def test_a_dumb_terminal_gets_the_plain_transcript(mini_dir: Path) -> None:
    child = spawn(["play", "--scenes", str(mini_dir)], TERM="dumb")
    expect(child, "Pick up gold")
    child.sendline("coins")
    seen = expect(child, "You have 2 gold now.")
    child.sendline("quit")
    seen += expect(child, "Goodbye.")
    child.expect(pexpect_eof())
    child.close()
    assert child.exitstatus == 0
    assert "> coins" in seen and "\x1b" not in seen  # the echoed command, and no escape code at all


def pexpect_eof() -> type:
    import pexpect

    return pexpect.EOF
