"""Safe loading of untrusted JSON, JSON Lines and YAML records.

Every document an implementer hands to `frs validate` may be hostile.  This module
turns bytes into plain JSON values (dict, list, str, int, float, bool, None) or raises
one `LoadError` subclass with a one-line message that says where (file:line) and what
was wrong.  It never hangs, never recurses without bound and never holds more than
one record (JSON Lines) or one bounded document (JSON, YAML) in memory.

What is refused, and why (two parsers must never read one document differently):

- malformed JSON or YAML, and anything after the end of a JSON value (`TrailingData`);
- a duplicate key in an object (`DuplicateKey`): parsers disagree on which one wins;
- `NaN`, `Infinity`, YAML `.nan`/`.inf` (`NonFiniteNumber`): not JSON numbers;
- integers outside [-2⁶³, 2⁶⁴-1] and floats that overflow a double (`NumberTooLarge`):
  other parsers would round or refuse them;
- nesting deeper than `Limits.max_depth` (`NestingTooDeep`);
- bytes that are not UTF-8, and escaped lone surrogates (`InvalidUTF8`);
- a byte-order mark (`ByteOrderMark`): RFC 8259 §8.1 forbids it in JSON text;
- a record or document larger than its limit (`TooLarge`);
- YAML tags other than the JSON types, merge keys and non-string keys (`UnsafeYAML`);
  YAML values are built here from the parser's events (libyaml's C parser when present),
  without recursion and never by a constructor that could build objects;
- YAML documents beyond `Limits.max_yaml_nodes` nodes counting every alias expansion,
  more than `Limits.max_yaml_aliases` alias uses, or an alias inside its own anchor
  (`YAMLAliasLimit`): the "billion laughs" attack.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from reference_impl.confined import open_regular
from reference_impl.errors import InputError

FORMATS = ("json", "jsonl", "yaml")
_BY_SUFFIX = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml",
              ".yml": "yaml"}
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
INT_MIN, INT_MAX = -(2**63), 2**64 - 1


@dataclass(frozen=True)
class Limits:
    """Bounds on what a record may be; every one is checked before it can hurt."""

    max_depth: int = 128                    # nested arrays/objects
    max_record_bytes: int = 16 * 2**20      # one JSON Lines record (one line)
    max_document_bytes: int = 64 * 2**20    # one JSON document
    max_yaml_bytes: int = 2 * 2**20         # one YAML file (for hand-written records)
    max_yaml_nodes: int = 100_000           # YAML nodes after alias expansion
    max_yaml_aliases: int = 1_000           # alias uses in one YAML file


DEFAULT_LIMITS = Limits()


class LoadError(InputError):
    """A document cannot be read as JSON values; the message says where and why."""

    def __init__(self, source: str, line: int | None, message: str):
        self.source, self.line, self.detail = source, line, message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")


class MalformedJSON(LoadError):
    """Not JSON (or not YAML): a syntax error."""


class TrailingData(LoadError):
    """Something after the end of the JSON value."""


class DuplicateKey(LoadError):
    """An object names the same key twice."""


class NonFiniteNumber(LoadError):
    """NaN or Infinity, which JSON does not have."""


class NumberTooLarge(LoadError):
    """A number outside what every JSON parser reads the same way."""


class NestingTooDeep(LoadError):
    """Arrays or objects nested deeper than the limit."""


class InvalidUTF8(LoadError):
    """Bytes that are not UTF-8, or a lone surrogate escape."""


class ByteOrderMark(LoadError):
    """A byte-order mark at the start of the file."""


class TooLarge(LoadError):
    """A record or document larger than its limit."""


class UnsafeYAML(LoadError):
    """A YAML feature outside the JSON data model: tags, merge keys, non-string keys."""


class YAMLAliasLimit(LoadError):
    """YAML aliases that expand too far or refer to themselves."""


@dataclass(slots=True)
class Record:
    """One JSON value read from a file, and where it came from."""

    source: str
    index: int                     # 1-based position in the file
    line: int | None               # first line of the record (JSON Lines, YAML)
    data: object
    lines: dict[str, int] | None = field(default=None, repr=False)  # pointer -> line (YAML)
    text: str | None = field(default=None, repr=False)  # a JSON document, to find lines in
    error: LoadError | None = field(default=None, repr=False)  # why `data` is None (keep_going)

    def line_of(self, pointer: str) -> int | None:
        """The line of the value at `pointer`, or of its nearest ancestor we know."""
        if self.lines is None and self.text is not None:
            self.lines = json_lines(self.text)  # only for a record with findings
        if self.lines:
            while True:
                if pointer in self.lines:
                    return self.lines[pointer]
                if not pointer:
                    break
                pointer = pointer.rpartition("/")[0]
        return self.line


def format_of(path: str | Path, default: str | None = None) -> str:
    """The input format a file name implies (json, jsonl or yaml)."""
    fmt = _BY_SUFFIX.get(Path(str(path)).suffix.lower(), default)
    if fmt is None:
        raise InputError(f"{path}: cannot tell the format from the file name; use one of "
                         f"{', '.join(sorted(_BY_SUFFIX))} or --input-format")
    return fmt


def iter_records(source: str | Path | BinaryIO, fmt: str | None = None,
                 limits: Limits = DEFAULT_LIMITS, name: str | None = None,
                 keep_going: bool = False) -> Iterator[Record]:
    """Yield the records of a file (a path, or a binary stream with `name`).

    With `keep_going`, a JSON Lines line that cannot be read is yielded as a record whose
    `error` says why (and `data` is None), and the next line is read; a JSON or YAML
    document has no next line to go on to, so its error is raised as always.
    """
    if str(source) == "-":  # standard input, streamed like any file
        import sys

        source, name, fmt = sys.stdin.buffer, name or "<stdin>", fmt or "jsonl"
    if isinstance(source, str | Path):
        name = name or str(source)
        fmt = fmt or format_of(source)
        # a regular file only (confined.Refused otherwise): a FIFO would hang the read
        stream = open_regular(source, name)
    else:
        stream, name = source, name or getattr(source, "name", "<stream>")
        fmt = fmt or format_of(name, "json")
    if fmt not in FORMATS:
        raise InputError(f"unknown input format {fmt!r}; expected one of {', '.join(FORMATS)}")
    try:
        if fmt == "jsonl":
            yield from _jsonl(stream, name, limits, keep_going)
        elif fmt == "json":
            data = _bounded_read(stream, name, limits.max_document_bytes,
                                 "for large batches, use JSON Lines")
            text = _decode(data, name, None)
            yield Record(name, 1, None, loads(text, name, None, limits), text=text)
        else:
            data = _bounded_read(stream, name, limits.max_yaml_bytes, "")
            yield from _yaml(data, name, limits)
    finally:
        if isinstance(source, str | Path):
            stream.close()


def yaml_value(text: str, name: str = "<string>", limits: Limits = DEFAULT_LIMITS
               ) -> object:
    """The one YAML document of `text` as a JSON value (None when there is none), by the
    same rules as every YAML file; LoadError, with the line in `text`, otherwise."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > limits.max_yaml_bytes:
        raise TooLarge(name, None, f"YAML text larger than {limits.max_yaml_bytes} bytes")
    records = list(islice(_yaml(data, name, limits), 2))
    if len(records) > 1:
        raise MalformedJSON(name, records[1].line, "more than one YAML document")
    return records[0].data if records else None


