"""What the player typed, understood against the choices in front of them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Optional

import attrs

from adventure.core.model import Choice

# The verbs a player can type anywhere, with their short forms and what they do. Front ends add
# their own (saving, loading) to the same table, so help and completion never disagree.
Command = tuple[str, tuple[str, ...], str, str]  # verb, short forms, what follows it, what it does

GAME_COMMANDS: tuple[Command, ...] = (
    ("look", ("l",), "", "describe the scene again"),
    ("inventory", ("i",), "", "what you carry, your Ids apart"),
    ("help", ("?",), "", "this list"),
    ("quit", ("q",), "", "leave the game (it is kept in the autosave)"),
)
# Handled by the session, around the story: they read and write save files.
SAVE_COMMANDS: tuple[Command, ...] = (
    ("save", (), "[NAME]", "save the game; alone, under the last name used"),
    ("load", (), "[NAME]", "go back to a saved game; alone, the newest"),
    ("saves", (), "", "list the saved games"),
    ("delete", (), "NAME", "delete a saved game"),
    ("undo", ("u",), "", "take back the last move"),
    ("restart", (), "", "start the story again from the beginning"),
)
ALL_COMMANDS = GAME_COMMANDS + SAVE_COMMANDS


def command_aliases(table: Sequence[Command]) -> dict[str, str]:
    """Every spelling of every verb, mapped to the verb."""
    aliases: dict[str, str] = {}
    for verb, shorts, _, _ in table:
        aliases[verb] = verb
        for short in shorts:
            aliases[short] = verb
    return aliases


GAME_ALIASES = command_aliases(GAME_COMMANDS)
SAVE_ALIASES = command_aliases(SAVE_COMMANDS)

_WORD = re.compile(r"[a-z0-9']+")


def words_of(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower().replace("’", "'")))


@attrs.frozen
class Match:
    """The outcome of matching words against choices: one choice, several, or none."""

    choice: Optional[Choice] = None
    candidates: tuple[Choice, ...] = ()


def _rank(typed: tuple[str, ...], phrase: tuple[str, ...]) -> int:
    """0 no match, 3 exact, 2 matches from the phrase's start, 1 matches words further in.

    Each typed word must begin a phrase word, in order, skipping phrase words freely.
    """
    if not typed or not phrase:
        return 0
    if typed == phrase:
        return 3
    at = 0
    first = -1
    for word in typed:
        while at < len(phrase) and not phrase[at].startswith(word):
            at += 1
        if at == len(phrase):
            return 0
        if first < 0:
            first = at
        at += 1
    return 2 if first == 0 else 1


def match_choice(typed_text: str, choices: Sequence[Choice]) -> Match:
    """Pick the choice a player means: a number, or words from its label or extra words."""
    stripped = typed_text.strip()
    if stripped.isascii() and stripped.isdigit():
        index = int(stripped) - 1
        return Match(choice=choices[index]) if 0 <= index < len(choices) else Match()
    typed = words_of(stripped)
    best = 0
    found: list[Choice] = []
    for choice in choices:
        rank = max(
            [_rank(typed, words_of(choice.label))] + [_rank(typed, words_of(w)) for w in choice.words]
        )
        if rank > best:
            best, found = rank, [choice]
        elif rank == best and rank:
            found.append(choice)
    if len(found) == 1:
        return Match(choice=found[0])
    return Match(candidates=tuple(found))
