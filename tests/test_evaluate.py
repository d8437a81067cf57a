"""`frs evaluate` on generated models and identities whose true error rates are known."""

import hashlib
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest
from jsonschema import Draft202012Validator

from reference_impl.cli import main
from reference_impl.documents import DocumentError
from reference_impl.errors import InputError
from reference_impl.evaluate import dataset as datasets
from reference_impl.evaluate import harness, plan, synthetic
from reference_impl.metrics.verification import CountedScores
from reference_impl.model.contract import check_model
from reference_impl.model.manifest import load_manifest
from reference_impl.preprocess import TEMPLATE_112

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
REPORT_SCHEMA = Draft202012Validator(json.loads(
    (SCHEMAS / "evaluation-report.schema.json").read_text()))
# 40 subjects x (2 enrolment + 3 probe): 240 mated, 9 360 non-mated comparisons.
NOISY = synthetic.LatentModel(dimension=16, sigma=0.6, size=112, seed=7)
THRESHOLD = 0.5


def submission(folder: Path, latent, thresholds, **overrides):
    folder.mkdir(parents=True, exist_ok=True)
    model = synthetic.onnx_linear_model(folder / "model.onnx", latent)
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps(synthetic.model_manifest(latent, thresholds, **overrides)))
    return model, manifest


def evaluate(tmp_path, argv_extra=()):
    return main(["evaluate", str(tmp_path / "sub" / "model.onnx"),
                 str(tmp_path / "sub" / "manifest.json"),
                 str(tmp_path / "data" / "dataset.json"),
                 "--out", str(tmp_path / "out"), "--no-progress", *argv_extra])


def report_of(tmp_path):
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert not list(REPORT_SCHEMA.iter_errors(report))
    return report


def class_verdict(report, name):
    return next(v for v in report["verdicts"] if v.get("class") == name)


@pytest.mark.requirement("FRS-SUB-020")
def test_measured_rates_match_the_known_truth_within_their_intervals(tmp_path):
    submission(tmp_path / "sub", NOISY, {"V-L": THRESHOLD})
    synthetic.write_dataset(tmp_path / "data", NOISY, subjects=40)
    assert evaluate(tmp_path) == 1  # a 2 % FMR is far from Class V-L
    report = report_of(tmp_path)
    true_fmr, true_fnmr = synthetic.true_rates(NOISY, THRESHOLD)
    assert 0.015 < true_fmr < 0.03 and 0.04 < true_fnmr < 0.08  # the design point
    verdict = class_verdict(report, "V-L")
    fmr, fnmr = verdict["measurements"]
    assert (fmr["name"], fmr["trials"], fnmr["name"], fnmr["trials"]) == ("fmr", 9360,
                                                                          "frr", 240)
    assert fmr["interval"][0] <= true_fmr <= fmr["interval"][1]
    assert fnmr["interval"][0] <= true_fnmr <= fnmr["interval"][1]
    # 9,360 impostor comparisons are below the minimum size for 1e-4 whatever the outcome.
    assert verdict["verdict"] == "fail"
    assert "9,360 trials: too few to show FMR ≤ 0.0001; needs ≥ 29,956" in verdict["reason"]
    assert report["verification"]["genuine"] == 240
    assert report["verification"]["impostor"] == 9360
    # The counts agree with numpy's own projection of the stored crops (no onnxruntime,
    # no harness): the harness's normalisation, plan and counting add nothing.
    crops = np.load(tmp_path / "data" / "crops.npy").reshape(200, -1).astype(np.float64)
    latent = ((crops - 127.5) @ NOISY.projection() / NOISY.scale).reshape(40, 5, -1)
    unit = latent / np.linalg.norm(latent, axis=-1, keepdims=True)
    refs, probes = unit[:, :2].reshape(-1, 16), unit[:, 2:].reshape(-1, 16)
    scores = refs @ probes.T
    mated = np.repeat(np.arange(40), 2)[:, None] == np.repeat(np.arange(40), 3)[None, :]
    assert fmr["errors"] == np.count_nonzero(scores[~mated] >= THRESHOLD)
    assert fnmr["errors"] == np.count_nonzero(scores[mated] < THRESHOLD)


