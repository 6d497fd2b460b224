"""The `adventure` command (adventure.cli.main), run in process through `main(argv)`; a few runs in
a real subprocess show it end to end, running this checkout's code, never a stale installed copy."""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import adventure
from adventure import __version__
from adventure.core.errors import StoryError
from adventure.core.model import Story
from adventure.play.stopping import Stopped
from adventure.story.loader import load_story

from .support import BROKEN_SCENES, MINI_STORY, ROOT, Cli, adventure_command, checkout_env, mini_with, write_story


def test_piped_commands_play_a_game_with_a_clean_transcript(cli: Cli, mini_dir: Path) -> None:
    ran = cli("play", "--scenes", str(mini_dir), status=0, stdin="take\ncoins\nopen the door\ni\nleave\n")
    transcript = ran.out
    assert "\x1b" not in transcript
    assert transcript.index("> take") < transcript.index("You pocket the key.") < transcript.index("> coins")
    assert "Ids: 1 of 2" in transcript
    assert "*** Outside ***" in transcript and "You leave with 2 gold." in transcript
    assert transcript.endswith("Goodbye.\n")
    assert ran.err == ""


def test_play_is_the_default_command(cli: Cli, mini_dir: Path) -> None:
    ran = cli("--scenes", str(mini_dir), status=0, stdin="quit\n")
    assert ran.out.startswith("== The Hall ==") and ran.out.endswith("Goodbye.\n")


def test_no_arguments_play_the_shipped_story(cli: Cli, shipped_story: Story) -> None:
    ran = cli(status=0, stdin="quit\n")
    first_scene = shipped_story.scenes[shipped_story.start]
    assert ran.out.startswith(f"== {first_scene.title.literal} ==")


def test_the_shipped_story_plays_from_any_folder(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shipped_story: Story
) -> None:
    monkeypatch.chdir(tmp_path)
    ran = cli("play", status=0, stdin="look\nquit\n")
    title = shipped_story.scenes[shipped_story.start].title.literal
    assert ran.out.count(f"== {title} ==") == 2  # on arrival, and again for 'look'
    assert "  1. " in ran.out


