"""The front door (`reference_impl.documents`): every command reads one document the same
way, so the commands that meet it agree on whether it is valid, and on why not.

Each test below reproduces a disagreement that FRS had (issue 10): one reader accepted what
another refused.
"""

from __future__ import annotations

import json
import re
import tracemalloc
from pathlib import Path

import pytest
import yaml

from reference_impl import audit
from reference_impl.audit import AuditLog, verify_log
from reference_impl.cli import main
from reference_impl.documents import DocumentError
from reference_impl.validate import validate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "schemas" / "examples"
SYSTEM = {"kind": "system", "ref": "gate-07"}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.requirement("FRS-AUD-006", "FRS-AUD-007", "FRS-DAT-011")
def test_an_event_id_ending_in_a_newline_is_refused_by_the_log_verify_log_and_validate(
        tmp_path, capsys):
    path = tmp_path / "audit.jsonl"
    with pytest.raises(DocumentError) as caught:
        AuditLog(path).append("verification", SYSTEM, event_id="ev-000000\n",
                              subject_ref="acct-1", decision="accept")
    (finding,) = caught.value.findings
    assert (finding.pointer, finding.keyword) == ("/event_id", "pattern")
    assert not path.exists(), "a refused event is not written"
    # The same event written by hand, its hash chained correctly: every reader refuses it.
    record = {"schema_version": "0.1", "sequence": 0, "event_id": "ev-000000\n",
              "time": "2026-05-01T09:00:00Z", "type": "verification", "actor": SYSTEM,
              "subject_ref": "acct-1", "decision": "accept", "prev_hash": audit.GENESIS}
    record["hash"] = audit.record_hash(record)
    path.write_text(json.dumps(record) + "\n")
    findings = validate([path], "audit-event")
    assert [(f.line, f.pointer, f.keyword) for f in findings] == [(1, "/event_id", "pattern")]
    result = verify_log(path)
    assert not result.ok and result.line == 1
    assert list(result.findings) == findings
    code, out, _ = run(capsys, "verify-log", path)
    assert code == 1 and str(findings[0]) in out
    code, out, _ = run(capsys, "validate", "--schema", "audit-event", path)
    assert code == 1 and out == f"{findings[0]}\n"


@pytest.mark.requirement("FRS-DAT-012")
def test_an_impossible_date_is_refused_by_validate_and_conform_with_one_finding(
        tmp_path, capsys):
    data = json.loads((EXAMPLES / "conformance-statement/valid/phone-unlock-class-v-l.json")
                      .read_text())
    text = yaml.safe_dump(data, sort_keys=False)
    path = tmp_path / "statement.yaml"
    path.write_text(re.sub(r"collection_start: .*", "collection_start: 2026-13-45", text))
    from reference_impl.conform.statement import read_statement

    findings = validate([path])  # the statement's keys choose its schema
    assert [(f.schema, f.pointer, f.keyword) for f in findings] == [
        ("conformance-statement", "/deployment/collection_start", "format")]
    with pytest.raises(DocumentError) as caught:
        read_statement(path)
    assert list(caught.value.findings) == findings
    code, out, _ = run(capsys, "validate", path)
    assert code == 1 and out == f"{findings[0]}\n"
    code, out, err = run(capsys, "conform", path)
    assert code == 2 and out == "" and str(findings[0]) in err


@pytest.mark.requirement("FRS-DAT-001", "FRS-DAT-008", "FRS-SUB-001")
def test_a_model_manifest_with_a_duplicate_key_is_refused_alike(tmp_path, capsys):
    text = (EXAMPLES / "model-manifest/valid/arcface-style.json").read_text()
    path = tmp_path / "manifest.json"
    path.write_text(text.replace('"similarity": "cosine",',
                                 '"similarity": "dot",\n  "similarity": "cosine",'))
    from reference_impl.model.manifest import load_manifest

    findings = validate([path], "model-manifest")
    assert [(f.line, f.keyword, f.found) for f in findings] == [(32, "parse", "DuplicateKey")]
    assert main(["validate", str(path)]) == 1  # without --schema, the same line
    assert capsys.readouterr().out.startswith(f"{path}:32: /: duplicate key")
    assert "duplicate key" in findings[0].message
    with pytest.raises(DocumentError) as caught:
        load_manifest(path)
    assert list(caught.value.findings) == findings
    dataset = EXAMPLES / "dataset-manifest/valid/image-and-aligned.json"
    for argv in (["model", "check", tmp_path / "model.onnx", path],
                 ["evaluate", tmp_path / "model.onnx", path, dataset, "--out",
                  tmp_path / "out"]):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "" and str(findings[0]) in err, argv


