"""Stories for measuring the checker at scale, written as story folders anyone can regenerate.

    python benchmarks/stories.py chain K DIR     the shipped story, K renamed copies end to start
    python benchmarks/stories.py graph N DIR     a random graph of N scenes with flags and counters

`chain`: copy k's scenes, variables and items get the suffix `_k`; every ending of copies 1..K-1
becomes a `goto` to the next copy's first scene, so only the last copy ends. The copies share no
variable, so a checker whose cost is the sum of the chapters' costs checks K copies in about K
times the time of one. Prose is renamed with the identifiers (a word that is also an id gets the
suffix): the checker reads none of it.

`graph`: scene i leads on to i+1 and to a random scene up to 40 ahead or 8 back (a loop), sets a
flag that doors in the next fifty scenes read, and moves a counter some scenes compare; the last scenes end. The
same N and seed give the same story.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SCENES = ROOT / "scenes"
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _rename(value: Any, names: dict[str, str]) -> Any:
    """Every identifier in `value` (keys and strings alike) renamed by `names`."""
    if isinstance(value, str):
        return WORD.sub(lambda m: names.get(m.group(0), m.group(0)), value)
    if isinstance(value, list):
        return [_rename(v, names) for v in value]
    if isinstance(value, dict):
        return {names.get(k, k) if isinstance(k, str) else k: _rename(v, names) for k, v in value.items()}
    return value


def _ends_to_goto(value: Any, target: str) -> Any:
    """Every choice's or branch's `end` turned into a `goto` to `target`."""
    if isinstance(value, list):
        return [_ends_to_goto(v, target) for v in value]
    if isinstance(value, dict):
        out = {k: _ends_to_goto(v, target) for k, v in value.items() if k != "end"}
        if "end" in value and isinstance(value["end"], str):
            out["goto"] = target
        return out
    return value


def chain(copies: int, out: Path, source: Path = SCENES) -> Path:
    """Write `copies` renamed copies of the story in `source`, chained, into the folder `out`."""
    story = yaml.safe_load((source / "story.yaml").read_text(encoding="utf-8"))
    files = {
        p.relative_to(source): yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted(source.rglob("*.yaml"))
        if p.name != "story.yaml"
    }
    scene_ids = [sid for data in files.values() for sid in data["scenes"]]
    ids = [*scene_ids, *story.get("vars", {}), *story.get("items", {})]
    out.mkdir(parents=True, exist_ok=True)
    merged: dict[str, Any] = {"story": dict(story["story"]), "vars": {}, "items": {}}
    for k in range(1, copies + 1):
        names = {name: f"{name}_{k}" for name in ids}
        for path, data in files.items():
            renamed = _rename(data, names)
            if k < copies:
                renamed = _ends_to_goto(renamed, f"{story['story']['start']}_{k + 1}")
            target = out / f"copy{k}" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(yaml.safe_dump(renamed, sort_keys=False, allow_unicode=True), encoding="utf-8")
        merged["vars"].update(_rename(story.get("vars", {}), names))
        merged["items"].update(_rename(story.get("items", {}), names))
        if k == 1:
            for key in ("collection", "stats", "inventory"):
                if key in story:
                    merged[key] = _rename(story[key], names)
    first = {name: f"{name}_1" for name in ids}
    merged["story"]["id"] = f"{story['story']['id']}-x{copies}"
    merged["story"]["start"] = first[story["story"]["start"]]
    # Endings may name variables (their text's conditions): the last copy's, as only it ends.
    last = {name: f"{name}_{copies}" for name in ids}
    for key, value in story.items():
        if key not in merged and key not in ("vars", "items"):
            merged[key] = _rename(value, last)
    (out / "story.yaml").write_text(yaml.safe_dump(merged, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out


def graph(size: int, out: Path, seed: int = 1) -> Path:
    """Write a random story graph of `size` scenes into the folder `out`."""
    rng = random.Random(seed)
    flags = max(1, (size + 9) // 10)
    counters = max(1, size // 100)
    scenes: dict[str, Any] = {}
    for i in range(size):
        choices: list[dict[str, Any]] = []
        if i >= size - 3:
            choices.append({"label": f"Finish at {i}", "end": "done"})
        else:
            choices.append({"label": f"Walk on from {i}", "goto": f"s{i + 1}"})
            jump = min(size - 1, max(0, i + rng.choice([-8, -3, 2, 5, 11, 23, 40])))
            # A flag set a few scenes back (each ten scenes set one): doors open on what came before.
            flag = f"f{rng.randint(max(0, i // 10 - 5), max(0, i // 10 - 1))}"
            choices.append({"label": f"Take the door {flag}", "when": flag, "goto": f"s{jump}"})
        if i % 10 == 3:
            choices.append({"label": f"Pull lever {i}", "once": True, "do": f"f{i // 10} = true"})
        if rng.random() < 0.2:
            counter = f"c{i * counters // size}"
            choices.append({"label": f"Turn dial {i}", "once": True, "do": f"{counter} += 1"})
            choices.append(
                {"label": f"Open the dial door {i}", "when": f"{counter} >= 2", "goto": f"s{min(size - 1, i + 7)}"}
            )
        scenes[f"s{i}"] = {"title": f"Room {i}", "text": f"Room number {i}.", "choices": choices}
    out.mkdir(parents=True, exist_ok=True)
    story = {
        "story": {"id": f"graph-{size}", "title": f"A graph of {size} rooms", "version": 1, "start": "s0"},
        "vars": {**{f"f{j}": False for j in range(flags)}, **{f"c{j}": 0 for j in range(counters)}},
        "endings": {"done": {"title": "Done", "text": "The last room."}},
    }
    (out / "story.yaml").write_text(yaml.safe_dump(story, sort_keys=False), encoding="utf-8")
    (out / "rooms.yaml").write_text(yaml.safe_dump({"scenes": scenes}, sort_keys=False), encoding="utf-8")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("chain", "graph") or not argv[1].isdigit():
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    make = chain if argv[0] == "chain" else graph
    print(make(int(argv[1]), Path(argv[2])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
