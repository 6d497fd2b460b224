"""The checker on format v2: every outcome of the dice is a branch, calls are followed with their
stack, and a move the game refuses is named."""

from __future__ import annotations

from pathlib import Path

from adventure.analysis.check import PROVED, REFUTED, check_story
from adventure.core.model import Story

from .support import V2_SCENES, Cli, assert_witnesses_replay, v2_story

DICE_STORY = """\
story:
  id: dice
  title: Dice
  version: 1
  start: table
vars:
  won: false
  tries: 0
endings:
  rich:
    title: Rich
  home:
    title: Home
"""

DICE_SCENES = """\
scenes:
  table:
    title: The Table
    choices:
      - label: Throw
        when: tries < 2
        do: tries += 1
        branch:
          - when: random(1, 6) == 6
            end: rich
          - say: Not a six.
      - label: Go home
        end: home
"""


def prop(story: Story, kind: str, subject: str) -> str:
    report = check_story(story)
    return next(p.status for p in report.properties if p.kind == kind and p.subject == subject)


def test_an_ending_that_needs_luck_is_reachable_but_not_whatever_the_dice_say(tmp_path: Path) -> None:
    story = v2_story(tmp_path, DICE_SCENES, DICE_STORY)
    report = check_story(story)
    status = {(p.kind, p.subject): p.status for p in report.properties}
    assert status["ending", "rich"] == PROVED and status["ending", "home"] == PROVED
    assert status["sure", "rich"] == REFUTED and status["sure", "home"] == PROVED
    assert not report.errors  # needing luck is no mistake
    assert_witnesses_replay(story, report)


def test_the_summary_counts_the_endings_luck_cannot_shut_off_and_paths_lists_only_real_paths(
    cli: Cli, tmp_path: Path
) -> None:
    v2_story(tmp_path, DICE_SCENES, DICE_STORY)
    lines = cli("check", str(tmp_path / "v2"), "--paths", status=0).out.splitlines()
    assert "2/2 endings reachable, 1/2 endings reachable whatever the dice say, no softlock" in lines[-1]
    paths = [line.split(":")[0] for line in lines[:-1] if not line.startswith("/")]
    assert paths == ["scene table", "ending rich", "ending home"]


def test_six_sixes_in_a_row_are_followed_outcome_by_outcome(tmp_path: Path) -> None:
    scenes = DICE_SCENES.replace("random(1, 6) == 6", "random(1, 6) + random(1, 6) == 12")
    report = check_story(v2_story(tmp_path, scenes, DICE_STORY))
    assert report.complete and not report.errors
    assert {p.subject for p in report.properties if p.kind == "ending" and p.status == PROVED} == {"rich", "home"}


def test_a_witness_takes_the_luck_the_search_took_when_other_luck_is_refused(tmp_path: Path) -> None:
    """Found by the random-story cross-check: heads is refused (no scene to go back to), tails ends
    the story; the witness must replay tails, not give up on heads."""
    scenes = """\
scenes:
  table:
    title: The Table
    choices:
      - label: Wait
      - label: Wait longer
      - label: Try your luck
        branch:
          - when: chance(50)
            back: true
          - end: home
"""
    story = v2_story(tmp_path, scenes, DICE_STORY.replace("  rich:\n    title: Rich\n", ""))
    report = check_story(story)
    [home] = [p for p in report.properties if p.kind == "ending"]
    assert (home.status, home.witness) == (PROVED, ("try your luck",))
    assert_witnesses_replay(story, report)


def test_a_witness_that_needs_luck_the_first_dice_do_not_give_still_replays(tmp_path: Path) -> None:
    """Found by the random-story cross-check: with the game's own first dice, heads comes up (nine
    times in ten) and is refused; the witness is still a real way through, with luck."""
    scenes = """\
scenes:
  table:
    title: The Table
    choices:
      - label: Wait
      - label: Try your luck
        branch:
          - when: chance(90)
            back: true
          - end: home
"""
    story = v2_story(tmp_path, scenes, DICE_STORY.replace("  rich:\n    title: Rich\n", ""))
    report = check_story(story)
    assert prop(story, "ending", "home") == PROVED
    assert_witnesses_replay(story, report)


