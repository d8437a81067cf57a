"""One rule per FRS clause that a conformance statement can show is met.

Each rule is a small function of a schema-valid `Statement`, registered under the ID of
the clause it judges, with the clause's title, level and conformance classes (a test
proves the registry and the spec agree, clause by clause).  It returns a `Finding`:

- `pass` — the statement declares what the clause requires;
- `fail` — it declares something the clause forbids; the reason names the field;
- `not-applicable` — the clause's condition does not arise (e.g. no minors served);
- `needs-evidence` — the clause is about a measured value the statement does not give,
  or cites evidence the statement does not list, or (for a clause in `EVIDENCE`) no
  listed document supports it.  It fails the statement like `fail` does: a declaration
  without its evidence is not a pass;
- `not-judged` — the clause cannot be judged from this statement (e.g. the report it
  needs is at a URL, which is not fetched); the reason says why.

Clauses judged from a cited evaluation report (the class limits of clause 2, the
demographic clauses of clause 7, the PAD levels of clause 8) recompute every bound from
the report's counts with `reference_impl.classes` and `reference_impl.metrics`; the
report's own verdicts and intervals are never taken.

The engine (`reference_impl.conform.engine`) adds `not-applicable` for clauses outside
the declared class, `not-judged` for every clause of the class that no rule judges, and
accepts a justified departure from a SHOULD clause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from reference_impl import classes
from reference_impl.conform.statement import REPORT_SCHEMAS, Statement
from reference_impl.limits import (
    CLASS_CLAUSES,
    CONSENTING_CLASSES,
    DELETION_STORES,
    FAILURES_BEFORE_DELAY,
    FAILURES_BEFORE_DISABLE,
    FILING_THRESHOLD,
    FILING_WORKING_DAYS,
    IAPAR_LIMITS,
    IDENTIFICATION_CLASSES,
    MAX_AUTHORITY_NOTICE_HOURS,
    MAX_D_SYS,
    MAX_DELETION_WORKING_DAYS,
    MAX_FNMR_INCREASE,
    MAX_KEY_ROTATION_DAYS,
    MAX_RETENTION_DAYS,
    MAX_RETEST_MONTHS,
    MAX_REVIEW_HOLD_DAYS,
    MEASURES_IN_FORCE,
    MIN_AUDIT_MONTHS,
    MIN_RECORDS_YEARS,
    MIN_THROTTLE_DELAY_S,
    MINOR_AGE,
    TRANSITIONAL_FILING_DUE,
    VERIFICATION_CLASSES,
)
from reference_impl.metrics.demographics import (
    GroupRates,
    differentials,
    fairness_targets_verdict,
    group_design_gaps,
    group_limits_verdict,
)
from reference_impl.metrics.pad import LEVEL_SPECIES, missing_species, pad_level_verdict
from reference_impl.metrics.uncertainty import Rate
from reference_impl.workdays import add_working_days

PASS, FAIL, NOT_APPLICABLE, NEEDS_EVIDENCE, NOT_JUDGED = (
    "pass", "fail", "not-applicable", "needs-evidence", "not-judged")
VERDICTS = (PASS, FAIL, NOT_APPLICABLE, NEEDS_EVIDENCE, NOT_JUDGED)

INJECTION_INSTRUMENTS = ("virtual-camera", "injected-stream", "injected-deepfake")  # PAD-013
FORBIDDEN_PLACES = ("hotel-room", "public-bathhouse", "changing-room", "toilet")
FORBIDDEN_INFERENCES = ("work-performance", "economic-status", "health", "preferences",
                        "interests")
NOTICE_ELEMENTS = ("face-data-collected", "controller-identity", "controller-contact", "purpose",
                   "method", "necessity-and-impact", "retention-period", "access-procedure",
                   "correction-procedure", "deletion-procedure", "withdrawal-procedure")
CENTRAL_CONTROLS = ("protected-channel", "authenticated-sensor")            # FRS-DPR-005
SECURITY_CONTROLS = ("encryption-at-rest", "security-audit", "access-control",
                     "authorization-management", "intrusion-detection",
                     "intrusion-prevention")                                # FRS-DPR-013
WRITTEN_CONSENT = ("written", "electronic-signature")                      # FRS-CAP-001
RBI_RECORDS = ("use-period", "reference-database", "probe-reference", "verifiers")
LAW_ENFORCEMENT_OBJECTIVES = ("victim-search", "threat-prevention", "suspect-localisation")


@dataclass(frozen=True)
class Finding:
    verdict: str
    reason: str


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    level: str
    classes: tuple[str, ...]  # () = every class, as in the clause's `classes:` option
    fields: tuple[str, ...]   # the statement fields (JSON pointers) the rule reads
    check: Callable[[Statement], Finding]

    def applies_to(self, conformance_class: str) -> bool:
        return not self.classes or conformance_class in self.classes


RULES: dict[str, Rule] = {}


def rule(clause_id: str, title: str, *fields: str, level: str = "shall",
         classes: tuple[str, ...] = ()) -> Callable:
    def register(function: Callable[[Statement], Finding]) -> Callable[[Statement], Finding]:
        if clause_id in RULES:
            raise ValueError(f"two rules for {clause_id}")
        RULES[clause_id] = Rule(clause_id, title, level, classes, fields, function)
        return function
    return register


def passed(reason: str) -> Finding:
    return Finding(PASS, reason)


def failed(field: str, reason: str) -> Finding:
    return Finding(FAIL, f"{field}: {reason}")


def not_applicable(reason: str) -> Finding:
    return Finding(NOT_APPLICABLE, reason)


def needs_evidence(reason: str) -> Finding:
    return Finding(NEEDS_EVIDENCE, reason)


def not_judged(reason: str) -> Finding:
    return Finding(NOT_JUDGED, reason)


def _all_true(s: Statement, *fields: str) -> Finding | None:
    """The first of `fields` that is not true, as a failure; None when all are."""
    for field in fields:
        if s.get(field) is not True:
            return failed(field, f"is {_show(s.get(field))}, expected true")
    return None


def _show(value: object) -> str:
    return "absent" if value is None else repr(value).replace("'", "")


def _cited(s: Statement, field: str) -> Finding | None:
    """None when `field` cites usable evidence; else why not.

    A cited entry must be listed in /evidence.  When it is a local file (a path, not a
    URL) the file must exist, match its declared SHA-256, and, for an evaluation report,
    validate against the evaluation-report schema.  URLs are not fetched.
    """
    cited = s.get(field)
    if cited is None:
        return needs_evidence(f"{field} cites no evidence")
    entry = s.evidence(cited)
    if entry is None:
        return needs_evidence(f"{field} cites '{cited}', which /evidence does not list")
    return _evidence_problem(s, entry)


def _evidence_problem(s: Statement, entry: dict) -> Finding | None:
    local = s.local(entry)
    if local is None:
        return None
    where = f"/evidence '{entry['id']}'"
    if local.sha256 is None:
        return needs_evidence(f"{where}: file {entry['url']} not found")
    if "sha256" in entry and local.sha256 != entry["sha256"]:
        return failed(f"{where}/sha256", f"file {entry['url']} does not match its declared "
                      "SHA-256 (the evidence changed after the statement was written)")
    if entry["type"] in REPORT_SCHEMAS and local.findings:
        first = local.findings[0]
        return needs_evidence(f"{where}: {entry['url']} is not a valid evaluation report "
                              f"({first.pointer or '/'}: {first.message})")
    return None


def _local_json(s: Statement, field: str) -> dict | None:
    """The JSON object in the local evidence file `field` cites; None for a URL, no file
    or a file that is not a usable report."""
    entry = s.evidence(s.get(field))
    local = s.local(entry) if entry else None
    report = local.report.data if local and local.report else None
    return report if isinstance(report, dict) else None


def _measured(s: Statement, name: str) -> float | None:
    """The value a local protection report (ProtectionCost.to_json) measured, if any."""
    entry = s.evidence(s.get("/template_protection/evidence"))
    if entry is None or entry["type"] != "protection-report":
        return None
    value = (_local_json(s, "/template_protection/evidence") or {}).get(name)
    return float(value) if isinstance(value, int | float) else None


# ---- Clauses 2 and 7: judged from the cited evaluation report ---------------------------
#
# The laboratory's evaluation report (/testing/independent_test/evidence) is read as a
# parsed document; every bound is recomputed from its counts, and its own verdicts and
# intervals are never used.

REPORT = "/testing/independent_test/evidence"


def _report(s: Statement) -> dict | Finding:
    """The cited evaluation report, or the Finding that says why it cannot be judged."""
    if problem := _cited(s, REPORT):
        return problem
    report = _local_json(s, REPORT)
    if report is None:
        return not_judged(f"{REPORT}: the cited evaluation report is at a URL, which frs "
                          "conform does not fetch, so its counts cannot be recomputed")
    return report


def _class_measurements(s: Statement, requirement: str | None = None
                        ) -> tuple[dict, dict] | Finding:
    """The cited report's verdict entry on `requirement` (default: the class limit of
    clause 2) for the statement's class, and its rates by (name, group) rebuilt from the
    counts; or the Finding that says why there is none."""
    report = _report(s)
    if isinstance(report, Finding):
        return report
    cls = s.conformance_class
    requirement = requirement or CLASS_CLAUSES[cls]
    entry = next((v for v in report.get("verdicts", []) if v.get("class") == cls
                  and v["requirement"] == requirement), None)
    if entry is None:
        return failed(REPORT, f"the cited evaluation report measured no rates for class {cls} "
                      f"at a declared threshold ({requirement})")
    return entry, {(m["name"], m.get("group")): Rate(m["errors"], m["trials"])
                   for m in entry["measurements"]}


def _own_verdict(entry: dict, passed_now: bool) -> str:
    said = entry["verdict"]
    return "" if (said == PASS) == passed_now else f" (the report itself says {said})"


def class_limits(s: Statement) -> Finding:
    """The class limits of clause 2, recomputed from the cited report's counts."""
    found = _class_measurements(s)
    if isinstance(found, Finding):
        return found
    entry, rates = found
    cls = s.conformance_class
    if cls in IDENTIFICATION_CLASSES:
        groups = {g: r for (name, g), r in rates.items() if name == "fpir" and g}
        if not groups or "operational_gallery_size" not in entry:
            return failed(REPORT, "the cited report states no FPIR per demographic group or "
                          "no operational gallery size, so FRS-CNF-004 cannot be shown")
        judged = classes.identification_verdict(cls, groups, entry["gallery_size"],
                                                entry["operational_gallery_size"])
    else:
        if ("fmr", None) not in rates or ("frr", None) not in rates:
            return failed(REPORT, "the cited report states no FMR and FRR counts for class "
                          f"{cls}")
        judged = classes.verification_verdict(cls, rates["fmr", None], rates["frr", None])
    reason = (f"recomputed from the cited report's counts at threshold {entry['threshold']:g}: "
              + "; ".join(judged.reasons) + _own_verdict(entry, judged.passed))
    return passed(reason) if judged.passed else failed(REPORT, reason)


