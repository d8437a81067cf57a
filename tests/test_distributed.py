"""`frs evaluate --workers N`: the same report from a Dask cluster, a worker lost or not,
and from comparisons counted block by block instead of kept."""

import json
import os
import signal

import numpy as np
import pytest
from test_evaluate import NOISY, THRESHOLD, evaluate, submission

from reference_impl.evaluate import distributed, harness, synthetic, tiles
from reference_impl.evaluate.runner import Runner

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    """One single-process evaluation: the report every other run must equal."""
    root = tmp_path_factory.mktemp("single")
    submission(root / "sub", NOISY, {"V-L": THRESHOLD, "I": 0.8},
               operational_gallery_size=40)
    synthetic.write_dataset(root / "data", NOISY, subjects=40)
    evaluate(root, ["--batch-size", "8"])
    return root, json.loads((root / "out" / "report.json").read_text())


def rerun(root, tmp_path, argv=()):
    for name in ("sub", "data"):
        (tmp_path / name).symlink_to(root / name)
    code = evaluate(tmp_path, ["--batch-size", "8", *argv])
    return code, json.loads((tmp_path / "out" / "report.json").read_text())


@pytest.mark.requirement("FRS-ACC-021")
def test_counted_block_by_block_the_report_is_the_same(single, tmp_path, monkeypatch):
    root, report = single
    monkeypatch.setattr(tiles, "TILE", 16)  # 5 x 8 tiles of the 80 x 120 plan
    monkeypatch.setattr(harness, "KEPT_SCORES", 0)  # count, do not keep
    code, tiled = rerun(root, tmp_path)
    assert tiled == report and not (tmp_path / "out" / "scores.jsonl").exists()
    assert (root / "out" / "scores.jsonl").exists()


@pytest.mark.requirement("FRS-ACC-021")
@pytest.mark.requirement("FRS-ACC-021")
def test_a_plan_of_many_blocks_sampled_first_gives_the_same_report(single, tmp_path,
                                                                 monkeypatch):
    root, report = single
    monkeypatch.setattr(tiles, "TILE", 4)  # 20 x 30 tiles: a sample of 64 goes first
    monkeypatch.setattr(harness, "KEPT_SCORES", 0)
    plans = []
    count_plan = tiles.count_plan
    monkeypatch.setattr(tiles, "count_plan", lambda *a, **k: plans.append(count_plan(*a, **k))
                        or plans[-1])
    _, sampled = rerun(root, tmp_path)
    assert sampled == report
    assert plans[0].blocks == 600 and plans[0].scores._sample is not None
    assert plans[0].unscored == (0, 0) and plans[0].scores.counts.passes >= 1


def synthetic_plan(refs: int, probes: int, dim: int = 16):
    """An all-pairs plan of Gaussian embeddings, 4 probes a subject (as bench_distributed)."""
    rng = np.random.default_rng(5)
    centres = rng.normal(size=(refs, dim))
    subjects = rng.integers(0, refs, probes)
    vectors = np.concatenate([centres + 0.5 * rng.normal(size=(refs, dim)),
                              centres[subjects] + 0.5 * rng.normal(size=(probes, dim))])
    empty = np.empty((0, 2), dtype=np.int64)
    return tiles.Comparisons(vectors, np.arange(refs), refs + np.arange(probes),
                             np.arange(refs), subjects, "cosine", empty, empty)


@pytest.mark.requirement("FRS-ACC-021")
def test_a_plan_counted_in_tiles_equals_its_scores_counted_at_once(monkeypatch):
    from reference_impl.metrics.verification import CountedScores

    monkeypatch.setattr(tiles, "TILE", 32)
    comparisons = synthetic_plan(400, 1600)  # 13 x 50 blocks: sampled first
    blocks = comparisons.blocks()
    mated, non_mated = (np.concatenate(part) for part in
                        zip(*map(comparisons.scores, blocks), strict=True))
    targets = (1e-2, 1e-3, 1e-4)
    whole = CountedScores(mated, non_mated).prepare(targets, 200)
    tiled = tiles.count_plan(comparisons, progress=False)
    scores = tiled.scores.prepare(targets, 200)
    assert (scores.eer(), scores.eer_interpolated()) == (whole.eer(), whole.eer_interpolated())
    assert [scores.fnmr_at_fmr(t) for t in targets] == [whole.fnmr_at_fmr(t) for t in targets]
    assert (scores.n_genuine, scores.n_impostor) == (mated.size, non_mated.size)
    assert tiled.scores._sample is not None and scores.counts.passes == 1


