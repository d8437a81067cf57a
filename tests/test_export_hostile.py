"""`frs export` on hostile text (issue 12, item 5): the ReqIF file stays well-formed XML and
valid ReqIF, the CSV keeps one record a requirement and neutralises spreadsheet formulas
(OWASP "CSV Injection"), the JSON parses, and none of them carries a raw control or bidi
character, whatever the spec's titles and texts hold.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import reqif
import xmlschema

from frs_tools import catalogue, reqif_export
from frs_tools.check import check
from frs_tools.project import Project
from reference_impl.cli import main

XSD = Path(reqif.__file__).parent / "reqif_schema" / "reqif.xsd"
# A title as `frs check` lets it through: a formula first, quotes, a CDATA end.
TITLE = r'"=HYPERLINK(\"http://evil.example\",\"x\") ]]> \"q\" '"'"'"'
# What the parser refuses in a title but an export must still survive (a spec with
# problems is exported too): controls XML 1.0 forbids, a lone surrogate, a right-to-left
# override, a line break.
REFUSED = "=1+2 \x01\x1f \ud800 \u202e ]]> \r\nz"
PAGE = """\
# 6 Accuracy \x02 ]]> "chapter"

## 6.1 Section \u202e <b>&amp;</b>

/// requirement | FRS-ACC-001
    level: shall
    title: {title}

=cmd|' /C calc'!A0 then \x01 and \x7f and ]]> and "quotes" and <tags> &amp;
A system SHALL keep \u202egnirts this line.
///

/// requirement | FRS-ACC-002
    level: may
    title: "@SUM(A1:A2)"

+1 An evaluation MAY add the DET curve.
///

/// requirement | FRS-ACC-003
    level: may
    title: "-2+3"

\tAn evaluation MAY do this.
///
"""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def exported(tmp_path):
    """The three exports of a spec with hostile titles and texts (and findings: the spec
    has problems, so `frs export` says so and exits 1, but writes the catalogue)."""
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "06-accuracy.md").write_text(PAGE.format(title=TITLE), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.frs]\n[tool.frs.areas]\nACC = "Accuracy"\n')
    (tmp_path / "ids.lock").write_text('{"format": 1, "ids": {}}')
    out = {}
    for fmt in ("json", "csv", "reqif"):
        target = tmp_path / f"catalogue.{fmt}"
        assert main(["export", "--root", str(tmp_path), "--format", fmt, "-o", str(target)]) == 1
        out[fmt] = target.read_text(encoding="utf-8")
    return out


def _raw_controls(text: str) -> list[str]:
    """Characters no export may carry raw: controls but line breaks and tabs, surrogates,
    bidi controls."""
    return [f"U+{ord(c):04X}" for c in text
            if (ord(c) < 0x20 and c not in "\n\r\t") or 0x7f <= ord(c) <= 0x9f
            or 0xd800 <= ord(c) <= 0xdfff or 0x202a <= ord(c) <= 0x202e]


def test_the_reqif_export_of_hostile_text_is_well_formed_and_valid(exported):
    text = exported["reqif"]
    assert _raw_controls(text) == []
    ElementTree.fromstring(text.encode("utf-8"))  # well-formed XML 1.0
    xmlschema.XMLSchema(str(XSD)).validate(io.StringIO(text))
    back = {row["identifier"]: row for row in reqif_export.read_back(text)}
    assert sorted(back) == ["FRS-ACC-001", "FRS-ACC-002", "FRS-ACC-003"]
    assert back["FRS-ACC-001"]["title"] == '=HYPERLINK("http://evil.example","x") ]]> "q" \''
    assert back["FRS-ACC-001"]["chapter"] == '6 Accuracy \\u0002 ]]> "chapter"'
    assert back["FRS-ACC-001"]["section"] == "6.1 Section \\u202e <b>&amp;</b>"
    assert "\\u202egnirts" in back["FRS-ACC-001"]["text"]
    assert "\\u0001 and \\u007f and ]]> and \"quotes\" and <tags> &amp;\n" \
        in back["FRS-ACC-001"]["text"]


def test_text_the_checker_refuses_still_exports_well_formed(tmp_path):
    """A title the parser would refuse (from a Clause made by hand): the ReqIF and the CSV
    still parse, the controls written as visible escapes, the line break kept."""
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "a.md").write_text(PAGE.format(title=TITLE), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.frs]\n[tool.frs.areas]\nACC = "A"\n')
    report = check(Project.load(tmp_path))
    report.spec.clauses = [dataclasses.replace(c, title=REFUSED, section=REFUSED)
                           for c in report.spec.clauses]
    text = reqif_export.to_reqif(report)
    ElementTree.fromstring(text.encode("utf-8"))
    xmlschema.XMLSchema(str(XSD)).validate(io.StringIO(text))
    expected = "=1+2 \\u0001\\u001f \\ud800 \\u202e ]]> \r\nz"
    assert [row["title"] for row in reqif_export.read_back(text)] == [expected] * 3
    rows = list(csv.DictReader(io.StringIO(catalogue.to_csv(report), newline="")))
    assert [row["title"] for row in rows] == ["'" + expected] * 3
    assert json.loads(catalogue.to_json(report))["requirements"][0]["title"] == expected


def test_the_csv_export_keeps_one_record_a_requirement_and_no_formula(exported):
    assert _raw_controls(exported["csv"].replace("\r", "")) == []
    rows = list(csv.DictReader(io.StringIO(exported["csv"], newline="")))
    assert [r["id"] for r in rows] == ["FRS-ACC-001", "FRS-ACC-002", "FRS-ACC-003"]
    for row in rows:
        for field, value in row.items():
            assert not value.startswith(FORMULA_STARTS), (row["id"], field, value)
    first, second, third = rows
    assert first["title"].startswith("'=HYPERLINK(")
    assert first["text"].startswith("'=cmd|' /C calc'!A0")
    assert "\n" in first["text"] and "\\u0001" in first["text"]
    assert second["title"] == "'@SUM(A1:A2)" and second["text"].startswith("'+1 ")
    assert third["title"] == "'-2+3"


def test_the_json_export_of_hostile_text_parses_with_every_control_escaped(exported):
    assert _raw_controls(exported["json"]) == []
    rows = json.loads(exported["json"])["requirements"]
    assert [r["id"] for r in rows] == ["FRS-ACC-001", "FRS-ACC-002", "FRS-ACC-003"]
    assert rows[0]["title"] == '=HYPERLINK("http://evil.example","x") ]]> "q" \''
    assert "\\u202egnirts" in rows[0]["text"]
