"""Hostile story files: every one is refused at its place or played within bounds, never a traceback.

Expressions too deep or too long, numbers past 64 bits (written, or grown by arithmetic), YAML that
repeats itself through aliases, nests without end or holds control characters, and a checker that
must stop at --max-seconds even before its search begins.
"""

from __future__ import annotations

import json
import os
import re
import signal
import textwrap
import time
from pathlib import Path

import pytest

from adventure.analysis.check import PROVED, REFUTED, check_story
from adventure.analysis.explore import explore
from adventure.analysis.lint import lint_story
from adventure.cli.tools import summary
from adventure.core import engine
from adventure.core.errors import StoryError
from adventure.core.expr import INT_MAX, INT_MIN, MAX_OPERATORS
from adventure.core.model import Story
from adventure.core.output import plain
from adventure.play.reload import StoryWatcher
from adventure.play.session import Session
from adventure.saves.store import SaveStore
from adventure.story.loader import load_story
from adventure.story.nodes import MAX_ALIAS_CHARACTERS, MAX_ALIAS_VALUES, MAX_NESTING

from .support import Cli

STORY = """\
story:
  id: hostile
  title: Hostile
  version: {version}
  start: hall
vars:
  x: {x}
  flag: false
endings:
  out:
    title: Out
"""

SCENES = """\
scenes:
  hall:
    title: The Hall
    text: "x is {{x}}."
    choices:
      - label: Leave
        end: out
      - label: Grow
        when: {when}
        do: {do}
"""

PLACE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): error: ")


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def story_dir(
    tmp_path: Path,
    when: str = "'x > 0'",
    do: str = "'x += 1'",
    x: str = "1",
    version: str = "1",
    scenes: str | None = None,
) -> Path:
    text = scenes if scenes is not None else SCENES.format(when=when, do=do)
    return write(tmp_path / "story", {"story.yaml": STORY.format(x=x, version=version), "hall.yaml": text})


def problems_of(folder: Path) -> list[str]:
    """What the loader says, one formatted line per problem; the story must not load."""
    with pytest.raises(StoryError) as caught:
        load_story(folder)
    return [p.format() for p in caught.value.problems if p.severity == "error"]


def only_problem(folder: Path) -> tuple[int, int, str]:
    """The line and column of the one problem the loader finds, and the problem as printed."""
    [problem] = problems_of(folder)
    place = PLACE.match(problem)
    assert place, problem
    return int(place["line"]), int(place["column"]), problem


