"""Side by side with inkjs: one generated story graph, written as ink and as our YAML, played on
the same path by both engines, with each figure and its ratio (ours / ink's).

    python benchmarks/ink_compare.py [SIZE ...]        default: 1000 10000
    python benchmarks/ink_compare.py --quick           1000 only, fewer runs

With `node` and `npm` on the PATH it installs inkjs 2.4.0 into a temporary folder (or uses the one
in $INKJS), compiles the ink, checks that both engines print the same text on the same path, and
prints the ratios; without them it prints our figures alone. It also measures the shipped story
against `python -c "import yaml, attrs"`. It asserts nothing: timings belong in a benchmark.

The story: N scenes; 50 flags; each scene sets one flag and clears another when entered, says a
sentence and a line that depends on a flag, and offers two ways on and two more guarded by flags.
The path: at move k, the choice k modulo the number offered.
"""

from __future__ import annotations

import compileall
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RUNNER = Path(__file__).resolve().parent / "ink_runner.js"
INKJS_VERSION = "2.4.0"
FLAGS = 50
PER_FILE = 100
MOVES = 10_000
FILE_ROUNDS = 100  # durable writes, each an fsync or two: many, so that the median is steady (as ink_runner.js)
PHRASE = (
    "the red lamp hums over a door of brass and somebody left a coat on the rail while rain walks "
    "down the glass and a dog waits by the stairs for a train that is late again tonight"
)
WORDS = PHRASE.split()


# ---------------------------------------------------------------- the story, twice


def generate(size: int, out: Path, seed: int = 7) -> tuple[Path, Path]:
    """Write the story as `out/story.ink` and as the folder `out/yaml`; the same size and seed
    give the same story."""
    rng = random.Random(seed)
    ink = ["-> s0", ""]
    ink.extend(f"VAR f{j} = false" for j in range(FLAGS))
    ink.append("VAR done = false")  # never set: the ending is there, as every story needs one, off the path
    scenes: dict[str, dict[str, Any]] = {}
    for i in range(size):
        sets, clears, shows = rng.randrange(FLAGS), rng.randrange(FLAGS), rng.randrange(FLAGS)
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 24))).capitalize() + "."
        targets = [(i + 1) % size, rng.randrange(size), rng.randrange(size), rng.randrange(size)]
        guards = [None, None, f"f{rng.randrange(FLAGS)}", f"f{rng.randrange(FLAGS)}"]
        labels = [f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} to room {t}" for t in targets]
        ink.extend(["", f"=== s{i} ===", f"~ f{sets} = true", f"~ f{clears} = false", f"Room {i}", sentence])
        ink.append(f"{{f{shows}:The lamp is lit.|The lamp is dark.}}")
        choices: list[dict[str, Any]] = []
        for target, guard, label in zip(targets, guards, labels, strict=True):
            ink.append(f"+ {{{guard}}} [{label}] -> s{target}" if guard else f"+ [{label}] -> s{target}")
            choice: dict[str, Any] = {"label": label, "goto": f"s{target}"}
            if guard:
                choice["when"] = guard
            choices.append(choice)
        if i == size - 1:
            ink.append("+ {done} [Rest] -> END")
            choices.append({"label": "Rest", "when": "done", "end": "rest"})
        scenes[f"s{i}"] = {
            "title": f"Room {i}",
            "text": [
                sentence,
                {"when": f"f{shows}", "text": "The lamp is lit."},
                {"when": f"not f{shows}", "text": "The lamp is dark."},
            ],
            "on_enter": [f"f{sets} = true", f"f{clears} = false"],
            "choices": choices,
        }
    out.mkdir(parents=True, exist_ok=True)
    (out / "story.ink").write_text("\n".join(ink) + "\n", encoding="utf-8")
    folder = out / "yaml"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    story = {
        "story": {"id": f"graph-{size}", "title": f"{size} rooms", "version": 1, "start": "s0"},
        "vars": {**{f"f{j}": False for j in range(FLAGS)}, "done": False},
        "endings": {"rest": {"title": "Rest", "text": "You rest."}},
    }
    _dump(folder / "story.yaml", story)
    ids = list(scenes)
    for n in range(0, size, PER_FILE):
        _dump(folder / f"rooms-{n // PER_FILE:03}.yaml", {"scenes": {k: scenes[k] for k in ids[n : n + PER_FILE]}})
    return out / "story.ink", folder


def _dump(path: Path, data: object) -> None:
    import yaml

    path.write_text(yaml.safe_dump(data, sort_keys=False, width=1000), encoding="utf-8")


