"""The checker proves and refutes each property on tiny stories, with witnesses that replay."""

from __future__ import annotations

from pathlib import Path

from adventure.analysis.check import PROVED, REFUTED, UNKNOWN, Property, Report, check_story
from adventure.core.expr import Take
from adventure.core.model import Choice, Ending, Item, Scene, Story
from adventure.story.loader import load_story

from .support import HEADER, SOFTLOCK, assert_witnesses_replay, write_story


def tiny(tmp_path: Path, scenes: str, story: str = HEADER) -> Story:
    return load_story(write_story(tmp_path / "tiny", {"story.yaml": story, "scenes.yaml": scenes}))


def prop(report: Report, kind: str, subject: str = "") -> Property:
    return next(p for p in report.properties if p.kind == kind and p.subject == subject)


def codes(report: Report) -> list[str]:
    return [p.code for p in report.problems]


# ---------------------------------------------------------------- the mini story


def test_the_mini_story_is_proved_playable(mini: Story) -> None:
    report = check_story(mini)
    assert report.errors == [] and report.complete
    assert {(p.kind, p.subject, p.status) for p in report.properties} == {
        ("scene", "hall", PROVED),
        ("scene", "yard", PROVED),
        ("ending", "out", PROVED),
        ("id", "id_one", PROVED),
        ("id", "id_two", PROVED),
        ("softlock", "", PROVED),
    }
    assert prop(report, "ending", "out").witness == ("take the key", "open the door", "leave for good")
    assert prop(report, "id", "id_two").witness == ("take the key", "open the door", "dig by the wall")


def test_witnesses_replay_with_engine_step(mini: Story) -> None:
    assert_witnesses_replay(mini, check_story(mini))


def test_unread_counts_do_not_multiply_states(mini: Story) -> None:
    # `gold += 2` repeats for ever and `turn` grows, but nothing reads them in a condition.
    report = check_story(mini)
    assert report.complete and report.states < 20


# ---------------------------------------------------------------- each property, proved and refuted


def test_a_softlock_is_refuted_with_the_path_into_it(tmp_path: Path) -> None:
    story = tiny(tmp_path, SOFTLOCK)
    report = check_story(story)
    trap = prop(report, "softlock", "b")
    assert trap.status == REFUTED and trap.witness == ("go to the bridge",)
    [problem] = [p for p in report.problems if p.code == "softlock"]
    assert problem.severity == "error" and problem.line == 10
    assert "after 'go to the bridge' the player is in scene 'b'" in problem.message
    assert prop(report, "ending", "win").witness == ("be kind", "go to the bridge", "cross")
    assert_witnesses_replay(story, report)


def test_no_softlock_is_proved_when_every_state_can_end(tmp_path: Path) -> None:
    scenes = SOFTLOCK.replace("      - label: Wait\n", "      - label: Go back\n        goto: a\n")
    report = check_story(tiny(tmp_path, scenes))
    assert prop(report, "softlock").status == PROVED
    assert "softlock" not in codes(report) and report.errors == []


def test_a_scene_with_no_choice_shown_is_a_softlock(tmp_path: Path) -> None:
    scenes = SOFTLOCK.replace("      - label: Wait\n", "      - label: Wait\n        when: flag\n")
    report = check_story(tiny(tmp_path, scenes))
    [problem] = [p for p in report.problems if p.code == "softlock"]
    assert problem.message.endswith("and no choice is shown there")


def test_a_trap_deeper_in_is_reported_where_it_begins(tmp_path: Path) -> None:
    scenes = SOFTLOCK.replace("      - label: Wait\n", "      - label: Walk on\n        goto: c\n") + (
        "  c:\n    title: C\n    choices:\n      - label: Loop\n        goto: b\n"
    )
    report = check_story(tiny(tmp_path, scenes))
    traps = [p for p in report.properties if p.kind == "softlock"]
    assert [(p.subject, p.witness) for p in traps] == [("b", ("go to the bridge",))]


UNREACHABLE = (
    SOFTLOCK.replace("      - label: Wait\n", "      - label: Go back\n        goto: a\n")
    + """\
  island:
    title: The Island
    choices:
      - label: Swim home
        goto: a
  cellar:
    title: The Cellar
    choices:
      - label: Climb out
        goto: a
"""
)


