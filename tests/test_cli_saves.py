"""Saving from the command line: --continue, --load, `adventure saves`, and where saves go when no
folder is named. In process, through main(argv)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adventure.saves.savefile import AUTOSAVE
from adventure.saves.store import SaveStore

from .support import MINI_STORY, Cli, in_terminal, mini_with


def test_end_of_input_keeps_the_game_and_continue_goes_on(cli: Cli, mini_dir: Path) -> None:
    cli("play", "--scenes", str(mini_dir), status=0, stdin="take\ncoins\n")
    ran = cli("play", "--scenes", str(mini_dir), "--continue", status=0, stdin="open\n")
    assert ran.out.startswith("Loaded the autosave.")
    assert "A long hall. Gold: 2." in ran.out and "Cold air and stars." in ran.out


def test_a_new_game_says_the_last_one_is_in_the_autosave_and_leaving_at_once_keeps_it(cli: Cli, mini_dir: Path) -> None:
    cli("play", "--scenes", str(mini_dir), status=0, stdin="take\ncoins\n")
    ran = cli("play", "--scenes", str(mini_dir), status=0, stdin="")  # a new game, left before a move
    assert ran.out.startswith("Your last game (The Hall, turn 2) is in the autosave: type 'load autosave'")
    kept = cli("play", "--scenes", str(mini_dir), "--continue", status=0, stdin="")
    assert kept.out.startswith("Loaded the autosave.") and "Gold: 2." in kept.out
    back = cli("play", "--scenes", str(mini_dir), status=0, stdin="load autosave\n")
    assert "Loaded the autosave." in back.out and "Gold: 2." in back.out.split("Loaded the autosave.")[1]


def test_load_by_name_from_the_shell(cli: Cli, mini_dir: Path) -> None:
    cli("play", "--scenes", str(mini_dir), status=0, stdin="take\nsave keyed\ncoins\nquit\n")
    ran = cli("play", "--scenes", str(mini_dir), "--load", "keyed", status=0, stdin="i\n")
    assert ran.out.startswith("Loaded 'keyed'.") and "a brass key" in ran.out
    assert "A long hall. Gold: 0." in ran.out  # the named save, not the later autosave


def test_continue_takes_the_newest_save(cli: Cli, mini_dir: Path, saves_in_tmp: Path) -> None:
    cli("play", "--scenes", str(mini_dir), status=0, stdin="coins\nsave older\n")
    cli("play", "--scenes", str(mini_dir), "--load", "older", status=0, stdin="coins\ncoins\nsave newer\n")
    (saves_in_tmp / ".autosave.mini.json").unlink()
    ran = cli("play", "--scenes", str(mini_dir), "--continue", status=0)
    assert ran.out.startswith("Loaded 'newer'.") and "Gold: 6." in ran.out


def test_loading_a_bad_name_fails_cleanly(cli: Cli, mini_dir: Path) -> None:
    ran = cli("play", "--scenes", str(mini_dir), "--load", "../../etc/passwd", status=1)
    assert ran.err.startswith("adventure: ") and "cannot name a save" in ran.err and ran.out == ""


def test_loading_a_damaged_save_fails_in_one_line_and_leaves_it(cli: Cli, mini_dir: Path, saves_in_tmp: Path) -> None:
    saves_in_tmp.mkdir()
    (saves_in_tmp / "cut.json").write_text('{"format": 1, "story": ')
    ran = cli("play", "--scenes", str(mini_dir), "--load", "cut", status=1)
    assert ran.err == (
        "adventure: save 'cut' is damaged (not valid JSON at line 1, column 24); the file was left as it is\n"
    )
    assert (saves_in_tmp / "cut.json").read_text() == '{"format": 1, "story": '


def test_a_damaged_autosave_is_set_aside_not_written_over(cli: Cli, mini_dir: Path, saves_in_tmp: Path) -> None:
    saves_in_tmp.mkdir()
    (saves_in_tmp / ".autosave.mini.json").write_text('{"format": 3, "st')
    ran = cli("play", "--scenes", str(mini_dir), "--continue", status=0, stdin="take\n")
    assert " ".join(ran.out.split()).startswith(
        "The autosave is damaged (not valid JSON at line 1, column 15). It is kept as "
    )
    [kept] = saves_in_tmp.glob(".autosave.mini.json.damaged-*")
    assert kept.read_text() == '{"format": 3, "st'  # what the player had, byte for byte
    assert "Take the key" in ran.out and SaveStore(saves_in_tmp, "mini").read(AUTOSAVE).state.turn == 1
    listed = cli("saves", "--saves", str(saves_in_tmp), status=0).out.splitlines()
    assert len(listed) == 2 and listed[1].split()[0] == "autosave"  # the kept file is no save


def test_continue_skips_a_damaged_save_and_says_so(cli: Cli, mini_dir: Path, saves_in_tmp: Path) -> None:
    saves_in_tmp.mkdir()
    (saves_in_tmp / "cut.json").write_text("{")
    ran = cli("play", "--scenes", str(mini_dir), "--continue", status=0)
    assert ran.out.startswith("Skipped cut: save 'cut' is damaged")
    assert "No save could be loaded: a new game begins." in ran.out and "You arrive, blinking." in ran.out


def test_continue_without_saves_starts_a_new_game(cli: Cli, mini_dir: Path) -> None:
    ran = cli("play", "--scenes", str(mini_dir), "--continue", status=0)
    assert ran.out.startswith("There are no saves yet: a new game begins.")
    assert "You arrive, blinking." in ran.out


def test_saves_lists_the_games_in_the_folder_named(cli: Cli, mini_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    cli("play", "--scenes", str(mini_dir), "--saves", str(other), status=0, stdin="take\nopen\nsave yard\n")
    lines = cli("saves", "--saves", str(other), status=0).out.splitlines()
    assert lines[0] == f"Saved games in {other}, newest first:"
    assert any(line.startswith("yard ") and "The Yard  Ids 1/2  turn 2" in line for line in lines)
    assert any(line.startswith("autosave ") for line in lines)
    assert cli("saves", "--saves", str(tmp_path / "empty"), status=0).out == f"No saves in {tmp_path / 'empty'}.\n"


# ---------------------------------------------------------------- two stories, one folder


@pytest.fixture
def other_dir(tmp_path: Path) -> Path:
    """The mini story again, under another id: another story sharing the saves folder."""
    return mini_with(tmp_path, story=MINI_STORY.replace("id: mini", "id: other"), name="other")


def test_playing_another_story_keeps_this_storys_game(cli: Cli, mini_dir: Path, other_dir: Path) -> None:
    cli("play", "--scenes", str(mini_dir), status=0, stdin="take\ncoins\n")
    cli("play", "--scenes", str(other_dir), status=0, stdin="coins\ncoins\ncoins\n")
    mine = cli("play", "--scenes", str(mini_dir), "--continue", status=0)
    assert mine.out.startswith("Loaded the autosave.") and "Gold: 2." in mine.out
    other = cli("play", "--scenes", str(other_dir), "--continue", status=0)
    assert other.out.startswith("Loaded the autosave.") and "Gold: 6." in other.out
    listed = cli("saves", status=0).out.splitlines()
    assert sum(line.startswith("autosave ") for line in listed) == 2


def test_continue_passes_over_the_saves_of_other_stories_without_a_word(
    cli: Cli, mini_dir: Path, other_dir: Path
) -> None:
    cli("play", "--scenes", str(mini_dir), status=0, stdin="coins\nsave mine\n")
    cli("play", "--scenes", str(other_dir), status=0, stdin="coins\ncoins\nsave theirs\n")
    ran = cli("play", "--scenes", str(mini_dir), "--continue", status=0)
    assert ran.out.startswith("Loaded the autosave.") and "Skipped" not in ran.out and "Gold: 2." in ran.out


def test_an_autosave_from_before_each_story_had_its_own_still_continues(
    cli: Cli, mini_dir: Path, saves_in_tmp: Path
) -> None:
    cli("play", "--scenes", str(mini_dir), status=0, stdin="take\ncoins\n")
    (saves_in_tmp / ".autosave.mini.json").rename(saves_in_tmp / ".autosave.json")
    ran = cli("play", "--scenes", str(mini_dir), "--continue", status=0, stdin="coins\n")
    assert ran.out.startswith("Loaded the autosave.") and "You have 4 gold now." in ran.out
    handed_over = [".autosave.mini.json", ".autosave.mini.moves"]  # once, the old file's moves with it
    assert sorted(p.name for p in saves_in_tmp.iterdir()) == handed_over


def test_an_old_shared_autosave_of_another_story_is_left_alone(
    cli: Cli, mini_dir: Path, other_dir: Path, saves_in_tmp: Path
) -> None:
    cli("play", "--scenes", str(other_dir), status=0, stdin="coins\n")
    (saves_in_tmp / ".autosave.other.json").rename(saves_in_tmp / ".autosave.json")
    kept = (saves_in_tmp / ".autosave.json").read_bytes()
    cli("play", "--scenes", str(mini_dir), status=0, stdin="take\n")
    assert (saves_in_tmp / ".autosave.json").read_bytes() == kept
    assert cli("play", "--scenes", str(other_dir), "--continue", status=0).out.startswith("Loaded the autosave.")


# ---------------------------------------------------------------- where saves go


@pytest.fixture
def nothing_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No --saves and no $ADVENTURE_SAVES; the game started in an empty folder. Returns the data folder."""
    monkeypatch.delenv("ADVENTURE_SAVES")
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    return tmp_path / "xdg-data"