def edit(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stamp = path.stat().st_mtime_ns + 1_000_000_000  # a clear change even on coarse clocks
    os.utime(path, ns=(stamp, stamp))


# ---------------------------------------------------------------- expressions too big to walk


@pytest.mark.parametrize(
    "when,expected",
    [
        ("(" * 500 + "x > 0" + ")" * 500, "nested too deeply (100 levels at most)"),
        ("x" + " + 1" * 500 + " > 0", f"too many operators ({MAX_OPERATORS} at most)"),
        ("not " * 10_000 + "true", "nested too deeply"),
        ("-" * 10_000 + "x > 0", "nested too deeply"),
        ("min(" * 300 + "x" + ", 1)" * 300 + " > 0", "nested too deeply"),
    ],
    ids=["parentheses", "a 500-term sum", "not x 10,000", "minus x 10,000", "calls"],
)
def test_an_expression_too_big_is_one_problem_at_its_place(tmp_path: Path, when: str, expected: str) -> None:
    line, column, problem = only_problem(story_dir(tmp_path, when=f"'{when}'"))
    assert problem.startswith(str(tmp_path / "story" / "hall.yaml")) and line == 9 and column > 14
    assert expected in problem
    assert len(problem) < 400  # the expression is quoted shortened, not whole


def test_the_operator_limit_is_per_expression_and_each_effect_is_one(tmp_path: Path) -> None:
    many = " + 1" * (MAX_OPERATORS - 1)
    folder = story_dir(tmp_path, when=f"'x{many} > 0'", do=f"'x = x{many}; flag = x{many} > 0'")
    story = load_story(folder)  # at the limit everywhere: loads, and every walk over the trees copes
    assert [p for p in lint_story(story) if p.severity == "error"] == []
    assert check_story(story, max_states=2_000).errors == []


def test_a_long_sum_in_an_effect_and_in_text_is_refused_too(tmp_path: Path) -> None:
    sum_500 = "x" + " + 1" * 500
    scenes = SCENES.format(when="'x > 0'", do=f"'x = {sum_500}'").replace("{x}", "{" + sum_500 + "}")
    problems = problems_of(story_dir(tmp_path, scenes=scenes))
    assert len(problems) == 2 and all("too many operators" in p for p in problems)
    assert {int(PLACE.match(p)["line"]) for p in problems} == {4, 10}  # type: ignore[index]


@pytest.mark.parametrize(
    "field,value,line",
    [
        ("when", "'x > " + "1" * 5000 + "'", 9),
        ("do", "'x = " + "1" * 4301 + "'", 10),
        ("when", "'x > 9223372036854775808'", 9),
    ],
    ids=["when", "do", "one past the largest"],
)
def test_a_literal_past_64_bits_is_refused_at_its_place(tmp_path: Path, field: str, value: str, line: int) -> None:
    folder = story_dir(tmp_path, **{field: value})
    found_line, column, problem = only_problem(folder)
    assert found_line == line and column == len(f"        {field}: 'x > ") + 1
    assert f"numbers go up to {INT_MAX:,}" in problem


def test_a_literal_in_a_text_hole_is_refused_at_its_place(tmp_path: Path) -> None:
    scenes = SCENES.format(when="'x > 0'", do="'x += 1'").replace("{x}", "{" + "7" * 5001 + "}")
    line, column, problem = only_problem(story_dir(tmp_path, scenes=scenes))
    assert (line, column) == (4, 18) and "is too large" in problem  # at the number, inside its hole


def test_the_largest_number_is_a_literal_and_the_smallest_a_starting_value(tmp_path: Path) -> None:
    story = load_story(story_dir(tmp_path, when=f"'x < {INT_MAX}'", x=str(INT_MIN)))
    assert story.variables["x"] == INT_MIN


@pytest.mark.parametrize(
    "field,value,line",
    [("x", "1" * 5000, 7), ("x", str(INT_MAX + 1), 7), ("x", str(INT_MIN - 1), 7), ("version", "9" * 4400, 4)],
    ids=["a 5000-digit starting value", "one past the largest", "one past the smallest", "version"],
)
def test_a_number_in_yaml_past_64_bits_is_refused_at_its_place(
    tmp_path: Path, field: str, value: str, line: int
) -> None:
    found_line, _, problem = only_problem(story_dir(tmp_path, **{field: value}))
    assert ("story.yaml:" in problem) and found_line == line
    assert "is out of range" in problem and f"{INT_MIN:,} to {INT_MAX:,}" in problem
    assert len(problem) < 300


def test_every_hostile_field_is_reported_in_one_run(tmp_path: Path) -> None:
    scenes = SCENES.format(when="'" + "(" * 500 + "true" + ")" * 500 + "'", do="'x = " + "1" * 5000 + "'")
    scenes = scenes.replace("{x}", "{x" + " * x" * 200 + "}")
    problems = problems_of(story_dir(tmp_path, scenes=scenes, x="2" * 5000, version="3" * 5000))
    assert len(problems) == 5
    assert all(PLACE.match(p) for p in problems)


def test_a_dev_reload_of_a_hostile_file_keeps_playing_the_old_story(tmp_path: Path) -> None:
    folder = story_dir(tmp_path)
    game = Session(load_story(folder), SaveStore(tmp_path / "saves"), watcher=StoryWatcher(folder))
    game.start()
    for hostile in ("'x = " + "5" * 5001 + "'", "'x = x" + " + 1" * 500 + "'"):
        edit(folder / "hall.yaml", SCENES.format(when="'x > 0'", do=hostile))
        text = plain(game.handle("grow").output)
        assert text.startswith("The story could not be reloaded; you are still playing the old one:")
        assert "hall.yaml:10:" in text
    assert game.state.variables["x"] == 3  # both moves were taken, on the old story
    edit(folder / "story.yaml", STORY.format(x="1" * 5000, version="1"))
    assert "story.yaml:7:6: error:" in plain(game.handle("look").output)


def test_a_dev_reload_of_a_folder_that_is_gone_keeps_playing(tmp_path: Path) -> None:
    folder = story_dir(tmp_path)
    game = Session(load_story(folder), SaveStore(tmp_path / "saves"), watcher=StoryWatcher(folder))
    game.start()
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    text = plain(game.handle("reload").output)
    assert "still playing the old one" in text and "no story folder at" in text


# ---------------------------------------------------------------- numbers that grow past 64 bits


def play(story: Story, *commands: str) -> tuple[engine.Turn, list[engine.Turn]]:
    turn = engine.begin(story)
    turns = []
    for command in commands:
        turn = engine.step(story, turn.state, command)
        turns.append(turn)
    return turn, turns


def test_squaring_again_and_again_is_refused_before_it_leaves_64_bits(tmp_path: Path) -> None:
    story = load_story(story_dir(tmp_path, when="'x > 0'", do="'x = x * x'", x="2"))
    last, turns = play(story, *["grow"] * 14)
    values = [t.state.variables["x"] for t in turns]
    assert values[:6] == [4, 16, 256, 65536, 2**32, 2**32]  # 2**64 would not fit: the sixth is refused
    refused = turns[5]
    assert refused.choice is None and refused.state == turns[4].state  # nothing happened, not even a turn
    error, shown = refused.output
    assert error.kind == "error"
    assert (
        error.text == f"That would take x past the largest number the story can hold ({INT_MAX:,}); nothing happened."
    )
    assert shown.items == ("Leave", "Grow (again)")  # and the choices are shown again
    json.dumps(last.state.to_dict())  # the game can still be saved...
    assert "x is 4294967296." in plain(engine.describe(story, last.state))  # ...and shown


@pytest.mark.parametrize(
    "x,do,above",
    [
        (str(INT_MAX - 1), "x += 2", True),
        (str(INT_MIN + 1), "x -= 2", False),
        (str(INT_MIN), "x = -x", True),
        (str(INT_MAX), "x = x * 2 - x", False),  # the result fits: only results are bounded
        ("3", "x = 3037000500 * 3037000500", True),
    ],
    ids=["+=", "-=", "unary minus", "a product that comes back", "a product"],
)
def test_every_effect_that_would_leave_64_bits_is_refused(tmp_path: Path, x: str, do: str, above: bool) -> None:
    story = load_story(story_dir(tmp_path, when="'true'", do=f"'{do}; flag = true'", x=x))
    before = engine.begin(story).state
    turn = engine.step(story, before, "grow")
    if do == "x = x * 2 - x":
        assert turn.choice is not None and turn.state.variables["x"] == INT_MAX
        return
    assert turn.state == before and turn.choice is None
    assert not turn.state.variables["flag"]  # the whole move is refused, not just the one effect
    limit = (
        f"largest number the story can hold ({INT_MAX:,})"
        if above
        else f"smallest number the story can hold ({INT_MIN:,})"
    )
    assert turn.output[0].text == f"That would take x past the {limit}; nothing happened."


def test_a_refused_move_is_not_logged_by_the_session(tmp_path: Path) -> None:
    story = load_story(story_dir(tmp_path, do="'x = x * x'", x=str(2**40)))
    game = Session(story, SaveStore(tmp_path / "saves"))
    game.start()
    [error, _] = game.handle("grow").output
    assert error.text.endswith("nothing happened.") and game.log == [] and game.undo_stack == []
    assert "Saved" in plain(game.handle("save here").output)


def test_the_checker_explores_squaring_without_leaving_64_bits(tmp_path: Path) -> None:
    scenes = SCENES.format(when="'x > 0'", do="'x = x * x * x'").replace("end: out", "end: out\n        when: x > 1000")
    story = load_story(story_dir(tmp_path, x="2", scenes=scenes))
    began = time.perf_counter()
    graph = explore(story, 100_000, 5.0, time.monotonic)
    assert graph.complete and time.perf_counter() - began < 1
    assert all(INT_MIN <= int(v) <= INT_MAX for k in graph.keys for v in k.variables.values())
    report = check_story(story)
    assert report.complete and report.errors == []


def test_the_checker_warns_of_an_effect_that_can_overflow_at_its_place(tmp_path: Path) -> None:
    story = load_story(story_dir(tmp_path, when="'x > 0'", do="[flag = true, x = x * x]", x="2"))
    [warning] = [p for p in check_story(story).problems if p.code == "overflow"]
    assert (warning.file.endswith("hall.yaml"), warning.line, warning.column) == (True, 10, 27)
    assert warning.severity == "warning"
    assert "'x = x * x' in choice 2 of scene 'hall' ('Grow') can take x past the largest number" in warning.message


@pytest.mark.parametrize(
    "when,do,x",
    [
        ("'x < 1000'", "'x = x * x'", "2"),  # bounded by its condition
        ("'x < 1000'", "'x = x * x'", "-3"),  # a square is never negative
        ("'x > 0'", "'x += 2'", "0"),  # growing by a small step takes longer than anyone plays
        ("'not flag'", "[flag = true, x = x * x]", "2"),  # it shuts itself off
        ("'true'", "'x = x * x'", "1"),  # 1, then 1 again: the linter follows the values
    ],
    ids=["bounded", "square", "small step", "shuts itself off", "ones"],
)
def test_no_overflow_warning_where_the_condition_or_the_effect_bounds_it(
    tmp_path: Path, when: str, do: str, x: str
) -> None:
    story = load_story(story_dir(tmp_path, when=when, do=do, x=x))
    assert [p for p in lint_story(story) if p.code == "overflow"] == []


def test_a_play_the_game_refuses_is_not_claimed_by_the_checker(tmp_path: Path) -> None:
    """Two huge payments in a row: the second is refused, so the last scene cannot be reached."""
    scenes = """\
        scenes:
          hall:
            title: Hall
            choices:
              - label: Pay
                do: x += 5000000000000000000
                goto: bridge
          bridge:
            title: Bridge
            choices:
              - label: Pay
                do: x += 5000000000000000000
                goto: gate
              - label: Wait
          gate:
            title: Gate
            choices:
              - label: Leave
                when: x > 3
                end: out
              - label: Stay
        """
    story = load_story(story_dir(tmp_path, x="0", scenes=textwrap.dedent(scenes)))
    report = check_story(story)
    statuses = {(p.kind, p.subject): p.status for p in report.properties}
    assert statuses[("scene", "bridge")] == PROVED and statuses[("scene", "gate")] == REFUTED
    [refused] = [p for p in report.problems if p.code == "out-of-range"]
    assert refused.line == 12 and "is refused in some play" in refused.message


# ---------------------------------------------------------------- YAML that costs too much


def alias_bomb(choices: int = 3000, copies: int = 3000) -> str:
    lines = ["scenes:", "  hall: &S", "    title: S", "    choices:"]
    lines += [f"      - {{label: c{i}, end: out}}" for i in range(choices)]
    lines += [f"  s{i}: *S" for i in range(1, copies)]
    return "\n".join(lines) + "\n"


def test_a_small_file_of_aliases_is_refused_at_the_alias_fast(tmp_path: Path) -> None:
    began = time.perf_counter()
    text = alias_bomb()
    assert len(text) < 200_000
    folder = story_dir(tmp_path, scenes=text)
    line, column, problem = only_problem(folder)
    assert time.perf_counter() - began < 2
    # Each copy repeats 3000 choices of 5 values, and the scene's 4: the 4th copy goes past 50,000.
    assert (line, column) == (3004 + 4, 7) and "alias *S repeats too much" in problem
    assert f"{MAX_ALIAS_VALUES:,} values" in problem


def test_a_big_text_reused_by_many_scenes_is_refused_fast(tmp_path: Path) -> None:
    began = time.perf_counter()
    lines = ["scenes:", "  s0:", "    title: S", f"    text: &big '{'word ' * 200_000}'", "    choices:"]
    lines += ["      - {label: go, end: out}"]
    for i in range(1, 2000):
        lines += [f"  s{i}:", "    title: S", "    text: *big", "    choices:", "      - {label: go, end: out}"]
    line, column, problem = only_problem(story_dir(tmp_path, scenes="\n".join(lines) + "\n"))
    assert time.perf_counter() - began < 2
    assert (line, column) == (14, 11) and f"{MAX_ALIAS_CHARACTERS:,} characters" in problem


def test_aliases_within_the_budget_load_as_before(tmp_path: Path) -> None:
    text = alias_bomb(choices=3, copies=200)
    story = load_story(story_dir(tmp_path, scenes=text))
    assert len(story.scenes) == 200 and all(len(s.choices) == 3 for s in story.scenes.values())


def test_an_alias_inside_its_own_anchor_is_a_problem(tmp_path: Path) -> None:
    text = SCENES.format(when="'x > 0'", do="&loop [*loop]")
    line, column, problem = only_problem(story_dir(tmp_path, scenes=text))
    assert (line, column) == (10, 20) and "inside the value it names" in problem


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, "{a: " * 100_000, "- " * 100_000 + "x\n"],
    ids=["flow lists", "flow mappings", "block lists"],
)
def test_yaml_nested_without_end_is_refused_quickly(tmp_path: Path, text: str) -> None:
    began = time.perf_counter()
    line, column, problem = only_problem(story_dir(tmp_path, scenes=text))
    assert time.perf_counter() - began < 2
    assert line == 1 and column > MAX_NESTING and f"nested too deeply ({MAX_NESTING} levels at most)" in problem


