"""The FRS schemas as one offline set: a registry built from the folder, two validators each.

Every `$ref` between schemas resolves inside this set (a `referencing.Registry` for
`jsonschema`, a `jsonschema_rs.Registry` for the compiled path); a reference to anything
else is an error, never a network request.

The two validators read a schema the same way:

- `pattern` follows ECMA-262, where `$` matches only at the very end (`ecma_pattern`);
- `format` is an assertion (a `date` must be a real RFC 3339 full-date, `2026-13-45` is
  not; a `date-time` needs its offset), and both validators judge it with the same
  compiled check, jsonschema-rs's (`FormatChecks`), so they cannot disagree on a format.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import jsonschema_rs

from reference_impl import safeload
from reference_impl.errors import InputError

BASE_URI = "https://frs-standard.org/schemas/"
SUFFIX = ".schema.json"


def shipped_dir(name: str, variable: str) -> Path:
    """A folder the package ships (`schemas`, `spec`): `$variable`; else that folder of
    the FRS checkout this package is in; else the copy installed with the package
    (`<prefix>/share/frs/<name>`)."""
    if os.environ.get(variable):
        return Path(os.environ[variable])
    checkout = Path(__file__).resolve().parents[1] / name
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "frs" / name


def default_dir() -> Path:
    """The FRS schemas: `$FRS_SCHEMAS`, the checkout's `schemas/`, or the installed ones."""
    return shipped_dir("schemas", "FRS_SCHEMAS")


@cache
def ecma_pattern(pattern: str) -> re.Pattern:
    r"""A JSON Schema `pattern` (ECMA-262) as a Python regex.

    The one difference that matters for FRS schemas: in ECMA-262 (and in jsonschema-rs)
    `$` matches only at the end of the string, while Python's `$` also matches before
    a final newline, so `"…\n"` would pass `^[0-9a-f]{64}$` in plain `jsonschema`.
    Every unescaped `$` outside a character class becomes `\Z`.
    """
    out, i, in_class = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i: i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = "\\Z"
        out.append(char)
        i += 1
    return re.compile("".join(out))


