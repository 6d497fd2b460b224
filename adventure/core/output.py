"""What the engine says, as data: the engine never prints, the front ends render these blocks."""

from __future__ import annotations

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


Output = tuple[Block, ...]


def plain_text(output: Output) -> str:
    """The blocks as unstyled text, unwrapped: for tests and tools."""
    lines: list[str] = []
    for block in output:
        if block.kind == CHOICES:
            lines.extend(f"{n}. {label}" for n, label in enumerate(block.items, 1))
        elif block.kind == LIST:
            lines.append(block.text)
            lines.extend(f"  {item}" for item in block.items)
        else:
            lines.append(block.text)
    return "\n".join(lines)