@pytest.mark.parametrize("char", ["\x07", "\x1b"], ids=["bell", "escape"])
def test_a_control_character_is_reported_at_its_line_and_column(tmp_path: Path, char: str) -> None:
    scenes = SCENES.format(when="'x > 0'", do="'x += 1'").replace("title: The Hall", f'title: "é {char}"')
    line, found_column, problem = only_problem(story_dir(tmp_path, scenes=scenes))
    assert (line, found_column) == (3, 15)
    assert f"U+{ord(char):04X} (a control character) is not allowed" in problem


def test_a_control_character_after_windows_line_ends_is_placed_too(tmp_path: Path) -> None:
    scenes = SCENES.format(when="'x > 0'", do="'x += 1'").replace("\n", "\r\n").replace("Leave", "Lea\x07ve")
    line, column, problem = only_problem(story_dir(tmp_path, scenes=scenes))
    assert (line, column) == (6, 19) and "U+0007" in problem


# ---------------------------------------------------------------- --max-seconds, a hard bound


def chain(scenes: int) -> str:
    lines = ["scenes:"]
    for i in range(scenes):
        step = f"goto: s{i + 1}" if i < scenes - 1 else "end: out"
        lines += [f"  s{i}:", "    title: S", "    choices:", f"      - {{label: go, {step}}}"]
    return "\n".join(lines).replace("s0:", "hall:", 1) + "\n"


