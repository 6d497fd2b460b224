"""Walkthroughs: read with every mistake placed, played, failures explained, coverage counted."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from adventure.analysis.walkthrough import check_names, coverage, run_walkthrough
from adventure.core.model import Story
from adventure.story.walkthroughs import WalkthroughError, load_walkthrough, parse_walkthrough

GOOD = """\
steps:
  - expect: {scene: hall, text: You arrive}
  - take the key
  - do: coins
    expect: {vars: {gold: 2}, text: "You have 2   gold now."}
  - do: open the door
    expect:
      scene: yard
      has: [key, id_one]
      lacks: id_two
      vars: {door_open: true}
  - do: leave
    expect: {ending: out}
"""


def parse(text: str):  # type: ignore[no-untyped-def]
    walkthrough, problems = parse_walkthrough(textwrap.dedent(text), "w.yaml")
    return walkthrough, [p.format() for p in problems]


def test_a_walkthrough_reads_into_steps() -> None:
    walkthrough, problems = parse(GOOD)
    assert problems == [] and walkthrough is not None
    assert [s.command for s in walkthrough.steps] == [None, "take the key", "coins", "open the door", "leave"]
    assert walkthrough.steps[3].expect.scene == ("yard", walkthrough.steps[3].expect.scene[1])  # type: ignore[index]
    assert [name for name, _ in walkthrough.steps[3].expect.has] == ["key", "id_one"]
    assert walkthrough.steps[2].source.line == 4


def test_mistakes_are_reported_at_their_place() -> None:
    _, problems = parse("""\
        scenes: ../s
        stepz:
          - take
        """)
    assert problems == ["w.yaml:2:1: error: unknown key 'stepz' in a walkthrough; did you mean 'steps'?"]
    _, problems = parse("""\
        steps:
          - take
          - do: open
            expct: {scene: yard}
          - do: open
            expect: {scene: yard, hass: key, vars: {gold: lots}}
          - {}
        """)
    assert problems == [
        "w.yaml:4:5: error: unknown key 'expct' in a step; did you mean 'expect'?",
        "w.yaml:6:27: error: unknown key 'hass' in 'expect'; did you mean 'has'?",
        "w.yaml:6:51: error: the value of 'gold' should be a whole number or true/false, found 'lots'",
        "w.yaml:7:5: error: a step needs 'do' (a command), 'expect', or both",
    ]


def test_yaml_syntax_and_empty_files() -> None:
    assert parse("steps: [take\n")[1][0].startswith("w.yaml:2:1: error: YAML syntax")
    assert parse("")[1] == ["w.yaml: error: the walkthrough is empty; it needs 'steps', a list of commands"]
    assert parse("steps: []\n")[1] == ["w.yaml:1:8: error: 'steps' is empty: give at least one command"]


def test_names_are_checked_against_the_story(mini: Story) -> None:
    walkthrough, _ = parse("""\
        steps:
          - do: open
            expect: {scene: yrd, ending: outside, has: kye, vars: {gold: true, silver: 1}}
        """)
    assert walkthrough is not None
    assert [p.format() for p in check_names(walkthrough, mini)] == [
        "w.yaml:3:21: error: no scene 'yrd' in the story; did you mean 'yard'?",
        "w.yaml:3:34: error: no ending 'outside' in the story; did you mean 'out'?",
        "w.yaml:3:48: error: no item 'kye' in the story; did you mean 'key'?",
        "w.yaml:3:60: error: 'gold' is a whole number, not true",
        "w.yaml:3:72: error: no variable 'silver' in the story",
    ]


def test_a_good_walkthrough_passes_and_records_what_it_visited(mini: Story) -> None:
    walkthrough, _ = parse(GOOD)
    walked = run_walkthrough(mini, walkthrough)  # type: ignore[arg-type]
    assert walked.passed and walked.state.ending == "out"
    assert walked.scenes == {"hall", "yard"}
    assert walked.choices == {"hall/1", "hall/2", "hall/3", "yard/1"}
    assert walked.transcript[0].startswith("== The Hall ==") and walked.transcript[1].startswith("> take the key")


@pytest.mark.parametrize(
    "step,expected,got",
    [
        ("{do: open the door, expect: {scene: hall}}", "scene 'hall'", "the player is in scene 'yard' (The Yard)"),
        (
            "{do: open the door, expect: {text: Warm air}}",
            "the text 'Warm air'",
            "it was not in what the game printed for this step",
        ),
        ("{do: open the door, expect: {has: id_two}}", "the player to have 'id_two'", "the player has key, id_one"),
        ("{do: open the door, expect: {lacks: key}}", "the player not to have 'key'", "the player has key, id_one"),
        ("{do: open the door, expect: {vars: {gold: 3}}}", "gold = 3", "gold = 0"),
        ("{do: open the door, expect: {ending: out}}", "the ending 'out'", "the player is in scene 'yard' (The Yard)"),
        ("fly away", "the game to take 'fly away'", "You can't 'fly away' here. You can:"),
    ],
)
def test_a_failing_step_says_what_was_expected_and_what_happened(
    mini: Story, step: str, expected: str, got: str
) -> None:
    walkthrough, problems = parse(f"steps:\n  - take the key\n  - {step}\n  - leave\n")
    assert problems == []
    walked = run_walkthrough(mini, walkthrough)  # type: ignore[arg-type]
    assert walked.failure is not None
    assert (walked.failure.number, walked.failure.expected, walked.failure.got) == (2, expected, got)
    assert walked.failure.step.source.line == 3
    assert walked.transcript[-1].startswith(f"> {walked.failure.step.command}")


def test_commands_after_the_ending_or_a_quit_fail(mini: Story) -> None:
    walkthrough, _ = parse("steps: [take, open, leave, look, back]\n")
    walked = run_walkthrough(mini, walkthrough)  # type: ignore[arg-type]
    assert walked.failure is not None and walked.failure.number == 5
    assert walked.failure.got == "the story ended with 'out' (Outside)"
    walkthrough, _ = parse("steps: [take, quit, open]\n")
    walked = run_walkthrough(mini, walkthrough)  # type: ignore[arg-type]
    assert walked.failure is not None and walked.failure.got == "an earlier step quit the game"


def test_coverage_lists_what_no_walkthrough_reached(mini: Story) -> None:
    short, _ = parse("steps: [coins]\n")
    longer, _ = parse("steps: [take, open, back]\n")
    walked = [run_walkthrough(mini, w) for w in (short, longer)]  # type: ignore[arg-type]
    found = coverage(mini, walked)
    assert found.scenes == ()
    assert found.choices == (("yard", 1), ("yard", 3))
    assert (found.total_scenes, found.total_choices) == (2, 6)
    assert coverage(mini, walked[:1]).scenes == ("yard",)


def test_loading_a_file(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("scenes: story\nsteps: [take]\n", encoding="utf-8")
    walkthrough = load_walkthrough(path)
    assert walkthrough.scenes is not None and walkthrough.scenes[0] == "story"
    path.write_text("steps: take\n", encoding="utf-8")
    with pytest.raises(WalkthroughError) as caught:
        load_walkthrough(path)
    assert "'steps' should be a list" in caught.value.show()


def test_a_walkthrough_nested_too_deeply_is_a_problem_not_a_crash() -> None:
    walkthrough, problems = parse_walkthrough("steps:\n  - " + "[" * 5000 + "\n", "deep.yaml")
    assert walkthrough is None and problems and problems[0].file == "deep.yaml" and problems[0].line == 2
