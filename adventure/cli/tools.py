"""The authoring sub-commands, `check`, `graph`, `walk`, `schema` and `new`: read, call the pure core, print.

Kept apart from cli.py so that the player's command line stays small; cli.py registers these.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from adventure.cli.process import QUICK_EXIT, STARTED
from adventure.core.errors import AdventureError, Problem, StoryError
from adventure.core.model import Story, outline
from adventure.core.output import safe
from adventure.story.folders import SCHEMAS, schema_file, story_folder
from adventure.story.loader import load_story

if TYPE_CHECKING:
    from adventure.analysis.check import Report
    from adventure.analysis.walkthrough import Walked

# The tools' own modules (check, graph, walk) are imported by the command that needs them, so that
# `adventure play`, which builds this parser too, starts without them.


def _folder(positional: str | None, option: str | None) -> Path:
    return story_folder(positional, option)


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:  # also refuses nan
            raise argparse.ArgumentTypeError(f"{text} must be more than 0")
        return value

    return parse


def add_tool_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    """Register check, graph, walk, schema and new on the `adventure` command."""
    check = sub.add_parser(
        "check",
        help="find every mistake in a story and prove it can be played through",
        description="Report every mistake with its file, line and column, lint warnings, and prove by "
        "exhaustive search that every scene, ending and Id can be reached and that no player can get stuck. "
        "Exits 1 if there is an error.",
    )
    check.add_argument("dir", nargs="?", metavar="DIR", help="the story folder (default: the shipped story)")
    check.add_argument("--scenes", metavar="DIR", help=argparse.SUPPRESS)
    check.add_argument("--json", action="store_true", help="print the report as JSON, for tools")
    check.add_argument(
        "--paths", action="store_true", help="print the shortest commands that reach every scene, ending and Id"
    )
    check.add_argument(
        "--max-states", type=_positive(int), metavar="N", help="stop exploring after N states (default 5,000,000)"
    )
    check.add_argument(
        "--max-memory",
        type=_positive(int),
        metavar="MIB",
        help="stop exploring when the command holds MIB mebibytes of memory, and say what was proved (default 1024)",
    )
    check.add_argument(
        "--max-seconds",
        type=_positive(float),
        metavar="S",
        help="stop after S seconds of wall time, the whole command included, and say what was proved (default 20)",
    )
    check.add_argument(
        "--random",
        type=_positive(int),
        metavar="N",
        help="instead of the exhaustive search, play N games of random choices and report what none reached, "
        "and any game that got stuck, with the commands to replay it (also run when the search stops at a bound)",
    )
    check.add_argument(
        "--seed", type=_seed, default=0, metavar="S", help="the seed of the first random game (default 0)"
    )
    graph = sub.add_parser(
        "graph",
        help="print the scene graph for Graphviz or Mermaid",
        description="Print the scenes and the choices between them, with their conditions, as a Graphviz "
        "(dot) or Mermaid graph.",
    )
    graph.add_argument("dir", nargs="?", metavar="DIR", help="the story folder (default: the shipped story)")
    graph.add_argument("--scenes", metavar="DIR", help=argparse.SUPPRESS)
    graph.add_argument(
        "--format", choices=("dot", "mermaid"), default="dot", help="dot (Graphviz, the default) or mermaid"
    )
    walk = sub.add_parser(
        "walk",
        help="play walkthrough files and check what they expect",
        description="Play each walkthrough (a YAML list of commands with expectations) and report the first "
        "step that does not do what it says, with the transcript so far. Exits 1 if any fails.",
    )
    walk.add_argument("files", nargs="+", metavar="FILE", help="walkthrough files (YAML, see docs/authoring.md)")
    walk.add_argument(
        "--scenes", metavar="DIR", help="play every walkthrough on the story in DIR, whatever its 'scenes' says"
    )
    walk.add_argument("--coverage", action="store_true", help="list the scenes and choices no walkthrough reaches")
    walk.add_argument(
        "--time", action="store_true", help="say how long each path would take a player: words read and choices made"
    )
    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of story files, for editors",
        description="Print the JSON Schema of scene files (or of story.yaml), so editors can complete and "
        "check YAML as you type.",
    )
    schema.add_argument(
        "which", nargs="?", choices=tuple(SCHEMAS), default="scenes", help="scenes (the default) or story"
    )
    schema.add_argument("--path", action="store_true", help="print where the schema file is instead of its text")
    new = sub.add_parser(
        "new",
        help="start a new story folder from a small story that plays",
        description="Create DIR with a small story to start from (a story file, scenes, a walkthrough, and "
        "the JSON Schemas for editors), which plays, checks clean and walks. DIR must not exist or be empty: "
        "nothing is ever overwritten. See docs/tutorial.md.",
    )
    new.add_argument("dir", metavar="DIR", help="the folder to create")


# ---------------------------------------------------------------- check


class _Overtime(BaseException):
    """Raised by the watchdog when `check` has used its whole --max-seconds."""


@contextlib.contextmanager
def _watchdog(seconds: float) -> Iterator[None]:
    """Interrupt the command once `seconds` of wall time have passed, whatever it is doing (reading
    the story, linting, working out witnesses): a hard bound where the platform has SIGALRM."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def overtime(signum: int, frame: object) -> None:
        raise _Overtime

    try:
        previous = signal.signal(signal.SIGALRM, overtime)
    except ValueError:  # not the main thread: the search's own bound still holds
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


