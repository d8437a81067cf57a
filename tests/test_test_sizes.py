"""The minimum test size of every class limit (clause 6.5, Annex F), through `frs evaluate`
and `frs conform` alike: zero errors in exactly the minimum pass, one trial fewer is too
small and says how many are needed, and a report that fails its class fails the statement
that cites it, whatever the report's own verdict says."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy.stats import beta

from reference_impl import classes
from reference_impl.cli import main
from reference_impl.conform import engine
from reference_impl.conform.statement import read_statement
from reference_impl.evaluate import harness, identify, synthetic
from reference_impl.evaluate.dataset import Sample
from reference_impl.metrics.uncertainty import minimum_trials
from reference_impl.metrics.verification import CountedScores
from reference_impl.model.manifest import load_manifest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "schemas/examples/conformance-statement/valid"
VERIFICATION = {"V-L": "FRS-CNF-001", "V-R": "FRS-CNF-002", "V-H": "FRS-CNF-003"}
# A clean model: at 0.65 no impostor of 64-dimensional latents (sd 1/8) is accepted and no
# genuine pair (cosine about 0.8) rejected.
CLEAN = synthetic.LatentModel(dimension=64, sigma=0.5, size=112, seed=5)


def manifest(tmp_path: Path, thresholds: dict[str, float], **overrides):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(synthetic.model_manifest(CLEAN, thresholds, **overrides)))
    return load_manifest(path)


def scores(mated: int, non_mated: int) -> CountedScores:
    """Perfect scores: every mated comparison 1, every non-mated one 0."""
    return CountedScores(np.ones(mated), np.zeros(non_mated))


# ---- frs evaluate ------------------------------------------------------------------

@pytest.mark.requirement("FRS-CNF-001", "FRS-CNF-002", "FRS-CNF-003", "FRS-SUB-020",
                         "FRS-ACC-016")
@pytest.mark.parametrize("name", sorted(VERIFICATION))
def test_the_evaluation_passes_zero_errors_at_the_minimum_and_not_one_fewer(name, tmp_path):
    limits = classes.limits(name)
    n_fmr, n_frr = minimum_trials(limits.fmr_max), minimum_trials(limits.frr_max)
    claim = manifest(tmp_path, {name: 0.5})
    (verdict,) = harness.class_verdicts(claim, scores(n_frr, n_fmr), 0)
    assert (verdict["requirement"], verdict["verdict"]) == (VERIFICATION[name], "pass")
    assert [m["minimum_trials"] for m in verdict["measurements"]] == [n_fmr, n_frr]
    (verdict,) = harness.class_verdicts(claim, scores(n_frr, n_fmr - 1), 0)
    assert verdict["verdict"] == "fail"
    assert verdict["reason"] == (f"smoke set: 0 errors in {n_fmr - 1:,} trials: too few to "
                                 f"show FMR ≤ {limits.fmr_max:g}; needs ≥ {n_fmr:,}")
    (verdict,) = harness.class_verdicts(claim, scores(n_frr - 1, n_fmr), 0)
    assert verdict["verdict"] == "fail"
    assert verdict["reason"] == (f"0 errors in {n_frr - 1:,} trials: too few to show "
                                 f"FRR ≤ {limits.frr_max:g}; needs ≥ {n_frr:,}")


@pytest.mark.requirement("FRS-CNF-004", "FRS-CNF-005", "FRS-SUB-023")
@pytest.mark.parametrize("name", ["I", "P"])
def test_identification_passes_zero_errors_at_the_minimum_per_group(name):
    n = minimum_trials(classes.limits(name).fpir_max)

    def searches(per_group: dict[str, int]):
        samples = [Sample(f"p{i}", f"s{i}", "probe", Path("x.npy"), i, True, None,
                          {"sex": sex})
                   for i, sex in enumerate(s for s, k in per_group.items() for _ in range(k))]
        count = len(samples)
        found = identify.Searches(1000, 999, np.ones(count, int), np.ones(count),
                                  np.zeros(count), np.arange(count))
        return identify.identification_verdict(name, 0.5, samples, found, 1000)

    assert searches({"F": n, "M": n})["verdict"] == "pass"
    # FNIR over the mated searches (FRS-CNF-005): 59 with no miss pass 5 %, 58 are too few.
    m = minimum_trials(classes.limits(name).fnir_max)
    for count, verdict in ((m, "pass"), (m - 1, "fail")):
        found = identify.Searches(1000, 999, np.ones(count, int), np.ones(count),
                                  np.zeros(0), np.zeros(0, int))
        assert identify.fnir_verdict(name, 0.5, found)["verdict"] == verdict
    assert identify.fnir_verdict(name, 0.5, found)["reason"] == (
        f"0 errors in {m - 1} trials: too few to show FNIR ≤ 0.05; needs ≥ {m}")
    short = searches({"F": n, "M": n - 1})
    assert short["verdict"] == "fail"
    assert short["reason"] == (f"group 'sex=M': 0 errors in {n - 1:,} trials: too few to show "
                               f"FPIR ≤ 0.001; needs ≥ {n:,}")


def evaluate(tmp_path: Path, *extra: str) -> int:
    return main(["evaluate", str(tmp_path / "model.onnx"), str(tmp_path / "manifest.json"),
                 str(tmp_path / "data" / "dataset.json"),
                 "--out", str(tmp_path / "out"), "--no-progress", *extra])


@pytest.fixture(scope="module")
def minimum_v_l(tmp_path_factory) -> Path:
    """`frs evaluate` of a clean model on 174 subjects, a uniform sample of exactly the
    minimum test size of FMR 1e-4 in non-mated pairs: its report.json."""
    folder = tmp_path_factory.mktemp("minimum")
    synthetic.onnx_linear_model(folder / "model.onnx", CLEAN)
    (folder / "manifest.json").write_text(json.dumps(synthetic.model_manifest(
        CLEAN, {"V-L": 0.65})))
    synthetic.write_dataset(folder / "data", CLEAN, subjects=174, enrolments=1, probes=1)
    assert evaluate(folder, "--max-non-mated", str(minimum_trials(1e-4))) == 0
    return folder / "out" / "report.json"


@pytest.mark.requirement("FRS-CNF-001", "FRS-SUB-018", "FRS-ACC-019")
def test_frs_evaluate_passes_the_smallest_test_the_standard_allows(minimum_v_l, capsys):
    report = json.loads(minimum_v_l.read_text())
    verdict = next(v for v in report["verdicts"] if v.get("class") == "V-L")
    fmr, frr = verdict["measurements"]
    assert (fmr["errors"], fmr["trials"], fmr["minimum_trials"]) == (0, 29_956, 29_956)
    assert verdict["verdict"] == "pass"
    assert verdict["reason"].startswith("FMR upper bound 0.0001 ≤ 0.0001 (0 errors in 29,956")
    assert report["comparison_plan"]["minimum_non_mated"] == 29_956
    # 174 subjects are the least whose ordered pairs reach that size (FRS-ACC-019).
    assert report["comparison_plan"]["non_mated_available"] == 174 * 173


@pytest.mark.requirement("FRS-SUB-018")
def test_frs_evaluate_refuses_one_comparison_fewer_with_the_number_needed(minimum_v_l, capsys):
    folder = minimum_v_l.parents[1]
    assert evaluate(folder, "--max-non-mated", "29955") == 2
    assert "29,955 non-mated pairs is too few to show FMR ≤ 0.0001; needs ≥ 29,956" in \
        capsys.readouterr().err


# ---- frs conform -------------------------------------------------------------------

def statement_citing(tmp_path: Path, report: dict) -> Path:
    """The shipped Class V-L statement, citing `report` as its laboratory's local report."""
    data = json.loads((EXAMPLES / "phone-unlock-class-v-l.json").read_text())
    (tmp_path / "report.json").write_text(json.dumps(report))
    data["evidence"].append({"id": "lab-local", "type": "evaluation-report",
                             "url": "report.json"})
    data["testing"]["independent_test"]["evidence"] = "lab-local"
    version = report["system"]["algorithm_version"]
    data["testing"]["algorithm_version"] = version
    data["testing"]["independent_test"]["algorithm_version"] = version
    path = tmp_path / "statement.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def cnf_001(path: Path) -> engine.ClauseResult:
    report = engine.evaluate(read_statement(path))
    return next(r for r in report.results if r.id == "FRS-CNF-001")


