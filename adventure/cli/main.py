"""The `adventure` command: parse arguments, run a sub-command, turn user errors into messages."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

import adventure
from adventure.cli.process import QUICK_EXIT, STARTED
from adventure.core.engine import begin, title_of
from adventure.core.errors import AdventureError, StoryError, UsageError
from adventure.core.output import ERROR, NOTE, Block, Output, safe
from adventure.play.lines import terminal_columns
from adventure.play.session import Session
from adventure.play.stopping import Stopped, stop_on_signals
from adventure.saves.endings import FILE as ENDINGS_FILE
from adventure.saves.endings import EndingsBook
from adventure.saves.savefile import AUTOSAVE, SaveError, format_entries
from adventure.saves.store import SaveStore, data_folder, saves_folder
from adventure.story.cache import open_story
from adventure.story.folders import story_folder


class _Version(argparse.Action):
    """--version, which reads the package metadata only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"{parser.prog} {adventure.__version__}")
        parser.exit()


class _Formatter(argparse.HelpFormatter):
    """argparse's help, wrapped as wide as the terminal, measured without importing shutil."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ) -> None:
        width = terminal_columns() - 2 if width is None else width
        super().__init__(prog, indent_increment, max_help_position, width)


class _Parser(argparse.ArgumentParser):
    """A parser whose sub-parsers are of its kind, so that every one of them uses `_Formatter`: argparse
    makes a formatter for each argument added, and its own imports shutil (and bz2, lzma) to do it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(**kwargs)


PLAYER_COMMANDS = ("play", "saves", "endings")


