"""A story folder of YAML files -> a checked Story, or every problem found, each with its place."""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

from adventure.core.commands import RESERVED_WORDS, words_of
from adventure.core.errors import AdventureError, Problem, StoryError
from adventure.core.expr import (
    RESERVED,
    Assign,
    Effect,
    Env,
    Expr,
    ExprError,
    If,
    Leaf,
    Names,
    Undefined,
    Value,
    check_condition,
    check_effect,
    evaluate,
    fits,
    parse_effects,
    parse_expr,
    suggest,
    type_of,
)
from adventure.core.model import (
    SEQUENCE,
    SIGILS,
    Branch,
    Choice,
    Collection,
    Cond,
    Ending,
    Item,
    Name,
    Paragraph,
    Part,
    Scene,
    Source,
    Stat,
    Story,
    Template,
    Text,
    Vary,
    Way,
    counted_scenes,
    plain_text,
)
from adventure.story.folders import STORY_FILE, story_files
from adventure.story.nodes import Reader, compose, yaml_problem

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Names a variable cannot take: the language's own words.

SCENE_KEYS = ("title", "choices"), ("text", "first", "again", "aliases", "on_enter", "on_first_enter")
WAY_KEYS = ("goto", "end", "call", "back")  # where a choice or a branch leads: one of them at most
CHOICE_KEYS = ("label",), ("words", "when", "requires", "because", "do", "say", *WAY_KEYS, "branch", "once")
BRANCH_KEYS = (), ("when", "do", "say", *WAY_KEYS)
IF_KEYS = ("if", "do"), ("else",)
ITEM_KEYS = ("name", "kind", "description"), ()
ENDING_KEYS = ("title",), ("text",)
STORY_KEYS = ("story", "endings"), ("vars", "items", "inventory", "every_turn", "collection", "stats", "names")
NAME_KEYS = ("when",), ("ignore_case",)
COLLECTION_KEYS = ("kind", "name"), ()
STAT_KEYS = ("name",), ("max", "bar")

Document = tuple[yaml.Node | None, list[str]]  # composed root (None if empty), the file's lines
Fields = dict[str, tuple[yaml.Node, yaml.Node]]


# ------------------------------------------------------------------ IO


def _unreadable_folders(folder: Path) -> list[OSError]:
    """Sub-folders that cannot be listed: a search for files skips them without a word."""
    found: list[OSError] = []
    for _, folders, _ in os.walk(folder, onerror=found.append):
        folders[:] = [name for name in folders if not name.startswith((".", "_"))]
    return [error for error in found if error.filename is not None]


def read_documents(folder: Path) -> tuple[dict[str, Document], list[Problem], str]:
    """Read and compose every file; syntax errors become problems, the rest is left to parsing.

    Also returns a fingerprint of the files' bytes, so saves can tell when the story changed.
    """
    documents: dict[str, Document] = {}
    problems: list[Problem] = [
        Problem(
            display_path(Path(error.filename)),
            0,
            0,
            f"cannot read this folder ({error.strerror}); the scenes in it were not loaded",
        )
        for error in _unreadable_folders(folder)
    ]
    digest = hashlib.sha256()
    for path in story_files(folder):
        name = display_path(path)
        try:
            raw = path.read_bytes()
            _digest_file(digest, folder, path, raw)
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(
                Problem(name, 0, 0, f"not UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8")
            )
            continue
        except OSError as error:
            problems.append(Problem(name, 0, 0, f"cannot read: {error.strerror}"))
            continue
        try:
            root = compose(text, SafeLoader)
        except yaml.YAMLError as error:
            problems.append(yaml_problem(name, error, text.splitlines(), text))
            continue
        documents[name] = (root, text.splitlines())
    return documents, problems, digest.hexdigest()[:16]


def _digest_file(digest: Any, folder: Path, path: Path, raw: bytes) -> None:
    digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + raw + b"\0")


def fingerprint(folder: Path) -> str:
    """The digest of a story's files that `load_story` gives it as `Story.fingerprint`."""
    digest = hashlib.sha256()
    for path in story_files(folder):
        try:
            _digest_file(digest, folder, path, path.read_bytes())
        except OSError:
            continue
    return digest.hexdigest()[:16]


def display_path(path: Path) -> str:
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


class NoStoryFolder(StoryError):
    """The folder is not there: one line, as any user error, but a StoryError like every other
    problem with a story, so that a `--dev` reload that finds the folder gone keeps playing."""

    def __init__(self, folder: Path) -> None:
        message = f"no story folder at {folder} (pass the folder that holds {STORY_FILE})"
        super().__init__([Problem(str(folder), 0, 0, message)], str(folder))
        self.args = (message,)

    def show(self) -> str:
        return AdventureError.show(self)


