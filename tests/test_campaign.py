"""The shipped campaign: every ending reached by a walkthrough, the facts told on the main path.

Each walkthrough is played once for the whole run (the `shipped_walks` fixture); `adventure walk`
itself is tested on the small story in test_tools.py.
"""

from __future__ import annotations

import pytest

from adventure.analysis.walkthrough import Walked
from adventure.core.model import Story, Text

from .support import WALKTHROUGHS

NAMES = sorted(path.name for path in WALKTHROUGHS.glob("*.yaml"))


def words(text: Text) -> int:
    return sum(len(part.split()) for paragraph in text for part in paragraph.template.parts if isinstance(part, str))


def test_the_campaign_is_long_enough_for_an_evening(shipped_story: Story) -> None:
    scenes = shipped_story.scenes.values()
    total = sum(words(s.text) + words(s.first) + words(s.again) + sum(words(c.say) for c in s.choices) for s in scenes)
    total += sum(words(e.text) for e in shipped_story.endings.values())
    assert len(shipped_story.scenes) >= 80
    assert total >= 20_000


@pytest.mark.parametrize("name", NAMES, ids=[name.removesuffix(".yaml") for name in NAMES])
def test_each_walkthrough_passes_to_an_ending(shipped_walks: dict[str, Walked], name: str) -> None:
    walked = shipped_walks[name]
    assert walked.failure is None, f"{walked.failure}"
    assert walked.state.ended


def test_every_ending_is_reached_by_a_walkthrough(shipped_story: Story, shipped_walks: dict[str, Walked]) -> None:
    reached = {walked.state.ending for walked in shipped_walks.values()}
    assert reached == set(shipped_story.endings)
    assert len(reached) >= 3


def test_the_canonical_path_collects_all_nine_ids(shipped_story: Story, shipped_walks: dict[str, Walked]) -> None:
    state = shipped_walks["code_eve.yaml"].state
    assert state.ending == "code_eve"
    assert set(state.inventory) >= shipped_story.id_items and shipped_story.ids_total == 9


@pytest.mark.parametrize(
    "fact",
    [
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
    ],
)
def test_the_main_path_tells_the_story_bible(shipped_walks: dict[str, Walked], fact: str) -> None:
    assert fact in "\n".join(shipped_walks["code_eve.yaml"].transcript), f"the main path never mentions {fact!r}"
