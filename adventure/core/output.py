"""What the engine says, as data, and the one layout of it into lines that every front end shares.

The engine never prints; front ends style the lines `layout` gives, and `plain` is exactly what a
player sees without colours, so walkthroughs and tests check the text a player reads.
"""

from __future__ import annotations

import functools
import re

import attrs

TITLE = "title"  # a scene's title
PROSE = "prose"  # a paragraph of the story
CHOICES = "choices"  # the numbered choices, in `items`
LIST = "list"  # a heading (`text`) and its lines (`items`), e.g. the inventory
NOTE = "note"  # the game speaking about itself: hints, confirmations
ERROR = "error"  # the player's command could not be done
ENDING = "ending"  # an ending's title


@attrs.frozen
class Block:
    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    off: tuple[int, ...] = ()  # the items shown but not to be taken now (disabled choices)


Output = tuple[Block, ...]


Line = tuple[str, str]  # (style name, text); style "" is plain


def _wrap(text: str, width: int, indent: str = "", hanging: str = "") -> list[str]:
    """`text` in lines of at most `width` columns (a longer word has a line of its own).

    Text spaced as prose is (single spaces, nothing unprintable such as tabs or line breaks) is
    wrapped here greedily, as textwrap would wrap it but several times faster; anything else goes
    to textwrap itself.
    """
    width = max(width, 20)
    if text and text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " ":
        if len(indent) + len(text) <= width:
            return [indent + text]  # most labels and many short paragraphs
        rest = hanging or indent
        first = _lines_of(max(width - len(indent), 1)).match(text)
        assert first is not None  # a line starts with a word: one alternative always matches
        lines = [indent + first.group()]
        lines.extend(rest + line for line in _lines_of(max(width - len(rest), 1)).findall(text, first.end() + 1))
        return lines
    import textwrap  # rarely needed, so not imported at every start

    return textwrap.wrap(
        text,
        width=max(width, 20),
        initial_indent=indent,
        subsequent_indent=hanging or indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


@functools.cache
def _lines_of(width: int) -> re.Pattern[str]:
    """Greedy lines of at most `width` columns: the longest run of words that fits, else one word
    too long for any line, alone (as textwrap does without breaking long words)."""
    return re.compile(rf"\S.{{0,{width - 1}}}(?= |$)|\S+")


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """Text with every control character (ESC, BEL, ...) replaced by a space: story or save content
    can then never move the cursor, retitle the window or clear a player's screen."""
    if text.isprintable():  # no control character is printable: most lines need no look inside
        return text
    return _CONTROLS.sub(" ", text)


def layout(output: Output, width: int) -> list[Line]:
    """Lay out blocks for a screen `width` columns wide, with a blank line between blocks.

    Every line is made `safe`, so no front end can print a control character from content.
    """
    return [(style, safe(text)) for style, text in _layout(output, width)]


def _layout(output: Output, width: int) -> list[Line]:
    lines: list[Line] = []
    for block in output:
        if lines:
            lines.append(("", ""))
        if block.kind == TITLE:
            lines.append(("title", block.text))
        elif block.kind == ENDING:
            lines.append(("ending", f"*** {block.text} ***"))
        elif block.kind == CHOICES:
            digits = len(str(len(block.items)))
            for number, label in enumerate(block.items, 1):
                head = f"  {number:>{digits}}. "
                wrapped = _wrap(label, width, head, " " * len(head))
                style = "choice-off" if number - 1 in block.off else "choice"
                lines.append((style, wrapped[0]))
                lines.extend((style, rest) for rest in wrapped[1:])
        elif block.kind == LIST:
            lines.append(("heading", block.text))
            for item in block.items or ("(none yet)",):
                lines.extend(("", line) for line in _wrap(item, width, "  - ", "    "))
        else:
            style = {NOTE: "note", ERROR: "error"}.get(block.kind, "")
            lines.extend((style, line) for line in _wrap(block.text, width))
    return lines


def plain(output: Output, width: int = 100) -> str:
    """The blocks as plain text, for pipes and files: no escape codes, so titles are marked in text."""
    return "\n".join(f"== {text} ==" if style == "title" else text for style, text in layout(output, width))