for _id, _title, _class in (("FRS-CNF-001", "Class V-L error-rate limits", "V-L"),
                            ("FRS-CNF-002", "Class V-R error-rate limits", "V-R"),
                            ("FRS-CNF-003", "Class V-H error-rate limits", "V-H")):
    rule(_id, _title, REPORT, classes=(_class,))(class_limits)
rule("FRS-CNF-004", "Class I and P identification limits", REPORT, classes=IDENTIFICATION_CLASSES)(
    class_limits)


@rule("FRS-CNF-005", "Class I and P miss limit", REPORT, classes=IDENTIFICATION_CLASSES)
def fnir_limit(s: Statement) -> Finding:
    """Rank-1 FNIR at the claimed threshold, recomputed from the cited report's counts."""
    found = _class_measurements(s, "FRS-CNF-005")
    if isinstance(found, Finding):
        return found
    entry, rates = found
    if ("fnir", None) not in rates:
        return failed(REPORT, "the cited report states no FNIR counts")
    judged = classes.fnir_verdict(s.conformance_class, rates["fnir", None])
    reason = (f"recomputed from the cited report's counts at threshold {entry['threshold']:g}: "
              + "; ".join(judged.reasons) + _own_verdict(entry, judged.passed))
    return passed(reason) if judged.passed else failed(REPORT, reason)


@rule("FRS-CNF-006", "False-alert budget", REPORT, "/governance/searches_per_day",
      "/governance/alert_reviews_per_day", classes=("P",))
def false_alert_budget(s: Statement) -> Finding:
    """The false alerts expected per day, the highest group's FPIR upper bound times the
    searches made per day, fit the two-person reviews the operator can make per day."""
    searches, reviews = (s.get("/governance/searches_per_day"),
                         s.get("/governance/alert_reviews_per_day"))
    if searches is None or reviews is None:
        return failed("/governance/searches_per_day", "the searches made per day and the "
                      "alerts reviewed per day are not both declared")
    found = _class_measurements(s)
    if isinstance(found, Finding):
        return found
    bounds = {g: r.upper for (name, g), r in found[1].items() if name == "fpir" and g}
    if not bounds:
        return failed(REPORT, "the cited report states no FPIR per demographic group")
    worst = max(bounds, key=bounds.get)
    expected = bounds[worst] * searches
    why = (f"{searches:,} searches a day × FPIR upper bound {bounds[worst]:.3g} (group "
           f"'{worst}') = {expected:.1f} false alerts a day")
    if expected > reviews:
        return failed("/governance/alert_reviews_per_day", f"{why}, more than the {reviews:,} "
                      "alerts two people can verify a day")
    return passed(f"{why}, within the {reviews:,} alerts two people can verify a day")


IDENTIFICATION_KEYS = {"fmr_ratio": "fpir_ratio", "fnmr_ratio": "fnir_ratio"}


def _group_rates(s: Statement) -> tuple[dict, GroupRates] | Finding:
    """The cited report's per-group rates as Rates, with the section that states their
    summary measures: the `demographics` section for a verification class; for Class I
    or P the FPIR and FNIR of each group in the class verdict and its `differentials`
    (FRS-DEM-011), keyed as the `demographics` section is."""
    report = _report(s)
    if isinstance(report, Finding):
        return report
    if s.conformance_class in IDENTIFICATION_CLASSES:
        found = _class_measurements(s)
        if isinstance(found, Finding):
            return found
        entry, rates = found
        fpir = {g: r for (name, g), r in rates.items() if name == "fpir" and g}
        fnir = {g: r for (name, g), r in rates.items() if name == "fnir" and g}
        if "differentials" not in entry:
            return failed(REPORT, "the cited report states no FPIR and FNIR per demographic "
                          "group with their summary measures")
        summary = {k: entry["differentials"][IDENTIFICATION_KEYS.get(k, k)]
                   for k in ("fmr_ratio", "fnmr_ratio", "inequity_rate", "fdr", "garbe",
                             "alpha")}
        return ({"threshold": entry["threshold"], "groups": dict.fromkeys(fpir), **summary},
                GroupRates(entry["threshold"], fpir, fnir))
    section = report.get("demographics")
    if not section:
        return failed(REPORT, "the cited evaluation report states no per-group rates "
                      "(no demographics section)")
    rates = GroupRates(section["threshold"],
                       {g: Rate(r["fmr"]["errors"], r["fmr"]["trials"])
                        for g, r in section["groups"].items()},
                       {g: Rate(r["fnmr"]["errors"], r["fnmr"]["trials"])
                        for g, r in section["groups"].items()})
    return section, rates


def per_group_rates_stated(s: Statement) -> Finding:
    """Per-group rates with their counts, at one threshold (FRS-DEM-001, FRS-DEM-011)."""
    found = _group_rates(s)
    if isinstance(found, Finding):
        return found
    section, rates = found
    return passed(f"{len(rates.fmr)} groups measured at the one threshold "
                  f"{section['threshold']:g}, with their counts")


rule("FRS-DEM-001", "Per-group rates at one global threshold", REPORT,
     classes=VERIFICATION_CLASSES)(per_group_rates_stated)
rule("FRS-DEM-011", "Per-group rates of identification", REPORT, classes=IDENTIFICATION_CLASSES)(
    per_group_rates_stated)


@rule("FRS-DEM-002", "Groups measured", REPORT)
def groups_measured(s: Statement) -> Finding:
    """The report's groups, named 'key=label,...' as frs evaluate names them, cover the
    age bands, sexes and skin tones of clause 7.1."""
    found = _group_rates(s)
    if isinstance(found, Finding):
        return found
    labels = []
    for name in found[0]["groups"]:
        pairs = [part.split("=", 1) for part in name.split(",")]
        if not all(len(pair) == 2 for pair in pairs):
            return not_judged(f"{REPORT}: group '{name}' does not name its labels "
                              "(key=label), so the design cannot be read from the report")
        labels.append(dict(pairs))
    gaps = group_design_gaps(labels)
    if gaps:
        return failed(REPORT, "the cited report's groups lack " + "; ".join(gaps))
    return passed(f"{len(labels)} groups cover every age band, sex and skin-tone group asked")


@rule("FRS-DEM-004", "Group limits", REPORT, classes=VERIFICATION_CLASSES)
def group_limits(s: Statement) -> Finding:
    found = _group_rates(s)
    if isinstance(found, Finding):
        return found
    limits = classes.limits(s.conformance_class)
    verdict = group_limits_verdict(found[1], limits.fmr_max, limits.frr_max)
    reason = "recomputed from the cited report's counts: " + "; ".join(verdict.reasons)
    return passed(reason) if verdict.passed else failed(REPORT, reason)


def _stated_summary(s: Statement, keys: tuple[str, ...]) -> Finding:
    """The summary measures the report states, checked against its own counts."""
    found = _group_rates(s)
    if isinstance(found, Finding):
        return found
    section, rates = found
    recomputed = differentials(rates, section["alpha"])
    wrong = [f"{k} {section[k]:.6g}, but its counts give {getattr(recomputed, k):.6g}"
             for k in keys if abs(section[k] - getattr(recomputed, k)) > 1e-9 * max(
                 1.0, abs(section[k]))]
    if wrong:
        return failed(REPORT, "the cited report states " + "; ".join(wrong))
    return passed(", ".join(f"{k} {section[k]:.4g}" for k in keys) + ", as its counts give")


for _id, _title, _keys in (("FRS-DEM-005", "Max/min ratios", ("fmr_ratio", "fnmr_ratio")),
                           ("FRS-DEM-006", "Inequity rate", ("inequity_rate",)),
                           ("FRS-DEM-007", "Fairness discrepancy rate", ("fdr",)),
                           ("FRS-DEM-008", "GARBE", ("garbe",))):
    rule(_id, _title, REPORT)(lambda s, keys=_keys: _stated_summary(s, keys))


