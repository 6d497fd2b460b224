"""A story folder of YAML files -> a checked Story, or every problem found, each with its place."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import attrs
import yaml

from adventure.core.errors import AdventureError, Problem, StoryError
from adventure.core.expr import (
    RESERVED,
    Assign,
    Effect,
    Expr,
    ExprError,
    Names,
    check_condition,
    check_effect,
    parse_effects,
    parse_expr,
    suggest,
    type_of,
)
from adventure.core.model import Choice, Ending, Item, Paragraph, Scene, Source, Story, Template, Text
from adventure.story.nodes import Reader, compose, yaml_problem

STORY_FILE = "story.yaml"
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Names a variable cannot take: the language's own words.

SCENE_KEYS = ("title", "choices"), ("text", "first", "again", "aliases")
CHOICE_KEYS = ("label",), ("words", "when", "do", "say", "goto", "end", "once")
ITEM_KEYS = ("name", "kind", "description"), ()
ENDING_KEYS = ("title",), ("text",)

Document = tuple[yaml.Node | None, list[str]]  # composed root (None if empty), the file's lines


# ------------------------------------------------------------------ IO


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


def read_documents(folder: Path) -> tuple[dict[str, Document], list[Problem], str]:
    """Read and compose every file; syntax errors become problems, the rest is left to parsing.

    Also returns a fingerprint of the files' bytes, so saves can tell when the story changed.
    """
    documents: dict[str, Document] = {}
    problems: list[Problem] = []
    digest = hashlib.sha256()
    for path in story_files(folder):
        name = display_path(path)
        try:
            raw = path.read_bytes()
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + raw + b"\0")
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
    try:
        return _load(folder)
    except (RecursionError, MemoryError) as error:
        # Every input found so far is bounded before it gets here; this is the last guard, so that
        # `play --dev` keeps the old story and the command line says what happened, in one line.
        why = "it needs more memory than there is" if isinstance(error, MemoryError) else "it is nested too deeply"
        where = display_path(folder)
        raise StoryError([Problem(where, 0, 0, f"the story cannot be read: {why}")], where) from None


def _load(folder: Path) -> Story:
    documents, problems, fingerprint = read_documents(folder)
    story_file = display_path(folder / STORY_FILE)
    if story_file not in documents and not any(p.file == story_file for p in problems):
        problems.append(
            Problem(display_path(folder), 0, 0, f"no {STORY_FILE} here: every story needs one (see docs/authoring.md)")
        )
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
    problems = problems if problems is not None else []
    variable_sources: dict[str, Source] = {}
    found = _read_story_file(documents.get(story_file), story_file, problems, variable_sources)
    variables, items, ending_nodes = found.variables, found.items, found.endings
    scene_nodes = _collect_scenes(documents, story_file, problems)
    names = Names.of(variables, items, scene_nodes)
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
    return Story(
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
    )


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
    top = reader.mapping(root, "the story file", required=("story", "endings"), optional=("vars", "items"))
    if top is None:
        return found
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
        value = reader.value(value_node, f"the starting value of {name!r}")
        # A bad starting value is reported once; the name stays declared so uses don't cascade.
        found.variables[name] = 0 if value is None else value
        sources[name] = reader.source(key_node)


def _read_items(reader: Reader, node: yaml.Node, found: _StoryFile) -> None:
    for item_id, (key_node, item_node) in (reader.mapping(node, "'items'", any_keys=True) or {}).items():
        if reader.identifier(key_node, "the item id") is None:
            continue
        fields = reader.mapping(item_node, f"item {item_id!r}", *ITEM_KEYS)
        if fields is None:
            continue
        strings = {
            key: reader.string(value_node, f"the {key} of item {item_id!r}") for key, (_, value_node) in fields.items()
        }
        name, kind, description = (strings.get(key) for key in ITEM_KEYS[0])
        if name and kind and description:
            found.items[item_id] = Item(item_id, name, kind, description, reader.source(key_node))


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
    title = reader.string(fields["title"][1], f"the title of scene {scene_id!r}") if "title" in fields else None
    texts = {
        key: _text(reader, fields[key][1], f"the {key} of scene {scene_id!r}", names) if key in fields else ()
        for key in ("text", "first", "again")
    }
    aliases = tuple(
        alias
        for alias_node, _ in (reader.strings(fields["aliases"][1], "an old scene id") if "aliases" in fields else ())
        if (alias := reader.identifier(alias_node, "an old scene id")) is not None
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
        scene_id, title, tuple(choices), texts["text"], texts["first"], texts["again"], aliases, reader.source(key_node)
    )


def _choice(reader: Reader, key: str, node: yaml.Node, names: Names, endings: frozenset[str]) -> Choice | None:
    where = f"choice {key.split('/')[1]} of scene {key.split('/')[0]!r}"
    fields = reader.mapping(node, where, *CHOICE_KEYS)
    if fields is None:
        return None
    label = reader.string(fields["label"][1], f"the label of {where}") if "label" in fields else None
    words = tuple(text for _, text in reader.strings(fields["words"][1], "a word")) if "words" in fields else ()
    when = _condition(reader, fields["when"][1], names) if "when" in fields else None
    effects: list[Effect] = []
    if "do" in fields:
        for effect_node, source in reader.strings(fields["do"][1], "an effect"):
            for effect in reader.parsed(effect_node, "'do'", source, _effects_parser(names)) or ():
                effects.append(_placed(reader, effect_node, effect))
    say = _text(reader, fields["say"][1], f"the 'say' of {where}", names) if "say" in fields else ()
    goto = end = None
    if "goto" in fields and "end" in fields:
        reader.problem(fields["end"][0], f"{where} has both 'goto' and 'end'; a choice leads to one place")
    if "goto" in fields:
        goto = reader.identifier(fields["goto"][1], "'goto'")
        if goto is not None and goto not in names.scenes:
            reader.problem(
                fields["goto"][1],
                f"'goto' names scene {goto!r}, which does not exist{suggest(goto, names.scenes)}",
                code="missing-scene",
            )
    if "end" in fields:
        end = reader.identifier(fields["end"][1], "'end'")
        if end is not None and end not in endings:
            hint = suggest(end, endings) or " (endings are declared under 'endings' in story.yaml)"
            reader.problem(fields["end"][1], f"'end' names ending {end!r}, which does not exist{hint}")
    once = reader.flag(fields["once"][1], "'once'") if "once" in fields else False
    if label is None:
        return None
    return Choice(key, label, words, when, tuple(effects), say, goto, end, bool(once), reader.source(node))


def _placed(reader: Reader, node: yaml.Node, effect: Effect) -> Effect:
    """An assignment with its line and column in the file, for the checker's warnings."""
    if not isinstance(effect, Assign):
        return effect
    if isinstance(node, yaml.ScalarNode):
        line, column = reader.position_in(node, effect.pos)
    else:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
    return attrs.evolve(effect, line=line, column=column)


