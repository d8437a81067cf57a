"""Judge a conformance statement: one verdict for every registered clause.

Clauses outside the declared class are `not-applicable`; a SHOULD clause that fails is
met when the statement lists a justified departure from it (clause 2.1); a pass of a
clause that needs evidence stands only when a listed document supports it.  A clause
that fails or lacks its evidence makes the statement fail.
"""

from __future__ import annotations

from dataclasses import dataclass

from reference_impl.conform.rules import (
    FAIL,
    NEEDS_EVIDENCE,
    NOT_APPLICABLE,
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
    results: tuple[ClauseResult, ...]

    @property
    def failed(self) -> bool:
        return any(r.verdict in (FAIL, NEEDS_EVIDENCE) for r in self.results)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.verdict] = counts.get(result.verdict, 0) + 1
        return counts

    def to_json(self) -> dict:
        return {"class": self.conformance_class,
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


def evaluate(statement: Statement) -> Report:
    results = []
    for clause_id in sorted(RULES):
        rule = RULES[clause_id]
        finding = judge(rule, statement)
        results.append(ClauseResult(rule.id, rule.title, rule.level, finding.verdict,
                                    finding.reason))
    return Report(statement.conformance_class, statement.source, tuple(results))