@rule("FRS-DEM-009", "Fairness targets", REPORT, level="should")
def fairness_targets(s: Statement) -> Finding:
    found = _group_rates(s)
    if isinstance(found, Finding):
        return found
    section, rates = found
    verdict = fairness_targets_verdict(rates, section["alpha"])
    reason = "recomputed from the cited report's counts: " + "; ".join(verdict.reasons)
    return passed(reason) if verdict.passed else failed(REPORT, reason)


# ---- Clause 3: capture, notice and consent -------------------------------------------

@rule("FRS-CAP-001", "Separate, explicit, written consent before capture", "/consent/separate",
      "/consent/explicit", "/consent/form", "/consent/before_capture", "/consent/recorded",
      classes=CONSENTING_CLASSES)
def consent_before_capture(s: Statement) -> Finding:
    """Consent is separate, explicit, written or signed, obtained before capture and kept
    as a consent record."""
    if problem := _all_true(s, "/consent/separate", "/consent/explicit",
                            "/consent/before_capture"):
        return problem
    if s.get("/consent/form") not in WRITTEN_CONSENT:
        return failed("/consent/form", f"is {_show(s.get('/consent/form'))}, expected "
                      f"{' or '.join(WRITTEN_CONSENT)}")
    if s.get("/consent/recorded") != "consent-record":
        return failed("/consent/recorded", f"is {_show(s.get('/consent/recorded'))}, "
                      "expected consent-record")
    return passed("separate, explicit consent before capture, kept as consent records")


@rule("FRS-CAP-002", "Content of the notice", "/notice/states")
def notice_content(s: Statement) -> Finding:
    """The notice states the controller and contact, purpose, method, retention, deletion."""
    missing = [e for e in NOTICE_ELEMENTS if e not in s.get("/notice/states", [])]
    if missing:
        return failed("/notice/states", f"the notice does not state: {', '.join(missing)}")
    return passed(f"the notice states all {len(NOTICE_ELEMENTS)} elements")


@rule("FRS-CAP-003", "Consent for children", "/consent/minors/served",
      "/consent/minors/guardian_consent", classes=CONSENTING_CLASSES)
def guardian_consent(s: Statement) -> Finding:
    """People under 14 consent through a parent or guardian."""
    if not s.get("/consent/minors/served"):
        return not_applicable(f"/consent/minors/served is false: no one under {MINOR_AGE} is "
                              "captured")
    return _all_true(s, "/consent/minors/guardian_consent") or passed(
        f"a parent or guardian consents for people under {MINOR_AGE}")


@rule("FRS-CAP-004", "A non-face alternative", "/alternatives/methods")
def non_face_alternative(s: Statement) -> Finding:
    """At least one non-face way in, as convenient as the face."""
    methods = s.get("/alternatives/methods", [])
    if not methods:
        return failed("/alternatives/methods", "no non-face alternative is offered")
    equal = [m["method"] for m in methods if m["equal_convenience"]]
    if not equal:
        return failed("/alternatives/methods", "no alternative is as convenient as the face "
                      f"({', '.join(m['method'] for m in methods)})")
    return passed(f"non-face alternative of equal convenience: {equal[0]}")


@rule("FRS-CAP-005", "Refusal does not deny service", "/alternatives/refusal_denies_service",
      level="shall not")
def refusal_keeps_service(s: Statement) -> Finding:
    """Refusing face recognition does not cost the person the basic service."""
    if s.get("/alternatives/refusal_denies_service") is not False:
        return failed("/alternatives/refusal_denies_service",
                      "a person who refuses face recognition loses the basic service")
    return passed("refusing face recognition keeps the basic service")


@rule("FRS-CAP-006", "No capture inside private spaces", "/capture/locations",
      "/capture/inside_private_space", level="shall not")
def no_capture_in_private_places(s: Statement) -> Finding:
    """No capture device inside a private space of a public place (an open list: the named
    places, and any other the statement declares)."""
    found = [p for p in s.get("/capture/locations", []) if p in FORBIDDEN_PLACES]
    if found:
        return failed("/capture/locations", f"capture devices in {', '.join(found)}")
    if s.get("/capture/inside_private_space") is not False:
        return failed("/capture/inside_private_space", f"is "
                      f"{_show(s.get('/capture/inside_private_space'))}: a capture device may "
                      "be inside a private space")
    return passed("no capture device inside a private space")


def _in_public_place(s: Statement) -> bool:
    return s.conformance_class == "P" or s.get("/capture/public_place") is True


@rule("FRS-CAP-007", "Signage in public places", "/capture/public_place",
      "/capture/prominent_signage")
def public_signage(s: Statement) -> Finding:
    """Every capture area of a system in a public place carries prominent signs."""
    if not _in_public_place(s):
        return not_applicable("/capture/public_place is false: no capture in a public place")
    return _all_true(s, "/capture/prominent_signage") or passed(
        "prominent signs in every capture area")


@rule("FRS-CAP-011", "A collection area limited to the purpose", "/capture/public_place",
      "/capture/collection_area")
def collection_area(s: Statement) -> Finding:
    """A system in a public place captures only within an area drawn no larger than its
    purpose needs, shown on a cited site plan."""
    if not _in_public_place(s):
        return not_applicable("/capture/public_place is false: no capture in a public place")
    if not s.has("/capture/collection_area"):
        return failed("/capture/collection_area", "no collection area is declared")
    return _all_true(s, "/capture/collection_area/limited_to_purpose") or _cited(
        s, "/capture/collection_area/evidence") or passed(
        f"faces are captured only within: {s.get('/capture/collection_area/description')}")


@rule("FRS-CAP-012", "Necessity and least impact, documented before collection",
      "/necessity", "/deployment/collection_start")
def necessity_documented(s: Statement) -> Finding:
    """The purpose, the necessity of the face and the less intrusive methods weighed are
    documented before collection starts."""
    if not s.has("/necessity"):
        return failed("/necessity", "no necessity assessment is declared")
    done, start = s.get("/necessity/documented_on"), s.get("/deployment/collection_start")
    if date.fromisoformat(done) > date.fromisoformat(start):
        return failed("/necessity/documented_on", f"{done} is after collection started "
                      f"({start})")
    return _cited(s, "/necessity/evidence") or passed(
        f"necessity documented on {done}, with "
        f"{len(s.get('/necessity/alternatives_considered'))} less intrusive methods weighed")


@rule("FRS-CAP-013", "Accessible to elderly and disabled people", "/accessibility")
def accessible(s: Statement) -> Finding:
    """The notice, the consent step and the alternative meet a named accessibility standard,
    shown by a cited audit."""
    if not s.has("/accessibility"):
        return failed("/accessibility", "no accessibility standard is declared")
    return _cited(s, "/accessibility/evidence") or passed(
        f"audited against {s.get('/accessibility/standard')}")


@rule("FRS-CAP-014", "No misleading or coercion into face recognition",
      "/consent/prompting/presented_as_required", level="shall not")
def no_coercion(s: Statement) -> Finding:
    """Face recognition is not presented as required, or as needed for better service."""
    if s.get("/consent/prompting/presented_as_required") is not False:
        return failed("/consent/prompting/presented_as_required", "face recognition is "
                      "presented as required although the service is available without it")
    return passed("face recognition is offered as a choice")


@rule("FRS-CAP-015", "No repeated prompting after a refusal",
      "/consent/prompting/asks_again_after_refusal", level="shall not")
def no_repeated_prompting(s: Statement) -> Finding:
    """A person who declined is not asked again unless they turn face recognition on."""
    if s.get("/consent/prompting/asks_again_after_refusal") is not False:
        return failed("/consent/prompting/asks_again_after_refusal", "a person who declined "
                      "face recognition is asked again")
    return passed("a refusal is not followed by further prompts")


@rule("FRS-CAP-016", "Withdrawal as easy as consent", "/consent/withdrawal/as_easy_as_consent",
      classes=CONSENTING_CLASSES)
def easy_withdrawal(s: Statement) -> Finding:
    """Withdrawing consent takes no more steps, and no fewer channels, than giving it."""
    return _all_true(s, "/consent/withdrawal/as_easy_as_consent") or passed(
        f"consent is withdrawn as easily as it is given ({s.get('/consent/withdrawal/method')})")


@rule("FRS-CAP-017", "New consent for a new purpose or method", "/consent/renewed_on_change",
      classes=CONSENTING_CLASSES)
def consent_renewed_on_change(s: Statement) -> Finding:
    """A new purpose or method of recognition waits for new consent."""
    return _all_true(s, "/consent/renewed_on_change") or passed(
        "a new purpose or method is used only after new consent")


@rule("FRS-CAP-008", "Public-space purposes limited to public safety", "/purposes",
      classes=("P",))
def public_safety_only(s: Statement) -> Finding:
    """A Class P system declares public safety as its only purpose."""
    other = [p["description"] for p in s.get("/purposes", [])
             if p["category"] != "public-safety"]
    if other:
        return failed("/purposes", f"purposes other than public safety: {'; '.join(other)}")
    return passed("every purpose is public safety")


@rule("FRS-CAP-009", "An explicit action shows intent", "/capture/intent_action",
      classes=VERIFICATION_CLASSES)
