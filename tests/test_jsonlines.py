"""`adventure play --json` (adventure.play.jsonlines): one JSON request a line, one JSON answer a line."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from adventure.story.walkthroughs import load_walkthrough

from .support import MINI_STORY, Cli, checkout_env, mini_with

ROOT = Path(__file__).parent.parent
WALKTHROUGHS = sorted((ROOT / "tests" / "walkthroughs").glob("*.yaml"))
FIELDS = {"text", "choices", "scene", "title", "ended", "ending", "status", "turn", "disabled", "quit"}


def requests(*lines: object) -> str:
    return "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)


def answers(cli: Cli, stdin: str, *args: str, status: int = 0) -> list[dict[str, Any]]:
    ran = cli("play", "--json", *args, status=status, stdin=stdin)
    return [json.loads(line) for line in ran.out.splitlines()]


@pytest.mark.parametrize("path", WALKTHROUGHS, ids=[p.stem for p in WALKTHROUGHS])
def test_the_shipped_story_plays_to_each_ending_through_the_protocol(cli: Cli, path: Path) -> None:
    walkthrough = load_walkthrough(path)
    commands = [step.command for step in walkthrough.steps if step.command is not None]
    [ending] = [step.expect.ending[0] for step in walkthrough.steps if step.expect.ending is not None]
    got = answers(cli, requests(*({"command": c} for c in commands)), "--seed", str(walkthrough.seed))
    assert len(got) == len(commands) + 1  # the opening, then one answer a request
    assert all(set(answer) == FIELDS | {"valid_commands"} for answer in got)
    assert not any(answer["ended"] for answer in got[:-1])
    assert got[-1]["ended"] and got[-1]["ending"] == ending and got[-1]["valid_commands"]


def test_malformed_lines_get_an_error_and_the_game_goes_on(cli: Cli) -> None:
    got = answers(
        cli,
        requests(
            "not json",
            "",
            "[1, 2]",
            {"command": 5},
            {"command": "a\nb"},
            {"command": "look", "extra": 1},
            {"snapshot": "please"},
            {},
            "[" * 100_000,
            '{"command": "' + "1" * 5000 + '"}',
            {"command": "1"},
        ),
    )
    errors = [answer["error"] for answer in got[1:-2]]
    assert errors[0] == "not JSON (Expecting value at column 1): send one JSON object a line"
    assert errors[2] == 'expected a JSON object, such as {"command": "look"}, not a list'
    assert errors[3] == errors[4] == "'command' is one line of text, as a player would type it"
    assert errors[5] == "expected exactly one of 'command', 'snapshot' or 'restore' (unknown: 'extra')"
    assert errors[6] == 'ask for a snapshot with {"snapshot": true}'
    assert len(errors) == 9 and all(isinstance(e, str) and e for e in errors)
    assert got[-2]["text"][0].startswith("There is no choice")  # a 5,000-digit number is no choice
    assert got[-1]["turn"] == 1 and "error" not in got[-1]


def test_a_snapshot_comes_back_and_restores(cli: Cli) -> None:
    got = answers(cli, requests({"command": "1"}, {"snapshot": True}, {"command": "2"}))
    snapshot = got[2]["snapshot"]
    back = answers(cli, requests({"command": "3"}, {"restore": snapshot}, {"restore": {"format": 2}}))
    assert back[2]["text"][0] == "Restored the snapshot."
    assert (back[2]["scene"], back[2]["turn"], back[2]["choices"]) == (got[1]["scene"], 1, got[1]["choices"])
    assert back[3]["error"].startswith("that is not a snapshot")


def test_saves_and_the_autosave_work_as_in_line_mode(cli: Cli, saves_in_tmp: Path) -> None:
    got = answers(cli, requests({"command": "1"}, {"command": "save here"}, {"command": "quit"}))
    assert got[2]["text"] == ["Saved as 'here'."]
    assert got[3]["quit"] and got[3]["valid_commands"] == [] and "Your game is saved in" in got[3]["text"][0]
    assert (saves_in_tmp / "here.json").is_file()
    resumed = answers(cli, "", "--continue")
    assert resumed[0]["text"][0] == "Loaded the autosave." and resumed[0]["turn"] == 1


def test_the_end_of_input_keeps_the_game_and_says_so_on_standard_error(cli: Cli, saves_in_tmp: Path) -> None:
    ran = cli("play", "--json", status=0, stdin=requests({"command": "1"}))
    assert len(ran.out.splitlines()) == 2
    assert "Your game is saved in" in ran.err
    assert (saves_in_tmp / ".autosave.metallic-rouge.json").is_file()


def test_a_story_that_does_not_load_is_one_error_object(cli: Cli, tmp_path: Path) -> None:
    broken = mini_with(tmp_path, story=MINI_STORY.replace("start: hall", "start: nowhere"))
    ran = cli("play", "--json", "--scenes", str(broken), status=1)
    [line] = ran.out.splitlines()
    assert "nowhere" in json.loads(line)["error"] and "nowhere" in ran.err


def protocol(saves: Path, *extra: str) -> subprocess.Popen[str]:
    """The real `adventure play --json`, this checkout's, with pipes at both ends."""
    return subprocess.Popen(
        [sys.executable, "-m", "adventure", "play", "--json", *extra, "--saves", str(saves)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=checkout_env(),
        cwd=ROOT,
    )


def test_the_real_command_answers_each_line_as_it_comes(tmp_path: Path) -> None:
    """A program waits for each answer before it sends the next request: nothing may sit in a buffer."""
    game = protocol(tmp_path, "--seed", "1")
    assert game.stdin and game.stdout and game.stderr
    assert json.loads(game.stdout.readline())["scene"] == "awakening"
    for command, turn in [("1", 1), ("1", 2), ("look", 2)]:  # the bird's answer, the wrist, a look
        game.stdin.write(json.dumps({"command": command}) + "\n")
        game.stdin.flush()
        assert json.loads(game.stdout.readline())["turn"] == turn
    game.stdin.close()
    assert game.wait(timeout=30) == 0
    assert game.stdout.read() == "" and "Traceback" not in game.stderr.read()


def test_the_random_agent_in_the_docs_runs(tmp_path: Path) -> None:
    docs = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    [agent] = re.findall(r"```python\n(# agent\.py.*?)```", docs, flags=re.S)
    (tmp_path / "agent.py").write_text(agent, encoding="utf-8")
    ran = subprocess.run(
        [sys.executable, str(tmp_path / "agent.py")],
        capture_output=True,
        text=True,
        env=checkout_env(ADVENTURE_SAVES=str(tmp_path / "saves")),
        cwd=ROOT,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert re.search(r"after \d+ commands: ", ran.stdout), ran.stdout


def test_sigterm_keeps_the_game_and_exits_143(tmp_path: Path) -> None:
    game = protocol(tmp_path)
    assert game.stdin and game.stdout and game.stderr
    game.stdout.readline()
    game.stdin.write(json.dumps({"command": "1"}) + "\n")
    game.stdin.flush()
    assert json.loads(game.stdout.readline())["turn"] == 1
    game.send_signal(signal.SIGTERM)
    assert game.wait(timeout=30) == 128 + signal.SIGTERM
    saved = json.loads((tmp_path / ".autosave.metallic-rouge.json").read_text())
    assert saved["state"]["turn"] == 1 and "Traceback" not in game.stderr.read()