def _bounded_read(stream: BinaryIO, name: str, limit: int, hint: str) -> bytes:
    try:
        data = stream.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise TooLarge(name, None, f"document larger than {limit} bytes"
                       + (f" ({hint})" if hint else ""))
    return data


def _jsonl(stream: BinaryIO, name: str, limits: Limits, keep_going: bool = False
           ) -> Iterator[Record]:
    """One record a line; at most one line in memory, however large the file."""
    limit = limits.max_record_bytes
    number = index = 0
    while True:
        try:
            raw = stream.readline(limit + 2)
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
        if not raw:
            return
        number += 1
        too_long = len(raw) > limit + 1 or (len(raw) == limit + 1 and not raw.endswith(b"\n"))
        if raw.isspace() and not too_long:
            continue  # blank lines separate nothing; skip them
        index += 1
        try:
            if too_long:
                raise TooLarge(name, number, f"record longer than {limit} bytes")
            yield Record(name, index, number, loads(raw, name, number, limits))
        except LoadError as error:
            if not keep_going:
                raise
            if too_long and not raw.endswith(b"\n"):
                del raw  # not held while the rest of the line is read past
                _skip_line(stream, name)
            yield Record(name, index, number, None, error=error)


def _skip_line(stream: BinaryIO, name: str) -> None:
    """Read past the rest of an over-long line, one small piece at a time."""
    piece = b" "
    while piece and not piece.endswith(b"\n"):
        try:
            piece = stream.readline(1 << 16)
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None


