"""Shared fixtures: a tiny inline story, written to a temporary folder, as authors would write it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from adventure.core.model import Story
from adventure.story.loader import load_story

MINI_STORY = """\
story:
  id: mini
  title: The Small Hours
  version: 1
  start: hall
vars:
  gold: 0
  door_open: false
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


def write_story(folder: Path, files: dict[str, str]) -> Path:
    """Write files (relative name -> YAML text, dedented) into `folder` and return it."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    return write_story(tmp_path / "mini", {"story.yaml": MINI_STORY, "hall.yaml": MINI_SCENES})


@pytest.fixture
def mini(mini_dir: Path) -> Story:
    return load_story(mini_dir)


SHIPPED = Path(__file__).resolve().parent.parent / "scenes"


@pytest.fixture(scope="session")
def shipped_story() -> Story:
    """The story the game ships, loaded once for the whole run."""
    return load_story(SHIPPED)


@pytest.fixture(autouse=True)
def saves_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test, and every command it runs, saves into its own temporary folder."""
    folder = tmp_path / "saves"
    monkeypatch.setenv("ADVENTURE_SAVES", str(folder))
    return folder