def build_parser(tools: bool = True) -> argparse.ArgumentParser:
    """The whole command line; without `tools`, only the player's commands, so that `adventure
    play` neither imports the authoring tools nor builds their parsers."""
    parser = _Parser(
        prog="adventure",
        description="Metallic Rouge: Code Eve, a text adventure, and the scene engine that plays it.",
        epilog="With no command, 'play' is run. Exit status: 0 success, 1 a problem in a story, save or "
        "walkthrough, 2 a wrong command line, 130 interrupted.",
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    play = sub.add_parser(
        "play",
        help="play the game (the default)",
        description="Play the shipped story, or another story folder. In a terminal you get completion, "
        "history and a status bar; from a pipe, one command a line and a plain transcript. The game is "
        "saved on its own after each scene and when you leave.",
    )
    play.add_argument("--scenes", metavar="DIR", help="play the story in DIR instead of the shipped one")
    start = play.add_mutually_exclusive_group()
    start.add_argument("--continue", dest="resume", action="store_true", help="go on from the newest save")
    start.add_argument("--load", metavar="NAME", help="go on from the save NAME")
    play.add_argument(
        "--seed",
        metavar="N",
        type=_seed,
        help="roll the story's dice from N, so the same commands give the same game (default: new dice each game)",
    )
    play.add_argument(
        "--dev", action="store_true", help="for authors: reload the story when its files change ('reload' forces it)"
    )
    play.add_argument(
        "--transcript", metavar="FILE", help="keep a plain transcript of the game in FILE (added to, never replaced)"
    )
    play.add_argument(
        "--json",
        action="store_true",
        help="for programs: read one JSON request a line, answer each with one JSON object a line (docs/api.md)",
    )
    play.add_argument(
        "--no-cache",
        action="store_true",
        help="read the story's YAML instead of its compiled copy in the per-user cache folder (which is "
        "kept, and checked against the files, for faster starts)",
    )
    _saves_option(play)
    listing = sub.add_parser(
        "saves",
        help="list the saved games",
        description="List the saved games, newest first: name, when, where in the story, Ids and turn.",
    )
    _saves_option(listing)
    endings = sub.add_parser(
        "endings",
        help="list the endings you have found",
        description="List the endings of a story you have reached in any of your games, and how many are "
        "left, without naming those you have not found.",
    )
    endings.add_argument("--scenes", metavar="DIR", help="a story folder instead of the shipped story")
    if tools:
        from adventure.cli.tools import add_tool_parsers

        add_tool_parsers(sub)
    return parser


def _seed(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 20 or int(text) >= 2**64:
        raise argparse.ArgumentTypeError(f"{text[:30]!r} is not a seed: give a whole number from 0 to {2**64 - 1}")
    return int(text)


def _saves_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--saves",
        metavar="DIR",
        help="the saves folder (default: $ADVENTURE_SAVES, else saves/ in the current folder if it exists, "
        "else the per-user data folder)",
    )


def run_play(args: argparse.Namespace) -> int:
    folder = story_folder(args.scenes)
    try:
        # --dev reads the YAML every time: an author's edits are what it is for.
        story = open_story(folder, use_cache=not (args.no_cache or args.dev))
    except StoryError as error:
        if not args.json:
            raise
        print(json.dumps({"error": error.show()}))  # a program reads why on standard output too
        print(error.show(), file=sys.stderr)
        return error.exit_code
    store = SaveStore(saves_folder(args.saves, os.environ), story.id)
    session = Session(story, store, seed=args.seed, endings=EndingsBook(data_folder() / ENDINGS_FILE))
    if args.dev:
        from adventure.play.reload import StoryWatcher

        session.watcher = StoryWatcher(folder)
    # Before anything can write over the autosave.
    said = _autosave_at_start(session, new_game=not (args.load or args.resume))
    if args.load:
        opening = session.start_from_save(args.load)
    elif args.resume:
        opening = _resume(session)
    else:
        opening = session.start()
    if not args.json:  # a program reads only the game
        opening = (*said, *opening)
    if args.transcript:
        problem = session.begin_transcript(Path(args.transcript), opening)
        if problem:
            raise UsageError(problem[0].text)
    if args.json:
        from adventure.play.jsonlines import play_json

        _tolerant(sys.stdin)
        return play_json(session, opening, sys.stdin, sys.stdout, sys.stderr)
    if sys.stdin.isatty() and sys.stdout.isatty() and os.environ.get("TERM") != "dumb":
        from adventure.play.terminal import play_terminal  # only a real terminal pays for prompt_toolkit

        return play_terminal(session, opening)
    from adventure.play.lines import play_lines

    _tolerant(sys.stdin, sys.stdout)
    return play_lines(session, opening, sys.stdin, sys.stdout)


def _tolerant(*streams: object) -> None:
    """Bytes that are not valid in the locale's encoding become U+FFFD (or '?') instead of a crash,
    whether they come in from a file or cannot go out to an ASCII terminal."""
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def _autosave_at_start(session: Session, new_game: bool) -> Output:
    """What the autosave on disk means as the game starts, read once. One that cannot be read
    (damaged, or from a newer game) is set aside, not written over by the next move, and the
    player told where it is; an unfinished one is named when a new game begins, with the way
    back to it before the new game's first move takes its place."""
    store = session.store
    assert store is not None
    if not os.path.lexists(store.path(AUTOSAVE)):
        return ()
    try:
        save = store.read(AUTOSAVE, moves=False)
    except SaveError as error:
        problem = str(error).removesuffix("; the file was left as it is")
        problem = problem[:1].upper() + problem[1:]
        try:
            kept = store.set_aside(AUTOSAVE)
        except SaveError as why:
            return (Block(ERROR, f"{problem}; and {why}."),)
        return (
            Block(NOTE, f"{problem}. It is kept as {kept.name} in {kept.parent}; this game's autosave starts anew."),
        )
    held = save.summary
    if not new_game or save.story_id != session.story.id or held.ended or held.turn == 0:
        return ()
    return (
        Block(
            NOTE,
            f"Your last game ({safe(held.title)}, turn {held.turn}) is in the autosave: type 'load autosave' "
            "to go back to it. Your first move in this new game takes its place. "
            "Next time, 'adventure play --continue' goes straight on.",
        ),
    )


def _resume(session: Session) -> Output:
    """Go on from the newest save that loads; each one skipped is said in a line."""
    assert session.store is not None
    skipped: list[Block] = []
    for name in session.store.names():
        try:
            if session.store.read(name).story_id != session.story.id:
                continue  # another story's game, in a shared folder: not this one's to continue
            return (*skipped, *session.start_from_save(name))
        except SaveError as error:
            skipped.append(Block(ERROR, f"Skipped {name}: {error}."))
    note = "There are no saves yet" if not skipped else "No save could be loaded"
    return (*skipped, Block(NOTE, f"{note}: a new game begins."), *session.start())


def run_saves(args: argparse.Namespace) -> int:
    store = SaveStore(saves_folder(args.saves, os.environ))
    lines = format_entries(store.entries())
    print(
        "\n".join([f"Saved games in {store.folder}, newest first:", *lines])
        if lines
        else f"No saves in {store.folder}."
    )
    return 0


def run_endings(args: argparse.Namespace) -> int:
    story = open_story(story_folder(args.scenes))
    found = [e for e in EndingsBook(data_folder() / ENDINGS_FILE).found(story.id) if e in story.endings]
    total = len(story.endings)
    print(f"{story.title}: {len(found)} of {total} endings found.")
    fresh = begin(story).state
    for ending in found:
        print(f"  - {safe(title_of(story, attrs.evolve(fresh, ending=ending)))}")
    if len(found) < total:
        left = total - len(found)
        print(f"  ({left} still to find)" if found else f"  (play to the end to find {'it' if left == 1 else 'them'})")
    return 0


def entry() -> None:
    """The `adventure` command. After `check`, it leaves without freeing what the search built:
    for a large story that is a second or more, past the --max-seconds the user asked for."""
    STARTED.append(time.perf_counter() - _running_for())  # --max-seconds counts Python's start and the imports
    code = main()
    if not QUICK_EXIT[0]:
        sys.exit(code)
    with contextlib.suppress(OSError, ValueError):  # the reader may have gone (or stderr was closed for it)
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _running_for() -> float:
    """Seconds since this process started (Linux: the time of its /proc entry); 0 where unknown."""
    try:
        return max(0.0, min(time.time() - os.stat(f"/proc/{os.getpid()}").st_ctime, 5.0))
    except OSError:
        return 0.0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status. A user's mistake never shows a traceback."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or (arguments[0].startswith("-") and arguments[0] not in ("-h", "--help", "--version")):
        arguments.insert(0, "play")
    args = build_parser(tools=arguments[0] not in PLAYER_COMMANDS).parse_args(arguments)
    try:
        with stop_on_signals():
            if args.command in PLAYER_COMMANDS:
                return {"play": run_play, "saves": run_saves, "endings": run_endings}[args.command](args)
            from adventure.cli.tools import TOOLS

            return TOOLS[args.command](args)
    except Stopped as stop:
        return stop.exit_code
    except AdventureError as error:
        print(error.show(), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`adventure play < x | head`): nothing left to say to it.
        sys.stderr.close()
        return 0