# ---------------------------------------------------------------- our side, in a child process


def _texts(output: Any) -> str:
    """What a turn shows, as ink prints it: each title and paragraph a line, then each choice."""
    from adventure.core import output as out

    lines = [b.text for b in output if b.kind in (out.TITLE, out.PROSE)]
    lines.extend(item for b in output if b.kind == out.CHOICES for item in b.items)
    return "".join(line + "\n" for line in lines)


def _offered(output: Any) -> int:
    from adventure.core import output as out

    return next(len(b.items) for b in output if b.kind == out.CHOICES)


def _open(folder: Path) -> Any:
    """The story as `adventure play` opens it: through its cache, in versions that have one."""
    try:
        from adventure.story.cache import open_story
    except ImportError:
        from adventure.story.loader import load_story

        return load_story(folder)
    return open_story(folder)


def _saver(story: Any, folder: Path) -> tuple[Any, Any, Any, Any]:
    """Four functions: save to text, load from text, save durably to a file, load from it."""
    from datetime import UTC, datetime

    from adventure.saves import savefile
    from adventure.saves.migrate import restore
    from adventure.saves.store import SaveStore

    store = SaveStore(folder, story.id)
    now = datetime.now(UTC)

    def save(state: Any, log: Any) -> str:
        """The save as the store writes it: since format 3 the moves are in the file beside it."""
        data = savefile.make_save(story, state, log, now)
        if hasattr(savefile, "MoveLog"):
            return savefile.readable_json(savefile.save_to_dict(data, (len(log), log.crc())))
        return savefile.readable_json(savefile.save_to_dict(data))

    def load(text: str) -> Any:
        """As the store reads a save: since the surrogate check reads the text, with the text."""
        if "text" in savefile.save_from_dict.__code__.co_varnames:
            return restore(story, savefile.save_from_dict(json.loads(text), text), "the save").state
        return restore(story, savefile.save_from_dict(json.loads(text)), "the save").state

    def file_save(state: Any, log: Any) -> None:
        store.write("bench", savefile.make_save(story, state, log, now), durable=True)

    def file_load(moves: bool = True) -> Any:
        if not moves and "moves" in store.read.__code__.co_varnames:
            return restore(story, store.read("bench", moves=False), "the save").state
        return restore(story, store.read("bench"), "the save").state

    return save, load, file_save, file_load


def _log_of(labels: list[str]) -> Any:
    """The moves made, as this version's session keeps them."""
    from adventure.saves import savefile

    kept = getattr(savefile, "MoveLog", list)
    return kept(labels)


