"""End to end: saving and loading through the installed command."""

from __future__ import annotations

import json
from pathlib import Path

import pexpect

from .test_cli import expect, run, spawn


def test_save_quit_and_continue_in_a_terminal(mini_dir: Path, saves_in_tmp: Path) -> None:
    child = spawn(["play", "--scenes", str(mini_dir)])
    expect(child, "Pick up gold")
    child.sendline("take")
    expect(child, "You pocket the key.")
    child.sendline("coins")
    expect(child, "You have 2 gold now.")
    child.sendline("save before-door")
    expect(child, "Saved as 'before-door'.")
    child.sendline("open")
    expect(child, "Cold air and stars.")
    child.send("load b\t")
    expect(child, "efore-door")
    child.sendline("")
    expect(child, "Loaded 'before-door'.")
    child.sendline("quit")
    expect(child, "Goodbye.")
    child.expect(pexpect.EOF)

    child = spawn(["play", "--scenes", str(mini_dir), "--continue"])
    expect(child, "Loaded the autosave.")
    expect(child, "A long hall. Gold: 2.")
    child.sendline("coins")
    expect(child, "You have 4 gold now.")
    child.send("\x03")  # Ctrl-C: leaves, and keeps the game
    expect(child, "Goodbye.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    data = json.loads((saves_in_tmp / ".autosave.json").read_text())
    assert data["state"]["variables"]["gold"] == 4


def test_end_of_input_autosaves_and_continue_goes_on(mini_dir: Path, saves_in_tmp: Path) -> None:
    run(["play", "--scenes", str(mini_dir)], stdin="take\ncoins\n")
    result = run(["play", "--scenes", str(mini_dir), "--continue"], stdin="open\n")
    assert "Loaded the autosave." in result.stdout
    assert "Cold air and stars." in result.stdout


def test_load_by_name_from_the_shell(mini_dir: Path) -> None:
    run(["play", "--scenes", str(mini_dir)], stdin="take\nsave keyed\nquit\n")
    result = run(["play", "--scenes", str(mini_dir), "--load", "keyed"], stdin="i\n")
    assert "Loaded 'keyed'." in result.stdout and "a brass key" in result.stdout


def test_loading_a_missing_or_bad_save_from_the_shell_fails_cleanly(mini_dir: Path, saves_in_tmp: Path) -> None:
    result = run(["play", "--scenes", str(mini_dir), "--load", "../../etc/passwd"])
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot name a save" in result.stderr
    saves_in_tmp.mkdir(exist_ok=True)
    (saves_in_tmp / "cut.json").write_text('{"format": 1, "story": ')
    result = run(["play", "--scenes", str(mini_dir), "--load", "cut"])
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "adventure: save 'cut' is damaged (not valid JSON at line 1, column 24); the file was left as it is"
    )
    assert (saves_in_tmp / "cut.json").read_text() == '{"format": 1, "story": '


def test_saves_lists_from_the_shell_and_honours_the_folder_option(mini_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    run(["play", "--scenes", str(mini_dir), "--saves", str(other)], stdin="take\nopen\nsave yard\n")
    result = run(["saves", "--saves", str(other)])
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert any(line.startswith("yard ") and "The Yard" in line and "Ids 1/2" in line for line in lines)
    assert any(line.startswith("autosave ") for line in lines)
    assert "No saves in" in run(["saves", "--saves", str(tmp_path / "empty")]).stdout


def test_continue_without_saves_starts_a_new_game(mini_dir: Path) -> None:
    result = run(["play", "--scenes", str(mini_dir), "--continue"], stdin="")
    assert "There are no saves yet: a new game begins." in result.stdout
    assert "You arrive, blinking." in result.stdout
