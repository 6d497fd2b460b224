"""Two games saving the same name in one folder at the same moment, for many rounds.

`python benchmarks/two_writers.py [ROUNDS] [SAVES_PER_ROUND]` prints how many saves failed and
how many files were left broken (both should be 0); tests/test_store.py runs a short version.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adventure.saves.savefile import SaveError  # noqa: E402
from adventure.saves.store import SaveStore  # noqa: E402

WRITER = """
import sys
from datetime import UTC, datetime
sys.path.insert(0, sys.argv[1])
from adventure.core.engine import begin
from adventure.saves.savefile import make_save
from adventure.saves.store import SaveStore
from adventure.story.loader import load_story
story = load_story(sys.argv[1] + "/scenes")
store = SaveStore(sys.argv[2])
save = make_save(story, begin(story).state, [], datetime.now(UTC))
failures = 0
sys.stdin.readline()
for _ in range(int(sys.argv[3])):
    try:
        store.write("same", save)
    except Exception:
        failures += 1
print(failures)
"""


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    per_round = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    failed = broken = 0
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(rounds):
            writers = [
                subprocess.Popen(
                    [sys.executable, "-c", WRITER, str(ROOT), folder, str(per_round)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            for writer in writers:
                assert writer.stdin is not None
                writer.stdin.write("go\n")
                writer.stdin.flush()
            failed += sum(int(writer.communicate()[0]) for writer in writers)
            try:
                SaveStore(Path(folder)).read("same")
            except SaveError:
                broken += 1
    print(f"{rounds} rounds of 2 writers x {per_round} saves: {failed} failed, {broken} broken")
    return 0


if __name__ == "__main__":
    sys.exit(main())
