"""`frs conform`: every statement clause has a rule that passes a conforming statement
and fails one that breaks it; the registry agrees with the spec; the CLI's formats and
exit codes; contradictions and schema errors; the generated proforma."""

from __future__ import annotations

import copy
import itertools
import json
import shutil
from pathlib import Path

import pytest
import yaml
from scipy.stats import beta

from frs_tools.clauses import parse_spec
from frs_tools.project import Project
from reference_impl.cli import main
from reference_impl.conform import engine, proforma, rules
from reference_impl.conform.statement import check_statement, read_statement
from reference_impl.documents import DocumentError
from reference_impl.limits import CLASSES
from reference_impl.metrics import report as report_sections
from reference_impl.metrics.demographics import GroupRates
from reference_impl.metrics.uncertainty import Rate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "schemas/examples/conformance-statement/valid"
CHAPTERS = ("spec/03-capture-consent.md", "spec/05-templates.md", "spec/09-data-protection.md",
            "spec/10-retention.md", "spec/11-audit.md")
# Clauses of chapters 2 and 6 to 8 judged from the statement: by a rule linked as their
# `impl:`, or by a rule beside the metric their `impl:` links, from a cited local report.
STATEMENT_AND_METRIC = {"FRS-PAD-005", "FRS-PAD-006", "FRS-PAD-014"}
# Judged from the cited evaluation report alone (tests/test_test_sizes.py and the tests
# of clause 7 below): their conforming statement needs a local report of its own.
REPORT_JUDGED = {"FRS-CNF-001", "FRS-CNF-002", "FRS-CNF-003", "FRS-CNF-004", "FRS-CNF-005",
                 "FRS-CNF-006", "FRS-DEM-001",
                 "FRS-DEM-002", "FRS-DEM-004", "FRS-DEM-005", "FRS-DEM-006", "FRS-DEM-007",
                 "FRS-DEM-008", "FRS-DEM-009", "FRS-DEM-011",
                 # the stolen-key rates are read from the cited protection report alone
                 "FRS-DPR-020"}
PAD_REPORTS = ROOT / "tests/fixtures/pad-reports"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def with_local_pad(name: str, report: str, level: str) -> dict:
    """A shipped example citing a local PAD report, so that clause 8 is judged on it."""
    data = example(name)
    cite_pad_report(report, level)(data)
    return data


def stopped() -> dict:
    """A Class V-R statement whose processing stopped and whose filing was cancelled."""
    data = with_local_pad("remote-proofing-class-v-r", "level-b", "B")
    data["governance"].update(processing_stopped_on="2026-11-02",
                              filing_cancelled_on="2026-12-14")
    return data


BASES = {"V-L": lambda: example("phone-unlock-class-v-l"),
         "V-R stopped": stopped,
         "V-R": lambda: with_local_pad("remote-proofing-class-v-r", "level-b", "B"),
         "V-H": lambda: with_local_pad("vault-access-class-v-h", "level-b", "B"),
         "I": lambda: with_local_pad("park-gate-class-i", "level-a", "A"),
         "P": lambda: example("stadium-class-p")}


def verdicts(data: dict) -> dict[str, str]:
    return {r.id: r.verdict for r in engine.evaluate(check_statement(data)).results}


def failing(data: dict) -> set[str]:
    """The clauses that make the statement fail: failed, or without their evidence."""
    return {i for i, v in verdicts(data).items() if v in ("fail", "needs-evidence")}


def cite_pad_report(name: str, level: str = "A"):
    """Declare PAD `level` with the local PAD report tests/fixtures/pad-reports/NAME.json."""
    def mutate(data: dict) -> None:
        data["pad"] = {**data.get("pad", {}), "level": level, "evidence": "pad-local"}
        data["evidence"] = [e for e in data["evidence"] if e["id"] != "pad-local"] + [
            {"id": "pad-local", "type": "pad-report", "url": str(PAD_REPORTS / f"{name}.json")}]
    return mutate


def put(path: str, value):
    def mutate(data: dict) -> None:
        *parents, last = path.strip("/").split("/")
        node = data
        for step in parents:
            node = node[step]
        node[last] = value
    return mutate


# For every clause: the class whose example it is judged on, and one change that breaks it.
# Clause 9.3 applies only where references leave the device.
ON_DEVICE = ("FRS-DPR-008", "FRS-DPR-009", "FRS-DPR-010", "FRS-DPR-020")