@pytest.mark.requirement("FRS-DAT-001", "FRS-DAT-012")
def test_a_yaml_alias_bomb_is_refused_by_conform_in_one_line_and_bounded_memory(capsys):
    bomb = ROOT / "tests/corpus/safeload/yaml-billion-laughs.yaml"
    assert bomb.stat().st_size < 500
    tracemalloc.start()
    try:
        code, out, err = run(capsys, "conform", bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and len(err) < 300, err[:300]
    assert peak < 32 * 2**20, f"peak {peak} bytes"
    (finding,) = validate([bomb], "conformance-statement")
    assert (finding.keyword, finding.found) == ("parse", "YAMLAliasLimit")
    assert str(finding) in err


@pytest.mark.requirement("FRS-DAT-001", "FRS-AUD-002", "FRS-PAD-005")
def test_an_evidence_report_is_read_through_the_front_door(tmp_path):
    """A PAD report a statement cites, with a duplicate key: `frs conform` does not trust
    it (needs-evidence, naming the loader's finding), as `frs validate` refuses it."""
    from reference_impl.conform import engine
    from reference_impl.conform.statement import read_statement

    report = (ROOT / "tests/fixtures/pad-reports/level-a.json").read_text()
    assert report.startswith("{")
    (tmp_path / "pad.json").write_text('{"schema_version": "0.1",' + report[1:])
    data = json.loads((EXAMPLES / "conformance-statement/valid/remote-proofing-class-v-r.json")
                      .read_text())
    data["pad"] = {"level": "A", "evidence": "pad-local"}
    data["evidence"].append({"id": "pad-local", "type": "pad-report", "url": "pad.json"})
    (tmp_path / "statement.json").write_text(json.dumps(data))
    statement = read_statement(tmp_path / "statement.json")
    (finding,) = validate([tmp_path / "pad.json"], "evaluation-report")
    assert (finding.keyword, finding.found, finding.line) == ("parse", "DuplicateKey", 2)
    assert statement.files["pad-local"].findings == (finding,)
    results = {r.id: r for r in engine.evaluate(statement).results}
    assert results["FRS-PAD-005"].verdict == "needs-evidence"
    assert finding.message in results["FRS-PAD-005"].reason


# value: the keywords that refuse it ([] for a valid one).  The schemas' patterns fix the
# shape; `format` refuses what has the shape but is no day or time of the calendar.
DATES = {"2026-10-01": [], "2024-02-29": [], "2026-02-29": ["format"],
         "2026-13-45": ["format"], "20261001": ["format", "pattern"],
         "2026-10-01\n": ["format", "pattern"]}
TIMES = {"2026-05-01T09:00:00Z": [], "2026-05-01T09:00:00.25Z": [],
         "2026-05-01T25:00:00Z": ["format"], "2026-02-30T09:00:00Z": ["format"],
         "2026-05-01T09:00:00": ["format", "pattern"]}


@pytest.mark.requirement("FRS-DAT-011", "FRS-DAT-012")
@pytest.mark.parametrize("kind, pointer, value, keywords",
                         [("conformance-statement", "/deployment/collection_start", v, k)
                          for v, k in DATES.items()]
                         + [("audit-event", "/time", v, k) for v, k in TIMES.items()])
def test_one_decision_about_format_for_both_validators(kind, pointer, value, keywords):
    """`format` is an assertion: the compiled validator (the verdict) and jsonschema (the
    details) judge every date and date-time alike, so no reader accepts 2026-13-45."""
    from reference_impl.documents import resolve
    from reference_impl.schemas import default_set

    example = {"conformance-statement": "conformance-statement/valid/"
                                        "phone-unlock-class-v-l.json",
               "audit-event": "audit-event/valid/verification.json"}[kind]
    data = json.loads((EXAMPLES / example).read_text())
    parent, _, key = pointer.rpartition("/")
    resolve(data, parent)[key] = value
    schema = default_set().get(kind)
    assert schema.fast.is_valid(data) == schema.slow.is_valid(data) == (not keywords)
    assert sorted(e.validator for e in schema.slow.iter_errors(data)) == keywords
