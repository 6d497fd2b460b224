"""The scene graph as text, for Graphviz (`dot`) or for a Markdown page (`mermaid`).

Pure: a Story in, a string out. Scenes are boxes, endings stand out in their own shape, the
start scene is bold; an arrow is a choice that moves the player, labelled with its words, and with its
condition (written back as source by expr.show) when it has one. Choices that keep the player in
the scene are counted in the scene's box rather than drawn.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from adventure.core.errors import UsageError
from adventure.core.expr import show
from adventure.core.model import Choice, Story, outline

FORMATS = ("dot", "mermaid")


@attrs.frozen
class Arrow:
    source: str
    target: str  # a scene id, or "end:" and an ending id
    label: str
    when: str  # the condition as source, or ""


def arrows(story: Story) -> Iterator[Arrow]:
    """Every choice that moves the player, in the order the author wrote them."""
    for scene_id, scene in story.scenes.items():
        for choice in scene.choices:
            label = outline(choice.label)
            cases = [(b.when, b.way) for b in choice.branches]
            if not choice.branches or choice.branches[-1].when is not None:
                cases.append((None, choice.way))
            for when, way in cases:
                target = way.scene if way.scene is not None else f"end:{way.end}" if way.end is not None else None
                if target is None:
                    continue
                conditions = [show(c) for c in (choice.when, when) if c is not None]
                shown = label + (" (call)" if way.call is not None else "")
                yield Arrow(scene_id, target, shown, " and ".join(conditions))


def _staying(choices: tuple[Choice, ...]) -> int:
    return sum(1 for c in choices if not c.moves)


def render_graph(story: Story, format: str = "dot") -> str:
    """The whole story's graph in `format` ("dot" or "mermaid")."""
    if format == "dot":
        return _dot(story)
    if format == "mermaid":
        return _mermaid(story)
    raise UsageError(f"unknown graph format {format!r}: use {' or '.join(FORMATS)}")


# ---------------------------------------------------------------- Graphviz


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot(story: Story) -> str:
    lines = [
        f"digraph {_dot_text(story.id)} {{",
        f"  label={_dot_text(story.title)};",
        "  labelloc=t;",
        '  fontname="Helvetica";',
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for scene_id, scene in story.scenes.items():
        label = f"{outline(scene.title)}\n({scene_id})"
        staying = _staying(scene.choices)
        if staying:
            label += f"\n+{staying} choice{'s that stay' if staying > 1 else ' that stays'}"
        extra = ", penwidth=2.5" if scene_id == story.start else ""
        lines.append(f"  {_dot_text(scene_id)} [label={_dot_text(label)}{extra}];")
    for ending_id, ending in story.endings.items():
        label = f"{outline(ending.title)}\n(ending {ending_id})"
        lines.append(f'  {_dot_text("end:" + ending_id)} [label={_dot_text(label)}, shape=doubleoctagon, style=""];')
    lines.append('  "(start)" [shape=point];')  # not a possible scene id
    lines.append(f'  "(start)" -> {_dot_text(story.start)};')
    for arrow in arrows(story):
        label = arrow.label + (f"\nwhen {arrow.when}" if arrow.when else "")
        style = ", style=dashed" if arrow.when else ""
        lines.append(f"  {_dot_text(arrow.source)} -> {_dot_text(arrow.target)} [label={_dot_text(label)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- Mermaid


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: entity codes for what Mermaid would read itself."""
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("|", "#124;")):
        text = text.replace(char, code)
    return '"' + text.replace("\n", "<br>") + '"'


def _mermaid_id(node: str) -> str:
    # Prefixed: `end` and other words are keywords in Mermaid, and scene and ending ids may clash.
    return "e_" + node[4:] if node.startswith("end:") else "s_" + node


def _mermaid(story: Story) -> str:
    lines = ["flowchart LR"]
    for scene_id, scene in story.scenes.items():
        label = f"{outline(scene.title)}\n({scene_id})"
        staying = _staying(scene.choices)
        if staying:
            label += f"\n+{staying} choice{'s that stay' if staying > 1 else ' that stays'}"
        lines.append(f"  {_mermaid_id(scene_id)}[{_mermaid_text(label)}]")
    for ending_id, ending in story.endings.items():
        label = f"{outline(ending.title)}\n(ending {ending_id})"
        lines.append(f"  {_mermaid_id('end:' + ending_id)}([{_mermaid_text(label)}])")
    lines.append("  start((start)) --> " + _mermaid_id(story.start))
    for arrow in arrows(story):
        label = arrow.label + (f"\nwhen {arrow.when}" if arrow.when else "")
        link = "-.->" if arrow.when else "-->"
        lines.append(f"  {_mermaid_id(arrow.source)} {link}|{_mermaid_text(label)}| {_mermaid_id(arrow.target)}")
    lines.append(f"  class {_mermaid_id(story.start)} first")
    lines.append("  classDef first stroke-width:3px")
    return "\n".join(lines) + "\n"
