"""The authoring commands (adventure.cli.tools): check, graph, walk and schema, run in process."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import attrs
import pytest

from adventure.analysis.check import DEFAULT_MAX_SECONDS, DEFAULT_MAX_STATES, Report, check_story
from adventure.cli.tools import summary
from adventure.core.errors import StoryError
from adventure.core.model import Story
from adventure.story.loader import load_story

from .support import BROKEN_SCENES, HEADER, MINI_SCENES, SOFTLOCK, Cli, flat, mini_with, write_story


@pytest.fixture
def softlocked(tmp_path: Path) -> Path:
    return write_story(tmp_path / "soft", {"story.yaml": HEADER, "scenes.yaml": SOFTLOCK})


# ---------------------------------------------------------------- check


def test_check_a_clean_story(cli: Cli, mini_dir: Path) -> None:
    [line] = cli("check", str(mini_dir), status=0).out.splitlines()
    assert line.startswith("The Small Hours: 2/2 scenes and 1/1 endings reachable, 2/2 Ids obtainable, no softlock; ")
    assert "; 0 errors, 0 warnings; " in line and line.endswith("s")


def test_check_shows_a_softlock_and_exits_1(cli: Cli, softlocked: Path) -> None:
    lines = cli("check", str(softlocked), status=1).out.splitlines()
    assert lines[0].endswith(
        "scenes.yaml:10:3: error: softlock: after 'go to the bridge' the player is in scene 'b' "
        "and no ending can be reached from there"
    )
    assert "1 softlock;" in lines[-1] and "1 error, 1 warning" in lines[-1]  # the warning: 'flag' is never used


def test_check_json_is_for_tools(cli: Cli, softlocked: Path) -> None:
    data = json.loads(cli("check", str(softlocked), "--json", status=1).out)
    assert data["ok"] is False and data["complete"] is True and data["total_seconds"] >= 0
    assert [p["code"] for p in data["problems"]] == ["softlock", "unused-variable"]
    assert {"kind": "softlock", "subject": "b", "status": "refuted", "witness": ["go to the bridge"]} in data[
        "properties"
    ]


def test_check_json_reports_what_the_loader_reports(cli: Cli, tmp_path: Path) -> None:
    folder = mini_with(tmp_path, BROKEN_SCENES)
    with pytest.raises(StoryError) as loading:
        load_story(folder)
    data = json.loads(cli("check", str(folder), "--json", status=1).out)
    assert data == {
        "story": None,
        "ok": False,
        "problems": [attrs.asdict(p) for p in loading.value.problems],
        "properties": [],
    }


def test_check_reports_a_lone_brace_in_text_with_its_place_and_the_escape(cli: Cli, tmp_path: Path) -> None:
    # docs/authoring.md: write {{ and }} for literal braces; a lone one is a mistake, said where it is.
    folder = mini_with(tmp_path, MINI_SCENES.replace("Cold air and stars.", "Cold air { and stars."))
    ran = cli("check", str(folder), status=1)
    [problem, total] = ran.err.splitlines()
    assert problem.startswith(f"{folder / 'hall.yaml'}:25:20: error: ")  # the brace itself
    assert "this '{' is never closed" in problem and "'{{'" in problem
    assert total == f"1 error in {folder}" and ran.out == ""


def test_check_paths_prints_pasteable_witnesses(cli: Cli, tmp_path: Path) -> None:
    scenes = MINI_SCENES.replace("label: Leave for good", 'label: "\'Tis time to leave"')
    lines = cli("check", str(mini_with(tmp_path, scenes)), "--paths", status=0).out.splitlines()
    assert "scene yard: [take the key, open the door]" in lines
    assert 'ending out: [take the key, open the door, "\'tis time to leave"]' in lines  # quoted: YAML would not read it
    assert "id id_two: [take the key, open the door, dig by the wall]" in lines


def test_check_bounds_are_reported(cli: Cli, mini_dir: Path) -> None:
    ran = cli("check", str(mini_dir), "--max-states", "2", status=0)  # not proved is not refuted: no error
    assert "warning: the exploration stopped at the --max-states bound" in ran.out
    [last] = [line for line in ran.out.splitlines() if line.startswith("The Small Hours: ")]
    assert "0/1 endings reachable (1 not proved)" in last
    assert "softlocks not ruled out" in last and "stopped at --max-states" in last


def test_check_says_which_bound_stopped_it_by_its_option(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = check_story
    ticks = iter(range(10**6))

    def with_a_fast_clock(story: Story, **limits: object) -> Report:
        return real(story, **{**limits, "clock": lambda: float(next(ticks))})  # type: ignore[arg-type]

    monkeypatch.setattr("adventure.analysis.check.check_story", with_a_fast_clock)
    scenes = MINI_SCENES.replace("when: has(key)", "when: has(key) and gold > turn")  # a space that never ends
    ran = cli("check", str(mini_with(tmp_path, scenes)), "--max-seconds", "0.5", status=0)
    assert "warning: the exploration stopped at the --max-seconds bound" in flat(ran.out)
    [last] = [line for line in ran.out.splitlines() if line.startswith("The Small Hours: ")]
    assert "stopped at --max-seconds;" in last
    assert ran.out.splitlines()[-1].startswith("random play: ")  # what random games found, after


@pytest.mark.parametrize(
    "args, complaint",
    [
        (["--max-states", "0"], "0 must be more than 0"),
        (["--max-states", "many"], "'many' is not a number"),
        (["--max-seconds", "nan"], "nan must be more than 0"),
        (["--max-seconds", "-1"], "-1 must be more than 0"),
        (["--scenes", "/elsewhere"], "two story folders given"),
    ],
)
def test_check_usage_errors_exit_2(cli: Cli, mini_dir: Path, args: list[str], complaint: str) -> None:
    assert complaint in cli("check", str(mini_dir), *args, status=2).err


def test_check_defaults_to_the_shipped_story(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, shipped_story: Story, shipped_report: Report
) -> None:
    checked: list[Story] = []

    def cached(story: Story, **limits: object) -> Report:
        checked.append(story)  # the full check is done once for the run: see the shipped_report fixture
        return shipped_report

    monkeypatch.setattr("adventure.analysis.check.check_story", cached)
    [line] = cli("check", status=0).out.splitlines()
    assert [s.id for s in checked] == [shipped_story.id]
    assert line.startswith(f"{shipped_story.title}: ") and "no softlock" in line


def test_check_help_states_the_real_default_limits(cli: Cli) -> None:
    shown = " ".join(cli("check", "--help", status=0).out.split())
    assert f"(default {DEFAULT_MAX_STATES:,})" in shown
    assert f"(default {DEFAULT_MAX_SECONDS:g})" in shown


def test_the_summary_counts_softlocks_and_leaves_out_ids_a_story_lacks(tmp_path: Path) -> None:
    two_traps = SOFTLOCK.replace("        goto: b\n", "        goto: b\n      - label: Go down\n        goto: c\n", 1)
    two_traps += "  c:\n    title: C\n    choices:\n      - label: Sit\n"
    no_ids = HEADER.replace("    kind: id\n", "    kind: thing\n")
    story = load_story(write_story(tmp_path / "t", {"story.yaml": no_ids, "scenes.yaml": two_traps}))
    line = summary(story, check_story(story), 0.5)
    assert line.startswith("Tiny: 3/3 scenes and 1/1 endings reachable, 2 softlocks; ")
    assert "Ids" not in line and line.endswith("; 0.50s")


# ---------------------------------------------------------------- graph and schema


def test_graph_prints_dot_or_mermaid(cli: Cli, mini_dir: Path) -> None:
    assert cli("graph", str(mini_dir), status=0).out.startswith('digraph "mini" {')
    assert cli("graph", str(mini_dir), "--format", "mermaid", status=0).out.startswith("flowchart LR")
    assert "invalid choice: 'svg'" in cli("graph", str(mini_dir), "--format", "svg", status=2).err


def test_graph_defaults_to_the_shipped_story(cli: Cli, shipped_story: Story) -> None:
    assert cli("graph", status=0).out.startswith(f'digraph "{shipped_story.id}" {{')


def test_schema_prints_the_shipped_schemas(cli: Cli) -> None:
    scenes = cli("schema", status=0).out
    assert json.loads(scenes)["title"] == "Scene file (scene format v2)"
    story = cli("schema", "story", status=0).out
    assert json.loads(story)["title"] == "Story file (scene format v2)"
    path = cli("schema", "story", "--path", status=0).out.strip()
    assert Path(path).read_text(encoding="utf-8") == story


def test_a_missing_schema_is_a_one_line_error(cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys.modules["adventure.cli.tools"], "schema_file", lambda which: tmp_path / "gone.json")
    ran = cli("schema", status=1)
    assert (
        ran.err
        == f"adventure: the schema is missing from this installation ({tmp_path / 'gone.json'}: No such file or directory)\n"
    )


# ---------------------------------------------------------------- walk

WALK = """\
scenes: mini
steps:
  - take the key
  - do: open the door
    expect: {scene: yard, has: id_one}
  - do: leave
    expect: {ending: out}