def load_story(folder: Path | str) -> Story:
    """Read a story folder; raise StoryError listing every problem in every file, and nothing else."""
    folder = Path(folder)
    if not folder.is_dir():
        raise NoStoryFolder(folder)
    paused = gc.isenabled()
    gc.disable()  # a load makes a great many objects and frees few: the cyclic collector only slows it
    try:
        return _load(folder)
    except (RecursionError, MemoryError) as error:
        # Every input found so far is bounded before it gets here; this is the last guard, so that
        # `play --dev` keeps the old story and the command line says what happened, in one line.
        why = "it needs more memory than there is" if isinstance(error, MemoryError) else "it is nested too deeply"
        where = display_path(folder)
        raise StoryError([Problem(where, 0, 0, f"the story cannot be read: {why}")], where) from None
    finally:
        if paused:
            gc.enable()


def _checked_later(where: str) -> Problem:
    """The note beside a story file's error when nothing in it could be read: the scenes' names
    are not reported one by one as unknown."""
    why = f"the scenes' variables, items and endings are checked once {STORY_FILE} can be read"
    return Problem(where, 0, 0, why, "note")


def _not_a_file(path: Path) -> str:
    """What `path` is when something is there that is not a file to read ("a folder"), else ""."""
    if not os.path.lexists(path) or path.is_file():
        return ""
    if path.is_dir():
        return "a folder"
    if path.is_fifo():
        return "a pipe"
    return "a dangling link" if path.is_symlink() else "a device"


def _load(folder: Path) -> Story:
    documents, problems, fingerprint = read_documents(folder)
    story_file = display_path(folder / STORY_FILE)
    if story_file not in documents:
        # Without it every variable, item and ending is unknown: say that once, not at every use.
        if any(p.file == story_file for p in problems):  # there, but it could not be read
            problems.append(_checked_later(display_path(folder)))
        elif kind := _not_a_file(folder / STORY_FILE):
            why = f"it is {kind}, not a file: the story file must be a YAML file"
            problems.append(Problem(story_file, 0, 0, why))
        else:
            why = f"no {STORY_FILE} here: every story needs one (see docs/authoring.md)"
            problems.append(Problem(display_path(folder), 0, 0, why))
        raise StoryError(problems, display_path(folder))
    return parse_story(documents, story_file, display_path(folder), problems, fingerprint)


# ------------------------------------------------------------------ pure parsing


def parse_story(
    documents: Mapping[str, Document],
    story_file: str,
    where: str,
    problems: list[Problem] | None = None,
    fingerprint: str = "",
) -> Story:
    """Build the model from composed files, checking every reference; raise StoryError on any problem."""
    try:
        return _parse_story(documents, story_file, where, problems if problems is not None else [], fingerprint)
    finally:
        _DICE_NAMES.clear()


def _parse_story(
    documents: Mapping[str, Document], story_file: str, where: str, problems: list[Problem], fingerprint: str
) -> Story:
    variable_sources: dict[str, Source] = {}
    found = _read_story_file(documents.get(story_file), story_file, problems, variable_sources)
    if found.reader is None and story_file in documents:  # empty, or not a mapping: nothing declared
        problems.append(_checked_later(where))
        raise StoryError(problems, where)
    variables, ending_nodes = found.variables, found.endings
    scene_nodes = _collect_scenes(documents, story_file, problems)
    names = Names.of(variables, found.item_nodes, scene_nodes)
    items = {
        item_id: item
        for item_id, (reader, key_node, _, fields) in found.item_nodes.items()
        if (item := _item(reader, item_id, key_node, fields, names)) is not None
    }
    extras = _read_extras(found, names)
    endings = {ending_id: _ending(reader, ending_id, node, names) for ending_id, (reader, node) in ending_nodes.items()}
    scenes: dict[str, Scene] = {}
    for scene_id, (reader, key_node, node) in scene_nodes.items():
        scene = _scene(reader, scene_id, key_node, node, names, frozenset(endings))
        if scene is not None:
            scenes[scene_id] = scene
    _check_aliases(scenes, scene_nodes)
    if found.start is not None and found.start_at is not None and found.start not in scene_nodes:
        reader, node = found.start_at
        reader.problem(
            node, f"start scene {found.start!r} does not exist{suggest(found.start, scene_nodes)}", code="missing-scene"
        )
    if not ending_nodes and found.has_header:
        problems.append(Problem(story_file, 0, 0, "the story has no endings: add at least one under 'endings'"))
    if any(p.code == "yaml" for p in problems):
        # Scenes in a file that could not be read look missing: say so once instead of at every goto.
        kept = [p for p in problems if p.code != "missing-scene"]
        if len(kept) < len(problems):
            kept.append(
                Problem(where, 0, 0, "'goto' to missing scenes is checked again once every file can be read", "note")
            )
        problems[:] = kept
    if any(p.severity == "error" for p in problems):
        raise StoryError(problems, where)
    # No error was found, so every field of the header was read.
    assert found.id is not None and found.title is not None and found.version is not None and found.start is not None
    story = Story(
        id=found.id,
        title=found.title,
        version=found.version,
        start=found.start,
        variables=variables,
        items=items,
        scenes=scenes,
        endings=endings,
        source=Source(story_file, 1, 1),
        fingerprint=fingerprint,
        variable_sources=variable_sources,
        warnings=tuple(p for p in problems if p.severity == "warning"),
        inventory=extras.inventory,
        every_turn=extras.every_turn,
        collection=extras.collection,
        stats=extras.stats,
        names=extras.names,
    )
    return attrs.evolve(story, counted=counted_scenes(story))


