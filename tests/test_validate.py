"""`frs validate` and `reference_impl.validate`: findings, schema choice, formats, exits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reference_impl.cli import main
from reference_impl.errors import InputError
from reference_impl.validate import SchemaSet, validate, validate_data

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "schemas" / "examples"
RECORD = json.loads((EXAMPLES / "comparison-result" / "valid" / "minimal.json").read_text())


def _jsonl(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_valid_file_exits_0(capsys):
    files = [str(p) for p in sorted((EXAMPLES / "comparison-result" / "valid").glob("*"))]
    assert main(["validate", "--schema", "comparison-result", *files]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "4 records in 4 files, valid" in err


def test_jsonl_findings_name_file_line_pointer_expected_and_found(tmp_path, capsys):
    bad = dict(RECORD, score="high")
    path = _jsonl(tmp_path / "scores.jsonl", [RECORD, RECORD, bad, RECORD])
    assert main(["validate", "--schema", "comparison-result", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == (f'{path}:3: /score: expected type number or null, found string "high" '
                   "[comparison-result: type]\n")
    assert "4 records in 1 files, 1 invalid, 1 findings" in err


def test_blank_lines_are_skipped_and_line_numbers_kept(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(RECORD) + "\n\n" + json.dumps(dict(RECORD, mated=1)) + "\r\n")
    (finding,) = validate([path], "comparison-result")
    assert (finding.line, finding.record, finding.pointer, finding.keyword) == (
        3, 2, "/mated", "type")


def test_yaml_findings_carry_the_line_of_the_value(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("schema_version: '0.1'\ntemplate_id: t-1\nalgorithm:\n"
                    "  algorithm_id: a\n  algorithm_version: '1'\ndimension: 0\n"
                    "dtype: float32\nnormalisation: l2\nprotection:\n  scheme: encrypted\n"
                    "data: AAAAPw==\n")
    findings = validate([path], "template")
    assert [(f.line, f.pointer, f.keyword) for f in findings] == [
        (6, "/dimension", "minimum"), (10, "/protection", "required")]
    assert findings[1].expected == 'property "key_id"'


def test_schema_is_chosen_by_dollar_schema_or_by_keys(tmp_path, capsys):
    declared = dict(RECORD, **{"$schema": "https://frs-standard.org/schemas/"
                                          "comparison-result.schema.json"})
    template = json.loads((EXAMPLES / "template" / "valid" / "unprotected.json").read_text())
    path = _jsonl(tmp_path / "mixed.jsonl", [declared, RECORD, template,
                                             dict(template, dimension=-1)])
    findings = validate([path])
    assert [(f.line, f.schema, f.pointer) for f in findings] == [(4, "template", "/dimension")]
    unknown = _jsonl(tmp_path / "unknown.jsonl", [{"x": 1}, [1]])
    assert main(["validate", str(unknown)]) == 1
    assert capsys.readouterr().out == (
        f'{unknown}:1: /: expected a $schema, or the keys of an FRS schema (none of its keys '
        'is one), found array ["x"] [$schema]\n'
        f'{unknown}:2: /: expected an object (every FRS document is one), found array [1] '
        '[$schema]\n')


def test_usage_errors_exit_2(tmp_path, capsys):
    path = _jsonl(tmp_path / "s.jsonl", [RECORD])
    assert main(["validate", "--schema", "no-such-schema", str(path)]) == 2
    assert "unknown schema 'no-such-schema'" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    other = tmp_path / "s.txt"
    other.write_text("{}")
    assert main(["validate", str(other)]) == 2
    assert "cannot tell the format" in capsys.readouterr().err
    assert main(["validate", "--input-format", "json", "--schema", "comparison-result",
                 str(other)]) == 1


def test_json_output_matches_the_python_api(tmp_path, capsys):
    path = _jsonl(tmp_path / "s.jsonl", [dict(RECORD, mated="yes"), {"schema_version": "0.1"}])
    assert main(["validate", "--schema", "comparison-result", "--format", "json",
                 str(path)]) == 1
    report = json.loads(capsys.readouterr().out)
    api = validate([path], "comparison-result")
    assert report["findings"] == [f.as_dict() for f in api]
    assert (report["valid"], report["records"], report["invalid_records"],
            report["findings_total"], report["findings_truncated"]) == (False, 2, 2, 2, False)
    assert report["findings"][1]["expected"] == (
        'properties "comparison_id", "probe_id", "reference_id", "mated", "score", '
        '"algorithm_id"')


def test_sarif_output_is_sarif_2_1_0_with_regions(tmp_path, capsys):
    path = _jsonl(tmp_path / "s.jsonl", [RECORD, dict(RECORD, score=[1])])
    assert main(["validate", "--schema", "comparison-result", "--format", "sarif",
                 str(path)]) == 1
    log = json.loads(capsys.readouterr().out)
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "frs validate"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["type"]
    (result,) = run["results"]
    assert result["ruleId"] == "type" and result["level"] == "error"
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == path.as_posix()
    assert location["physicalLocation"]["region"] == {"startLine": 2}
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "/score"


def test_max_findings_bounds_the_report_but_counts_all(tmp_path, capsys):
    path = _jsonl(tmp_path / "s.jsonl", [dict(RECORD, mated=0)] * 50)
    assert main(["validate", "--schema", "comparison-result", "--format", "json",
                 "--max-findings", "5", str(path)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert len(report["findings"]) == 5 and report["findings_total"] == 50
    assert report["findings_truncated"] is True


def test_validate_data_and_a_schema_file_path():
    schemas = SchemaSet()
    assert validate_data(RECORD, "comparison-result", schemas=schemas) == []
    by_path = str(ROOT / "schemas" / "comparison-result.schema.json")
    (finding,) = validate_data(dict(RECORD, extra=1), by_path, schemas=schemas)
    assert finding.keyword == "additionalProperties" and finding.found == 'unexpected "extra"'


@pytest.mark.parametrize("keyword, record, expected, found", [
    ("const", dict(RECORD, schema_version="9"), '"0.1"', 'string "9"'),
    ("minLength", dict(RECORD, probe_id=""), "a string of at least 1 characters",
     "0 characters"),
    ("maxProperties", dict(RECORD, groups={str(i): "x" for i in range(40)}),
     "at most 32 properties", "40 properties"),
])
def test_expected_and_found_are_worded_for_people(keyword, record, expected, found):
    (finding,) = validate_data(record, "comparison-result")
    assert (finding.keyword, finding.expected, finding.found) == (keyword, expected, found)


def test_pre_commit_hooks_run_frs_validate_on_record_files():
    import re

    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"frs-validate", "frs-validate-sarif"}
    for hook in hooks:
        assert hook["entry"].startswith("frs validate") and hook["language"] == "python"
        pattern = re.compile(hook["files"])
        for name in ("a.json", "scores.jsonl", "x.ndjson", "r.yaml", "r.yml"):
            assert pattern.search(name), (hook["id"], name)
        assert not pattern.search("README.md")


def test_standard_input_is_read_as_json_lines(tmp_path):
    import subprocess
    import sys

    lines = json.dumps(RECORD) + "\n" + json.dumps(dict(RECORD, score="x")) + "\n"
    frs = Path(sys.executable).parent / "frs"
    done = subprocess.run([str(frs), "validate", "--schema", "comparison-result", "-"],
                          input=lines, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert done.stdout.startswith("<stdin>:2: /score: expected type number or null")


def test_json_document_findings_carry_the_line_of_the_value(tmp_path, capsys):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(dict(RECORD, groups={"sex": "F", "age/band": 7},
                                    score="x"), indent=2))
    findings = validate([path], "comparison-result")
    assert [(f.pointer, f.line) for f in findings] == [("/groups/age~1band", 11),
                                                       ("/score", 7)]
    assert main(["validate", "--schema", "comparison-result", "--format", "sarif",
                 str(path)]) == 1
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"]
            for r in results] == [11, 7]


@pytest.mark.parametrize("declared", ["https://example.org/other.schema.json",
                                      "/etc/passwd.json", 7])
def test_a_record_cannot_declare_an_unknown_schema_or_a_file(tmp_path, capsys, declared):
    path = _jsonl(tmp_path / "s.jsonl", [dict(RECORD, **{"$schema": declared}), RECORD])
    (finding,) = validate([path])
    assert (finding.line, finding.pointer, finding.keyword) == (1, "/$schema", "$schema")
    assert finding.found.endswith(json.dumps(declared))
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().out == f"{finding}\n"


def test_in_memory_values_are_checked_as_json_carries_them():
    import numpy as np

    from reference_impl.validate import validate_data

    record = {"schema_version": "0.1", "comparison_id": "c", "probe_id": "p",
              "reference_id": "r", "mated": True, "score": np.float64(0.5),
              "algorithm_id": "a"}
    assert validate_data(record, "comparison-result") == []
    with pytest.raises(InputError, match="not a JSON value"):
        validate_data({**record, "score": float("nan")}, "comparison-result")


# ---- keeping going (issue 10, item 9) ---------------------------------------------------

def test_a_record_that_fits_no_schema_gets_the_findings_of_the_closest_one(tmp_path, capsys):
    template = json.loads((EXAMPLES / "template" / "valid" / "unprotected.json").read_text())
    stray = {k: v for k, v in RECORD.items() if k != "mated"} | {"matched": True}
    path = _jsonl(tmp_path / "mixed.jsonl", [RECORD, stray, dict(template, dimension=-1)])
    findings = validate([path])
    assert [(f.line, f.schema, f.pointer, f.keyword) for f in findings] == [
        (2, "comparison-result", "", "required"),
        (2, "comparison-result", "", "additionalProperties"),
        (3, "template", "/dimension", "minimum")]
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().out.count("\n") == 3


def test_an_unparseable_line_is_a_finding_and_the_run_goes_on(tmp_path, capsys):
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join([json.dumps(RECORD), '{"score": ', '{"a": 1, "a": 2}',
                               json.dumps(dict(RECORD, score="x")), ""]))
    findings = validate([path], "comparison-result")
    assert [(f.line, f.record, f.keyword) for f in findings] == [
        (2, 2, "parse"), (3, 3, "parse"), (4, 4, "type")]
    assert "duplicate key" in findings[1].message
    assert main(["validate", "--schema", "comparison-result", "--format", "json",
                 str(path)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == [f.as_dict() for f in findings]
    assert (report["records"], report["invalid_records"]) == (4, 3)
    assert main(["validate", "--schema", "comparison-result", "--format", "sarif",
                 str(path)]) == 1
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in results] == [("parse", 2), ("parse", 3), ("type", 4)]


def test_a_hostile_file_is_a_finding_and_the_next_file_is_still_checked(tmp_path, capsys):
    bomb = ROOT / "tests/corpus/safeload/yaml-billion-laughs.yaml"
    bad = _jsonl(tmp_path / "s.jsonl", [dict(RECORD, mated=1)])
    assert main(["validate", "--schema", "comparison-result", str(bomb), str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{bomb}:") and "[comparison-result: parse]" \
        in lines[0] and lines[1].startswith(f"{bad}:1: /mated")


def _hook_argv(hook_id: str) -> list[str]:
    import shlex

    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    entry = shlex.split(hooks[hook_id]["entry"]) + hooks[hook_id].get("args", [])
    assert entry[:2] == ["frs", "validate"]
    return entry[1:]


@pytest.mark.parametrize("hook_id", ["frs-validate", "frs-validate-sarif"])
def test_the_pre_commit_hook_checks_frs_documents_only(tmp_path, capsys, hook_id):
    """A repository's own JSON and YAML (package.json, a JSONC tsconfig, CI workflows with
    `on:` keys, anchors and merge keys) are not FRS documents and are skipped; a file that
    is one, marked by `schema_version` or an FRS `$schema`, is checked."""
    (tmp_path / "package.json").write_text('{"name": "app", "version": "1.0.0"}\n')
    (tmp_path / "tsconfig.json").write_text('{\n  // comments: JSONC\n  "strict": true\n}\n')
    (tmp_path / "ci.yml").write_text("on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
                                     "    steps: [{run: make test}]\n")
    (tmp_path / ".gitlab-ci.yml").write_text(".base: &base\n  image: python\ntest:\n"
                                             "  <<: *base\n  script: [make test]\n")
    (tmp_path / "schema.json").write_text('{"$schema": "https://json-schema.org/draft/2020-12'
                                          '/schema", "type": "object"}\n')
    files = [str(p) for p in sorted(tmp_path.iterdir())]
    assert main([*_hook_argv(hook_id), *files]) == 0, capsys.readouterr()
    capsys.readouterr()
    scores = _jsonl(tmp_path / "scores.jsonl", [RECORD, dict(RECORD, score="high")])
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": "0.1", "score": }')
    assert main([*_hook_argv(hook_id), *files, str(scores), str(broken)]) == 1
    out = capsys.readouterr().out
    assert str(scores) in out and str(broken) in out and "package.json" not in out
