from __future__ import annotations

import os
from pathlib import Path

from adventure.core.output import plain
from adventure.play.reload import StoryWatcher
from adventure.play.session import Session
from adventure.saves.store import SaveStore
from adventure.story.loader import load_story

from .conftest import MINI_SCENES
from .test_cli import run


def dev_session(mini_dir: Path, tmp_path: Path) -> Session:
    game = Session(load_story(mini_dir), SaveStore(tmp_path / "saves"), watcher=StoryWatcher(mini_dir))
    game.start()
    return game


def edit(path: Path, text: str) -> None:
    path.write_text(text)
    stamp = path.stat().st_mtime_ns + 1_000_000_000  # a clear change even on coarse clocks
    os.utime(path, ns=(stamp, stamp))


def test_an_edited_scene_is_reloaded_before_the_next_command(mini_dir: Path, tmp_path: Path) -> None:
    game = dev_session(mini_dir, tmp_path)
    game.handle("take")
    game.handle("coins")
    edit(mini_dir / "hall.yaml", MINI_SCENES.replace("A long hall.", "A longer hall, freshly painted."))
    text = plain(game.handle("look").output)
    assert "Reloaded the story" in text and "A longer hall, freshly painted." in text
    assert game.state.variables["gold"] == 2 and "key" in game.state.inventory


def test_a_broken_edit_is_shown_in_the_game_which_goes_on(mini_dir: Path, tmp_path: Path) -> None:
    game = dev_session(mini_dir, tmp_path)
    edit(mini_dir / "hall.yaml", MINI_SCENES.replace("goto: yard", "goto: yrd"))
    text = plain(game.handle("coins").output)
    assert "could not be reloaded" in text and "'goto' names scene 'yrd'" in text
    assert "You have 2 gold now." in text  # the command itself still ran, on the old story
    edit(mini_dir / "hall.yaml", MINI_SCENES)
    assert "Reloaded the story" in plain(game.handle("reload").output)


def test_reload_works_from_the_command_line(mini_dir: Path) -> None:
    result = run(["play", "--dev", "--scenes", str(mini_dir)], stdin="coins\nreload\n")
    assert "Reloaded the story from" in result.stdout and "Gold: 2." in result.stdout


def test_reload_is_just_words_without_dev(mini_dir: Path) -> None:
    result = run(["play", "--scenes", str(mini_dir)], stdin="reload\n")
    assert "You can't 'reload' here." in result.stdout
