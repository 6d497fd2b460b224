from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import pytest

from adventure.core.errors import StoryError
from adventure.core.model import Story
from adventure.story import cache
from adventure.story.cache import PackedScenes, open_story
from adventure.story.loader import load_story

from .support import MINI_SCENES, SHIPPED, Cli, mini_with


def same_story(a: Story, b: Story) -> bool:
    return (
        list(a.scenes) == list(b.scenes)
        and all(a.scenes[k] == b.scenes[k] for k in a.scenes)
        and (a.id, a.title, a.version, a.start, a.fingerprint, a.counted)
        == (b.id, b.title, b.version, b.start, b.fingerprint, b.counted)
        and dict(a.variables) == dict(b.variables)
        and (a.items, a.endings, a.names, a.stats, a.collection, a.warnings, a.every_turn, a.inventory)
        == (b.items, b.endings, b.names, b.stats, b.collection, b.warnings, b.every_turn, b.inventory)
    )


@pytest.fixture
def cached(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def the_file(folder: Path) -> Path:
    [found] = folder.iterdir()
    return found


def test_the_second_start_reads_the_cache_and_gets_the_same_story(
    cached: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = open_story(SHIPPED, cached)
    assert the_file(cached).read_bytes().startswith(cache.MAGIC)

    def no_yaml(folder: Path) -> Story:
        raise AssertionError("the YAML was read again")

    monkeypatch.setattr(cache, "_load", no_yaml)
    second = open_story(SHIPPED, cached)
    assert isinstance(second.scenes, PackedScenes) and same_story(first, second)
    assert same_story(load_story(SHIPPED), second)


def test_an_edited_story_is_read_again_and_the_cache_follows(tmp_path: Path, cached: Path) -> None:
    folder = mini_with(tmp_path)
    assert open_story(folder, cached).scenes["hall"].title.literal == "The Hall"
    (folder / "hall.yaml").write_text(MINI_SCENES.replace("The Hall", "The Long Hall"), encoding="utf-8")
    assert open_story(folder, cached).scenes["hall"].title.literal == "The Long Hall"
    assert open_story(folder, cached).scenes["hall"].title.literal == "The Long Hall"


def test_a_file_touched_but_not_changed_is_checked_by_its_bytes(
    tmp_path: Path, cached: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = mini_with(tmp_path)
    first = open_story(folder, cached)
    stamp = (folder / "hall.yaml").stat().st_mtime_ns + 5_000_000_000
    os.utime(folder / "hall.yaml", ns=(stamp, stamp))  # a fresh checkout: new times, same bytes
    monkeypatch.setattr(cache, "_load", lambda folder: pytest.fail("the YAML was read again"))
    assert same_story(first, open_story(folder, cached))


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # cut short
        lambda raw: raw[:-10] + b"0123456789",  # bytes changed: the checksum no longer matches
        lambda raw: b"not a cache at all",
        lambda raw: b"",
    ],
    ids=["truncated", "changed", "foreign", "empty"],
)
def test_a_damaged_cache_is_ignored_and_written_anew(tmp_path: Path, cached: Path, damage: object) -> None:
    folder = mini_with(tmp_path)
    first = open_story(folder, cached)
    file = the_file(cached)
    file.write_bytes(damage(file.read_bytes()))  # type: ignore[operator]
    assert same_story(first, open_story(folder, cached))
    assert the_file(cached).read_bytes().startswith(cache.MAGIC)


def test_another_folder_s_cache_is_never_taken_for_this_one(tmp_path: Path, cached: Path) -> None:
    one = mini_with(tmp_path, name="one")
    two = mini_with(tmp_path, MINI_SCENES.replace("The Hall", "The Other Hall"), name="two")
    open_story(one, cached)
    [file] = cached.iterdir()
    target = cached / f"{cache.zlib.crc32(os.fsencode(two.resolve())):08x}.cache"
    file.rename(target)  # as if two folders' names hashed alike
    assert open_story(two, cached).scenes["hall"].title.literal == "The Other Hall"


def test_a_broken_story_is_never_cached(tmp_path: Path, cached: Path) -> None:
    folder = mini_with(tmp_path, MINI_SCENES.replace("goto: yard", "goto: nowhere"))
    with pytest.raises(StoryError):
        open_story(folder, cached)
    assert not cached.exists() or not list(cached.iterdir())


def test_a_scene_that_will_not_decode_falls_back_to_the_yaml(tmp_path: Path, cached: Path) -> None:
    folder = mini_with(tmp_path)
    story = open_story(folder, cached)
    story = open_story(folder, cached)
    assert isinstance(story.scenes, PackedScenes)
    story.scenes._packed["yard"] = b"\x00garbage"  # a damage the checksum could not see
    assert story.scenes["yard"].title.literal == "The Yard"
    assert not list(cached.iterdir())  # that cache is gone: the next start writes a sound one


@pytest.mark.parametrize("collecting", [True, False])
def test_a_scene_decoded_in_play_is_kept_out_of_the_collectors_sight(
    tmp_path: Path, cached: Path, collecting: bool
) -> None:
    """A scene is decoded the first time play enters it and kept for the game: left to the cyclic
    collector, every full collection would walk every scene visited so far, and a move in a long
    game would cost more the more of the story the player has seen."""
    folder = mini_with(tmp_path)
    open_story(folder, cached)
    story = open_story(folder, cached)
    assert isinstance(story.scenes, PackedScenes)
    was = gc.isenabled()
    try:
        (gc.enable if collecting else gc.disable)()
        frozen = gc.get_freeze_count()
        hall = story.scenes["hall"]
        assert gc.get_freeze_count() > frozen and gc.isenabled() == collecting
        assert story.scenes["hall"] is hall  # decoded once
        story.scenes._packed["yard"] = b"\x00garbage"
        assert story.scenes["yard"].title.literal == "The Yard" and gc.isenabled() == collecting
    finally:
        gc.unfreeze()
        (gc.enable if was else gc.disable)()


def test_a_cache_folder_that_cannot_be_written_only_means_no_cache(tmp_path: Path) -> None:
    folder = mini_with(tmp_path)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would go")
    assert open_story(folder, blocked / "stories").scenes["hall"].title.literal == "The Hall"


def test_play_uses_the_cache_and_no_cache_reads_the_yaml(cli: Cli, tmp_path: Path) -> None:
    folder = mini_with(tmp_path)
    cli("play", "--scenes", str(folder), stdin="", status=0)
    caches = list((tmp_path / "xdg-cache").rglob("*.cache"))
    assert len(caches) == 1
    caches[0].unlink()
    ran = cli("play", "--scenes", str(folder), "--no-cache", stdin="", status=0)
    assert "The Hall" in ran.out and not list((tmp_path / "xdg-cache").rglob("*.cache"))


def test_a_pipe_where_the_cache_should_be_is_never_waited_on(tmp_path: Path, cached: Path) -> None:
    folder = mini_with(tmp_path)
    open_story(folder, cached)
    file = the_file(cached)
    file.unlink()
    os.mkfifo(file)
    assert open_story(folder, cached).scenes["hall"].title.literal == "The Hall"


def test_caches_no_start_has_read_for_a_month_are_removed_when_one_is_written(tmp_path: Path, cached: Path) -> None:
    """A story folder played once, or deleted since, must not keep megabytes in the cache for ever;
    a cache in use, and anything in the folder the game did not write, stay."""
    folder = mini_with(tmp_path / "one")
    open_story(folder, cached)
    [kept] = cached.iterdir()
    old = cache.MAX_AGE + 3600
    stale = cached / "0badcafe.cache"
    leftover = cached / ".0badcafe.cache.4242.tmp"
    fresh_leftover = cached / ".0badcafe.cache.4343.tmp"
    mine = cached / "notes.txt"
    for file in (stale, leftover, fresh_leftover, mine):
        file.write_bytes(b"x")
    for file, age in ((kept, old), (stale, old), (leftover, 7200), (mine, old)):
        when = time.time() - age
        os.utime(file, (when, when))
    written = kept.read_bytes()
    assert isinstance(open_story(folder, cached).scenes, PackedScenes)  # read, not written: marked as in use
    assert kept.read_bytes() == written
    assert kept.stat().st_mtime > time.time() - 60
    open_story(mini_with(tmp_path / "two"), cached)  # writes a cache, and tidies the folder
    names = {file.name for file in cached.iterdir()}
    assert kept.name in names and mine.name in names and fresh_leftover.name in names
    assert stale.name not in names and leftover.name not in names and len(names) == 4
