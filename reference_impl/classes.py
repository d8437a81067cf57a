"""The conformance classes of FRS clause 2 and the error-rate limits each one sets.

A class is judged on upper confidence bounds, not point estimates (clause 6): the
functions here take the bound the evaluation measured and say whether it meets the
limit, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from reference_impl.errors import InputError
from reference_impl.limits import CLASSES as CLASS_NAMES
from reference_impl.limits import FMR_LIMITS, FNMR_LIMITS, FPIR_LIMITS, MIN_GALLERY_SHARE


@dataclass(frozen=True)
class ClassLimits:
    name: str
    summary: str
    fmr_max: float | None = None   # verification: false match rate
    fnmr_max: float | None = None  # verification: false non-match rate
    fpir_max: float | None = None  # identification, in every demographic group


SUMMARIES = {
    "V-L": "device-local 1:1 verification",
    "V-R": "remote or server 1:1 verification, identity proofing",
    "V-H": "high-assurance 1:1 verification",
    "I": "consensual 1:N identification",
    "P": "remote biometric identification in public spaces",
}
# The limits themselves live in reference_impl.limits, with their clauses.
CLASSES = {name: ClassLimits(name, SUMMARIES[name], FMR_LIMITS.get(name),
                             FNMR_LIMITS.get(name), FPIR_LIMITS.get(name))
           for name in CLASS_NAMES}


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reasons: tuple[str, ...]


def limits(name: str) -> ClassLimits:
    try:
        return CLASSES[name]
    except KeyError:
        raise InputError(f"unknown conformance class '{name}' (expected one of: "
                         f"{', '.join(CLASSES)})") from None


def verification_verdict(name: str, fmr_upper: float, fnmr_upper: float) -> Verdict:
    """Judge a verification class on the upper bounds of FMR and FNMR at one threshold."""
    cls = limits(name)
    if cls.fmr_max is None:
        raise InputError(f"class {name} is an identification class, not verification")
    failures = []
    if fmr_upper > cls.fmr_max:
        failures.append(f"FMR upper bound {fmr_upper:.3g} exceeds {cls.fmr_max:g}")
    if fnmr_upper > cls.fnmr_max:
        failures.append(f"FNMR upper bound {fnmr_upper:.3g} exceeds {cls.fnmr_max:g}")
    return Verdict(not failures, tuple(failures))


def identification_verdict(name: str, fpir_upper_by_group: dict[str, float],
                           gallery_size: int, operational_gallery_size: int) -> Verdict:
    """Judge an identification class: FPIR in every group, on a large enough gallery."""
    cls = limits(name)
    if cls.fpir_max is None:
        raise InputError(f"class {name} is a verification class, not identification")
    if not fpir_upper_by_group:
        raise InputError("no demographic group measured: FPIR is judged per group")
    failures = [f"FPIR upper bound {v:.3g} in group '{g}' exceeds {cls.fpir_max:g}"
                for g, v in sorted(fpir_upper_by_group.items()) if v > cls.fpir_max]
    if gallery_size < MIN_GALLERY_SHARE * operational_gallery_size:
        failures.append(f"gallery of {gallery_size} is under {MIN_GALLERY_SHARE:.0%} of the "
                        f"operational {operational_gallery_size}")
    return Verdict(not failures, tuple(failures))
