"""The shipped campaign: every ending reached by a walkthrough, the facts told on the main path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from adventure.model import Story, Text

from .test_cli import run

WALKTHROUGHS = Path(__file__).resolve().parent / "walkthroughs"
EXPECTED = yaml.safe_load((WALKTHROUGHS / "expected.yaml").read_text(encoding="utf-8"))


def words(text: Text) -> int:
    return sum(len(part.split()) for paragraph in text for part in paragraph.template.parts if isinstance(part, str))


def test_the_campaign_is_long_enough_for_an_evening(shipped_story: Story) -> None:
    scenes = shipped_story.scenes.values()
    total = sum(words(s.text) + words(s.first) + words(s.again) + sum(words(c.say) for c in s.choices) for s in scenes)
    total += sum(words(e.text) for e in shipped_story.endings.values())
    assert len(shipped_story.scenes) >= 80
    assert total >= 20_000


def test_every_ending_has_a_walkthrough(shipped_story: Story) -> None:
    assert {entry["ending"] for entry in EXPECTED.values()} == set(shipped_story.endings)
    assert len(shipped_story.endings) >= 3


def play_through(name: str) -> str:
    result = run(["play"], stdin=(WALKTHROUGHS / name).read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_walkthrough_reaches_its_ending_with_its_ids(shipped_story: Story, name: str) -> None:
    transcript = play_through(name)
    refused = re.findall(r"^(You can't '.*' here\.|Which do you mean: .*|There is no choice .*)$", transcript, re.M)
    assert refused == [], f"{name}: commands the game did not take"
    ending = shipped_story.endings[EXPECTED[name]["ending"]]
    assert f"*** {ending.title} ***" in transcript
    assert f"with {EXPECTED[name]['ids']} of 9 Ids." in transcript


def test_the_main_path_tells_the_story_bible(shipped_story: Story) -> None:
    main = next(name for name, entry in EXPECTED.items() if entry["ending"] == "code_eve" and entry.get("main"))
    transcript = play_through(main)
    for fact in [
        "Immortal Nine", "Asimov", "Usurper", "Visitor", "Alter", "Jill", "Jaron", "carnival",
        "Puppet Master", "Code Eve", "Eva", "Roy", "Cyan", "Opera", "first Nean", "antivirus", "Venus", "Jean", "Naomi",
    ]:
        assert fact in transcript, f"the main path never mentions {fact!r}"
