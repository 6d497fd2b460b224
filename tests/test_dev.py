"""--dev mode (adventure.play.reload): edited story files are read again between commands."""

from __future__ import annotations

import os
from pathlib import Path

from adventure.core.output import plain
from adventure.play.reload import StoryWatcher
from adventure.play.session import Session
from adventure.saves.store import SaveStore
from adventure.story.loader import load_story

from .support import BROKEN_SCENES, MINI_SCENES, Cli, flat


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
    edit(mini_dir / "hall.yaml", BROKEN_SCENES)
    text = plain(game.handle("coins").output)
    assert text.startswith("The story could not be reloaded; you are still playing the old one:")
    assert "hall.yaml:25:" in text  # the problem, with its place
    assert "You have 2 gold now." in text  # the command itself still ran, on the old story
    assert "could not be reloaded" not in plain(game.handle("coins").output)  # said once per edit
    edit(mini_dir / "hall.yaml", MINI_SCENES)
    assert "Reloaded the story" in plain(game.handle("reload").output)


def test_an_edit_the_game_no_longer_fits_keeps_the_old_story(mini_dir: Path, tmp_path: Path) -> None:
    game = dev_session(mini_dir, tmp_path)
    game.handle("take")
    game.handle("open")
    renamed = MINI_SCENES.replace("  yard:\n", "  garden:\n").replace("goto: yard", "goto: garden")
    edit(mini_dir / "hall.yaml", renamed.replace("label: Open the door", "label: Climb out"))
    text = plain(game.handle("look").output)
    assert "your place no longer fits it (scene 'yard' no longer exists); still playing the old one" in flat(text)
    assert game.state.scene == "yard" and "== The Yard ==" in text


def test_a_deleted_file_is_a_change_too(mini_dir: Path, tmp_path: Path) -> None:
    game = dev_session(mini_dir, tmp_path)
    extra = mini_dir / "more.yaml"
    edit(extra, "scenes:\n  attic:\n    title: Attic\n    choices:\n      - label: Down\n        goto: hall\n")
    assert "Reloaded the story" in plain(game.handle("look").output)
    extra.unlink()
    assert "Reloaded the story" in plain(game.handle("look").output) and "attic" not in game.story.scenes


def test_reload_works_from_the_command_line(cli: Cli, mini_dir: Path) -> None:
    ran = cli("play", "--dev", "--scenes", str(mini_dir), status=0, stdin="coins\nreload\n")
    assert f"Reloaded the story from {mini_dir}." in flat(ran.out) and "Gold: 2." in ran.out


def test_reload_is_just_words_without_dev(cli: Cli, mini_dir: Path) -> None:
    ran = cli("play", "--scenes", str(mini_dir), status=0, stdin="reload\n")
    assert "You can't 'reload' here." in ran.out