"""


def test_walk_passes_fails_and_counts(cli: Cli, mini_dir: Path) -> None:
    good = mini_dir.parent / "good.yaml"
    good.write_text(WALK, encoding="utf-8")
    bad = mini_dir.parent / "bad.yaml"
    bad.write_text(WALK.replace("scene: yard", "scene: hall"), encoding="utf-8")
    assert cli("walk", str(good), status=0).out.splitlines() == [
        f"PASS {good}: 3 steps, ended with 'out'",
        "1 walkthrough: 1 passed, 0 failed",
    ]
    out = cli("walk", str(good), str(bad), status=1).out
    assert (
        f"FAIL {bad}:4: step 2, 'open the door'\n  expected: scene 'hall'\n"
        "  got:      the player is in scene 'yard' (The Yard)\n  transcript so far:\n    | == The Hall ==\n"
    ) in out
    assert "    | > open the door\n    | == The Yard ==\n" in out
    assert out.splitlines()[-1] == "2 walkthroughs: 1 passed, 1 failed"


def test_walk_time_says_how_long_the_path_takes_to_read_and_decide(cli: Cli, mini_dir: Path) -> None:
    good = mini_dir.parent / "good.yaml"
    good.write_text(WALK, encoding="utf-8")
    lines = cli("walk", str(good), "--time", status=0).out.splitlines()
    assert lines[0] == f"PASS {good}: 3 steps, ended with 'out'"
    words = int(lines[1].split()[0])
    assert words > 20  # the titles, the prose and the choices the three steps showed
    assert lines[1] == (f"  {words} words, 3 choices: about 1 min to play (at 230 words a minute and 8 s a choice)")
    assert lines[2] == "1 walkthrough: 1 passed, 0 failed"


def test_a_walk_that_stops_early_says_where(cli: Cli, mini_dir: Path) -> None:
    short = mini_dir.parent / "short.yaml"
    short.write_text("scenes: mini\nsteps: [take]\n", encoding="utf-8")
    assert cli("walk", str(short), status=0).out.splitlines()[0] == f"PASS {short}: 1 step, stopped in scene 'hall'"


def test_walk_coverage_and_scenes_override(cli: Cli, mini_dir: Path, tmp_path: Path) -> None:
    walk = tmp_path / "elsewhere.yaml"
    walk.write_text("scenes: nowhere\nsteps: [coins]\n", encoding="utf-8")  # --scenes wins over 'scenes'
    lines = cli("walk", str(walk), "--scenes", str(mini_dir), "--coverage", status=0).out.splitlines()
    assert "coverage of The Small Hours: 1/2 scenes, 1/6 choices" in lines
    assert any(line.endswith("hall.yaml:23:3: scene 'yard' is never visited") for line in lines)
    assert any(line.endswith("choice 1 of scene 'hall' ('Take the key') is never taken") for line in lines)


def test_walk_reports_a_bad_file_at_its_place(cli: Cli, tmp_path: Path) -> None:
    walk = tmp_path / "w.yaml"
    walk.write_text("steps:\n  - do: take\n    expct: {scene: hall}\n", encoding="utf-8")
    ran = cli("walk", str(walk), status=1)
    assert ran.err == f"{walk}:3:5: error: unknown key 'expct' in a step; did you mean 'expect'?\n"
    assert ran.out.splitlines() == [f"FAIL {walk}: the walkthrough cannot be read", "1 walkthrough: 0 passed, 1 failed"]


def test_walk_of_a_missing_file_is_a_one_line_error(cli: Cli, tmp_path: Path) -> None:
    assert cli("walk", str(tmp_path / "nope.yaml"), status=1).err.startswith("adventure: cannot read the walkthrough")


def test_walks_on_a_story_that_cannot_load_say_it_once(cli: Cli, tmp_path: Path) -> None:
    mini_with(tmp_path, BROKEN_SCENES, name="broken")
    walks = [tmp_path / "one.yaml", tmp_path / "two.yaml"]
    for walk in walks:
        walk.write_text("scenes: broken\nsteps: [take]\n", encoding="utf-8")
    ran = cli("walk", *map(str, walks), status=1)
    assert ran.err.count("error in ") == 1  # the story's problems, once for both walkthroughs
    assert ran.out.splitlines() == [
        f"FAIL {walks[0]}: its story at {tmp_path / 'broken'} cannot be loaded",
        f"FAIL {walks[1]}: its story at {tmp_path / 'broken'} cannot be loaded",
        "2 walkthroughs: 0 passed, 2 failed",
    ]


def test_a_walk_naming_what_the_story_lacks_fails_before_playing(cli: Cli, mini_dir: Path) -> None:
    walk = mini_dir.parent / "w.yaml"
    walk.write_text("scenes: mini\nsteps:\n  - do: take\n    expect: {has: lamp}\n", encoding="utf-8")
    lines = cli("walk", str(walk), status=1).out.splitlines()
    assert lines[0] == f"{walk}:4:19: error: no item 'lamp' in the story"
    assert lines[1] == f"FAIL {walk}: the walkthrough names what the story does not have"


def test_a_walk_without_scenes_plays_the_shipped_story(cli: Cli, tmp_path: Path, shipped_story: Story) -> None:
    walk = tmp_path / "w.yaml"
    walk.write_text(f"steps:\n  - expect: {{scene: {shipped_story.start}}}\n", encoding="utf-8")
    assert cli("walk", str(walk), status=0).out.startswith(f"PASS {walk}: 1 step, stopped in scene ")


def test_check_stops_at_the_memory_bound_and_says_so(cli: Cli, mini_dir: Path) -> None:
    # Any real process holds more than one MiB: the search stops before it starts.
    ran = cli("check", str(mini_dir), "--max-memory", "1", status=0)
    assert "warning: the exploration stopped at the --max-memory bound" in ran.out
    [last] = [line for line in ran.out.splitlines() if line.startswith("The Small Hours: ")]
    assert "stopped at --max-memory" in last
