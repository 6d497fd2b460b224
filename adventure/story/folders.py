"""Where the shipped story and the schemas are: package data when installed, ./scenes in a checkout."""

from __future__ import annotations

from pathlib import Path

from adventure.core.errors import AdventureError, UsageError

STORY_FILE = "story.yaml"
PACKAGE = Path(__file__).resolve().parent.parent
SCHEMAS = {"scenes": "scenes.schema.json", "story": "story.schema.json"}


def shipped_story() -> Path:
    """The story that comes with the game, wherever the package was installed or checked out."""
    for candidate in (PACKAGE / "scenes", PACKAGE.parent / "scenes"):
        if (candidate / STORY_FILE).is_file():
            return candidate
    raise AdventureError("the shipped story is missing from this installation; pass --scenes DIR")


def story_folder(positional: str | None = None, option: str | None = None) -> Path:
    """The folder a command should read: the one given (once), else the shipped story."""
    if positional and option and Path(positional) != Path(option):
        raise UsageError(f"two story folders given ({positional} and --scenes {option}); give one")
    chosen = positional or option
    return Path(chosen) if chosen else shipped_story()


def schema_file(which: str) -> Path:
    """The JSON Schema shipped in the package (a real file: the package is installed unzipped)."""
    return Path(__file__).resolve().parent / "schema" / SCHEMAS[which]


def story_files(folder: Path) -> list[Path]:
    """The YAML files of a story, story file first, skipping names that start with '.' or '_'."""
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        found.append(path)
    return sorted(found, key=lambda p: (p.name != STORY_FILE or p.parent != folder, str(p)))
