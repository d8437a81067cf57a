"""`frs metrics verification|pad|identification`."""

import json

import numpy as np
import pytest

from reference_impl.cli import main


def run(capsys, *argv):
    code = main(["metrics", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def example(tmp_path):
    (tmp_path / "g.txt").write_text("0.2\n0.6\n0.7\n0.9\n")
    (tmp_path / "i.csv").write_text("score\n0.1\n0.3\n0.4\n0.6\n0.8\n")
    return tmp_path


@pytest.mark.requirement("FRS-ACC-004", "FRS-ACC-005", "FRS-ACC-006")
def test_verification_json_of_the_worked_example(example, capsys):
    code, out, _ = run(capsys, "verification", "--genuine", str(example / "g.txt"),
                       "--impostor", str(example / "i.csv"), "--fmr", "1", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert (document["genuine"], document["impostor"]) == (4, 5)
    assert document["eer"] == (2 / 5 + 1 / 4) / 2
    assert document["eer_interpolated"] == pytest.approx(1 / 3)
    assert document["fnmr_at_fmr"] == [{"fmr_target": 1.0, "threshold": None, "fmr": 1.0,
                                        "fnmr": 0.0, "supported": True}]


@pytest.mark.requirement("FRS-ACC-017")
def test_a_target_the_impostor_count_cannot_support_is_reported_not_computed(tmp_path, capsys):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "g.npy", rng.normal(3, 1, 1000))
    np.save(tmp_path / "i.npy", rng.normal(0, 1, 30_000))
    args = ["verification", "--genuine", str(tmp_path / "g.npy"), "--impostor",
            str(tmp_path / "i.npy"), "--fmr", "1e-4", "--fmr", "1e-5"]
    code, out, _ = run(capsys, *args, "--format", "json")
    rows = json.loads(out)["fnmr_at_fmr"]
    assert rows[0]["supported"] and rows[0]["fmr"] <= 1e-4  # 30,000 = 3 / 1e-4 exactly
    assert rows[1] == {"fmr_target": 1e-5, "threshold": None, "fmr": None, "fnmr": None,
                       "supported": False, "impostor_needed": 300_000}
    code, out, _ = run(capsys, *args)
    assert code == 0 and "unsupported" in out and "300000" in out
    # the streaming path gives the same document, minus the interpolated EER
    code, out, _ = run(capsys, *args, "--format", "json", "--stream")
    streamed = json.loads(out)
    assert streamed["fnmr_at_fmr"] == rows


@pytest.mark.requirement("FRS-ACC-007")
def test_verification_writes_a_det_plot(tmp_path, capsys):
    rng = np.random.default_rng(1)
    np.save(tmp_path / "g.npy", rng.normal(3, 1, 2000))
    np.save(tmp_path / "i.npy", rng.normal(0, 1, 20_000))
    code, out, _ = run(capsys, "verification", "--genuine", str(tmp_path / "g.npy"),
                       "--impostor", str(tmp_path / "i.npy"), "--det-svg",
                       str(tmp_path / "det.svg"))
    assert code == 0
    svg = (tmp_path / "det.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "FMR" in svg


@pytest.mark.requirement("FRS-ACC-008")
def test_verification_from_comparison_records_counts_failures_to_acquire(tmp_path, capsys):
    lines = []
    for n, (mated, score) in enumerate([(True, 0.9), (True, None), (False, 0.1),
                                        (False, 0.2), (True, 0.8)]):
        lines.append(json.dumps({"schema_version": "0.1", "comparison_id": f"c{n}",
                                 "probe_id": "p", "reference_id": "r", "mated": mated,
                                 "score": score, "algorithm_id": "a"}))
    (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n")
    code, out, _ = run(capsys, "verification", "--comparisons", str(tmp_path / "c.jsonl"),
                       "--fmr", "1", "--format", "json")
    document = json.loads(out)
    assert (document["genuine"], document["impostor"], document["failures_to_acquire"]) == (
        2, 2, 1)
    assert document["eer"] == 0.0
    code, out, _ = run(capsys, "verification", "--comparisons", str(tmp_path / "c.jsonl"),
                       "--fmr", "1", "--format", "json", "--stream")
    streamed = json.loads(out)
    for key in ("genuine", "impostor", "failures_to_acquire", "eer", "fnmr_at_fmr"):
        assert streamed[key] == document[key]


def test_verification_input_errors(example, capsys):
    code, _, err = run(capsys, "verification", "--genuine", str(example / "g.txt"))
    assert code == 2 and "--impostor" in err
    (example / "bad.txt").write_text("0.1\nnan\n")
    code, _, err = run(capsys, "verification", "--genuine", str(example / "bad.txt"),
                       "--impostor", str(example / "i.csv"))
    assert code == 2 and "NaN or infinite" in err


@pytest.mark.requirement("FRS-PAD-004")
def test_pad_command(tmp_path, capsys):
    rng = np.random.default_rng(3)
    np.save(tmp_path / "bf.npy", rng.normal(1, 1, 1000))
    np.save(tmp_path / "print.npy", rng.normal(-2, 1, 100))
    (tmp_path / "mask.txt").write_text("0.1\n0.2\n")
    code, out, _ = run(capsys, "pad", "--bona-fide", str(tmp_path / "bf.npy"), "--attack",
                       f"print={tmp_path / 'print.npy'}", "--threshold", "0", "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["attack"] == {"print": 100}
    at5 = document["bpcer_at_apcer"][0]
    assert at5["supported"] and at5["apcer_ap"] <= 0.05
    assert document["bpcer_at_apcer"][1] == {"apcer_target": 0.01, "threshold": None,
                                             "apcer_ap": None, "bpcer": None,
                                             "supported": False,
                                             "attack_needed_per_species": 300}
    assert document["at_threshold"]["acer"] == pytest.approx(
        (document["at_threshold"]["apcer_ap"] + document["at_threshold"]["bpcer"]) / 2)
    code, out, _ = run(capsys, "pad", "--bona-fide", str(tmp_path / "bf.npy"), "--attack",
                       f"mask={tmp_path / 'mask.txt'}", "--threshold", "0.15")
    assert code == 0 and "unsupported" in out and "ACER" in out
    code, _, err = run(capsys, "pad", "--bona-fide", str(tmp_path / "bf.npy"), "--attack",
                       "print")
    assert code == 2 and "SPECIES=FILE" in err


@pytest.mark.requirement("FRS-PAD-005")
def test_pad_command_reports_iapar_with_its_bound(tmp_path, capsys):
    (tmp_path / "bf.txt").write_text("0.9\n0.8\n")
    (tmp_path / "print.txt").write_text("0.1\n0.2\n")
    (tmp_path / "acc.txt").write_text("1\n" + "0\n" * 59)
    code, out, _ = run(capsys, "pad", "--bona-fide", str(tmp_path / "bf.txt"), "--attack",
                       f"print={tmp_path / 'print.txt'}", "--accepted",
                       f"print={tmp_path / 'acc.txt'}", "--format", "json")
    entry = json.loads(out)["iapar"]["print"]
    assert (entry["errors"], entry["trials"], entry["rate"]) == (1, 60, 1 / 60)
    assert entry["interval"][0] < 1 / 60 < entry["interval"][1] < 0.15


@pytest.mark.requirement("FRS-ACC-013", "FRS-ACC-014")
def test_identification_command(tmp_path, capsys):
    searches = [
        {"search_id": "s1", "mated": True, "mate_id": "a",
         "candidates": [{"reference_id": "a", "score": 0.9}, {"reference_id": "b", "score": 0.5}]},
        {"search_id": "s2", "mated": True, "mate_id": "c",
         "candidates": [{"reference_id": "d", "score": 0.7}, {"reference_id": "c", "score": 0.6}]},
        {"search_id": "s3", "mated": True, "mate_id": "e",
         "candidates": [{"reference_id": "f", "score": 0.4}]},
    ] + [{"search_id": f"n{k}", "mated": False,
          "candidates": [{"reference_id": "a", "score": k / 10}]} for k in range(3)]
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in searches))
    code, out, _ = run(capsys, "identification", "--searches", str(path), "--gallery-size",
                       "6", "--rank", "1", "--rank", "2", "--fpir", "1", "--max-rank", "3",
                       "--format", "json")
    document = json.loads(out)
    assert code == 0 and (document["mated"], document["non_mated"]) == (3, 3)
    assert [r["fnir"] for r in document["fnir_at_rank"]] == [2 / 3, 1 / 3]
    assert document["cmc"] == [1 / 3, 2 / 3, 2 / 3]
    assert document["fnir_at_fpir"][0]["fpir"] == 1.0  # target 1: tau = -inf
    code, out, _ = run(capsys, "identification", "--searches", str(path), "--gallery-size",
                       "6")
    assert code == 0 and "unsupported" in out  # 3 non-mated searches cannot support 1e-3
    path.write_text('{"mated": true, "candidates": []}\n')
    code, _, err = run(capsys, "identification", "--searches", str(path), "--gallery-size", "6")
    assert code == 2 and "mate_id" in err
