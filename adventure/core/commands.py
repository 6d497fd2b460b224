"""What the player typed, understood against the choices in front of them."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import attrs

from adventure.core.model import Choice


@attrs.frozen
class Verb:
    """A command a player can type anywhere. One table of them feeds the parser, help and completion."""

    name: str
    shorts: tuple[str, ...]
    argument: str  # "" none, "[NAME]" optional, "NAME" required: also how help shows it
    what: str
    needs: str = ""  # "": the engine answers it; "session": a session; "saves": one with a saves folder; "dev": --dev

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.shorts)


VERBS: tuple[Verb, ...] = (
    Verb("look", ("l",), "", "describe the scene again"),
    Verb("inventory", ("i",), "", "what you carry"),
    Verb("examine", ("x",), "THING", "look closely at something you carry"),
    Verb("stats", (), "", "the story's score and stats"),
    Verb("help", ("?",), "", "this list"),
    Verb("quit", ("q",), "", "leave the game (it is kept in the autosave)"),
    # Answered by the session, around the story: they need memory of past moves, or files.
    Verb("save", (), "[NAME]", "save the game; alone, under the last name used", needs="saves"),
    Verb("load", (), "[NAME]", "go back to a saved game; alone, the newest", needs="saves"),
    Verb("saves", (), "", "list the saved games", needs="saves"),
    Verb("delete", (), "NAME", "delete a saved game", needs="saves"),
    Verb("undo", ("u",), "", "take back the last move (or a load, or a restart)", needs="session"),
    Verb("history", (), "", "the choices you have made in this game", needs="session"),
    Verb("transcript", (), "[NAME]", "keep a transcript of the game in the saves folder; 'off' stops", needs="saves"),
    Verb("restart", (), "", "start the story again from the beginning", needs="session"),
    Verb("reload", (), "", "read the story files again now", needs="dev"),
)
GAME_VERBS = tuple(v for v in VERBS if not v.needs)


def verb_spellings(table: Sequence[Verb]) -> dict[str, Verb]:
    """Every spelling of every verb in `table`, mapped to the verb."""
    return {spelling: verb for verb in table for spelling in verb.spellings}


GAME_SPELLINGS = verb_spellings(GAME_VERBS)
RESERVED_WORDS = frozenset(verb_spellings(VERBS))  # a choice named by one of these could never be typed

_WORD = re.compile(r"[a-z0-9']+")


@functools.lru_cache(maxsize=8192)  # labels and choice words are the same few strings, matched on every command
def words_of(text: str) -> tuple[str, ...]:
    """The words of a label or a command, lower case. Kept for the labels seen lately, so a move
    does not tokenise every label it offers again."""
    return tuple(_WORD.findall(text.lower().replace("’", "'")))


@attrs.frozen
class Match:
    """The outcome of matching words against choices: one choice, several, or none."""

    choice: Choice | None = None
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


def match_choice(typed_text: str, offered: Sequence[tuple[Choice, str]]) -> Match:
    """Pick the choice a player means: a number, or words from its label (as shown) or extra words."""
    choices = [choice for choice, _ in offered]
    stripped = typed_text.strip()
    if stripped.isascii() and stripped.isdigit():
        # A number too long to be a choice is no choice (and int() refuses 4,301 digits or more).
        index = int(stripped) - 1 if len(stripped) <= 9 else -1
        return Match(choice=choices[index]) if 0 <= index < len(choices) else Match()
    typed = words_of(stripped)
    # A label typed whole picks its choice, unless it is also another choice's own word. Other
    # words that fit several choices pick none of them silently, however well they fit one
    # (`ask`, a choice's own word, where two more labels start with Ask): the player is asked.
    whole: list[Choice] = []
    also: list[Choice] = []  # choices whose own words are what was typed
    found: list[Choice] = []
    for choice, label in offered:
        phrase = words_of(label)
        own = [words_of(w) for w in choice.words]
        if typed and typed == phrase:
            whole.append(choice)
        if typed in own:
            also.append(choice)
        if _rank(typed, phrase) or any(_rank(typed, w) for w in own):
            found.append(choice)
    if len(whole) == 1 and all(choice is whole[0] for choice in also):
        return Match(choice=whole[0])
    if len(found) == 1:
        return Match(choice=found[0])
    return Match(candidates=tuple(found))
