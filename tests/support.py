"""What the tests share: stories written inline, replaying the checker's witnesses, and ways to drive
the `adventure` command (in process, in a subprocess, in a pseudo-terminal, in a headless terminal).

Plain functions and constants only; the fixtures built on them live in conftest.py.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

import attrs
import pexpect
import pytest

from adventure.analysis.check import REFUTED, UNKNOWN, Report
from adventure.analysis.explore import starts
from adventure.cli.main import main
from adventure.core import engine
from adventure.core.commands import match_choice
from adventure.core.dice import ScriptedDice, every_outcome
from adventure.core.model import Choice, Story
from adventure.core.state import GameState
from adventure.story.loader import load_story

Step = Callable[[Story, GameState, str], engine.Turn]  # engine.step, or it through a save (the `step` fixture)
Play = Callable[..., tuple[GameState, str]]  # (story, *commands) -> the last state, what the last command printed

ROOT = Path(__file__).resolve().parent.parent  # this checkout: the code every test runs
SHIPPED = ROOT / "scenes"
WALKTHROUGHS = ROOT / "tests" / "walkthroughs"

# ---------------------------------------------------------------- a tiny story, as an author writes one

MINI_STORY = """\
story:
  id: mini
  title: The Small Hours
  version: 1
  start: hall
vars:
  gold: 0
  door_open: false
collection:
  kind: id
  name: Ids
items:
  key:
    name: a brass key
    kind: thing
    description: Small and warm.
  id_one:
    name: the first Id
    kind: id
    description: A grey orb.
  id_two:
    name: the second Id
    kind: id
    description: A red orb.
endings:
  out:
    title: Outside
    text:
      - You leave with {gold} gold.
      - when: door_open
        text: The door swings shut behind you.
"""

MINI_SCENES = """\
scenes:
  hall:
    title: The Hall
    first: You arrive, blinking.
    again: You are back in the hall.
    text:
      - "A long hall. Gold: {gold}."
      - when: has(key)
        text: The key is warm in your pocket.
    choices:
      - label: Take the key
        once: true
        do: take key
        say: You pocket the key.
      - label: Pick up gold
        words: [coins, money]
        do: gold += 2
        say: You have {gold} gold now.
      - label: Open the door
        when: has(key)
        do: [door_open = true, take id_one]
        goto: yard
  yard:
    title: The Yard
    text: Cold air and stars.
    choices:
      - label: Leave for good
        end: out
      - label: Go back inside
        goto: hall
      - label: Dig by the wall
        when: not has(id_two)
        do: take id_two
        say: Something red in the dirt.
"""

# Scenes the loader refuses: the yard's text shows a variable nobody declared.
BROKEN_SCENES = MINI_SCENES.replace("Cold air and stars.", "Cold air and {silver} stars.")


def write_story(folder: Path, files: dict[str, str]) -> Path:
    """Write files (relative name -> YAML text, dedented) into `folder` and return it."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def flat(text: str) -> str:
    """Text with its wrapping undone: every run of spaces and line breaks made one space."""
    return " ".join(text.split())


def mini_with(tmp_path: Path, scenes: str = MINI_SCENES, story: str = MINI_STORY, name: str = "s") -> Path:
    """The mini story with some of its text changed, in its own folder."""
    return write_story(tmp_path / name, {"story.yaml": story, "hall.yaml": scenes})


# ---------------------------------------------------------------- a story using format v2

V2_STORY = """\
story:
  id: cellar
  title: The Cellar
  version: 1
  start: stairs
vars:
  oil: 3
  half: "oil / 2 + oil % 2"
  coins: 0
  roll: 0
inventory: [lamp]
every_turn:
  - if: has(lamp) and oil > 0
    do: oil -= 1
collection:
  kind: coin
  name: Coins
stats:
  oil: {name: Oil, max: 3}
  half: {name: Half, bar: false}
items:
  lamp:
    name: "a brass lamp{oil == 0: (dark)|}"
    kind: thing
    description: "{oil > 0: It burns, {oil} turns of oil left.|It is cold.}"
  key:
    name: an iron key
    kind: thing
    description: Rusty.
  gold:
    name: a gold coin
    kind: coin
    description: Heavy.
endings:
  out:
    title: "Out, with {coins} coins"
    text: "You climb out{oil == 0: in the dark|}."
  lost:
    title: Lost
"""