def test_an_installation_without_the_shipped_story_says_what_to_do(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("adventure.story.folders.PACKAGE", tmp_path / "site-packages" / "adventure")
    ran = cli("play", status=1)
    assert ran.err == "adventure: the shipped story is missing from this installation; pass --scenes DIR\n"


def test_a_broken_story_is_reported_as_the_loader_reports_it_without_a_traceback(cli: Cli, tmp_path: Path) -> None:
    folder = mini_with(tmp_path, BROKEN_SCENES)
    with pytest.raises(StoryError) as loading:
        load_story(folder)
    ran = cli("play", "--scenes", str(folder), status=1)
    assert ran.err == loading.value.show() + "\n"
    assert ran.out == ""


def test_a_missing_story_folder_is_a_one_line_error(cli: Cli, tmp_path: Path) -> None:
    ran = cli("play", "--scenes", str(tmp_path / "nowhere"), status=1)
    assert ran.err.startswith(f"adventure: no story folder at {tmp_path / 'nowhere'}")
    assert ran.err.count("\n") == 1


def test_version_and_help(cli: Cli) -> None:
    assert cli("--version", status=0).out == f"adventure {__version__}\n"
    shown = cli("--help", status=0).out
    for command in ("play", "saves", "check", "graph", "walk", "schema"):
        assert f"    {command} " in shown
    assert "130 interrupted" in " ".join(shown.split())


def test_a_checkout_that_was_never_installed_has_an_unknown_version(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    try:
        assert importlib.reload(adventure).__version__ == "0+unknown"
    finally:
        monkeypatch.undo()
        importlib.reload(adventure)
    assert adventure.__version__ == __version__


@pytest.mark.parametrize(
    "args, complaint",
    [
        (["fly"], "invalid choice: 'fly'"),
        (["play", "--continue", "--load", "x"], "not allowed with argument"),
        (["--colour"], "unrecognized arguments: --colour"),
    ],
)
def test_a_wrong_command_line_is_a_usage_error_with_status_2(cli: Cli, args: list[str], complaint: str) -> None:
    ran = cli(*args, status=2)
    assert ran.err.startswith("usage: adventure") and complaint in ran.err


@pytest.mark.parametrize(
    "stop, status",
    [(KeyboardInterrupt(), 130), (Stopped(signal.SIGTERM), 128 + signal.SIGTERM)],
    ids=["ctrl-c", "sigterm"],
)
def test_stopped_before_the_game_starts_exits_quietly_with_the_conventional_status(
    cli: Cli, mini_dir: Path, monkeypatch: pytest.MonkeyPatch, stop: BaseException, status: int
) -> None:
    def interrupted(folder: Path, use_cache: bool = True) -> None:
        raise stop  # while the story loads: no game yet, nothing to keep

    monkeypatch.setattr(sys.modules["adventure.cli.main"], "open_story", interrupted)
    ran = cli("play", "--scenes", str(mini_dir), status=status)
    assert ran.out == "" and ran.err == ""


def test_terminal_mode_is_only_for_a_terminal_that_can_draw(
    cli: Cli, mini_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # TERM=dumb: even on a terminal, the plain transcript is played (no prompt_toolkit, no codes).
    monkeypatch.setenv("TERM", "dumb")
    ran = cli("play", "--scenes", str(mini_dir), status=0, stdin="coins\nquit\n", tty=True)
    assert "\n> coins\n\nYou have 2 gold now." in ran.out
    assert "\x1b" not in ran.out and ran.out.endswith("Goodbye.\n")


# ---------------------------------------------------------------- in a real subprocess


def test_the_command_in_a_subprocess_runs_this_checkout(tmp_path: Path) -> None:
    # Run from elsewhere, with the package installed too: the code is still this checkout's.
    done = subprocess.run(
        [sys.executable, "-v", *adventure_command()[1:], "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=checkout_env(),
    )
    assert done.returncode == 0 and done.stdout == f"adventure {__version__}\n"
    assert str(ROOT / "adventure" / "__main__.py") in done.stderr
    assert str(ROOT / "adventure" / "cli" / "main.py") in done.stderr


def test_piped_play_end_to_end_never_loads_prompt_toolkit(mini_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *adventure_command()[1:], "play", "--scenes", str(mini_dir)],
        input="take\nopen\nleave\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=checkout_env(),
    )
    assert done.returncode == 0
    assert done.stdout.startswith("== The Hall ==\n\nYou arrive, blinking.")
    assert "*** Outside ***" in done.stdout and done.stdout.endswith("Goodbye.\n")
    assert "adventure.play.lines" in done.stderr  # the import log is there...
    assert "prompt_toolkit" not in done.stderr  # ...and the terminal library is not in it
    assert "Traceback" not in done.stderr


def test_piped_play_imports_no_archive_library(mini_dir: Path) -> None:
    # shutil (with bz2 and lzma) costs two milliseconds of a start that is only tens of them; a site
    # hook may have imported it already, so it is forgotten first and must not come back.
    script = (
        "import sys\n"
        "for name in ('shutil', 'bz2', 'lzma'): sys.modules.pop(name, None)\n"
        "from adventure.cli.main import main\n"
        f"status = main(['play', '--scenes', {str(mini_dir)!r}])\n"
        "print('loaded:', *sorted({'shutil', 'bz2', 'lzma'} & set(sys.modules)), file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input="take\nopen\nleave\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=checkout_env(),
    )
    assert done.returncode == 0 and done.stdout.endswith("Goodbye.\n")
    assert "loaded:\n" in done.stderr, done.stderr


def test_check_end_to_end_prints_everything_and_exits_with_its_status(tmp_path: Path, mini_dir: Path) -> None:
    # `check` leaves without freeing the search's memory: its output and status must survive that.
    broken = write_story(tmp_path / "broken", {"story.yaml": MINI_STORY, "hall.yaml": BROKEN_SCENES})
    for folder, status in ((mini_dir, 0), (broken, 1)):
        done = subprocess.run(
            [*adventure_command(), "check", str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env=checkout_env(),
        )
        assert done.returncode == status, done.stderr
        assert "Traceback" not in done.stderr
        last = (done.stdout if status == 0 else done.stderr).splitlines()[-1]
        assert last.startswith("The Small Hours: ") if status == 0 else last == f"1 error in {broken}"
    clean = subprocess.run(
        [*adventure_command(), "check", "--json", str(mini_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=checkout_env(),
    )
    assert clean.returncode == 0 and json.loads(clean.stdout)["ok"] is True
