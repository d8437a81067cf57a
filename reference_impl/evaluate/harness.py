"""`frs evaluate`: run a submitted model on a dataset and judge it, clause by clause.

dataset manifest -> quality + alignment per sample (clause 4) -> batched embedding
(cached per batch, so an interrupted run resumes) -> comparison plan -> scores ->
the metrics of clause 6 -> evaluation report + DET plot + verdicts.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from reference_impl import __version__, classes, documents, preprocess
from reference_impl.errors import InputError
from reference_impl.evaluate import identify, tiles
from reference_impl.evaluate.dataset import Dataset, Sample, load_pixels
from reference_impl.evaluate.plan import Plan, comparison_plan
from reference_impl.evaluate.runner import Runner
from reference_impl.limits import (
    CLASS_CLAUSES,
    CONFIDENCE,
    FMR_TARGETS,
    IDENTIFICATION_CLASSES,
    SCHEMA_VERSION,
    VERIFICATION_CLASSES,
)
from reference_impl.metrics import demographics as dem
from reference_impl.metrics import report as report_sections
from reference_impl.metrics.plot import det_svg
from reference_impl.metrics.uncertainty import Rate, minimum_trials
from reference_impl.metrics.verification import DET_POINTS, CountedScores, as_threshold
from reference_impl.model.contract import CheckResult
from reference_impl.model.manifest import Manifest
from reference_impl.model.safety import BoundedSession
from reference_impl.model.similarity import pair_scores
from reference_impl.preprocess import align, normalise, quality_report

KEPT_SCORES = 50_000_000  # a plan of more comparisons is counted block by block, not kept
# Which requirement of clause 12 each check of `frs model check` verifies.
CHECK_REQUIREMENTS = {
    "training-data": "FRS-SUB-003", "opset": "FRS-SUB-004", "custom-op-domain": "FRS-SUB-005",
    "external-data": "FRS-SUB-006",
    "absurd-shape": "FRS-SUB-007", "memory": "FRS-SUB-008", "time-per-batch": "FRS-SUB-008",
    "run": "FRS-SUB-008", "resource-limits": "FRS-SUB-008", "function-size": "FRS-SUB-008",
    "time-to-load": "FRS-SUB-008",
    "signature": "FRS-SUB-009",
    "finite-output": "FRS-SUB-010", "determinism": "FRS-SUB-011",
    "batch-independence": "FRS-SUB-012",
}


@dataclass
class Embeddings:
    vectors: np.ndarray              # (samples, dimension), NaN rows for rejected samples
    quality: list[dict]              # one quality-report record per sample
    computed_batches: int = 0
    cached_batches: int = 0


def fingerprint(*paths: Path, extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode())
    for path in paths:
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    return digest.hexdigest()[:16]


def prepare(sample: Sample, manifest: Manifest) -> tuple[dict, np.ndarray | None]:
    """Quality record and aligned crop (None when rejected) of one sample."""
    size = manifest.input.size
    pixels = load_pixels(sample)
    found = sample.faces
    if found is None and not sample.aligned:  # no landmarks given: detect the faces
        from reference_impl.detect import detect_faces

        found = tuple(face.landmarks for face in detect_faces(pixels))
    # An aligned crop whose capture's faces are not stated shows its one face.
    faces = 1 if found is None else len(found)
    landmarks = found[0] if faces == 1 and found else None
    crop = None
    if sample.aligned:
        if pixels.shape[:2] != (size, size):
            raise InputError(f"{sample.where}: an aligned sample must be {size} x {size}, "
                             f"got {pixels.shape[1]} x {pixels.shape[0]}")
        crop = pixels
    elif faces == 1:
        crop = align(pixels, landmarks, size, manifest.alignment)
    record = quality_report(sample.sample_id, sample.role, faces, landmarks, crop)
    return record, crop if record["accepted"] else None


def embed_batch(chunk: list[Sample], manifest: Manifest, session: BoundedSession
                ) -> tuple[np.ndarray, list[dict]]:
    """Quality records and embeddings (NaN rows for rejected samples) of one batch."""
    records, crops, rows = [], [], []
    for offset, sample in enumerate(chunk):
        record, crop = prepare(sample, manifest)
        records.append(record)
        if crop is not None:
            crops.append(crop)
            rows.append(offset)
    block = np.full((len(chunk), manifest.dimension), np.nan, dtype=np.float32)
    if crops:
        block[rows] = session.run(normalise(np.stack(crops), manifest.input))
    return block, records


def embed_dataset(dataset: Dataset, manifest: Manifest, session: BoundedSession,
                  cache_dir: Path | None, batch_size: int = 32,
                  progress: bool = True, runner: Runner | None = None) -> Embeddings:
    """Quality, alignment and embedding of every sample, batch by batch (on `runner`'s
    workers when it has them).

    Each finished batch is written to `cache_dir` (atomically); a batch found there is
    read instead of recomputed, so a run interrupted at any point resumes.
    """
    from tqdm import tqdm

    samples = dataset.samples
    vectors = np.full((len(samples), manifest.dimension), np.nan, dtype=np.float32)
    quality: list[dict] = [{}] * len(samples)
    result = Embeddings(vectors, quality)
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=len(samples), desc="embedding", unit="img", file=sys.stderr,
               disable=not progress, leave=False)
    todo = []
    for number, start in enumerate(range(0, len(samples), batch_size)):
        chunk = samples[start:start + batch_size]
        cached = cache_dir / f"batch-{number:06d}.npz" if cache_dir is not None else None
        if cached is not None and cached.exists():
            with np.load(cached, allow_pickle=False) as saved:
                ids = [str(i) for i in saved["ids"]]
                if ids == [s.sample_id for s in chunk]:
                    vectors[start:start + len(chunk)] = saved["vectors"]
                    quality[start:start + len(chunk)] = json.loads(str(saved["quality"]))
                    result.cached_batches += 1
                    bar.update(len(chunk))
                    continue
        todo.append((number, chunk))
    for number, (block, records) in (runner or Runner()).embed(todo, manifest, session):
        start = number * batch_size
        vectors[start:start + len(block)] = block
        quality[start:start + len(block)] = records
        result.computed_batches += 1
        bar.update(len(block))
        if cache_dir is not None:
            cached = cache_dir / f"batch-{number:06d}.npz"
            partial = cached.with_suffix(".tmp.npz")
            np.savez(partial, ids=np.array([s.sample_id for s in samples[start:start
                                                                           + len(block)]]),
                     vectors=block, quality=np.array(json.dumps(records)))
            os.replace(partial, cached)
    bar.close()
    return result


@dataclass
class Scores:
    plan: Plan
    mated: np.ndarray       # one score per mated pair, NaN when no score
    non_mated: np.ndarray


def compute_scores(embeddings: np.ndarray, refs: np.ndarray, probes: np.ndarray,
                   plan: Plan, similarity: str, chunk: int = 200_000) -> Scores:
    def run(pairs: np.ndarray) -> np.ndarray:
        out = np.empty(len(pairs), dtype=np.float64)
        for i in range(0, len(pairs), chunk):
            part = pairs[i:i + chunk]
            with np.errstate(invalid="ignore"):
                out[i:i + chunk] = pair_scores(embeddings[refs[part[:, 0]]],
                                               embeddings[probes[part[:, 1]]], similarity)
        return out

    return Scores(plan, run(plan.mated), run(plan.non_mated))


def score_records(dataset: Dataset, refs: np.ndarray, probes: np.ndarray, scores: Scores,
                  algorithm_id: str):
    """One comparison-result record per planned comparison, as a JSON Lines line.

    The score is null when the comparison has none (a quality rejection).  Lines are
    assembled from per-sample JSON fragments: the same JSON as json.dumps of the record,
    several times faster for millions of comparisons.
    """
    samples = dataset.samples
    ids = [json.dumps(s.sample_id) for s in samples]
    groups = [f', "groups": {json.dumps(s.groups)}' if s.groups else "" for s in samples]
    algorithm, version = json.dumps(algorithm_id), json.dumps(SCHEMA_VERSION)
    for mated, pairs, values in ((True, scores.plan.mated, scores.mated),
                                 (False, scores.plan.non_mated, scores.non_mated)):
        flag = "true" if mated else "false"
        for (r, p), value in zip(pairs.tolist(), values.tolist(), strict=True):
            ref, probe = refs[r], probes[p]
            score = repr(value) if np.isfinite(value) else "null"
            yield (f'{{"schema_version": {version}, "comparison_id": '
                   f'{json.dumps(samples[ref].sample_id + "~" + samples[probe].sample_id)}, '
                   f'"probe_id": {ids[probe]}, "reference_id": {ids[ref]}, '
                   f'"mated": {flag}, "score": {score}, "algorithm_id": {algorithm}'
                   f'{groups[probe]}}}')


def transaction_rates(scores: CountedScores, unscored_mated: int, threshold: float
                      ) -> tuple[Rate, Rate]:
    """FMR and FRR at a threshold, the rates the class limits judge (clause 2, Annex B.5).

    A mated comparison without a score (its reference failed to enrol or its probe to
    be acquired) is a false reject: FRR counts it among errors and trials, so FRR =
    FTA + FNMR (1 - FTA) with FTA the share of mated comparisons without a score.  A
    non-mated comparison without a score cannot be a false match and is not a trial.
    """
    tau = as_threshold(threshold)
    misses = scores.false_non_matches(tau) + unscored_mated
    return (Rate(scores.false_matches(tau), scores.n_impostor, CONFIDENCE),
            Rate(misses, scores.n_genuine + unscored_mated, CONFIDENCE))


def class_verdicts(manifest: Manifest, scores: CountedScores, unscored_mated: int,
                   identification=None) -> list[dict]:
    """A verdict for each class whose threshold the manifest declares (clause 12.5).

    Verification classes are judged on the upper bounds of FMR and FRR at the declared
    threshold, a test below a limit's minimum size failing as too small (clause 6.5);
    identification classes by `identification(name, threshold)`, the 1:N verdicts of
    `reference_impl.evaluate.identify` (FPIR per group, FNIR).
    """
    verdicts = []
    for name, threshold in sorted(manifest.thresholds.items()):
        if name in IDENTIFICATION_CLASSES:
            verdicts += identification(name, threshold)
            continue
        limits = classes.limits(name)
        fmr, frr = transaction_rates(scores, unscored_mated, threshold)
        judged = classes.verification_verdict(name, fmr, frr)
        reason = "; ".join(judged.reasons)
        if fmr.trials < minimum_trials(limits.fmr_max):  # no outcome here could pass the class
            reason = f"smoke set: {reason}"
        verdicts.append({"requirement": CLASS_CLAUSES[name], "class": name,
                         "verdict": "pass" if judged.passed else "fail",
                         "threshold": threshold,
                         "measurements": [fmr.measurement("fmr", limits.fmr_max),
                                          frr.measurement("frr", limits.frr_max)],
                         "reason": reason})
    return verdicts


def demographics_part(manifest: Manifest, dataset: Dataset, vectors: np.ndarray,
                      refs: np.ndarray, probes: np.ndarray, plan: Plan,
                      chunk: int = 200_000) -> dict | None:
    """The report's `demographics` section (clause 7) at the threshold of the claimed
    verification class with the lowest FMR limit; None when no verification class is
    claimed or fewer than two groups were measured.

    A group is the combination of a probe's labels, as 'key=label,key=label' (so three
    age bands, two sexes and five skin tones make the 30 groups of FRS-DEM-002).  Its
    FNMR is over its scored mated comparisons, its FMR over the scored non-mated
    comparisons whose reference is of the same group: impostors are matched on every
    label (FRS-DEM-003).  Only the counts at the one threshold are kept, chunk by
    chunk, so a plan too large to keep its scores gives the same section.
    """
    claimed = sorted((classes.limits(c).fmr_max, c) for c in manifest.thresholds
                     if c in VERIFICATION_CLASSES)
    if not claimed:
        return None
    tau = as_threshold(manifest.thresholds[claimed[0][1]])
    labels = [identify.group_label(s) for s in dataset.samples]
    names = sorted(set(labels) - {""})
    code = {name: i for i, name in enumerate(names)}
    group = np.array([code.get(label, -1) for label in labels])
    # counts[kind][errors or trials][group], kind 0 mated and 1 non-mated
    counts = np.zeros((2, 2, len(names)), dtype=np.int64)
    for kind in (0, 1):
        for part in plan.pairs(mated=kind == 0, size=chunk):
            ref, probe = refs[part[:, 0]], probes[part[:, 1]]
            with np.errstate(invalid="ignore"):
                values = pair_scores(vectors[ref], vectors[probe], manifest.similarity)
            keep = np.isfinite(values) & (group[probe] >= 0)
            if kind:  # a non-mated comparison counts for a group only within it
                keep &= group[probe] == group[ref]
            error = values < tau if kind == 0 else values >= tau
            owner = group[probe][keep]
            counts[kind, 0] += np.bincount(owner[error[keep]], minlength=len(names))
            counts[kind, 1] += np.bincount(owner, minlength=len(names))
    measured = [i for i, _ in enumerate(names) if counts[0, 1, i] and counts[1, 1, i]]
    if len(measured) < 2:
        return None
    rates = dem.GroupRates(float(tau),
                           {names[i]: Rate(counts[1, 0, i], counts[1, 1, i]) for i in measured},
                           {names[i]: Rate(counts[0, 0, i], counts[0, 1, i]) for i in measured})
    return report_sections.group_rates_section(rates)


def identification_part(manifest: Manifest, dataset: Dataset, vectors: np.ndarray,
                        runner: Runner | None = None):
    """(the report's identification section, a verdict function) when the manifest claims
    Class I or P; (None, None) otherwise."""
    if not manifest.thresholds.keys() & set(IDENTIFICATION_CLASSES):
        return None, None
    searches = identify.identification_searches(dataset.samples, vectors, manifest.similarity,
                                                runner=runner)
    section = identify.identification_section(searches)
    operational = identify.operational_gallery_size(manifest, dataset)

    def verdicts(name: str, threshold: float) -> list[dict]:
        return [identify.identification_verdict(name, threshold, dataset.samples, searches,
                                                operational),
                identify.fnir_verdict(name, threshold, searches)]
    return section, verdicts


def check_verdicts(checks: list[CheckResult]) -> list[dict]:
    return [{"requirement": CHECK_REQUIREMENTS[c.check], "check": c.check,
             "verdict": "pass" if c.passed else "fail", "measurements": [],
             "reason": c.detail} for c in checks if c.check in CHECK_REQUIREMENTS]


def quality_summary(dataset: Dataset, quality: list[dict]) -> dict:
    """FTE, FTA, rejections by component, and rejections and mean gate score
    by demographic group (clauses 4.5, 4.6)."""
    def rate(rows: list[int]) -> dict:
        failures = sum(1 for i in rows if not quality[i]["accepted"])
        record = {"attempts": len(rows), "failures": failures,
                  "rate": failures / len(rows) if rows else 0.0}
        if rows:
            record["interval"] = list(Rate(failures, len(rows)).interval)
        return record

    samples = dataset.samples
    by_component: dict[str, int] = {}
    for record in quality:
        for name in record["rejected_by"]:
            by_component[name] = by_component.get(name, 0) + 1
    groups: dict[tuple[str, str], list[int]] = {}
    for i, sample in enumerate(samples):
        for key, label in sample.groups.items():
            groups.setdefault((key, label), []).append(i)
    return {
        "fte": rate([i for i, s in enumerate(samples) if s.role == "enrolment"]),
        "fta": rate([i for i, s in enumerate(samples) if s.role == "probe"]),
        "rejected_by": dict(sorted(by_component.items())),
        "mean_gate_score": mean_gate_score([quality[i] for i in range(len(samples))]),
        "by_group": [{"group": key, "label": label, **rate(rows),
                      "mean_gate_score": mean_gate_score([quality[i] for i in rows])}
                     for (key, label), rows in sorted(groups.items())],
    }


def mean_gate_score(records: list[dict]) -> float:
    """Mean gate score (clause 4.1) of quality-report records, rejected
    samples included (clause 4.6)."""
    return round(sum(r["gate_score"] for r in records) / len(records), 6)


@dataclass
class Outcome:
    report: dict
    exit_code: int
    embeddings: Embeddings | None = None
    files: dict = field(default_factory=dict)
    rejections: str = ""


def rejection_summary(samples, quality: list[dict]) -> str:
    """Rejected samples by role and by reason, e.g. "12/12 enrolment samples rejected:
    yaw 11, sharpness 1; 0/5 probe samples rejected"."""
    parts = []
    for role in ("enrolment", "probe"):
        rows = [q for s, q in zip(samples, quality, strict=True) if s.role == role]
        reasons: dict[str, int] = {}
        for record in rows:
            for name in record["rejected_by"]:
                reasons[name] = reasons.get(name, 0) + 1
        rejected = sum(1 for r in rows if not r["accepted"])
        detail = ", ".join(f"{name} {count}" for name, count in
                           sorted(reasons.items(), key=lambda item: (-item[1], item[0])))
        parts.append(f"{rejected}/{len(rows)} {role} samples rejected"
                     + (f": {detail}" if detail else ""))
    return "; ".join(parts)


def _unscored(plan: Plan, scores) -> str:
    """Which side of the plan has no score: 'no mated', 'no non-mated' or 'no mated or no
    non-mated' when the comparisons were counted block by block."""
    if scores is None:
        return "no mated or no non-mated"
    return "no mated" if not np.isfinite(scores.mated).any() else "no non-mated"


def evaluate(model_path: Path, manifest: Manifest, dataset: Dataset, session: BoundedSession,
             checks: list[CheckResult], out_dir: Path, batch_size: int = 32,
             max_non_mated: int | None = None, seed: int = 0,
             progress: bool = True, runner: Runner | None = None) -> Outcome:
    """The whole evaluation; writes report.json, det.svg, quality.jsonl and, unless the
    comparisons are counted block by block (on a cluster, or a plan over KEPT_SCORES),
    scores.jsonl."""
    out_dir.mkdir(parents=True, exist_ok=True)
    key = fingerprint(model_path, manifest.path, dataset.path, Path(preprocess.__file__),
                      extra=f"batch={batch_size};frs={__version__};"
                      f"samples={dataset.content_sha256}")
    embedded = embed_dataset(dataset, manifest, session, out_dir / "cache" / key, batch_size,
                             progress, runner)
    samples, quality = dataset.samples, embedded.quality
    files = {"report": out_dir / "report.json", "det": out_dir / "det.svg",
             "quality": out_dir / "quality.jsonl"}
    with open(files["quality"], "w", encoding="utf-8") as handle:  # even if nothing scores
        for record in quality:
            handle.write(json.dumps(record) + "\n")
    refs = np.array([i for i, s in enumerate(samples) if s.role == "enrolment"])
    probes = np.array([i for i, s in enumerate(samples) if s.role == "probe"])
    if refs.size == 0 or probes.size == 0:
        raise InputError(f"{dataset.path}: the dataset needs enrolment and probe samples")
    claimed = [classes.limits(c).fmr_max for c in manifest.thresholds
               if classes.limits(c).fmr_max is not None]
    target = min(claimed) if claimed else FMR_TARGETS[0]
    plan = comparison_plan([samples[i].subject_id for i in refs],
                           [samples[i].subject_id for i in probes], target, max_non_mated, seed)
    scores = tiled = None
    declared = [t for c, t in manifest.thresholds.items() if c in VERIFICATION_CLASSES]
    try:
        if runner is not None or plan.size > KEPT_SCORES:
            tiled = tiles.count_plan(tiles.Comparisons.of(
                embedded.vectors, refs, probes, plan, manifest.similarity), runner, progress)
            scored = tiled.scores
        else:
            scores = compute_scores(embedded.vectors, refs, probes, plan, manifest.similarity)
            unscored = tuple(int((~np.isfinite(s)).sum()) for s in (scores.mated,
                                                                     scores.non_mated))
            scored = CountedScores(*(s[np.isfinite(s)] for s in (scores.mated,
                                                                  scores.non_mated)))
        # a sampled plan's first pass runs here: its unscored comparisons are known after
        scored.prepare(FMR_TARGETS, DET_POINTS, thresholds=declared)
        if tiled is not None:
            unscored = tiled.unscored
    except InputError:
        raise InputError(f"{dataset.path}: {_unscored(plan, scores)} comparison produced a "
                         f"score: {rejection_summary(samples, quality)} (each reason in "
                         f"{files['quality']})") from None
    identification, judge = identification_part(manifest, dataset, embedded.vectors, runner)
    verdicts = check_verdicts(checks) + class_verdicts(manifest, scored, unscored[0], judge)
    demographics = demographics_part(manifest, dataset, embedded.vectors, refs, probes, plan)
    report = {
        "schema_version": SCHEMA_VERSION,
        "system": {"algorithm_id": manifest.algorithm_id,
                   "algorithm_version": manifest.algorithm_version},
        # The metrics engine's own section: intervals, unsupported targets (clause 6.5), and
        # comparisons without a score counted as failures to acquire (Annex B).
        "verification": report_sections.verification_section(
            scored, FMR_TARGETS, failures_to_acquire=sum(unscored), det_plot="det.svg"),
        **({"identification": identification} if identification else {}),
        **({"demographics": demographics} if demographics else {}),
        "model": {"file": Path(model_path).name,
                  "sha256": hashlib.sha256(Path(model_path).read_bytes()).hexdigest(),
                  "manifest_sha256": hashlib.sha256(manifest.path.read_bytes()).hexdigest(),
                  "similarity": manifest.similarity},
        "dataset": {"dataset_id": dataset.dataset_id, "manifest_sha256": dataset.sha256,
                    "sequestered": dataset.sequestered, "samples": len(samples),
                    "subjects": len({s.subject_id for s in samples}),
                    "enrolment": int(refs.size), "probes": int(probes.size),
                    "smoke_set": bool(scored.n_impostor < minimum_trials(target))},
        "quality": quality_summary(dataset, embedded.quality),
        "comparison_plan": plan.record(),
        "verdicts": verdicts,
    }
    documents.check(report, "evaluation-report", "evaluation report")
    det_svg(files["det"], scored, FMR_TARGETS, f"{manifest.algorithm_id} "
            f"{manifest.algorithm_version} on {dataset.dataset_id}")
    if scores is not None:  # counted block by block, the scores were never all held
        files["scores"] = out_dir / "scores.jsonl"
        with open(files["scores"], "w", encoding="utf-8") as handle:
            for line in score_records(dataset, refs, probes, scores, manifest.algorithm_id):
                handle.write(line + "\n")
    files["report"].write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    failed = any(v["verdict"] == "fail" for v in verdicts)
    passed = any(v["verdict"] == "pass" and v["requirement"].startswith("FRS-CNF")
                 for v in verdicts)
    return Outcome(report, 1 if failed or not passed else 0, embedded, files,
                   rejection_summary(samples, quality))