V2_SCENES = """\
scenes:
  stairs:
    title: "Stairs ({oil} oil)"
    text: "{Stone steps go down.|The steps again.|} {&Water drips.|A rat squeaks.}"
    choices:
      - label: Go down
        goto: cellar
      - label: Talk to the ghost
        call: ghost
      - label: Leave
        requires: has(gold)
        because: you have not found the gold
        end: out
  ghost:
    title: A Ghost
    on_first_enter: coins += 0
    text: "{!The ghost bows.|The ghost nods.}"
    choices:
      - label: Ask about the key
        once: true
        say: '"Under the barrel," it says.'
      - label: Say goodbye
        back: true
  cellar:
    title: Cellar
    on_enter: roll = random(1, 6)
    text: "You rolled {roll}."
    choices:
      - label: Search the barrel
        once: true
        do: take key
      - label: Open the chest
        branch:
          - when: has(key) and not has(gold)
            do: [take gold, coins += 1]
            say: The chest opens.
            goto: stairs
          - say: It is locked.
      - label: Gamble
        when: coins > 0
        branch:
          - when: chance(50)
            say: You win.
            do: coins += 1
          - say: You lose.
      - label: Climb up
        goto: stairs
      - label: Give up
        end: lost
"""


def v2_story(tmp_path: Path, scenes: str = V2_SCENES, story: str = V2_STORY) -> Story:
    return load_story(write_story(tmp_path / "v2", {"story.yaml": story, "scenes.yaml": scenes}))


# ---------------------------------------------------------------- a tiny story with a trap in it

HEADER = """\
story:
  id: tiny
  title: Tiny
  version: 1
  start: a
vars:
  trust: 0
  flag: false
items:
  id_a:
    name: Id A
    kind: id
    description: A.
  id_b:
    name: Id B
    kind: id
    description: B.
endings:
  win:
    title: Win
"""

SOFTLOCK = """\
scenes:
  a:
    title: A
    choices:
      - label: Be kind
        once: true
        do: [trust += 1, take id_a, take id_b]
      - label: Go to the bridge
        goto: b
  b:
    title: The Bridge
    choices:
      - label: Cross
        when: trust >= 1
        end: win
      - label: Wait
"""

# ---------------------------------------------------------------- states, as a save holds them


def round_trip(state: GameState) -> GameState:
    """The state written to JSON text and read back, as a save and a load do: what ink's suite runs on."""
    text = json.dumps(state.to_dict())
    restored = GameState.from_dict(json.loads(text))
    # Compared as JSON too: `True == 1` in Python, so equality alone would miss a flag read back as 1.
    assert restored == state and json.dumps(restored.to_dict()) == text, f"{state} was read back as {restored}"
    return restored


# ---------------------------------------------------------------- the checker's witnesses, replayed


def outcomes(story: Story, state: GameState, choice: Choice) -> list[GameState]:
    """Every state a choice can lead to, one per way its dice fall; none if the game refuses it."""

    def run(dice: ScriptedDice) -> GameState | None:
        try:
            return engine.advance(story, state, choice, dice)
        except engine.Refused:
            return None

    return [s for s in every_outcome(run) if s is not None]


def moves(story: Story, state: GameState) -> list[tuple[Choice, GameState]]:
    """Every choice a player can take now, with every state it can lead to."""
    env = engine.make_env(story, state)
    return [
        (choice, reached)
        for choice in engine.visible_choices(story, state, env)
        if engine.takeable(choice, env)
        for reached in outcomes(story, state, choice)
    ]