@attrs.frozen
class _Extras:
    """What story.yaml may add to a v1 story: a starting inventory, timers, what the player is shown."""

    inventory: tuple[str, ...] = ()
    every_turn: tuple[Effect, ...] = ()
    collection: Collection | None = None
    stats: tuple[Stat, ...] = ()
    names: tuple[Name, ...] = ()


def _read_extras(found: _StoryFile, names: Names) -> _Extras:
    reader, top = found.reader, found.top
    if reader is None:
        return _Extras()
    inventory: list[str] = []
    if "inventory" in top and not _is_empty(top["inventory"][1]):
        for node, item in reader.strings(top["inventory"][1], "an item of the starting 'inventory'"):
            if item not in names.items:
                hint = suggest(item, names.items) or " (declare it under 'items')"
                reader.problem(node, f"the starting inventory names item {item!r}, which does not exist{hint}")
            elif item in inventory:
                reader.problem(node, f"item {item!r} is in the starting inventory twice")
            else:
                inventory.append(item)
    every_turn = _effects(reader, top["every_turn"][1], names) if "every_turn" in top else ()
    collection = None
    if "collection" in top:
        fields = reader.mapping(top["collection"][1], "'collection'", *COLLECTION_KEYS) or {}
        kind = reader.string(fields["kind"][1], "the collection's 'kind'") if "kind" in fields else None
        name = reader.string(fields["name"][1], "the collection's 'name'") if "name" in fields else None
        if kind is not None and name is not None:
            collection = Collection(kind, name)
            if not any(
                reader_.string(f["kind"][1], "") == kind
                for reader_, _, _, f in found.item_nodes.values()
                if "kind" in f
            ):
                reader.problem(
                    fields["kind"][1], f"no item is of kind {kind!r}: the collection is empty", severity="warning"
                )
    stats: list[Stat] = []
    if "stats" in top and not _is_empty(top["stats"][1]):
        for variable, (key_node, node) in (reader.mapping(top["stats"][1], "'stats'", any_keys=True) or {}).items():
            if variable not in names.variables:
                hint = suggest(variable, names.variables) or " (declare it under 'vars')"
                reader.problem(key_node, f"'stats' shows variable {variable!r}, which does not exist{hint}")
                continue
            stat = _stat(reader, variable, node)
            if stat is not None:
                stats.append(stat)
    declared = _names(reader, top["names"][1], names) if "names" in top and not _is_empty(top["names"][1]) else ()
    return _Extras(tuple(inventory), every_turn, collection, tuple(stats), declared)


def _names(reader: Reader, node: yaml.Node, names: Names) -> tuple[Name, ...]:
    """`names:`, each a condition, or a mapping with `when` and `ignore_case`."""
    found: list[Name] = []
    for text, (key_node, value) in (reader.mapping(node, "'names'", any_keys=True) or {}).items():
        if text != text.strip() or not any(ch.isalnum() for ch in text) or not text.isprintable():
            reader.problem(
                key_node,
                f"name {text!r} should be words on one line, with letters in it, no space around them "
                "and no control characters",
            )
            continue
        ignore_case: bool | None = False
        if isinstance(value, yaml.MappingNode):
            fields = reader.mapping(value, f"name {text!r}", *NAME_KEYS)
            if fields is None or "when" not in fields:
                continue
            if "ignore_case" in fields:
                ignore_case = reader.flag(fields["ignore_case"][1], f"the 'ignore_case' of name {text!r}")
            value = fields["when"][1]
        when = _condition(reader, value, names, f"'when' of name {text!r}")
        if when is not None and ignore_case is not None:
            found.append(Name(text, when, ignore_case, reader.source(key_node)))
    return tuple(found)


def _stat(reader: Reader, variable: str, node: yaml.Node) -> Stat | None:
    """`name` alone, or a mapping with `name`, `max` (shown as a bar) and `bar` (on the status bar)."""
    if isinstance(node, yaml.ScalarNode):
        name = reader.string(node, f"the name of stat {variable!r}")
        return Stat(variable, name) if name is not None else None
    fields = reader.mapping(node, f"stat {variable!r}", *STAT_KEYS)
    if fields is None or "name" not in fields:
        return None
    name = reader.string(fields["name"][1], f"the name of stat {variable!r}")
    top = reader.integer(fields["max"][1], f"the 'max' of stat {variable!r}") if "max" in fields else None
    bar = reader.flag(fields["bar"][1], f"the 'bar' of stat {variable!r}") if "bar" in fields else True
    if top is not None and top <= 0:
        reader.problem(fields["max"][1], f"the 'max' of stat {variable!r} should be above 0")
        top = None
    return Stat(variable, name, top, bar is not False) if name is not None else None