def test_saves_go_to_the_per_user_data_folder_by_default(cli: Cli, mini_dir: Path, nothing_named: Path) -> None:
    folder = nothing_named / "metallic-rouge" / "saves"
    cli("play", "--scenes", str(mini_dir), status=0, stdin="coins\nsave mine\n")
    assert set(SaveStore(folder).names()) == {AUTOSAVE, "mine"}
    assert cli("saves", status=0).out.startswith(f"Saved games in {folder}, newest first:")
    assert list(Path.cwd().iterdir()) == []  # nothing was written where the game was started


def test_a_saves_folder_in_the_current_folder_is_used_first(cli: Cli, mini_dir: Path, nothing_named: Path) -> None:
    Path("saves").mkdir()
    cli("play", "--scenes", str(mini_dir), status=0, stdin="coins\nsave mine\n")
    assert "mine" in SaveStore(Path("saves")).names()
    assert not (nothing_named / "metallic-rouge").exists()
    assert cli("saves", status=0).out.startswith("Saved games in saves, newest first:")


def test_the_environment_and_the_option_name_the_folder_before_any_default(
    cli: Cli, mini_dir: Path, nothing_named: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    Path("saves").mkdir()
    monkeypatch.setenv("ADVENTURE_SAVES", str(tmp_path / "from-env"))
    cli("play", "--scenes", str(mini_dir), status=0, stdin="save one\n")
    cli("play", "--scenes", str(mini_dir), "--saves", str(tmp_path / "from-option"), status=0, stdin="save two\n")
    assert "one" in SaveStore(tmp_path / "from-env").names()
    assert "two" in SaveStore(tmp_path / "from-option").names()
    assert list(Path("saves").iterdir()) == [] and not (nothing_named / "metallic-rouge").exists()


# ---------------------------------------------------------------- in a terminal


def test_save_quit_and_continue_in_a_terminal(
    cli: Cli, mini_dir: Path, saves_in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    play = ["play", "--scenes", str(mini_dir)]
    in_terminal(
        lambda: cli(*play, status=0, tty=True).status,
        [
            ("take\r", "You pocket the key."),
            ("coins\r", "You have 2 gold now."),
            ("save before-door\r", "Saved as 'before-door'."),
            ("open\r", "Cold air and stars."),
            ("quit\r", "Goodbye."),
        ],
    )
    in_terminal(
        lambda: cli(*play, "--continue", status=0, tty=True).status,
        [("", "Loaded the autosave."), ("", "The Yard"), ("back\r", "Gold: 2."), ("\x03", "Goodbye.")],
    )
    data = json.loads((saves_in_tmp / ".autosave.mini.json").read_text())
    assert data["state"]["scene"] == "hall" and data["state"]["inventory"] == ["key", "id_one"]
    assert SaveStore(saves_in_tmp).read("before-door").state.scene == "hall"