def explicit_intent(s: Statement) -> Finding:
    """Verification starts only on an explicit action of the person."""
    action = s.get("/capture/intent_action")
    if action not in ("button", "tap", "gesture"):
        return failed("/capture/intent_action", f"is {_show(action)}: no explicit action "
                      "establishes the person's intent to be verified")
    return passed(f"intent is established by a {action}")


@rule("FRS-CAP-010", "No inference of personal characteristics", "/inferences",
      level="shall not")
def no_forbidden_inference(s: Statement) -> Finding:
    """Face data is not used to infer performance, economic status, health, tastes."""
    found = [i for i in s.get("/inferences", []) if i in FORBIDDEN_INFERENCES]
    if found:
        return failed("/inferences", f"face data is used to infer {', '.join(found)}")
    return passed("no forbidden inference from face data")


# ---- Clause 5: templates and interchange ----------------------------------------------

@rule("FRS-TPL-002", "Remote interfaces return decisions, not scores",
      "/security/api_returns_scores", level="shall not", classes=("V-R", "V-H", "I", "P"))
def no_scores_returned(s: Statement) -> Finding:
    if s.get("/security/api_returns_scores") is not False:
        return failed("/security/api_returns_scores", "a remote interface returns scores, "
                      "which enables hill-climbing attacks")
    return passed("remote interfaces return accept or reject only")


@rule("FRS-TPL-003", "Face data apart from identity data", "/storage/separated_from_identity")
def separated_storage(s: Statement) -> Finding:
    return _all_true(s, "/storage/separated_from_identity") or passed(
        "templates and images are stored apart from identity data")


@rule("FRS-TPL-004", "Protection against replay", "/security/replay_protection",
      classes=("V-R", "V-H"))
def replay_protection(s: Statement) -> Finding:
    method = s.get("/security/replay_protection")
    if method not in ("nonce", "challenge-response", "signed-timestamp"):
        return failed("/security/replay_protection", f"is {_show(method)}: authentication "
                      "data can be replayed")
    return passed(f"replay is prevented by {method}")


@rule("FRS-TPL-001", "What a template carries", "/storage/template_format")
def template_format(s: Statement) -> Finding:
    """Stored templates are FRS template objects, which carry the metadata clause 5 lists."""
    if s.get("/storage/template_format") != "frs-template":
        return failed("/storage/template_format", "templates are in a proprietary format "
                      "that does not carry algorithm, version, dimension, dtype and "
                      "normalisation")
    return passed("templates are FRS template objects")


# ---- Clause 6: test conditions -------------------------------------------------------

@rule("FRS-ACC-022", "Tests follow ISO/IEC 19795-1", "/testing/follows_iso_19795_1")
def follows_19795_1(s: Statement) -> Finding:
    return _all_true(s, "/testing/follows_iso_19795_1") or passed(
        "the evaluation followed ISO/IEC 19795-1")


@rule("FRS-ACC-023", "Zero-effort impostors", "/testing/zero_effort_impostors")
def zero_effort_impostors(s: Statement) -> Finding:
    return _all_true(s, "/testing/zero_effort_impostors") or passed(
        "FMR and FPIR come from zero-effort impostor comparisons only")


@rule("FRS-ACC-024", "Independent retest after every update", "/testing/algorithm_version",
      "/testing/independent_test")
def independent_retest(s: Statement) -> Finding:
    """The version in service is the one an independent laboratory last tested."""
    base = "/testing/independent_test"
    if problem := _all_true(s, f"{base}/independent"):
        return problem
    in_service, tested = s.get("/testing/algorithm_version"), s.get(f"{base}/algorithm_version")
    if tested != in_service:
        return failed(f"{base}/algorithm_version", f"the laboratory tested version {tested}, "
                      f"but version {in_service} is in service")
    if problem := _cited(s, f"{base}/evidence"):
        return problem
    reported = (_local_json(s, f"{base}/evidence") or {}).get("system", {})
    if reported and reported.get("algorithm_version") != in_service:
        return failed(f"{base}/evidence", f"the cited report evaluated version "
                      f"{reported.get('algorithm_version')}, not {in_service}")
    return passed(f"version {in_service}, as tested by {s.get(base + '/laboratory')}")


@rule("FRS-ACC-025", "Operational testing like the deployment",
      "/testing/operational_test/deployment_conditions")
def operational_test(s: Statement) -> Finding:
    return _all_true(s, "/testing/operational_test/deployment_conditions") or passed(
        "operational performance was assessed on the deployment's devices and conditions")


@rule("FRS-ACC-026", "Voluntary participation in operational tests",
      "/testing/operational_test/real_users")
def voluntary_participation(s: Statement) -> Finding:
    users = s.get("/testing/operational_test/real_users")
    if users == "none":
        return not_applicable("/testing/operational_test/real_users is none: no real user "
                              "took part")
    if users != "volunteers":
        return failed("/testing/operational_test/real_users", f"is {users}: real users took "
                      "part who could not decline")
    return passed("only volunteers took part in the operational test")


# ---- Clause 7: demographic fairness ---------------------------------------------------

@rule("FRS-DEM-010", "Redress and remediation", "/fairness/differentials_found",
      "/fairness/redress", "/fairness/remediation_plan")
def redress_and_remediation(s: Statement) -> Finding:
    """Differentials beyond clause 7's limits bring redress and a cited remediation plan."""
    if not s.get("/fairness/differentials_found"):
        return not_applicable("/fairness/differentials_found is false: no differential "
                              "beyond the limits and targets of clause 7")
    for field, what in (("/fairness/redress", "no redress is offered"),
                        ("/fairness/remediation_plan", "no remediation plan is cited")):
        if not s.get(field):
            return failed(field, f"differentials were found and {what}")
    return _cited(s, "/fairness/remediation_plan") or passed(
        f"redress at {s.get('/fairness/redress')}, with a remediation plan")


# ---- Clause 8: presentation attack detection ------------------------------------------

def _pad_implemented(s: Statement) -> Finding:
    level = s.get("/pad/level")
    if level not in IAPAR_LIMITS:
        return failed("/pad/level", f"is {_show(level)}: the system has no PAD")
    return passed(f"PAD at Level {level}")


def _pad_section(s: Statement) -> dict | None:
    """The `pad` section of the cited local PAD report; None when the report is a URL."""
    report = _local_json(s, "/pad/evidence")
    return None if report is None else report.get("pad", {})


@rule("FRS-PAD-009", "PAD for remote and high-assurance verification", "/pad/level",
      classes=("V-R", "V-H"))
def pad_required(s: Statement) -> Finding:
    """Classes V-R and V-H implement PAD at Level B, which meets either SP 800-63A-4 text."""
    if s.get("/pad/level") != "B":
        return failed("/pad/level", f"is {_show(s.get('/pad/level'))}: Class "
                      f"{s.conformance_class} needs PAD at Level B")
    return passed("PAD at Level B")


@rule("FRS-PAD-012", "PAD for consensual identification", "/pad/level", classes=("I",))
def pad_required_for_identification(s: Statement) -> Finding:
    return _pad_implemented(s)


@rule("FRS-PAD-010", "PAD for device-local verification", "/pad/level", level="should",
      classes=("V-L",))
def pad_recommended(s: Statement) -> Finding:
    return _pad_implemented(s)


@rule("FRS-PAD-005", "IAPAR limits", "/pad/level", "/pad/evidence")
def iapar_limits(s: Statement) -> Finding:
    """The cited PAD report's IAPAR bounds meet the limit of the declared level."""
    level = s.get("/pad/level")
    if level not in IAPAR_LIMITS:
        return not_applicable("/pad/level declares no PAD level")
    if (problem := _cited(s, "/pad/evidence")) or (pad := _pad_section(s)) is None:
        return problem or not_judged(f"Level {level} claimed; the cited PAD report is at a "
                                     "URL, which frs conform does not fetch")
    # Recomputed from the report's counts, never read from its stated intervals.
    rates = {name: Rate(rate["errors"], rate["trials"])
             for name, rate in pad.get("iapar", {}).items() if name in LEVEL_SPECIES[level]}
    verdict = pad_level_verdict(level, rates)
    if not verdict.passed:
        return failed("/pad/evidence", "; ".join(verdict.reasons))
    return passed("; ".join(verdict.reasons))


@rule("FRS-PAD-006", "PAI species of each level", "/pad/level", "/pad/evidence")
def level_species(s: Statement) -> Finding:
    """The cited PAD test used every PAI species of the declared level."""
    level = s.get("/pad/level")
    if level not in IAPAR_LIMITS:
        return not_applicable("/pad/level declares no PAD level")
    if (problem := _cited(s, "/pad/evidence")) or (pad := _pad_section(s)) is None:
        return problem or not_judged(f"Level {level} claimed; the cited PAD report is at a "
                                     "URL, which frs conform does not fetch")
    missing = missing_species(level, set(pad.get("attack", {})) | set(pad.get("iapar", {})))
    if missing:
        return failed("/pad/evidence", f"the cited PAD test did not use: {', '.join(missing)}")
    return passed(f"the cited PAD test used every Level {level} species")


@rule("FRS-PAD-011", "Throttling of failed attempts", "/throttling", "/pad/level",
      "/pad/evidence", classes=VERIFICATION_CLASSES)