def test_a_story_without_dice_claims_nothing_about_luck(tmp_path: Path) -> None:
    story = v2_story(tmp_path, DICE_SCENES.replace("random(1, 6) == 6", "tries == 2"), DICE_STORY)
    assert not [p for p in check_story(story).properties if p.kind == "sure"]


def test_the_v2_story_is_proved_with_its_calls_and_dice(tmp_path: Path) -> None:
    story = v2_story(tmp_path)
    report = check_story(story)
    assert report.complete and not report.errors, report.problems
    assert all(p.status == PROVED for p in report.properties if p.kind != "sure")
    assert_witnesses_replay(story, report)


def test_back_with_nowhere_to_go_is_a_softlock_and_a_refusal(tmp_path: Path) -> None:
    scenes = V2_SCENES.replace(
        "      - label: Talk to the ghost\n        call: ghost\n",
        "      - label: Walk to the ghost\n        goto: ghost\n",
    )
    report = check_story(v2_story(tmp_path, scenes))
    codes = {p.code for p in report.problems}
    assert "refused" in codes and "softlock" in codes
    [refused] = [p for p in report.problems if p.code == "refused"]
    assert "'Say goodbye'" in refused.message and "there is no scene to go back to" in refused.message


def test_a_division_by_zero_somewhere_a_player_can_be_is_named(tmp_path: Path) -> None:
    scenes = V2_SCENES.replace("            do: coins += 1\n", "            do: coins = 10 / (coins - 1)\n")
    report = check_story(v2_story(tmp_path, scenes))
    [refused] = [p for p in report.problems if p.code == "refused"]
    assert "'Gamble'" in refused.message and "a division by zero" in refused.message


def test_two_choices_shown_with_one_label_are_named(tmp_path: Path) -> None:
    scenes = V2_SCENES.replace(
        "      - label: Give up\n",
        "      - label: Climb up\n        when: has(key)\n        end: lost\n      - label: Give up\n",
    )
    report = check_story(v2_story(tmp_path, scenes))
    [same] = [p for p in report.problems if p.code == "same-label"]
    assert same.message == (
        "choices 4 and 5 of scene 'cellar' are both shown as 'Climb up' in some play: the player cannot tell them apart"
    )


def test_a_paragraph_that_can_never_show_is_dead_text(tmp_path: Path) -> None:
    scenes = V2_SCENES.replace(
        '    text: "You rolled {roll}."\n',
        '    text:\n      - "You rolled {roll}."\n      - when: roll > 6\n        text: A seven!\n',
    )
    report = check_story(v2_story(tmp_path, scenes))
    [dead] = [p for p in report.problems if p.code == "dead-text"]
    assert dead.message == "a paragraph of the text of scene 'cellar' is never shown: 'when: roll > 6' never holds"
    assert dead.line == 29


def test_a_disabled_choice_that_can_never_be_taken_is_named_as_such_not_as_hidden(tmp_path: Path) -> None:
    judged = V2_SCENES.replace("requires: has(gold)", "requires: roll > 6")
    [lint] = [p for p in check_story(v2_story(tmp_path / "a", judged)).problems if p.code == "never-holds"]
    assert lint.message == "choice 3 of scene 'stairs' ('Leave') can never be taken: 'requires: roll > 6' never holds"
    played = V2_SCENES.replace("requires: has(gold)", "requires: has(key) and not seen(cellar)")
    [found] = [p for p in check_story(v2_story(tmp_path / "b", played)).problems if p.code == "never-shown"]
    assert found.message == (
        "choice 3 of scene 'stairs' ('Leave') can never be taken: its 'when' or 'requires' never holds "
        "when the player is there"
    )