def test_the_time_bound_holds_before_the_search_too(tmp_path: Path) -> None:
    story = load_story(story_dir(tmp_path, scenes=chain(300)))
    calls = []

    def clock() -> float:  # the deadline passes as soon as it is set
        calls.append(1)
        return 0.0 if len(calls) <= 2 else 1e9

    report = check_story(story, max_seconds=20, clock=clock)
    assert not report.complete and report.limit == "seconds" and report.states == 0
    assert "stopped at --max-seconds" in summary(story, report, 0.0)
    [bound] = [p for p in report.problems if p.code == "bound"]
    assert "--max-seconds" in bound.message


@pytest.mark.parametrize("slow", ["adventure.cli.tools.load_story", "adventure.analysis.check.check_story"])
def test_max_seconds_bounds_the_whole_command_whatever_part_is_slow(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slow: str
) -> None:
    real = {"adventure.cli.tools.load_story": load_story, "adventure.analysis.check.check_story": check_story}[slow]

    def stalls(*args: object, **kwargs: object) -> object:
        done = real(*args, **kwargs)  # type: ignore[operator]
        time.sleep(30)  # a part no bound inside the search can see: reading, linting, witnesses
        return done

    monkeypatch.setattr(slow, stalls)
    began = time.perf_counter()
    ran = cli("check", str(story_dir(tmp_path, scenes=chain(3))), "--max-seconds", "0.5", status=1)
    assert time.perf_counter() - began < 10
    [line] = ran.out.splitlines()
    assert line.startswith("adventure check: stopped at --max-seconds 0.5 while ")
    assert line.endswith("nothing was proved; give more time with --max-seconds S")
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # and the alarm is put away after