@pytest.mark.requirement("FRS-SUB-020", "FRS-SUB-019", "FRS-DEM-001", "FRS-DEM-003")
def test_a_conformant_model_passes_class_v_l(tmp_path, capsys):
    clean = synthetic.LatentModel(dimension=64, sigma=0.5, size=112, seed=5)
    submission(tmp_path / "sub", clean, {"V-L": 0.55})
    synthetic.write_dataset(tmp_path / "data", clean, subjects=100)  # 59 400 non-mated
    assert evaluate(tmp_path) == 0
    assert "pass            FRS-CNF-001" in capsys.readouterr().out
    report = report_of(tmp_path)
    verdict = class_verdict(report, "V-L")
    fmr, fnmr = verdict["measurements"]
    assert verdict["verdict"] == "pass" and fmr["errors"] == 0 and fmr["trials"] == 59400
    assert fmr["interval"][1] == pytest.approx(1 - 0.05 ** (1 / 59400))  # x = 0: exact
    assert fmr["interval"][1] < 1e-4 and fnmr["interval"][1] < 0.05
    # Per group (clause 7), impostors matched on the group: 50 subjects of each sex, 2
    # enrolment samples and 3 probes each, give 50 x 49 x 6 non-mated and 50 x 6 mated.
    groups = report["demographics"]["groups"]
    assert sorted(groups) == ["sex=F", "sex=M"]
    for rates in groups.values():
        assert (rates["fmr"]["trials"], rates["fnmr"]["trials"]) == (50 * 49 * 6, 50 * 6)
        assert rates["fmr"]["errors"] == rates["fnmr"]["errors"] == 0
    assert report["demographics"]["threshold"] == 0.55
    lines = (tmp_path / "out" / "scores.jsonl").read_text().splitlines()
    assert len(lines) == 600 + 59400
    first = json.loads(lines[0])
    assert first["mated"] is True and first["probe_id"] == "s0000-2"
    assert first["reference_id"] == "s0000-0" and isinstance(first["score"], float)
    assert sum(json.loads(line)["mated"] for line in lines) == 600


@pytest.mark.requirement("FRS-QUA-009", "FRS-SUB-019")
def test_quality_rejections_count_as_failures(tmp_path):
    submission(tmp_path / "sub", NOISY, {"V-L": THRESHOLD})
    capture = (TEMPLATE_112 * 3 + 40).tolist()
    small = (TEMPLATE_112 * 1.2).tolist()  # IED 42 px: below the probe limit
    faces = {"s0000-0": [capture, capture],   # two faces: failure to enrol
             "s0001-3": [small],              # too small: failure to acquire
             "s0002-4": []}                   # no face: failure to acquire
    synthetic.write_dataset(tmp_path / "data", NOISY, subjects=40, faces=faces)
    assert evaluate(tmp_path) == 1
    report = report_of(tmp_path)
    quality = report["quality"]
    assert (quality["fte"]["failures"], quality["fte"]["attempts"]) == (1, 80)
    assert (quality["fta"]["failures"], quality["fta"]["attempts"]) == (2, 120)
    assert quality["rejected_by"] == {"face_count": 2, "inter_eye_distance": 1}
    # Without a score: s0000-0's 3 mated probes, and 2 references each for s0001-3 and
    # s0002-4: 7 mated comparisons, each a false non-match.
    records = [json.loads(x) for x in (tmp_path / "out" / "scores.jsonl").open()]
    missing = [r for r in records if r["mated"] and r["score"] is None]
    assert len(missing) == 7
    scored = [r["score"] for r in records if r["mated"] and r["score"] is not None]
    fmr, fnmr = class_verdict(report, "V-L")["measurements"]
    assert fnmr["trials"] == 240
    assert fnmr["errors"] == 7 + sum(s < THRESHOLD for s in scored)
    impostor = [r["score"] for r in records if not r["mated"] and r["score"] is not None]
    assert fmr["trials"] == len(impostor) and fmr["errors"] == sum(s >= THRESHOLD
                                                                   for s in impostor)
    quality_lines = (tmp_path / "out" / "quality.jsonl").read_text().splitlines()
    assert len(quality_lines) == 200


@pytest.mark.requirement("FRS-QUA-009")
def test_transaction_rates_known_answer():
    # mated 0.9, 0.8, 0.2 and two without a score; non-mated 0.1, 0.7, 0.3 and one
    scores = CountedScores([0.9, 0.8, 0.2], [0.1, 0.7, 0.3])
    fmr, fnmr = harness.transaction_rates(scores, 2, 0.5)
    assert (fmr.errors, fmr.trials) == (1, 3)      # the unscored one is not a trial
    assert (fnmr.errors, fnmr.trials) == (3, 5)    # two missing + one below


