"""The conformance classes of FRS clause 2, the error-rate limits each one sets, and the
minimum test sizes those limits imply.

A class is judged on the one-sided upper 95 % bound of each measured rate, never on
the point estimate (clause 6.5): the verdicts here take the counts an evaluation made,
as `Rate`s, and judge them with `uncertainty.judge`, so that a test too small to show
a limit says so and says how large it must be.
"""

from __future__ import annotations

from dataclasses import dataclass

from reference_impl.errors import InputError
from reference_impl.limits import (
    CLASS_CLAUSES,
    FMR_GROUP_FACTOR,
    FMR_LIMITS,
    FNIR_LIMITS,
    FPIR_LIMITS,
    FRR_LIMITS,
    MIN_GALLERY_SHARE,
)
from reference_impl.limits import CLASSES as CLASS_NAMES
from reference_impl.metrics.uncertainty import Rate, Verdict, judge, minimum_trials


@dataclass(frozen=True)
class ClassLimits:
    name: str
    summary: str
    fmr_max: float | None = None   # verification: false match rate
    frr_max: float | None = None   # verification: false reject rate, FTA included (B.5)
    fpir_max: float | None = None  # identification, in every demographic group
    fnir_max: float | None = None  # identification, rank 1, over every mated search


SUMMARIES = {
    "V-L": "device-local 1:1 verification",
    "V-R": "remote or server 1:1 verification, identity proofing",
    "V-H": "high-assurance 1:1 verification",
    "I": "consensual 1:N identification",
    "P": "remote biometric identification in public spaces",
}
# The limits themselves live in reference_impl.limits, with their clauses.
CLASSES = {name: ClassLimits(name, SUMMARIES[name], FMR_LIMITS.get(name),
                             FRR_LIMITS.get(name), FPIR_LIMITS.get(name),
                             FNIR_LIMITS.get(name))
           for name in CLASS_NAMES}


def limits(name: str) -> ClassLimits:
    try:
        return CLASSES[name]
    except KeyError:
        raise InputError(f"unknown conformance class '{name}' (expected one of: "
                         f"{', '.join(CLASSES)})") from None


def verification_verdict(name: str, fmr: Rate, frr: Rate) -> Verdict:
    """Judge a verification class on FMR and FRR measured at one threshold."""
    cls = limits(name)
    if cls.fmr_max is None:
        raise InputError(f"class {name} is an identification class, not verification")
    judged = (judge(fmr, cls.fmr_max, "FMR"), judge(frr, cls.frr_max, "FRR"))
    passed = all(j.passed for j in judged)
    return Verdict(passed, tuple(j.reason for j in judged if passed or not j.passed))


def identification_verdict(name: str, fpir_by_group: dict[str, Rate],
                           gallery_size: int, operational_gallery_size: int) -> Verdict:
    """Judge an identification class: FPIR in every group, on a large enough gallery."""
    cls = limits(name)
    if cls.fpir_max is None:
        raise InputError(f"class {name} is a verification class, not identification")
    if not fpir_by_group:
        raise InputError("no demographic group measured: FPIR is judged per group")
    judged = {g: judge(rate, cls.fpir_max, "FPIR") for g, rate in sorted(fpir_by_group.items())}
    failures = [f"group '{g}': {j.reason}" for g, j in judged.items() if not j.passed]
    if gallery_size < MIN_GALLERY_SHARE * operational_gallery_size:
        failures.append(f"gallery of {gallery_size} is under {MIN_GALLERY_SHARE:.0%} of the "
                        f"operational {operational_gallery_size}")
    if failures:
        return Verdict(False, tuple(failures))
    worst = max(judged, key=lambda g: fpir_by_group[g].upper)
    return Verdict(True, (f"every group within the limit, the highest bound in '{worst}': "
                          f"{judged[worst].reason}", f"gallery of {gallery_size} is at least "
                          f"{MIN_GALLERY_SHARE:.0%} of the operational {operational_gallery_size}"))


def fnir_verdict(name: str, fnir: Rate) -> Verdict:
    """Judge the rank-1 FNIR of an identification class at its threshold (FRS-CNF-005)."""
    cls = limits(name)
    if cls.fnir_max is None:
        raise InputError(f"class {name} is a verification class, not identification")
    judged = judge(fnir, cls.fnir_max, "FNIR")
    return Verdict(judged.passed, (judged.reason,))


@dataclass(frozen=True)
class MinimumSize:
    """The least number of trials of one kind a test of a class needs (Annex F)."""

    quantity: str   # what is counted, e.g. "non-mated comparisons"
    rate: str       # the rate judged on them, e.g. "FMR"
    limit: float
    per: str        # "test", "demographic group", "PAI species"
    clause: str     # the requirement that sets the limit

    @property
    def trials(self) -> int:
        return minimum_trials(self.limit)


def minimum_sizes(name: str) -> list[MinimumSize]:
    """Every minimum test size the limits of class `name` imply: for the class limits
    of clause 2 and the per-group limits of clause 7."""
    cls = limits(name)
    clause = CLASS_CLAUSES[name]
    if cls.fpir_max is not None:
        return [MinimumSize("non-mated searches", "FPIR", cls.fpir_max, "demographic group",
                            clause),
                MinimumSize("mated searches", "FNIR", cls.fnir_max, "test", "FRS-CNF-005")]
    return [MinimumSize("non-mated comparisons", "FMR", cls.fmr_max, "test", clause),
            MinimumSize("mated comparisons", "FRR", cls.frr_max, "test", clause),
            MinimumSize("non-mated comparisons", "FMR", FMR_GROUP_FACTOR * cls.fmr_max,
                        "demographic group", "FRS-DEM-004"),
            MinimumSize("mated comparisons", "FNMR", cls.frr_max, "demographic group",
                        "FRS-DEM-004")]