class Shifted(tiles.Comparisons):
    """A plan whose block i scores lie in [i, i + 1): a refinement needs few blocks."""

    def scores(self, block):
        mated, non_mated = super().scores(block)
        shift = self.blocks().index(block)
        return mated + shift + 0.5, non_mated * 0.1 + shift


@pytest.mark.requirement("FRS-ACC-021")
def test_a_refinement_pass_recomputes_only_the_blocks_it_needs(monkeypatch):
    from reference_impl.metrics import counts
    from reference_impl.metrics.verification import CountedScores

    monkeypatch.setattr(tiles, "TILE", 64)
    monkeypatch.setattr(counts, "sample_picks", lambda sizes: None)  # no forecast
    comparisons = Shifted(*vars(synthetic_plan(256, 512)).values())  # 4 x 8 blocks
    blocks = comparisons.blocks()
    mated, non_mated = (np.concatenate(part) for part in
                        zip(*map(comparisons.scores, blocks), strict=True))
    whole = CountedScores(mated, non_mated).prepare((1e-2,))
    tiled = tiles.count_plan(comparisons, progress=False)
    scores = tiled.scores.prepare((1e-2,))
    assert scores.counts.passes == 2 and 0 < tiled.recomputed < len(blocks)
    assert (scores.eer(), scores.fnmr_at_fmr(1e-2)) == (whole.eer(), whole.fnmr_at_fmr(1e-2))


def test_two_workers_give_the_single_process_report_even_when_one_dies(single, tmp_path,
                                                                       monkeypatch):
    root, report = single
    monkeypatch.setattr(tiles, "TILE", 16)
    killed = []
    embed = distributed.DaskRunner.embed

    def embed_and_kill(self, chunks, manifest, session):
        for number, result in embed(self, chunks, manifest, session):
            if not killed:  # the first batch is back: stop a worker, mid-run
                pid = distributed.worker_pids(self.client)[0]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            yield number, result

    monkeypatch.setattr(distributed.DaskRunner, "embed", embed_and_kill)
    code, on_cluster = rerun(root, tmp_path, ["--workers", "2"])
    assert killed and on_cluster == report


def test_a_local_runner_is_this_process():
    assert list(Runner().map(lambda a, x: a + x, [1, 2], 10)) == [11, 12]


@pytest.mark.requirement("FRS-ACC-012", "FRS-ACC-015")
def test_a_gallery_sharded_over_the_workers_searches_as_plain_numpy(monkeypatch):
    # one faiss shard per worker, built and held there; candidates=0 sends most answers
    # down the range search, so every step of the certified search runs on the shards
    from distributed import wait
    from test_identification_eval import numpy_search, sample

    from reference_impl.evaluate import identify

    monkeypatch.setattr(identify, "CANDIDATES", 0)
    rng = np.random.default_rng(11)
    centres = rng.normal(size=(50, 16))
    owners = np.repeat(np.arange(50), rng.integers(1, 4, 50))
    vectors = (centres[owners] + 0.4 * rng.normal(size=(owners.size, 16))).astype(np.float32)
    samples = [sample(f"e{i}", f"s{o:02d}", "enrolment") for i, o in enumerate(owners)]
    own = rng.integers(-1, 50, 60)
    probes = (np.where(own[:, None] >= 0, centres[np.maximum(own, 0)],
                       rng.normal(size=(60, 16))) + 0.4 * rng.normal(size=(60, 16))
              ).astype(np.float32)
    with distributed.cluster(2) as client:
        runner = distributed.DaskRunner(client)
        gallery = identify.SubjectGallery.enrol(samples, vectors, "cosine", 2, runner)
        wait(gallery.index.shards)
        holders = client.who_has(gallery.index.shards)
        assert len({tuple(w) for w in holders.values()}) == 2  # a shard on each worker
        mate, ranks, top = gallery.search(probes, own)
        # tasks go out a few per worker at a time: what waits on the workers is bounded
        seen = [(value, len(client.futures)) for value in runner.map(lambda s, x: s * x,
                                                                      range(40), 2)]
    assert sorted(value for value, _ in seen) == [2 * x for x in range(40)]
    assert max(n for _, n in seen) <= distributed.IN_FLIGHT * 2 + len(gallery.index.shards)
    want = numpy_search(gallery, vectors, probes, own, "cosine")
    assert np.array_equal(mate, want[0], equal_nan=True)
    assert (ranks == want[1]).all() and (top == want[2]).all()