@pytest.mark.requirement("FRS-QUA-010")
def test_rejection_rate_per_demographic_group(tmp_path):
    submission(tmp_path / "sub", NOISY, {"V-L": THRESHOLD})
    faces = {"s0000-2": [], "s0002-3": [], "s0001-4": []}  # subjects 0, 2: M; 1: F
    synthetic.write_dataset(tmp_path / "data", NOISY, subjects=10, faces=faces)
    data = datasets.load_dataset(tmp_path / "data" / "dataset.json")
    quality = [{"accepted": s.sample_id not in faces, "rejected_by": [],
                "gate_score": 80.0 if s.sample_id not in faces else 20.0}
               for s in data.samples]
    summary = harness.quality_summary(data, quality)
    groups = {(g["group"], g["label"]): g for g in summary["by_group"]}
    assert (groups["sex", "M"]["failures"], groups["sex", "M"]["attempts"]) == (2, 25)
    assert (groups["sex", "F"]["failures"], groups["sex", "F"]["attempts"]) == (1, 25)
    assert groups["sex", "M"]["rate"] == 0.08
    low, high = groups["sex", "F"]["interval"]
    assert low < 0.04 < high


@pytest.mark.requirement("FRS-QUA-012")
def test_mean_gate_score_per_demographic_group(tmp_path):
    submission(tmp_path / "sub", NOISY, {"V-L": THRESHOLD})
    small = (TEMPLATE_112 * 1.2).tolist()  # IED 42.3 px: a probe scores 100 * 42.3 / 120
    faces = {"s0000-2": [], "s0002-3": [small], "s0001-4": [small]}  # 0, 2: M; 1: F
    synthetic.write_dataset(tmp_path / "data", NOISY, subjects=4, faces=faces)
    assert evaluate(tmp_path) == 1
    records = [json.loads(line) for line in
               (tmp_path / "out" / "quality.jsonl").read_text().splitlines()]
    score = {r["sample_id"]: r["gate_score"] for r in records}
    ied = float(np.hypot(*(TEMPLATE_112[1] - TEMPLATE_112[0]))) * 1.2
    assert score["s0000-2"] == 0.0  # no face
    assert score["s0002-3"] == pytest.approx(100 * ied / 120, abs=1e-5)
    quality = report_of(tmp_path)["quality"]
    groups = {g["label"]: g["mean_gate_score"] for g in quality["by_group"]}
    for label, subjects in (("M", ("s0000", "s0002")), ("F", ("s0001", "s0003"))):
        values = [v for k, v in score.items() if k[:5] in subjects]
        assert len(values) == 10 and groups[label] == pytest.approx(sum(values) / 10)
    assert groups["M"] < groups["F"]  # M lost a face and a size, F only a size
    assert quality["mean_gate_score"] == pytest.approx(sum(score.values()) / 20)


@pytest.mark.requirement("FRS-SUB-018")
def test_comparison_plan_all_pairs_known_counts():
    made = plan.comparison_plan(["a", "a", "b"], ["a", "b", "b", "c"], 1e-2)
    assert made.kind == "all"
    assert made.mated.tolist() == [[0, 0], [1, 0], [2, 1], [2, 2]]
    assert len(made.non_mated) == 3 * 4 - 4 and made.non_mated_available == 8
    record = made.record()
    assert (record["minimum_non_mated"], record["rule_of_30"]) == (299, 3000)


@pytest.mark.requirement("FRS-SUB-018")
def test_a_plan_at_nist_scale_is_described_not_listed():
    # 10^5 references x 10^5 probes: 10^10 pairs, whose matrix alone would be 10 GB
    refs, probes = np.arange(100_000) // 2, np.arange(100_000) // 2
    made = plan.comparison_plan(refs, probes, 1e-4)
    assert made.kind == "all" and made.size == 10**10
    assert len(made.mated) == 200_000 and made.non_mated_available == 10**10 - 200_000
    first = next(made.pairs(mated=False, size=1000))  # a run of the first reference rows
    assert first[:3].tolist() == [[0, 2], [0, 3], [0, 4]] and len(first) == 99_998
    sampled = plan.comparison_plan(refs, probes, 1e-4, max_non_mated=40_000, seed=1)
    pairs = sampled.non_mated
    assert len({tuple(p) for p in pairs.tolist()}) == 40_000
    assert (refs[pairs[:, 0]] != probes[pairs[:, 1]]).all()


