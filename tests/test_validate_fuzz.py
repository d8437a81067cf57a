"""Fuzzing the loader and the validator with hypothesis, from the corpus in tests/corpus/.

- The loader, fed corpus files mutated byte by byte (and arbitrary bytes), either returns
  JSON values or raises a `LoadError`: nothing else, ever.
- The compiled fast path (jsonschema-rs) and `jsonschema` give the same verdict on every
  example and on records made by mutating the valid examples of every schema.

Runs are derandomized so CI is reproducible; `FRS_FUZZ_EXAMPLES=20000` digs deeper.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frs_tools import links, schema_examples
from frs_tools.project import Project
from reference_impl import safeload
from reference_impl.documents import check_record
from reference_impl.schemas import SchemaSet

ROOT = Path(__file__).resolve().parents[1]
CORPUS = sorted((ROOT / "tests" / "corpus" / "safeload").iterdir())
PROJECT = Project.load(ROOT)
SCHEMAS = SchemaSet(PROJECT.schemas_dir)
NAMES = SCHEMAS.names()
EXAMPLES = {name: schema_examples.find(PROJECT, name) for name in NAMES}
VALID = {name: [json.loads(p.read_text()) for p in EXAMPLES[name].valid] for name in NAMES}
FUZZ = settings(max_examples=int(os.environ.get("FRS_FUZZ_EXAMPLES", 300)), deadline=None,
                derandomize=True, suppress_health_check=[HealthCheck.too_slow])
SMALL = safeload.Limits(max_depth=64, max_record_bytes=4096, max_document_bytes=65536,
                        max_yaml_bytes=65536, max_yaml_nodes=5000, max_yaml_aliases=50)


def _load(data: bytes, fmt: str) -> list:
    import io
    return [r.data for r in safeload.iter_records(io.BytesIO(data), fmt, SMALL, "fuzz")]


def _fmt(path: Path) -> str:
    return safeload.format_of(path)


# What a mutation may insert: syntax that changes a document's shape, hostile YAML and values.
CORPUS_INSERTS = [b"{", b"[", b"]", b"}", b'"', b"\\", b",", b":", b"\n", b"&a ", b"*a",
                  b"!!python/object ", b"NaN", b"1e999", b"\xff", b"\xef\xbb\xbf", b"\\ud800",
                  b"---\n", b"<<: ", b"\x00"]


def edited(draw, data: bytearray, rounds: int, inserts) -> bytearray:
    """`data` changed in `rounds` places: a byte flipped, a piece of `inserts` inserted, up
    to 8 bytes deleted, or the rest cut off (the fuzz tests of every reader share it)."""
    for _ in range(rounds):
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if action == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif action == "insert":
            data[at:at] = draw(st.sampled_from(inserts))
        elif action == "delete" and data:
            del data[at:at + draw(st.integers(1, 8))]
        elif action == "truncate":
            del data[at:]
    return data


@st.composite
def mutated_corpus(draw):
    path = draw(st.sampled_from(CORPUS))
    data = bytearray(path.read_bytes()[:20_000])
    data = edited(draw, data, draw(st.integers(0, 4)), CORPUS_INSERTS)
    return path, bytes(data)


@FUZZ
@given(mutated_corpus())
def test_loader_returns_json_values_or_a_load_error(case):
    path, data = case
    try:
        values = _load(data, _fmt(path))
    except safeload.LoadError:
        return
    for value in values:  # what it returns is plain JSON: it dumps and reloads the same
        assert json.loads(json.dumps(value, allow_nan=False)) == value
    if _fmt(path) == "json":  # every pointer the line finder names is in the value
        (value,) = values
        for pointer in safeload.json_lines(data.decode()):
            links.resolve_pointer(value, pointer)


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(safeload.FORMATS))
def test_loader_on_arbitrary_bytes(data, fmt):
    try:
        _load(data, fmt)
    except safeload.LoadError:
        pass


def test_loader_on_every_corpus_file():
    """The corpus itself: every file loads or fails with a LoadError, nothing else."""
    outcomes = {}
    for path in CORPUS:
        try:
            _load(path.read_bytes(), _fmt(path))
            outcomes[path.name] = "ok"
        except safeload.LoadError as exc:
            outcomes[path.name] = type(exc).__name__
    assert outcomes["nesting-10000-deep.json"] == "NestingTooDeep"
    assert outcomes["yaml-billion-laughs.yaml"] == "YAMLAliasLimit"
    assert outcomes["scores.jsonl"] == "ok"


def _verdicts(name: str, data: object) -> tuple[bool, bool]:
    schema = SCHEMAS.get(name)
    return schema.fast.is_valid(data), schema.slow.is_valid(data)


@pytest.mark.parametrize("name", NAMES)
def test_fast_and_slow_agree_on_every_example(name):
    examples = EXAMPLES[name]
    for path in examples.valid + examples.invalid:
        data = json.loads(path.read_text())
        fast, slow = _verdicts(name, data)
        assert fast == slow == (path in examples.valid), path.name


JSON_SCALARS = (st.none() | st.booleans() | st.integers(safeload.INT_MIN, safeload.INT_MAX)
                | st.floats(allow_nan=False, allow_infinity=False)
                | st.text(max_size=20)
                | st.sampled_from(["", "0.1", "l2", "float32", "encrypted", "cancelable",
                                   "attack", "bona-fide", "no-decision", "image/jpeg",
                                   "2026-11-02T09:14:58Z", "2026-11-02T09:14:58", "a" * 64,
                                   "/9j/4AAQ", "AAAA\n", "abc=", "a\n", True, 1.0, 0, -1,
                                   65536, 1e300]))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=8)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


@st.composite
def mutated_records(draw):
    name = draw(st.sampled_from(NAMES))
    record = copy.deepcopy(draw(st.sampled_from(VALID[name])))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(record))))
        if not path:
            continue
        parent = record
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(JSON_VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(JSON_VALUES)
    return name, record


@FUZZ
@given(mutated_records())
def test_fast_and_slow_agree_on_fuzzed_records(case):
    name, record = case
    fast, slow = _verdicts(name, record)
    assert fast == slow, (name, record)
    findings = check_record(SCHEMAS.get(name), safeload.Record("fuzz", 1, None, record))
    assert bool(findings) == (not fast)


@pytest.mark.parametrize("name", NAMES)
def test_fast_and_slow_agree_on_every_string_with_edge_suffixes(name):
    """Systematic, not random: each string of each valid example, with a newline before
    or after, a space, a non-ASCII digit, emptied.  Catches regex dialect differences
    (Python's `$` matches before a final newline; ECMA-262's does not)."""
    checked = 0
    for record in VALID[name]:
        for path in _paths(record):
            value = record
            for step in path:
                value = value[step]
            if not isinstance(value, str):
                continue
            for variant in (value + "\n", "\n" + value, value + " ", value + "\u0663", ""):
                mutated = copy.deepcopy(record)
                target = mutated
                for step in path[:-1]:
                    target = target[step]
                target[path[-1]] = variant
                fast, slow = _verdicts(name, mutated)
                assert fast == slow, (name, path, variant)
                checked += 1
    assert checked