def throttling(s: Statement) -> Finding:
    """Failed attempts are delayed, then biometric authentication is disabled; the larger
    allowance needs a PAD whose cited evaluation meets FRS-PAD-005."""
    if not s.has("/throttling"):
        return failed("/throttling", "no limit on consecutive failed attempts is declared")
    pad = iapar_limits(s) if s.get("/pad/level") in IAPAR_LIMITS else None
    unknown = pad is not None and pad.verdict == NOT_JUDGED
    allowed = pad is not None and pad.verdict == PASS
    needs_allowance = []
    for field, limits in (("failures_before_delay", FAILURES_BEFORE_DELAY),
                          ("failures_before_disable", FAILURES_BEFORE_DISABLE)):
        declared = s.get(f"/throttling/{field}")
        if declared <= limits[allowed]:
            continue
        if unknown and declared <= limits[True]:
            needs_allowance.append(f"{declared} failures before {field.split('_')[-1]}")
            continue
        why = ("with a PAD that meets FRS-PAD-005" if allowed or unknown else "without PAD"
               if pad is None else f"its PAD does not meet FRS-PAD-005: {pad.reason}")
        return failed(f"/throttling/{field}", f"{declared} failures allowed, more than "
                      f"{limits[allowed or unknown]} ({why})")
    delayed = s.get("/throttling/failures_before_disable") > \
        s.get("/throttling/failures_before_delay")  # otherwise no attempt is ever delayed
    if delayed and s.get("/throttling/delay_seconds") < MIN_THROTTLE_DELAY_S:
        return failed("/throttling/delay_seconds", f"{s.get('/throttling/delay_seconds'):g} s, "
                      f"less than {MIN_THROTTLE_DELAY_S} s")
    if needs_allowance:
        return not_judged(f"{' and '.join(needs_allowance)} need a PAD that meets "
                          f"FRS-PAD-005, which is not judged here ({pad.reason})")
    return passed(f"a delay after {s.get('/throttling/failures_before_delay')} failures, "
                  f"disabled after {s.get('/throttling/failures_before_disable')}")


@rule("FRS-PAD-013", "Injection attack detection", "/pad/injection_test",
      classes=("V-R", "V-H"))
def injection_attack_test(s: Statement) -> Finding:
    """A test against injection attack instruments, apart from PAD, after CEN/TS 18099."""
    base = "/pad/injection_test"
    if not s.has(base):
        return failed(base, "no injection attack test is declared")
    if problem := _all_true(s, f"{base}/follows_cen_ts_18099"):
        return problem
    missing = [i for i in INJECTION_INSTRUMENTS if i not in s.get(f"{base}/instruments", [])]
    if missing:
        return failed(f"{base}/instruments", f"not tested: {', '.join(missing)}")
    return _cited(s, f"{base}/evidence") or passed(
        "tested against a virtual camera, an injected stream and an injected deepfake, "
        "after CEN/TS 18099")


@rule("FRS-PAD-014", "Morphing attack potential measured at enrolment", "/pad/morphing_test")
def morphing_attack_test(s: Statement) -> Finding:
    """Enrolment from images the operator did not capture is tested against morphs per
    ISO/IEC 20059, with MAP in the cited report (`frs metrics morphing`)."""
    base = "/pad/morphing_test"
    if not s.has(base):
        return failed(base, "not stated: whether enrolment accepts face images the operator "
                      "did not capture itself (clause 8.6)")
    if s.get(f"{base}/enrolment_images") == "operator-captured":
        return not_applicable("enrolment takes only images the operator captures itself")
    return _all_true(s, f"{base}/follows_iso_20059") or _cited(s, f"{base}/evidence") or passed(
        "enrolment from supplied images is tested against morphs after ISO/IEC 20059, with "
        "MAP reported")


# ---- Clause 9: data protection and template protection --------------------------------

@rule("FRS-DPR-001", "Face data is sensitive data", "/data_protection/special_category")
def special_category(s: Statement) -> Finding:
    return _all_true(s, "/data_protection/special_category") or passed(
        "face data is handled as special-category personal data")


@rule("FRS-DPR-002", "Impact assessment before deployment",
      "/data_protection/impact_assessment", "/deployment/collection_start")
def impact_assessment(s: Statement) -> Finding:
    done = s.get("/data_protection/impact_assessment/completed_on")
    if done is None:
        return failed("/data_protection/impact_assessment", "no impact assessment is declared")
    start = s.get("/deployment/collection_start")
    if date.fromisoformat(done) > date.fromisoformat(start):
        return failed("/data_protection/impact_assessment/completed_on",
                      f"{done} is after collection started ({start})")
    return _cited(s, "/data_protection/impact_assessment/evidence") or passed(
        f"impact assessment completed on {done}, before collection ({start})")


@rule("FRS-DPR-003", "Face data stays on the device unless law or consent",
      "/storage/transmitted", "/storage/transfer_basis", level="shall not")
def transfer_basis(s: Statement) -> Finding:
    if not s.get("/storage/transmitted"):
        return passed("face data does not leave the capture device")
    basis = s.get("/storage/transfer_basis")
    if basis not in ("law", "separate-consent"):
        return failed("/storage/transfer_basis", f"is {_show(basis)}: face data leaves the "
                      "device without a legal requirement or separate consent")
    return passed(f"face data leaves the device on the basis of {basis}")


@rule("FRS-DPR-014", "Class V-L compares on the device", "/storage/templates",
      "/storage/comparison", classes=("V-L",))
def device_comparison(s: Statement) -> Finding:
    """A V-L system keeps its references and compares on the person's own device."""
    for field in ("/storage/templates", "/storage/comparison"):
        if s.get(field) != "device":
            return failed(field, f"is {_show(s.get(field))}: Class V-L keeps references and "
                          "compares on the person's device")
    return passed("references are kept and compared on the person's device")


@rule("FRS-DPR-004", "Comparison on the device", "/storage/comparison", level="should",
      classes=("V-H",))
def local_comparison(s: Statement) -> Finding:
    where = s.get("/storage/comparison")
    if where != "device":
        return failed("/storage/comparison", f"comparison is made on a {where}")
    return passed("comparison is made on the device")


@rule("FRS-DPR-005", "Controls for central comparison", "/security/controls",
      classes=("V-R", "I", "P"))
def central_controls(s: Statement) -> Finding:
    missing = [c for c in CENTRAL_CONTROLS if c not in s.get("/security/controls", [])]
    if missing:
        return failed("/security/controls", f"missing: {', '.join(missing)}")
    return passed("samples arrive from an authenticated sensor over an authenticated "
                  "protected channel")


@rule("FRS-DPR-013", "Security controls for face data", "/security/controls")
def security_controls(s: Statement) -> Finding:
    """Encryption, security audit, access control, authorization management, intrusion
    detection and prevention protect stored face data."""
    missing = [c for c in SECURITY_CONTROLS if c not in s.get("/security/controls", [])]
    if missing:
        return failed("/security/controls", f"missing: {', '.join(missing)}")
    return passed(f"all {len(SECURITY_CONTROLS)} controls protect stored face data")


@rule("FRS-DPR-006", "Encryption of stored templates", "/security/template_encryption")
def template_encryption(s: Statement) -> Finding:
    base = "/security/template_encryption"
    if s.get(f"{base}/algorithm") == "none":
        return failed(f"{base}/algorithm", "stored templates are not encrypted")
    if problem := _all_true(s, f"{base}/metadata_bound", f"{base}/key_ids"):
        return problem
    days = s.get(f"{base}/key_rotation_days")
    if days is None or days > MAX_KEY_ROTATION_DAYS:
        return failed(f"{base}/key_rotation_days", f"is {_show(days)}, expected at most "
                      f"{MAX_KEY_ROTATION_DAYS}")
    return passed(f"{s.get(base + '/algorithm')} with bound metadata, key ids, keys rotated "
                  f"within {days} days")


@rule("FRS-DPR-007", "No raw images kept without written consent",
      "/raw_images/retained_after_comparison", "/raw_images/separate_written_consent",
      level="shall not")
def no_raw_images(s: Statement) -> Finding:
    if s.get("/raw_images/retained_after_comparison") and \
            not s.get("/raw_images/separate_written_consent"):
        return failed("/raw_images/retained_after_comparison", "raw face images are kept "
                      "after comparison without separate written consent")
    if s.get("/raw_images/retained_after_comparison"):
        return passed("raw images are kept only with separate written consent")
    return passed("raw images are not kept after comparison")


def _central(s: Statement) -> str | None:
    """Where face data leaves the person's device (stored or compared on a server or in a
    cloud), or None when it never does: the architecture clause 9.3 applies to."""
    away = [f"{f} on a {s.get(f'/storage/{f}')}" for f in ("templates", "comparison")
            if s.get(f"/storage/{f}") != "device"]
    return " and ".join(away) or None


@rule("FRS-DPR-008", "Protected references", "/template_protection", "/storage/templates",
      "/storage/comparison")
def protected_references(s: Statement) -> Finding:
    if (where := _central(s)) is None:
        return not_applicable("templates are stored and compared on the device")
    if not s.has("/template_protection"):
        return failed("/template_protection", f"stored references are not protected ({where})")
    return _all_true(s, "/template_protection/irreversible", "/template_protection/unlinkable",
                     "/template_protection/renewable") or passed(
        f"references are irreversible, unlinkable and renewable "
        f"({s.get('/template_protection/scheme')})")


