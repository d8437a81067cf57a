"""A clause with `schema:` is verified only with both kinds of example and a passing
examples test for that schema (frs_tools/traceability.py, `_schema_proof`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frs_tools import idlock, traceability
from frs_tools.clauses import parse_spec
from frs_tools.project import Project

PYPROJECT = """
[tool.frs]
spec_dir = "spec"
schemas_dir = "schemas"
lock_file = "ids.lock"
results_dir = "results"
[tool.frs.areas]
DAT = "Data objects"
"""

SPEC = """# Data

/// requirement | FRS-DAT-001
    level: shall
    schema: thing

A thing exchanged between components SHALL validate against the thing schema.
///
"""


def _case(nodeid: str, outcome: str, requirements=(), schemas=()) -> str:
    props = [("nodeid", nodeid)] + [("requirement", r) for r in requirements] + [
        ("schema-examples", s) for s in schemas]
    body = "".join(f'<property name="{k}" value="{v}"/>' for k, v in props)
    result = {"passed": "", "failed": '<failure message="x"/>',
              "skipped": '<skipped message="x"/>'}[outcome]
    name = nodeid.split("::")[-1]
    return (f'<testcase classname="t" name="{name}"><properties>{body}</properties>'
            f"{result}</testcase>")


def _project(tmp_path: Path, valid: bool, invalid: bool, cases: list[str]) -> Project:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "data.md").write_text(SPEC)
    schemas = tmp_path / "schemas"
    (schemas / "examples" / "thing" / "valid").mkdir(parents=True)
    (schemas / "examples" / "thing" / "invalid").mkdir(parents=True)
    (schemas / "thing.schema.json").write_text(json.dumps({"type": "object"}))
    if valid:
        (schemas / "examples" / "thing" / "valid" / "ok.json").write_text("{}")
    if invalid:
        (schemas / "examples" / "thing" / "invalid" / "not-an-object.json").write_text("1")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "junit.xml").write_text(
        '<testsuites><testsuite name="pytest">' + "".join(cases) + "</testsuite></testsuites>")
    (tmp_path / "ids.lock").write_text(json.dumps({"format": 1, "ids": {}}))
    return Project.load(tmp_path)


def _status(project: Project) -> traceability.Status:
    clauses = parse_spec(project).clauses
    lock = idlock.load(project.lock_file)
    return traceability.trace(project, clauses, lock).statuses["FRS-DAT-001"]


CLAUSE_TEST = _case("t.py::test_clause", "passed", ["FRS-DAT-001"])


@pytest.mark.parametrize("valid, invalid, cases, status, reason", [
    (True, True, [CLAUSE_TEST, _case("t.py::test_examples[thing]", "passed", (), ["thing"])],
     "verified", ""),
    (True, False, [CLAUSE_TEST, _case("t.py::test_examples[thing]", "passed", (), ["thing"])],
     "untested", "schema thing has no invalid example"),
    (False, True, [CLAUSE_TEST, _case("t.py::test_examples[thing]", "passed", (), ["thing"])],
     "untested", "schema thing has no valid example"),
    (True, True, [CLAUSE_TEST], "untested", "no passing examples test for schema thing"),
    (True, True, [CLAUSE_TEST, _case("t.py::test_examples[other]", "passed", (), ["other"])],
     "untested", "no passing examples test for schema thing"),
    (True, True, [CLAUSE_TEST, _case("t.py::test_examples[thing]", "skipped", (), ["thing"])],
     "untested", "no passing examples test for schema thing"),
    (True, True, [CLAUSE_TEST, _case("t.py::test_examples[thing]", "failed", (), ["thing"])],
     "failing", "examples test of schema thing failed"),
])
def test_schema_clause_needs_both_kinds_of_example_and_a_passing_examples_test(
        tmp_path, valid, invalid, cases, status, reason):
    result = _status(_project(tmp_path, valid, invalid, cases))
    assert result.status == status
    assert reason in result.reason


def test_the_examples_test_alone_verifies_a_clause_it_names(tmp_path):
    """The real examples test names the citing clauses and the schema: that suffices."""
    cases = [_case("t.py::test_examples[thing]", "passed", ["FRS-DAT-001"], ["thing"])]
    assert _status(_project(tmp_path, True, True, cases)).status == "verified"