def test_an_unreachable_scene_is_refuted(tmp_path: Path) -> None:
    scenes = UNREACHABLE.replace(
        "      - label: Go to the bridge\n",
        "      - label: Dig\n        when: flag\n        goto: cellar\n      - label: Go to the bridge\n",
    )
    report = check_story(tiny(tmp_path, scenes))
    assert prop(report, "scene", "island").status == REFUTED
    assert prop(report, "scene", "cellar").status == REFUTED
    messages = {p.message for p in report.errors}
    # With no way in at all the lint's reason is kept; the cellar has one, but it never opens.
    assert "scene 'island' can never be reached (no other scene has 'goto: island' or 'call: island')" in messages
    assert "scene 'cellar' can never be reached: no play leads to it" in messages
    assert "no-way-in" not in codes(report)  # said once, as the error


def test_every_scene_reachable_is_proved_with_shortest_paths(tmp_path: Path) -> None:
    scenes = (
        UNREACHABLE.replace(
            "      - label: Go to the bridge\n",
            "      - label: Row out\n        goto: island\n      - label: Go to the bridge\n",
        )
        .replace("      - label: Climb out\n", "      - label: Climb out\n        when: seen(island)\n")
        .replace(
            "      - label: Swim home\n", "      - label: Go down\n        goto: cellar\n      - label: Swim home\n"
        )
    )
    report = check_story(tiny(tmp_path, scenes))
    assert [p.status for p in report.properties if p.kind == "scene"] == [PROVED] * 4
    assert prop(report, "scene", "a").witness == ()
    assert prop(report, "scene", "island").witness == ("row out",)
    assert prop(report, "scene", "cellar").witness == ("row out", "go down")


def test_an_id_never_taken_is_refuted(tmp_path: Path) -> None:
    scenes = SOFTLOCK.replace("take id_b]", "flag = true]").replace(
        "      - label: Wait\n", "      - label: Go back\n        goto: a\n"
    )
    report = check_story(tiny(tmp_path, scenes))
    assert prop(report, "id", "id_b").status == REFUTED
    assert prop(report, "id", "id_a").status == PROVED and prop(report, "id", "id_a").witness == ("be kind",)
    [problem] = [p for p in report.problems if p.code == "unobtainable-id"]
    assert problem.message == (
        "Id 'id_b' can never be obtained (no effect does 'take id_b', nor is it in the starting 'inventory')"
    )
    assert "unused-item" not in codes(report)


def test_an_id_behind_a_condition_that_never_holds_is_refuted(tmp_path: Path) -> None:
    scenes = SOFTLOCK.replace("take id_b]", "flag = true]").replace(
        "      - label: Wait\n",
        (
            "      - label: Go back\n        goto: a\n      - label: Search\n        when: trust > 1\n        do: take id_b\n"
        ),
    )
    report = check_story(tiny(tmp_path, scenes))
    assert prop(report, "id", "id_b").status == REFUTED
    assert any(p.code == "never-shown" and "'Search'" in p.message for p in report.warnings)


def test_an_ending_no_play_reaches_is_refuted(tmp_path: Path) -> None:
    story = HEADER + "  lose:\n    title: Lose\n"
    scenes = SOFTLOCK.replace(
        "      - label: Wait\n",
        "      - label: Give up\n        when: trust > 3\n        end: lose\n      - label: Go back\n        goto: a\n",
    )
    report = check_story(tiny(tmp_path, scenes, story))
    assert prop(report, "ending", "lose").status == REFUTED
    assert "unreachable-ending" in codes(report)


def test_an_unused_variable_is_a_warning_and_the_exit_is_clean(tmp_path: Path) -> None:
    story = HEADER.replace("  flag: false\n", "  flag: false\n  spare: 3\n")
    scenes = SOFTLOCK.replace("      - label: Wait\n", "      - label: Go back\n        goto: a\n")
    report = check_story(tiny(tmp_path, scenes, story))
    unused = {(p.message.split("'")[1], p.line, p.column) for p in report.warnings if p.code == "unused-variable"}
    assert unused == {("flag", 8, 3), ("spare", 9, 3)}
    assert report.errors == []


# ---------------------------------------------------------------- normalising states


COUNTED = """\
scenes:
  a:
    title: A
    choices:
      - label: Knock
        do: trust += 1
      - label: Search
        once: true
        do: [take id_a, take id_b]
      - label: Enter
        when: visits(a) >= 3 or trust >= 4
        goto: b
  b:
    title: B
    choices:
      - label: Leave
        when: seen(a) and turn > 2
        end: win
      - label: Back
        goto: a
"""