def replay_with_luck(story: Story, commands: Sequence[str]) -> list[GameState]:
    """Type the witness into the real game, one command at a time, as a player would, following every
    way the dice can fall: the states it can end in."""
    states = list(dict.fromkeys(starts(story)))
    for command in commands:
        following: list[GameState] = []
        for state in states:
            # The choice the typing names; the game's own dice may refuse it (a `back` with nowhere to
            # go on heads), so every way the dice can fall is followed, as the witness's luck may.
            named = match_choice(command, [(o.choice, o.label) for o in engine.offers(story, state)]).choice
            if named is not None and engine.takeable(named, engine.make_env(story, state)):
                following.extend(outcomes(story, state, named))
        assert following, f"{command!r} was not taken"
        states = list(dict.fromkeys(following))
    return states


def an_ending_within(story: Story, state: GameState, budget: int = 2_000) -> bool:
    """Whether a plain breadth-first search of real states finds an ending within `budget` states.

    Not a proof of a trap (counters may grow for ever); a trap the checker claims must pass it all the same.
    """
    seen, frontier = {state}, [state]
    while frontier and len(seen) < budget:
        following = []
        for current in frontier:
            if current.ended:
                return True
            for _, reached in moves(story, current):
                if reached not in seen:
                    seen.add(reached)
                    following.append(reached)
        frontier = following
    return any(s.ended for s in frontier)


def assert_witnesses_replay(story: Story, report: Report, trap_budget: int = 2_000) -> None:
    """Every witness, typed into the game with engine.step, reproduces what it claims, with some
    luck where the story rolls dice; from a trap, no ending is found by a search of `trap_budget`
    real states."""
    for p in report.properties:
        if p.status == UNKNOWN or p.kind in ("sure", "introduced") or (p.kind != "softlock" and p.status == REFUTED):
            continue
        if p.kind == "softlock" and not p.subject:
            continue
        states = replay_with_luck(story, p.witness)
        if p.kind == "scene":
            assert any(not s.ended and s.scene == p.subject for s in states), p
        elif p.kind == "ending":
            assert any(s.ending == p.subject for s in states), p
        elif p.kind == "id":
            assert any(p.subject in s.inventory for s in states), p
        else:
            assert any(s.scene == p.subject and not an_ending_within(story, s, trap_budget) for s in states), p


# ---------------------------------------------------------------- the command line, in process


@attrs.frozen
class Ran:
    """What a run of the `adventure` command left: its exit status and what it printed."""

    status: int
    out: str
    err: str


class _Typed(io.StringIO):
    """Standard input or output that says it is a terminal, for the paths only a terminal takes."""

    def isatty(self) -> bool:
        return True


class Cli:
    """Runs `adventure.cli.main.main(argv)` in this process, as click's CliRunner does.

    Every call names the exit status it expects, so no test can forget to check it.
    """

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *args: str, status: int, stdin: str | IO[str] = "", tty: bool = False) -> Ran:
        """Run `adventure ARGS`; `stdin` is the text typed, or a stream; `tty` makes both ends say
        they are a terminal (what is written to standard output then comes back in `out` too)."""
        screen = _Typed() if tty else None
        if isinstance(stdin, str):
            stdin = _Typed(stdin) if tty else io.StringIO(stdin)
        self.capsys.readouterr()
        with pytest.MonkeyPatch.context() as patch:  # put back after each run, so runs can differ
            patch.setattr(sys, "stdin", stdin)
            if screen is not None:
                patch.setattr(sys, "stdout", screen)
            try:
                code = main(list(args))
            except SystemExit as exit:  # argparse leaves this way: --help, --version, a usage error
                code = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
        captured = self.capsys.readouterr()
        ran = Ran(code, captured.out + (screen.getvalue() if screen else ""), captured.err)
        assert ran.status == status, f"exit status {ran.status}, not {status}\n{ran.out}\n{ran.err}"
        return ran


# ---------------------------------------------------------------- the command line, in a subprocess


def adventure_command() -> list[str]:
    """This checkout's `adventure`, never an installed copy that may be stale."""
    return [sys.executable, "-m", "adventure"]


def checkout_env(**extra: str) -> dict[str, str]:
    """The environment of a subprocess: this one's (saves and data folders included), importing from ROOT."""
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), **extra}


# ---------------------------------------------------------------- a real terminal, through a pty

