"""A page per conformance class, listing every clause that applies to it (frs_tools/pages.py)."""

from __future__ import annotations

import re

from frs_tools import pages
from frs_tools.clauses import Clause
from frs_tools.project import Project
from frs_tools.traceability import Status
from reference_impl.limits import CLASSES


def clause(cid: str, file: str, classes: tuple[str, ...] = (), level: str = "shall") -> Clause:
    return Clause(id=cid, level=level, text="x SHALL y.", file=file, line=int(cid[-3:]),
                  title=f"Title {cid}", classes=classes)


CLAUSES = [
    clause("FRS-CNF-001", "spec/02-conformance.md", ("V-L",)),
    clause("FRS-CNF-004", "spec/02-conformance.md", ("I", "P")),
    clause("FRS-ACC-001", "spec/06-accuracy.md"),
    clause("FRS-ACC-002", "spec/06-accuracy.md", ("V-L", "V-R", "V-H"), "should"),
    clause("FRS-ACC-003", "spec/06-accuracy.md", ("P",), "may"),
]
TITLES = {"spec/02-conformance.md": "2 Conformance", "spec/06-accuracy.md": "6 Accuracy",
          "spec/index.md": "Home"}


def project(tmp_path) -> Project:
    (tmp_path / "pyproject.toml").write_text("[tool.frs]\n")
    return Project.load(tmp_path)


def listed(page: str) -> list[str]:
    return re.findall(r"^\| \[(FRS-[A-Z]+-\d{3})\]", page, re.M)


def test_each_class_page_lists_exactly_the_clauses_that_apply(tmp_path):
    statuses = {c.id: Status("verified") for c in CLAUSES}
    expected = {"V-L": ["FRS-CNF-001", "FRS-ACC-001", "FRS-ACC-002"],
                "V-R": ["FRS-ACC-001", "FRS-ACC-002"],
                "V-H": ["FRS-ACC-001", "FRS-ACC-002"],
                "I": ["FRS-CNF-004", "FRS-ACC-001"],
                "P": ["FRS-CNF-004", "FRS-ACC-001", "FRS-ACC-003"]}
    for name in CLASSES:
        page = pages.class_page(name, CLAUSES, statuses, TITLES, project(tmp_path))
        assert listed(page) == expected[name], name
        assert f"{len(expected[name])} requirements apply to Class {name}" in page
    v_l = pages.class_page("V-L", CLAUSES, statuses, TITLES, project(tmp_path))
    assert v_l.startswith("---\nsearch:\n  exclude: true\n---\n\n# Class V-L — device-local 1:1 "
                          "verification")
    assert "FMR ≤ 10⁻⁴, FRR ≤ 5 %" in v_l
    assert "| [FRS-ACC-001](../../06-accuracy.md#FRS-ACC-001) | shall |" in v_l
    assert "## 2 Conformance" in v_l and "## Home" not in v_l  # chapters with clauses only


def test_overview_counts_by_class_and_level(tmp_path):
    page = pages.classes_page(CLAUSES, CLASSES, TITLES, project(tmp_path))
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| \[([A-Z-]+)\]\(classes/.*$",
                                                         page, re.M)}
    assert set(rows) == set(CLASSES)
    assert rows["P"].endswith("| ≤ 10⁻³ | ≤ 5 % | 3 (2 · 0 · 1) |")
    assert rows["V-L"].endswith("| ≤ 10⁻⁴ | ≤ 5 % | — | — | 3 (2 · 1 · 0) |")
    assert "| [6 Accuracy](../06-accuracy.md) | 2 | 2 | 2 | 1 | 2 |" in page


def test_rates_are_written_as_the_spec_writes_them():
    assert pages._rate(1e-4) == "≤ 10⁻⁴"
    assert pages._rate(1e-6) == "≤ 10⁻⁶"
    assert pages._rate(0.05) == "≤ 5 %"
    assert pages._rate(0.002) == "≤ 2 × 10⁻³"
    assert pages._rate(3 * 1e-4) == "≤ 3 × 10⁻⁴"  # 3.0000000000000003e-4 in floats
    assert pages._rate(None) == "—"
