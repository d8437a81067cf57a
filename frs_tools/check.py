"""`frs check`: every rule a spec tree must satisfy, as one list of problems."""

from __future__ import annotations

from dataclasses import dataclass

from frs_tools import idlock, links, sources, traceability
from frs_tools.clauses import Clause, Problem, Spec, parse_spec
from frs_tools.project import Project


@dataclass
class Report:
    spec: Spec
    lock: idlock.Lock
    problems: list[Problem]
    trace: traceability.Traceability | None = None


def check(project: Project, with_results: bool = False) -> Report:
    """Lint the spec, its links and the lock; with results, prove coverage too."""
    spec = parse_spec(project)
    lock = idlock.load(project.lock_file)
    clauses = unique_clauses(spec.clauses)
    problems = (spec.problems + duplicate_problems(spec.clauses)
                + idlock.problems(lock, clauses) + links.problems(project, clauses)
                + sources.problems(project, clauses))
    trace = None
    if with_results:
        trace = traceability.trace(project, clauses, lock)
        problems += trace.problems
    problems.sort(key=lambda p: (p.file, p.line, p.id, p.rule))
    return Report(spec, lock, problems, trace)


def unique_clauses(clauses: list[Clause]) -> list[Clause]:
    """The first definition of each ID (later ones are reported as duplicates)."""
    seen: dict[str, Clause] = {}
    for clause in clauses:
        seen.setdefault(clause.id, clause)
    return list(seen.values())


def duplicate_problems(clauses: list[Clause]) -> list[Problem]:
    first: dict[str, Clause] = {}
    found = []
    for clause in clauses:
        if clause.id in first:
            original = first[clause.id]
            found.append(Problem(clause.file, clause.line, f"duplicate ID (first defined at "
                                 f"{original.file}:{original.line})", "duplicate-id", clause.id))
        else:
            first[clause.id] = clause
    return found
