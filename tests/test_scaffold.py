"""`adventure new` (adventure.story.scaffold): a new story folder that plays, checks clean and walks."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from adventure.core.errors import AdventureError
from adventure.story.folders import story_files
from adventure.story.loader import load_story
from adventure.story.scaffold import WALKTHROUGH, files_for, scaffold, schema_line, story_id

from .support import Cli

SCHEMA_LINE = "# yaml-language-server: $schema="


@pytest.fixture
def new_story(cli: Cli, tmp_path: Path) -> Path:
    folder = tmp_path / "lamp"
    cli("new", str(folder), status=0)
    return folder


def test_new_writes_a_story_and_says_what_it_wrote_and_what_to_run_next(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "lamp"
    out = cli("new", str(folder), status=0).out.splitlines()
    written = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert written == [
        "_schema/scenes.schema.json",
        "_schema/story.schema.json",
        "_walkthroughs/win.yaml",
        "scenes/cottage.yaml",
        "scenes/tower.yaml",
        "story.yaml",
    ]
    assert out[0] == f"A new story in {folder}:"
    assert sorted(line.strip() for line in out[1:7]) == sorted(str(folder / name) for name in written)
    assert out[-3:] == [
        f"  adventure play --scenes {folder} --dev",
        f"  adventure check {folder}",
        f"  adventure walk {folder / WALKTHROUGH}",
    ]


def test_the_new_story_checks_with_no_error_and_no_warning(cli: Cli, new_story: Path) -> None:
    [line] = cli("check", str(new_story), status=0).out.splitlines()
    assert "3/3 scenes and 2/2 endings reachable, no softlock;" in line
    assert "; 0 errors, 0 warnings; " in line


def test_its_walkthrough_passes_from_its_own_scenes_line_and_with_scenes_given(cli: Cli, new_story: Path) -> None:
    walkthrough = str(new_story / WALKTHROUGH)
    for extra in ([], ["--scenes", str(new_story)]):
        out = cli("walk", walkthrough, *extra, status=0).out
        assert out.endswith("ended with 'lit'\n1 walkthrough: 1 passed, 0 failed\n")


def test_the_commands_it_prints_work_as_printed(cli: Cli, tmp_path: Path) -> None:
    lines = cli("new", str(tmp_path / "lamp"), status=0).out.splitlines()
    play, check, walk = (shlex.split(line)[1:] for line in lines[-3:])
    ended = cli(*play, status=0, stdin="out\nback\ntake key\nout\nunlock\nwind\nlight\n").out
    assert "*** The Light ***" in ended
    cli(*check, status=0)
    cli(*walk, status=0)


def test_the_walkthroughs_are_not_read_as_scenes(new_story: Path) -> None:
    files = {str(path.relative_to(new_story)) for path in story_files(new_story)}
    assert files == {"story.yaml", "scenes/cottage.yaml", "scenes/tower.yaml"}
    assert set(load_story(new_story).scenes) == {"cottage", "tower_door", "lamp_room"}


def schema_named_by(path: Path) -> Path:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(SCHEMA_LINE), path
    return path.parent / first.removeprefix(SCHEMA_LINE)


def test_every_story_file_names_a_copied_schema_it_meets(new_story: Path) -> None:
    for path in story_files(new_story):
        schema_path = schema_named_by(path)
        assert schema_path.resolve().parent == (new_story / "_schema").resolve()
        schema: dict[str, Any] = json.loads(schema_path.read_text(encoding="utf-8"))
        jsonschema.Draft7Validator.check_schema(schema)
        found = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(path.read_text()))]
        assert found == [], path


def test_the_schema_line_climbs_out_of_sub_folders() -> None:
    assert schema_line("story.yaml", "story") == f"{SCHEMA_LINE}_schema/story.schema.json\n"
    assert schema_line("scenes/a.yaml", "scenes") == f"{SCHEMA_LINE}../_schema/scenes.schema.json\n"
    assert schema_line("scenes/act1/a.yaml", "scenes") == f"{SCHEMA_LINE}../../_schema/scenes.schema.json\n"


def test_new_refuses_a_folder_that_is_not_empty_and_touches_nothing(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("my notes")
    ran = cli("new", str(folder), status=1)
    assert ran.err == (
        f"adventure: {folder} is a folder that is not empty; name a new folder "
        "(adventure new never overwrites anything)\n"
    )
    assert ran.out == ""
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_text() == "my notes"


def test_new_refuses_a_file(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "story").write_text("x")
    assert cli("new", str(tmp_path / "story"), status=1).err.count("\n") == 1
    assert (tmp_path / "story").read_text() == "x"


def test_new_fills_an_empty_folder_and_makes_missing_parents(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    cli("new", str(tmp_path / "empty"), status=0)
    cli("new", str(tmp_path / "a" / "b"), status=0)
    cli("check", str(tmp_path / "empty"), status=0)
    cli("check", str(tmp_path / "a" / "b"), status=0)


def test_new_needs_a_folder(cli: Cli) -> None:
    assert "DIR" in cli("new", status=2).err


def test_a_failed_write_takes_back_what_it_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = []
    real_open = Path.open

    def full_at_the_third_file(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self)
        if len(opened) == 3:
            raise OSError(28, "No space left on device", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", full_at_the_third_file)
    with pytest.raises(AdventureError, match=r"cannot write .*: No space left on device"):
        scaffold(tmp_path / "lamp")
    assert list(tmp_path.iterdir()) == []


def test_the_story_id_comes_from_the_folder_name(tmp_path: Path) -> None:
    assert story_id(tmp_path / "My Story!") == "my-story"
    assert story_id(tmp_path / "***") == "my-story"
    assert "  id: my-story\n" in files_for(tmp_path / "My Story!")["story.yaml"]
    assert '  id: "2024"\n' in files_for(tmp_path / "2024")["story.yaml"]
    scaffold(tmp_path / "2024")
    assert load_story(tmp_path / "2024").id == "2024"
