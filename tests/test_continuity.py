"""The continuity proof: no text the player is shown names what they have not met on their path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adventure.analysis.check import PROVED, REFUTED, UNKNOWN, Report, check_story
from adventure.core import engine
from adventure.core.model import Story
from adventure.story.loader import StoryError, load_story

from .support import Cli, flat, write_story

STORY = """\
story: {id: cont, title: Continuity, version: 1, start: dock}
vars:
  knows_nils: false
  met_eden: false
  trust: 0
names:
  Nils: knows_nils or seen(office)
  Eden Varock: met_eden
endings:
  done: {title: Done, text: "You leave the docks."}
"""

SCENES = """\
scenes:
  dock:
    title: The dock
    text: A man waits by the water.
    choices:
      - label: Ask his name
        once: true
        do: knows_nils = true
        say: "He is Nils."
      - label: Go to the office
        goto: office
      - label: Meet the woman in the crowd
        do: met_eden = true
        say: "She is Eden Varock."
        goto: office
  office:
    title: The office
    text:
      - "A desk, a chair."
      - {when: met_eden, text: "Eden Varock sits behind it."}
    choices:
      - label: Leave
        end: done
"""


def story_with(tmp_path: Path, scenes: str = SCENES, story: str = STORY) -> Story:
    return load_story(write_story(tmp_path / "story", {"story.yaml": story, "scenes.yaml": scenes}))


def introduced(report: Report) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {p.subject: (p.status, p.witness) for p in report.properties if p.kind == "introduced"}


def errors(report: Report) -> list[str]:
    return [
        f"{Path(p.file).name}:{p.line}: {p.message}" for p in report.errors if p.code == "mention-before-introduced"
    ]


def test_names_met_before_every_mention_are_proved(tmp_path: Path) -> None:
    # "He is Nils." shows after the choice's own effect has made him known: that is no mistake.
    report = check_story(story_with(tmp_path))
    assert introduced(report) == {"Nils": (PROVED, ()), "Eden Varock": (PROVED, ())}
    assert not report.errors


def test_a_name_shown_too_soon_is_an_error_at_its_text_with_the_shortest_witness(tmp_path: Path) -> None:
    scenes = SCENES.replace('text: "You leave the docks."', "")
    story = story_with(tmp_path, scenes.replace('"A desk, a chair."', '"Eden Varock\'s desk, a chair."'), STORY)
    report = check_story(story)
    status, witness = introduced(report)["Eden Varock"]
    assert status == REFUTED and witness == ("go to the office",)
    [message] = errors(report)
    assert message.startswith("scenes.yaml:19: this text names 'Eden Varock' before the player has met it")
    assert "'go to the office'" in message and "'met_eden' is false" in message
    # The witness replays in the real game and shows the name while its condition is false.
    state = engine.begin(story).state
    turn = engine.step(story, state, witness[0])
    shown = " ".join(b.text for b in turn.output)
    assert "Eden Varock" in shown and not turn.state.variables["met_eden"]


def test_what_a_choice_says_is_read_after_its_effects_and_before_the_move(tmp_path: Path) -> None:
    scenes = SCENES.replace('say: "He is Nils."', 'say: "He is Nils, Eden Varock\'s brother."')
    report = check_story(story_with(tmp_path, scenes))
    status, witness = introduced(report)["Eden Varock"]
    assert status == REFUTED and witness == ("ask his name",)


def test_an_ending_that_names_someone_is_checked_on_every_way_into_it(tmp_path: Path) -> None:
    story = STORY.replace("You leave the docks.", "You leave. Eden Varock waves.")
    report = check_story(story_with(tmp_path, SCENES, story))
    assert introduced(report)["Eden Varock"] == (REFUTED, ("go to the office", "leave"))
    [message] = errors(report)
    assert message.startswith("story.yaml:10:")


def test_first_and_again_follow_the_visit(tmp_path: Path) -> None:
    scenes = SCENES.replace(
        "    text: A man waits by the water.\n",
        "    first: A man waits by the water.\n    again: Nils is still at the water.\n",
    ).replace(
        "      - label: Leave\n        end: done\n",
        "      - label: Leave\n        end: done\n      - label: Back\n        goto: dock\n",
    )
    report = check_story(story_with(tmp_path, scenes))
    # Coming back means the office was seen: Nils is known on every way back to the dock.
    assert introduced(report)["Nils"] == (PROVED, ())
    unseen = scenes
    report = check_story(story_with(tmp_path / "b", unseen, STORY.replace(" or seen(office)", "")))
    assert introduced(report)["Nils"] == (REFUTED, ("go to the office", "back"))


def test_a_conditional_in_the_text_decides_which_words_show(tmp_path: Path) -> None:
    guarded = SCENES.replace('"A desk, a chair."', '"{met_eden: Eden Varock|Someone} left a note."')
    assert introduced(check_story(story_with(tmp_path, guarded)))["Eden Varock"][0] == PROVED
    reversed_ = SCENES.replace('"A desk, a chair."', '"{met_eden: Someone|Eden Varock} left a note."')
    assert introduced(check_story(story_with(tmp_path / "b", reversed_)))["Eden Varock"][0] == REFUTED


def test_choice_labels_count_only_while_the_choice_shows(tmp_path: Path) -> None:
    shown = SCENES.replace(
        "      - label: Leave\n",
        "      - label: Ask Eden Varock for work\n        when: met_eden\n        end: done\n      - label: Leave\n",
    )
    assert introduced(check_story(story_with(tmp_path, shown)))["Eden Varock"][0] == PROVED
    always = shown.replace("        when: met_eden\n", "")
    report = check_story(story_with(tmp_path / "b", always))
    assert introduced(report)["Eden Varock"] == (REFUTED, ("go to the office",))


def test_matching_is_on_whole_words_and_case_sensitive_unless_asked(tmp_path: Path) -> None:
    scenes = SCENES.replace("A man waits by the water.", "Nilsson's boat. Nils-like. the nils of it.")
    report = check_story(story_with(tmp_path, scenes))
    # "Nilsson" is another word; "Nils-like" does name Nils; "nils" is another case.
    assert introduced(report)["Nils"] == (REFUTED, ())
    plain = SCENES.replace("A man waits by the water.", "Nilsson's boat, the nils of it.")
    assert introduced(check_story(story_with(tmp_path / "b", plain)))["Nils"][0] == PROVED
    any_case = STORY.replace(
        "  Nils: knows_nils or seen(office)", "  Nils: {when: knows_nils or seen(office), ignore_case: true}"
    )
    assert introduced(check_story(story_with(tmp_path / "c", plain, any_case)))["Nils"][0] == REFUTED


def test_a_variation_counts_every_option_as_shown(tmp_path: Path) -> None:
    scenes = SCENES.replace("A man waits by the water.", "'{A man waits.|Nils waits.}'")
    assert introduced(check_story(story_with(tmp_path, scenes)))["Nils"][0] == REFUTED


def test_stats_are_shown_everywhere(tmp_path: Path) -> None:
    story = STORY.replace("names:", "stats:\n  trust: Eden Varock's trust\nnames:")
    assert introduced(check_story(story_with(tmp_path, SCENES, story)))["Eden Varock"] == (REFUTED, ())


def test_a_search_stopped_by_a_bound_proves_nothing_it_did_not_see(tmp_path: Path) -> None:
    report = check_story(story_with(tmp_path), max_states=2)
    assert not report.complete
    assert introduced(report) == {"Nils": (UNKNOWN, ()), "Eden Varock": (UNKNOWN, ())}


def test_a_name_no_text_mentions_is_a_warning(tmp_path: Path) -> None:
    story = STORY.replace("  Eden Varock: met_eden", "  Eden Varock: met_eden\n  Nills: knows_nils")
    report = check_story(story_with(tmp_path, SCENES, story))
    [warning] = [p for p in report.warnings if p.code == "unmentioned-name"]
    assert (warning.line, "'Nills'") == (9, warning.message.split(" ")[1])


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("  Nils: knows_nil", "story.yaml:7:9: error: in the condition of name 'Nils'"),
        ('  " Nils": knows_nils', "story.yaml:7:3: error: name ' Nils' should be words on one line"),
        ("  Nils: {when: knows_nils, ignore_case: maybe}", "story.yaml:7:"),
        ("  Nils: {ignore_case: true}", "story.yaml:7:9:"),
        ("  Nils: {when: knows_nils, case: any}", "unknown key 'case'"),
    ],
)
def test_bad_declarations_are_positioned_errors(tmp_path: Path, entry: str, expected: str) -> None:
    story = STORY.replace("  Nils: knows_nils or seen(office)", entry)
    with pytest.raises(StoryError) as raised:
        story_with(tmp_path, SCENES, story)
    assert expected in flat(raised.value.show())


def test_check_json_reports_each_name_as_a_property(tmp_path: Path, cli: Cli) -> None:
    folder = write_story(
        tmp_path / "s",
        {"story.yaml": STORY.replace("You leave the docks.", "Eden Varock waves."), "scenes.yaml": SCENES},
    )
    ran = cli("check", "--json", str(folder), status=1)
    found = {p["subject"]: p for p in json.loads(ran.out)["properties"] if p["kind"] == "introduced"}
    assert found["Nils"]["status"] == "proved"
    assert found["Eden Varock"] == {
        "kind": "introduced",
        "subject": "Eden Varock",
        "status": "refuted",
        "witness": ["go to the office", "leave"],
    }
    assert "1/2 names met before the text uses them" in cli("check", str(folder), status=1).out