def with_counts(report: dict, name: str, errors: int, trials: int) -> dict:
    """The report with other counts in its V-L measurement `name` (nothing recomputed)."""
    changed = copy.deepcopy(report)
    verdict = next(v for v in changed["verdicts"] if v.get("class") == "V-L")
    measured = next(m for m in verdict["measurements"] if m["name"] == name)
    measured.update(errors=errors, trials=trials, value=errors / trials)
    return changed


@pytest.mark.requirement("FRS-CNF-001")
def test_frs_conform_passes_the_class_limit_recomputed_from_the_cited_counts(minimum_v_l,
                                                                             tmp_path):
    report = json.loads(minimum_v_l.read_text())
    result = cnf_001(statement_citing(tmp_path, report))
    assert result.verdict == "pass"
    assert result.reason.startswith("recomputed from the cited report's counts at threshold "
                                    "0.65: FMR upper bound 0.0001 ≤ 0.0001 (0 errors in 29,956")


@pytest.mark.requirement("FRS-CNF-001")
def test_frs_conform_reports_one_comparison_fewer_as_too_small(minimum_v_l, tmp_path):
    report = with_counts(json.loads(minimum_v_l.read_text()), "fmr", 0, 29_955)
    result = cnf_001(statement_citing(tmp_path, report))
    assert result.verdict == "fail"
    assert "0 errors in 29,955 trials: too few to show FMR ≤ 0.0001; needs ≥ 29,956" in \
        result.reason
    # The report still says pass: its own verdict is never taken.
    assert result.reason.endswith("(the report itself says pass)")