def _pattern(validator, pattern, instance, schema):
    import jsonschema

    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _format_check(name: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for({"format": name}, validate_formats=True)


@cache
def format_checker():
    """A `jsonschema.FormatChecker` whose every format is judged by jsonschema-rs."""
    import jsonschema
    from jsonschema.exceptions import FormatError

    class FormatChecks(jsonschema.FormatChecker):
        def check(self, instance: object, format: str) -> None:
            if not _format_check(format).is_valid(instance):
                raise FormatError(f"{instance!r} is not a {format!r}")

    return FormatChecks(())


@cache
def validator_class():
    """Draft 2020-12 with ECMA-262 semantics for `pattern` (`jsonschema` is imported only
    when a record needs details, so a run over valid records does not pay for it)."""
    import jsonschema

    return jsonschema.validators.extend(jsonschema.Draft202012Validator,
                                        {"pattern": _pattern})


def _refuse(uri: str):
    import referencing.exceptions

    raise referencing.exceptions.NoSuchResource(ref=uri)


@dataclass
class Schema:
    """One schema: its name, `$id`, contents and both validators (built on first use)."""

    name: str
    uri: str
    contents: dict
    path: Path | None
    owner: SchemaSet

    @cached_property
    def slow(self):
        """`jsonschema`: every error, with paths and messages."""
        return validator_class()(self.contents, registry=self.owner.registry,
                                 format_checker=format_checker())

    @cached_property
    def fast(self):
        """`jsonschema-rs`, compiled: the verdict, quickly."""
        try:
            return jsonschema_rs.validator_for(
                self.contents, registry=self.owner.rs_registry, validate_formats=True,
                offline=True)
        except jsonschema_rs.ValidationError as exc:
            raise InputError(f"schema {self.name}: cannot compile: "
                             f"{str(exc).splitlines()[0]}") from None

    @cached_property
    def signature(self) -> tuple[frozenset, frozenset | None]:
        """(required top-level keys, allowed top-level keys or None if open)."""
        required = frozenset(self.contents.get("required", ()))
        closed = self.contents.get("additionalProperties") is False
        allowed = frozenset(self.contents.get("properties", {})) if closed else None
        return required, allowed

    @cached_property
    def version(self) -> object:
        return self.contents.get("properties", {}).get("schema_version", {}).get("const")


def default_set() -> SchemaSet:
    """The schema set of `default_dir()`, built once and shared by every reader."""
    return _set_of(default_dir())


@cache
def _set_of(folder: Path) -> SchemaSet:
    return SchemaSet(folder)


class SchemaSet:
    """Every `*.schema.json` of a folder, addressable by name, `$id` or path."""

    def __init__(self, folder: Path | str | None = None):
        self.folder = Path(folder) if folder else default_dir()
        self.by_name: dict[str, Schema] = {}
        self.by_uri: dict[str, Schema] = {}
        if not self.folder.is_dir():
            raise InputError(f"schema folder {self.folder} not found (set FRS_SCHEMAS or "
                             "pass --schemas-dir)")
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            self._add(path.name[: -len(SUFFIX)], path)

    def _add(self, name: str, path: Path) -> Schema:
        record = next(safeload.iter_records(path, "json"))
        contents = record.data
        if not isinstance(contents, dict):
            raise InputError(f"{path}: a schema must be a JSON object")
        uri = contents.get("$id") or path.resolve().as_uri()
        schema = Schema(name, uri, contents, path, self)
        self.by_name[name] = schema
        self.by_uri[uri] = schema
        self.__dict__.pop("registry", None)
        self.__dict__.pop("rs_registry", None)
        return schema

    @cached_property
    def registry(self):
        """A `referencing.Registry` of every schema in the folder; retrieval refused."""
        import referencing
        from referencing.jsonschema import DRAFT202012

        resources = [(s.uri, DRAFT202012.create_resource(s.contents))
                     for s in self.by_uri.values()]
        return referencing.Registry(retrieve=_refuse).with_resources(resources)

    @cached_property
    def rs_registry(self) -> jsonschema_rs.Registry:
        try:
            return jsonschema_rs.Registry([(s.uri, s.contents) for s in self.by_uri.values()])
        except ValueError as exc:  # a $ref outside the folder: never fetched
            raise InputError(f"schemas in {self.folder}: {exc}") from None

    def names(self) -> list[str]:
        return sorted(self.by_name)

    def get(self, ref: str) -> Schema:
        """A schema by name (`comparison-result`), `$id` URI or path to a schema file."""
        if ref in self.by_name:
            return self.by_name[ref]
        if ref in self.by_uri:
            return self.by_uri[ref]
        if ref.endswith(SUFFIX) and ref.startswith(BASE_URI):
            name = ref[len(BASE_URI): -len(SUFFIX)]
            if name in self.by_name:
                return self.by_name[name]
        path = Path(ref)
        if path.suffix == ".json" and path.is_file():
            name = path.name[: -len(SUFFIX)] if path.name.endswith(SUFFIX) else path.stem
            return self._add(name if name not in self.by_name else str(path), path)
        raise InputError(f"unknown schema {ref!r}; known: {', '.join(self.names())}")

    def infer(self, data: object) -> Schema | None:
        """The schema a record declares (`$schema`), or the one its keys fit.

        A record without `$schema` is matched on its top-level keys: every key a schema
        requires is present and, for a closed schema, no other key; with a
        `schema_version`, the schema's version must equal it.  Exactly one schema must
        fit; otherwise None.
        """
        if not isinstance(data, dict):
            return None
        declared = data.get("$schema")
        if declared is not None:
            # A name or a known $id only: a record never makes us open a file.
            if isinstance(declared, str) and declared in self.by_name:
                return self.by_name[declared]
            if isinstance(declared, str) and declared in self.by_uri:
                return self.by_uri[declared]
            return None
        keys = frozenset(data)
        version = data.get("schema_version")
        fits = []
        for schema in self.by_name.values():
            required, allowed = schema.signature
            if not required or not required <= keys:
                continue
            if allowed is not None and not keys <= allowed:
                continue
            if version is not None and schema.version not in (None, version):
                continue
            fits.append(schema)
        return fits[0] if len(fits) == 1 else None
