"""docs/examples: every example story checks clean, its walkthroughs pass, and its files meet the
schemas their first lines name; the dice example's seeds really give different games."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from adventure.story.folders import story_files

from .support import Cli

EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"
NAMES = sorted(path.parent.parent.name for path in EXAMPLES.glob("*/story/story.yaml"))
SCHEMA_LINE = "# yaml-language-server: $schema="


def test_every_pattern_the_authoring_guide_promises_has_an_example() -> None:
    assert NAMES == [
        "conversation",
        "dice",
        "disabled_choice",
        "ending_variants",
        "lamp",
        "locked_door",
        "names",
        "starting_kit",
        "stats",
        "varied_text",
    ]
    index = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"[{name}]({name}/)" in index
        assert (EXAMPLES / name / "README.md").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_the_example_checks_with_no_error_and_no_warning(cli: Cli, name: str) -> None:
    [line] = cli("check", str(EXAMPLES / name / "story"), status=0).out.splitlines()
    assert "; 0 errors, 0 warnings; " in line
    assert "no softlock" in line


@pytest.mark.parametrize("name", NAMES)
def test_its_walkthroughs_pass(cli: Cli, name: str) -> None:
    walkthroughs = sorted((EXAMPLES / name / "walkthroughs").glob("*.yaml"))
    assert walkthroughs, f"{name} has no walkthrough"
    out = cli("walk", *map(str, walkthroughs), status=0).out
    assert out.count("PASS ") == len(walkthroughs)


def test_the_commands_in_each_readme_run_as_written(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES.parent.parent)
    for name in NAMES:
        readme = (EXAMPLES / name / "README.md").read_text(encoding="utf-8")
        assert f"adventure check docs/examples/{name}/story" in readme
        cli("check", f"docs/examples/{name}/story", status=0)
        for link in re.findall(r"\]\(\.\./\.\./authoring\.md#([a-z0-9-]+)\)", readme):
            assert link in _anchors(), f"{name}/README.md links to a heading that is not there: #{link}"


def _anchors() -> set[str]:
    """The heading anchors GitHub makes for docs/authoring.md."""
    text = (EXAMPLES.parent / "authoring.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#+ (.+)$", text, flags=re.M)
    return {re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_the_dice_seeds_play_the_same_commands_into_different_games(cli: Cli) -> None:
    story = EXAMPLES / "dice" / "story"
    typed = "blow on the bones\nthrow\nthrow\nthrow\nget up from the table\n"
    games = {
        seed: cli("play", "--scenes", str(story), "--seed", seed, status=0, stdin=typed).out for seed in ("3", "6")
    }
    assert "Up, with 5 Coins" in games["3"]
    assert "Down to 0" in games["6"]
    assert games["3"] != games["6"]
    again = cli("play", "--scenes", str(story), "--seed", "3", status=0, stdin=typed).out
    # The same game again; only the count of endings found in all games has moved on.
    assert again.split("You have found")[0] == games["3"].split("You have found")[0]


@pytest.mark.parametrize("name", NAMES)
def test_each_file_names_the_schema_it_meets(name: str) -> None:
    folder = EXAMPLES / name / "story"
    for path in story_files(folder):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(SCHEMA_LINE), path
        schema_path = (path.parent / first.removeprefix(SCHEMA_LINE)).resolve()
        assert schema_path.is_file(), f"{path} names {schema_path}, which is not there"
        schema: dict[str, Any] = json.loads(schema_path.read_text(encoding="utf-8"))
        which = "story" if path.name == "story.yaml" else "scenes"
        assert schema_path.name == f"{which}.schema.json", path
        found = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(path.read_text()))]
        assert found == [], path
