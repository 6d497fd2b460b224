"""End to end: the installed `adventure` command, in a pseudo-terminal and through pipes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from .conftest import MINI_SCENES, MINI_STORY, write_story


def command() -> list[str]:
    installed = shutil.which("adventure")
    return [installed] if installed else [sys.executable, "-m", "adventure"]


def run(
    args: list[str], stdin: str = "", cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command() + args,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


CPR_REQUEST = re.escape("\x1b[6n")
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def spawn(args: list[str], cwd: Path | None = None, **env: str) -> pexpect.spawn:
    exe, *rest = command()
    environment = {**os.environ, "TERM": "xterm-256color", **env}
    if "NO_COLOR" not in env:
        environment.pop("NO_COLOR", None)
    return pexpect.spawn(exe, rest + args, encoding="utf-8", timeout=20, dimensions=(40, 100), env=environment, cwd=cwd)


def expect(child: pexpect.spawn, pattern: str) -> str:
    """Wait for `pattern`, answering the terminal's cursor-position requests as a real one would."""
    seen = ""
    while True:
        index = child.expect([CPR_REQUEST, pattern])
        seen += child.before or ""
        if index == 0:
            child.send("\x1b[40;1R")
            continue
        return seen


def test_piped_commands_play_a_game_with_a_clean_transcript(mini_dir: Path) -> None:
    result = run(["play", "--scenes", str(mini_dir)], stdin="take\ncoins\nopen the door\ni\nleave\n")
    assert result.returncode == 0, result.stderr
    transcript = result.stdout
    assert "\x1b" not in transcript
    assert transcript.index("> take") < transcript.index("You pocket the key.") < transcript.index("> coins")
    assert "Ids: 1 of 2" in transcript
    assert "*** Outside ***" in transcript and "You leave with 2 gold." in transcript
    assert result.stderr == ""


def test_play_is_the_default_command(mini_dir: Path) -> None:
    result = run(["--scenes", str(mini_dir)], stdin="quit\n")
    assert "The Hall" in result.stdout and "Goodbye." in result.stdout


def test_a_broken_story_is_reported_without_a_traceback(tmp_path: Path) -> None:
    folder = write_story(
        tmp_path / "bad", {"story.yaml": MINI_STORY, "hall.yaml": MINI_SCENES.replace("goto: yard", "goto: yrd")}
    )
    result = run(["play", "--scenes", str(folder)])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "hall.yaml:22:15: error: 'goto' names scene 'yrd'" in result.stderr
    assert result.stderr.strip().endswith("1 error in " + str(folder))


def test_a_missing_story_folder_is_a_one_line_error(tmp_path: Path) -> None:
    result = run(["play", "--scenes", str(tmp_path / "nowhere")])
    assert result.returncode == 1
    assert result.stderr.startswith("adventure: no story folder at")


def test_the_shipped_story_plays_from_any_folder(tmp_path: Path) -> None:
    result = run(["play"], stdin="look\nquit\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Goodbye." in result.stdout and "1." in result.stdout


def test_terminal_play_by_number_words_and_tab_completion(mini_dir: Path) -> None:
    child = spawn(["play", "--scenes", str(mini_dir)])
    expect(child, "You arrive, blinking.")
    expect(child, "Ids 0/2")  # the status bar
    child.sendline("1")
    expect(child, "You pocket the key.")
    child.send("coi\t")
    expect(child, "ns")
    child.sendline("")
    expect(child, "You have 2 gold now.")
    child.sendline("open the door")
    expect(child, "Cold air and stars.")
    expect(child, "Ids 1/2")
    child.sendline("quit")
    expect(child, "Goodbye.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.parametrize("key", ["\x04", "\x03"], ids=["ctrl-d", "ctrl-c"])
def test_control_keys_leave_cleanly(mini_dir: Path, key: str) -> None:
    child = spawn(["play", "--scenes", str(mini_dir)])
    expect(child, "Pick up gold")
    expect(child, "> ")
    child.send(key)
    seen = expect(child, "Goodbye.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in seen + (child.before or "")


def colour_codes(text: str) -> list[str]:
    """SGR parameters that set a colour (30-38, 40-48, 90-107); bold and italic are not colour."""
    found = []
    for params in SGR.findall(text):
        for param in params.split(";"):
            if param.isdigit() and (30 <= int(param) <= 38 or 40 <= int(param) <= 48 or 90 <= int(param) <= 107):
                found.append(params)
    return found


def test_no_color_removes_colour_codes(mini_dir: Path) -> None:
    child = spawn(["play", "--scenes", str(mini_dir)], NO_COLOR="1")
    seen = expect(child, "Pick up gold")
    child.sendline("q")
    child.expect(pexpect.EOF)
    seen += child.before or ""
    child.close()
    assert colour_codes(seen) == []


def test_colour_is_used_without_no_color(mini_dir: Path) -> None:
    child = spawn(["play", "--scenes", str(mini_dir)])
    seen = expect(child, "Pick up gold")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert colour_codes(seen)


def test_piped_play_never_loads_prompt_toolkit(mini_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "adventure", "play", "--scenes", str(mini_dir)],
        input="quit\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "Goodbye." in result.stdout
    assert "adventure.play.lines" in result.stderr  # the import log is there...
    assert "prompt_toolkit" not in result.stderr  # ...and the terminal library is not in it
