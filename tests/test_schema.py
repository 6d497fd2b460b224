"""The JSON Schema of the scene format: valid, in step with the loader, and met by every shipped file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from adventure.story import folders, loader
from adventure.story.folders import schema_file

from .support import MINI_SCENES, MINI_STORY, SHIPPED

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "adventure" / "story" / "schema"


class _Loader(yaml.SafeLoader):
    """YAML as an editor's language server reads it for validation: dates stay text."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def schema(which: str) -> dict[str, Any]:
    return json.loads(schema_file(which).read_text(encoding="utf-8"))


def errors(which: str, text: str) -> list[str]:
    validator = jsonschema.Draft7Validator(schema(which))
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(yaml.load(text, Loader=_Loader))
    ]


def shipped_files() -> list[Path]:
    return folders.story_files(SHIPPED)


@pytest.mark.parametrize("which", ["scenes", "story"])
def test_the_schemas_are_valid_draft_7(which: str) -> None:
    jsonschema.Draft7Validator.check_schema(schema(which))
    assert schema_file(which).parent == SCHEMA_DIR  # the package ships the files in the repository


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: str(p.relative_to(SHIPPED)))
def test_every_shipped_file_meets_the_schema(path: Path) -> None:
    which = "story" if path.name == folders.STORY_FILE and path.parent == SHIPPED else "scenes"
    assert errors(which, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: str(p.relative_to(SHIPPED)))
def test_every_shipped_file_names_its_schema_for_editors(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, f"{path.name} should start with the yaml-language-server comment"
    which = "story" if path.name == folders.STORY_FILE and path.parent == SHIPPED else "scenes"
    target = (path.parent / match.group(1)).resolve()
    assert target == (SCHEMA_DIR / f"{which}.schema.json").resolve()


def test_the_mini_story_meets_the_schema() -> None:
    assert errors("story", MINI_STORY) == []
    assert errors("scenes", MINI_SCENES) == []


@pytest.mark.parametrize(
    "change,message",
    [
        (("- label: Go back inside", "- lable: Go back inside"), "'lable' was unexpected"),
        (("goto: yard", "goto: yard\n        end: out"), "should not be valid"),
        (("once: true", "once: twice"), "'twice' is not of type 'boolean'"),
        (("  yard:", "  Yard:"), "'Yard' does not match"),
        (
            ("    text: Cold air and stars.\n", "    text: Cold air and stars.\n    mood: cold\n"),
            "'mood' was unexpected",
        ),
    ],
)
def test_mistakes_the_loader_refuses_the_schema_refuses(change: tuple[str, str], message: str) -> None:
    found = errors("scenes", MINI_SCENES.replace(*change, 1))
    assert any(message in e for e in found), found


def test_values_yaml_reads_as_numbers_or_truth_are_still_text() -> None:
    # The loader reads text exactly as written, so `label: No` or `title: 1984` are fine.
    assert (
        errors("scenes", "scenes:\n  a:\n    title: 1984\n    choices:\n      - label: No\n        when: true\n") == []
    )


def test_the_schema_knows_the_keys_the_loader_knows() -> None:
    scenes, story = schema("scenes")["definitions"], schema("story")["definitions"]
    assert set(scenes["scene"]["properties"]) == set(loader.SCENE_KEYS[0] + loader.SCENE_KEYS[1])
    assert set(scenes["scene"]["required"]) == set(loader.SCENE_KEYS[0])
    assert set(scenes["choice"]["properties"]) == set(loader.CHOICE_KEYS[0] + loader.CHOICE_KEYS[1])
    assert set(story["item"]["properties"]) == set(loader.ITEM_KEYS[0] + loader.ITEM_KEYS[1])
    assert set(story["ending"]["properties"]) == set(loader.ENDING_KEYS[0] + loader.ENDING_KEYS[1])
    assert set(scenes["branch"]["properties"]) == set(loader.BRANCH_KEYS[0] + loader.BRANCH_KEYS[1])
    assert set(schema("story")["properties"]) == set(loader.STORY_KEYS[0] + loader.STORY_KEYS[1])
    shared = ("scalar", "id", "condition", "paragraph", "text", "effects", "if")
    assert {k: scenes[k] for k in shared} == {k: story[k] for k in shared}