@rule("FRS-DPR-009", "Unlinkability of protected templates", "/template_protection/d_sys",
      "/template_protection/evidence", "/storage/templates", "/storage/comparison")
def unlinkability_claim(s: Statement) -> Finding:
    if _central(s) is None:
        return not_applicable("templates are stored and compared on the device")
    return _protection_claim(s, "d_sys", MAX_D_SYS, lambda v: f"D↔sys = {v:g} exceeds "
                             f"{MAX_D_SYS:g}", lambda v: f"D↔sys = {v:g} ≤ {MAX_D_SYS:g}")


@rule("FRS-DPR-010", "Accuracy cost of protection", "/template_protection/fnmr_increase",
      "/template_protection/fnir_increase", "/template_protection/evidence",
      "/storage/templates", "/storage/comparison")
def protection_cost_claim(s: Statement) -> Finding:
    """FNMR at the class FMR for verification; rank-1 FNIR at FPIR 1e-3 for 1:N (B.7)."""
    if _central(s) is None:
        return not_applicable("templates are stored and compared on the device")
    rate = "FNIR" if s.conformance_class in IDENTIFICATION_CLASSES else "FNMR"
    return _protection_claim(
        s, f"{rate.lower()}_increase", MAX_FNMR_INCREASE,
        lambda v: f"{rate} rises by {v:.2%}, more than {MAX_FNMR_INCREASE:.0%} (one "
                  "percentage point)",
        lambda v: f"{rate} changes by {v * 100:+.2f} percentage points")


def _protection_claim(s: Statement, name: str, limit: float,
                      too_high: Callable[[float], str], fine: Callable[[float], str]
                      ) -> Finding:
    """A measured cost of template protection: stated, within its limit, no better than
    the cited report measured, and cited."""
    field = f"/template_protection/{name}"
    value = s.get(field)
    if value is None:
        return needs_evidence(f"{field} is not stated")
    if value > limit:
        return failed(field, too_high(value))
    measured = _measured(s, name)
    if measured is not None and measured > value + 1e-9:
        return failed(field, f"claims {value:g} but the cited report measured {measured:g}")
    return _cited(s, "/template_protection/evidence") or passed(fine(value))


STOLEN_KEY_RATES = ("sra_inversion", "sra_comparison", "sra_after_renewal")  # FRS-DPR-020


@rule("FRS-DPR-020", "Irreversibility and renewability with a stolen key",
      "/template_protection/evidence", "/storage/templates", "/storage/comparison")
def stolen_key_rates(s: Statement) -> Finding:
    """The cited protection report states the three success rates of the stolen-key
    attack (`frs protection-cost` measures them); no limit applies to them."""
    if _central(s) is None:
        return not_applicable("templates are stored and compared on the device")
    field = "/template_protection/evidence"
    problem = _cited(s, field)
    if problem:
        return problem
    entry = s.evidence(s.get(field))
    if entry["type"] != "protection-report":
        return needs_evidence(f"{field} cites a {entry['type']}, not a protection-report")
    report = _local_json(s, field)
    if report is None:
        return not_judged(f"the protection report {entry['url']} is not a local file, which "
                          "alone is read")
    attack = report.get("stolen_key")
    if not isinstance(attack, dict) or not all(
            isinstance(attack.get(n), int | float) for n in STOLEN_KEY_RATES):
        return needs_evidence(f"/evidence '{entry['id']}': the protection report states no "
                              f"stolen-key success rates ({', '.join(STOLEN_KEY_RATES)}; "
                              "`frs protection-cost` measures them)")
    return passed("with the key stolen, the pre-image is accepted at rates "
                  + ", ".join(f"{n} {attack[n]:.4g}" for n in STOLEN_KEY_RATES))


@rule("FRS-DPR-011", "Samples zeroised after derivation", "/data_protection/samples_zeroised")
def samples_zeroised(s: Statement) -> Finding:
    return _all_true(s, "/data_protection/samples_zeroised") or passed(
        "samples are zeroised after the template is derived")


@rule("FRS-DPR-012", "No sale of face data", "/data_protection/sold_or_leased",
      level="shall not")
def not_sold(s: Statement) -> Finding:
    if s.get("/data_protection/sold_or_leased") is not False:
        return failed("/data_protection/sold_or_leased", "face data is sold, leased or traded")
    return passed("face data is not sold, leased or traded")


@rule("FRS-DPR-015", "No provision to another controller without separate consent",
      "/sharing/third_parties", level="shall not")
def provision_with_consent(s: Statement) -> Finding:
    """Each recipient was named to the person, who gave separate consent."""
    recipients = s.get("/sharing/third_parties")
    if recipients is None:
        return failed("/sharing/third_parties", "is absent: declare the recipients, or none")
    for index, r in enumerate(recipients):
        for field in ("person_told", "separate_consent"):
            if r[field] is not True:
                return failed(f"/sharing/third_parties/{index}/{field}", f"face data goes to "
                              f"{r['recipient']} without {field.replace('_', ' ')}")
    return passed(f"{len(recipients)} recipients, each with separate consent" if recipients
                  else "face data is given to no other controller")


@rule("FRS-DPR-016", "Processors bound by contract", "/sharing/processors")
def processors_under_contract(s: Statement) -> Finding:
    """Every processor is bound by a cited contract."""
    processors = s.get("/sharing/processors")
    if processors is None:
        return failed("/sharing/processors", "is absent: declare the processors, or none")
    for index in range(len(processors)):
        if problem := _cited(s, f"/sharing/processors/{index}/contract"):
            return problem
    return passed(f"{len(processors)} processors, each under a cited contract" if processors
                  else "no processor handles face data")


@rule("FRS-DPR-017", "No transfer abroad without separate consent and a lawful mechanism",
      "/sharing/cross_border", level="shall not")
def cross_border_transfer(s: Statement) -> Finding:
    """A transfer out of the jurisdiction has separate consent and a lawful mechanism."""
    if not s.has("/sharing/cross_border"):
        return failed("/sharing/cross_border", "is absent: declare whether face data leaves "
                      "the jurisdiction")
    if not s.get("/sharing/cross_border/transfers"):
        return passed("face data stays in the jurisdiction where it was collected")
    if problem := _all_true(s, "/sharing/cross_border/separate_consent"):
        return problem
    mechanism = s.get("/sharing/cross_border/mechanism")
    if not mechanism or mechanism == "none":
        return failed("/sharing/cross_border/mechanism", "face data leaves the jurisdiction "
                      "without a mechanism its law provides")
    return passed(f"transfers abroad with separate consent under {mechanism}")


@rule("FRS-DPR-018", "No public disclosure of face data", "/sharing/publicly_disclosed",
      level="shall not")
def not_disclosed(s: Statement) -> Finding:
    if s.get("/sharing/publicly_disclosed") is not False:
        return failed("/sharing/publicly_disclosed", "face data is disclosed to the public")
    return passed("face data is not disclosed to the public")


@rule("FRS-DPR-019", "Breach response and notification", "/incident_response")
def breach_response(s: Statement) -> Finding:
    """A cited plan notifies the authority within 72 hours and the people affected."""
    if not s.has("/incident_response"):
        return failed("/incident_response", "no incident response plan is declared")
    missing = [n for n in ("supervisory-authority", "affected-people")
               if n not in s.get("/incident_response/notifies")]
    if missing:
        return failed("/incident_response/notifies", f"the plan does not notify: "
                      f"{', '.join(missing)}")
    hours = s.get("/incident_response/authority_within_hours")
    if hours > MAX_AUTHORITY_NOTICE_HOURS:
        return failed("/incident_response/authority_within_hours", f"{hours} hours, more than "
                      f"{MAX_AUTHORITY_NOTICE_HOURS}")
    return _cited(s, "/incident_response/plan") or passed(
        f"the plan notifies the authority within {hours} hours and the people affected")


# ---- Clause 10: retention and deletion ------------------------------------------------

@rule("FRS-RET-001", "A published retention schedule before collection",
      "/retention/schedule_url", "/retention/schedule_published_on",
      "/deployment/collection_start")
def retention_schedule(s: Statement) -> Finding:
    published = s.get("/retention/schedule_published_on")
    start = s.get("/deployment/collection_start")
    if not s.get("/retention/schedule_url") or published is None:
        return failed("/retention/schedule_url", "no published retention schedule")
    if date.fromisoformat(published) > date.fromisoformat(start):
        return failed("/retention/schedule_published_on", f"{published} is after collection "
                      f"started ({start})")
    return passed(f"schedule published on {published}, before collection ({start})")


@rule("FRS-RET-002", "Retention limit", "/retention/max_days_after_last_use",
      "/retention/until_purpose_met")
def retention_limit(s: Statement) -> Finding:
    days = s.get("/retention/max_days_after_last_use")
    if days is None:
        return failed("/retention/max_days_after_last_use", "no retention limit")
    if days > MAX_RETENTION_DAYS:
        return failed("/retention/max_days_after_last_use", f"{days} days exceeds "
                      f"{MAX_RETENTION_DAYS} (3 years)")
    return _all_true(s, "/retention/until_purpose_met") or passed(
        f"deleted when the purpose is met or {days} days after the last interaction")


