"""The shipped campaign: every ending reached by a walkthrough, the facts told on the main path."""

from __future__ import annotations

from pathlib import Path

import pytest

from adventure.analysis.walkthrough import Walked, run_walkthrough
from adventure.core.model import Story, Text
from adventure.story.walkthroughs import load_walkthrough

from .test_cli import run

WALKTHROUGHS = Path(__file__).resolve().parent / "walkthroughs"
FILES = sorted(WALKTHROUGHS.glob("*.yaml"))


def words(text: Text) -> int:
    return sum(len(part.split()) for paragraph in text for part in paragraph.template.parts if isinstance(part, str))


def walk(story: Story, name: str) -> Walked:
    return run_walkthrough(story, load_walkthrough(WALKTHROUGHS / name))


def test_the_campaign_is_long_enough_for_an_evening(shipped_story: Story) -> None:
    scenes = shipped_story.scenes.values()
    total = sum(words(s.text) + words(s.first) + words(s.again) + sum(words(c.say) for c in s.choices) for s in scenes)
    total += sum(words(e.text) for e in shipped_story.endings.values())
    assert len(shipped_story.scenes) >= 80
    assert total >= 20_000


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_each_walkthrough_passes(shipped_story: Story, path: Path) -> None:
    walked = walk(shipped_story, path.name)
    assert walked.failure is None, f"{walked.failure}"
    assert walked.state.ended


def test_every_ending_is_reached_by_a_walkthrough(shipped_story: Story) -> None:
    reached = {walk(shipped_story, path.name).state.ending for path in FILES}
    assert reached == set(shipped_story.endings)
    assert len(reached) >= 3


def test_the_canonical_path_collects_all_nine_ids(shipped_story: Story) -> None:
    state = walk(shipped_story, "code_eve.yaml").state
    assert state.ending == "code_eve"
    assert set(state.inventory) >= shipped_story.id_items and shipped_story.ids_total == 9


def test_the_main_path_tells_the_story_bible(shipped_story: Story) -> None:
    transcript = "\n".join(walk(shipped_story, "code_eve.yaml").transcript)
    for fact in [
        "Immortal Nine",
        "Asimov",
        "Usurper",
        "Visitor",
        "Alter",
        "Jill",
        "Jaron",
        "carnival",
        "Puppet Master",
        "Code Eve",
        "Eva",
        "Roy",
        "Cyan",
        "Opera",
        "first Nean",
        "antivirus",
        "Venus",
        "Jean",
        "Naomi",
    ]:
        assert fact in transcript, f"the main path never mentions {fact!r}"


def test_the_walkthroughs_pass_through_the_installed_command() -> None:
    result = run(["walk", *map(str, FILES)])
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().endswith(f"{len(FILES)} walkthroughs: {len(FILES)} passed, 0 failed")