def loads(raw: bytes | str, name: str = "<string>", line: int | None = None,
          limits: Limits = DEFAULT_LIMITS) -> object:
    """Parse one JSON value from bytes (UTF-8) or text, refusing everything hostile."""
    text = _decode(raw, name, line) if isinstance(raw, bytes | bytearray) else raw
    if text.startswith("\ufeff"):
        raise ByteOrderMark(name, line, "byte-order mark (U+FEFF) before the JSON text")
    # A value cannot be deeper than it has brackets; count precisely only when it might be.
    if text.count("[") + text.count("{") > limits.max_depth:
        _check_depth(text, name, line, limits.max_depth)
    body = text.strip(_WHITESPACE)
    try:
        value, end = _DECODER.scan_once(body, 0)
    except StopIteration as stop:
        at = stop.value + _skipped(text)
        raise MalformedJSON(name, _line_at(text, at, line), "malformed JSON: expecting a "
                            f"value at column {_column_at(text, at)}") from None
    except json.JSONDecodeError as exc:
        at = exc.pos + _skipped(text)
        raise MalformedJSON(name, _line_at(text, at, line), f"malformed JSON: {exc.msg} "
                            f"at column {_column_at(text, at)}") from None
    except _Refused as refused:
        where = line if line is not None else _refusal_line(text)
        raise refused.kind(name, where, refused.message) from None
    except RecursionError:
        raise NestingTooDeep(name, line, "nesting too deep") from None
    if end != len(body):
        rest = body[end:]
        at = end + _skipped(text) + len(rest) - len(rest.lstrip(_WHITESPACE))
        raise TrailingData(name, _line_at(text, at, line), "unexpected data after the JSON "
                           f"value at column {_column_at(text, at)}")
    if "\\u" in text and re.search(r"\\u[dD][89a-fA-F]", text):
        _check_surrogates(value, name, line)
    return value


_TOKEN = re.compile(r'[ \t\r]*(?:(\n)|([\[{])|([\]}])|(,)|(:)|("(?:[^"\\]|\\.)*")|'
                    r'([^ \t\r\n,:\[\]{}"]+))')


def json_lines(text: str) -> dict[str, int]:
    """The line of every value of a JSON text that `loads` accepted, by JSON pointer.

    A small iterative tokenizer, so a finding in a JSON document can name its line
    (and SARIF can show it inline) without slowing down the parse of valid records.
    """
    lines: dict[str, int] = {}
    stack: list[list] = []  # [pointer, is_object, next index or pending key]
    line, position = 1, 0

    def value_pointer() -> str:
        if not stack:
            return ""
        pointer, is_object, slot = stack[-1]
        step = slot if is_object else str(slot)
        return f"{pointer}/" + step.replace("~", "~0").replace("/", "~1")

    expecting_key = False
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            break
        position = match.end()
        newline, opening, closing, comma, colon, string, atom = match.groups()
        if newline:
            line += 1
        elif opening:
            pointer = value_pointer()
            lines.setdefault(pointer, line)
            stack.append([pointer, opening == "{", 0])
            expecting_key = opening == "{"
        elif closing:
            stack.pop()
            expecting_key = False
        elif comma:
            if stack and not stack[-1][1]:
                stack[-1][2] += 1
            expecting_key = bool(stack and stack[-1][1])
        elif string and expecting_key:
            stack[-1][2] = json.loads(string)
            expecting_key = False
        elif string or atom:
            lines.setdefault(value_pointer(), line)
    return lines


