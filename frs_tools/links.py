"""Resolve a clause's `schema:` and `impl:` links to the things they name."""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from frs_tools.clauses import Clause, Problem
from frs_tools.project import Project
from reference_impl import safeload

SCHEMA_SUFFIX = ".schema.json"


def schema_path(project: Project, name: str) -> Path:
    return project.schemas_dir / f"{name}{SCHEMA_SUFFIX}"


def split_schema_link(link: str) -> tuple[str, str]:
    name, _, pointer = link.partition("#")
    return name, pointer


_MISSING = object()


def resolve_pointer(document: object, pointer: str) -> object:
    """RFC 6901: follow `pointer` into `document` (the one resolver, `documents.resolve`);
    KeyError when it leads nowhere."""
    from reference_impl.documents import resolve

    found = resolve(document, pointer, _MISSING) if pointer[:1] in ("", "/") else _MISSING
    if found is _MISSING:
        raise KeyError(pointer)
    return found


@cache
def _load_json(path: Path) -> object:
    return safeload.loads(path.read_bytes(), str(path))


@dataclass(frozen=True)
class Target:
    """Where an `impl:` function lives: its source file and the lines of its body."""

    file: Path
    body_start: int
    body_end: int
    signature: str = ""  # as written: "(genuine, impostor, target: float) -> OperatingPoint"
    docstring: str = ""


class ImplError(Exception):
    """An `impl:` link that does not name a function or class defined in its module."""


@cache
def resolve_impl(link: str) -> Target:
    """Find `module:name` or `module:Class.method` (any depth) without running it: the
    module's file, then the definition, descending through class bodies.

    Reading the source instead of importing keeps `frs check` fast and free of side
    effects, and insists that the function is defined in the module the clause names
    (a re-export would send the coverage proof to the wrong lines).  A method's target
    is that method's own body, so the proof follows the code that runs, not its class.
    """
    module_name, _, qualname = link.partition(":")
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError) as exc:
        raise ImplError(f"module {module_name} cannot be found: {exc}") from None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        raise ImplError(f"no Python module {module_name}")
    file = Path(spec.origin).resolve()
    node: ast.AST = ast.parse(file.read_text(encoding="utf-8"), str(file))
    path = qualname.split(".")
    for depth, name in enumerate(path):
        owner = module_name if depth == 0 else f"{module_name}:{'.'.join(path[:depth])}"
        if not isinstance(node, ast.Module | ast.ClassDef):
            raise ImplError(f"{owner} is a function: it has no member '{name}'")
        node = next((child for child in node.body if isinstance(child, _DEFINITIONS)
                     and child.name == name), None)
        if node is None:
            raise ImplError(f"{owner} defines no function or class '{name}'")
    return Target(file, node.body[0].lineno, node.end_lineno, _signature(node),
                  ast.get_docstring(node) or "")


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str:
    if isinstance(node, ast.ClassDef):
        return ""
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return f"({ast.unparse(node.args)}){returns}"


def problems(project: Project, clauses: list[Clause]) -> list[Problem]:
    """A problem for every schema or impl link that does not resolve."""
    found = []
    for clause in clauses:
        if clause.schema:
            found += _schema_problems(project, clause)
        if clause.impl:
            try:
                resolve_impl(clause.impl)
            except (ImplError, OSError, SyntaxError) as exc:
                found.append(Problem(clause.file, clause.line, f"impl '{clause.impl}' does not "
                                     f"resolve: {exc}", "bad-impl", clause.id))
    return found


def _schema_problems(project: Project, clause: Clause) -> list[Problem]:
    name, pointer = split_schema_link(clause.schema)
    path = schema_path(project, name)
    if not path.is_file():
        return [Problem(clause.file, clause.line, f"schema '{name}' not found (expected "
                        f"{project.relative(path)})", "bad-schema", clause.id)]
    try:
        resolve_pointer(_load_json(path), pointer)
    except safeload.LoadError as exc:
        return [Problem(clause.file, clause.line, f"schema {project.relative(path)} is not "
                        f"valid JSON (line {exc.line}: {exc.detail})", "bad-schema", clause.id)]
    except KeyError as exc:
        return [Problem(clause.file, clause.line, f"JSON pointer '{pointer}' does not resolve "
                        f"in {project.relative(path)} (no '{exc.args[0]}')", "bad-schema",
                        clause.id)]
    return []
