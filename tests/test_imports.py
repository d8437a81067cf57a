"""The parts of `reference_impl` import each other without a cycle.

A part is a top-level module (`audit`, `retention`) or a subpackage (`conform`, `metrics`).
A cycle between parts (audit -> conform -> retention -> audit was one) means a low-level
part depends on a high-level one, and works only while every import happens to come late
enough.  The graph is read from the source with `ast`, counting imports inside functions
too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "reference_impl"


def part_of(module: str) -> str | None:
    """`reference_impl.conform.rules` -> `reference_impl.conform`; None outside the package
    and for the package itself."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == PACKAGE and len(parts) > 1 else None


def imported(tree: ast.Module) -> set[str]:
    """Every module an import statement names (`from a import b` names `a.b` too, which
    is the submodule when b is one)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    modules = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    parts = {part_of(m) for m in modules} - {None}
    graph: dict[str, set[str]] = {part: set() for part in parts}
    for module, path in modules.items():
        source = part_of(module)
        if source is not None:
            targets = {part_of(name) for name in imported(ast.parse(path.read_text()))}
            graph[source] |= (targets & parts) - {source}
    return graph


def test_the_parts_import_each_other_without_a_cycle():
    graph = import_graph()
    assert {"reference_impl.audit", "reference_impl.conform", "reference_impl.metrics",
            "reference_impl.retention"} <= set(graph)
    assert "reference_impl.errors" in graph["reference_impl.cli"]
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        raise AssertionError(f"import cycle: {' -> '.join(error.args[1])}") from None
