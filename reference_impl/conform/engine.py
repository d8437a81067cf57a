"""Judge a conformance statement: one verdict for every clause its class must meet.

The clauses are those of the spec (`reference_impl.conform.clauses`).  A clause with a
rule is judged by it; a pass of a clause that needs evidence stands only when a listed
document supports it; a justified departure from a SHOULD clause is met (clause 2.1).
Every other clause of the class is listed as `not-judged`, with what does judge it, so
the output accounts for each clause the class must meet.  A clause that fails or lacks
its evidence makes the statement fail.
"""

from __future__ import annotations

from dataclasses import dataclass

from reference_impl.conform.clauses import judged_elsewhere, spec_clauses
from reference_impl.conform.rules import (
    FAIL,
    NEEDS_EVIDENCE,
    NOT_APPLICABLE,
    NOT_JUDGED,
    PASS,
    RULES,
    Finding,
    Rule,
    supporting_evidence,
)
from reference_impl.conform.statement import Statement


@dataclass(frozen=True)
class ClauseResult:
    id: str
    title: str
    level: str
    verdict: str
    reason: str


@dataclass(frozen=True)
class Report:
    conformance_class: str
    source: str
    results: tuple[ClauseResult, ...]  # every clause of the class
    other_classes: int = 0              # clauses of other classes, left out

    @property
    def failed(self) -> bool:
        return any(r.verdict in (FAIL, NEEDS_EVIDENCE) for r in self.results)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.verdict] = counts.get(result.verdict, 0) + 1
        return counts

    def to_json(self) -> dict:
        return {"class": self.conformance_class, "counts": self.counts(),
                "other_classes": self.other_classes,
                "clauses": [{"id": r.id, "verdict": r.verdict, "reason": r.reason}
                            for r in self.results]}


def judge(rule: Rule, statement: Statement) -> Finding:
    """The verdict of one clause on one statement."""
    cls = statement.conformance_class
    if not rule.applies_to(cls):
        return Finding(NOT_APPLICABLE, f"applies to class {', '.join(rule.classes)}; the "
                       f"statement declares class {cls}")
    finding = rule.check(statement)
    if finding.verdict == PASS:
        finding = supporting_evidence(rule.id, statement) or finding
    if finding.verdict == FAIL and rule.level in ("should", "should not"):
        departure = next((d for d in statement.get("/deviations", []) or []
                          if d["id"] == rule.id), None)
        if departure:
            return Finding(PASS, f"departs from this recommendation ({finding.reason}); "
                           f"justified in /deviations: {departure['justification']}")
    return finding


def evaluate(statement: Statement, clauses=None) -> Report:
    """A verdict for every clause of the statement's class (`clauses`, default the
    spec's)."""
    clauses = spec_clauses() if clauses is None else clauses
    cls = statement.conformance_class
    results = []
    for clause in sorted(clauses, key=lambda c: c.id):
        if not clause.applies_to(cls):
            continue
        rule = RULES.get(clause.id)
        finding = (judge(rule, statement) if rule else
                   Finding(NOT_JUDGED, judged_elsewhere(clause)))
        results.append(ClauseResult(clause.id, clause.title, clause.level, finding.verdict,
                                    finding.reason))
    return Report(cls, statement.source, tuple(results),
                  sum(not c.applies_to(cls) for c in clauses))
