"""The terminal front end (adventure.play.terminal), driven headless in process through
prompt_toolkit's pipe input, as its own tests do; a few runs in a real pseudo-terminal end to end."""

from __future__ import annotations

import shlex
import signal
from pathlib import Path

import pexpect
import pytest

from adventure.core.model import Story
from adventure.play.session import Session
from adventure.play.stopping import Stopped
from adventure.play.terminal import HISTORY_FILE, play_terminal
from adventure.saves.savefile import AUTOSAVE
from adventure.saves.store import SaveStore

from .support import (
    ROOT,
    SGR,
    Cli,
    Ran,
    adventure_command,
    checkout_env,
    colour_codes,
    expect,
    finish,
    flat,
    in_terminal,
    spawn,
)


def game(story: Story, folder: Path | None) -> Session:
    return Session(story, SaveStore(folder) if folder else None)


def test_play_by_number_words_and_tab_completion_with_a_status_bar(mini: Story, saves_in_tmp: Path) -> None:
    session = game(mini, saves_in_tmp)
    opening = session.start()
    status, screen = in_terminal(
        lambda: play_terminal(session, opening),
        [
            ("", "Ids 0/2  |  turn 0"),  # the status bar
            ("1\r", "You pocket the key."),
            ("open the d\t", "open the door"),  # Tab completes the words of a choice
            ("\r", "Cold air and stars."),
            ("", "The Yard  |  Ids 1/2  |  turn 2"),
            ("quit\r", "Goodbye."),
        ],
    )
    assert status == 0
    assert screen.index("You arrive, blinking.") < screen.index("You pocket the key.") < screen.index("Cold air")


def test_tab_completes_save_names(mini: Story, saves_in_tmp: Path) -> None:
    session = game(mini, saves_in_tmp)
    opening = session.start()
    status, _ = in_terminal(
        lambda: play_terminal(session, opening),
        [
            ("coins\r", "You have 2 gold now."),
            ("save before-door\r", "Saved as 'before-door'."),
            ("coins\r", "You have 4 gold now."),
            ("load b\t", "load before-door"),
            ("\r", "will be left behind"),
            ("yes\r", "Loaded 'before-door'."),
            ("q\r", "Goodbye."),
        ],
    )
    assert status == 0 and session.state.variables["gold"] == 2


@pytest.mark.parametrize("key", ["\x04", "\x03"], ids=["ctrl-d", "ctrl-c"])
def test_ctrl_d_and_ctrl_c_leave_and_keep_the_game(mini: Story, saves_in_tmp: Path, key: str) -> None:
    session = game(mini, saves_in_tmp)
    opening = session.start()
    status, screen = in_terminal(
        lambda: play_terminal(session, opening), [("coins\r", "You have 2 gold now."), (key, "Goodbye.")]
    )
    assert status == 0
    assert f"Your game is saved in {saves_in_tmp / '.autosave.json'}" in flat(screen)
    assert SaveStore(saves_in_tmp).read(AUTOSAVE).state.variables["gold"] == 2


