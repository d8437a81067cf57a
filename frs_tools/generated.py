"""Tables a spec page states that are computed, not typed: Annex F's test sizes.

A page asks for one with a marker line, `<!-- frs:generated NAME -->`; the site build
replaces the line with the table the reference implementation computes now, so a table
can never disagree with the code that judges against it.  On GitHub the marker is an
invisible comment and the page says the tables are generated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from frs_tools.pages import _rate
from reference_impl import classes
from reference_impl.errors import InputError
from reference_impl.limits import MIN_GROUPS
from reference_impl.metrics import pad
from reference_impl.metrics.uncertainty import (
    minimum_subjects,
    minimum_trials,
    rule_of_thirty_trials,
    trials_for,
)

MARKER = re.compile(r"^<!-- frs:generated ([a-z0-9-]+) -->$", re.MULTILINE)
ERRORS_SHOWN = (0, 1, 2, 3, 5, 10)


def _n(value: int) -> str:
    """A count as the spec writes it: thousands apart by a thin space."""
    return f"{value:,}".replace(",", "\u202f")


def _limit(value: float) -> str:
    return _rate(value).removeprefix("≤ ")


def _table(head: list[str], rows: list[list[str]], align: str) -> str:
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
                     + ["| " + " | ".join(row) + " |" for row in rows]) + "\n"


def _plain(clause_id: str) -> str:
    return clause_id


def class_limits(link: Callable[[str], str] = _plain) -> str:
    """C.1: the minimum test size of each class limit, for the whole test."""
    rows = []
    for name in classes.CLASSES:
        for size in classes.minimum_sizes(name):
            if size.per == "test" or size.rate == "FPIR":
                rows.append([name, size.rate, f"≤ {_limit(size.limit)}", size.quantity
                             + (" per demographic group" if size.per != "test" else ""),
                             _n(size.trials), _n(rule_of_thirty_trials(size.limit)),
                             link(size.clause)])
    return _table(["Class", "Rate", "Limit", "Trials counted", "Minimum test size",
                   "Rule of 30 (30 / x)", "Requirement"], rows,
                  ["---", "---", "--:", "---", "--:", "--:", "---"])


def trials_with_errors(link: Callable[[str], str] = _plain) -> str:
    """C.2: the least trials with which k errors still meet each distinct limit."""
    limits = sorted({s.limit for name in classes.CLASSES for s in classes.minimum_sizes(name)}
                    | set(pad.IAPAR_LIMITS.values()) | {pad.BPCER20_APCER})
    rows = [[_limit(x)] + [_n(trials_for(k, x)) for k in ERRORS_SHOWN] for x in limits]
    return _table(["Limit"] + [f"{k} error{'' if k == 1 else 's'}" for k in ERRORS_SHOWN],
                  rows, ["--:"] * (1 + len(ERRORS_SHOWN)))


def demographic_groups(link: Callable[[str], str] = _plain) -> str:
    """C.3: per demographic group, the comparisons and subjects each verification class
    needs, and the subjects of the smallest design FRS-DEM-002 allows."""
    groups = math.prod(MIN_GROUPS.values())
    rows = []
    for name, cls in classes.CLASSES.items():
        if cls.fmr_max is None:
            continue
        sizes = {s.rate: s for s in classes.minimum_sizes(name) if s.per != "test"}
        fmr, fnmr = sizes["FMR"], sizes["FNMR"]
        subjects = minimum_subjects(fmr.limit)
        rows.append([name, f"≤ {_limit(fmr.limit)}", _n(fmr.trials), f"≤ {_limit(fnmr.limit)}",
                     _n(fnmr.trials), _n(subjects), _n(subjects * groups), link(fmr.clause)])
    return _table(["Class", "Group FMR bound", "Non-mated comparisons", "Group FNMR bound",
                   "Mated comparisons", "Subjects per group", f"Subjects for {groups} groups",
                   "Requirement"], rows, ["---", "--:", "--:", "--:", "--:", "--:", "--:", "---"])


def subjects(link: Callable[[str], str] = _plain) -> str:
    """C.4: the subjects a verification test needs (FRS-ACC-019) for each class FMR
    limit, by enrolment samples and probes per subject."""
    designs = ((1, 1), (1, 2), (2, 2), (1, 5))
    limits = sorted({c.fmr_max for c in classes.CLASSES.values() if c.fmr_max}, reverse=True)
    rows = [[f"≤ {_limit(x)}"] + [_n(minimum_subjects(x, e, p)) for e, p in designs]
            for x in limits]
    return _table(["Class FMR limit"] + [f"{e} enrolment, {p} probe{'s' if p > 1 else ''}"
                                         for e, p in designs], rows, ["--:"] * 5)


def pad_species(link: Callable[[str], str] = _plain) -> str:
    """C.5: the attack presentations each PAI species needs."""
    rows = [[f"IAPAR, Level {level}", f"≤ {_limit(limit)}", _n(minimum_trials(limit)),
             link("FRS-PAD-005")] for level, limit in pad.IAPAR_LIMITS.items()]
    rows.append(["APCER of BPCER20", f"≤ {_limit(pad.BPCER20_APCER)}",
                 _n(pad.minimum_attacks_per_species()),
                 f"{link('FRS-PAD-004')}, {link('FRS-PAD-007')}"])
    rows.append(["APCER of BPCER100", "≤ 1 %", _n(minimum_trials(0.01)), link("FRS-PAD-004")])
    return _table(["Rate", "Limit", "Presentations per species", "Requirement"], rows,
                  ["---", "--:", "--:", "---"])


TABLES: dict[str, Callable[..., str]] = {
    "test-sizes-classes": class_limits,
    "test-sizes-errors": trials_with_errors,
    "test-sizes-groups": demographic_groups,
    "test-sizes-subjects": subjects,
    "test-sizes-pad": pad_species,
}


def expand(markdown: str, page: str = "", link: Callable[[str], str] = _plain) -> str:
    """The page with each marker replaced by its generated table; `link(clause_id)` writes
    a requirement as the page shows it (the site: a link to its clause)."""
    def table(match: re.Match) -> str:
        name = match.group(1)
        if name not in TABLES:
            raise InputError(f"{page}: unknown generated table '{name}' (expected one of: "
                             f"{', '.join(TABLES)})")
        return TABLES[name](link).rstrip("\n")
    return MARKER.sub(table, markdown)
