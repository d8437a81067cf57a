"""`frs export`: JSON, CSV and ReqIF, deterministic, and the ReqIF file reads back."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import reqif
import xmlschema

from frs_tools import catalogue, reqif_export
from frs_tools.check import check
from frs_tools.project import Project
from reference_impl.cli import main

ROOT = Path(__file__).resolve().parents[1]
XSD = Path(reqif.__file__).parent / "reqif_schema" / "reqif.xsd"

AWKWARD = """# 6 Accuracy & <tests>

## 6.1 Rates "quoted"

/// requirement | FRS-ACC-001
    level: shall not
    title: Scores < 0 & "odd" > 1
    classes: V-L

A system SHALL NOT report FNMR < 5 % & FMR > 10⁻⁴ as "<b>pass</b>" when it is not;
the second line keeps its ‘quotes’.
///

/// requirement | FRS-ACC-002
    level: may

An evaluation MAY add the DET curve.

It MAY add a second paragraph.
///
"""


def awkward_project(tmp_path: Path) -> Project:
    (tmp_path / "spec").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.frs]\nclasses = ["V-L", "I"]\n[tool.frs.areas]\nACC = "Accuracy"\n')
    (tmp_path / "spec" / "a.md").write_text(AWKWARD, encoding="utf-8")
    assert main(["lock", "--root", str(tmp_path)]) == 0
    return Project.load(tmp_path)


def test_reqif_reads_back_with_the_same_ids_levels_and_texts():
    report = check(Project.load(ROOT), with_results=True)
    text = reqif_export.to_reqif(report)
    back = {row["identifier"]: row for row in reqif_export.read_back(text)}
    rows = catalogue.entries(report)
    assert rows and sorted(back) == [r["id"] for r in rows]
    for row in rows:
        got = back[row["id"]]
        assert (got["id"], got["level"], got["text"]) == (row["id"], row["level"], row["text"])
        assert got.get("title", "") == row["title"]
        assert got.get("classes", "") == ", ".join(row["classes"])


def test_reqif_is_valid_against_the_reqif_schema():
    report = check(Project.load(ROOT), with_results=True)
    xmlschema.XMLSchema(str(XSD)).validate(io.StringIO(reqif_export.to_reqif(report)))


def test_reqif_keeps_markup_quotes_and_line_breaks(tmp_path):
    report = check(awkward_project(tmp_path), with_results=True)
    text = reqif_export.to_reqif(report)
    xmlschema.XMLSchema(str(XSD)).validate(io.StringIO(text))
    back = {row["identifier"]: row for row in reqif_export.read_back(text)}
    first = back["FRS-ACC-001"]
    assert first["level"] == "shall not"
    assert first["text"] == ('A system SHALL NOT report FNMR < 5 % & FMR > 10⁻⁴ as "<b>pass</b>" '
                             "when it is not;\nthe second line keeps its ‘quotes’.")
    assert first["title"] == 'Scores < 0 & "odd" > 1'
    assert first["chapter"] == "6 Accuracy & <tests>"
    assert first["section"] == '6.1 Rates "quoted"'
    assert back["FRS-ACC-002"]["text"] == ("An evaluation MAY add the DET curve.\n\n"
                                           "It MAY add a second paragraph.")
    assert back["FRS-ACC-002"]["level"] == "may"


def test_exports_are_deterministic(tmp_path, monkeypatch):
    project = Project.load(ROOT)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    outputs = []
    for _ in range(2):
        report = check(project, with_results=True)
        outputs.append((catalogue.to_json(report), catalogue.to_csv(report),
                        reqif_export.to_reqif(report)))
    assert outputs[0] == outputs[1]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    stamped = reqif_export.to_reqif(check(project, with_results=True))
    assert 'LAST-CHANGE="2026-01-01T00:00:00Z"' in stamped
    assert 'LAST-CHANGE="1970-01-01T00:00:00Z"' in outputs[0][2]


def test_cli_writes_every_format_and_csv_reads_back(tmp_path, capsys):
    project = awkward_project(tmp_path / "p")
    for fmt in ("json", "csv", "reqif"):
        out = tmp_path / f"catalogue.{fmt}"
        assert main(["export", "--root", str(project.root), "--format", fmt,
                     "-o", str(out)]) == 0
        assert out.stat().st_size > 0
    data = json.loads((tmp_path / "catalogue.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in data["requirements"]] == ["FRS-ACC-001", "FRS-ACC-002"]
    with open(tmp_path / "catalogue.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["id"], r["level"]) for r in rows] == [("FRS-ACC-001", "shall not"),
                                                     ("FRS-ACC-002", "may")]
    assert rows[0]["text"] == data["requirements"][0]["text"]
    back = reqif_export.read_back((tmp_path / "catalogue.reqif").read_text(encoding="utf-8"))
    assert [r["id"] for r in back] == ["FRS-ACC-001", "FRS-ACC-002"]
