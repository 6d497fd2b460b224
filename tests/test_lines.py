"""Line mode (adventure.play.lines), for pipes and files: a transcript, and leaving cleanly however
the input ends: its end, `quit`, Ctrl-C, or a reader that goes away."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from adventure.core.model import Story
from adventure.play.lines import UNDECODABLE, play_lines, terminal_columns
from adventure.play.session import Session
from adventure.play.stopping import Stopped
from adventure.saves.savefile import AUTOSAVE
from adventure.saves.store import SaveStore
from adventure.story.loader import load_story

from .support import MINI_SCENES, ROOT, Cli, adventure_command, checkout_env, expect, finish, flat, mini_with, spawn


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
    assert "\n> quit\n" in transcript and "> coins" not in transcript and transcript.endswith("Goodbye.\n")


def test_without_saves_quit_says_only_goodbye(mini: Story) -> None:
    assert played(Session(mini), ["quit\n"]).endswith("  2. Pick up gold\n\n> quit\nGoodbye.\n")


def test_the_end_of_input_keeps_the_game(session: Session, saves_in_tmp: Path) -> None:
    def typed_then_ended() -> Iterator[str]:
        yield "coins\n"
        (saves_in_tmp / ".autosave.json").unlink()  # so that only leaving can write it again

    transcript = played(session, typed_then_ended())
    assert SaveStore(saves_in_tmp).read(AUTOSAVE).state.variables["gold"] == 2
    assert "'adventure play --continue' goes on from there." in transcript


def test_ctrl_c_keeps_the_game_and_says_goodbye(session: Session, saves_in_tmp: Path) -> None:
    def typed_then_interrupted() -> Iterator[str]:
        yield "coins\n"
        raise KeyboardInterrupt

    transcript = played(session, typed_then_interrupted())
    assert transcript.endswith("Goodbye.\n") and "Traceback" not in transcript
    assert f"Your game is saved in {saves_in_tmp / '.autosave.json'}" in flat(transcript)
    assert SaveStore(saves_in_tmp).read(AUTOSAVE).state.variables["gold"] == 2


def test_told_to_stop_by_the_system_the_game_is_kept_and_the_status_is_128_plus_n(
    cli: Cli, mini_dir: Path, saves_in_tmp: Path
) -> None:
    class TypedThenTerminated(io.StringIO):
        def __iter__(self) -> Iterator[str]:
            yield "coins\n"
            (saves_in_tmp / ".autosave.mini.json").unlink()  # so that only leaving can write it again
            os.kill(os.getpid(), signal.SIGTERM)  # what `kill` or a closing terminal sends
            yield "coins\n"

    handler = signal.getsignal(signal.SIGTERM)
    ran = cli("play", "--scenes", str(mini_dir), status=128 + signal.SIGTERM, stdin=TypedThenTerminated())
    assert ran.out.count("You have 2 gold now.") == 1 and ran.out.endswith("Goodbye.\n")
    assert SaveStore(saves_in_tmp, "mini").read(AUTOSAVE).state.variables["gold"] == 2
    assert signal.getsignal(signal.SIGTERM) == handler  # and the handler is put back after


def test_told_to_stop_when_the_reader_is_gone_the_game_is_still_kept(mini: Story, saves_in_tmp: Path) -> None:
    class Gone(io.StringIO):
        def write(self, text: str) -> int:
            if "Your game is saved" in text:
                raise BrokenPipeError(32, "Broken pipe")
            return super().write(text)

    def typed_then_stopped() -> Iterator[str]:
        yield "coins\n"
        (saves_in_tmp / ".autosave.json").unlink()  # so that only leaving can write it again
        raise Stopped(signal.SIGHUP)

    session = Session(mini, SaveStore(saves_in_tmp))
    assert play_lines(session, session.start(), typed_then_stopped(), Gone()) == 128 + signal.SIGHUP
    assert SaveStore(saves_in_tmp).read(AUTOSAVE).state.variables["gold"] == 2


def test_a_game_that_cannot_be_kept_says_so_on_leaving(mini: Story, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    transcript = played(Session(mini, SaveStore(blocker / "saves")), ["coins"])
    leaving = transcript[transcript.rindex("You have 2") :]
    assert "Autosave failed" in leaving and transcript.endswith("Goodbye.\n")


LONG = "Dust hangs in the light from the high windows, and the floor is scored where heavy things were dragged. " * 3


@pytest.mark.parametrize("columns, widest", [("40", 40), ("300", 100)])
def test_text_is_wrapped_to_the_screen_up_to_100_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, columns: str, widest: int
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    story = load_story(mini_with(tmp_path, MINI_SCENES.replace("You arrive, blinking.", LONG.strip())))
    lines = played(Session(story), []).splitlines()
    assert max(len(line) for line in lines) in range(widest - 15, widest + 1)


def test_the_width_is_columns_then_the_terminal_then_80(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: os.terminal_size((132, 40)))
    monkeypatch.setenv("COLUMNS", "60")
    assert terminal_columns() == 60
    for junk in ("0", "-5", "wide", ""):  # as shutil does: a COLUMNS that is no width is ignored
        monkeypatch.setenv("COLUMNS", junk)
        assert terminal_columns() == 132
    monkeypatch.delenv("COLUMNS")
    assert terminal_columns() == 132

    def not_a_terminal(fd: int) -> os.terminal_size:
        raise OSError("Inappropriate ioctl for device")

    monkeypatch.setattr(os, "get_terminal_size", not_a_terminal)
    assert terminal_columns() == 80
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: os.terminal_size((0, 0)))  # a pty never sized
    assert terminal_columns() == 80


# ---------------------------------------------------------------- what a player types, or a file holds


def test_a_number_of_thousands_of_digits_is_no_choice_not_a_crash(session: Session) -> None:
    transcript = played(session, ["1" * 5000 + "\n", "coins\n"])
    assert "There is no choice 111111111111...: pick 1 to 2." in transcript
    assert "You have 2 gold now." in transcript  # and the game goes on


def test_bytes_that_are_not_text_under_a_strict_encoding_are_reported(cli: Cli, mini_dir: Path) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"co\xffins\ncoins\n"), encoding="ascii", errors="strict")
    ran = cli("play", "--scenes", str(mini_dir), status=0, stdin=stdin)
    assert "\n> co\ufffdins\n" in ran.out
    assert UNDECODABLE in flat(ran.out)
    assert "You have 2 gold now." in ran.out and ran.err == ""


def test_escape_codes_in_a_story_never_reach_the_terminal(tmp_path: Path) -> None:
    scenes = MINI_SCENES.replace('"A long hall. Gold: {gold}."', '"A long hall.\\e[2J\\e]0;owned\\a Gold: {gold}."')
    story = load_story(mini_with(tmp_path, scenes))
    assert "\x1b[2J" in story.scenes["hall"].text[0].template.parts[0]  # the story does hold them
    transcript = played(Session(story), ["look\n", "\x1b[31mcoins\n"])
    assert "\x1b" not in transcript and "\x07" not in transcript
    assert "A long hall. [2J ]0;owned  Gold: 0." in transcript


def test_escape_codes_in_a_save_never_reach_the_terminal(session: Session, saves_in_tmp: Path) -> None:
    played(session, ["coins\n", "save mine\n"])
    path = saves_in_tmp / "mine.json"
    data = json.loads(path.read_text())
    data["summary"]["title"] = "\x1b]0;owned\x07The Hall\x1b[2J"
    path.write_text(json.dumps(data))
    transcript = played(session, ["saves\n"])
    assert "mine" in transcript and "owned" in transcript  # the listing shows the save...
    assert "\x1b" not in transcript and "\x07" not in transcript  # ...without its escape codes


def test_a_reader_that_goes_away_in_process_ends_quietly(
    cli: Cli, mini_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    class Errors(io.StringIO):
        said = ""

        def close(self) -> None:
            self.said = self.getvalue()
            super().close()

    errors = Errors()
    monkeypatch.setattr("sys.stdout", Closed())
    monkeypatch.setattr("sys.stderr", errors)
    ran = cli("play", "--scenes", str(mini_dir), status=0, stdin="coins\n")
    assert ran.out == "" and errors.said == ""
    assert errors.closed  # so that Python's own complaint about the lost output cannot be printed either


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
    assert f"Your game is saved in {saves_in_tmp / '.autosave.mini.json'}" in flat(rest)
    saved = json.loads((saves_in_tmp / ".autosave.mini.json").read_text())
    assert saved["state"]["variables"]["gold"] == 2


def test_a_dumb_terminal_gets_the_plain_transcript(mini_dir: Path) -> None:
    child = spawn(["play", "--scenes", str(mini_dir)], TERM="dumb")
    expect(child, "Pick up gold")
    child.sendline("coins")
    seen = expect(child, "You have 2 gold now.")
    child.sendline("quit")
    seen += expect(child, "Goodbye.")
    rest, status = finish(child)
    assert status == 0 and rest.strip() == ""
    assert "> coins" in seen and "\x1b" not in seen  # the echoed command, and no escape code at all