BREAKS = {
    "FRS-CAP-001": ("V-R", put("/consent/separate", False)),
    "FRS-CAP-002": ("I", put("/notice/states", ["controller-identity", "purpose", "method"])),
    "FRS-CAP-003": ("V-L", put("/consent/minors/guardian_consent", False)),
    "FRS-CAP-004": ("I", put("/alternatives/methods", [])),
    "FRS-CAP-005": ("V-R", put("/alternatives/refusal_denies_service", True)),
    "FRS-CAP-006": ("I", put("/capture/locations", ["entrance", "changing-room"])),
    "FRS-CAP-007": ("P", put("/capture/prominent_signage", False)),
    "FRS-CAP-008": ("P", put("/purposes", [{"description": "Count visitors for marketing.",
                                            "category": "other"}])),
    "FRS-CAP-009": ("V-R", put("/capture/intent_action", "none")),
    "FRS-CAP-010": ("I", put("/inferences", ["age", "economic-status"])),
    "FRS-TPL-001": ("V-L", put("/storage/template_format", "proprietary")),
    "FRS-TPL-002": ("V-R", put("/security/api_returns_scores", True)),
    "FRS-TPL-003": ("P", put("/storage/separated_from_identity", False)),
    "FRS-TPL-004": ("V-H", put("/security/replay_protection", "none")),
    "FRS-DPR-001": ("V-L", put("/data_protection/special_category", False)),
    "FRS-DPR-002": ("V-R", put("/data_protection/impact_assessment/completed_on",
                               "2026-09-02")),
    "FRS-DPR-003": ("V-R", put("/storage/transfer_basis", "none")),
    "FRS-DPR-004": ("V-H", lambda d: d["storage"].update(comparison="server",
                                                          transmitted=True,
                                                          transfer_basis="separate-consent")),
    "FRS-DPR-005": ("I", put("/security/controls", list(rules.SECURITY_CONTROLS))),
    "FRS-DPR-013": ("V-L", put("/security/controls", ["access-control", "encryption-at-rest"])),
    # Comparing on a server also brings in the template protection of clause 9.3.
    "FRS-DPR-014": ("V-L", lambda d: d["storage"].update(comparison="server", transmitted=True,
                                                          transfer_basis="separate-consent"),
                    set(ON_DEVICE)),
    "FRS-DPR-015": ("P", put("/sharing/third_parties", [
        {"recipient": "A partner hotel", "purpose": "marketing", "person_told": True,
         "separate_consent": False}])),
    "FRS-DPR-016": ("I", put("/sharing/processors", [{"name": "Gate Ops Ltd",
                                                      "contract": "not-listed"}])),
    "FRS-DPR-017": ("V-R", put("/sharing/cross_border", {"transfers": True,
                                                         "separate_consent": True,
                                                         "mechanism": "none"})),
    "FRS-DPR-018": ("V-H", put("/sharing/publicly_disclosed", True)),
    "FRS-DPR-019": ("I", put("/incident_response/authority_within_hours", 96)),
    "FRS-DPR-006": ("V-L", put("/security/template_encryption/algorithm", "none")),
    "FRS-DPR-007": ("I", put("/raw_images", {"retained_after_comparison": True,
                                             "separate_written_consent": False})),
    "FRS-DPR-008": ("V-R", put("/template_protection/renewable", False)),
    "FRS-DPR-009": ("P", put("/template_protection/d_sys", 0.35)),
    "FRS-DPR-010": ("I", put("/template_protection/fnir_increase", 0.025)),
    "FRS-DPR-011": ("V-H", put("/data_protection/samples_zeroised", False)),
    "FRS-DPR-012": ("V-L", put("/data_protection/sold_or_leased", True)),
    "FRS-RET-001": ("V-R", put("/retention/schedule_published_on", "2026-09-15")),
    "FRS-RET-002": ("V-L", put("/retention/max_days_after_last_use", None)),
    "FRS-RET-003": ("V-R", put("/retention/deletion_request/covers",
                               ["templates", "images", "probe-images", "caches"])),
    "FRS-RET-004": ("I", put("/retention/deletion_request/audit_event", False)),
    "FRS-RET-005": ("V-L", put("/retention/probe_images", "held-for-review")),
    "FRS-RET-008": ("P", put("/retention/review_hold/max_days", 45)),
    "FRS-RET-006": ("V-L", put("/retention/disposal_covers", ["cessation"])),
    "FRS-RET-007": ("I", put("/consent/withdrawal/deletes_data", False)),
    "FRS-AUD-001": ("V-R", put("/transparency/practices_cover", ["uses", "storage"])),
    "FRS-AUD-002": ("I", lambda d: d["transparency"].pop("results_url")),
    "FRS-AUD-003": ("V-R", put("/governance/authority_filing_on", "2026-11-30")),
    "FRS-AUD-004": ("I", put("/governance/adverse_decision_review", "automatic")),
    "FRS-AUD-005": ("P", put("/governance/two_person_verification", False)),
    "FRS-AUD-006": ("V-L", put("/audit_log/tamper_evidence", "none")),
    "FRS-AUD-007": ("P", put("/audit_log/contains_biometric_data", True)),
    "FRS-AUD-008": ("V-R", put("/audit_log/retention_months", 6)),
    "FRS-AUD-009": ("V-R", put("/governance/filing_changes", [{"changed_on": "2026-11-02",
                                                              "filed_on": "2026-12-15"}])),
    "FRS-AUD-010": ("V-R stopped", put("/governance/filing_cancelled_on", "2026-12-15")),
    "FRS-AUD-011": ("V-L", put("/data_protection/records_retention_years", 1)),
    "FRS-AUD-012": ("I", put("/governance/redress/second_reviewer", False)),
    "FRS-AUD-013": ("P", put("/audit_log/rbi_records", ["use-period", "verifiers"])),
    "FRS-AUD-014": ("P", put("/governance/lawful_basis", {"law": "Police Act s. 1",
                                                          "real_time_law_enforcement": True,
                                                          "objective": "none"})),
    "FRS-AUD-015": ("V-H", put("/testing/retest_interval_months", 36)),
    "FRS-AUD-016": ("I", put("/testing/follows_iso_19795_10", False)),
    "FRS-AUD-017": ("V-R", put("/pad/follows_iso_30107_3", False)),
    "FRS-CAP-011": ("I", put("/capture/collection_area/limited_to_purpose", False)),
    "FRS-CAP-012": ("V-R", put("/necessity/documented_on", "2026-12-01")),
    "FRS-CAP-013": ("V-L", lambda d: d.pop("accessibility")),
    "FRS-CAP-014": ("I", put("/consent/prompting/presented_as_required", True)),
    "FRS-CAP-015": ("V-R", put("/consent/prompting/asks_again_after_refusal", True)),
    "FRS-CAP-016": ("V-L", put("/consent/withdrawal/as_easy_as_consent", False)),
    "FRS-CAP-017": ("I", put("/consent/renewed_on_change", False)),
    "FRS-ACC-022": ("V-L", put("/testing/follows_iso_19795_1", False)),
    "FRS-ACC-023": ("P", put("/testing/zero_effort_impostors", False)),
    "FRS-ACC-024": ("V-R", put("/testing/algorithm_version", "1.1")),
    "FRS-ACC-025": ("I", put("/testing/operational_test/deployment_conditions", False)),
    "FRS-ACC-026": ("V-H", put("/testing/operational_test/real_users", "not-voluntary")),
    "FRS-DEM-010": ("I", lambda d: d["fairness"].pop("redress")),
    "FRS-PAD-005": ("I", cite_pad_report("level-a-weak-paper-mask")),
    # Level B claimed on a Level A test: its untested species fail FRS-PAD-005 as well.
    "FRS-PAD-006": ("I", cite_pad_report("level-a", level="B"), {"FRS-PAD-005"}),
    "FRS-PAD-009": ("V-R", lambda d: d.update(pad={**d["pad"], "level": "A"}, throttling={
        "failures_before_delay": 5, "delay_seconds": 30, "failures_before_disable": 50})),
    "FRS-PAD-010": ("V-L", put("/pad", {"level": "none", "morphing_test": {
        "enrolment_images": "operator-captured"}})),
    "FRS-PAD-011": ("V-R", put("/throttling/delay_seconds", 10)),
    "FRS-PAD-012": ("I", put("/pad", {"level": "none", "morphing_test": {
        "enrolment_images": "operator-captured"}})),
    "FRS-PAD-013": ("V-H", lambda d: d["pad"]["injection_test"]["instruments"].remove(
        "injected-deepfake")),
    "FRS-PAD-014": ("V-R", put("/pad/morphing_test/follows_iso_20059", False)),
}


def test_every_statement_clause_has_a_rule_and_every_rule_a_clause():
    spec = parse_spec(Project.load(ROOT))
    clauses = {c.id: c for c in spec.clauses if c.file in CHAPTERS or c.id in STATEMENT_AND_METRIC
               or c.impl.startswith("reference_impl.conform.rules:")}
    clauses.update({c.id: c for c in spec.clauses if c.id in REPORT_JUDGED})
    assert set(clauses) == set(rules.RULES), "statement clauses and the rule registry"
    for clause_id, clause in clauses.items():
        rule = rules.RULES[clause_id]
        assert (rule.title, rule.level, rule.classes) == \
            (clause.title, clause.level, clause.classes), clause_id
        if clause.impl.startswith("reference_impl.conform.rules:"):
            assert rule.check.__name__ == clause.impl.split(":")[1], clause_id
    assert set(BREAKS) == set(rules.RULES) - REPORT_JUDGED, "a breaking change for each"


@pytest.mark.parametrize("clause_id", [pytest.param(i, marks=pytest.mark.requirement(i))
                                       for i in sorted(BREAKS)])
def test_rule_passes_a_conforming_statement_and_fails_one_that_breaks_it(clause_id):
    cls, breaking, *also = BREAKS[clause_id]
    conforming = BASES[cls]()
    assert verdicts(conforming)[clause_id] == "pass"
    broken = copy.deepcopy(conforming)
    breaking(broken)
    assert failing(broken) == {clause_id, *(also[0] if also else ())}
    reason = next(r.reason for r in engine.evaluate(check_statement(broken)).results
                  if r.id == clause_id)
    assert reason.startswith("/"), "a failure names the field it comes from"


