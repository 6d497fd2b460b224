"""Benchmarks: how fast the engine answers, starts and proves the shipped story.

Run `python benchmarks/run.py` from the repository (after `pip install .`). It prints medians; it
asserts nothing, because timings belong in a benchmark, never in a test.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adventure.analysis.check import check_story  # noqa: E402
from adventure.core.engine import begin, step  # noqa: E402
from adventure.play.session import Session  # noqa: E402
from adventure.saves.store import SaveStore  # noqa: E402
from adventure.story.loader import load_story  # noqa: E402
from adventure.story.walkthroughs import load_walkthrough  # noqa: E402

SCENES = ROOT / "scenes"
MAIN_PATH = ROOT / "tests" / "walkthroughs" / "code_eve.yaml"


class AlwaysDurable(Session):
    """For comparison: fsync the autosave after every move, as a naive design would."""

    def autosave(self, durable: bool = True) -> tuple[object, ...]:  # type: ignore[override]
        return super().autosave(durable=True)


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def process(command: list[str], stdin: str = "", runs: int = 11) -> float:
    return median_seconds(
        lambda: subprocess.run(command, input=stdin, capture_output=True, text=True, check=True), runs
    )


def main() -> int:
    story = load_story(SCENES)
    commands = [s.command for s in load_walkthrough(MAIN_PATH).steps if s.command is not None]

    def play_main_path() -> None:
        state = begin(story).state
        for command in commands:
            state = step(story, state, command).state

    per_command = median_seconds(play_main_path, 21) / len(commands)

    def session_move(durable_every_move: bool) -> float:
        """A player's move through the session, autosave included (every move since 0.2)."""
        with tempfile.TemporaryDirectory() as folder:
            game = (AlwaysDurable if durable_every_move else Session)(story, SaveStore(Path(folder)))

            def play() -> None:
                game.start()
                for command in commands:
                    game.handle(command)

            return median_seconds(play, 5) / len(commands)

    rows = [
        ("engine: one command (main path average)", f"{per_command * 1e6:.1f} us"),
        ("session: one move with its autosave (fsync at scene changes)", f"{session_move(False) * 1e6:.0f} us"),
        ("session: one move with an fsynced autosave every move", f"{session_move(True) * 1e6:.0f} us"),
        ("loader: read and check the shipped story", f"{median_seconds(lambda: load_story(SCENES), 11) * 1e3:.1f} ms"),
        ("check: prove the shipped story", f"{median_seconds(lambda: check_story(story), 5) * 1e3:.0f} ms"),
    ]
    python = sys.executable
    with tempfile.TemporaryDirectory() as saves:
        game = [python, "-m", "adventure", "play", "--saves", saves]
        rows += [
            (
                'process: python -c "import yaml, attrs"',
                f"{process([python, '-c', 'import yaml, attrs']) * 1e3:.0f} ms",
            ),
            ("process: adventure play < /dev/null", f"{process(game) * 1e3:.0f} ms"),
            (
                f"process: adventure play < the {len(commands)}-command main path",
                f"{process(game, chr(10).join(commands) + chr(10), runs=5) * 1e3:.0f} ms",
            ),
            ("process: adventure check", f"{process([python, '-m', 'adventure', 'check'], runs=5) * 1e3:.0f} ms"),
        ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
