"""End to end: the installed `adventure check|graph|walk|schema` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import MINI_SCENES, MINI_STORY, write_story
from .test_check import HEADER, SOFTLOCK
from .test_cli import run


@pytest.fixture
def softlocked(tmp_path: Path) -> Path:
    return write_story(tmp_path / "soft", {"story.yaml": HEADER, "scenes.yaml": SOFTLOCK})


# ---------------------------------------------------------------- check


def test_check_a_clean_story(mini_dir: Path) -> None:
    result = run(["check", str(mini_dir)])
    assert result.returncode == 0, result.stdout + result.stderr
    [summary] = result.stdout.splitlines()
    assert summary.startswith(
        "The Small Hours: 2/2 scenes and 1/1 endings reachable, 2/2 Ids obtainable, no softlock; "
    )
    assert "0 errors, 0 warnings" in summary and summary.endswith("s")


def test_check_shows_a_softlock_and_exits_1(softlocked: Path) -> None:
    result = run(["check", str(softlocked)])
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith(
        "scenes.yaml:10:3: error: softlock: after 'go to the bridge' the player is in scene 'b' and no ending can be reached from there"
    )
    assert "1 softlock" in lines[-1] and "1 error, 1 warning" in lines[-1]  # the warning: 'flag' is never used


def test_check_json_is_for_tools(softlocked: Path) -> None:
    result = run(["check", str(softlocked), "--json"])
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["complete"] is True
    assert [p["code"] for p in data["problems"]] == ["softlock", "unused-variable"]
    assert {"kind": "softlock", "subject": "b", "status": "refuted", "witness": ["go to the bridge"]} in data[
        "properties"
    ]


def test_check_json_reports_load_errors_too(tmp_path: Path) -> None:
    folder = write_story(
        tmp_path / "bad", {"story.yaml": MINI_STORY, "hall.yaml": MINI_SCENES.replace("goto: yard", "goto: yrd")}
    )
    result = run(["check", str(folder), "--json"])
    assert result.returncode == 1
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["line"] == 22 and problem["code"] == "missing-scene"


def test_check_reports_what_the_loader_reports(tmp_path: Path) -> None:
    folder = write_story(
        tmp_path / "bad", {"story.yaml": MINI_STORY, "hall.yaml": MINI_SCENES.replace("goto: yard", "goto: yrd")}
    )
    result = run(["check", str(folder)])
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        "hall.yaml:22:15: error: 'goto' names scene 'yrd', which does not exist; did you mean 'yard'?" in result.stderr
    )


def test_check_paths_prints_pasteable_witnesses(mini_dir: Path) -> None:
    result = run(["check", str(mini_dir), "--paths"])
    assert "ending out: [take the key, open the door, leave for good]" in result.stdout.splitlines()


def test_check_bounds_are_reported_and_usage_errors_exit_2(mini_dir: Path, tmp_path: Path) -> None:
    scenes = MINI_SCENES.replace("when: has(key)", "when: has(key) and gold > turn")
    folder = write_story(tmp_path / "big", {"story.yaml": MINI_STORY, "hall.yaml": scenes})
    result = run(["check", str(folder), "--max-states", "50"])
    assert result.returncode == 0  # not proved is not refuted
    assert "warning: the exploration stopped at the --max-states bound" in result.stdout
    assert "stopped at --max-states" in result.stdout.splitlines()[-1]
    assert run(["check", str(mini_dir), "--max-states", "0"]).returncode == 2
    assert run(["check", str(mini_dir), "--max-seconds", "soon"]).returncode == 2
    assert run(["check", str(mini_dir), "--scenes", str(folder)]).returncode == 2


def test_check_defaults_to_the_shipped_story(tmp_path: Path) -> None:
    result = run(["check"], cwd=tmp_path)
    assert "Metallic Rouge" in result.stdout.splitlines()[-1]


# ---------------------------------------------------------------- graph and schema


def test_graph_prints_dot_or_mermaid(mini_dir: Path) -> None:
    dot = run(["graph", str(mini_dir)])
    assert dot.returncode == 0 and dot.stdout.startswith('digraph "mini" {')
    mermaid = run(["graph", str(mini_dir), "--format", "mermaid"])
    assert mermaid.returncode == 0 and mermaid.stdout.startswith("flowchart LR")
    assert run(["graph", str(mini_dir), "--format", "svg"]).returncode == 2


def test_schema_prints_the_shipped_schemas() -> None:
    scenes = run(["schema"])
    assert scenes.returncode == 0 and json.loads(scenes.stdout)["title"] == "Scene file (scene format v1)"
    story = run(["schema", "story"])
    assert json.loads(story.stdout)["title"] == "Story file (scene format v1)"
    path = run(["schema", "story", "--path"]).stdout.strip()
    assert Path(path).read_text(encoding="utf-8") == story.stdout


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


def test_walk_passes_fails_and_counts(mini_dir: Path) -> None:
    good = mini_dir.parent / "good.yaml"
    good.write_text(WALK, encoding="utf-8")
    bad = mini_dir.parent / "bad.yaml"
    bad.write_text(WALK.replace("scene: yard", "scene: hall"), encoding="utf-8")
    result = run(["walk", str(good)])
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines() == [
        f"PASS {good}: 3 steps, ended with 'out'",
        "1 walkthrough: 1 passed, 0 failed",
    ]
    result = run(["walk", str(good), str(bad)])
    assert result.returncode == 1
    out = result.stdout
    assert (
        f"FAIL {bad}:4: step 2, 'open the door'\n  expected: scene 'hall'\n  got:      the player is in scene 'yard' (The Yard)\n  transcript so far:\n    | == The Hall ==\n"
        in out
    )
    assert "    | > open the door\n    | == The Yard ==\n" in out
    assert out.splitlines()[-1] == "2 walkthroughs: 1 passed, 1 failed"


def test_walk_coverage_and_scenes_override(mini_dir: Path, tmp_path: Path) -> None:
    walk = tmp_path / "elsewhere.yaml"
    walk.write_text("steps: [take, open]\n", encoding="utf-8")
    result = run(["walk", str(walk), "--scenes", str(mini_dir), "--coverage"])
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert "coverage of The Small Hours: 2/2 scenes, 2/6 choices" in lines
    assert any(line.endswith("choice 2 of scene 'hall' ('Pick up gold') is never taken") for line in lines)


def test_walk_reports_a_bad_file_at_its_place(tmp_path: Path) -> None:
    walk = tmp_path / "w.yaml"
    walk.write_text("steps:\n  - do: take\n    expct: {scene: hall}\n", encoding="utf-8")
    result = run(["walk", str(walk)])
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{walk}:3:5: error: unknown key 'expct' in a step; did you mean 'expect'?" in result.stdout
    missing = run(["walk", str(tmp_path / "nope.yaml")])
    assert missing.returncode == 1 and missing.stderr.startswith("adventure: cannot read the walkthrough")


def test_check_help_states_the_real_default_limits() -> None:
    from adventure.analysis.check import DEFAULT_MAX_SECONDS, DEFAULT_MAX_STATES

    shown = " ".join(run(["check", "--help"]).stdout.split())
    assert f"(default {DEFAULT_MAX_STATES:,})" in shown
    assert f"(default {DEFAULT_MAX_SECONDS:g})" in shown