CPR_REQUEST = re.escape("\x1b[6n")
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def spawn(args: Sequence[str], **env: str) -> pexpect.spawn:
    """`adventure ARGS` in a pseudo-terminal 100 columns wide, with colour unless NO_COLOR is given."""
    environment = checkout_env(**{"TERM": "xterm-256color", **env})
    if "NO_COLOR" not in env:
        environment.pop("NO_COLOR", None)
    exe, *rest = adventure_command()
    return pexpect.spawn(
        exe, [*rest, *args], encoding="utf-8", timeout=20, dimensions=(40, 100), env=environment, cwd=str(ROOT)
    )


def expect(child: pexpect.spawn, pattern: str | type[pexpect.EOF]) -> str:
    """Wait for `pattern`, answering the terminal's cursor-position requests as a real one would."""
    seen = ""
    while True:
        index = child.expect([CPR_REQUEST, pattern])
        seen += child.before or ""
        if index == 0:
            child.send("\x1b[40;1R")
            continue
        return seen


def finish(child: pexpect.spawn) -> tuple[str, int]:
    """Wait for the program to end, still answering cursor-position requests (prompt_toolkit waits
    a second for each unanswered one); return what it printed last and its exit status."""
    seen = expect(child, pexpect.EOF)  # type: ignore[arg-type]
    child.close()
    return seen, child.exitstatus


def colour_codes(text: str) -> list[str]:
    """SGR parameters that set a colour (30-38, 40-48, 90-107); bold and italic are not colour."""
    found = []
    for params in SGR.findall(text):
        for param in params.split(";"):
            if param.isdigit() and (30 <= int(param) <= 38 or 40 <= int(param) <= 48 or 90 <= int(param) <= 107):
                found.append(params)
    return found


# ---------------------------------------------------------------- a headless terminal, in process


class _Screen(io.StringIO):
    """What the terminal front end drew, readable from the typing thread while it draws."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            return super().write(text)

    def seen(self) -> str:
        with self.lock:
            return self.getvalue()


def in_terminal(
    play: Callable[[], int], script: Sequence[tuple[str, str]], *, colour: bool = False, timeout: float = 15
) -> tuple[int, str]:
    """Run `play` against a headless prompt_toolkit terminal, typing each step's keys once the screen
    shows what the step before made it show, as prompt_toolkit's own tests drive a prompt.

    `script` holds (keys, then wait for this text); the result is `play`'s status and the screen.
    """
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.plain_text import PlainTextOutput
    from prompt_toolkit.output.vt100 import Vt100_Output

    screen = _Screen()
    failures: list[str] = []
    finished = threading.Event()
    with create_pipe_input() as keyboard:

        def typist() -> None:
            start = 0
            for keys, shown in script:
                if keys:
                    keyboard.send_text(keys)
                deadline = time.monotonic() + timeout
                while (found := screen.seen().find(shown, start)) < 0:
                    if time.monotonic() > deadline:
                        failures.append(f"after typing {keys!r}, {shown!r} never showed")
                        keyboard.send_text("\x03")  # end the game, so that the test fails instead of hanging
                        return
                    time.sleep(0.005)
                start = found + len(shown)
            if not finished.wait(timeout):
                failures.append("the game was still waiting for keys when the script ended")
                keyboard.send_text("\x03")

        output = (
            Vt100_Output(screen, lambda: Size(rows=40, columns=100), term="xterm-256color", enable_cpr=False)
            if colour
            else PlainTextOutput(screen)
        )
        with create_app_session(input=keyboard, output=output):
            thread = threading.Thread(target=typist, daemon=True)
            thread.start()
            try:
                status = play()
            finally:
                finished.set()
            thread.join(timeout)
    assert not failures, f"{failures[0]}; the screen:\n{screen.seen()}"
    return status, screen.seen()


def played(story: Story, *commands: str) -> tuple[GameState, list[str]]:
    """The state after `commands` from a new game, and the labels of the choices they took."""
    state = engine.begin(story).state
    log = []
    for command in commands:
        turn = engine.step(story, state, command)
        state = turn.state
        if turn.choice:
            log.append(turn.label)
    return state, log
