"""`frs metrics verification|pad|identification`: each prints exactly its section of
the evaluation report, valid against the report's schema, and text rendered from it."""

import json
from pathlib import Path

import numpy as np
import pytest

from reference_impl.cli import main
from reference_impl.metrics import cli as metrics_cli
from reference_impl.metrics import report
from reference_impl.metrics.verification import CountedScores
from reference_impl.validate import validate, validate_data

MINIMAL_REPORT = (Path(__file__).resolve().parents[1]
                  / "schemas/examples/evaluation-report/valid/minimal.json")


def run(capsys, *argv):
    try:
        code = main(["metrics", *map(str, argv)])
    except SystemExit as exc:  # argparse refuses an option value
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def as_report(family: str, section: dict) -> list:
    """Findings of an evaluation report whose `family` is the printed section: what an
    implementer gets by piping the output into a report and `frs validate`."""
    data = json.loads(MINIMAL_REPORT.read_text())  # a report with a verification section
    return validate_data({**data, family: section}, "evaluation-report")


def json_and_text(capsys, *argv) -> tuple[dict, str]:
    code, out, _ = run(capsys, *argv, "--format", "json")
    assert code == 0
    section = json.loads(out)
    code, text, _ = run(capsys, *argv)
    assert code == 0
    return section, text


@pytest.fixture
def example(tmp_path):
    (tmp_path / "g.txt").write_text("0.2\n0.6\n0.7\n0.9\n")
    (tmp_path / "i.csv").write_text("score\n0.1\n0.3\n0.4\n0.6\n0.8\n")
    return tmp_path


@pytest.mark.requirement("FRS-ACC-004", "FRS-ACC-005", "FRS-ACC-006", "FRS-ACC-009")
def test_verification_prints_the_report_section_of_the_worked_example(example, capsys):
    argv = ["verification", "--genuine", example / "g.txt", "--impostor", example / "i.csv",
            "--fmr", "1", "--fmr", "0.6", "--fmr", "0.2"]
    section, text = json_and_text(capsys, *argv)
    assert as_report("verification", section) == []
    assert section == report.verification_section(
        CountedScores([0.2, 0.6, 0.7, 0.9], [0.1, 0.3, 0.4, 0.6, 0.8]), [1, 0.6, 0.2])
    # By hand (clause 6.2): EER at 0.6, (2/5 + 1/4) / 2; interpolated 1/3.
    assert (section["genuine"], section["impostor"]) == (4, 5)
    assert section["eer"] == (2 / 5 + 1 / 4) / 2 and section["eer_threshold"] == 0.6
    assert section["eer_interpolated"] == pytest.approx(1 / 3)
    everything, at_06, at_02 = section["fnmr_at_fmr"]
    # Target 1 accepts everything: tau = -inf (null), FMR 5/5 and FNMR 0/4; the exact
    # one-sided 95 % bounds of 5 errors in 5 are [0.05^(1/5), 1], of 0 in 4
    # [0, 1 - 0.05^(1/4)].
    assert everything == {"fmr_target": 1, "supported": True, "threshold": None,
                          "fmr": 1.0, "fnmr": 0.0,
                          "fmr_interval": [pytest.approx(0.05 ** (1 / 5)), 1.0],
                          "fnmr_interval": [0.0, pytest.approx(1 - 0.05 ** (1 / 4))]}
    # Target 0.6 allows 3 of 5 false matches: tau just above the 4th highest, 0.3.
    assert at_06["threshold"] == np.nextafter(0.3, 1)
    assert (at_06["fmr"], at_06["fnmr"]) == (3 / 5, 1 / 4)
    # Target 0.2 needs ln(0.05) / ln(0.8) = 13.4, so 14 impostor comparisons: unsupported.
    assert at_02 == {"fmr_target": 0.2, "supported": False, "impostor_needed": 14}
    # No failures to acquire from two score files; FAR = FMR and FRR = FNMR then.
    assert section["failures_to_acquire"] == {"attempts": 9, "failures": 0, "fta": 0.0}
    assert section["transaction_rates"] == [{"fmr_target": 1, "far": 1.0, "frr": 0.0},
                                            {"fmr_target": 0.6, "far": 0.6, "frr": 0.25}]
    # The text is rendered from the same document, intervals and FTA included.
    assert text.splitlines() == metrics_cli.render_verification(section)
    assert "failures to acquire   0 of 9 attempts (FTA 0)" in text
    assert "0.6: 0.30000000000000004, FMR 0.6 [0.189255, 0.92356], FNMR 0.25 " \
           "[0.0127415, 0.751395], FAR 0.6, FRR 0.25" in text
    assert "0.2: unsupported, 5 impostor comparisons; needs ≥ 14" in text


