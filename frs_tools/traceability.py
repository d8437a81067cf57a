"""Coverage means passing evidence: from test results to the status of every clause.

`make test` runs pytest with a JUnit report (each test case carries the requirement
IDs it names, see frs_tools/pytest_plugin.py) and coverage.py with one dynamic context per
test.  A gated clause is *verified* only when a test naming it ran and passed, no test
naming it failed, and, for a clause with `impl:`, one of those passing tests executed
the body of that function.  A clause with `schema:` is verified only when, in
addition, that schema has at least one valid and one invalid example on disk and its
examples test (a test marked `@pytest.mark.schema_examples("<name>")`) passed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

from frs_tools import idlock, links, schema_examples
from frs_tools.clauses import ID_PATTERN, Clause, Problem
from frs_tools.project import Project
from reference_impl.errors import InputError

JUNIT_FILE = "junit.xml"
COVERAGE_FILE = ".coverage"
STATUSES = ("verified", "failing", "untested", "not-gated")


class ResultsError(InputError):
    """The test results cannot be read."""


@dataclass(frozen=True)
class TestCase:
    nodeid: str
    outcome: str  # passed, failed, skipped
    requirements: tuple[str, ...]
    location: str = ""  # file:line of the test function
    schemas: tuple[str, ...] = ()  # the schemas whose examples this test checks


@dataclass
class Status:
    status: str
    tests: list[str] = field(default_factory=list)
    reason: str = ""


def read_junit(path: Path) -> list[TestCase]:
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as exc:
        raise ResultsError(f"{path}: cannot read the JUnit report: {exc}") from None
    cases = []
    for case in root.iter("testcase"):
        properties = [(p.get("name"), p.get("value")) for p in case.iter("property")]
        nodeid = next((v for k, v in properties if k == "nodeid"),
                      f"{case.get('classname')}::{case.get('name')}")
        outcome = "passed"
        if case.find("failure") is not None or case.find("error") is not None:
            outcome = "failed"
        elif case.find("skipped") is not None:
            outcome = "skipped"
        location = next((v for k, v in properties if k == "location"), "")
        cases.append(TestCase(nodeid, outcome,
                              tuple(v for k, v in properties if k == "requirement"), location,
                              tuple(v for k, v in properties if k == "schema-examples")))
    return cases


class CoverageContexts:
    """Which tests executed which lines, from coverage.py's per-test contexts."""

    def __init__(self, path: Path):
        from coverage import CoverageData  # only needed with results

        self.data = CoverageData(basename=str(path))
        self.data.read()
        self._by_target: dict[links.Target, set[str]] = {}

    def tests_executing(self, target: links.Target) -> set[str]:
        """Node ids of the tests that ran a line of the function's body."""
        if target not in self._by_target:
            by_line = self.data.contexts_by_lineno(str(target.file)) or {}
            # Only the body proves a call: the `def` line also runs at import, outside tests.
            contexts = {c for line in range(target.body_start, target.body_end + 1)
                        for c in by_line.get(line, ())}
            self._by_target[target] = {c.split("|", 1)[0] for c in contexts}
        return self._by_target[target]


@dataclass
class Traceability:
    statuses: dict[str, Status]
    problems: list[Problem]


def trace(project: Project, clauses: list[Clause], lock: idlock.Lock,
          unparsed: set[str] = frozenset()) -> Traceability:
    """The status of every clause from the project's last test run.  A test naming an ID
    in `unparsed` (its block is in the spec but does not parse) is not reported: the
    parse problem is."""
    junit = project.results_dir / JUNIT_FILE
    if not junit.exists():
        return Traceability({c.id: Status("not-gated" if not c.gated else "untested",
                                          reason="no test results (run `make test`)")
                             for c in clauses}, [])
    cases = read_junit(junit)
    coverage_file = project.results_dir / COVERAGE_FILE
    contexts = CoverageContexts(coverage_file) if coverage_file.exists() else None
    by_id: dict[str, list[TestCase]] = {}
    by_schema: dict[str, list[TestCase]] = {}
    for case in cases:
        for clause_id in case.requirements:
            by_id.setdefault(clause_id, []).append(case)
        for name in case.schemas:
            by_schema.setdefault(name, []).append(case)
    result = Traceability({}, unknown_ids(cases, {c.id for c in clauses} | unparsed, lock))
    for clause in clauses:
        status = _status(clause, by_id.get(clause.id, []), contexts)
        if clause.schema and status.status == "verified":
            status = _schema_proof(project, clause, status, by_schema)
        result.statuses[clause.id] = status
        if clause.gated and status.status != "verified":
            result.problems.append(Problem(clause.file, clause.line, status.reason,
                                           status.status, clause.id))
    return result


