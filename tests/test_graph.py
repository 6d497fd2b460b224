"""The scene graph, for Graphviz and for Mermaid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adventure.analysis.graph import arrows, render_graph
from adventure.core.errors import UsageError
from adventure.core.model import Story
from adventure.story.loader import load_story

from .support import MINI_SCENES, MINI_STORY, write_story


def test_arrows_are_the_choices_that_move(mini: Story) -> None:
    found = [(a.source, a.target, a.label, a.when) for a in arrows(mini)]
    assert found == [
        ("hall", "yard", "Open the door", "has(key)"),
        ("yard", "end:out", "Leave for good", ""),
        ("yard", "hall", "Go back inside", ""),
    ]


def test_dot_marks_the_start_endings_and_conditions(mini: Story) -> None:
    dot = render_graph(mini, "dot")
    assert dot.startswith('digraph "mini" {') and dot.rstrip().endswith("}")
    assert '"hall" [label="The Hall\\n(hall)\\n+2 choices that stay", penwidth=2.5];' in dot
    assert '"end:out" [label="Outside\\n(ending out)", shape=doubleoctagon' in dot
    assert '"(start)" -> "hall";' in dot
    assert '"hall" -> "yard" [label="Open the door\\nwhen has(key)", style=dashed];' in dot
    assert '"yard" -> "end:out" [label="Leave for good"];' in dot
    assert dot.count("{") == dot.count("}")


def test_mermaid_marks_the_start_endings_and_conditions(mini: Story) -> None:
    text = render_graph(mini, "mermaid")
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert '  s_yard["The Yard<br>(yard)<br>+1 choice that stays"]' in lines
    assert '  e_out(["Outside<br>(ending out)"])' in lines
    assert "  start((start)) --> s_hall" in lines
    assert '  s_hall -.->|"Open the door<br>when has(key)"| s_yard' in lines
    assert '  s_yard -->|"Leave for good"| e_out' in lines


def test_quotes_and_operators_are_escaped(tmp_path: Path) -> None:
    scenes = MINI_SCENES.replace("label: Open the door", 'label: Open the "big" door').replace(
        "when: has(key)", "when: has(key) and gold >= 2"
    )
    story = load_story(write_story(tmp_path / "s", {"story.yaml": MINI_STORY, "hall.yaml": scenes}))
    dot = render_graph(story, "dot")
    assert 'label="Open the \\"big\\" door\\nwhen has(key) and gold >= 2"' in dot
    mermaid = render_graph(story, "mermaid")
    assert '|"Open the #quot;big#quot; door<br>when has(key) and gold #gt;= 2"|' in mermaid
    # Every label stays inside its quotes: no bare quote or pipe is left in a Mermaid label.
    for label in re.findall(r'\|"(.*?)"\|', mermaid):
        assert '"' not in label and "|" not in label


def test_scene_ids_that_are_mermaid_words_are_prefixed(tmp_path: Path) -> None:
    story = MINI_STORY.replace("start: hall", "start: end")
    scenes = MINI_SCENES.replace("  hall:", "  end:").replace("goto: hall", "goto: end")
    loaded = load_story(write_story(tmp_path / "s", {"story.yaml": story, "hall.yaml": scenes}))
    assert "s_end[" in render_graph(loaded, "mermaid")


def test_an_unknown_format_is_a_usage_error(mini: Story) -> None:
    with pytest.raises(UsageError, match="unknown graph format 'svg'"):
        render_graph(mini, "svg")