def _refusal_line(text: str) -> int | None:
    """The line of the first duplicate key or refused number of a JSON text that the C
    scanner refused (it does not say where): the same tokenizer as `json_lines`."""
    line, position, keys, expecting_key = 1, 0, [], False  # keys: a set per open object
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            return None
        position = match.end()
        newline, opening, closing, comma, _, string, atom = match.groups()
        if newline:
            line += 1
        elif opening:
            keys.append(set() if opening == "{" else None)
            expecting_key = opening == "{"
        elif closing and keys:
            keys.pop()
        elif comma:
            expecting_key = bool(keys) and keys[-1] is not None
        elif string and expecting_key:
            key = json.loads(string)
            if key in keys[-1]:
                return line
            keys[-1].add(key)
            expecting_key = False
        elif atom and atom not in ("true", "false", "null"):
            try:
                _DECODER.scan_once(atom, 0)
            except _Refused:
                return line
            except (StopIteration, ValueError):
                pass
    return None


def _skipped(text: str) -> int:
    """How much white space precedes the value."""
    return len(text) - len(text.lstrip(_WHITESPACE))


def _line_at(text: str, position: int, first: int | None) -> int:
    return (first or 1) + text.count("\n", 0, position)


def _column_at(text: str, position: int) -> int:
    return position - (text.rfind("\n", 0, position) + 1) + 1


