"""`frs check`: every rule a spec tree must satisfy, as one list of problems."""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from frs_tools import idlock, links, marks, sources, traceability, translations
from frs_tools.clauses import Clause, Problem, Spec, parse_spec
from frs_tools.project import Project
from reference_impl.errors import InputError


@dataclass
class Report:
    spec: Spec
    lock: idlock.Lock
    problems: list[Problem]
    trace: traceability.Traceability | None = None
    translations: dict[str, translations.Translations] = field(default_factory=dict)

    def translation_summary(self) -> dict[str, dict[str, int]]:
        """Per language: how many English clauses have a current, stale or no translation."""
        clauses = unique_clauses(self.spec.clauses)
        return {language: {state: sum(t.state(c) == state for c in clauses)
                           for state in ("current", "stale", "missing")}
                for language, t in self.translations.items()}


def check(project: Project, with_results: bool = False, with_tests: bool = False,
          only: set[str] | None = None) -> Report:
    """Lint the spec, its links and the lock; with results, prove coverage too; with
    tests, check the IDs the tests' marks name without running them.  `only` keeps the
    findings of the tests and results to those clauses (after a run of a few tests)."""
    spec = parse_spec(project)
    lock = idlock.load(project.lock_file)
    clauses = unique_clauses(spec.clauses)
    in_spec = {c.id for c in clauses} | spec.unparsed
    if only is not None and (unknown := sorted(only - in_spec)):
        raise InputError(f"--only: {', '.join(unknown)} is not a clause of the spec")
    problems = (spec.problems + duplicate_problems(spec.clauses)
                + area_problems(clauses, lock, project.areas)
                + idlock.problems(lock, clauses, spec.unparsed)
                + links.problems(project, clauses) + sources.problems(project, clauses))
    editions = {language: translations.parse_translations(project, language)
                for language in project.languages}
    for edition in editions.values():
        problems += translations.problems(project, spec, lock, edition)
    found = []
    if with_tests:
        found += traceability.unknown_ids(collected(project), in_spec, lock)
    trace = None
    if with_results:
        trace = traceability.trace(project, clauses, lock, spec.unparsed)
        found += trace.problems
        if only is not None:
            trace.statuses = {i: s for i, s in trace.statuses.items() if i in only}
    problems += [p for p in dict.fromkeys(found) if only is None or p.id in only]
    problems.sort(key=lambda p: (p.file, p.line, p.id, p.rule))
    return Report(spec, lock, problems, trace, editions)


def collected(project: Project) -> list[traceability.TestCase]:
    """The project's tests as pytest collects them (none is run), with their marks."""
    with tempfile.TemporaryDirectory() as folder:
        tests = marks.collect(project.root, Path(folder) / "marks.json")
    return [traceability.TestCase(t.nodeid, "collected", t.ids, f"{t.file}:{t.line}")
            for t in tests]


def area_problems(clauses: list[Clause], lock: idlock.Lock, areas: dict[str, str]
                  ) -> list[Problem]:
    """A new ID is taken from the area of its page: the page that holds most clauses of
    an area owns it.  Recorded IDs are left alone: a clause moved to another chapter
    keeps its ID."""
    pages: dict[str, Counter] = {}
    for clause in clauses:
        pages.setdefault(clause.area, Counter())[clause.file] += 1
    found = []
    for clause in clauses:
        home, count = pages[clause.area].most_common(1)[0]
        if clause.file != home and clause.id not in lock.entries:
            name = f" ({areas[clause.area]})" if clause.area in areas else ""
            found.append(Problem(clause.file, clause.line, f"a new ID of area {clause.area}"
                                 f"{name}, whose clauses are on {home} ({count} of them): "
                                 "take an ID of this page's area with `frs new-id`, or move "
                                 "the clause there", "wrong-area", clause.id))
    return found


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
