"""Reading a conformance statement: YAML or JSON, checked against its schema and for
declarations that contradict each other.

A statement that cannot be read, breaks its schema or contradicts itself cannot be
judged: each of these raises `StatementError` (an `InputError`, exit status 2) whose
message lists every problem with the JSON pointer of the field concerned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from reference_impl.errors import InputError
from reference_impl.validate.schemas import default_dir

SCHEMA_NAME = "conformance-statement"
_MISSING = object()


class StatementError(InputError):
    """The statement cannot be judged: unreadable, not valid, or self-contradictory."""


def schema_dir() -> Path:
    """The published schemas, found as `frs validate` finds them."""
    return default_dir()


@cache
def load_schema(name: str) -> dict:
    path = schema_dir() / f"{name}.schema.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {name} schema ({exc.strerror}); set "
                         "FRS_SCHEMAS to the folder of the FRS schemas") from None


def schema_errors(document: Any, name: str) -> list[str]:
    """Every way `document` breaks the schema `name`, as 'at /pointer: message'."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema(name),
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"at {pointer(e.absolute_path)}: {e.message}" for e in errors]


def pointer(path) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else "/"


@dataclass(frozen=True)
class Statement:
    """A schema-valid statement, read by JSON pointer."""

    data: dict
    source: str = "<statement>"
    base: Path | None = None  # the folder relative evidence paths start from

    @property
    def conformance_class(self) -> str:
        return self.data["class"]

    def get(self, ptr: str, default: Any = None) -> Any:
        node: Any = self.data
        for step in ptr.strip("/").split("/"):
            if isinstance(node, dict) and step in node:
                node = node[step]
            else:
                return default
        return node

    def has(self, ptr: str) -> bool:
        return self.get(ptr, _MISSING) is not _MISSING

    def evidence(self, evidence_id: str | None) -> dict | None:
        """The evidence entry a field cites, or None when it cites nothing listed."""
        return next((e for e in self.data.get("evidence", []) if e["id"] == evidence_id), None)

    def evidence_file(self, entry: dict) -> Path | None:
        """The local file of an evidence entry; None for a URL (not fetched)."""
        url = entry["url"]
        if "://" in url:
            return None
        path = Path(url)
        return path if path.is_absolute() or self.base is None else self.base / path


def parse_text(text: str, source: str) -> Any:
    """YAML (a superset of JSON) to Python data; errors say file:line."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise StatementError(f"{where}: not valid YAML or JSON: "
                             f"{getattr(exc, 'problem', None) or exc}") from None


def read_statement(path: str | Path) -> Statement:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StatementError(f"{path}: cannot read the statement ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise StatementError(f"{path}: not UTF-8 text") from None
    return check_statement(parse_text(text, str(path)), str(path), path.parent)


def check_statement(data: Any, source: str = "<statement>", base: Path | None = None
                    ) -> Statement:
    """A `Statement` when `data` matches the schema and does not contradict itself."""
    if not isinstance(data, dict):
        raise StatementError(f"{source}: a conformance statement is a mapping of fields, "
                             f"found {type(data).__name__}")
    errors = schema_errors(data, SCHEMA_NAME)
    if errors:
        raise StatementError(f"{source}: does not match the {SCHEMA_NAME} schema:\n  "
                             + "\n  ".join(errors))
    statement = Statement(data, source, base)
    found = contradictions(statement)
    if found:
        raise StatementError(f"{source}: contradictory declarations:\n  " + "\n  ".join(found))
    return statement


def contradictions(s: Statement) -> list[str]:
    """Declarations that cannot all be true at once; each names both fields."""
    found = []
    cls = s.conformance_class
    if cls == "P" and not s.get("/deployment/public_space"):
        found.append("/class is P (identification in public spaces) but "
                     "/deployment/public_space is false")
    if cls == "I" and s.get("/deployment/public_space"):
        found.append("/class is I (consensual identification) but /deployment/public_space "
                     "is true: identification in a public space is Class P")
    remote = [f for f in ("templates", "comparison") if s.get(f"/storage/{f}") != "device"]
    if remote and s.get("/storage/transmitted") is False:
        found.append(f"/storage/transmitted is false but /storage/{remote[0]} is "
                     f"'{s.get(f'/storage/{remote[0]}')}' (face data must travel to get there)")
    if s.get("/storage/transmitted") is False and s.get("/storage/transfer_basis") != "none":
        found.append(f"/storage/transmitted is false but /storage/transfer_basis is "
                     f"'{s.get('/storage/transfer_basis')}' (a basis for a transfer that "
                     f"does not happen)")
    if s.get("/raw_images/retained_after_comparison") is False \
            and s.get("/retention/probe_images") == "kept":
        found.append("/raw_images/retained_after_comparison is false but "
                     "/retention/probe_images is 'kept'")
    return found