def _decode(raw: bytes, name: str, line: int | None) -> str:
    if raw.startswith(_BOMS):
        raise ByteOrderMark(name, line, "byte-order mark at the start of the file "
                            "(JSON text must be UTF-8 without a BOM)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        at = (line or 1) + before.count(b"\n")
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InvalidUTF8(name, at, f"invalid UTF-8 byte 0x{raw[exc.start]:02x} at byte "
                          f"column {column}") from None


def _check_depth(text: str, name: str, line: int | None, limit: int) -> None:
    depth = 0
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    for match in re.finditer(r"[\[\]{}]", unquoted):
        depth += 1 if match.group() in "[{" else -1
        if depth > limit:
            raise NestingTooDeep(name, line, f"arrays and objects nested deeper than {limit}")


class _Refused(Exception):
    """Raised inside the JSON scanner; `loads` adds the file and line."""

    def __init__(self, kind: type[LoadError], message: str):
        self.kind, self.message = kind, message


def _pairs(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(DuplicateKey, f"duplicate key {json.dumps(key)} in an object "
                               "(every key must appear once)")
            seen.add(key)
    return result


def _constant(literal: str) -> float:
    raise _Refused(NonFiniteNumber, f"{literal} is not a JSON number")


def _int(literal: str) -> int:
    if len(literal) > 21:
        raise _Refused(NumberTooLarge, f"integer with {len(literal)} digits is outside "
                       "[-2^63, 2^64-1]")
    value = int(literal)
    if not INT_MIN <= value <= INT_MAX:
        raise _Refused(NumberTooLarge, f"integer {literal} is outside [-2^63, 2^64-1]")
    return value


def _float(literal: str) -> float:
    value = float(literal)
    if math.isinf(value):
        raise _Refused(NumberTooLarge, f"number {literal[:40]} overflows a 64-bit float")
    return value


# The C scanner of the standard library, with a hook for every object (duplicate keys)
# and every number (range): measured cheaper than a regex pre-scan of each record.
_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant,
                            parse_int=_int, parse_float=_float)
_WHITESPACE = " \t\n\r"


def _check_surrogates(value: object, name: str, line: int | None) -> None:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidUTF8(name, line, "string with a lone surrogate escape "
                                  "(\\ud800-\\udfff), which is not Unicode text") from None


# --- YAML -------------------------------------------------------------------------

@cache
def _yaml_loader():
    """PyYAML's safe loader (libyaml's C parser when present), used for its event parser
    and its scalar resolver only; timestamps stay strings (JSON has no date type)."""
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    return Loader


_SCALARS = {
    "tag:yaml.org,2002:str": "construct_yaml_str",
    "tag:yaml.org,2002:int": "construct_yaml_int",
    "tag:yaml.org,2002:float": "construct_yaml_float",
    "tag:yaml.org,2002:bool": "construct_yaml_bool",
    "tag:yaml.org,2002:null": "construct_yaml_null",
}
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


@dataclass(slots=True)
class _Frame:
    """An open sequence or mapping while its events arrive."""

    value: list | dict
    pointer: str
    anchor: str | None
    size: int = 1                # nodes in it, aliases expanded
    key: str | None = None       # a mapping's key waiting for its value


def _yaml(data: bytes, name: str, limits: Limits) -> Iterator[Record]:
    """YAML documents as JSON values, built from parser events without recursion: C-speed
    parsing, no constructor that could build objects, every limit checked as it goes."""
    import yaml

    text = _decode(data, name, None)
    if text.startswith("\ufeff"):
        raise ByteOrderMark(name, 1, "byte-order mark (U+FEFF) at the start of the file")
    loader = None
    try:
        loader = _yaml_loader()(text)
        yield from _yaml_documents(loader, name, limits, yaml)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context).split())
        if "nesting depth" in problem:  # libyaml's own bound, below ours
            raise NestingTooDeep(name, mark.line + 1 if mark else None,
                                 f"nesting too deep ({problem})") from None
        raise MalformedJSON(name, mark.line + 1 if mark else None,
                            f"malformed YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise MalformedJSON(name, line, f"malformed YAML: character #x{exc.character:04x} "
                            "is not allowed") from None
    except yaml.YAMLError as exc:
        raise MalformedJSON(name, None, "malformed YAML: "
                            + "; ".join(str(exc).splitlines())) from None
    finally:
        if loader is not None:
            loader.dispose()