def test_the_state_bound_is_named_as_its_flag(tmp_path: Path) -> None:
    scenes = SCENES.format(when="'x < 100000'", do="'x = x + turn'").replace(
        "end: out", "end: out\n        when: x > 99999"
    )
    story = load_story(story_dir(tmp_path, scenes=scenes))
    report = check_story(story, max_states=50)
    assert report.limit == "states" and "stopped at --max-states" in summary(story, report, 0.0)
    assert report.states == 50  # the bound holds exactly, not to the end of a level of the search


def test_a_story_exactly_the_size_of_the_state_bound_is_proved_whole(mini: Story) -> None:
    size = check_story(mini).states
    whole = check_story(mini, max_states=size)
    assert whole.complete and not whole.limit and whole.states == size
    cut = check_story(mini, max_states=size - 1)
    assert cut.limit == "states" and cut.states == size - 1
    assert not any(p.kind == "softlock" and p.status == REFUTED for p in cut.properties)  # unexplored is no trap


def test_a_refusal_the_search_must_see_makes_a_softlock(tmp_path: Path) -> None:
    """Nothing reads x, yet squaring it is refused on the sixth loop, and ten are needed to win."""
    scenes = """\
        scenes:
          hall:
            title: Hall
            choices:
              - label: Square it
                do: x = x * x
                goto: yard
          yard:
            title: Yard
            choices:
              - label: Back
                goto: hall
              - label: Win
                when: visits(hall) >= 10
                end: out
        """
    story = load_story(story_dir(tmp_path, x="2", scenes=textwrap.dedent(scenes)))
    report = check_story(story)
    assert report.complete
    assert {p.code for p in report.errors} == {"softlock", "unreachable-ending"}