@rule("FRS-RET-003", "Deletion on request", "/retention/deletion_request")
def deletion_on_request(s: Statement) -> Finding:
    base = "/retention/deletion_request"
    if problem := _all_true(s, f"{base}/supported"):
        return problem
    days = s.get(f"{base}/max_working_days")
    if days > MAX_DELETION_WORKING_DAYS:
        return failed(f"{base}/max_working_days", f"{days} working days exceeds "
                      f"{MAX_DELETION_WORKING_DAYS}")
    missing = [c for c in DELETION_STORES if c not in s.get(f"{base}/covers", [])]
    if missing:
        return failed(f"{base}/covers", f"deletion does not reach: {', '.join(missing)}")
    return passed(f"all face data deleted on request within {days} working days")


@rule("FRS-RET-004", "An audit event for every deletion", "/retention/deletion_request/audit_event")
def deletion_audited(s: Statement) -> Finding:
    return _all_true(s, "/retention/deletion_request/audit_event") or passed(
        "each deletion writes a deletion audit event")


@rule("FRS-RET-005", "Probe images deleted after comparison", "/retention/probe_images",
      "/raw_images/separate_written_consent")
def probe_deletion(s: Statement) -> Finding:
    """Probes are deleted when the comparison ends; only the review hold (FRS-RET-008) of
    an identification system, or written consent (FRS-DPR-007), keeps one longer."""
    kept = s.get("/retention/probe_images")
    if kept == "deleted-after-comparison":
        return passed("probe images are deleted when the comparison ends")
    if kept == "held-for-review" and s.conformance_class in IDENTIFICATION_CLASSES:
        return passed("probes are deleted when the comparison ends, except those held for "
                      "review (FRS-RET-008)")
    if kept == "kept" and s.get("/raw_images/separate_written_consent"):
        return passed("probes are kept only with separate written consent (FRS-DPR-007)")
    return failed("/retention/probe_images", f"is {_show(kept)}: probe images are kept after "
                  "comparison without a review hold or written consent")


@rule("FRS-RET-008", "A bounded, encrypted hold of probes for human review",
      "/retention/probe_images", "/retention/review_hold", classes=IDENTIFICATION_CLASSES)
def review_hold(s: Statement) -> Finding:
    """Held probes are encrypted, deleted when review and redress close, within 30 days."""
    if s.get("/retention/probe_images") != "held-for-review":
        return not_applicable("/retention/probe_images is not held-for-review: no probe is "
                              "held")
    if not s.has("/retention/review_hold"):
        return failed("/retention/review_hold", "probes are held with no declared bounds")
    if problem := _all_true(s, "/retention/review_hold/encrypted",
                            "/retention/review_hold/until_review_and_redress_closed"):
        return problem
    days = s.get("/retention/review_hold/max_days")
    if days > MAX_REVIEW_HOLD_DAYS:
        return failed("/retention/review_hold/max_days", f"{days} days, more than "
                      f"{MAX_REVIEW_HOLD_DAYS}")
    return passed(f"held probes are encrypted and deleted within {days} days")


@rule("FRS-RET-006", "Disposal when the service ends or changes hands",
      "/retention/disposal_covers")
def disposal_policy(s: Statement) -> Finding:
    missing = [e for e in ("cessation", "merger", "transfer")
               if e not in s.get("/retention/disposal_covers", [])]
    if missing:
        return failed("/retention/disposal_covers", f"does not cover: {', '.join(missing)}")
    return passed("the disposal policy covers cessation, merger and transfer")


@rule("FRS-RET-007", "Withdrawal of consent deletes the data",
      "/consent/withdrawal/deletes_data", classes=CONSENTING_CLASSES)
def withdrawal_deletes(s: Statement) -> Finding:
    return _all_true(s, "/consent/withdrawal/deletes_data") or passed(
        "a withdrawal is handled as a deletion request")


# ---- Clause 11: audit, transparency and governance ------------------------------------

@rule("FRS-AUD-001", "Published data practices", "/transparency/practices_url",
      "/transparency/practices_cover")
def published_practices(s: Statement) -> Finding:
    missing = [t for t in ("data-collected", "uses", "storage", "protection", "removal")
               if t not in s.get("/transparency/practices_cover", [])]
    if missing:
        return failed("/transparency/practices_cover", f"the published practices do not "
                      f"describe: {', '.join(missing)}")
    return passed(f"practices published at {s.get('/transparency/practices_url')}")


@rule("FRS-AUD-002", "Published test results", "/transparency/results_url", "/evidence")
def published_results(s: Statement) -> Finding:
    if not s.get("/transparency/results_url"):
        return failed("/transparency/results_url", "test results are not published")
    reports = [e for e in s.get("/evidence", []) if e["type"] == "evaluation-report"]
    if not reports:
        return needs_evidence("/evidence lists no evaluation report")
    if problem := _evidence_problem(s, reports[0]):
        return problem
    return passed(f"results published at {s.get('/transparency/results_url')}")


def filing_due(threshold_reached: date) -> date:
    """When the filing of FRS-AUD-003 is due for a threshold reached on that day."""
    if threshold_reached < MEASURES_IN_FORCE:
        return TRANSITIONAL_FILING_DUE
    return add_working_days(threshold_reached, FILING_WORKING_DAYS)


@rule("FRS-AUD-003", "Filing with the supervisory authority", "/governance/enrolled_people",
      "/governance/threshold_reached_on", "/governance/authority_filing_on")
def authority_filing(s: Statement) -> Finding:
    """Filed within 30 working days of the day the threshold was reached (by 14 July 2025
    when it was reached before the Measures took effect)."""
    people = s.get("/governance/enrolled_people")
    reached = s.get("/governance/threshold_reached_on")
    if people < FILING_THRESHOLD and reached is None:
        return not_applicable(f"{people:,} people enrolled, fewer than {FILING_THRESHOLD:,}")
    if reached is None:
        return failed("/governance/threshold_reached_on", f"{people:,} people enrolled but "
                      "the day the number reached 100 000 is not declared")
    filed = s.get("/governance/authority_filing_on")
    due = filing_due(date.fromisoformat(reached))
    if filed is None:
        return failed("/governance/authority_filing_on", f"the threshold was reached on "
                      f"{reached} and there is no filing (due {due})")
    if date.fromisoformat(filed) > due:
        return failed("/governance/authority_filing_on", f"filed on {filed}, after the "
                      f"deadline {due} (threshold reached on {reached})")
    return passed(f"filed on {filed}, by the deadline {due}")


def _filed(s: Statement) -> bool:
    return s.get("/governance/authority_filing_on") is not None


@rule("FRS-AUD-009", "Filing updated after a material change", "/governance/filing_changes")
def filing_updated(s: Statement) -> Finding:
    """Each material change is filed within 30 working days of it."""
    if not _filed(s):
        return not_applicable("/governance/authority_filing_on is absent: nothing was filed")
    changes = s.get("/governance/filing_changes", [])
    for index, change in enumerate(changes):
        due = add_working_days(date.fromisoformat(change["changed_on"]), FILING_WORKING_DAYS)
        filed = change.get("filed_on")
        if filed is None or date.fromisoformat(filed) > due:
            return failed(f"/governance/filing_changes/{index}", f"the change of "
                          f"{change['changed_on']} was filed {filed or 'never'}, due {due}")
    return passed(f"{len(changes)} material changes, each filed in time" if changes
                  else "no material change since the filing")


@rule("FRS-AUD-010", "Filing cancelled when processing stops",
      "/governance/processing_stopped_on", "/governance/filing_cancelled_on")
def filing_cancelled(s: Statement) -> Finding:
    """A filing is cancelled within 30 working days of processing stopping."""
    stopped = s.get("/governance/processing_stopped_on")
    if not _filed(s) or stopped is None:
        return not_applicable("nothing was filed, or processing has not stopped")
    due = add_working_days(date.fromisoformat(stopped), FILING_WORKING_DAYS)
    cancelled = s.get("/governance/filing_cancelled_on")
    if cancelled is None or date.fromisoformat(cancelled) > due:
        return failed("/governance/filing_cancelled_on", f"processing stopped on {stopped}; "
                      f"the filing was cancelled {cancelled or 'never'}, due {due}")
    return passed(f"filing cancelled on {cancelled}, by {due}")


@rule("FRS-AUD-004", "Human review of adverse 1:N decisions",
      "/governance/adverse_decision_review", classes=IDENTIFICATION_CLASSES)
def human_review(s: Statement) -> Finding:
    if s.get("/governance/adverse_decision_review") != "trained-reviewer":
        return failed("/governance/adverse_decision_review", "adverse decisions take effect "
                      "without review by a trained person")
    return passed("a trained reviewer confirms every adverse decision")


@rule("FRS-AUD-005", "Two-person verification in public spaces",
      "/governance/two_person_verification", classes=("P",))
def two_person_verification(s: Statement) -> Finding:
    return _all_true(s, "/governance/two_person_verification") or passed(
        "two competent people verify each match before any action")


@rule("FRS-AUD-006", "A tamper-evident log of every decision", "/audit_log/tamper_evidence",
      "/audit_log/logs_every_decision")
def tamper_evident_log(s: Statement) -> Finding:
    if s.get("/audit_log/tamper_evidence") == "none":
        return failed("/audit_log/tamper_evidence", "the audit log is not tamper-evident")
    return _all_true(s, "/audit_log/logs_every_decision") or passed(
        f"every decision is logged ({s.get('/audit_log/tamper_evidence')})")


@rule("FRS-AUD-007", "No biometric data in audit records", "/audit_log/contains_biometric_data",
      "/audit_log/events_schema", level="shall not")