def _effects_parser(names: Names) -> Callable[[str], tuple[Effect, ...]]:
    def parse(source: str) -> tuple[Effect, ...]:
        effects = parse_effects(source)
        for effect in effects:
            check_effect(effect, names)
        return effects

    return parse


def _condition(reader: Reader, node: yaml.Node, names: Names) -> Expr | None:
    source = reader.string(node, "the condition 'when'")
    if source is None:
        return None

    def parse(text: str) -> Expr:
        expr = parse_expr(text)
        check_condition(expr, names)
        return expr

    return reader.parsed(node, "'when'", source, parse)


def _ending(reader: Reader, ending_id: str, node: yaml.Node, names: Names) -> Ending:
    fields = reader.mapping(node, f"ending {ending_id!r}", *ENDING_KEYS) or {}
    title = reader.string(fields["title"][1], f"the title of ending {ending_id!r}") if "title" in fields else None
    text = _text(reader, fields["text"][1], f"the text of ending {ending_id!r}", names) if "text" in fields else ()
    return Ending(ending_id, title or ending_id, text, reader.source(node))


# ------------------------------------------------------------------ text

_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_HOLE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def _text(reader: Reader, node: yaml.Node, what: str, names: Names) -> Text:
    """Text in any of its forms: a string, or a list of strings and {when, text} mappings."""
    entries: list[tuple[yaml.Node, Expr | None]] = []
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
                    entries.append((fields["text"][1], when))
            else:
                entries.append((entry, None))
    else:
        entries.append((node, None))
    paragraphs: list[Paragraph] = []
    for text_node, when in entries:
        source = reader.string(text_node, what)
        if source is None:
            continue
        for start, end in _paragraph_spans(source):
            template = reader.parsed(text_node, what, source, _template_parser(start, end, names), quote=False)
            if template is not None:
                paragraphs.append(Paragraph(template, when))
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


def _template_parser(start: int, end: int, names: Names) -> Callable[[str], Template]:
    def parse(source: str) -> Template:
        return _template(source, start, end, names)

    return parse


def _template(source: str, start: int, end: int, names: Names) -> Template:
    """Split a paragraph into literal text and `{expression}` holes; lines join with spaces."""
    parts: list[str | Expr] = []
    literal: list[str] = []
    position = start
    for hole in _HOLE.finditer(source, start, end):
        literal.append(source[position : hole.start()])
        position = hole.end()
        token = hole.group(0)
        if token in ("{{", "}}"):
            literal.append(token[0])
            continue
        if hole.group(1) is None:
            raise ExprError(
                f"a lone {token!r}: write {token * 2!r} for a brace, or {{name}} to show a value", hole.start()
            )
        inner_start = hole.start(1)
        try:
            expr = parse_expr(hole.group(1))
            type_of(expr, names)
        except ExprError as error:
            raise ExprError(error.message, inner_start + error.offset) from None
        parts.append(_join_lines("".join(literal)))
        literal = []
        parts.append(expr)
    literal.append(source[position:end])
    parts.append(_join_lines("".join(literal)))
    return Template(tuple(p for p in parts if p != ""))


def _join_lines(text: str) -> str:
    return re.sub(r"[ \t]*\n[ \t]*", " ", text)
