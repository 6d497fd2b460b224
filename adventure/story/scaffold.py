"""A new story folder for an author to start from: a small story that plays, checks clean and walks.

`adventure new DIR` writes it. The layout, which docs/tutorial.md walks through:

    DIR/story.yaml              the story file
    DIR/scenes/*.yaml           scene files
    DIR/_walkthroughs/win.yaml  a walkthrough ('_': the loader skips it, so it is not read as scenes)
    DIR/_schema/*.json          the JSON Schemas the YAML files name on their first line, for editors

Each YAML file's first line names its schema by a path relative to itself, so an editor checks the
files wherever the folder goes, with no network and without this repository.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import yaml

from adventure.core.errors import AdventureError
from adventure.story.folders import SCHEMAS, STORY_FILE, schema_file

SCHEMA_FOLDER = "_schema"
WALKTHROUGH = "_walkthroughs/win.yaml"

_STORY = """\
story:
  id: {id}
  title: The Lamp at Gull Point
  version: 1
  start: cottage

vars:
  knocks: 0         # how many times the player has knocked on the tower door
  wound: false      # whether the lamp's clockwork is wound

items:
  key:
    name: an iron key
    kind: thing
    description: Heavy, cold, and longer than your hand.

endings:
  lit:
    title: The Light
    text:
      - |
        The lens turns, and the beam swings out over the water. Far out, the ship's lights
        lean away from the rocks and go on south, unhurried, as if they had always meant to.
      - when: knocks >= 3
        text: Your knuckles still ache from the door.
  dawn:
    title: Morning
    text: |
      You wake by the cold stove. Down on the rocks a trawler lies on its side, and its crew
      sit on the shingle in a row, wet through and alive, and all of them looking up at you.
"""

_COTTAGE = """\
scenes:
  cottage:
    title: The Keeper's Cottage
    first: |
      The boat that brought you is already a light going away. On the table the old keeper
      has left a note: "Lamp out. Key on the nail. Sorry. M."
    again: The cottage smells of tar and cold tea.
    text:
      - Rain runs down the one window. Beyond it the tower stands dark.
      - when: not has(key)
        text: An iron key hangs on a nail by the door.
    choices:
      - label: Take the key from the nail
        when: not has(key)
        do: take key
        say: It is heavier than it looks.
      - label: Go out to the tower
        words: [out, tower]
        goto: tower_door
      - label: Sit by the stove and wait for morning
        words: [sit, wait, sleep]
        end: dawn
"""

_TOWER = """\
scenes:
  tower_door:
    title: The Foot of the Tower
    text:
      - |
        The door is oak, banded with iron, and locked. Somewhere past the rocks a ship's horn
        sounds, long and low.
      - when: knocks > 0
        text: "Knocks so far: {knocks}. Nobody has answered."
    choices:
      - label: Knock on the door
        words: [knock]
        do: knocks += 1
        say: You knock. The storm knocks back.
      - label: Unlock the door
        when: has(key)
        say: The key turns with a sound like a cough.
        goto: lamp_room
      - label: Go back to the cottage
        words: [back, cottage]
        goto: cottage

  lamp_room:
    title: The Lamp Room
    first: |
      A hundred and twelve steps. At the top the great lens sits in the dark like a held
      breath.
    text:
      - The wick is trimmed and the tank is full of oil.
      - when: not wound
        text: The clockwork that turns the lens has run down.
      - when: wound
        text: The clockwork ticks, ready.
    choices:
      - label: Wind the clockwork
        when: not wound
        do: wound = true
        say: You crank until your arms burn, and the gears take up the strain.
      - label: Light the lamp
        when: wound
        end: lit
      - label: Go back down
        words: [down]
        goto: tower_door
"""

_WIN = """\
# Plays the story to the good ending: `adventure walk _walkthroughs/win.yaml` from the story folder.
scenes: ..                  # the story folder, relative to this file
steps:
  - do: go out to the tower
    expect: {scene: tower_door, text: locked}
  - do: knock on the door
    expect: {vars: {knocks: 1}}
  - go back to the cottage
  - do: take the key
    expect: {has: key}
  - go out to the tower
  - do: unlock the door
    expect: {scene: lamp_room, text: sound like a cough}
  - do: wind the clockwork
    expect: {vars: {wound: true}}
  - do: light the lamp
    expect: {ending: lit}
"""

# Relative path -> (text, the schema its first line names, or None: walkthroughs have no schema).
_FILES: dict[str, tuple[str, str | None]] = {
    STORY_FILE: (_STORY, "story"),
    "scenes/cottage.yaml": (_COTTAGE, "scenes"),
    "scenes/tower.yaml": (_TOWER, "scenes"),
    WALKTHROUGH: (_WIN, None),
}


def schema_line(relative: str, which: str) -> str:
    """The first line that points an editor at the copied schema, from a file `relative` to the story."""
    up = "../" * (len(PurePosixPath(relative).parts) - 1)
    return f"# yaml-language-server: $schema={up}{SCHEMA_FOLDER}/{SCHEMAS[which]}\n"


def story_id(folder: Path) -> str:
    """The story id a new folder gets: its name, in the letters, digits, '-' and '_' an id allows."""
    found = re.sub(r"[^a-z0-9_-]+", "-", folder.resolve().name.lower()).strip("-")
    return found or "my-story"


def files_for(folder: Path) -> dict[str, str]:
    """Every file of a new story in `folder`: relative path -> text."""
    identifier = story_id(folder)
    if yaml.safe_load(identifier) != identifier:  # `123` or `null` would not be read as text
        identifier = f'"{identifier}"'
    files = {
        path: (schema_line(path, which) if which else "") + text.replace("{id}", identifier)
        for path, (text, which) in _FILES.items()
    }
    for which, name in SCHEMAS.items():
        source = schema_file(which)
        try:
            files[f"{SCHEMA_FOLDER}/{name}"] = source.read_text(encoding="utf-8")
        except OSError as error:
            raise AdventureError(f"the schema is missing from this installation ({source}: {error.strerror})") from None
    return files


def scaffold(folder: Path) -> list[Path]:
    """Write a new story into `folder`, which must not exist or be empty; return the files written.

    Nothing is ever overwritten: each file is created exclusively. If writing fails half way,
    what was written is removed again, so that the same command can simply be run once more.
    """
    if folder.is_file() or (folder.is_dir() and any(folder.iterdir())):
        what = "a file" if folder.is_file() else "a folder that is not empty"
        raise AdventureError(f"{folder} is {what}; name a new folder (adventure new never overwrites anything)")
    files = files_for(folder)
    made: list[Path] = [] if folder.is_dir() else [folder]
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for relative, text in files.items():
            path = folder / relative
            if not path.parent.is_dir():
                path.parent.mkdir()
                made.append(path.parent)
            with path.open("x", encoding="utf-8", newline="\n") as out:
                written.append(path)
                out.write(text)
    except OSError as error:
        for path in reversed(written):
            path.unlink(missing_ok=True)
        for directory in reversed(made):
            try:
                directory.rmdir()
            except OSError:
                pass
        place = error.filename or folder
        raise AdventureError(f"cannot write {place}: {error.strerror}") from None
    return written