def _status(clause: Clause, cases: list[TestCase], contexts: CoverageContexts | None
            ) -> Status:
    tests = sorted({c.nodeid for c in cases})
    passed = {c.nodeid for c in cases if c.outcome == "passed"}
    failed = sorted({c.nodeid for c in cases if c.outcome == "failed"})
    if failed:
        return Status("failing", tests, f"failing test: {', '.join(failed)}")
    if not passed:
        why = "no test names this clause" if not tests else "its tests were all skipped"
        return Status("untested" if clause.gated else "not-gated", tests, why)
    if clause.impl:
        proof = _impl_proof(clause, passed, contexts)
        if proof:
            return Status("untested" if clause.gated else "not-gated", tests, proof)
    return Status("verified" if clause.gated else "not-gated", tests)


def _schema_proof(project: Project, clause: Clause, status: Status,
                  by_schema: dict[str, list[TestCase]]) -> Status:
    """A verified clause citing a schema stays verified only with its schema's examples
    (one valid and one invalid at least) judged right by a passing examples test."""
    name = links.split_schema_link(clause.schema)[0]
    examples = schema_examples.find(project, name)
    if not examples.complete:
        missing = "valid" if not examples.valid else "invalid"
        return Status("untested", status.tests,
                      f"schema {name} has no {missing} example "
                      f"(schemas/examples/{name}/{missing}/*.json)")
    cases = by_schema.get(name, [])
    failed = sorted(c.nodeid for c in cases if c.outcome == "failed")
    if failed:
        return Status("failing", status.tests,
                      f"examples test of schema {name} failed: {', '.join(failed)}")
    if not any(c.outcome == "passed" for c in cases):
        return Status("untested", status.tests, f"no passing examples test for schema {name}")
    return status


def _impl_proof(clause: Clause, passed: set[str], contexts: CoverageContexts | None) -> str:
    """'' when a passing test executed the impl function; otherwise why not."""
    if contexts is None:
        return "no coverage data to prove its tests execute its impl (run `make test`)"
    try:
        target = links.resolve_impl(clause.impl)
    except (links.ImplError, OSError, SyntaxError) as exc:  # the link check reports it too
        return f"impl '{clause.impl}' does not resolve: {exc}"
    if contexts.tests_executing(target) & passed:
        return ""
    return f"no passing test that names it executes {clause.impl}"


def unknown_ids(cases: list[TestCase], in_spec: set[str], lock: idlock.Lock
                ) -> list[Problem]:
    """A finding, at the test, for every ID a test names that is not in the spec."""
    found = []
    for case in cases:
        for clause_id in case.requirements:
            if clause_id in in_spec:
                continue
            entry = lock.entries.get(clause_id)
            if not ID_PATTERN.fullmatch(clause_id):
                why = f"names a malformed ID '{clause_id}' (expected FRS-<AREA>-<NNN>)"
            elif entry and entry.status == "retired":
                why = f"names {clause_id}, retired in {entry.retired_in}"
            else:
                why = f"names {clause_id}, which no clause defines"
            file, _, line = (case.location or case.nodeid.split("::")[0] + ":1").rpartition(":")
            found.append(Problem(file, int(line or 1), f"test {case.nodeid} {why}",
                                 "unknown-test-id", clause_id))
    return found