def our_play(folder: Path, moves: int, saves_folder: Path) -> dict[str, Any]:
    from adventure.core import engine

    story = _open(folder)
    digest = hashlib.sha256()
    turn = engine.begin(story, seed=1)
    state, output = turn.state, turn.output
    digest.update(_texts(output).encode())
    times = []
    labels: list[str] = []
    clock = time.perf_counter_ns
    for k in range(moves):
        command = str(k % _offered(output) + 1)
        began = clock()
        turn = engine.step(story, state, command)
        times.append((clock() - began) / 1000)
        state, output = turn.state, turn.output
        labels.append(turn.label)
        digest.update(_texts(output).encode())
    save, load, file_save, file_load = _saver(story, saves_folder)
    log = _log_of(labels)
    saves, loads = [], []
    text = ""
    for _ in range(200):
        began = clock()
        text = save(state, log)
        saves.append((clock() - began) / 1000)
        began = clock()
        assert load(text) == state
        loads.append((clock() - began) / 1000)
    file_saves, file_loads, state_loads = [], [], []
    for _ in range(FILE_ROUNDS):
        began = clock()
        file_save(state, log)
        file_saves.append((clock() - began) / 1000)
        began = clock()
        file_load()
        file_loads.append((clock() - began) / 1000)
        began = clock()
        file_load(moves=False)
        state_loads.append((clock() - began) / 1000)
    ordered = sorted(times)
    return {
        "sha256": digest.hexdigest(),
        "choice_mean_us": statistics.fmean(times),
        "choice_median_us": statistics.median(times),
        "choice_p99_us": ordered[int(len(ordered) * 0.99)],
        "first_half_median_us": statistics.median(times[: moves // 2]),
        "second_half_median_us": statistics.median(times[moves // 2 :]),
        "save_us": statistics.median(saves),
        "load_us": statistics.median(loads),
        "save_bytes": len(text.encode()),
        "file_save_us": statistics.median(file_saves),
        "file_load_us": statistics.median(file_loads),
        "state_load_us": statistics.median(state_loads),
    }


def our_full(folder: Path, moves: int, rounds: int) -> int:
    from adventure.core import engine

    story = _open(folder)
    save, load, _, _ = _saver(story, Path(tempfile.gettempdir()))
    turn = engine.begin(story, seed=1)
    state, output = turn.state, turn.output
    shown = len(_texts(output))
    every = max(1, moves // max(1, rounds))
    log = _log_of([])
    done = 0
    for k in range(moves):
        turn = engine.step(story, state, str(k % _offered(turn.output) + 1))
        state = turn.state
        log.append(turn.label)
        shown += len(_texts(turn.output))
        if (k + 1) % every == 0 and done < rounds:
            state = load(save(state, log))
            done += 1
    return shown


# ---------------------------------------------------------------- measuring processes


def timed(command: list[str], stdin: bytes = b"", cwd: Path = ROOT) -> tuple[float, float, bytes]:
    """Wall seconds, peak memory in MiB (the kernel's accounting) and standard output of a process."""
    began = time.perf_counter()
    child = subprocess.Popen(
        command,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
    )
    if stdin:
        assert child.stdin is not None
        child.stdin.write(stdin)
        child.stdin.close()
    assert child.stdout is not None and child.stderr is not None
    out = child.stdout.read()
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - began
    if child.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({child.returncode}):\n{err.decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss / 1024, out


def pairs(ours: list[str], theirs: list[str] | None, runs: int, stdin: bytes = b"") -> dict[str, float]:
    """Medians of A B A B runs and the median of the pairs' ratios."""
    mine, other, ratios, peaks, other_peaks = [], [], [], [], []
    for _ in range(runs):
        wall, peak, _ = timed(ours, stdin)
        mine.append(wall)
        peaks.append(peak)
        if theirs is not None:
            wall2, peak2, _ = timed(theirs)
            other.append(wall2)
            other_peaks.append(peak2)
            ratios.append(wall / wall2)
    result = {"ours": statistics.median(mine), "ours_mib": max(peaks)}
    if theirs is not None:
        result.update(ink=statistics.median(other), ink_mib=max(other_peaks), ratio=statistics.median(ratios))
    return result


def inkjs_folder() -> Path | None:
    """A folder holding node_modules/inkjs, installed on first use; None without node and npm."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None
    given = os.environ.get("INKJS")
    folder = Path(given) if given else Path(tempfile.gettempdir()) / f"adventure-inkjs-{INKJS_VERSION}"
    if not (folder / "node_modules" / "inkjs" / "package.json").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", f"inkjs@{INKJS_VERSION}"],
            cwd=folder,
            check=True,
        )
    return folder


# ---------------------------------------------------------------- the report


def _python() -> list[str]:
    return [sys.executable]


def _has_option(option: str) -> bool:
    _, _, out = timed([*_python(), "-m", "adventure", "play", "--help"], cwd=ROOT)
    return option.encode() in out


def _row(name: str, ours: float, ink: float | None, unit: str, ratio: float | None = None, other: str = "ink") -> None:
    if ink is None:
        print(f"  {name:<44} {ours:>11.1f} {unit}")
        return
    shown = ratio if ratio is not None else ours / ink
    print(f"  {name:<44} {ours:>11.1f} {unit}   {other} {ink:>11.1f} {unit}   ratio {shown:6.2f}")


def compare(size: int, work: Path, inkjs: Path | None, runs: int) -> None:
    source, folder = generate(size, work / f"n{size}")
    saves = work / f"saves-{size}"
    saves.mkdir(exist_ok=True)
    env_cache = {"XDG_CACHE_HOME": str(work / "cache")}
    os.environ.update(env_cache)
    print(f"\n{size:,} scenes ({sum(f.stat().st_size for f in folder.iterdir()) / 2**20:.1f} MiB of YAML)")
    compiled = work / f"n{size}.json"
    node = ["node", str(RUNNER)]
    if inkjs is not None:
        os.environ["INKJS"] = str(inkjs)
        timed([*node, "compile", str(source), str(compiled)])
    play = [*_python(), "-m", "adventure", "play", "--scenes", str(folder), "--saves", str(saves)]
    no_cache = ["--no-cache"] if _has_option("--no-cache") else []

    cold = pairs([*play, *no_cache], [*node, "compile", str(source), str(work / "x.json")] if inkjs else None, runs)
    _row(
        "a. cold start, whole process", cold["ours"] * 1000, cold.get("ink", 0) * 1000 or None, "ms", cold.get("ratio")
    )
    timed(play)  # the first start writes the cache
    warm = pairs(play, [*node, "load", str(compiled)] if inkjs else None, runs)
    _row(
        "b. warm start, whole process", warm["ours"] * 1000, warm.get("ink", 0) * 1000 or None, "ms", warm.get("ratio")
    )
    if inkjs:
        _row("b. warm start, peak memory", warm["ours_mib"], warm["ink_mib"], "MiB")

    me = Path(__file__).resolve()
    _, _, out = timed([*_python(), str(me), "_play", str(folder), str(MOVES), str(saves)], cwd=ROOT)
    ours = json.loads(out)
    theirs = None
    if inkjs:
        _, _, out = timed([*node, "play", str(compiled), str(MOVES), str(saves)])
        theirs = json.loads(out)
        same = "the same" if ours["sha256"] == theirs["sha256"] else "DIFFERENT"
        print(f"  path and text over {MOVES:,} choices: {same} (sha256 {ours['sha256'][:12]}…)")
    for key, name in [
        ("choice_mean_us", "c. per choice, mean"),
        ("choice_median_us", "c. per choice, median"),
        ("choice_p99_us", "c. per choice, p99"),
        ("save_us", "d. save, in memory"),
        ("load_us", "d. load, in memory"),
        ("save_bytes", "d. save size"),
        ("file_save_us", "d. save to a file, durable"),
        ("state_load_us", "d. load from a file, the state"),
        ("file_load_us", f"d. … with the log of {MOVES:,} moves"),
    ]:
        unit = "B " if key == "save_bytes" else "µs"
        theirs_key = "file_load_us" if key == "state_load_us" else key
        _row(name, ours[key], theirs[theirs_key] if theirs else None, unit)
    print(
        f"  {'c. median, first and second 5,000 choices':<44} "
        f"{ours['first_half_median_us']:>11.1f} / {ours['second_half_median_us']:.1f} µs"
    )
    full = pairs(
        [*_python(), str(me), "_full", str(folder), str(MOVES), "1000"],
        [*node, "full", str(compiled), str(MOVES), "1000"] if inkjs else None,
        runs,
    )
    _row(
        "e. whole run: load, 10,000 choices, 1,000 saves",
        full["ours"] * 1000,
        full.get("ink", 0) * 1000 or None,
        "ms",
        full.get("ratio"),
    )


def shipped(work: Path, runs: int) -> None:
    import yaml

    steps = yaml.safe_load((ROOT / "tests" / "walkthroughs" / "code_eve.yaml").read_text(encoding="utf-8"))["steps"]
    commands = [s.get("do") if isinstance(s, dict) else str(s) for s in steps]
    commands = [c for c in commands if c is not None]
    saves = work / "saves-shipped"
    saves.mkdir(exist_ok=True)
    play = [*_python(), "-m", "adventure", "play", "--saves", str(saves)]
    floor = [*_python(), "-c", "import yaml, attrs"]
    timed(play)  # warm the cache
    print("\nthe shipped story, against python -c 'import yaml, attrs'")
    start = pairs(play, floor, runs * 3)
    _row("adventure play < /dev/null", start["ours"] * 1000, start["ink"] * 1000, "ms", start["ratio"], "floor")
    piped = ("\n".join(commands) + "\n").encode()
    walk = pairs(play, floor, runs * 3, stdin=piped)
    _row(
        f"play < the {len(commands)}-command walkthrough",
        walk["ours"] * 1000,
        walk["ink"] * 1000,
        "ms",
        walk["ratio"],
        "floor",
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["_play"]:
        print(json.dumps(our_play(Path(argv[1]), int(argv[2]), Path(argv[3]))))
        return 0
    if argv[:1] == ["_full"]:
        print(our_full(Path(argv[1]), int(argv[2]), int(argv[3])))
        return 0
    quick = "--quick" in argv
    sizes = [int(a) for a in argv if a.isdigit()] or ([1000] if quick else [1000, 10_000])
    runs = 3 if quick else 5
    inkjs = inkjs_folder()
    # Bytecode, as `pip install` compiles it: a start then measures the game, not Python compiling
    # the engine's source (which it does on every start where PYTHONDONTWRITEBYTECODE is set).
    compileall.compile_dir(ROOT / "adventure", quiet=1)
    print(f"python {sys.version.split()[0]}; " + (f"inkjs {INKJS_VERSION}" if inkjs else "no node: our figures alone"))
    with tempfile.TemporaryDirectory(prefix="ink-compare-") as temporary:
        work = Path(temporary)
        for size in sizes:
            compare(size, work, inkjs, runs)
        shipped(work, runs)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