@pytest.mark.requirement("FRS-SUB-018")
def test_the_runs_and_the_sample_of_a_plan_are_those_of_its_pair_list():
    rng = np.random.default_rng(5)
    refs, probes = rng.integers(0, 9, 40), rng.integers(0, 9, 70)
    same = refs[:, None] == probes[None, :]
    made = plan.comparison_plan(refs, probes, 1e-2)
    assert (made.mated == np.argwhere(same)).all()
    assert (np.concatenate(list(made.pairs(mated=False, size=100))) == np.argwhere(~same)).all()
    sampled = plan.comparison_plan(refs, probes, 1e-2, max_non_mated=500, seed=7)
    flat = np.flatnonzero(~same.ravel())  # the draw over the listed non-mated pairs
    drawn = np.sort(np.random.default_rng(7).choice(flat, size=500, replace=False))
    assert (sampled.non_mated == np.stack(np.unravel_index(drawn, same.shape), axis=1)).all()


@pytest.mark.requirement("FRS-SUB-018")
def test_a_sampled_plan_is_uniform_non_mated_and_at_least_the_minimum_size():
    refs = np.repeat(np.arange(200), 1)
    probes = np.repeat(np.arange(200), 2)
    made = plan.comparison_plan(refs, probes, 1e-3, max_non_mated=5000, seed=4)
    assert made.kind == "sampled" and len(made.non_mated) == 5000
    pairs = {tuple(p) for p in made.non_mated.tolist()}
    assert len(pairs) == 5000  # without replacement
    assert all(refs[r] != probes[p] for r, p in pairs)
    assert len(made.mated) == 400
    with pytest.raises(InputError, match="too few to show FMR ≤ 0.0001; needs ≥ 29,956"):
        plan.comparison_plan(refs, probes, 1e-4, max_non_mated=5000)
    # The plan's sizes are those of Annex B.6: at 3e-4, 30 / x is 100 000 to the digit
    # (math.ceil(30 / 3e-4) in floating point says 100 001).
    record = plan.comparison_plan(refs, probes, 3e-4).record()
    assert (record["minimum_non_mated"], record["rule_of_30"]) == (9_985, 100_000)
    with pytest.raises(InputError, match="no non-mated"):
        plan.comparison_plan(["a"], ["a"], 1e-3)


@pytest.mark.requirement("FRS-SUB-017")
def test_report_identifies_the_dataset_and_whether_it_was_sequestered(tmp_path):
    submission(tmp_path / "sub", NOISY, {"V-L": THRESHOLD})
    path = synthetic.write_dataset(tmp_path / "data", NOISY, subjects=8)
    manifest = json.loads(path.read_text())
    manifest["sequestered"] = False
    path.write_text(json.dumps(manifest))
    loaded = datasets.load_dataset(path)
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert evaluate(tmp_path) == 1
    block = report_of(tmp_path)["dataset"]
    assert block["manifest_sha256"] == loaded.sha256 and block["sequestered"] is False
    assert (block["samples"], block["subjects"], block["enrolment"]) == (40, 8, 16)


@pytest.mark.requirement("FRS-SUB-017")
def test_dataset_manifest_refusals_exit_2(tmp_path, capsys):
    submission(tmp_path / "sub", NOISY, {"V-L": THRESHOLD})
    path = synthetic.write_dataset(tmp_path / "data", NOISY, subjects=4)
    manifest = json.loads(path.read_text())
    manifest["samples"][3]["file"] = "../../etc/passwd"
    manifest["samples"][5]["sample_id"] = manifest["samples"][4]["sample_id"]
    path.write_text(json.dumps(manifest, indent=1))
    with pytest.raises(DocumentError) as caught:
        datasets.load_dataset(path)
    assert [(f.pointer, f.keyword, f.found) for f in caught.value.findings] == [
        ("/samples/3/file", "inside-folder", "'../../etc/passwd'"),
        ("/samples/5/sample_id", "unique-id", repr(manifest["samples"][4]["sample_id"]))]
    line = caught.value.findings[0].line
    assert path.read_text().splitlines()[line - 1].strip().startswith('"file": "../../etc')
    assert evaluate(tmp_path) == 2
    assert str(caught.value) in capsys.readouterr().err
    manifest["samples"][5]["sample_id"] = "unique"
    manifest["samples"][3]["file"] = "crops.npy"
    manifest["samples"][3]["index"] = 999
    path.write_text(json.dumps(manifest))
    assert evaluate(tmp_path) == 2
    assert "#/samples/3/index: 999" in capsys.readouterr().err
    del manifest["sequestered"]
    path.write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="sequestered"):
        datasets.load_dataset(path)