def _check_aliases(scenes: Mapping[str, Scene], scene_nodes: Mapping[str, tuple[Reader, yaml.Node, yaml.Node]]) -> None:
    """An old id must name one scene only, and no scene that exists now."""
    owners: dict[str, str] = {}
    for scene in scenes.values():
        reader, key_node, _ = scene_nodes[scene.id]
        for alias in scene.aliases:
            if alias in scenes:
                reader.problem(
                    key_node, f"scene {scene.id!r} lists {alias!r} as an old id, but a scene {alias!r} exists"
                )
            elif alias in owners:
                reader.problem(key_node, f"old id {alias!r} is listed by both {owners[alias]!r} and {scene.id!r}")
            owners[alias] = scene.id


@attrs.define
class _StoryFile:
    """What story.yaml declares, as read; a field stays None where its value was missing or wrong."""

    id: str | None = None
    title: str | None = None
    version: int | None = None
    start: str | None = None
    start_at: tuple[Reader, yaml.Node] | None = None  # where `start` is written, for its problem
    has_header: bool = False
    variables: dict[str, int | bool] = attrs.field(factory=dict)
    items: dict[str, Item] = attrs.field(factory=dict)
    endings: dict[str, tuple[Reader, yaml.Node]] = attrs.field(factory=dict)
    item_nodes: dict[str, tuple[Reader, yaml.Node, yaml.Node, dict[str, tuple[yaml.Node, yaml.Node]]]] = attrs.field(
        factory=dict
    )
    top: dict[str, tuple[yaml.Node, yaml.Node]] = attrs.field(factory=dict)
    reader: Reader | None = None


def _read_story_file(
    document: Document | None, file: str, problems: list[Problem], sources: dict[str, Source]
) -> _StoryFile:
    found = _StoryFile()
    if document is None:
        return found
    root, lines = document
    reader = Reader(file, lines, problems)
    if root is None:
        reader.problem(None, "the story file is empty; it needs 'story', 'vars', 'items' and 'endings'")
        return found
    top = reader.mapping(root, "the story file", *STORY_KEYS)
    if top is None:
        return found
    found.top = top
    found.reader = reader
    if "story" in top:
        _read_header(reader, top["story"][1], found)
    if "vars" in top and not _is_empty(top["vars"][1]):
        _read_variables(reader, top["vars"][1], found, sources)
    if "items" in top and not _is_empty(top["items"][1]):
        _read_items(reader, top["items"][1], found)
    if "endings" in top:
        for ending_id, (key_node, node) in (
            reader.mapping(top["endings"][1], "'endings'", any_keys=True) or {}
        ).items():
            if reader.identifier(key_node, "the ending id") is not None:
                found.endings[ending_id] = (reader, node)
    return found


def _read_header(reader: Reader, node: yaml.Node, found: _StoryFile) -> None:
    fields = reader.mapping(node, "'story'", required=("id", "title", "version", "start"))
    if fields is None:
        return
    found.has_header = bool(fields)
    if "id" in fields:
        story_id = reader.string(fields["id"][1], "the story 'id'")
        if story_id is not None and not re.fullmatch(r"[A-Za-z0-9_-]+", story_id):
            reader.problem(fields["id"][1], f"the story id {story_id!r} may hold only letters, digits, '-' and '_'")
            story_id = None
        found.id = story_id
    if "title" in fields:
        found.title = reader.string(fields["title"][1], "the story 'title'")
    if "version" in fields:
        found.version = reader.integer(fields["version"][1], "'version'")
    if "start" in fields:
        found.start = reader.identifier(fields["start"][1], "the start scene")
        found.start_at = (reader, fields["start"][1])


def _read_variables(reader: Reader, node: yaml.Node, found: _StoryFile, sources: dict[str, Source]) -> None:
    for name, (key_node, value_node) in (reader.mapping(node, "'vars'", any_keys=True) or {}).items():
        if reader.identifier(key_node, "the variable name") is None:
            continue
        if name in RESERVED:
            reader.problem(key_node, f"{name!r} is a word of the expression language; pick another variable name")
            continue
        what = f"the starting value of {name!r}"
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag == "tag:yaml.org,2002:str":
            value = _computed(reader, value_node, what, found.variables)
        else:
            value = reader.value(value_node, what)
        # A bad starting value is reported once; the name stays declared so uses don't cascade.
        found.variables[name] = 0 if value is None else value
        sources[name] = reader.source(key_node)


def _computed(reader: Reader, node: yaml.ScalarNode, what: str, earlier: Mapping[str, Value]) -> Value | None:
    """A starting value written as an expression of the variables declared before it."""
    names = Names.of(earlier, (), ())

    def parse(text: str) -> Value:
        expr = parse_expr(text)
        type_of(expr, names)
        env = Env(earlier, lambda _: False, lambda _: 0, {"ids": 0, "turn": 0})
        try:
            value = evaluate(expr, env)
        except Undefined as why:
            raise ExprError(f"it needs {why}", 0) from None
        if not isinstance(value, bool) and not fits(value):
            raise ExprError(f"it comes to {value}, past the story's 64-bit range", 0)
        return value

    hint = " (a starting value is a number, true/false, or an expression of the variables above it)"
    value = reader.parsed(node, what, node.value, parse)
    if value is None and reader.problems and reader.problems[-1].message.endswith("found nothing"):
        reader.problems[-1] = attrs.evolve(reader.problems[-1], message=reader.problems[-1].message + hint)
    return value