def _yaml_documents(loader, name: str, limits: Limits, yaml) -> Iterator[Record]:
    nodes = aliases = index = 0
    stack: list[_Frame] = []
    anchors: dict[str, tuple[object, int] | None] = {}  # None: still open (recursion)
    lines: dict[str, int] = {}
    root, first_line = None, None
    while True:
        event = loader.get_event()
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.StreamEndEvent):
            return
        if isinstance(event, yaml.DocumentStartEvent):
            anchors, lines, root, first_line = {}, {}, None, None
            continue
        if isinstance(event, yaml.DocumentEndEvent):
            index += 1
            yield Record(name, index, first_line, root, lines)
            continue
        if isinstance(event, yaml.StreamStartEvent):
            continue
        if isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            frame = stack.pop()
            if frame.anchor is not None:
                anchors[frame.anchor] = (frame.value, frame.size)
            value, size = frame.value, frame.size
            counted = 1  # its children were counted as they arrived
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise MalformedJSON(name, line, f"alias *{event.anchor} names no anchor")
            target = anchors[event.anchor]
            if target is None:
                raise YAMLAliasLimit(name, line, "an alias refers to a node that contains it "
                                     "(a recursive structure is not JSON)")
            aliases += 1
            if aliases > limits.max_yaml_aliases:
                raise YAMLAliasLimit(name, line, f"more than {limits.max_yaml_aliases} "
                                     "alias uses")
            value, size = target
            counted = size  # an alias repeats every node of its target
        elif isinstance(event, yaml.ScalarEvent):
            value, size = _yaml_scalar(event, loader, name, line, yaml), 1
            counted = 1
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            is_map = isinstance(event, yaml.MappingStartEvent)
            expected = _MAP if is_map else _SEQ
            tag = event.tag if event.tag not in (None, "!") else expected
            if tag != expected:
                raise UnsafeYAML(name, line, f"tag {tag} is not allowed (only the JSON types)")
            if stack and isinstance(stack[-1].value, dict) and stack[-1].key is None:
                raise UnsafeYAML(name, line, "mapping keys must be strings")
            if len(stack) >= limits.max_depth:
                raise NestingTooDeep(name, line, "mappings and sequences nested deeper than "
                                     f"{limits.max_depth}")
            pointer = _child_pointer(stack)
            if root is None and not stack:
                first_line = line
            if len(lines) < limits.max_yaml_nodes:
                lines.setdefault(pointer, line)
            if event.anchor is not None:
                anchors[event.anchor] = None
            stack.append(_Frame({} if is_map else [], pointer, event.anchor))
            continue
        else:
            raise UnsafeYAML(name, line, f"unexpected YAML event {type(event).__name__}")
        nodes += counted
        if nodes > limits.max_yaml_nodes:
            raise YAMLAliasLimit(name, line, f"more than {limits.max_yaml_nodes} YAML nodes "
                                 "(counting every alias expansion)")
        if not stack:
            root = value
            if first_line is None:
                first_line = line
            continue
        parent = stack[-1]
        if isinstance(parent.value, list):
            if len(lines) < limits.max_yaml_nodes:
                lines.setdefault(f"{parent.pointer}/{len(parent.value)}", line)
            parent.value.append(value)
        elif parent.key is None:
            if not isinstance(value, str) or not isinstance(event, yaml.ScalarEvent):
                raise UnsafeYAML(name, line, "mapping keys must be strings")
            if event.value == "<<" and event.tag is None and event.implicit[0]:
                raise UnsafeYAML(name, line, "merge keys (<<) are not allowed")
            if value in parent.value:
                raise DuplicateKey(name, line, f"duplicate key {json.dumps(value)} in a "
                                   "mapping (every key must appear once)")
            parent.key = value
            continue  # a key is not a node of the JSON value
        else:
            if len(lines) < limits.max_yaml_nodes:
                lines.setdefault(_child_pointer(stack), line)
            parent.value[parent.key] = value
            parent.key = None
        parent.size += size


def _child_pointer(stack: list[_Frame]) -> str:
    """The JSON pointer of the next value to arrive in the innermost open frame."""
    if not stack:
        return ""
    parent = stack[-1]
    if isinstance(parent.value, list):
        return f"{parent.pointer}/{len(parent.value)}"
    if parent.key is None:
        return parent.pointer
    return f"{parent.pointer}/" + parent.key.replace("~", "~0").replace("/", "~1")


def _yaml_scalar(event, loader, name: str, line: int | None, yaml) -> object:
    if event.tag in (None, "!"):
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    else:
        tag = event.tag
    if tag == "tag:yaml.org,2002:merge":
        raise UnsafeYAML(name, line, "merge keys (<<) are not allowed")
    method = _SCALARS.get(tag)
    if method is None:
        raise UnsafeYAML(name, line, f"tag {tag} is not allowed (only the JSON types: "
                         "strings, numbers, booleans, null, mappings, sequences)")
    value = getattr(loader, method)(yaml.ScalarNode(tag, event.value, event.start_mark,
                                                    event.end_mark, event.style))
    if isinstance(value, float) and not math.isfinite(value):
        cls = NonFiniteNumber if math.isnan(value) else NumberTooLarge
        raise cls(name, line, f"{event.value} is not a finite JSON number")
    if isinstance(value, int) and not isinstance(value, bool) and not (
            INT_MIN <= value <= INT_MAX):
        raise NumberTooLarge(name, line, "integer outside [-2^63, 2^64-1]")
    return value