@pytest.mark.requirement("FRS-DPR-004")
def test_a_justified_departure_from_a_should_clause_passes():
    data = BASES["V-H"]()
    BREAKS["FRS-DPR-004"][1](data)
    data["deviations"] = [{"id": "FRS-DPR-004", "justification": "Border gates compare "
                           "against the passport chip on the gate's own server."}]
    result = next(r for r in engine.evaluate(check_statement(data)).results
                  if r.id == "FRS-DPR-004")
    assert result.verdict == "pass" and "justified" in result.reason


@pytest.mark.requirement("FRS-CAP-004", "FRS-DPR-007", "FRS-RET-002")
@pytest.mark.parametrize("defect, clause_id", [
    (put("/alternatives/methods", []), "FRS-CAP-004"),
    (put("/raw_images/retained_after_comparison", True), "FRS-DPR-007"),
    (put("/retention/max_days_after_last_use", None), "FRS-RET-002")])
def test_the_three_defects_fail_exactly_the_clause_that_forbids_them(defect, clause_id):
    for cls in ("V-L", "V-R", "I", "P"):
        data = BASES[cls]()
        defect(data)
        assert failing(data) == {clause_id}, cls


NOT_FILED = ("FRS-AUD-003", "FRS-AUD-009", "FRS-AUD-010")  # under the filing threshold
NOT_PUBLIC = ("FRS-CAP-007", "FRS-CAP-011")                # no capture in a public place
# What each shipped example gives besides `pass`: failures, and clauses that apply to its
# class but whose condition does not arise.  The examples cite their reports by URL, so the
# clauses judged from a cited report are not judged, nor is the PAD allowance of
# throttling that rests on one.
CAPTURED = "FRS-PAD-014"  # enrolment only from images the operator captures
SHIPPED = {
    "phone-unlock-class-v-l": ({}, {*NOT_FILED, "FRS-DEM-010", *NOT_PUBLIC, *ON_DEVICE,
                                    CAPTURED}),
    "remote-proofing-class-v-r": ({}, {"FRS-AUD-010", "FRS-CAP-003", "FRS-DEM-010",
                                       *NOT_PUBLIC}),
    "vault-access-class-v-h": ({}, {"FRS-AUD-010", "FRS-CAP-003", "FRS-DEM-010", *NOT_PUBLIC,
                                    *ON_DEVICE, CAPTURED}),
    "park-gate-class-i": ({}, {*NOT_FILED, "FRS-RET-008", CAPTURED}),
    "stadium-class-p": ({}, {*NOT_FILED, "FRS-DEM-010", CAPTURED}),
    "park-gate-nonconforming": ({"FRS-CAP-004", "FRS-CAP-005", "FRS-DPR-007", "FRS-RET-002"},
                                {*NOT_FILED, "FRS-DEM-010", "FRS-RET-008", CAPTURED}),
}
FROM_URL_REPORTS = REPORT_JUDGED | {"FRS-PAD-005", "FRS-PAD-006"}


@pytest.mark.requirement("FRS-CAP-004", "FRS-CAP-005", "FRS-DPR-007", "FRS-RET-002")
def test_shipped_examples_give_the_expected_verdict_for_every_clause():
    assert {p.stem for p in EXAMPLES.glob("*.json")} == set(SHIPPED)
    spec = parse_spec(Project.load(ROOT))
    for name, (fails, conditions) in SHIPPED.items():
        data = example(name)
        throttled = data.get("throttling", {}).get("failures_before_delay", 0) > 5
        unjudged = FROM_URL_REPORTS | ({"FRS-PAD-011"} if throttled else set())
        expected = {c.id: "fail" if c.id in fails else "not-applicable" if c.id in conditions
                    else "not-judged" if c.id not in rules.RULES or c.id in unjudged
                    else "pass" for c in spec.clauses if c.applies_to(data["class"])}
        assert verdicts(data) == expected, name


def test_every_clause_of_the_class_is_accounted_for(capsys):
    spec = parse_spec(Project.load(ROOT))
    for build in BASES.values():
        data = build()
        report = engine.evaluate(check_statement(data))
        assert [r.id for r in report.results] == sorted(c.id for c in spec.clauses
                                                        if c.applies_to(data["class"]))
        assert report.other_classes == len(spec.clauses) - len(report.results)
        silent = [r for r in report.results if r.verdict == "not-judged"]
        assert all(r.reason for r in silent)
    results = {r.id: r for r in engine.evaluate(check_statement(BASES["V-L"]())).results}
    assert results["FRS-SUB-009"].reason == ("not judged from a statement: a term of the model "
                                             "submission, judged on the model by `frs model "
                                             "check` (clause 12.3)")
    assert "frs validate" in results["FRS-DAT-002"].reason
    assert "FRS-AUD-005" not in results  # Class P only: not a clause of V-L
    code, out, _ = run(capsys, EXAMPLES / "phone-unlock-class-v-l.json")
    assert code == 0
    assert out.splitlines()[-1].startswith(f"{len(results)} clauses of class V-L: ")


def test_a_rule_outside_the_class_is_not_applicable_with_the_reason():
    result = engine.judge(rules.RULES["FRS-AUD-005"], check_statement(BASES["V-L"]()))
    assert result.verdict == "not-applicable" and "class P" in result.reason


@pytest.mark.requirement("FRS-DPR-009", "FRS-DPR-002")
def test_measured_claims_without_evidence_need_evidence():
    data = BASES["V-R"]()
    del data["template_protection"]["d_sys"]
    data["data_protection"]["impact_assessment"]["evidence"] = "not-listed"
    found = verdicts(data)
    assert found["FRS-DPR-009"] == "needs-evidence"
    assert found["FRS-DPR-002"] == "needs-evidence"


@pytest.mark.requirement("FRS-AUD-003")
def test_authority_filing_deadline_counts_working_days_from_the_threshold():
    # The threshold was reached on Tuesday 1 September 2026; 30 working days later is
    # 13 October.  Collection had started long before.
    data = BASES["V-R"]()
    data["deployment"]["collection_start"] = "2026-01-05"
    data["governance"]["threshold_reached_on"] = "2026-09-01"
    data["governance"]["authority_filing_on"] = "2026-10-13"
    assert verdicts(data)["FRS-AUD-003"] == "pass"
    data["governance"]["authority_filing_on"] = "2026-10-14"
    assert verdicts(data)["FRS-AUD-003"] == "fail"
    del data["governance"]["threshold_reached_on"]
    assert verdict_of(data, "FRS-AUD-003").reason.startswith("/governance/threshold_reached")
    data["governance"]["enrolled_people"] = 99_999
    assert verdicts(data)["FRS-AUD-003"] == "not-applicable"


@pytest.mark.requirement("FRS-AUD-003")
def test_a_threshold_reached_before_the_measures_took_effect_files_by_14_july_2025():
    data = BASES["V-R"]()
    data["governance"].update(threshold_reached_on="2025-03-01", authority_filing_on="2025-07-14")
    assert verdicts(data)["FRS-AUD-003"] == "pass"
    data["governance"]["authority_filing_on"] = "2025-07-15"
    assert "deadline 2025-07-14" in verdict_of(data, "FRS-AUD-003").reason
    # On the day the Measures took effect, the 30 working days apply: due 11 July 2025.
    data["governance"].update(threshold_reached_on="2025-06-01", authority_filing_on="2025-07-14")
    assert "deadline 2025-07-11" in verdict_of(data, "FRS-AUD-003").reason