def _read_items(reader: Reader, node: yaml.Node, found: _StoryFile) -> None:
    """Item ids and kinds; their names and descriptions are read once every name is known."""
    for item_id, (key_node, item_node) in (reader.mapping(node, "'items'", any_keys=True) or {}).items():
        if reader.identifier(key_node, "the item id") is None:
            continue
        fields = reader.mapping(item_node, f"item {item_id!r}", *ITEM_KEYS)
        if fields is None:
            continue
        found.item_nodes[item_id] = (reader, key_node, item_node, fields)


def _item(reader: Reader, item_id: str, key_node: yaml.Node, fields: Fields, names: Names) -> Item | None:
    what = f"item {item_id!r}"
    kind = reader.string(fields["kind"][1], f"the kind of {what}") if "kind" in fields else None
    name = _line(reader, fields["name"][1], f"the name of {what}", names) if "name" in fields else None
    description = (
        _text(reader, fields["description"][1], f"the description of {what}", names, f"item:{item_id}")
        if "description" in fields
        else ()
    )
    if name is None or kind is None or not description:
        return None
    return Item(item_id, name, kind, description, reader.source(key_node))


def _is_empty(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _collect_scenes(
    documents: Mapping[str, Document], story_file: str, problems: list[Problem]
) -> dict[str, tuple[Reader, yaml.Node, yaml.Node]]:
    """Every scene's nodes by id, across files; the first definition of an id wins."""
    scenes: dict[str, tuple[Reader, yaml.Node, yaml.Node]] = {}
    for file, (root, lines) in documents.items():
        if file == story_file:
            continue
        reader = Reader(file, lines, problems)
        if root is None:
            reader.problem(
                None,
                "the file holds no scenes (it is empty or only comments): add 'scenes:' or delete the file",
                severity="warning",
                code="empty-file",
            )
            continue
        top = reader.mapping(root, "a scene file", required=("scenes",))
        if not top or "scenes" not in top:
            continue
        for scene_id, (key_node, node) in (reader.mapping(top["scenes"][1], "'scenes'", any_keys=True) or {}).items():
            if reader.identifier(key_node, "the scene id") is None:
                continue
            if scene_id in scenes:
                first = scenes[scene_id][1].start_mark
                reader.problem(
                    key_node,
                    f"scene {scene_id!r} is defined twice; the first is at {scenes[scene_id][0].file}:{first.line + 1}",
                )
                continue
            scenes[scene_id] = (reader, key_node, node)
    return scenes


def _scene(
    reader: Reader, scene_id: str, key_node: yaml.Node, node: yaml.Node, names: Names, endings: frozenset[str]
) -> Scene | None:
    fields = reader.mapping(node, f"scene {scene_id!r}", *SCENE_KEYS)
    if fields is None:
        return None
    title = _line(reader, fields["title"][1], f"the title of scene {scene_id!r}", names) if "title" in fields else None
    texts = {
        key: _text(reader, fields[key][1], f"the {key} of scene {scene_id!r}", names, f"{scene_id}.{key}")
        if key in fields
        else ()
        for key in ("text", "first", "again")
    }
    aliases = tuple(
        alias
        for alias_node, _ in (reader.strings(fields["aliases"][1], "an old scene id") if "aliases" in fields else ())
        if (alias := reader.identifier(alias_node, "an old scene id")) is not None
    )
    on_enter, on_first_enter = (
        _effects(reader, fields[key][1], names) if key in fields else ()
        for key in (
            "on_enter",
            "on_first_enter",
        )
    )
    choices: list[Choice] = []
    if "choices" in fields:
        nodes = reader.sequence(fields["choices"][1], f"the choices of scene {scene_id!r}")
        if not nodes and isinstance(fields["choices"][1], yaml.SequenceNode):
            reader.problem(
                fields["choices"][1], f"scene {scene_id!r} has no choices: give the player at least one way on"
            )
        for index, choice_node in enumerate(nodes, 1):
            choice = _choice(reader, f"{scene_id}/{index}", choice_node, names, endings)
            if choice is not None:
                choices.append(choice)
    if title is None:
        return None
    return Scene(
        scene_id,
        title,
        tuple(choices),
        texts["text"],
        texts["first"],
        texts["again"],
        aliases,
        reader.source(key_node),
        on_enter,
        on_first_enter,
    )


def _choice(reader: Reader, key: str, node: yaml.Node, names: Names, endings: frozenset[str]) -> Choice | None:
    where = f"choice {key.split('/')[1]} of scene {key.split('/')[0]!r}"
    fields = reader.mapping(node, where, *CHOICE_KEYS)
    if fields is None:
        return None
    label = _line(reader, fields["label"][1], f"the label of {where}", names) if "label" in fields else None
    words = tuple(_words(reader, fields["words"][1])) if "words" in fields else ()
    when = _condition(reader, fields["when"][1], names, "'when'") if "when" in fields else None
    requires = _condition(reader, fields["requires"][1], names, "'requires'") if "requires" in fields else None
    because = None
    if "because" in fields:
        because = _line(reader, fields["because"][1], f"the 'because' of {where}", names)
        if "requires" not in fields:
            reader.problem(fields["because"][0], f"{where} has 'because' but no 'requires' for it to explain")
    effects = _effects(reader, fields["do"][1], names) if "do" in fields else ()
    say = _text(reader, fields["say"][1], f"the 'say' of {where}", names, f"{key}.say") if "say" in fields else ()
    way = _way(reader, fields, where, names, endings)
    branches: list[Branch] = []
    if "branch" in fields:
        if any(k in fields for k in WAY_KEYS):
            first = next(fields[k][0] for k in WAY_KEYS if k in fields)
            reader.problem(
                first,
                f"{where} has 'branch' and its own place to go: write that as the last branch, without 'when'",
            )
        nodes = reader.sequence(fields["branch"][1], f"the 'branch' of {where}")
        for number, branch_node in enumerate(nodes, 1):
            branch = _branch(reader, branch_node, f"branch {number} of {where}", f"{key}.{number}", names, endings)
            if branch is not None:
                branches.append(branch)
        for later in nodes[[b.when for b in branches].index(None) + 1 :] if None in [b.when for b in branches] else []:
            reader.problem(later, f"this branch of {where} comes after one without 'when', so it is never taken")
    once = reader.flag(fields["once"][1], "'once'") if "once" in fields else False
    if label is None:
        return None
    return Choice(
        key,
        label,
        words,
        when,
        effects,
        say,
        way.goto,
        way.end,
        bool(once),
        reader.source(node),
        call=way.call,
        back=way.back,
        requires=requires,
        because=because,
        branches=tuple(branches),
    )


def _words(reader: Reader, node: yaml.Node) -> list[str]:
    found = []
    for word_node, text in reader.strings(node, "a word"):
        spelled = " ".join(words_of(text))
        if spelled in RESERVED_WORDS:
            reader.problem(
                word_node,
                f"the word {text!r} is a command ({spelled!r}), so typing it never picks this choice; "
                "pick another word",
                severity="warning",
                code="word-is-command",
            )
        found.append(text)
    return found


def _branch(
    reader: Reader, node: yaml.Node, where: str, key: str, names: Names, endings: frozenset[str]
) -> Branch | None:
    fields = reader.mapping(node, where, *BRANCH_KEYS)
    if fields is None:
        return None
    when = _condition(reader, fields["when"][1], names, "'when'", dice=True) if "when" in fields else None
    effects = _effects(reader, fields["do"][1], names) if "do" in fields else ()
    say = _text(reader, fields["say"][1], f"the 'say' of {where}", names, f"{key}.say") if "say" in fields else ()
    return Branch(when, _way(reader, fields, where, names, endings), effects, say)


def _way(reader: Reader, fields: Fields, where: str, names: Names, endings: frozenset[str]) -> Way:
    """Where a choice or branch leads: `goto`, `end`, `call` or `back`, one at most."""
    given = [k for k in WAY_KEYS if k in fields]
    for extra in given[1:]:
        reader.problem(fields[extra][0], f"{where} has both {given[0]!r} and {extra!r}; a choice leads to one place")
    goto = end = call = None
    back = False
    for field in ("goto", "call"):
        if field in fields:
            scene = reader.identifier(fields[field][1], f"'{field}'")
            if scene is not None and scene not in names.scenes:
                reader.problem(
                    fields[field][1],
                    f"'{field}' names scene {scene!r}, which does not exist{suggest(scene, names.scenes)}",
                    code="missing-scene",
                )
            if field == "goto":
                goto = scene
            else:
                call = scene
    if "end" in fields:
        end = reader.identifier(fields["end"][1], "'end'")
        if end is not None and end not in endings:
            hint = suggest(end, endings) or " (endings are declared under 'endings' in story.yaml)"
            reader.problem(fields["end"][1], f"'end' names ending {end!r}, which does not exist{hint}")
    if "back" in fields:
        back = reader.flag(fields["back"][1], "'back'") is True
        if not back:
            reader.problem(fields["back"][1], "'back' can only be true: leave it out to stay")
    return Way(goto, end, call, back)


def _with_dice(names: Names, dice: bool) -> Names:
    """`names`, allowing dice or not: made once per story, not once per effect."""
    if names.dice == dice:
        return names
    known = _DICE_NAMES.get(id(names))
    if known is None or known[0] is not names:
        known = _DICE_NAMES[id(names)] = (names, attrs.evolve(names, dice=dice))
    return known[1]


_DICE_NAMES: dict[int, tuple[Names, Names]] = {}


def _effects(reader: Reader, node: yaml.Node, names: Names) -> tuple[Effect, ...]:
    """Effects in any of their forms: a string, a list of strings, and `{if, do, else}` mappings."""
    names = _with_dice(names, True)
    entries = node.value if isinstance(node, yaml.SequenceNode) else [node]
    found: list[Effect] = []
    for entry in entries:
        if isinstance(entry, yaml.MappingNode):
            fields = reader.mapping(entry, "an 'if' in 'do'", *IF_KEYS)
            if fields and "if" in fields and "do" in fields:
                condition = _condition(reader, fields["if"][1], names, "'if'", dice=True)
                then = _effects(reader, fields["do"][1], names)
                otherwise = _effects(reader, fields["else"][1], names) if "else" in fields else ()
                if condition is not None:
                    found.append(If(condition, then, otherwise))
            continue
        source = reader.string(entry, "an effect")
        if source is None:
            continue
        for effect in reader.parsed(entry, "'do'", source, _effects_parser(names)) or ():
            found.append(_placed(reader, entry, effect))
    return tuple(found)


def _placed(reader: Reader, node: yaml.Node, effect: Leaf) -> Leaf:
    """An assignment with its line and column in the file, for the checker's warnings."""
    if not isinstance(effect, Assign):
        return effect
    if isinstance(node, yaml.ScalarNode):
        line, column = reader.position_in(node, effect.pos)
    else:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
    return attrs.evolve(effect, line=line, column=column)


# Stories say the same conditions and effects again and again (`has(key)`, `trust += 1`): each
# text is parsed once. The trees are immutable and their positions are within the text.
_expression = functools.lru_cache(maxsize=8192)(parse_expr)
_effect_list = functools.lru_cache(maxsize=8192)(parse_effects)


def _effects_parser(names: Names) -> Callable[[str], tuple[Leaf, ...]]:
    def parse(source: str) -> tuple[Leaf, ...]:
        effects = _effect_list(source)
        for effect in effects:
            check_effect(effect, names)
        return effects

    return parse


def _condition(reader: Reader, node: yaml.Node, names: Names, what: str = "'when'", dice: bool = False) -> Expr | None:
    source = reader.string(node, f"the condition {what}")
    if source is None:
        return None
    names = _with_dice(names, dice)

    def parse(text: str) -> Expr:
        expr = _expression(text)
        check_condition(expr, names)
        return expr

    return reader.parsed(node, what, source, parse)


def _ending(reader: Reader, ending_id: str, node: yaml.Node, names: Names) -> Ending:
    fields = reader.mapping(node, f"ending {ending_id!r}", *ENDING_KEYS) or {}
    title = (
        _line(reader, fields["title"][1], f"the title of ending {ending_id!r}", names) if "title" in fields else None
    )
    text = (
        _text(reader, fields["text"][1], f"the text of ending {ending_id!r}", names, f"end:{ending_id}")
        if "text" in fields
        else ()
    )
    return Ending(ending_id, title or plain_text(ending_id), text, reader.source(node))


# ------------------------------------------------------------------ text

_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def _line(reader: Reader, node: yaml.Node, what: str, names: Names) -> Template | None:
    """A one-line text (a label, a title, a name): `{...}` holes and conditions, no variations."""
    source = reader.string(node, what)
    if source is None:
        return None
    parser = _TextParser(source, names, "", vary=False)
    return reader.parsed(node, what, source, parser.span(0, len(source)), quote=False)


def _text(reader: Reader, node: yaml.Node, what: str, names: Names, owner: str) -> Text:
    """Text in any of its forms: a string, or a list of strings and {when, text} mappings.

    `owner` names the text's variations in the game state: `scene.text#2` is its second `{a|b}`.
    """
    entries: list[tuple[yaml.Node, Expr | None, Source]] = []
    if isinstance(node, yaml.SequenceNode):
        for entry in node.value:
            if isinstance(entry, yaml.MappingNode) and _looks_like_prose(entry):
                reader.problem(
                    entry,
                    f"a paragraph of {what} was read as 'key: value' because of the ': ' in it; "
                    "put the whole paragraph in quotes, or write it as a '|' block",
                )
            elif isinstance(entry, yaml.MappingNode):
                fields = reader.mapping(entry, f"a paragraph of {what}", required=("text",), optional=("when",))
                if fields and "text" in fields:
                    when = _condition(reader, fields["when"][1], names) if "when" in fields else None
                    entries.append((fields["text"][1], when, reader.source(entry)))
            else:
                entries.append((entry, None, reader.source(entry)))
    else:
        entries.append((node, None, reader.source(node)))
    paragraphs: list[Paragraph] = []
    sites = [0]  # variations numbered across the whole text
    for text_node, when, where in entries:
        source = reader.string(text_node, what)
        if source is None:
            continue
        parser = _TextParser(source, names, owner, vary=True, sites=sites)
        for start, end in _paragraph_spans(source):
            template = reader.parsed(text_node, what, source, parser.span(start, end), quote=False)
            if template is not None:
                paragraphs.append(Paragraph(template, when, where))
    return tuple(paragraphs)


def _looks_like_prose(node: yaml.MappingNode) -> bool:
    """A one-key mapping whose key is a sentence: prose that YAML split at a ': '."""
    if len(node.value) != 1:
        return False
    key = node.value[0][0]
    return isinstance(key, yaml.ScalarNode) and key.value not in ("text", "when") and " " in key.value.strip()


def _paragraph_spans(source: str) -> list[tuple[int, int]]:
    """Where each paragraph (text between blank lines, trimmed) starts and ends in `source`."""
    spans = []
    start = 0
    for separator in [*_BLANK_LINE.finditer(source), None]:
        end = separator.start() if separator else len(source)
        chunk = source[start:end]
        if chunk.strip():
            left = start + len(chunk) - len(chunk.lstrip())
            spans.append((left, start + len(chunk.rstrip())))
        if separator:
            start = separator.end()
    return spans


_SPECIAL = re.compile(r"[{}|]")  # what ends a run of prose in a text


class _TextParser:
    """Text with `{...}`: a value `{x}`, a condition `{test: yes|no}`, a variation `{a|b}` (a
    sequence), `{&a|b}` (a cycle), `{!a|b}` (once each), `{~a|b}` (a shuffle); nestable. `{{` and
    `}}` write a brace outside any `{...}`."""

    def __init__(self, source: str, names: Names, owner: str, vary: bool, sites: list[int] | None = None) -> None:
        self.source = source
        self.names = names
        self.owner = owner
        self.vary = vary
        self.sites = sites if sites is not None else [0]
        self.at = 0
        self.end = 0

    def span(self, start: int, end: int) -> Callable[[str], Template]:
        """A parse of `source[start:end]` for `Reader.parsed`."""
        return lambda _: self.whole(start, end)

    def whole(self, start: int, end: int) -> Template:
        self.at, self.end = start, end
        template = self.template(top=True)
        if self.at < self.end:  # a '|' or '}' outside any '{'
            char = self.source[self.at]
            raise ExprError(f"a lone {char!r}: write {char * 2!r} for a brace, or {{name}} to show a value", self.at)
        return template

    def template(self, top: bool = False) -> Template:
        parts: list[Part] = []
        literal: list[str] = []
        source = self.source
        while self.at < self.end:
            special = _SPECIAL.search(source, self.at, self.end)
            stop = special.start() if special is not None else self.end
            if stop > self.at:  # prose up to the next brace or bar, in one piece
                literal.append(source[self.at : stop])
                self.at = stop
                continue
            char = source[self.at]
            if top and char in "{}" and source.startswith(char * 2, self.at):
                literal.append(char)
                self.at += 2
                continue
            if char == "}" or (char == "|" and not top):
                break
            if char == "{":
                _flush(parts, literal)
                parts.append(self.brace())
                continue
            if char == "|":  # a '|' in prose outside any '{...}' is prose
                literal.append(char)
                self.at += 1
                continue
            literal.append(char)
            self.at += 1
        _flush(parts, literal)
        return Template(tuple(parts))

    def brace(self) -> Part:
        opened = self.at
        self.at += 1
        close, colon, bar = self._scan(opened)
        kind = SIGILS.get(self.source[self.at]) if self.at < close else None
        if kind is not None or (bar is not None and (colon is None or bar < colon)):
            if kind is not None:
                self.at += 1
            return self._vary(kind or SEQUENCE, opened)
        if colon is not None:
            test = self._expression(self.at, colon, condition=True)
            self.at = colon + 1
            yes = self.template()
            no = Template(())
            if self.at < self.end and self.source[self.at] == "|":
                self.at += 1
                no = self.template()
            self._close(opened)
            return Cond(test, yes, no)
        expr = self._expression(self.at, close, condition=False)
        self.at = close + 1
        return expr

    def _scan(self, opened: int) -> tuple[int, int | None, int | None]:
        """The matching '}', and the first ':' and '|' at this level before it."""
        depth = 0
        colon = bar = None
        for at in range(self.at, self.end):
            char = self.source[at]
            if char == "{":
                depth += 1
            elif char == "}":
                if depth == 0:
                    return at, colon, bar
                depth -= 1
            elif depth == 0 and char == ":" and colon is None:
                colon = at
            elif depth == 0 and char == "|" and bar is None:
                bar = at
        raise ExprError("this '{' is never closed: add '}', or write '{{' for a brace", opened)

    def _vary(self, kind: str, opened: int) -> Vary:
        if not self.vary:
            raise ExprError(
                "variations ({a|b}) belong in prose; in a label, title or name write a condition, {test: a|b}",
                opened,
            )
        options = [self.template()]
        while self.at < self.end and self.source[self.at] == "|":
            self.at += 1
            options.append(self.template())
        self._close(opened)
        self.sites[0] += 1
        return Vary(kind, f"{self.owner}#{self.sites[0]}", tuple(options))

    def _close(self, opened: int) -> None:
        if self.at >= self.end or self.source[self.at] != "}":
            raise ExprError("this '{' is never closed: add '}', or write '{{' for a brace", opened)
        self.at += 1

    def _expression(self, start: int, end: int, condition: bool) -> Expr:
        text = self.source[start:end]
        try:
            expr = parse_expr(text)
            if condition:
                check_condition(expr, self.names)
            else:
                type_of(expr, self.names)
        except ExprError as error:
            hint = ""
            if condition:
                hint = " (a ':' inside '{...}' makes a condition: '{test: shown if true|shown if false}')"
            raise ExprError(error.message + hint, start + error.offset) from None
        return expr


def _flush(parts: list[Part], literal: list[str]) -> None:
    if literal:
        text = _join_lines("".join(literal))
        if text:
            parts.append(text)
        literal.clear()


def _join_lines(text: str) -> str:
    return re.sub(r"[ \t]*\n[ \t]*", " ", text)
