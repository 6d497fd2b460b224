from __future__ import annotations

from collections.abc import Sequence

import attrs

from adventure.core import engine
from adventure.core.commands import Match, words_of
from adventure.core.commands import match_choice as match_offered
from adventure.core.model import Choice, Story, outline


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


def test_a_word_that_fits_several_choices_never_picks_one_silently() -> None:
    # The playtest typed `ask` in the first scene and was taken to the one choice whose own words
    # say `ask`, past two labels that start with Ask.
    options = choices(
        "Ask who is there",
        "Ask what he put in your arm",
        "Ask Felix why you should let go",
        "Let go of his wrist",
        words={"Ask Felix why you should let go": ("why", "felix", "ask")},
    )
    match = match_choice("ask", options)
    assert match.choice is None and match.candidates == tuple(options[:3])
    assert match_choice("felix", options).choice is options[2]
    # Fitting better is no reason either: a beginning and a word further in are both a fit.
    match = match_choice("take", choices("Take their Ids", "Close her eyes, then take their Ids"))
    assert match.choice is None and len(match.candidates) == 2


def test_a_label_typed_whole_picks_it_unless_it_is_another_choices_word() -> None:
    options = choices("Take their Ids", "Close her eyes, then take their Ids")
    assert match_choice("take their ids", options).choice is options[0]
    options = choices("Go", "Go north", words={"Go": ("go north",)})
    assert match_choice("go north", options).choice is None


def test_ask_where_two_choices_ask_says_which_they_are(shipped_story: Story) -> None:
    # The briefing, in the prologue every game plays, asks two things of Jean.
    state = attrs.evolve(engine.begin(shipped_story).state, scene="pro_briefing")
    turn = engine.step(shipped_story, state, "ask")
    assert turn.state == state
    [asked] = [b.text for b in turn.output if b.text.startswith("Which do you mean")]
    assert "Ask if they are bad" in asked and "Ask what happens without an Id" in asked
    # Tab offers only what picks one choice.
    assert "ask" not in engine.completions(shipped_story, state)