RESERVE = 0.25  # of --max-seconds kept back from the search, for the proofs and the report after it


def _resident_bytes() -> int:
    """How much memory this process holds now: /proc on Linux, else its peak so far."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB elsewhere


def run_check(args: argparse.Namespace) -> int:
    from adventure.analysis.check import DEFAULT_MAX_SECONDS

    budget = args.max_seconds if args.max_seconds is not None else DEFAULT_MAX_SECONDS
    QUICK_EXIT[0] = True
    phase = ["reading the story"]
    began = STARTED[0] if STARTED else time.perf_counter()
    try:
        with _watchdog(max(budget - (time.perf_counter() - began), 0.001)):
            return _check(args, budget, began, phase)
    except _Overtime:
        what = f"while {phase[0]}; nothing was proved" if phase[0] != "reporting" else "while reporting"
        message = f"adventure check: stopped at --max-seconds {budget:g} {what}"
        if args.json:
            print(json.dumps({"story": None, "ok": False, "stopped": message, "problems": [], "properties": []}))
        else:
            print(f"{message}; give more time with --max-seconds S")
        return 1


def _check(args: argparse.Namespace, budget: float, began: float, phase: list[str]) -> int:
    from adventure.analysis.check import check_story

    folder = _folder(args.dir, args.scenes)
    try:
        story = load_story(folder)
    except StoryError as error:
        if not args.json:
            raise
        print(
            json.dumps(
                {"story": None, "ok": False, "problems": [_problem(p) for p in error.problems], "properties": []},
                indent=2,
            )
        )
        return 1

    def out_of_time() -> bool:  # random games stop a little before the watchdog would
        return time.perf_counter() - began > budget * 0.95

    if args.random:
        phase[0] = "playing random games"
        if args.json:
            from adventure.analysis.randomplay import random_play

            found = random_play(story, args.random, args.seed, out_of_time=out_of_time)
            print(json.dumps({"story": story.id, "random": attrs.asdict(found)}, indent=2))
            return 1 if found.failures else 0
        return _random(story, folder, args.random, args.seed, out_of_time)
    phase[0] = "exploring the story and working out its proofs"
    left = max(budget * (1 - RESERVE) - (time.perf_counter() - began), 0.001)
    limits = {"max_states": args.max_states, "max_seconds": left, "max_memory": args.max_memory}
    report = check_story(
        story,
        clock=time.monotonic,
        memory=_resident_bytes,
        **{name: value for name, value in limits.items() if value is not None},
    )
    phase[0] = "reporting"
    seconds = time.perf_counter() - began
    if args.json:
        print(json.dumps({**report.to_dict(), "total_seconds": round(seconds, 4)}, indent=2))
    else:
        for problem in report.problems:
            print(problem.format())
        if args.paths:
            from adventure.analysis.check import PROVED

            for prop in report.properties:
                if prop.status == PROVED and prop.kind not in ("softlock", "sure"):
                    print(f"{prop.kind} {prop.subject}: [{', '.join(_yaml_word(c) for c in prop.witness)}]")
        print(summary(story, report, seconds))
        if report.limit:  # what the search could not settle, random games may still show
            phase[0] = "playing random games after the search"
            return max(int(bool(report.errors)), _random(story, folder, FALLBACK_GAMES, args.seed, out_of_time))
    return 1 if report.errors else 0


FALLBACK_GAMES = 1_000  # random games played when the exhaustive search stops at a bound


def _random(story: Story, folder: Path, games: int, seed: int, out_of_time: Callable[[], bool]) -> int:
    """Play random games, print what they found; 1 if one got stuck or failed."""
    from adventure.analysis.randomplay import random_play

    report = random_play(story, games, seed, out_of_time=out_of_time)
    ended = sum(report.endings.values())
    reached = ", ".join(f"{name} {count:,}" for name, count in sorted(report.endings.items(), key=lambda i: -i[1]))
    stopped = f" (stopped at --max-seconds after {report.games:,} of {games:,})" if report.stopped else ""
    print(
        f"random play: {report.games:,} games from seed {seed}{stopped}; {ended:,} reached an ending"
        f"{f' ({reached})' if reached else ''}, {report.unfinished:,} were still going after 1,000 moves; "
        f"{report.stuck:,} got stuck, {report.failed:,} made the engine fail"
    )
    missed_endings = [e for e in story.endings if e not in report.endings]
    if missed_endings:
        print(f"  no random game reached: {', '.join(f'ending {e!r}' for e in missed_endings)}")
    if report.scenes_missed:
        print(f"  no random game reached: {', '.join(f'scene {s!r}' for s in report.scenes_missed)}")
    for scene_id, number, label in report.choices_missed:
        print(f"  never taken: choice {number} of scene {scene_id!r} ({safe(label)!r})")
    for game in report.failures:
        typed = "\\n".join(game.commands)
        print(f"  game {game.number} went wrong in scene {game.scene!r}: {safe(game.problem)}")
        print(
            f"    replay: printf '{typed}\\n' | adventure play --scenes {shlex.quote(str(folder))} --seed {game.seed}"
        )
    return 1 if report.failures else 0


def _seed(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 20 or int(text) >= 2**64:
        raise argparse.ArgumentTypeError(f"{text[:30]!r} is not a seed: give a whole number from 0 to {2**64 - 1}")
    return int(text)


def _problem(problem: Problem) -> dict[str, object]:
    return attrs.asdict(problem)


def _yaml_word(command: str) -> str:
    """A command as a plain YAML flow scalar when it can be one, else quoted."""
    return (
        command
        if command.replace(" ", "").replace("'", "").isalnum() and not command.startswith("'")
        else json.dumps(command)
    )


def summary(story: Story, report: Report, seconds: float) -> str:
    """One line: what was proved, how big the search was, how long it took."""
    from adventure.analysis.check import PROVED, UNKNOWN

    def counted(kind: str, what: str) -> str:
        unknown = report.count(kind, UNKNOWN)
        tail = f" ({unknown} not proved)" if unknown else ""
        return f"{report.count(kind)}/{report.total(kind)} {what}{tail}"

    softlocks = sum(1 for p in report.properties if p.kind == "softlock" and p.status != PROVED and p.subject)
    if softlocks:
        trap = f"{softlocks} softlock{'s' if softlocks > 1 else ''}"
    else:
        trap = "no softlock" if report.complete else "softlocks not ruled out"
    stopped = f", stopped at --max-{report.limit}" if report.limit else ""
    errors, warnings = len(report.errors), len(report.warnings)
    collected = story.collection.name if story.collection is not None else "Ids"
    ids = f"{counted('id', collected + ' obtainable')}, " if report.total("id") else ""
    if report.total("introduced"):
        ids = f"{ids}{counted('introduced', 'names met before the text uses them')}, "
    if report.total("sure"):
        ids = f"{ids}{counted('sure', 'endings reachable whatever the dice say')}, "
    return (
        f"{story.title}: {counted('scene', 'scenes')} and {counted('ending', 'endings reachable')}, "
        f"{ids}{trap}; {report.states:,} state{'s' if report.states != 1 else ''}{stopped}; "
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}; {seconds:.2f}s"
    )


# ---------------------------------------------------------------- graph and schema


def run_graph(args: argparse.Namespace) -> int:
    from adventure.analysis.graph import render_graph

    story = load_story(_folder(args.dir, args.scenes))
    sys.stdout.write(render_graph(story, args.format))
    return 0


def run_schema(args: argparse.Namespace) -> int:
    path = schema_file(args.which)
    if args.path:
        print(path)
        return 0
    try:
        sys.stdout.write(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise AdventureError(f"the schema is missing from this installation ({path}: {error.strerror})") from None
    return 0


# ---------------------------------------------------------------- new


def run_new(args: argparse.Namespace) -> int:
    from adventure.story.scaffold import WALKTHROUGH, scaffold

    folder = Path(args.dir)
    written = scaffold(folder)
    print(f"A new story in {folder}:")
    for path in written:
        print(f"  {path}")
    quoted = shlex.quote(str(folder))
    print("Next, play it (it reloads as you edit), check it, and walk its walkthrough:")
    print(f"  adventure play --scenes {quoted} --dev")
    print(f"  adventure check {quoted}")
    print(f"  adventure walk {shlex.quote(str(folder / WALKTHROUGH))}")
    return 0


# ---------------------------------------------------------------- walk


def run_walk(args: argparse.Namespace) -> int:
    from adventure.analysis.walkthrough import check_names, run_walkthrough
    from adventure.story.walkthroughs import WalkthroughError, load_walkthrough

    stories: dict[Path, Story | None] = {}
    results: dict[Path, list[Walked]] = {}
    failed = 0
    for name in args.files:
        path = Path(name)
        try:
            walkthrough = load_walkthrough(path)
        except WalkthroughError as error:
            print(error.show(), file=sys.stderr)
            print(f"FAIL {name}: the walkthrough cannot be read")
            failed += 1
            continue
        if args.scenes:
            folder = Path(args.scenes)
        elif walkthrough.scenes:
            folder = path.parent / walkthrough.scenes[0]
        else:
            folder = _folder(None, None)
        key = folder.resolve()
        if key not in stories:
            try:
                stories[key] = load_story(folder)
            except StoryError as error:
                print(error.show(), file=sys.stderr)
                stories[key] = None
        story = stories[key]
        if story is None:
            print(f"FAIL {name}: its story at {folder} cannot be loaded")
            failed += 1
            continue
        problems = check_names(walkthrough, story)
        if problems:
            print("\n".join(p.format() for p in problems))
            print(f"FAIL {name}: the walkthrough names what the story does not have")
            failed += 1
            continue
        walked = run_walkthrough(story, walkthrough)
        results.setdefault(key, []).append(walked)
        print(_outcome(story, walked))
        if args.time and walked.passed:
            print(_play_time(walked))
        failed += not walked.passed
    if args.coverage:
        for key, walked_list in results.items():
            story = stories[key]
            assert story is not None
            print(_coverage(story, walked_list))
    total = len(args.files)
    print(f"{total} walkthrough{'s' if total != 1 else ''}: {total - failed} passed, {failed} failed")
    return 1 if failed else 0


def _outcome(story: Story, walked: Walked) -> str:
    name = walked.walkthrough.file
    failure = walked.failure
    if failure is None:
        state = walked.state
        where = f"ended with {state.ending!r}" if state.ended else f"stopped in scene {state.scene!r}"
        steps = len(walked.walkthrough.steps)
        return f"PASS {name}: {steps} step{'s' if steps != 1 else ''}, {where}"
    step = failure.step
    what = f", {step.command!r}" if step.command is not None else ""
    lines = [
        f"FAIL {step.source.file}:{step.source.line}: step {failure.number}{what}",
        f"  expected: {failure.expected}",
        f"  got:      {failure.got}",
        "  transcript so far:",
    ]
    for number, entry in enumerate(walked.transcript):
        if number:
            lines.append("    |")  # a blank line between turns, as the game prints them
        lines.extend(f"    | {line}" if line else "    |" for line in entry.splitlines())
    return "\n".join(lines)


def _play_time(walked: Walked) -> str:
    """How long the path would take a player: '  28,353 words, 238 choices: about 2 h 35 min'."""
    from adventure.analysis.walkthrough import SECONDS_A_CHOICE, WORDS_A_MINUTE

    whole = round(walked.minutes)
    took = f"{whole // 60} h {whole % 60:02d} min" if whole >= 60 else f"{max(whole, 1)} min"
    choices = f"{walked.decisions:,} choice{'s' if walked.decisions != 1 else ''}"
    return (
        f"  {walked.words:,} words, {choices}: about {took} to play "
        f"(at {WORDS_A_MINUTE} words a minute and {SECONDS_A_CHOICE} s a choice)"
    )


def _coverage(story: Story, walked: list[Walked]) -> str:
    from adventure.analysis.walkthrough import coverage

    found = coverage(story, walked)
    scenes_seen = found.total_scenes - len(found.scenes)
    choices_seen = found.total_choices - len(found.choices)
    lines = [
        f"coverage of {story.title}: {scenes_seen}/{found.total_scenes} scenes, "
        f"{choices_seen}/{found.total_choices} choices"
    ]
    for scene_id in found.scenes:
        source = story.scenes[scene_id].source
        lines.append(f"  {source.file}:{source.line}:{source.column}: scene {scene_id!r} is never visited")
    for scene_id, number in found.choices:
        choice = story.scenes[scene_id].choices[number - 1]
        source = choice.source
        lines.append(
            f"  {source.file}:{source.line}:{source.column}: "
            f"choice {number} of scene {scene_id!r} ({outline(choice.label)!r}) is never taken"
        )
    return "\n".join(lines)


TOOLS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": run_check,
    "graph": run_graph,
    "walk": run_walk,
    "schema": run_schema,
    "new": run_new,
}