def no_biometrics_in_log(s: Statement) -> Finding:
    if s.get("/audit_log/contains_biometric_data") is not False:
        return failed("/audit_log/contains_biometric_data", "audit records hold face images, "
                      "templates, embeddings or scores")
    if s.get("/audit_log/events_schema") != "audit-event":
        return needs_evidence("/audit_log/events_schema is 'other': show that its records "
                              "carry no biometric data")
    return passed("records are FRS audit events, which have no field for biometric data")


@rule("FRS-AUD-008", "Audit log retention", "/audit_log/retention_months")
def audit_retention(s: Statement) -> Finding:
    months = s.get("/audit_log/retention_months")
    if months < MIN_AUDIT_MONTHS:
        return failed("/audit_log/retention_months", f"{months} months, fewer than "
                      f"{MIN_AUDIT_MONTHS}")
    return passed(f"audit records kept {months} months")


@rule("FRS-AUD-011", "Assessments and processing records kept three years",
      "/data_protection/records_retention_years")
def records_kept(s: Statement) -> Finding:
    years = s.get("/data_protection/records_retention_years")
    if years is None or years < MIN_RECORDS_YEARS:
        return failed("/data_protection/records_retention_years", f"is {_show(years)}, "
                      f"expected at least {MIN_RECORDS_YEARS}")
    return passed(f"assessment reports and processing records kept {years} years")


@rule("FRS-AUD-012", "Individual redress for a person wrongly matched", "/governance/redress",
      classes=IDENTIFICATION_CLASSES)
def individual_redress(s: Statement) -> Finding:
    """A person can contest a match, have a second person review it and hear why."""
    if not s.has("/governance/redress"):
        return failed("/governance/redress", "a person wrongly matched has no way to contest it")
    return _all_true(s, "/governance/redress/second_reviewer",
                     "/governance/redress/reasons_given") or passed(
        f"a match can be contested at {s.get('/governance/redress/url')}")


@rule("FRS-AUD-013", "The logs of remote biometric identification", "/audit_log/rbi_records",
      classes=("P",))
def rbi_logs(s: Statement) -> Finding:
    """The log records each use's period, the database, the held probe and the verifiers."""
    missing = [r for r in RBI_RECORDS if r not in s.get("/audit_log/rbi_records", [])]
    if missing:
        return failed("/audit_log/rbi_records", f"the log does not record: {', '.join(missing)}")
    return passed("the log records the AI Act Art. 12(3) items, the probe by reference")


@rule("FRS-AUD-014", "Lawful basis of public-space identification", "/governance/lawful_basis",
      classes=("P",))
def lawful_basis(s: Statement) -> Finding:
    """The authorising law, and for real-time law enforcement its Art. 5(1)(h) objective and
    the prior authorisation."""
    if not s.has("/governance/lawful_basis"):
        return failed("/governance/lawful_basis", "no provision of law authorises the system")
    if not s.get("/governance/lawful_basis/real_time_law_enforcement"):
        return passed(f"authorised by {s.get('/governance/lawful_basis/law')}")
    objective = s.get("/governance/lawful_basis/objective")
    if objective not in LAW_ENFORCEMENT_OBJECTIVES:
        return failed("/governance/lawful_basis/objective", f"is {_show(objective)}: real-time "
                      "identification for law enforcement serves none of the objectives of AI "
                      "Act Art. 5(1)(h)")
    return _cited(s, "/governance/lawful_basis/authorisation") or passed(
        f"{objective}, authorised in advance as AI Act Art. 5(3) requires")


@rule("FRS-AUD-015", "Periodic independent retest", "/testing/retest_interval_months")
def periodic_retest(s: Statement) -> Finding:
    months = s.get("/testing/retest_interval_months")
    if months is None or months > MAX_RETEST_MONTHS:
        return failed("/testing/retest_interval_months", f"is {_show(months)}, expected at most "
                      f"{MAX_RETEST_MONTHS}")
    return passed(f"independently retested every {months} months")


@rule("FRS-AUD-016", "Demographic tests follow ISO/IEC 19795-10",
      "/testing/follows_iso_19795_10")
def follows_19795_10(s: Statement) -> Finding:
    return _all_true(s, "/testing/follows_iso_19795_10") or passed(
        "the demographic tests followed ISO/IEC 19795-10")


@rule("FRS-AUD-017", "PAD tests follow ISO/IEC 30107-3", "/pad/level", "/pad/follows_iso_30107_3")
def follows_30107_3(s: Statement) -> Finding:
    if s.get("/pad/level") not in IAPAR_LIMITS:
        return not_applicable("/pad/level declares no PAD level")
    return _all_true(s, "/pad/follows_iso_30107_3") or passed(
        "the PAD tests followed ISO/IEC 30107-3")


# ---- Evidence for what a statement declares ---------------------------------------------

# A clause that a declared value alone would pass needs a document that shows the value is
# true: the types that can show it, by clause.  An entry of /evidence serves a clause when
# its `supports` lists the clause; an audit report by an assessor serves any clause.  A
# local file must be readable and match its SHA-256 (`_evidence_problem`).
ANY_CLAUSE = "audit-report"
EVIDENCE: dict[str, tuple[str, ...]] = {
    "FRS-CAP-001": ("consent-record-sample",),
    "FRS-CAP-002": ("notice-copy",),
    "FRS-CAP-003": ("consent-record-sample",),
    "FRS-CAP-004": ("inspection-record",),
    "FRS-CAP-005": ("policy", "inspection-record"),
    "FRS-CAP-006": ("inspection-record",),
    "FRS-CAP-007": ("inspection-record", "notice-copy"),
    "FRS-CAP-008": ("policy",),
    "FRS-CAP-009": ("inspection-record",),
    "FRS-CAP-010": ("policy",),
    "FRS-CAP-014": ("notice-copy", "inspection-record"),
    "FRS-CAP-015": ("inspection-record",),
    "FRS-CAP-016": ("inspection-record",),
    "FRS-CAP-017": ("policy",),
    "FRS-TPL-001": ("inspection-record",),
    "FRS-TPL-002": ("inspection-record",),
    "FRS-TPL-003": ("inspection-record",),
    "FRS-TPL-004": ("inspection-record",),
    "FRS-ACC-022": ("evaluation-report",),
    "FRS-ACC-023": ("evaluation-report",),
    "FRS-ACC-025": ("evaluation-report",),
    "FRS-ACC-026": ("policy",),
    "FRS-PAD-009": ("pad-report",),
    "FRS-PAD-010": ("pad-report",),
    "FRS-PAD-011": ("inspection-record",),
    "FRS-DPR-001": ("policy",),
    "FRS-DPR-003": ("inspection-record",),
    "FRS-DPR-004": ("inspection-record",),
    "FRS-DPR-005": ("inspection-record",),
    "FRS-DPR-006": ("inspection-record",),
    "FRS-DPR-007": ("policy", "consent-record-sample"),
    "FRS-DPR-008": ("protection-report",),
    "FRS-DPR-011": ("inspection-record",),
    "FRS-DPR-012": ("policy",),
    "FRS-DPR-013": ("inspection-record",),
    "FRS-DPR-014": ("inspection-record",),
    "FRS-DPR-015": ("consent-record-sample", "contract"),
    "FRS-DPR-017": ("policy", "contract"),
    "FRS-DPR-018": ("policy",),
    "FRS-RET-001": ("policy",),
    "FRS-RET-002": ("policy",),
    "FRS-RET-003": ("log-sample",),
    "FRS-RET-004": ("log-sample",),
    "FRS-RET-005": ("inspection-record",),
    "FRS-RET-006": ("policy",),
    "FRS-RET-007": ("log-sample",),
    "FRS-RET-008": ("inspection-record",),
    "FRS-AUD-001": ("policy",),
    "FRS-AUD-003": ("filing-receipt",),
    "FRS-AUD-004": ("log-sample",),
    "FRS-AUD-005": ("log-sample",),
    "FRS-AUD-006": ("log-sample",),
    "FRS-AUD-007": ("log-sample",),
    "FRS-AUD-008": ("policy",),
    "FRS-AUD-009": ("filing-receipt",),
    "FRS-AUD-010": ("filing-receipt",),
    "FRS-AUD-011": ("policy",),
    "FRS-AUD-012": ("policy",),
    "FRS-AUD-013": ("log-sample",),
    "FRS-AUD-015": ("evaluation-report",),
    "FRS-AUD-016": ("evaluation-report",),
    "FRS-AUD-017": ("pad-report",),
}


def accepted_evidence(clause_id: str) -> tuple[str, ...]:
    """The evidence types that can support a clause; () when none is required."""
    return (*EVIDENCE[clause_id], ANY_CLAUSE) if clause_id in EVIDENCE else ()


def supporting_evidence(clause_id: str, s: Statement) -> Finding | None:
    """None when the clause needs no document or a usable one supports it; else why not."""
    accepted = accepted_evidence(clause_id)
    if not accepted:
        return None
    entries = [e for e in s.get("/evidence", []) if clause_id in e.get("supports", [])
               and e["type"] in accepted]
    if not entries:
        return needs_evidence(f"/evidence lists no {' or '.join(accepted)} that supports "
                              f"{clause_id} (an entry whose `supports` names it)")
    problems = [p for p in map(lambda e: _evidence_problem(s, e), entries) if p]
    return problems[0] if len(problems) == len(entries) else None
