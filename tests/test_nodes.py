"""Reading YAML values: explicit tags, and constructors that keep nothing alive."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
import yaml

from adventure.core.errors import StoryError
from adventure.story.loader import load_story


def broken(mini_dir: Path, old: str, new: str) -> list[str]:
    story_file = mini_dir / "story.yaml"
    story_file.write_text(story_file.read_text().replace(old, new))
    with pytest.raises(StoryError) as caught:
        load_story(mini_dir)
    return [p.format() for p in caught.value.problems]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("version: 1", "version: !!int one", "'version' should be a whole number, found 'one'"),
        ("gold: 0", "gold: !!bool maybe", "the starting value of 'gold' should be a whole number or true/false"),
        ("door_open: false", "door_open: !!int 1e400", "the starting value of 'door_open' should be"),
        ("gold: 0", "gold: !!float 1.5", "the starting value of 'gold' should be a whole number or true/false"),
        ("version: 1", "version: " + "9" * 5000, "is out of range: whole numbers go from"),
    ],
)
def test_a_value_that_does_not_fit_its_tag_is_a_problem_at_its_place(
    mini_dir: Path, old: str, new: str, message: str
) -> None:
    problems = broken(mini_dir, old, new)
    line = next(n for n, text in enumerate((mini_dir / "story.yaml").read_text().splitlines(), 1) if new in text)
    assert any(f"story.yaml:{line}:" in problem and message in problem for problem in problems), problems


def test_loading_keeps_no_yaml_nodes_alive(mini_dir: Path) -> None:
    def live_nodes() -> int:
        gc.collect()
        return sum(1 for thing in gc.get_objects() if isinstance(thing, yaml.Node))

    load_story(mini_dir)
    after_one = live_nodes()
    for _ in range(3):
        load_story(mini_dir)
    assert live_nodes() <= after_one
