"""Endings found across games (adventure.saves.endings), THE END's next steps, `adventure endings`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from adventure.saves.endings import EndingsBook

from .support import Cli

STORY = Path(__file__).parent.parent / "docs" / "examples" / "conversation" / "story"
ALONE = "out\ngive up\n"  # the ending 'alone', at once
FOUND = "talk to wenna\nask whether she has seen your mule\nsay goodbye\nout\nclimb\n"


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    return tmp_path / "xdg-data" / "metallic-rouge" / "endings.json"  # conftest's XDG_DATA_HOME


def test_the_end_says_what_to_do_next_and_counts_the_endings_of_all_games(cli: Cli, book_path: Path) -> None:
    first = cli("play", "--scenes", str(STORY), status=0, stdin=ALONE).out
    assert "*** On Foot ***" in first
    assert (
        "You have found 1 of this story's 2 endings in your games. Type 'undo' to step back, 'restart' to "
        "play again, 'load' for a saved game, or 'quit' to leave." in " ".join(first.split())
    )
    again = cli("play", "--scenes", str(STORY), status=0, stdin=ALONE).out
    assert "You have found 1 of this story's 2 endings" in " ".join(again.split())  # the same one: still 1
    last = cli("play", "--scenes", str(STORY), status=0, stdin=FOUND).out
    assert "You have found every ending of this story (2 of 2)." in " ".join(last.split())
    assert json.loads(book_path.read_text())["stories"] == {"conversation": ["alone", "found"]}


def test_endings_lists_what_was_found_without_naming_the_rest(cli: Cli) -> None:
    assert cli("endings", "--scenes", str(STORY), status=0).out == (
        "The Innkeeper Knows: 0 of 2 endings found.\n  (play to the end to find them)\n"
    )
    cli("play", "--scenes", str(STORY), status=0, stdin=ALONE)
    out = cli("endings", "--scenes", str(STORY), status=0).out
    assert out == "The Innkeeper Knows: 1 of 2 endings found.\n  - On Foot\n  (1 still to find)\n"
    assert "Mule" not in out


def test_after_the_end_undo_and_restart_work(cli: Cli) -> None:
    out = cli("play", "--scenes", str(STORY), status=0, stdin=ALONE + "undo\nrestart\nyes\n").out
    assert "You take back your last move." in out and "The story begins again" in out


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b"[" * 100_000, b'{"stories": {"../x": ["a"], "c": ["ok", 5, "../y"]}}', b"\xff\xfe"],
    ids=["empty", "not-json", "deep", "odd-ids", "not-utf8"],
)
def test_a_damaged_record_is_never_a_crash(book_path: Path, content: bytes) -> None:
    book_path.parent.mkdir(parents=True)
    book_path.write_bytes(content)
    book = EndingsBook(book_path)
    assert book.found("x") == []
    assert book.found("c") == (["ok"] if b"ok" in content else [])
    assert book.add("x", "end") == ["end"] and book.found("x") == ["end"]


def test_a_fifo_is_not_waited_for(book_path: Path) -> None:
    book_path.parent.mkdir(parents=True)
    os.mkfifo(book_path)
    assert EndingsBook(book_path).found("x") == []


def test_a_record_that_cannot_be_written_still_counts_this_game(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert EndingsBook(blocker / "endings.json").add("x", "end") == ["end"]