@pytest.mark.requirement("FRS-ACC-017", "FRS-ACC-021")
def test_a_target_the_impostor_count_cannot_support_is_reported_not_computed(tmp_path, capsys):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "g.npy", rng.normal(3, 1, 1000))
    np.save(tmp_path / "i.npy", rng.normal(0, 1, 30_000))
    argv = ["verification", "--genuine", tmp_path / "g.npy", "--impostor",
            tmp_path / "i.npy", "--fmr", "1e-4", "--fmr", "1e-5"]
    section, text = json_and_text(capsys, *argv)
    rows = section["fnmr_at_fmr"]
    assert rows[0]["supported"] and rows[0]["fmr"] <= 1e-4  # 30,000 >= 29,956
    assert rows[1] == {"fmr_target": 1e-5, "supported": False, "impostor_needed": 299_572}
    assert "unsupported" in text and "299572" in text
    # Two .npy files are read chunk by chunk at each pass, as --stream reads them: the
    # document is that of the same scores held in memory, number for number.
    held = CountedScores(np.load(tmp_path / "g.npy"), np.load(tmp_path / "i.npy"))
    assert section == report.verification_section(held, [1e-4, 1e-5])
    code, out, _ = run(capsys, *argv, "--format", "json", "--stream")
    assert code == 0 and json.loads(out) == section


@pytest.mark.requirement("FRS-ACC-007")
def test_verification_writes_a_det_plot_named_in_the_section(tmp_path, capsys):
    rng = np.random.default_rng(1)
    np.save(tmp_path / "g.npy", rng.normal(3, 1, 2000))
    np.save(tmp_path / "i.npy", rng.normal(0, 1, 20_000))
    plot = tmp_path / "det.svg"
    code, out, _ = run(capsys, "verification", "--genuine", tmp_path / "g.npy",
                       "--impostor", tmp_path / "i.npy", "--det-svg", plot, "--format", "json")
    assert code == 0
    section = json.loads(out)
    assert section["det_plot"] == str(plot) and as_report("verification", section) == []
    svg = plot.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "FMR" in svg
    code, _, err = run(capsys, "verification", "--genuine", tmp_path / "g.npy",
                       "--impostor", tmp_path / "i.npy", "--det-svg", tmp_path / "det.png")
    assert code == 2 and "--det-svg" in err and ".svg" in err


