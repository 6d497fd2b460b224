from __future__ import annotations

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adventure.core import output as out
from adventure.core.engine import begin, completions, step, visible_choices
from adventure.core.model import Story
from adventure.core.output import plain
from adventure.core.state import GameState


def play(story: Story, *commands: str) -> tuple[GameState, str]:
    turn = begin(story)
    state, text = turn.state, plain(turn.output)
    for command in commands:
        turn = step(story, state, command)
        state, text = turn.state, plain(turn.output)
    return state, text


def test_the_first_visit_shows_title_first_text_and_choices(mini: Story) -> None:
    turn = begin(mini)
    kinds = [block.kind for block in turn.output]
    assert kinds == [out.TITLE, out.PROSE, out.PROSE, out.CHOICES]
    assert "You arrive, blinking." in plain(turn.output)
    assert turn.output[-1].items == ("Take the key", "Pick up gold")


def test_returning_shows_the_again_text_and_conditional_paragraphs(mini: Story) -> None:
    state, text = play(mini, "take", "open", "go back")
    assert "You are back in the hall." in text
    assert "You arrive" not in text
    assert "The key is warm in your pocket." in text
    assert state.visit_count("hall") == 2


def test_effects_then_say_with_new_values(mini: Story) -> None:
    state, text = play(mini, "coins", "coins")
    assert state.variables["gold"] == 4
    assert "You have 4 gold now." in text
    assert state.turn == 2


def test_a_once_choice_disappears_after_use(mini: Story) -> None:
    state, text = play(mini, "take")
    assert "Take the key" not in text
    assert "hall/1" in state.used


def test_when_hides_and_shows_choices(mini: Story) -> None:
    _, text = play(mini)
    assert "Open the door" not in text
    _, text = play(mini, "take")
    assert "Open the door" in text


def test_an_ending_finishes_the_game_with_its_text(mini: Story) -> None:
    state, text = play(mini, "take", "open", "dig", "leave")
    assert state.ending == "out"
    assert "Outside" in text and "The door swings shut behind you." in text
    assert "2 of 2 Ids" in text
    _, after = play(mini, "take", "open", "leave", "1")
    assert "The story has ended" in after


def test_inventory_lists_ids_apart_out_of_the_total(mini: Story) -> None:
    _, text = play(mini, "take", "open", "i")
    assert "Ids: 1 of 2" in text
    assert "the first Id: A grey orb." in text
    assert "You carry:" in text and "a brass key" in text


def test_unknown_commands_change_nothing_and_show_what_can_be_done(mini: Story) -> None:
    before = begin(mini).state
    turn = step(mini, before, "dance wildly")
    assert turn.state == before
    assert turn.output[0].kind == out.ERROR and "can't 'dance wildly'" in turn.output[0].text
    assert turn.output[1].kind == out.CHOICES


def test_ambiguous_words_list_the_candidates(mini: Story) -> None:
    state = play(mini, "take", "open")[0]
    turn = step(mini, state, "b")
    assert turn.state == state
    assert turn.output == (out.Block(out.ERROR, "Which do you mean: 2. Go back inside or 3. Dig by the wall?"),)


def test_look_help_and_quit_are_global(mini: Story) -> None:
    state = begin(mini).state
    assert step(mini, state, "l").output[0].text == "The Hall"
    assert "inventory / i" in plain(step(mini, state, "?").output)
    assert step(mini, state, "q").quit


def test_completions_are_exactly_what_is_valid_now(mini: Story) -> None:
    words = completions(mini, begin(mini).state)
    assert "take the key" in words and "coins" in words and "1" in words and "look" in words
    assert "open the door" not in words


def test_the_same_commands_give_the_same_game(mini: Story) -> None:
    commands = ("take", "coins", "open", "dig", "back", "coins")
    assert play(mini, *commands) == play(mini, *commands)


COMMANDS = st.lists(
    st.one_of(
        st.sampled_from(
            ["1", "2", "3", "4", "take", "open", "back", "dig", "leave", "coins", "look", "i", "?", "", "x"]
        ),
        st.text(max_size=12),
    ),
    max_size=25,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(commands=COMMANDS)
def test_random_commands_never_crash_or_leave_the_story(mini: Story, commands: list[str]) -> None:
    state = begin(mini).state
    for command in commands:
        turn = step(mini, state, command)
        state = turn.state
        assert state.scene in mini.scenes
        assert all(item in mini.items for item in state.inventory)
        assert set(state.visits) <= set(mini.scenes)
        assert state.ending is None or state.ending in mini.endings
        assert attrs.evolve(state) == state and hash(state) == hash(attrs.evolve(state))


@settings(max_examples=40, deadline=None)
@given(picks=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=120))
def test_random_play_of_the_shipped_story_stays_inside_it(shipped_story: Story, picks: list[int]) -> None:
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