@pytest.mark.requirement("FRS-SUB-021", "FRS-ACC-007")
def test_the_report_ships_the_det_plot_of_its_scores(tmp_path):
    submission(tmp_path / "sub", NOISY, {"V-L": THRESHOLD})
    synthetic.write_dataset(tmp_path / "data", NOISY, subjects=12)
    evaluate(tmp_path)
    verification = report_of(tmp_path)["verification"]
    assert verification["det_plot"] == "det.svg"
    target = tmp_path / "out" / "det.svg"
    root = ElementTree.parse(target).getroot()
    assert root.tag.endswith("svg")
    # The one DET plot of FRS (metrics.plot.det_svg): its axes, its EER mark, its title.
    text = target.read_text()
    assert "FMR (false match rate)" in text and "FNMR (false non-match rate)" in text
    assert f"<!-- EER {verification['eer']:.4g} -->" in text
    assert "on frs-synthetic-12x5 -->" in text


def test_an_interrupted_run_resumes_from_cached_embeddings(tmp_path):
    model, manifest_path = submission(tmp_path / "sub", NOISY, {"V-L": THRESHOLD})
    path = synthetic.write_dataset(tmp_path / "data", NOISY, subjects=12)
    manifest = load_manifest(manifest_path)
    data = datasets.load_dataset(path)
    checks, session = check_model(model, manifest)
    out = tmp_path / "out"
    first = harness.evaluate(model, manifest, data, session, checks, out, batch_size=8,
                             progress=False)
    assert first.embeddings.computed_batches == 8 and first.embeddings.cached_batches == 0
    cache = next((out / "cache").iterdir())
    for lost in ("batch-000002.npz", "batch-000005.npz"):  # as if killed mid-run
        (cache / lost).unlink()
    (cache / "batch-000006.tmp.npz").write_bytes(b"half-written")
    again = harness.evaluate(model, manifest, data, session, checks, out, batch_size=8,
                             progress=False)
    assert again.embeddings.computed_batches == 2 and again.embeddings.cached_batches == 6
    assert np.array_equal(again.embeddings.vectors, first.embeddings.vectors)
    assert again.report == first.report


def test_evaluate_refuses_a_model_that_breaks_its_manifest(tmp_path, capsys):
    submission(tmp_path / "sub", NOISY, {"V-L": THRESHOLD},
               output={"name": "embedding", "dtype": "float32", "dimension": 32})
    synthetic.write_dataset(tmp_path / "data", NOISY, subjects=4)
    assert evaluate(tmp_path) == 1
    err = capsys.readouterr().err
    assert "breaks its contract: signature" in err and "output.dimension is 32" in err
    assert not (tmp_path / "out" / "report.json").exists()


def test_real_image_samples_are_aligned_and_unreadable_ones_refused(tmp_path, capsys):
    from PIL import Image

    submission(tmp_path / "sub", NOISY, {"V-L": THRESHOLD})
    path = synthetic.write_dataset(tmp_path / "data", NOISY, subjects=4)
    crops = np.load(tmp_path / "data" / "crops.npy")
    manifest = json.loads(path.read_text())
    # Sample 0 as a 336 x 336 PNG capture (3x, nearest) with its landmarks: aligned back.
    Image.fromarray(np.repeat(np.repeat(crops[0], 3, 0), 3, 1)).save(tmp_path / "data" /
                                                                     "s0.png")
    landmarks = (TEMPLATE_112 * 3 + 1).tolist()  # pixel centres of the 3x enlargement
    manifest["samples"][0].update(file="s0.png", aligned=False, faces=[landmarks])
    del manifest["samples"][0]["index"]
    path.write_text(json.dumps(manifest))
    data = datasets.load_dataset(path)
    model_manifest = load_manifest(tmp_path / "sub" / "manifest.json")
    record, crop = harness.prepare(data.samples[0], model_manifest)
    assert record["accepted"] and crop.shape == (112, 112, 3)
    assert np.abs(crop - crops[0]).max() < 1e-3  # the 3x enlargement undone exactly
    ied = next(c for c in record["components"] if c["name"] == "inter_eye_distance")
    assert ied["value"] == pytest.approx(3 * 35.2377, abs=1e-3)
    (tmp_path / "data" / "s0.png").write_bytes(b"\x89PNG broken")
    assert evaluate(tmp_path) == 2
    assert "#/samples/0/file: cannot read" in capsys.readouterr().err