def test_a_game_that_cannot_be_kept_says_so_on_leaving(mini: Story, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    session = game(mini, blocker / "saves")
    opening = session.start()
    steps = [("coins\r", "You have 2"), ("\x04", "Goodbye.")]
    status, screen = in_terminal(lambda: play_terminal(session, opening), steps)
    assert status == 0 and "Autosave failed" in screen[screen.rindex("You have 2") :]


def test_without_saves_leaving_says_nothing_but_goodbye(mini: Story) -> None:
    session = game(mini, None)
    opening = session.start()
    status, screen = in_terminal(
        lambda: play_terminal(session, opening), [("coins\r", "You have 2"), ("\x04", "Goodbye.")]
    )
    assert status == 0 and "saved" not in screen.split("You have 2 gold now.")[1]


def test_told_to_stop_the_terminal_keeps_the_game_and_exits_128_plus_n(
    mini: Story, saves_in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prompt_toolkit import PromptSession

    def stopped(self: PromptSession[str], *args: object, **kwargs: object) -> str:
        raise Stopped(signal.SIGHUP)  # the terminal was closed while the prompt waited

    session = game(mini, saves_in_tmp)
    opening = session.start()
    session.handle("coins")
    (saves_in_tmp / ".autosave.json").unlink()  # so that only leaving can have written it
    monkeypatch.setattr(PromptSession, "prompt", stopped)
    status, screen = in_terminal(lambda: play_terminal(session, opening), [("", "You arrive, blinking.")])
    assert status == 128 + signal.SIGHUP and "Goodbye." not in screen
    assert SaveStore(saves_in_tmp).read(AUTOSAVE).state.variables["gold"] == 2


def test_history_is_kept_beside_the_saves_for_the_next_game(mini: Story, saves_in_tmp: Path) -> None:
    session = game(mini, saves_in_tmp)
    opening = session.start()
    in_terminal(lambda: play_terminal(session, opening), [("coins\r", "You have 2 gold now."), ("q\r", "Goodbye.")])
    kept = [line for line in (saves_in_tmp / HISTORY_FILE).read_text().splitlines() if line.startswith("+")]
    assert kept == ["+coins", "+q"]
    assert SaveStore(saves_in_tmp).names() == [AUTOSAVE]  # the history file is no save


def test_without_a_saves_folder_history_stays_in_memory(mini: Story, tmp_path: Path) -> None:
    session = game(mini, None)
    opening = session.start()
    status, _ = in_terminal(lambda: play_terminal(session, opening), [("coins\r", "You have 2"), ("q\r", "Goodbye.")])
    assert status == 0 and list(tmp_path.rglob(HISTORY_FILE)) == []


def test_the_command_line_picks_the_terminal_when_both_ends_are_one(
    cli: Cli, mini_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    runs: list[Ran] = []

    def play() -> int:
        runs.append(cli("play", "--scenes", str(mini_dir), status=0, tty=True))
        return runs[-1].status

    # The status bar only the terminal front end draws; and nothing goes the line mode's way.
    in_terminal(play, [("", "Ids 0/2"), ("coins\r", "You have 2 gold now."), ("quit\r", "Goodbye.")])
    assert runs[0].out == "" and runs[0].err == ""


# ---------------------------------------------------------------- in a real pseudo-terminal


def test_a_real_terminal_plays_completes_and_exits_0(mini_dir: Path, saves_in_tmp: Path) -> None:
    child = spawn(["play", "--scenes", str(mini_dir)])
    expect(child, "You arrive, blinking.")
    expect(child, "Ids 0/2")  # the status bar
    child.sendline("1")
    expect(child, "You pocket the key.")
    child.send("coi\t")
    expect(child, "ns")
    child.sendline("")
    expect(child, "You have 2 gold now.")
    child.send("\x03")  # Ctrl-C in a real terminal: a key prompt_toolkit reads, not a signal
    seen = expect(child, "Goodbye.")
    rest, status = finish(child)
    assert status == 0 and "Traceback" not in seen + rest
    assert SaveStore(saves_in_tmp, "mini").read(AUTOSAVE).state.variables["gold"] == 2


@pytest.mark.parametrize("no_color", [True, False], ids=["NO_COLOR", "colour"])
def test_colour_unless_no_color_in_a_real_terminal(mini_dir: Path, no_color: bool) -> None:
    child = spawn(["play", "--scenes", str(mini_dir)], **({"NO_COLOR": "1"} if no_color else {}))
    seen = expect(child, "Pick up gold")
    child.sendline("q")
    rest, status = finish(child)
    assert status == 0
    assert (colour_codes(seen + rest) == []) is no_color


def test_ctrl_c_clears_a_half_typed_line_and_leaves_from_an_empty_one(mini: Story, saves_in_tmp: Path) -> None:
    session = game(mini, saves_in_tmp)
    opening = session.start()
    status, screen = in_terminal(
        lambda: play_terminal(session, opening),
        [("open the do", "open the do"), ("\x03", ""), ("coins\r", "You have 2 gold now."), ("\x03", "Goodbye.")],
    )
    assert status == 0 and session.state.variables["gold"] == 2  # 'open the docoins' was never sent
    assert session.log == ["Pick up gold"] and "Your game is saved in" in flat(screen)


def test_no_color_keeps_the_status_bar_in_reverse_video(mini_dir: Path) -> None:
    child = spawn(["play", "--scenes", str(mini_dir)], NO_COLOR="1")
    seen = expect(child, "for help")
    child.sendline("q")
    rest, status = finish(child)
    assert status == 0 and colour_codes(seen + rest) == []
    assert any("7" in params.split(";") for params in SGR.findall(seen)), "no reverse video"


def test_ctrl_z_suspends_the_game_and_fg_brings_it_back(mini_dir: Path, tmp_path: Path) -> None:
    """Job control needs a shell: the game runs in an interactive bash, as a player's does."""
    shell = pexpect.spawn(
        "bash",
        ["--norc", "--noprofile", "-i"],
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 100),
        env={**checkout_env(TERM="xterm-256color", ADVENTURE_SAVES=str(tmp_path)), "PS1": "$ "},
        cwd=str(ROOT),
    )
    shell.sendline(" ".join(shlex.quote(a) for a in [*adventure_command(), "play", "--scenes", str(mini_dir)]))
    expect(shell, "for help")
    shell.send("\x1a")
    expect(shell, "Stopped")
    shell.sendline("fg")
    expect(shell, "for help")
    shell.sendline("coins")
    expect(shell, "You have 2 gold now.")
    shell.sendline("q")
    expect(shell, "Goodbye.")
    shell.sendline("exit")
    rest, status = finish(shell)
    assert status == 0 and "Traceback" not in rest
