"""Hostile input: each case raises exactly one LoadError subclass, and `frs validate`
prints it as one `parse` finding (never a traceback) and exits 1, without a hang or
unbounded memory."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
from pathlib import Path

import pytest

from reference_impl import safeload
from reference_impl.cli import main
from reference_impl.safeload import (
    ByteOrderMark,
    DuplicateKey,
    InvalidUTF8,
    MalformedJSON,
    NestingTooDeep,
    NonFiniteNumber,
    NumberTooLarge,
    TooLarge,
    TrailingData,
    UnsafeYAML,
    YAMLAliasLimit,
)
from reference_impl.validate import validate

RECORD = {"schema_version": "0.1", "comparison_id": "c1", "probe_id": "p1",
          "reference_id": "r1", "mated": True, "score": 0.5, "algorithm_id": "a/1"}
LINE = json.dumps(RECORD).encode()
BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]"
       for i in range(8)]).encode()

HOSTILE = [
    # (case id, file name, content, error class, line)
    ("malformed-json", "r.json", b'{"score": }', MalformedJSON, 1),
    ("malformed-jsonl-line", "r.jsonl", LINE + b"\n" + LINE + b"\n{oops\n", MalformedJSON, 3),
    ("duplicate-key", "r.json", b'{"score": 1, "score": 2}', DuplicateKey, 1),
    ("duplicate-key-nested", "r.jsonl", b'{"groups": {"sex": "F", "sex": "M"}}\n',
     DuplicateKey, 1),
    ("nan-literal", "r.json", b'{"score": NaN}', NonFiniteNumber, 1),
    ("infinity-literal", "r.jsonl", LINE + b'\n{"score": -Infinity}\n', NonFiniteNumber, 2),
    ("float-overflow", "r.json", b'{"score": 1e400}', NumberTooLarge, 1),
    ("integer-beyond-64-bits", "r.json", b'{"score": 18446744073709551616}',
     NumberTooLarge, 1),
    ("integer-with-5000-digits", "r.json", b'{"score": ' + b"9" * 5000 + b"}",
     NumberTooLarge, 1),
    ("nesting-100000-deep", "r.json", b"[" * 100_000 + b"]" * 100_000, NestingTooDeep, None),
    ("nesting-100000-deep-jsonl", "r.jsonl", b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
     NestingTooDeep, 1),
    ("invalid-utf8", "r.jsonl", LINE + b'\n{"probe_id": "\xff\xfe"}\n', InvalidUTF8, 2),
    ("lone-surrogate-escape", "r.json", b'{"probe_id": "\\ud800"}', InvalidUTF8, None),
    ("byte-order-mark", "r.json", b"\xef\xbb\xbf" + LINE, ByteOrderMark, None),
    ("byte-order-mark-utf16", "r.jsonl", b"\xff\xfe{\x00}\x00", ByteOrderMark, 1),
    ("trailing-garbage", "r.json", LINE + b" garbage", TrailingData, 1),
    ("two-documents", "r.json", LINE + b"\n" + LINE, TrailingData, 2),
    ("json-too-large", "r.json", b" " * (64 * 2**20 + 1), TooLarge, None),
    ("yaml-billion-laughs", "r.yaml", BILLION_LAUGHS, YAMLAliasLimit, 6),
    ("yaml-too-many-aliases", "r.yaml", b"a: &a 1\nb: [" + b"*a, " * 1001 + b"]\n",
     YAMLAliasLimit, 2),
    ("yaml-recursive-alias", "r.yaml", b"a: &a [*a]\n", YAMLAliasLimit, 1),
    ("yaml-python-object-tag", "r.yaml",
     b"score: !!python/object/apply:os.system ['echo pwned']\n", UnsafeYAML, 1),
    ("yaml-custom-tag", "r.yaml", b"score: !secret 1\n", UnsafeYAML, 1),
    ("yaml-binary-tag", "r.yaml", b"score: !!binary aGVsbG8=\n", UnsafeYAML, 1),
    ("yaml-merge-key", "r.yaml", b"base: &b {x: 1}\nderived:\n  <<: *b\n", UnsafeYAML, 3),
    ("yaml-non-string-key", "r.yaml", b"1: one\n", UnsafeYAML, 1),
    ("yaml-duplicate-key", "r.yaml", b"score: 1\nmated: true\nscore: 2\n", DuplicateKey, 3),
    ("yaml-nan", "r.yaml", b"score: .nan\n", NonFiniteNumber, 1),
    ("yaml-infinity", "r.yaml", b"score: -.inf\n", NumberTooLarge, 1),
    ("yaml-nesting-100000-deep", "r.yaml", b"[" * 100_000 + b"]" * 100_000,
     NestingTooDeep, 1),
    ("yaml-nesting-200-deep-block", "r.yaml",
     b"".join(b"  " * i + b"k:\n" for i in range(200)) + b"  " * 200 + b"v\n",
     NestingTooDeep, 129),
    ("yaml-malformed", "r.yaml", b"score: [1, 2\nmated: true\n", MalformedJSON, 2),
    ("yaml-invalid-utf8", "r.yaml", b"score: \xc3\x28\n", InvalidUTF8, 1),
]


def _load_all(path: Path) -> list:
    return [r.data for r in safeload.iter_records(path)]


@pytest.mark.requirement("FRS-DAT-001")
@pytest.mark.parametrize("case, name, content, error, line", HOSTILE,
                         ids=[c[0] for c in HOSTILE])
def test_hostile_input_raises_its_error_class(tmp_path, case, name, content, error, line):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(safeload.LoadError) as caught:
        _load_all(path)
    assert type(caught.value) is error, f"{case}: {caught.value!r}"
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: " if line else f"{path}: ")


@pytest.mark.parametrize("case, name, content, error, line", HOSTILE,
                         ids=[c[0] for c in HOSTILE])
def test_hostile_input_is_one_parse_finding(tmp_path, capsys, case, name, content, error,
                                            line):
    path = tmp_path / name
    path.write_bytes(content)
    started = time.monotonic()
    assert main(["validate", "--schema", "comparison-result", str(path)]) == 1
    assert time.monotonic() - started < 20, "hostile input must not hang the validator"
    out, err = capsys.readouterr()
    assert out.count("\n") == 1 and "Traceback" not in out + err
    assert out.startswith(f"{path}:{line}: " if line else f"{path}: ")
    assert out.endswith("[comparison-result: parse]\n")
    (finding,) = validate([path], "comparison-result")
    assert (finding.keyword, finding.found, finding.line) == ("parse", error.__name__, line)


def test_one_gigabyte_jsonl_line_is_refused_in_bounded_memory(tmp_path, capsys):
    """A 1 GiB file with no newline (sparse: no disk used) is one record too long."""
    path = tmp_path / "huge.jsonl"
    with open(path, "wb") as stream:
        stream.truncate(2**30)
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge) as caught:
            _load_all(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.line == 1
    assert peak < 40 * 2**20, f"peak {peak} bytes"
    assert main(["validate", "--schema", "comparison-result", str(path)]) == 1
    assert "record longer than" in capsys.readouterr().out


class _Endless(io.RawIOBase):
    """A JSON Lines stream of `count` identical records, generated on the fly."""

    def __init__(self, count: int):
        self.left, self.buffer = count, b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while len(self.buffer) < len(target) and self.left:
            self.buffer += LINE + b"\n"
            self.left -= 1
        size = min(len(target), len(self.buffer))
        target[:size] = self.buffer[:size]
        self.buffer = self.buffer[size:]
        return size


def _peak_while_streaming(count: int) -> int:
    stream = io.BufferedReader(_Endless(count))
    tracemalloc.start()
    try:
        seen = sum(1 for _ in safeload.iter_records(stream, "jsonl", name="stream"))
        return tracemalloc.get_traced_memory()[1] if seen == count else -1
    finally:
        tracemalloc.stop()


def test_jsonl_is_streamed_in_constant_memory():
    """Four times as many records must not need more memory."""
    small, large = _peak_while_streaming(5_000), _peak_while_streaming(20_000)
    assert small > 0 and large > 0
    assert large < small * 1.5 + 64 * 1024, (small, large)


def test_safe_yaml_keeps_json_types_and_dates_as_strings(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_bytes(b"when: 2026-11-02T09:14:58Z\nday: 2026-11-02\nn: 3\nx: 0.5\n"
                     b"ok: true\nnothing: null\nlist: [a, 'b']\n---\nsecond: 2\n")
    first, second = safeload.iter_records(path)
    assert first.data == {"when": "2026-11-02T09:14:58Z", "day": "2026-11-02", "n": 3,
                          "x": 0.5, "ok": True, "nothing": None, "list": ["a", "b"]}
    assert first.line_of("/list/1") == 7 and second.line == 9
    assert second.data == {"second": 2}


@pytest.mark.requirement("FRS-DAT-001")
def test_ordinary_json_still_loads():
    assert safeload.loads(b'{"a": [1, 2.5, "\\ud83d\\ude00", null, true], "b": -9}') == {
        "a": [1, 2.5, "\U0001F600", None, True], "b": -9}
    assert safeload.loads(b"[" * 128 + b"]" * 128) is not None
    with pytest.raises(NestingTooDeep):
        safeload.loads(b"[" * 129 + b"]" * 129)
