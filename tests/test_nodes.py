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


# ---------------------------------------------------------------- quotes left open


def scene_error(mini_dir: Path, *edits: tuple[str, str]) -> str:
    """The one error the mini story's scene file gives once each (old, new) edit is made."""
    scenes = mini_dir / "hall.yaml"
    text = scenes.read_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    scenes.write_text(text)
    with pytest.raises(StoryError) as caught:
        load_story(mini_dir)
    [error] = [p.format() for p in caught.value.problems if p.severity == "error"]
    return error.split("hall.yaml:", 1)[1]


def test_a_double_quote_never_closed_is_reported_at_the_quote_not_the_end_of_the_file(mini_dir: Path) -> None:
    error = scene_error(mini_dir, ('- "A long hall. Gold: {gold}."', '- "A long hall. Gold: {gold}.'))
    assert error.startswith(
        '7:9: error: YAML syntax: the " that opens this text is never closed; close it on this line'
    )
    assert "'|' block" in error


def test_a_double_quote_closed_by_the_next_one_is_reported_where_it_opens(mini_dir: Path) -> None:
    error = scene_error(mini_dir, ("first: You arrive, blinking.", 'first: "You arrive, blinking.'))
    assert error.startswith('4:12: error: YAML syntax: the " that opens this text is not closed on its line')
    assert 'runs on to the next " (line 7, column 9)' in error and "'|' block" in error


def test_a_single_quote_never_closed_is_reported_at_the_quote(mini_dir: Path) -> None:
    error = scene_error(mini_dir, ("first: You arrive, blinking.", "first: 'You arrive, blinking."))
    assert error.startswith("4:12: error: YAML syntax: the ' that opens this text is never closed")


def test_a_single_quote_closed_by_an_apostrophe_many_lines_on_is_reported_where_it_opens(mini_dir: Path) -> None:
    error = scene_error(
        mini_dir,
        ("first: You arrive, blinking.", "first: 'You arrive, blinking."),
        ("say: Something red in the dirt.", "say: Something's red in the dirt."),
    )
    assert error.startswith("4:12: error: YAML syntax: the ' that opens this text is not closed on its line")
    assert "the next apostrophe (line 34, column 23)" in error
    assert "write an apostrophe twice ('')" in error and "double quotes" in error


def test_an_apostrophe_inside_single_quotes_on_one_line_is_reported_at_the_apostrophe(mini_dir: Path) -> None:
    error = scene_error(mini_dir, ("title: The Hall", "title: 'The Hall's End'"))
    assert error.startswith(
        "3:21: error: YAML syntax: this apostrophe ends the text in single quotes that opens at column 12"
    )
    assert "write an apostrophe twice ('')" in error


def test_a_quote_inside_double_quotes_on_one_line_is_reported_at_the_quote(mini_dir: Path) -> None:
    error = scene_error(mini_dir, ("title: The Hall", 'title: "The "Hall" End"'))
    assert error.startswith('3:17: error: YAML syntax: this " ends the text in double quotes that opens at column 12')
    assert 'write a quote as \\"' in error


def test_a_bad_escape_in_double_quotes_stays_at_the_escape(mini_dir: Path) -> None:
    error = scene_error(mini_dir, ("title: The Hall", 'title: "The \\q Hall"'))
    assert error.startswith("3:17: error: YAML syntax:") and "escape" in error
