"""Transcripts (adventure.play.transcript): `--transcript FILE` and `transcript NAME` in play."""

from __future__ import annotations

from pathlib import Path

from .support import Cli, flat

TYPED = "take\ncoins\nlook\n"


def test_a_transcript_holds_what_the_player_read_and_typed(cli: Cli, mini_dir: Path, tmp_path: Path) -> None:
    kept = tmp_path / "game.txt"
    shown = cli("play", "--scenes", str(mini_dir), "--transcript", str(kept), status=0, stdin=TYPED).out
    text = kept.read_text(encoding="utf-8")
    assert text.startswith("== A transcript of The Small Hours, begun ")
    for line in ["== The Hall ==", "You arrive, blinking.", "> take", "You pocket the key.", "> coins", "> look"]:
        assert line in text
    assert text.index("> take") < text.index("You pocket the key.") < text.index("> coins")
    assert flat(text).endswith(f"The transcript is kept in {kept}.")
    assert "You have 2 gold now." in shown and f"The transcript is kept in {kept}." in " ".join(shown.split())


def test_a_transcript_is_added_to_never_replaced(cli: Cli, mini_dir: Path, tmp_path: Path) -> None:
    kept = tmp_path / "game.txt"
    kept.write_text("my own notes\n", encoding="utf-8")
    cli("play", "--scenes", str(mini_dir), "--transcript", str(kept), status=0, stdin="coins\n")
    cli("play", "--scenes", str(mini_dir), "--transcript", str(kept), status=0, stdin="coins\n")
    text = kept.read_text(encoding="utf-8")
    assert text.startswith("my own notes\n") and text.count("== A transcript of The Small Hours") == 2


def test_a_transcript_that_cannot_be_written_stops_before_the_game(cli: Cli, mini_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    ran = cli("play", "--scenes", str(mini_dir), "--transcript", str(tmp_path / "file" / "t.txt"), status=2)
    assert ran.err.startswith(f"adventure: Could not keep a transcript in {tmp_path / 'file' / 't.txt'}: ")


def test_transcript_name_keeps_one_in_the_saves_folder_until_off(cli: Cli, mini_dir: Path, saves_in_tmp: Path) -> None:
    typed = "take\ntranscript ../escape\ntranscript mine\ncoins\ntranscript off\nlook\ntranscript off\n"
    out = " ".join(cli("play", "--scenes", str(mini_dir), status=0, stdin=typed).out.split())
    kept = saves_in_tmp / "transcripts" / "mine.txt"
    assert "'../escape' cannot name a save" in out and not list(saves_in_tmp.rglob("escape*"))
    assert f"A transcript is being kept in {kept}; 'transcript off' stops it." in out
    assert f"The transcript is kept in {kept}." in out and "No transcript is being kept." in out
    text = kept.read_text(encoding="utf-8")
    assert "== The Hall ==" in text and "The key is warm in your pocket." in text  # begins with the scene
    assert "> coins" in text and "> transcript off" in text and "> look" not in text
    assert "> take" not in text  # typed before the transcript began


def test_a_transcript_moves_to_the_one_named_last(cli: Cli, mini_dir: Path, tmp_path: Path, saves_in_tmp: Path) -> None:
    first = tmp_path / "first.txt"
    cli("play", "--scenes", str(mini_dir), "--transcript", str(first), status=0, stdin="transcript second\ncoins\n")
    second = saves_in_tmp / "transcripts" / "second.txt"
    assert flat(first.read_text()).endswith(f"The transcript goes on in {second}.")
    assert "> coins" in second.read_text() and "> coins" not in first.read_text()
