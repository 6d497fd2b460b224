from __future__ import annotations

from collections.abc import Sequence

from adventure.core.commands import Match, words_of
from adventure.core.commands import match_choice as match_offered
from adventure.core.model import Choice, outline


def match_choice(typed: str, choices: Sequence[Choice]) -> Match:
    """Match against choices shown with their labels as written."""
    return match_offered(typed, [(c, outline(c.label)) for c in choices])


def choices(*labels: str, words: dict[str, tuple[str, ...]] | None = None) -> list[Choice]:
    words = words or {}
    return [Choice(f"s/{n}", label, words.get(label, ())) for n, label in enumerate(labels, 1)]


def test_a_number_picks_the_visible_choice() -> None:
    options = choices("Talk to Naomi", "Leave")
    assert match_choice("2", options).choice is options[1]
    assert match_choice("3", options).choice is None
    assert match_choice("0", options).choice is None


def test_words_match_case_insensitively_with_unique_prefixes() -> None:
    options = choices("Talk to Naomi", "Take the chocolate", "Leave")
    assert match_choice("TALK", options).choice is options[0]
    assert match_choice("le", options).choice is options[2]
    assert match_choice("take choc", options).choice is options[1]


def test_words_may_skip_words_of_the_label() -> None:
    options = choices("Talk to Naomi", "Talk to Jean")
    assert match_choice("talk jean", options).choice is options[1]
    assert match_choice("naomi", options).choice is options[0]


def test_ambiguity_returns_every_candidate() -> None:
    options = choices("Talk to Naomi", "Talk to Jean", "Leave")
    match = match_choice("talk", options)
    assert match.choice is None
    assert match.candidates == (options[0], options[1])


def test_an_exact_match_beats_a_prefix() -> None:
    options = choices("Go", "Go home")
    assert match_choice("go", options).choice is options[0]


def test_extra_words_count_like_the_label() -> None:
    options = choices("Sit up", "Ask who is there", words={"Ask who is there": ("voice", "hello")})
    assert match_choice("hello", options).choice is options[1]


def test_unknown_words_match_nothing() -> None:
    match = match_choice("dance", choices("Sit up", "Leave"))
    assert match.choice is None and match.candidates == ()


def test_punctuation_and_curly_apostrophes_are_ignored() -> None:
    assert words_of("Don’t look back!") == ("don't", "look", "back")