@pytest.mark.requirement("FRS-ACC-008")
def test_verification_from_comparison_records_counts_failures_to_acquire(tmp_path, capsys):
    lines = []
    outcomes = [(True, 0.9), (True, None), (True, 0.8), (True, 0.7)] + [
        (False, k / 10) for k in range(1, 7)]
    for n, (mated, score) in enumerate(outcomes):
        lines.append(json.dumps({"schema_version": "0.1", "comparison_id": f"c{n}",
                                 "probe_id": "p", "reference_id": "r", "mated": mated,
                                 "score": score, "algorithm_id": "a"}))
    (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n")
    argv = ["verification", tmp_path / "c.jsonl", "--fmr", "1", "--fmr",
            "0.5"]
    section, text = json_and_text(capsys, *argv)
    assert as_report("verification", section) == []
    assert (section["genuine"], section["impostor"], section["eer"]) == (3, 6, 0.0)
    # One record of ten has no score: FTA 1/10, one type in every document.
    assert section["failures_to_acquire"] == {"attempts": 10, "failures": 1, "fta": 0.1}
    # FAR = FMR (1 - FTA), FRR = FTA + FNMR (1 - FTA); FNMR is 0 at both targets, FMR 1
    # at target 1 and 3/6 at target 0.5 (tau just above the 4th highest impostor, 0.3).
    assert section["transaction_rates"] == [
        {"fmr_target": 1, "far": 0.9, "frr": 0.1},
        {"fmr_target": 0.5, "far": pytest.approx(0.45), "frr": 0.1}]
    assert "failures to acquire   1 of 10 attempts (FTA 0.1)" in text
    code, out, _ = run(capsys, *argv, "--format", "json", "--stream")
    assert code == 0 and json.loads(out) == section


def test_verification_input_errors(example, capsys):
    code, _, err = run(capsys, "verification", "--genuine", example / "g.txt")
    assert code == 2 and "--impostor" in err
    (example / "bad.txt").write_text("0.1\nnan\n")
    code, _, err = run(capsys, "verification", "--genuine", example / "bad.txt",
                       "--impostor", example / "i.csv")
    assert code == 2 and "NaN or infinite" in err


@pytest.fixture
def pad_files(tmp_path):
    rng = np.random.default_rng(3)
    np.save(tmp_path / "bf.npy", rng.normal(1, 1, 1000))
    np.save(tmp_path / "print.npy", rng.normal(-2, 1, 100))
    (tmp_path / "mask.txt").write_text("0.1\n0.2\n")
    return tmp_path


@pytest.mark.requirement("FRS-PAD-004")
def test_pad_prints_the_report_section(pad_files, capsys):
    bona_fide, attack = pad_files / "bf.npy", pad_files / "print.npy"
    section, text = json_and_text(capsys, "pad", "--bona-fide", bona_fide, "--attack",
                                  f"print={attack}", "--threshold", "0")
    assert as_report("pad", section) == []
    assert section == report.pad_section(np.load(bona_fide), {"print": np.load(attack)}, 0.0)
    assert section["attack"] == {"print": 100}
    at5, at1 = section["bpcer_at_apcer"]
    assert at5["supported"] and at5["apcer_ap"] <= 0.05
    assert at1 == {"apcer_target": 0.01, "supported": False, "attack_needed_per_species": 299}
    at = section["at_threshold"]
    assert at["acer"] == pytest.approx((at["apcer_ap"] + at["bpcer"]["rate"]) / 2)
    bpcer = at["bpcer"]
    assert (bpcer["errors"], bpcer["trials"]) == (int((np.load(bona_fide) < 0).sum()), 1000)
    assert text.splitlines() == metrics_cli.render_pad(section)
    assert f"BPCER {bpcer['rate']:.6g} [{bpcer['interval'][0]:.6g}, " in text
    code, out, _ = run(capsys, "pad", "--bona-fide", bona_fide, "--attack",
                       f"mask={pad_files / 'mask.txt'}", "--threshold", "0.15")
    assert code == 0 and "unsupported" in out and "ACER" in out
    code, _, err = run(capsys, "pad", "--bona-fide", bona_fide, "--attack", "print")
    assert code == 2 and "SPECIES=FILE" in err


@pytest.mark.requirement("FRS-PAD-001", "FRS-PAD-003")
@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf"])
def test_pad_refuses_a_threshold_that_is_not_a_finite_number(pad_files, capsys, value):
    # At a NaN threshold no score is >= tau and none < tau: APCER and BPCER would read 0.
    code, out, err = run(capsys, "pad", "--bona-fide", pad_files / "bf.npy", "--attack",
                         f"print={pad_files / 'print.npy'}", f"--threshold={value}")
    assert code == 2 and out == ""
    assert "--threshold" in err and "not a finite number" in err


@pytest.mark.requirement("FRS-PAD-005")
def test_pad_command_reports_iapar_with_its_bound(tmp_path, capsys):
    (tmp_path / "bf.txt").write_text("0.9\n0.8\n")
    (tmp_path / "print.txt").write_text("0.1\n0.2\n")
    (tmp_path / "acc.txt").write_text("1\n" + "0\n" * 59)
    section, text = json_and_text(capsys, "pad", "--bona-fide", tmp_path / "bf.txt",
                                  "--attack", f"print={tmp_path / 'print.txt'}", "--accepted",
                                  f"print={tmp_path / 'acc.txt'}")
    assert as_report("pad", section) == []
    entry = section["iapar"]["print"]
    assert (entry["errors"], entry["trials"], entry["rate"]) == (1, 60, 1 / 60)
    assert entry["interval"][0] < 1 / 60 < entry["interval"][1] < 0.15
    assert "IAPAR 'print' 0.0166667 (1 of 60) [" in text
    (tmp_path / "half.txt").write_text("0.5\n1\n")
    code, _, err = run(capsys, "pad", "--bona-fide", tmp_path / "bf.txt", "--attack",
                       f"print={tmp_path / 'print.txt'}", "--accepted",
                       f"print={tmp_path / 'half.txt'}")
    assert code == 2 and "1/0" in err


def write_searches(path: Path, searches: list[dict]) -> Path:
    """A search file: each search a search-result record (schema_version and an id added)."""
    path.write_text("".join(json.dumps({"schema_version": "0.1", "search_id": f"s{n}", **s})
                            + "\n" for n, s in enumerate(searches)))
    return path


SEARCHES = [
    {"search_id": "s1", "mated": True, "mate_id": "a",
     "candidates": [{"reference_id": "a", "score": 0.9}, {"reference_id": "b", "score": 0.5}]},
    {"search_id": "s2", "mated": True, "mate_id": "c",
     "candidates": [{"reference_id": "d", "score": 0.7}, {"reference_id": "c", "score": 0.6}]},
    {"search_id": "s3", "mated": True, "mate_id": "e",
     "candidates": [{"reference_id": "f", "score": 0.4}]},
] + [{"search_id": f"n{k}", "mated": False,
      "candidates": [{"reference_id": "a", "score": k / 10}]} for k in range(3)]


@pytest.mark.requirement("FRS-ACC-013", "FRS-ACC-014")
def test_identification_prints_the_report_section(tmp_path, capsys):
    path = write_searches(tmp_path / "s.jsonl", SEARCHES)
    section, text = json_and_text(capsys, "identification", path,
                                  "--gallery-size", "6", "--rank", "1", "--rank", "2",
                                  "--fpir", "1", "--max-rank", "3")
    assert as_report("identification", section) == []
    assert (section["mated"], section["non_mated"]) == (3, 3)
    assert [r["fnir"] for r in section["fnir_at_rank"]] == [2 / 3, 1 / 3]
    # 1 miss in 3 at rank 2: its exact one-sided bounds [B(0.05; 1, 3), B(0.95; 2, 2)].
    low, high = section["fnir_at_rank"][1]["interval"]
    assert (low, high) == (pytest.approx(1 - 0.95 ** (1 / 3)), pytest.approx(0.86465, abs=5e-6))
    assert section["cmc"] == [1 / 3, 2 / 3, 2 / 3]
    assert section["fnir_at_fpir"][0]["fpir"] == 1.0  # target 1: tau = -inf
    assert text.splitlines() == metrics_cli.render_identification(section)
    assert "CMC, ranks 1 to 3: 0.333333 0.666667 0.666667" in text
    code, out, _ = run(capsys, "identification", path, "--gallery-size", "6")
    assert code == 0 and "unsupported" in out  # 3 non-mated searches cannot support 1e-3
    path.write_text('{"schema_version": "0.1", "search_id": "s", "mated": true, '
                    '"candidates": []}\n')
    code, _, err = run(capsys, "identification", path, "--gallery-size", "6")
    (finding,) = validate([path], "search-result")
    assert finding.expected == 'property "mate_id"'
    assert code == 2 and str(finding) in err


@pytest.mark.requirement("FRS-ACC-010", "FRS-ACC-013")
def test_an_empty_candidate_list_is_never_a_false_positive(tmp_path, capsys):
    # Worked by hand (Annex B.7): twelve non-mated searches, six return no candidate and
    # six a candidate at 0.5.  Only those six can be false positives, at any threshold:
    # FPIR(-inf) = 6/12 (counting the empty lists gave 1), so target 1 and target 1/2 both
    # take tau = -inf, and a target of 1/4 (at most 3 of 12) must pass 0.5.
    empty = {"mated": False, "candidates": []}
    at_half = {"mated": False, "candidates": [{"reference_id": "a", "score": 0.5}]}
    path = write_searches(tmp_path / "s.jsonl", [SEARCHES[0]] + [empty, at_half] * 6)
    for target, threshold, fpir in (("1", None, 0.5), ("0.5", None, 0.5),
                                    ("0.25", np.nextafter(0.5, 1), 0.0)):
        code, out, _ = run(capsys, "identification", path, "--gallery-size",
                           "2", "--fpir", target, "--format", "json")
        row = json.loads(out)["fnir_at_fpir"][0]
        assert code == 0 and (row["threshold"], row["fpir"]) == (threshold, fpir), target


def test_every_number_of_the_text_is_formatted_one_way():
    assert [metrics_cli._g(x) for x in (0.1 + 0.2, 1e-7, 300000, 0.0)] == \
        ["0.3", "1e-07", "300000", "0"]
    assert metrics_cli._tau(None) == "-inf" and float(metrics_cli._tau(0.1 + 0.2)) == 0.1 + 0.2


@pytest.mark.requirement("FRS-DEM-001", "FRS-DEM-005", "FRS-DEM-006", "FRS-DEM-007",
                         "FRS-DEM-008")
def test_demographics_prints_the_report_section_worked_by_hand(tmp_path, capsys):
    # At threshold 0.5: F has 1 of 2 genuine below (FNMR 1/2) and 1 of 4 impostors at or
    # above (FMR 1/4); M has neither (0 of 2, 0 of 4).  A record without a sex label and
    # one without a score (a failure to acquire) are in no group.
    outcomes = [("F", True, 0.9), ("F", True, 0.4), ("F", False, 0.6), ("F", False, 0.1),
                ("F", False, 0.2), ("F", False, 0.3), ("M", True, 0.8), ("M", True, 0.7),
                ("M", False, 0.1), ("M", False, 0.2), ("M", False, 0.3), ("M", False, 0.4),
                (None, False, 0.9), ("F", False, None)]
    records = [{"schema_version": "0.1", "comparison_id": f"c{n}", "probe_id": "p",
                "reference_id": "r", "mated": mated, "score": score, "algorithm_id": "a",
                **({"groups": {"sex": sex, "age_band": "18-30"}} if sex else {})}
               for n, (sex, mated, score) in enumerate(outcomes)]
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    section, text = json_and_text(capsys, "demographics", path, "--group",
                                  "sex", "--threshold", "0.5")
    assert as_report("demographics", section) == []
    assert {g: (r["fmr"]["errors"], r["fmr"]["trials"], r["fnmr"]["errors"],
                r["fnmr"]["trials"]) for g, r in section["groups"].items()} == {
        "F": (1, 4, 1, 2), "M": (0, 4, 0, 2)}
    # Zero rates floored at 1 / (2 N_g): FMR 1/4 over 1/8, FNMR 1/2 over 1/4; IR = 2^.5 2^.5;
    # FDR = 1 - (1/4 + 1/2) / 2; the Gini of two rates, one of them 0, is 1.
    assert (section["fmr_ratio"], section["fnmr_ratio"]) == (2.0, 2.0)
    assert section["inequity_rate"] == pytest.approx(2.0)
    assert (section["fdr"], section["garbe"], section["alpha"]) == (0.625, 1.0, 0.5)
    assert text.splitlines() == metrics_cli.render_demographics(section)
    assert "  M: FMR 0 [0, 0.527129] (0 of 4), FNMR 0 [0, 0.776393] (0 of 2)" in text
    code, _, err = run(capsys, "demographics", path, "--group", "age_band",
                       "--threshold", "0.5")
    assert code == 2 and "at least two groups" in err