@pytest.mark.requirement("FRS-AUD-009", "FRS-AUD-010")
def test_changes_and_cancellation_are_filed_within_30_working_days():
    data = BASES["V-R"]()
    data["governance"]["filing_changes"] = [{"changed_on": "2026-11-02",
                                             "filed_on": "2026-12-14"}]
    data["governance"].update(processing_stopped_on="2026-11-02",
                              filing_cancelled_on="2026-12-14")
    assert {verdicts(data)[i] for i in ("FRS-AUD-009", "FRS-AUD-010")} == {"pass"}
    data["governance"]["filing_changes"].append({"changed_on": "2026-11-20"})
    assert "filed never" in verdict_of(data, "FRS-AUD-009").reason
    del data["governance"]["authority_filing_on"]
    assert verdicts(data)["FRS-AUD-009"] == "not-applicable"


# ---- the command ----------------------------------------------------------------------

def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["conform", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_output_and_exit_status(capsys):
    code, out, _ = run(capsys, EXAMPLES / "remote-proofing-class-v-r.json", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["class"] == "V-R"
    assert set(report) == {"class", "counts", "other_classes", "clauses"}
    assert all(set(c) == {"id", "verdict", "reason"} for c in report["clauses"])
    assert {c["verdict"] for c in report["clauses"]} <= set(rules.VERDICTS)
    assert sum(report["counts"].values()) == len(report["clauses"])
    spec = parse_spec(Project.load(ROOT))
    assert len(report["clauses"]) + report["other_classes"] == len(spec.clauses)

    code, out, _ = run(capsys, EXAMPLES / "park-gate-nonconforming.json", "--format", "json")
    assert code == 1
    fails = [c for c in json.loads(out)["clauses"] if c["verdict"] == "fail"]
    assert {c["id"] for c in fails} == {"FRS-CAP-004", "FRS-CAP-005", "FRS-DPR-007",
                                        "FRS-RET-002"}


def test_text_and_markdown_reports(capsys, tmp_path):
    statement = tmp_path / "park.yaml"
    statement.write_text(yaml.safe_dump(example("park-gate-nonconforming")))
    code, out, _ = run(capsys, statement)
    assert code == 1 and "FAIL FRS-DPR-007" in out and "does not conform" in out
    code, out, _ = run(capsys, statement, "--format", "markdown")
    assert code == 1 and out.startswith("# Conformance report: class I")
    assert "| FRS-RET-002 | Retention limit | shall | **fail** |" in out


def test_schema_errors_exit_2_with_the_pointer(capsys):
    invalid = ROOT / "schemas/examples/conformance-statement/invalid/unknown-class.json"
    with pytest.raises(DocumentError) as caught:
        read_statement(invalid)
    (finding,) = caught.value.findings
    assert (finding.pointer, finding.keyword, finding.schema) == (
        "/class", "enum", "conformance-statement")
    code, out, err = run(capsys, invalid)
    assert code == 2 and out == "" and str(finding) in err


def test_unreadable_statements_exit_2(capsys, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("class: V-L\nsystem: [unclosed\n")
    with pytest.raises(DocumentError) as caught:
        read_statement(broken)
    (finding,) = caught.value.findings
    assert (finding.line, finding.keyword, finding.found) == (3, "parse", "MalformedJSON")
    code, _, err = run(capsys, broken)
    assert code == 2 and f"{broken}:3: " in err and "malformed YAML" in err
    code, _, err = run(capsys, tmp_path / "missing.yaml")
    assert code == 2 and "cannot read" in err
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(DocumentError) as caught:
        read_statement(tmp_path / "list.yaml")
    assert [(f.pointer, f.keyword) for f in caught.value.findings] == [("", "type")]


@pytest.mark.parametrize("cls, change, words", [
    ("P", put("/deployment/public_space", False), "/deployment/public_space is false"),
    ("I", put("/deployment/public_space", True), "Class P"),
    ("V-R", put("/storage/transmitted", False), "/storage/transmitted is false"),
    ("V-L", put("/storage/transfer_basis", "law"), "/storage/transfer_basis"),
    ("V-R", put("/retention/probe_images", "kept"), "/retention/probe_images"),
])
def test_contradictory_statements_are_rejected_naming_both_fields(cls, change, words):
    data = BASES[cls]()
    change(data)
    with pytest.raises(DocumentError) as caught:
        check_statement(data)
    findings = caught.value.findings
    assert {f.keyword for f in findings} == {"contradiction"}
    assert any(words in f.message for f in findings)
    assert all(f.expected.startswith("a declaration consistent with /") for f in findings)


def test_contradiction_exits_2(capsys, tmp_path):
    data = BASES["V-L"]()
    data["storage"].update(comparison="cloud", transmitted=False, transfer_basis="none")
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    code, _, err = run(capsys, path)
    assert code == 2 and "[conformance-statement: contradiction]" in err
    assert f"{path}:1: /storage/transmitted: /storage/transmitted is false but " \
        "/storage/comparison is 'cloud'" in err


# ---- the proforma ---------------------------------------------------------------------

@pytest.mark.parametrize("cls", CLASSES)
def test_the_proforma_names_every_applicable_clause_and_cannot_pass_unfilled(cls, tmp_path,
                                                                            capsys):
    text = proforma.template(cls)
    applicable = {i for i, r in rules.RULES.items() if r.applies_to(cls)}
    named = {i for i in rules.RULES if i in text}
    assert named == applicable
    data = yaml.safe_load(text)
    assert data["class"] == cls
    assert set(data) >= set(json.loads((ROOT / "schemas/conformance-statement.schema.json")
                                       .read_text())["required"])
    path = tmp_path / "blank.yaml"
    path.write_text(text)
    code, _, err = run(capsys, path)
    assert code == 2 and "schema" in err
    code, out, _ = run(capsys, "--template", cls)
    assert code == 0 and out == text


@pytest.mark.parametrize("cls", CLASSES)
def test_the_proforma_asks_for_the_evidence_each_clause_needs(cls):
    """`frs conform --template`: one /evidence entry per clause of the class in the EVIDENCE
    table, naming the clause in `supports` and the document types that can support it."""
    entries = yaml.safe_load(proforma.template(cls))["evidence"]
    asked = {e["supports"][0]: e for e in entries if e.get("supports")}
    needing = {i for i in rules.EVIDENCE if rules.RULES[i].applies_to(cls)}
    assert set(asked) == needing and needing
    text = proforma.template(cls)
    for clause_id in needing:
        assert f"one of: {', '.join(rules.accepted_evidence(clause_id))}\n" \
               "    url: null  # URL, or a path relative to this statement\n" \
               "    sha256: null  # of a local file; optional for a URL\n" \
               f"    supports: [{clause_id}]" in text
        assert set(asked[clause_id]) == {"id", "type", "url", "sha256", "supports"}


def test_the_ics_page_lists_every_clause_with_its_class_status():
    from frs_tools.ics import ics_page

    project = Project.load(ROOT)
    spec = parse_spec(project)
    page = ics_page(spec.clauses, project)
    for clause in spec.clauses:
        assert f"| [{clause.id}](" in page
    row = next(line for line in page.splitlines() if line.startswith("| [FRS-AUD-005]("))
    cells = [cell.strip() for cell in row.split(" | ")]
    assert cells.count("n/a") == 4 and "m" in cells  # Class P only
    # A PAD level is answered by the statement and by the evaluation report it cites.
    row = next(line for line in page.splitlines() if line.startswith("| [FRS-PAD-005]("))
    assert "`/pad/level`<br>`/pad/evidence`<br>evidence: `evaluation-report`" in row


# ---- local evidence ---------------------------------------------------------------------

def with_local_evidence(tmp_path: Path, report: dict, protection: dict) -> Path:
    data = BASES["V-R"]()
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports/eval.json").write_text(json.dumps(report))
    (tmp_path / "reports/protection.json").write_text(json.dumps(protection))
    for entry in data["evidence"]:
        if entry["type"] == "evaluation-report":
            entry["url"] = "reports/eval.json"
        if entry["type"] == "protection-report":
            entry["url"] = "reports/protection.json"
        if entry["type"] == "pad-report" and Path(entry["url"]).is_absolute():
            # Evidence is read only inside the statement's folder: the report goes there.
            shutil.copy(entry["url"], tmp_path / "reports")
            entry["url"] = f"reports/{Path(entry['url']).name}"
    path = tmp_path / "statement.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def judged(path: Path) -> dict[str, engine.ClauseResult]:
    return {r.id: r for r in engine.evaluate(read_statement(path)).results}


@pytest.mark.requirement("FRS-DPR-009", "FRS-DPR-010", "FRS-AUD-002")
def test_local_evidence_is_read_and_checked_against_the_claims(tmp_path):
    from reference_impl.protect import cost

    x, labels = cost.synthetic_embeddings(60, 2, dimension=64, noise=1.0, seed=1)
    measured = cost.protection_cost(x, labels, b"A" * 32, b"B" * 32, 1e-2, 256).to_json()
    report = json.loads((ROOT / "schemas/examples/evaluation-report/valid/minimal.json")
                        .read_text())
    path = with_local_evidence(tmp_path, report, measured)
    data = yaml.safe_load(path.read_text())
    data["template_protection"].update(d_sys=measured["d_sys"],
                                       fnmr_increase=max(measured["fnmr_increase"], 0.0))
    path.write_text(yaml.safe_dump(data))
    found = judged(path)
    assert found["FRS-DPR-009"].verdict == "pass" and found["FRS-AUD-002"].verdict == "pass"
    assert found["FRS-DPR-010"].verdict == ("pass" if measured["fnmr_increase"] <= 0.01
                                            else "fail")
    # A claim better than the cited measurement fails.
    data["template_protection"]["d_sys"] = measured["d_sys"] / 2
    path.write_text(yaml.safe_dump(data))
    result = judged(path)["FRS-DPR-009"]
    assert result.verdict == "fail" and "the cited report measured" in result.reason


@pytest.mark.requirement("FRS-DPR-020")
def test_the_stolen_key_rates_are_read_from_the_cited_protection_report(tmp_path):
    from reference_impl.protect import cost

    x, labels = cost.synthetic_embeddings(60, 2, dimension=64, noise=1.0, seed=1)
    measured = cost.protection_cost(x, labels, b"A" * 32, b"B" * 32, 1e-2, 256).to_json()
    report = json.loads((ROOT / "schemas/examples/evaluation-report/valid/minimal.json")
                        .read_text())
    result = judged(with_local_evidence(tmp_path, report, measured))["FRS-DPR-020"]
    rates = measured["stolen_key"]
    assert result.verdict == "pass" and f"sra_after_renewal {rates['sra_after_renewal']:.4g}" \
        in result.reason
    del measured["stolen_key"]
    (tmp_path / "reports/protection.json").write_text(json.dumps(measured))
    result = judged(tmp_path / "statement.yaml")["FRS-DPR-020"]
    assert result.verdict == "needs-evidence" and "no stolen-key success rates" in result.reason


@pytest.mark.requirement("FRS-AUD-002")
def test_broken_local_evidence_needs_evidence_or_fails(tmp_path):
    report = json.loads((ROOT / "schemas/examples/evaluation-report/invalid/eer-above-one.json")
                        .read_text())
    path = with_local_evidence(tmp_path, report, {})
    result = judged(path)["FRS-AUD-002"]
    assert result.verdict == "needs-evidence" and "not a valid evaluation report" in result.reason
    (tmp_path / "reports/eval.json").unlink()
    assert "not found" in judged(path)["FRS-AUD-002"].reason
    data = yaml.safe_load(path.read_text())
    (tmp_path / "reports/eval.json").write_text("{}")
    for entry in data["evidence"]:
        if entry["type"] == "evaluation-report":
            entry["sha256"] = "0" * 64
    path.write_text(yaml.safe_dump(data))
    result = judged(path)["FRS-AUD-002"]
    assert result.verdict == "fail" and "SHA-256" in result.reason


# ---- clauses 6 to 8: test conditions, redress, PAD and throttling ------------------------

def verdict_of(data: dict, clause_id: str) -> engine.ClauseResult:
    return next(r for r in engine.evaluate(check_statement(data)).results if r.id == clause_id)


@pytest.mark.requirement("FRS-PAD-011")
@pytest.mark.parametrize("pad, delay_after, delay, disable_after, expected", [
    ("level-a", 10, 30, 100, "pass"),     # the limits with a PAD that meets FRS-PAD-005
    ("level-a", 11, 30, 100, "fail"),
    ("level-a", 10, 30, 101, "fail"),
    ("level-a", 10, 29.5, 100, "fail"),
    ("none", 5, 30, 50, "pass"),          # the limits without PAD
    ("none", 6, 30, 50, "fail"),
    ("none", 5, 30, 51, "fail"),
    ("none", 10, 30, 100, "fail"),        # the PAD allowance without PAD
    ("level-a-weak-paper-mask", 10, 30, 100, "fail"),  # ... or with a PAD that fails
    ("level-a-weak-paper-mask", 5, 30, 50, "pass"),
    ("none", 5, 0, 5, "pass"),            # disabled at the fifth failure: nothing to delay
    ("none", 5, 0, 6, "fail"),
])
def test_throttling_limits_depend_on_a_passing_pad(pad, delay_after, delay, disable_after,
                                                   expected):
    data = BASES["V-H"]()
    if pad == "none":
        data["pad"] = {"level": "none"}
    else:
        cite_pad_report(pad, "A")(data)
    data["throttling"] = {"failures_before_delay": delay_after, "delay_seconds": delay,
                          "failures_before_disable": disable_after}
    result = verdict_of(data, "FRS-PAD-011")
    assert result.verdict == expected
    if pad == "level-a-weak-paper-mask" and expected == "fail":
        assert "its PAD does not meet FRS-PAD-005" in result.reason
    del data["throttling"]
    assert verdict_of(data, "FRS-PAD-011").verdict == "fail"


@pytest.mark.requirement("FRS-PAD-011")
def test_the_pad_allowance_on_a_report_that_is_not_fetched_is_not_judged():
    data = example("remote-proofing-class-v-r")  # 10 and 100, PAD report at a URL
    result = verdict_of(data, "FRS-PAD-011")
    assert result.verdict == "not-judged" and "FRS-PAD-005" in result.reason
    data["throttling"]["failures_before_disable"] = 101
    assert verdict_of(data, "FRS-PAD-011").verdict == "fail"


@pytest.mark.requirement("FRS-PAD-005", "FRS-PAD-006")
def test_the_declared_pad_level_is_judged_on_the_cited_local_report():
    data = BASES["V-R"]()
    cite_pad_report("level-a")(data)
    assert {i: verdicts(data)[i] for i in ("FRS-PAD-005", "FRS-PAD-006")} == {
        "FRS-PAD-005": "pass", "FRS-PAD-006": "pass"}
    # 6 of 60 paper masks accepted: the upper 95 % bound is about 0.188 > 0.15 (Level A).
    weak = BASES["V-R"]()
    cite_pad_report("level-a-weak-paper-mask")(weak)
    result = verdict_of(weak, "FRS-PAD-005")
    assert result.verdict == "fail" and "paper-mask" in result.reason and "0.188" in result.reason
    # Claiming Level B on a Level A test: two species untested, so neither clause is met,
    # and the throttling allowance that rests on FRS-PAD-005 is lost.
    claim_b = BASES["V-R"]()
    cite_pad_report("level-a", level="B")(claim_b)
    assert failing(claim_b) == {"FRS-PAD-005", "FRS-PAD-006", "FRS-PAD-011"}
    assert "screen-deepfake" in verdict_of(claim_b, "FRS-PAD-006").reason


@pytest.mark.requirement("FRS-PAD-005")
def test_a_pad_report_that_is_not_an_evaluation_report_needs_evidence(tmp_path):
    (tmp_path / "pad.json").write_text(json.dumps({"pad": {"iapar": {}}}))
    data = BASES["V-R"]()
    data["evidence"].append({"id": "pad-bad", "type": "pad-report",
                             "url": str(tmp_path / "pad.json")})
    data["pad"] = {"level": "A", "evidence": "pad-bad"}
    result = verdict_of(data, "FRS-PAD-005")
    assert result.verdict == "needs-evidence" and "not a valid evaluation report" in result.reason
    data["pad"] = {"level": "none"}
    assert verdict_of(data, "FRS-PAD-005").verdict == "not-applicable"


@pytest.mark.requirement("FRS-PAD-010", "FRS-PAD-009")
def test_pad_is_required_for_v_r_and_a_justified_departure_suffices_for_v_l():
    data = BASES["V-L"]()
    del data["pad"]
    assert verdict_of(data, "FRS-PAD-010").verdict == "fail"
    data["deviations"] = [{"id": "FRS-PAD-010", "justification": "The sensor cannot run PAD."}]
    result = verdict_of(data, "FRS-PAD-010")
    assert result.verdict == "pass" and "justified" in result.reason
    remote = BASES["V-R"]()
    BREAKS["FRS-PAD-009"][1](remote)
    remote["deviations"] = [{"id": "FRS-PAD-009", "justification": "Not a SHOULD clause."}]
    assert verdict_of(remote, "FRS-PAD-009").verdict == "fail"


@pytest.mark.requirement("FRS-ACC-024")
def test_the_version_in_service_is_the_one_the_cited_report_evaluated(tmp_path):
    report = json.loads((ROOT / "schemas/examples/evaluation-report/valid/minimal.json")
                        .read_text())
    (tmp_path / "eval.json").write_text(json.dumps(report))  # evaluates version 1.0
    data = BASES["V-R"]()
    data["testing"]["independent_test"]["evidence"] = "eval-local"
    data["evidence"].append({"id": "eval-local", "type": "evaluation-report",
                             "url": str(tmp_path / "eval.json")})
    assert verdict_of(data, "FRS-ACC-024").verdict == "pass"
    data["testing"]["algorithm_version"] = "2.0"
    data["testing"]["independent_test"]["algorithm_version"] = "2.0"
    result = verdict_of(data, "FRS-ACC-024")
    assert result.verdict == "fail" and "evaluated version 1.0, not 2.0" in result.reason
    data["testing"]["independent_test"]["independent"] = False
    assert verdict_of(data, "FRS-ACC-024").reason.startswith("/testing/independent_test/indep")


@pytest.mark.requirement("FRS-DEM-010", "FRS-ACC-026")
def test_redress_and_participation_apply_only_when_their_condition_arises():
    data = BASES["I"]()
    data["fairness"]["remediation_plan"] = "not-listed"
    assert verdict_of(data, "FRS-DEM-010").verdict == "needs-evidence"
    del data["fairness"]["remediation_plan"]
    assert verdict_of(data, "FRS-DEM-010").reason.startswith("/fairness/remediation_plan")
    data["fairness"] = {"differentials_found": False}
    assert verdict_of(data, "FRS-DEM-010").verdict == "not-applicable"
    data["testing"]["operational_test"]["real_users"] = "none"
    assert verdict_of(data, "FRS-ACC-026").verdict == "not-applicable"


# ---- evidence for declarations --------------------------------------------------------

def unsupported(data: dict, entry_id: str) -> set[str]:
    """Drop the `supports` of one evidence entry; return the clauses it supported."""
    entry = next(e for e in data["evidence"] if e["id"] == entry_id)
    return set(entry.pop("supports"))


@pytest.mark.requirement(*sorted(rules.EVIDENCE))
@pytest.mark.parametrize("cls", ["V-L", "V-R", "V-H", "I", "P"])
def test_a_declaration_without_its_evidence_does_not_pass(cls):
    data = BASES[cls]()
    supported = set()
    for entry in data["evidence"]:
        supported |= set(entry.pop("supports", []))
    applicable = {i for i, r in rules.RULES.items() if r.applies_to(cls)}
    found = verdicts(data)
    # Every clause of the evidence table that would pass needs its document.
    for clause_id in applicable & set(rules.EVIDENCE):
        assert found[clause_id] in ("needs-evidence", "not-applicable"), clause_id
    assert {i for i in supported if found.get(i) == "needs-evidence"} == \
        {i for i in found if found[i] == "needs-evidence"} & supported


@pytest.mark.requirement("FRS-CAP-006", "FRS-DPR-013")
def test_an_audit_report_supports_any_clause_and_a_wrong_type_supports_none():
    data = BASES["I"]()
    lost = unsupported(data, "inspection")
    assert {"FRS-CAP-006", "FRS-DPR-013"} <= failing(data) <= lost
    result = verdict_of(data, "FRS-CAP-006")
    assert result.verdict == "needs-evidence" and "inspection-record" in result.reason
    data["evidence"].append({"id": "policy-2", "type": "policy", "url": "https://x.test/p",
                             "supports": sorted(lost)})
    assert verdict_of(data, "FRS-CAP-006").verdict == "needs-evidence"
    data["evidence"].append({"id": "audit", "type": "audit-report", "url": "https://x.test/a",
                             "supports": sorted(lost), "assessor": "Example Audit"})
    assert failing(data) == set()


@pytest.mark.requirement("FRS-AUD-006")
def test_missing_evidence_exits_1_and_a_missing_local_file_is_named(capsys, tmp_path):
    data = BASES["V-L"]()
    log = next(e for e in data["evidence"] if e["id"] == "log-sample")
    log["url"] = "samples/missing.jsonl"
    path = tmp_path / "statement.json"
    path.write_text(json.dumps(data))
    code, out, _ = run(capsys, path)
    assert code == 1 and "EVID FRS-AUD-006" in out and "not found" in out
    assert "does not conform" in out
    (tmp_path / "samples").mkdir()
    (tmp_path / "samples/missing.jsonl").write_text("{}\n")
    code, out, _ = run(capsys, path)
    assert code == 0 and "PASS FRS-AUD-006" in out


@pytest.mark.requirement("FRS-CAP-001", "FRS-CAP-006", "FRS-CAP-007")
def test_consent_form_open_private_spaces_and_signs_wherever_the_public_is():
    data = BASES["V-R"]()
    data["consent"]["form"] = "oral"
    assert verdict_of(data, "FRS-CAP-001").reason.startswith("/consent/form")
    data = BASES["I"]()
    data["capture"]["inside_private_space"] = True  # a fitting room: not a listed place
    assert failing(data) == {"FRS-CAP-006"}
    data = BASES["V-R"]()
    data["capture"].update(public_place=True, prominent_signage=False)
    assert verdicts(data)["FRS-CAP-007"] == "fail"


@pytest.mark.requirement("FRS-RET-005", "FRS-RET-008")
def test_only_identification_holds_probes_for_review_and_written_consent_keeps_them():
    data = BASES["I"]()
    data["retention"]["probe_images"] = "held-for-review"
    assert verdicts(data)["FRS-RET-005"] == "pass"
    assert verdict_of(data, "FRS-RET-008").reason.startswith("/retention/review_hold")
    data["retention"]["review_hold"] = {"encrypted": False,
                                        "until_review_and_redress_closed": True, "max_days": 7}
    assert verdict_of(data, "FRS-RET-008").reason.startswith("/retention/review_hold/encr")
    data = BASES["V-R"]()
    data["raw_images"] = {"retained_after_comparison": True, "separate_written_consent": True}
    data["retention"]["probe_images"] = "kept"
    assert verdicts(data)["FRS-RET-005"] == "pass"


@pytest.mark.requirement("FRS-AUD-014", "FRS-DPR-017", "FRS-DPR-015")
def test_public_space_law_enforcement_transfers_and_recipients():
    data = BASES["P"]()
    data["governance"]["lawful_basis"] = {"law": "Police Act s. 1",
                                          "real_time_law_enforcement": True,
                                          "objective": "victim-search",
                                          "authorisation": "court-order"}
    assert verdict_of(data, "FRS-AUD-014").verdict == "needs-evidence"
    data["evidence"].append({"id": "court-order", "type": "other", "url": "https://x.test/o"})
    assert verdict_of(data, "FRS-AUD-014").verdict == "pass"
    data["sharing"]["cross_border"] = {"transfers": True, "separate_consent": False,
                                       "mechanism": "standard contract"}
    assert verdict_of(data, "FRS-DPR-017").reason.startswith("/sharing/cross_border/separate")
    data["sharing"]["third_parties"] = [{"recipient": "Police", "purpose": "bans",
                                         "person_told": False, "separate_consent": True}]
    assert verdict_of(data, "FRS-DPR-015").reason.endswith("without person told")


# ---- clause 7 judged from the cited evaluation report ----------------------------------

def design_rates(fmr_errors: int = 0, fnmr_errors: int = 0) -> GroupRates:
    """30 groups, 3 age bands x 2 sexes x 5 skin tones, each of the sizes Annex F asks for
    Class V-R; the first group makes `fmr_errors` false matches and `fnmr_errors` misses."""
    names = [f"age_band={a},sex={s},skin_tone={t}"
             for a, s, t in itertools.product(("18-30", "31-50", "51+"), "FM", "ABCDE")]
    fmr = {g: Rate(fmr_errors if i == 0 else 0, 10_000) for i, g in enumerate(names)}
    fnmr = {g: Rate(fnmr_errors if i == 0 else 0, 300) for i, g in enumerate(names)}
    return GroupRates(0.5, fmr, fnmr)


def citing_demographics(tmp_path: Path, section: dict, cls: str = "V-R") -> dict:
    """Verdicts of the `cls` base statement citing a local report with `section`."""
    report = json.loads((ROOT / "schemas/examples/evaluation-report/valid/minimal.json")
                        .read_text())
    report["demographics"] = section
    (tmp_path / "eval.json").write_text(json.dumps(report))
    data = BASES[cls]()
    data["evidence"].append({"id": "eval-local", "type": "evaluation-report",
                             "url": str(tmp_path / "eval.json")})
    data["testing"]["independent_test"]["evidence"] = "eval-local"
    return {r.id: r for r in engine.evaluate(check_statement(data)).results}


DEMOGRAPHIC = ("FRS-DEM-001", "FRS-DEM-002", "FRS-DEM-004", "FRS-DEM-005", "FRS-DEM-006",
               "FRS-DEM-007", "FRS-DEM-008", "FRS-DEM-009")


@pytest.mark.requirement(*DEMOGRAPHIC)
def test_the_demographic_clauses_are_judged_on_the_cited_reports_counts(tmp_path):
    found = citing_demographics(tmp_path, report_sections.group_rates_section(design_rates()))
    assert {i: found[i].verdict for i in DEMOGRAPHIC} == dict.fromkeys(DEMOGRAPHIC, "pass")
    assert found["FRS-DEM-002"].reason.startswith("30 groups cover")
    # One group with 3 false matches in 10,000: its bound exceeds 3 x 1e-4.
    worse = report_sections.group_rates_section(design_rates(fmr_errors=3))
    result = citing_demographics(tmp_path, worse)["FRS-DEM-004"]
    assert result.verdict == "fail"
    assert "group 'age_band=18-30,sex=F,skin_tone=A': FMR upper bound" in result.reason


@pytest.mark.requirement("FRS-DEM-004")
def test_a_group_below_its_minimum_size_fails_as_too_small(tmp_path):
    rates = design_rates()
    first = next(iter(rates.fmr))
    rates.fmr[first] = Rate(0, 9_984)  # one fewer than the 9,985 of Annex F
    result = citing_demographics(tmp_path, report_sections.group_rates_section(rates))
    assert result["FRS-DEM-004"].verdict == "fail"
    assert "0 errors in 9,984 trials: too few to show FMR ≤ 0.0003; needs ≥ 9,985" in \
        result["FRS-DEM-004"].reason


@pytest.mark.requirement("FRS-DEM-005", "FRS-DEM-007", "FRS-DEM-002", "FRS-DEM-009")
def test_stated_summaries_must_match_the_counts_and_the_design_must_be_complete(tmp_path):
    section = report_sections.group_rates_section(design_rates(fnmr_errors=30))
    section["fdr"] = 1.0  # a report that claims parity its counts do not show
    found = citing_demographics(tmp_path, section)
    assert found["FRS-DEM-007"].verdict == "fail"
    assert "states fdr 1, but its counts give 0.95" in found["FRS-DEM-007"].reason
    assert found["FRS-DEM-005"].verdict == "pass"
    # 30 misses in 300 against none elsewhere is beyond chance: FDR misses its target.
    assert found["FRS-DEM-009"].verdict == "fail"
    assert "FDR is at most 0.9685" in found["FRS-DEM-009"].reason
    # Drop the sex label: the design lacks a second sex.
    renamed = {k.replace(",sex=M", ",sex=F"): v for k, v in section["groups"].items()}
    found = citing_demographics(tmp_path, {**section, "groups": renamed})
    assert found["FRS-DEM-002"].verdict == "fail" and "sex: 1 groups" in \
        found["FRS-DEM-002"].reason


@pytest.mark.requirement("FRS-DEM-001")
def test_a_report_without_per_group_rates_fails_and_a_url_is_not_judged(tmp_path):
    report = json.loads((ROOT / "schemas/examples/evaluation-report/valid/minimal.json")
                        .read_text())
    (tmp_path / "eval.json").write_text(json.dumps(report))
    data = BASES["V-R"]()
    data["evidence"].append({"id": "eval-local", "type": "evaluation-report",
                             "url": str(tmp_path / "eval.json")})
    data["testing"]["independent_test"]["evidence"] = "eval-local"
    assert verdict_of(data, "FRS-DEM-001").verdict == "fail"
    assert verdict_of(data, "FRS-CNF-002").reason.endswith(
        "measured no rates for class V-R at a declared threshold (FRS-CNF-002)")
    result = verdict_of(BASES["V-R"](), "FRS-DEM-001")  # the example cites a URL
    assert result.verdict == "not-judged" and "does not fetch" in result.reason


@pytest.mark.requirement("FRS-CNF-004", "FRS-DEM-011", "FRS-DEM-002", "FRS-DEM-009")
def test_identification_groups_are_judged_on_fpir_and_fnir(tmp_path):
    n = 2_995  # the minimum test size of FPIR 1e-3 (Annex F)
    groups = [f"age_band={a},sex={s},skin_tone={t}"
              for a, s, t in itertools.product(("18-30", "31-50", "51+"), "FM", "ABCDE")]
    fpir = {g: Rate(0, n) for g in groups}
    fnir = {g: Rate(3, 400) for g in groups}
    entry = {"requirement": "FRS-CNF-004", "class": "I", "verdict": "fail", "threshold": 0.6,
             "gallery_size": 950, "operational_gallery_size": 1000,
             "measurements": [{**r.measurement("fpir", 1e-3), "group": g} for g, r in fpir.items()]
             + [{**r.measurement("fnir"), "group": g} for g, r in fnir.items()],
             "differentials": report_sections.differentials_record(GroupRates(0.6, fpir, fnir)),
             "reason": "whatever the report said"}
    report = json.loads((ROOT / "schemas/examples/evaluation-report/valid/minimal.json")
                        .read_text())
    misses = Rate(3, 400)
    report["verdicts"] = [entry, {"requirement": "FRS-CNF-005", "class": "I", "threshold": 0.6,
                                  "verdict": "pass", "reason": "",
                                  "measurements": [misses.measurement("fnir", 0.05)]}]
    (tmp_path / "eval.json").write_text(json.dumps(report))
    data = BASES["I"]()
    data["evidence"].append({"id": "eval-local", "type": "evaluation-report",
                             "url": str(tmp_path / "eval.json")})
    data["testing"]["independent_test"]["evidence"] = "eval-local"
    found = {r.id: r for r in engine.evaluate(check_statement(data)).results}
    judged = ("FRS-CNF-004", "FRS-CNF-005", "FRS-DEM-011", "FRS-DEM-002", "FRS-DEM-005",
              "FRS-DEM-006", "FRS-DEM-007", "FRS-DEM-008", "FRS-DEM-009")
    assert {i: found[i].verdict for i in judged} == dict.fromkeys(judged, "pass")
    assert found["FRS-CNF-004"].reason.endswith("(the report itself says fail)")
    assert "FRS-DEM-001" not in found and "FRS-DEM-004" not in found  # verification only
    bound = f"{beta.ppf(0.95, 4, 397):.3g}"
    assert found["FRS-CNF-005"].reason.endswith(f"FNIR upper bound {bound} ≤ 0.05 (3 errors in "
                                                "400 trials)")
    # 6 misses in 100 searches: FNIR above 5 %, whatever the report said.
    report["verdicts"][1]["measurements"] = [Rate(6, 100).measurement("fnir", 0.05)]
    (tmp_path / "eval.json").write_text(json.dumps(report))
    assert verdict_of(data, "FRS-CNF-005").verdict == "fail"
    report["verdicts"][1]["measurements"] = [misses.measurement("fnir", 0.05)]
    # One group below the minimum number of non-mated searches fails FRS-CNF-004.
    entry["measurements"][0] = {**Rate(0, n - 1).measurement("fpir", 1e-3), "group": groups[0]}
    (tmp_path / "eval.json").write_text(json.dumps(report))
    result = next(r for r in engine.evaluate(check_statement(data)).results
                  if r.id == "FRS-CNF-004")
    assert result.verdict == "fail" and f"needs ≥ {n:,}" in result.reason


@pytest.mark.requirement("FRS-DPR-008", "FRS-DPR-009", "FRS-DPR-010")
def test_template_protection_follows_the_architecture_not_the_class():
    # A V-H system on the device: not applicable; the same system comparing on a server
    # (a justified departure from FRS-DPR-004) must protect its references.
    data = BASES["V-H"]()
    found = verdicts(data)
    assert {found[i] for i in ("FRS-DPR-008", "FRS-DPR-009", "FRS-DPR-010")} == {
        "not-applicable"}
    data["storage"].update(comparison="server", transmitted=True,
                           transfer_basis="separate-consent")
    del data["template_protection"]
    result = verdict_of(data, "FRS-DPR-008")
    assert result.verdict == "fail" and "comparison on a server" in result.reason
    # For 1:N the cost is the FNIR one: a Class I claim of an FNMR cost is not enough.
    park = BASES["I"]()
    park["template_protection"]["fnmr_increase"] = park["template_protection"].pop(
        "fnir_increase")
    assert verdict_of(park, "FRS-DPR-010").verdict == "needs-evidence"


@pytest.mark.requirement("FRS-CNF-006")
def test_false_alerts_must_fit_the_two_person_review_capacity(tmp_path):
    groups = {"sex=F": Rate(0, 3_000), "sex=M": Rate(2, 3_000)}
    entry = {"requirement": "FRS-CNF-004", "class": "P", "verdict": "pass", "threshold": 0.6,
             "gallery_size": 950, "operational_gallery_size": 1000, "reason": "",
             "measurements": [{**r.measurement("fpir", 1e-3), "group": g}
                              for g, r in groups.items()]}
    report = json.loads((ROOT / "schemas/examples/evaluation-report/valid/minimal.json")
                        .read_text())
    report["verdicts"] = [entry]
    (tmp_path / "eval.json").write_text(json.dumps(report))
    data = BASES["P"]()
    data["evidence"].append({"id": "eval-local", "type": "evaluation-report",
                             "url": str(tmp_path / "eval.json")})
    data["testing"]["independent_test"]["evidence"] = "eval-local"
    worst = groups["sex=M"].upper  # about 2.1e-3: 40,000 searches give about 84 alerts
    result = verdict_of(data, "FRS-CNF-006")
    assert result.verdict == "pass"
    assert f"40,000 searches a day × FPIR upper bound {worst:.3g} (group 'sex=M')" in \
        result.reason
    data["governance"]["alert_reviews_per_day"] = int(worst * 40_000)  # one too few
    result = verdict_of(data, "FRS-CNF-006")
    assert result.verdict == "fail" and result.reason.startswith(
        "/governance/alert_reviews_per_day:")
    del data["governance"]["searches_per_day"]
    assert verdict_of(data, "FRS-CNF-006").verdict == "fail"


@pytest.mark.requirement("FRS-PAD-014")
def test_morphing_test_is_required_only_for_supplied_enrolment_images():
    data = BASES["V-R"]()
    assert verdicts(data)["FRS-PAD-014"] == "pass"
    data["pad"]["morphing_test"] = {"enrolment_images": "supplied", "follows_iso_20059": True}
    assert verdicts(data)["FRS-PAD-014"] == "needs-evidence"
    data["pad"]["morphing_test"] = {"enrolment_images": "operator-captured"}
    assert verdicts(data)["FRS-PAD-014"] == "not-applicable"
    del data["pad"]["morphing_test"]
    assert verdicts(data)["FRS-PAD-014"] == "fail"