def test_counts_read_against_constants_are_capped(tmp_path: Path) -> None:
    story = tiny(tmp_path, COUNTED)
    report = check_story(story)
    assert report.complete and report.errors == []
    assert report.states < 60  # trust, visits and turn would otherwise grow for ever
    assert prop(report, "ending", "win").witness == ("knock", "knock", "knock", "knock", "enter", "leave")
    assert_witnesses_replay(story, report)


def test_a_number_read_exactly_stops_at_the_bound(tmp_path: Path) -> None:
    story = tiny(tmp_path, COUNTED.replace("trust >= 4", "trust >= turn + 100"))
    report = check_story(story, max_states=500)
    assert not report.complete and report.limit == "states"
    assert prop(report, "softlock").status == UNKNOWN
    [bound] = [p for p in report.problems if p.code == "bound"]
    assert bound.severity == "warning" and "--max-states" in bound.message
    assert report.errors == []  # what is not proved is not refuted


def test_the_time_bound_is_reported(tmp_path: Path) -> None:
    ticks = iter(range(10**6))
    report = check_story(tiny(tmp_path, COUNTED), max_seconds=0.5, clock=lambda: float(next(ticks)))
    assert report.limit == "seconds" and not report.complete  # named as the option is: --max-seconds
    assert "--max-seconds" in next(p for p in report.problems if p.code == "bound").message


def test_json_ready_report(mini: Story) -> None:
    data = check_story(mini).to_dict()
    assert data["ok"] is True and data["complete"] is True and data["limit"] is None
    assert {
        "kind": "ending",
        "subject": "out",
        "status": "proved",
        "witness": ["take the key", "open the door", "leave for good"],
    } in data["properties"]


def test_a_witness_uses_numbers_when_words_would_be_taken_for_another_choice(tmp_path: Path) -> None:
    scenes = """\
scenes:
  a:
    title: A
    choices:
      - label: Go
        words: [go north]
        goto: a
      - label: Go north
        do: take id_a
        end: win
      - label: Look
        end: win
"""
    story = tiny(tmp_path, scenes)
    report = check_story(story)
    assert prop(report, "id", "id_a").witness == ("2",)  # "go north" is also the first choice's words
    assert prop(report, "ending", "win").witness == ("2",)
    assert_witnesses_replay(story, report)


# ---------------------------------------------------------------- the shipped story


def test_the_shipped_story_checks_clean_and_completely(shipped_story: Story, shipped_report: Report) -> None:
    # How long it takes is measured by benchmarks/run.py, not asserted here: timing tests flake.
    report = shipped_report
    assert report.complete, report.limit
    assert report.errors == [], "\n".join(p.format() for p in report.errors)
    assert report.states < 1_000_000  # the normalised space stays far inside the default bound
    assert {p.kind for p in report.properties} == {"scene", "ending", "id", "softlock", "introduced"}
    assert all(p.status == PROVED for p in report.properties), [p for p in report.properties if p.status != PROVED]
    assert_witnesses_replay(shipped_story, report)


def test_an_id_the_first_scene_gives_is_obtainable_from_the_start() -> None:
    # Found by the random-story cross-check: with no choice taking it, it was reported unobtainable.
    start = Scene("s0", "S0", (Choice("s0/1", "wait"), Choice("s0/2", "go", end="e0")), on_first_enter=(Take("i0"),))
    story = Story("r", "R", 1, "s0", {}, {"i0": Item("i0", "Id", "id", ".")}, {"s0": start}, {"e0": Ending("e0", "E")})
    report = check_story(story)
    assert [(p.status, p.witness) for p in report.properties if p.kind == "id"] == [(PROVED, ())]
    assert not report.errors


def test_the_memory_gauge_bounds_the_search_and_nothing_is_claimed_past_it(tmp_path: Path) -> None:
    story = load_story(write_story(tmp_path / "s", {"story.yaml": HEADER, "scenes.yaml": SOFTLOCK}))
    full = check_story(story)
    stopped = check_story(story, max_memory=2, memory=lambda: 3 * 2**20)  # already past it
    roomy = check_story(story, max_memory=4, memory=lambda: 3 * 2**20)
    assert full.complete and not stopped.complete and stopped.limit == "memory"
    assert stopped.states < full.states and roomy.complete and roomy.states == full.states
    assert all(p.status != REFUTED for p in stopped.properties if p.kind != "softlock" or p.subject == "")
