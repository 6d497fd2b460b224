from __future__ import annotations

import textwrap

from hypothesis import given
from hypothesis import strategies as st

from adventure.core import output as out
from adventure.core.output import Block, _wrap, layout, plain


def test_prose_wraps_to_the_width_without_breaking_words() -> None:
    text = "You step off the tram and the air tastes of rust and old rain, the way Mars always does at dusk."
    lines = plain((Block(out.PROSE, text),), 30).splitlines()
    assert all(len(line) <= 30 for line in lines)
    assert " ".join(lines) == text


def test_choices_are_numbered_with_a_hanging_indent() -> None:
    labels = tuple(f"Choice {n} with a label long enough to wrap around" for n in range(1, 11))
    lines = plain((Block(out.CHOICES, items=labels),), 40).splitlines()
    assert lines[0].startswith("   1. Choice 1")
    assert lines[1] == "      to wrap around"  # continuation lines sit under the text, not the number
    assert any(line.startswith("  10. Choice 10") for line in lines)


def test_blocks_are_separated_by_one_blank_line_and_styled_by_kind() -> None:
    lines = layout((Block(out.TITLE, "The Hall"), Block(out.PROSE, "Dust."), Block(out.ERROR, "No.")), 80)
    assert lines == [("title", "The Hall"), ("", ""), ("", "Dust."), ("", ""), ("error", "No.")]


def test_an_empty_list_says_so() -> None:
    assert plain((Block(out.LIST, "Ids: 0 of 9"),), 80) == "Ids: 0 of 9\n  - (none yet)"


def test_endings_stand_out() -> None:
    assert plain((Block(out.ENDING, "Code Eve"),), 80) == "*** Code Eve ***"


def test_plain_text_marks_titles_without_escape_codes() -> None:
    assert plain((Block(out.TITLE, "The Hall"), Block(out.PROSE, "Dust.")), 80) == "== The Hall ==\n\nDust."


@given(
    words=st.lists(
        st.sampled_from(["a", "bb", "ccc", "eeeeeeeeee", "—", "x" * 30, "fin.", "l'eau", "“so”"]), min_size=1
    ),
    width=st.integers(min_value=1, max_value=100),
    indent=st.sampled_from(["", "  - ", "  12. "]),
    hanging=st.sampled_from(["", "    ", "      "]),
)
def test_prose_wraps_exactly_as_textwrap_would(words: list[str], width: int, indent: str, hanging: str) -> None:
    """Prose is wrapped without textwrap, for speed, and must read the same."""
    text = " ".join(words)
    expected = textwrap.wrap(
        text,
        width=max(width, 20),
        initial_indent=indent,
        subsequent_indent=hanging or indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]
    assert _wrap(text, width, indent, hanging) == expected