@pytest.mark.requirement("FRS-SUB-018")
def test_cli_sampled_plan_below_the_minimum_size_is_refused_and_json_output(tmp_path, capsys):
    submission(tmp_path / "sub", NOISY, {"V-L": THRESHOLD})
    synthetic.write_dataset(tmp_path / "data", NOISY, subjects=8)  # 16 x 24 pairs
    assert evaluate(tmp_path, ["--max-non-mated", "100"]) == 2
    assert "100 non-mated pairs is too few to show FMR ≤ 0.0001; needs ≥ 29,956" in \
        capsys.readouterr().err
    capsys.readouterr()
    assert evaluate(tmp_path, ["--max-non-mated", "100000", "--format", "json"]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed["comparison_plan"]["kind"] == "all"
    assert printed["comparison_plan"]["non_mated"] == 16 * 24 - 16 * 3
    assert not list(REPORT_SCHEMA.iter_errors(printed))


def test_a_run_killed_mid_way_resumes_where_it_stopped(tmp_path):
    model, manifest_path = submission(tmp_path / "sub", NOISY, {"V-L": THRESHOLD})
    path = synthetic.write_dataset(tmp_path / "data", NOISY, subjects=12)  # 60 samples
    manifest = load_manifest(manifest_path)
    data = datasets.load_dataset(path)
    checks, session = check_model(model, manifest)

    class Killed(Exception):
        pass

    class DiesAfterThree:  # the real session, interrupted during its fourth batch
        calls = 0

        def run(self, batch):
            DiesAfterThree.calls += 1
            if DiesAfterThree.calls == 4:
                raise Killed
            return session.run(batch)

    with pytest.raises(Killed):
        harness.evaluate(model, manifest, data, DiesAfterThree(), checks, tmp_path / "out",
                         batch_size=8, progress=False)
    assert not (tmp_path / "out" / "report.json").exists()
    again = harness.evaluate(model, manifest, data, session, checks, tmp_path / "out",
                             batch_size=8, progress=False)
    assert again.embeddings.cached_batches == 3 and again.embeddings.computed_batches == 5
    fresh = harness.evaluate(model, manifest, data, session, checks, tmp_path / "fresh",
                             batch_size=8, progress=False)
    assert fresh.report == again.report


@pytest.mark.parametrize("name", ["evaluation-report", "dataset-manifest", "model-manifest"])
def test_schema_examples_are_judged_correctly(name):
    validator = Draft202012Validator(json.loads(
        (SCHEMAS / f"{name}.schema.json").read_text()))
    folder = SCHEMAS / "examples" / name
    valid, invalid = sorted(folder.glob("valid/*.json")), sorted(folder.glob("invalid/*.json"))
    assert valid and invalid
    for path in valid:
        assert not list(validator.iter_errors(json.loads(path.read_text()))), path.name
    for path in invalid:
        assert list(validator.iter_errors(json.loads(path.read_text()))), path.name


@pytest.mark.requirement("FRS-SUB-023")
def test_an_identification_claim_without_group_labels_fails(tmp_path, capsys):
    submission(tmp_path / "sub", NOISY, {"I": 0.9}, operational_gallery_size=6)
    synthetic.write_dataset(tmp_path / "data", NOISY, subjects=6, groups=False)
    assert evaluate(tmp_path) == 1
    verdict = class_verdict(report_of(tmp_path), "I")
    assert verdict["verdict"] == "fail" and verdict["requirement"] == "FRS-CNF-004"
    assert "labels no demographic group" in verdict["reason"]
    assert [m["name"] for m in verdict["measurements"]] == ["fnir"]


@pytest.mark.requirement("FRS-QUA-012")
def test_when_every_probe_is_rejected_the_error_says_why_and_quality_is_written(tmp_path,
                                                                                 capsys):
    submission(tmp_path / "sub", NOISY, {"V-L": THRESHOLD})
    small = (TEMPLATE_112 * 1.2).tolist()  # IED 42 px: below the probe limit
    faces = {f"s{s:04d}-{k}": [] if k < 4 else [small] for s in range(3) for k in (2, 3, 4)}
    synthetic.write_dataset(tmp_path / "data", NOISY, subjects=3, faces=faces)
    assert evaluate(tmp_path) == 2
    err = capsys.readouterr().err
    assert "no mated comparison produced a score" in err
    assert "0/6 enrolment samples rejected; 9/9 probe samples rejected: face_count 6, " \
           "inter_eye_distance 3" in err
    records = [json.loads(r) for r in
               (tmp_path / "out" / "quality.jsonl").read_text().splitlines()]
    assert len(records) == 15
    assert not any(r["accepted"] for r in records if r["role"] == "probe")
