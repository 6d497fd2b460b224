"""The layers of adventure/ hold, lazy imports included, as pyproject.toml and README.md say.

import-linter checks the same contracts in CI (`lint-imports`); this test reads the contracts from
pyproject.toml, so there is one list, and also sees imports inside functions and calls to
print and open, which import-linter does not.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "adventure"
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function, resolved to absolute names."""
    found: set[str] = set()
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return found


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_the_contracts_cover_every_sub_package() -> None:
    [layers] = [c for c in CONTRACTS if c["type"] == "layers"]
    named = {part.strip() for layer in layers["layers"] for part in re.split(r"[|:]", layer)}
    packages = {module_name(p.parent) for p in PACKAGE.glob("*/__init__.py")}
    assert named == packages


def test_no_module_imports_a_layer_above_its_own() -> None:
    [layers] = [c for c in CONTRACTS if c["type"] == "layers"]
    rank = {part.strip(): n for n, layer in enumerate(layers["layers"]) for part in re.split(r"[|:]", layer)}

    def layer_of(name: str) -> str | None:
        return next((package for package in rank if within(name, package)), None)

    wrong = []
    for name, path in MODULES.items():
        mine = layer_of(name)
        for imported in imports_of(path):
            theirs = layer_of(imported)
            if mine and theirs and theirs != mine and rank[theirs] <= rank[mine]:
                wrong.append(f"{name} imports {imported}")
    assert wrong == []


@pytest.mark.parametrize("contract", [c for c in CONTRACTS if c["type"] == "forbidden"], ids=lambda c: c["name"])
def test_forbidden_imports_are_absent_even_inside_functions(contract: dict[str, object]) -> None:
    sources = contract["source_modules"]
    forbidden = contract["forbidden_modules"]
    assert isinstance(sources, list) and isinstance(forbidden, list)
    wrong = [
        f"{name} imports {imported}"
        for name, path in MODULES.items()
        if any(within(name, source) for source in sources)
        for imported in imports_of(path)
        if any(within(imported, banned) for banned in forbidden)
    ]
    assert wrong == []


def test_no_import_cycles_between_modules_lazy_imports_included() -> None:
    graph = {name: {i for i in imports_of(path) if i in MODULES and i != name} for name, path in MODULES.items()}
    # A package's __init__ re-exporting its own modules is not a cycle of the code's logic.
    for name in graph:
        graph[name] = {i for i in graph[name] if not (MODULES[i].name == "__init__.py" and within(name, i))}
    cycles = []
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                cycles.append(" -> ".join([*trail[trail.index(other) :], other]))
            elif other not in state:
                visit(other, [*trail, other])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize("package", ["adventure.core", "adventure.analysis"])
def test_the_pure_layers_never_print_open_or_read_input(package: str) -> None:
    calls = [
        f"{name}:{node.lineno} calls {node.func.id}"
        for name, path in MODULES.items()
        if within(name, package)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("print", "open", "input", "exec", "eval", "__import__")
    ]
    assert calls == []


def test_the_readme_describes_every_layer_and_no_other() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    described = set(re.findall(r"`adventure/(\w+)/`", section))
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py") if p.parent.name != "scenes"}
    assert described == packages