@pytest.mark.requirement("FRS-CNF-001")
def test_frs_conform_fails_a_statement_citing_a_failing_report_with_the_reason(minimum_v_l,
                                                                               tmp_path,
                                                                               capsys):
    report = with_counts(json.loads(minimum_v_l.read_text()), "fmr", 4, 29_956)
    path = statement_citing(tmp_path, report)
    assert main(["conform", str(path)]) == 1
    line = next(x for x in capsys.readouterr().out.splitlines() if "FRS-CNF-001" in x)
    assert line.startswith("FAIL FRS-CNF-001  Class V-L error-rate limits: "
                           "/testing/independent_test/evidence: recomputed")
    bound = beta.ppf(0.95, 4 + 1, 29_956 - 4)  # the one-sided 95 % Clopper-Pearson bound
    assert f"FMR upper bound {bound:.3g} exceeds 0.0001 (4 errors in 29,956 trials)" in line
    # A report that claims a pass its counts do not support fails all the same.
    report["verdicts"][-1]["verdict"] = "pass"
    assert cnf_001(statement_citing(tmp_path, report)).verdict == "fail"


@pytest.mark.requirement("FRS-CNF-001")
def test_a_report_that_fails_its_own_verdict_but_meets_the_limit_passes(minimum_v_l, tmp_path):
    report = json.loads(minimum_v_l.read_text())
    next(v for v in report["verdicts"] if v.get("class") == "V-L")["verdict"] = "fail"
    result = cnf_001(statement_citing(tmp_path, report))
    assert result.verdict == "pass" and result.reason.endswith("(the report itself says fail)")


# ---- Annex F: generated, never typed ------------------------------------------------

def thin(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


@pytest.mark.requirement("FRS-ACC-017", "FRS-ACC-019", "FRS-PAD-007")
def test_annex_c_is_filled_in_from_the_code_that_judges():
    from frs_tools import generated

    page = (ROOT / "spec/annex-f-test-sizes.md").read_text()
    names = generated.MARKER.findall(page)
    assert names and set(names) <= set(generated.TABLES)
    filled = generated.expand(page, "annex-f-test-sizes.md")
    assert "frs:generated" not in filled
    rows = [line for line in filled.splitlines() if line.startswith("| V-L | FMR |")]
    assert rows == [f"| V-L | FMR | ≤ 10⁻⁴ | non-mated comparisons | {thin(29_956)} | "
                    f"{thin(300_000)} | FRS-CNF-001 |"]
    # Every minimum size of every class appears, computed now.
    for name in classes.CLASSES:
        for size in classes.minimum_sizes(name):
            assert thin(size.trials) in filled
    assert "| IAPAR, Level B | ≤ 7 % | 42 | FRS-PAD-005 |" in filled
    assert "| ≤ 10⁻⁴ | 174 | 123 |" in filled


def test_the_site_links_each_requirement_of_annex_f_to_its_clause():
    from frs_tools import generated

    filled = generated.expand("<!-- frs:generated test-sizes-pad -->", "annex-f-test-sizes.md",
                              link=lambda i: f"[{i}](x.md#{i})")
    assert "| [FRS-PAD-005](x.md#FRS-PAD-005) |" in filled
    assert "[FRS-PAD-004](x.md#FRS-PAD-004), [FRS-PAD-007](x.md#FRS-PAD-007)" in filled


def test_an_unknown_generated_table_is_an_error():
    from frs_tools import generated
    from reference_impl.errors import InputError

    with pytest.raises(InputError, match="unknown generated table 'sizes'"):
        generated.expand("x\n<!-- frs:generated sizes -->\n", "annex.md")


@pytest.mark.requirement("FRS-CNF-002", "FRS-SUB-018", "FRS-SUB-022")
def test_the_sizes_the_spec_text_states_are_the_codes():
    """The few counts the clauses quote in examples are those the code computes."""
    def spec(name: str) -> str:
        return " ".join((ROOT / "spec" / name).read_text().split())

    v_l = f"{minimum_trials(1e-4):,}".replace(",", " ")
    assert f"zero errors in fewer than {v_l} comparisons" in spec("02-conformance.md")
    assert f"no false match in {minimum_trials(1e-4) - 1:,}".replace(",", " ") in \
        spec("02-conformance.md")
    assert f"needs at least {v_l} non-mated comparisons" in spec("12-submission.md")
    i = f"{minimum_trials(1e-3):,}".replace(",", " ")
    assert f"Fewer than {i} non-mated searches in a group" in spec("12-submission.md")
