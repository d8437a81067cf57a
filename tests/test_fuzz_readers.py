"""Property-based fuzzing of every reader a command feeds with a user's file (issue 12,
item 7): for any bytes, each reader returns or raises the project's user-error type,
`InputError` (a `DocumentError` is one); never another exception, which `frs` would show
as a traceback.

The inputs are valid files of each kind mutated byte by byte (so most get past the first
check and reach the later ones), and arbitrary bytes.  Runs are derandomized and small
enough for `make test`; `FRS_FUZZ_EXAMPLES=5000` digs deeper.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frs_tools import clauses, idlock
from reference_impl import audit, documents
from reference_impl.errors import InputError
from reference_impl.evaluate.dataset import load_dataset
from reference_impl.metrics import scores
from reference_impl.metrics.cli import read_searches
from reference_impl.model.manifest import load_manifest
from reference_impl.protect.command import load as load_embeddings
from tests.test_validate_fuzz import edited

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "schemas/examples"
FUZZ = settings(max_examples=int(os.environ.get("FRS_FUZZ_EXAMPLES", 150)), deadline=None,
                derandomize=True, suppress_health_check=list(HealthCheck))
FOLDER = Path(tempfile.mkdtemp(prefix="frs-fuzz-"))  # one folder: hypothesis reuses it

# Pieces that break parsers in interesting ways, inserted at random places.
HOSTILE = [b"{", b"[", b"]", b"}", b'"', b"\\", b",", b":", b"\n", b"\r", b"&a ", b"*a",
           b"!!python/object ", b"NaN", b"-Infinity", b"1e999", b"9" * 30, b"\xff",
           b"\xef\xbb\xbf", b"\\ud800", b"---\n", b"<<: ", b"\x00", b"\xc3", b"/// ",
           b"    level: ", b"9999-12-31", b"1e308"]


def _json(path: Path) -> bytes:
    return path.read_bytes()


def _jsonl(*paths: Path) -> bytes:
    return b"".join(json.dumps(json.loads(p.read_text())).encode() + b"\n" for p in paths)


def _audit_log() -> bytes:
    log = audit.AuditLog(FOLDER / "seed-audit.jsonl")
    for i in range(3):
        log.append("verification", {"kind": "system", "ref": "gate-1"},
                   time=f"2026-05-01T09:00:0{i}Z", subject_ref=f"acct-{i}", decision="accept")
    return (FOLDER / "seed-audit.jsonl").read_bytes()


def _npy(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def _npz() -> bytes:
    out = io.BytesIO()
    np.savez(out, embeddings=np.eye(4, dtype=np.float32), labels=np.array([0, 0, 1, 1]))
    return out.getvalue()


SEEDS = {
    "statement.json": [_json(p) for p in (EXAMPLES / "conformance-statement/valid").iterdir()],
    "statement.yaml": [b"class: V-R\nschema_version: '0.1'\nevidence:\n  - {type: policy}\n"],
    "records.jsonl": [_jsonl(*(EXAMPLES / "comparison-result/valid").iterdir())],
    "audit.jsonl": [_audit_log()],
    "searches.jsonl": [_jsonl(*(EXAMPLES / "search-result/valid").iterdir())],
    "scores.txt": [b"0.5\n0.25\n\n1e-3\n"],
    "scores.csv": [b"id,score\nx,0.5\ny,0.75\n"],
    "scores.npy": [_npy(np.linspace(0, 1, 8)), _npy(np.arange(4, dtype=np.int16))],
    "manifest.json": [_json(p) for p in (EXAMPLES / "model-manifest/valid").iterdir()],
    "dataset.json": [_json(p) for p in (EXAMPLES / "dataset-manifest/valid").iterdir()],
    "embeddings.npz": [_npz()],
    "page.md": [(ROOT / "spec/06-accuracy.md").read_bytes()[:6000]],
    "ids.lock": [(ROOT / "ids.lock").read_bytes()[:3000] + b"\n}}\n"],
}


@st.composite
def mutated(draw, name: str) -> bytes:
    """A valid file of kind `name`, changed in up to five places; or arbitrary bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=600))
    data = bytearray(draw(st.sampled_from(SEEDS[name])))
    edited(draw, data, draw(st.integers(1, 5)), HOSTILE)
    return bytes(data)


def written(name: str, data: bytes) -> Path:
    path = FOLDER / name
    path.write_bytes(data)
    return path


def returns_or_refuses(read, path: Path) -> None:
    """The property: `read(path)` returns, or raises InputError; nothing else."""
    try:
        result = read(path)
        if hasattr(result, "__next__"):
            list(result)
    except InputError:
        pass


@FUZZ
@given(mutated("statement.json"))
def test_documents_front_door_json(data):
    returns_or_refuses(lambda p: documents.read(p, "conformance-statement"),
                       written("statement.json", data))


@FUZZ
@given(mutated("statement.yaml"))
def test_documents_front_door_yaml(data):
    path = written("statement.yaml", data)
    returns_or_refuses(lambda p: documents.read(p, "conformance-statement"), path)
    returns_or_refuses(documents.parse, path)


@FUZZ
@given(mutated("records.jsonl"))
def test_documents_front_door_json_lines_and_comparison_scores(data):
    path = written("records.jsonl", data)
    returns_or_refuses(lambda p: documents.scan(p), path)
    returns_or_refuses(scores.iter_comparisons, path)


@FUZZ
@given(mutated("audit.jsonl"))
def test_audit_log_reader(data):
    returns_or_refuses(audit.verify_log, written("audit.jsonl", data))


@FUZZ
@given(mutated("searches.jsonl"))
def test_search_result_reader(data):
    returns_or_refuses(read_searches, written("searches.jsonl", data))


@FUZZ
@given(st.sampled_from(["scores.txt", "scores.csv", "scores.npy"]).flatmap(
    lambda name: st.tuples(st.just(name), mutated(name))))
def test_score_file_readers(case):
    name, data = case
    path = written(name, data)
    returns_or_refuses(scores.read_scores, path)
    returns_or_refuses(lambda p: scores.iter_score_chunks(p, chunk=2), path)


@FUZZ
@given(mutated("manifest.json"))
def test_model_manifest_reader(data):
    returns_or_refuses(load_manifest, written("manifest.json", data))


@FUZZ
@given(mutated("dataset.json"))
def test_dataset_manifest_reader(data):
    returns_or_refuses(load_dataset, written("dataset.json", data))


@FUZZ
@given(mutated("embeddings.npz"))
def test_embeddings_npz_reader(data):
    returns_or_refuses(lambda p: load_embeddings(str(p)), written("embeddings.npz", data))


@FUZZ
@given(mutated("page.md"))
def test_spec_page_parser(data):
    """A spec page is text: its bytes decoded as `frs check` decodes them (invalid UTF-8
    replaced), then parsed; problems are findings, never an exception."""
    text = data.decode("utf-8", errors="replace")
    found, problems = clauses.parse_text(text, "spec/page.md")
    assert all(p.line >= 1 for p in problems)


@FUZZ
@given(mutated("ids.lock"))
def test_ids_lock_reader(data):
    text = data.decode("utf-8", errors="replace")
    try:
        idlock.loads(text, Path("ids.lock"))
    except idlock.LockError:
        pass
