"""The engine, as a player meets it: each test runs twice, directly and with every state it steps
through saved to JSON and read back first (the `step` fixture), as ink's suite runs."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adventure.core import output as out
from adventure.core.engine import begin, completions, step, visible_choices
from adventure.core.model import Story
from adventure.core.output import plain
from adventure.story.loader import load_story

from .support import MINI_SCENES, Play, Step, mini_with


def test_the_first_visit_shows_title_first_text_and_choices(mini: Story) -> None:
    turn = begin(mini)
    kinds = [block.kind for block in turn.output]
    assert kinds == [out.TITLE, out.PROSE, out.PROSE, out.CHOICES]
    assert "You arrive, blinking." in plain(turn.output)
    assert turn.output[-1].items == ("Take the key (once)", "Pick up gold")


def test_choices_that_stay_say_once_or_that_they_were_taken_in_this_visit(mini: Story, step: Step) -> None:
    state = begin(mini).state
    state = step(mini, state, "coins").state
    assert step(mini, state, "look").output[-1].items == ("Take the key (once)", "Pick up gold (again)")
    state = step(mini, step(mini, state, "take").state, "open").state  # out to the yard
    state = step(mini, state, "back").state  # a new visit: nothing taken in it yet
    assert step(mini, state, "look").output[-1].items == ("Pick up gold", "Open the door")


def test_returning_shows_the_again_text_and_conditional_paragraphs(mini: Story, play: Play) -> None:
    state, text = play(mini, "take", "open", "go back")
    assert "You are back in the hall." in text
    assert "You arrive" not in text
    assert "The key is warm in your pocket." in text
    assert state.visit_count("hall") == 2


def test_effects_then_say_with_new_values(mini: Story, play: Play) -> None:
    state, text = play(mini, "coins", "coins")
    assert state.variables["gold"] == 4
    assert "You have 4 gold now." in text
    assert state.turn == 2


def test_a_once_choice_disappears_after_use(mini: Story, play: Play) -> None:
    state, text = play(mini, "take")
    assert "Take the key" not in text
    assert "hall/1" in state.used


def test_when_hides_and_shows_choices(mini: Story, play: Play) -> None:
    _, text = play(mini)
    assert "Open the door" not in text
    _, text = play(mini, "take")
    assert "Open the door" in text


def test_an_ending_finishes_the_game_with_its_text(mini: Story, play: Play) -> None:
    state, text = play(mini, "take", "open", "dig", "leave")
    assert state.ending == "out"
    assert "Outside" in text and "The door swings shut behind you." in text
    assert "2 of 2 Ids" in text
    _, after = play(mini, "take", "open", "leave", "1")
    assert "The story has ended" in after


def test_inventory_lists_ids_apart_out_of_the_total(mini: Story, play: Play) -> None:
    _, text = play(mini, "take", "open", "i")
    assert "Ids: 1 of 2" in text
    assert "the first Id: A grey orb." in text
    assert "You carry:" in text and "a brass key" in text


def test_an_empty_inventory_says_so(mini: Story, play: Play) -> None:
    _, text = play(mini, "inventory")
    assert text == "Ids: 0 of 2\n  - (none yet)\n\nYou carry nothing else."


def test_unknown_commands_change_nothing_and_show_what_can_be_done(mini: Story, step: Step) -> None:
    before = begin(mini).state
    turn = step(mini, before, "dance wildly")
    assert turn.state == before
    assert turn.output[0].kind == out.ERROR and "can't 'dance wildly'" in turn.output[0].text
    assert turn.output[1].kind == out.CHOICES


def test_a_number_past_the_choices_says_which_numbers_there_are(mini: Story, step: Step) -> None:
    turn = step(mini, begin(mini).state, "7")
    assert turn.output[0] == out.Block(out.ERROR, "There is no choice 7: pick 1 to 2.")


def test_an_empty_line_gives_a_hint(mini: Story, step: Step) -> None:
    before = begin(mini).state
    turn = step(mini, before, "   ")
    assert turn.state == before
    assert plain(turn.output) == "Type a number, or what you want to do. 'help' lists the commands."


def test_ambiguous_words_list_the_candidates(mini: Story, play: Play, step: Step) -> None:
    state = play(mini, "take", "open")[0]
    turn = step(mini, state, "b")
    assert turn.state == state
    assert turn.output == (out.Block(out.ERROR, "Which do you mean: 2. Go back inside or 3. Dig by the wall?"),)


def test_look_help_and_quit_are_global(mini: Story, step: Step) -> None:
    state = begin(mini).state
    assert step(mini, state, "l").output[0].text == "The Hall"
    assert "inventory / i" in plain(step(mini, state, "?").output)
    assert step(mini, state, "q").quit


def test_the_engine_alone_offers_no_session_commands(mini: Story, step: Step) -> None:
    [listing] = step(mini, begin(mini).state, "help").output
    offered = [line.split(":")[0] for line in listing.items]
    assert offered == [
        "a number",
        "words",
        "look / l",
        "inventory / i",
        "examine / x THING",
        "stats",
        "help / ?",
        "quit / q",
    ]


def test_completions_are_exactly_what_is_valid_now(mini: Story) -> None:
    words = completions(mini, begin(mini).state)
    assert "take the key" in words and "coins" in words and "1" in words and "look" in words
    assert "open the door" not in words


# ---------------------------------------------------------------- drop


DROPPING = MINI_SCENES.replace(
    "      - label: Open the door\n",
    "      - label: Hang the key back up\n"
    "        when: has(key)\n"
    "        do: drop key\n"
    "        say: The key is back on its hook.\n"
    "      - label: Shake out your pockets\n"
    "        do: [drop id_two, gold += 1]\n"
    "        say: Nothing falls out but a coin.\n"
    "      - label: Open the door\n",
)


@pytest.fixture
def dropping(tmp_path: Path) -> Story:
    return load_story(mini_with(tmp_path, DROPPING))


def test_drop_takes_the_item_away_and_what_it_opened_closes(dropping: Story, play: Play) -> None:
    state, text = play(dropping, "take", "hang")
    assert "The key is back on its hook." in text
    assert state.inventory == ()
    assert "Open the door" not in text and "Hang the key back up" not in text
    _, text = play(dropping, "take", "hang", "look")
    assert "The key is warm in your pocket." not in text
    _, text = play(dropping, "take", "hang", "i")
    assert "a brass key" not in text and "You carry nothing else." in text


def test_drop_leaves_the_other_items_in_their_order(tmp_path: Path, play: Play) -> None:
    story = load_story(
        mini_with(tmp_path, DROPPING.replace("do: drop key\n", "do: [take id_two, take id_one, drop key]\n"))
    )
    state, _ = play(story, "take", "hang")
    assert state.inventory == ("id_two", "id_one")
    assert "Ids: 2 of 2" in play(story, "take", "hang", "i")[1]


def test_dropping_what_is_not_carried_changes_only_the_rest(dropping: Story, play: Play) -> None:
    state, text = play(dropping, "take", "shake")
    assert "Nothing falls out but a coin." in text
    assert state.inventory == ("key",) and state.variables["gold"] == 1 and state.turn == 2


# ---------------------------------------------------------------- braces in text


def test_doubled_braces_show_as_braces_and_single_ones_show_values(tmp_path: Path, play: Play) -> None:
    scenes = MINI_SCENES.replace(
        '"A long hall. Gold: {gold}."', '"Write {{gold}} to show {gold}; {{{gold}}} is braced; }} and {{ alone."'
    )
    _, text = play(load_story(mini_with(tmp_path, scenes)), "coins", "look")
    assert "Write {gold} to show 2; {2} is braced; } and { alone." in text


# ---------------------------------------------------------------- random play

COMMANDS = st.lists(
    st.one_of(
        st.sampled_from(
            ["1", "2", "3", "4", "take", "open", "back", "dig", "leave", "coins", "look", "i", "?", "", "x"]
        ),
        st.text(max_size=12),
    ),
    max_size=25,
)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(commands=COMMANDS)
def test_random_commands_never_crash_or_leave_the_story(mini: Story, step: Step, commands: list[str]) -> None:
    state = begin(mini).state
    for command in commands:
        turn = step(mini, state, command)
        state = turn.state
        assert state.scene in mini.scenes
        assert all(item in mini.items for item in state.inventory)
        assert set(state.visits) <= set(mini.scenes)
        assert state.ending is None or state.ending in mini.endings


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=120))
def test_random_play_of_the_shipped_story_stays_inside_it(shipped_story: Story, step: Step, picks: list[int]) -> None:
    story = shipped_story
    state = begin(story).state
    for pick in picks:
        if state.ended:
            break
        choices = visible_choices(story, state)
        assert choices, f"no way on from scene {state.scene!r}"
        state = step(story, state, str((pick - 1) % len(choices) + 1)).state
        assert state.scene in story.scenes
        assert all(item in story.items for item in state.inventory)


def test_only_visits_the_story_can_read_are_counted(mini: Story, tmp_path: Path) -> None:
    """The yard's visits matter to nothing in the story, so the state does not carry them; once a
    condition reads them, they are counted."""
    state = step(mini, step(mini, begin(mini).state, "take").state, "open").state
    assert state.scene == "yard" and "yard" not in state.visits and state.visit_count("hall") == 1
    scenes = MINI_SCENES.replace(
        "    text: Cold air and stars.", "    text: Cold air and stars.\n    again: Still cold."
    )
    reading = load_story(mini_with(tmp_path, scenes, name="reading"))
    state = step(reading, step(reading, begin(reading).state, "take").state, "open").state
    assert state.visit_count("yard") == 1


def test_a_move_leaves_nothing_for_the_cyclic_collector(mini: Story) -> None:
    """Scenes decoded in play are frozen out of the collector's sight (story/cache.py), which
    would keep for ever any cycle a move had left behind: a move must leave none."""
    state = begin(mini, seed=1).state
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        for command in ("take", "coins", "coins", "open", "back", "look", "nonsense", "9", "open", "leave"):
            state = step(mini, state, command).state
        assert state.ended
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()
