"""Score files and the exact streaming path (clause 6.6, Annex B.10)."""

import copy
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl.documents import DocumentError
from reference_impl.errors import InputError
from reference_impl.metrics import counts
from reference_impl.metrics import scores as sc
from reference_impl.metrics import verification as v
from reference_impl.validate import validate

TARGETS = [1e-3, 1e-2, 0.1, 0.5, 1.0]


def sorted_reference(genuine, impostor, targets):
    """Annex B on sorted arrays, as the sort-based implementation before counts computed
    it: (EER, interpolated EER, operating points), independent of reference_impl.counts."""
    gen, imp = np.sort(genuine), np.sort(impostor)
    thresholds = np.append(np.unique(np.r_[gen, imp]), np.inf)

    def rates(tau):
        return (float((imp.size - np.searchsorted(imp, tau)) / imp.size),
                float(np.searchsorted(gen, tau) / gen.size))

    gaps = [f - g for f, g in map(rates, thresholds)]
    a = max(i for i, gap in enumerate(gaps) if gap >= 0)
    tau_a, tau_b = thresholds[a], thresholds[a + 1]
    best = tau_b if abs(gaps[a + 1]) < abs(gaps[a]) else tau_a
    eer = v.EqualErrorRate(sum(rates(best)) / 2, float(best), *rates(best))
    points = []
    for target in targets:
        k = v.allowed_false_matches(target, imp.size)
        tau = -np.inf if k >= imp.size else float(np.nextafter(imp[imp.size - k - 1], np.inf))
        points.append(v.OperatingPoint(target, tau, *rates(tau)))
    return eer, v.crossing_of_segment(rates(tau_a), rates(tau_b)), points


def merged_passes(chunks):
    """`passes` for CountedScores: each chunk counted by its own pass, the passes merged,
    as shards on separate workers would be."""
    def passes(empty):
        parts = [copy.deepcopy(empty).add(g, i).compact() for g, i in chunks]
        for part in parts[1:]:
            parts[0].merge(part)
        return parts[0]
    return passes


@pytest.mark.requirement("FRS-ACC-021")
@settings(max_examples=40, deadline=None)
@given(st.integers(1, 400), st.integers(1, 3000), st.integers(0, 3), st.integers(1, 5),
       st.sampled_from([16, 1 << 21]))
def test_counts_merged_from_chunks_equal_the_sorted_computation(n_gen, n_imp, decimals,
                                                                parts, keep):
    rng = np.random.default_rng(n_gen * 7919 + n_imp)
    genuine = np.round(rng.normal(1, 1, n_gen), decimals)
    impostor = np.round(rng.normal(-1, 1, n_imp), decimals)
    chunks = list(zip(np.array_split(genuine, parts), np.array_split(impostor, parts),
                      strict=True))
    # keep=16: the bins an answer falls in are too full to keep, so they are split
    scores = v.CountedScores(passes=merged_passes(chunks), keep=keep).prepare(TARGETS)
    eer, interpolated, points = sorted_reference(genuine, impostor, TARGETS)
    assert scores.eer() == eer
    assert scores.eer_interpolated() == interpolated
    assert [scores.fnmr_at_fmr(t) for t in TARGETS] == points
    assert (scores.n_genuine, scores.n_impostor) == (n_gen, n_imp)


@pytest.mark.requirement("FRS-ACC-021")
@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from([-1.0, -0.0, 0.0, 5e-324, -5e-324, 1e-300, 0.5,
                                 np.nextafter(0.5, 1), 2.0, 1e300]), min_size=1, max_size=30),
       st.lists(st.sampled_from([-1.0, -0.0, 0.0, 5e-324, -5e-324, 0.5, 0.75, 1e300]),
                min_size=1, max_size=30), st.sampled_from([1, 4, 1 << 21]))
def test_counts_are_exact_at_the_edges_of_float64(genuine, impostor, keep):
    # signed zeros, subnormals, neighbours one ulp apart, huge values, heavy ties; with
    # keep=1 the walk splits down to single keys
    scores = v.CountedScores(genuine, impostor, keep=keep)
    eer, interpolated, points = sorted_reference(genuine, impostor, TARGETS)
    assert (scores.eer(), scores.eer_interpolated()) == (eer, interpolated)
    assert [scores.fnmr_at_fmr(t) for t in TARGETS] == points
    taus = np.unique(np.r_[genuine, impostor, np.nextafter(genuine, np.inf)])
    gen, imp = np.sort(genuine), np.sort(impostor)
    assert (scores.fmr(taus) == (imp.size - np.searchsorted(imp, taus)) / imp.size).all()
    assert (scores.fnmr(taus) == np.searchsorted(gen, taus) / gen.size).all()


@pytest.mark.requirement("FRS-ACC-021")
def test_blocks_counted_in_the_table_of_every_bin_are_exact_at_the_edges():
    # more scores than DENSE: the root is counted in its table of every bin;
    # signed zeros, subnormals and neighbours one ulp apart among them
    rng = np.random.default_rng(8)
    edges = [-1.0, -0.0, 0.0, 5e-324, -5e-324, 1e-300, 0.5, np.nextafter(0.5, 1), 2.0]
    genuine = np.r_[rng.choice(edges, counts.DENSE + 5), rng.normal(1, 1, 3000)]
    impostor = np.r_[rng.normal(-1, 1, 2 * counts.DENSE), rng.choice(edges, 3000)]
    scores = v.CountedScores(genuine, impostor).prepare(TARGETS)
    eer, interpolated, points = sorted_reference(genuine, impostor, TARGETS)
    assert (scores.eer(), scores.eer_interpolated()) == (eer, interpolated)
    assert [scores.fnmr_at_fmr(t) for t in TARGETS] == points
    bad = np.r_[impostor[:counts.DENSE + 7], np.inf, impostor[counts.DENSE + 7:]]
    with pytest.raises(InputError, match=f"first at index {counts.DENSE + 7}"):
        v.CountedScores(genuine, bad)


@pytest.mark.requirement("FRS-ACC-021")
def test_the_merge_of_many_shards_adds_their_counts_up_as_it_goes():
    rng = np.random.default_rng(9)
    genuine, impostor = np.round(rng.normal(1, 1, 3000), 2), rng.normal(-1, 1, 30000)
    chunks = list(zip(np.array_split(genuine, 100), np.array_split(impostor, 100),
                      strict=True))
    whole = v.CountedScores(genuine, impostor).prepare(TARGETS)
    merged = merged_passes(chunks)(counts.Pass({counts.ROOT: "split"}))
    assert len(merged.sparse[counts.ROOT]) <= counts.FOLD  # not one part per shard
    sharded = v.CountedScores(passes=merged_passes(chunks)).prepare(TARGETS)
    assert (sharded.eer(), sharded.eer_interpolated()) == (whole.eer(), whole.eer_interpolated())
    assert [sharded.fnmr_at_fmr(t) for t in TARGETS] == [whole.fnmr_at_fmr(t) for t in TARGETS]
    root = counts.ROOT
    assert (sharded.counts.splits[root].below == whole.counts.splits[root].below).all()


def both(genuine, impostor, size=counts.CHUNK):
    return counts.array_chunks(genuine, 0, size) + counts.array_chunks(impostor, 1, size)


@pytest.mark.requirement("FRS-ACC-021")
@pytest.mark.parametrize("threads", [1, 2, 3, 5])
def test_chunks_counted_on_threads_give_the_counts_of_one_thread(threads):
    rng = np.random.default_rng(10)
    genuine, impostor = rng.normal(1, 1, 3001), np.round(rng.normal(-1, 1, 20000), 3)
    one = counts.count_chunks(counts.Pass({counts.ROOT: "split"}),
                              both(genuine, impostor), threads=1)
    many = counts.count_chunks(counts.Pass({counts.ROOT: "split"}),
                               both(genuine, impostor, 999), threads)
    assert many.sizes == one.sizes == [3001, 20000]
    got, want = (counts.Counts.of(*p.counts(counts.ROOT)) for p in (many, one))
    assert (got.index == want.index).all() and (got.below == want.below).all()
    # the pass that refines: kept keys and least keys are the same whatever the thread
    def passes(empty):
        return counts.count_chunks(empty, both(genuine, impostor, 999), threads)

    whole = v.CountedScores(passes=passes, keep=50).prepare(TARGETS, det_points=100)
    eer, interpolated, points = sorted_reference(genuine, impostor, TARGETS)
    assert (whole.eer(), whole.eer_interpolated()) == (eer, interpolated)
    assert [whole.fnmr_at_fmr(t) for t in TARGETS] == points


@pytest.mark.requirement("FRS-ACC-003")
def test_of_chunks_on_threads_the_first_bad_score_by_position_is_named():
    impostor = np.zeros(10 * 100)
    impostor[[250, 333, 901]] = np.nan  # chunks 2, 3 and 9 of 100 scores
    chunks = both(np.ones(5), impostor, 100)
    for threads in (1, 2, 3, 4):
        with pytest.raises(InputError, match="first at index 250"):
            counts.count_chunks(counts.Pass({counts.ROOT: "split"}), chunks, threads)


def chunked(genuine, impostor, size):
    """`passes(empty, picks=None)` over chunks of `size` scores, and the sample of it."""
    parts = counts.array_chunks(genuine, 0, size), counts.array_chunks(impostor, 1, size)

    def passes(empty, picks=None):
        return counts.count_chunks(empty, counts.picked(parts, picks))
    return passes, counts.sampled(passes, (len(parts[0]), len(parts[1])))


@pytest.mark.requirement("FRS-ACC-021")
def test_a_sample_forecast_lets_one_pass_settle_the_report():
    rng = np.random.default_rng(11)
    genuine, impostor = rng.normal(2.5, 1, 20_000), rng.normal(0, 1, 2_000_000)
    passes, sample = chunked(genuine, impostor, 5000)
    assert sample is not None and sample[1] == (1.0, 64 / 400)
    scores = v.CountedScores(passes=passes, sample=sample).prepare(TARGETS, det_points=500)
    assert scores.counts.passes == 1
    eer, interpolated, points = sorted_reference(genuine, impostor, TARGETS)
    assert (scores.eer(), scores.eer_interpolated()) == (eer, interpolated)
    assert [scores.fnmr_at_fmr(t) for t in TARGETS] == points
    plain = v.CountedScores(passes=passes).prepare(TARGETS, det_points=500)
    assert plain.counts.passes == 2
    for got, want in zip(scores.det_points(500), plain.det_points(500), strict=True):
        assert (got == want).all()


@pytest.mark.requirement("FRS-ACC-021")
def test_a_misleading_sample_costs_passes_never_a_wrong_answer(monkeypatch):
    rng = np.random.default_rng(12)
    genuine, impostor = rng.normal(2.5, 1, 3000), np.round(rng.normal(0, 1, 300_000), 3)
    passes, _ = chunked(genuine, impostor, 1000)
    eer, interpolated, points = sorted_reference(genuine, impostor, TARGETS)

    def answers(scores):
        return scores.eer(), scores.eer_interpolated(), [scores.fnmr_at_fmr(t) for t in TARGETS]

    # a sample from other scores: its bins are the wrong ones
    elsewhere = chunked(genuine + 3, impostor - 2, 1000)[1]
    wrong = v.CountedScores(passes=passes, sample=elsewhere).prepare(TARGETS)
    assert wrong.counts.passes >= 2
    assert answers(wrong) == (eer, interpolated, points)
    # a sample right in every bin but more keys to try than a pass may keep: none kept
    monkeypatch.setattr(counts, "TRY", 100)
    crowded = v.CountedScores(passes=passes, sample=chunked(genuine, impostor, 1000)[1])
    crowded.prepare(TARGETS)
    assert crowded.counts.passes >= 2
    assert answers(crowded) == (eer, interpolated, points)


@pytest.mark.requirement("FRS-ACC-021")
def test_a_stream_of_npy_files_samples_them_and_reads_them_once(tmp_path):
    rng = np.random.default_rng(13)
    genuine, impostor = rng.normal(2.5, 1, 5000), rng.normal(0, 1, 400_000)
    np.save(tmp_path / "g.npy", genuine)
    np.save(tmp_path / "i.npy", impostor.astype(">f8"))  # any byte order, as float64
    streamed = sc.stream_files(tmp_path / "g.npy", tmp_path / "i.npy", chunk=1000)
    streamed.prepare(TARGETS, det_points=300)
    assert streamed.counts.passes == 1
    eer, interpolated, points = sorted_reference(genuine, impostor, TARGETS)
    assert (streamed.eer(), streamed.eer_interpolated()) == (eer, interpolated)
    assert [streamed.fnmr_at_fmr(t) for t in TARGETS] == points


@pytest.mark.requirement("FRS-ACC-021")
def test_a_report_costs_two_passes_and_a_late_question_one_more():
    rng = np.random.default_rng(3)
    scores = v.CountedScores(rng.normal(2, 1, 2000), rng.normal(0, 1, 200_000))
    scores.prepare([1e-3, 1e-4, 1e-5], det_points=2000)
    assert scores.counts.passes == 2
    scores.eer(), scores.fnmr_at_fmr(1e-4), scores.det_points(2000)
    assert scores.counts.passes == 2  # all settled by the prepared pass
    scores.fmr(0.123456789)  # a threshold inside a bin nobody asked for: one more pass
    assert scores.counts.passes == 3


@pytest.mark.requirement("FRS-ACC-021")
def test_stream_files_on_npy_and_text(tmp_path):
    rng = np.random.default_rng(4)
    genuine = rng.normal(2, 1, 5000)
    impostor = rng.normal(0, 1, 40000) * np.where(rng.random(40000) < 0.5, -1, 1)
    np.save(tmp_path / "g.npy", genuine.astype(np.float32))  # any real dtype, as float64
    sc.write_scores(tmp_path / "i.txt", impostor)
    result = sc.stream_files(tmp_path / "g.npy", tmp_path / "i.txt", chunk=777)
    exact = v.CountedScores(genuine.astype(np.float32), impostor)
    assert result.eer() == exact.eer()
    assert result.eer_interpolated() == exact.eer_interpolated()
    assert result.fnmr_at_fmr(1e-4) == exact.fnmr_at_fmr(1e-4)
    assert (result.det_points(200)[1] == exact.det_points(200)[1]).all()
    # a file changed between two passes is refused, not half-counted
    sc.write_scores(tmp_path / "i.txt", impostor[:-1])
    with pytest.raises(InputError, match="changed between two passes"):
        result.fmr(0.123456789)


@pytest.mark.requirement("FRS-ACC-021")
def test_order_keys_sort_like_the_scores():
    values = np.array([-np.inf, -1e300, -1.5, -5e-324, -0.0, 0.0, 5e-324, 1.0, 1e300, np.inf])
    keys = counts.order_keys(values)
    assert (np.diff(keys.astype(object)) > 0).sum() == values.size - 2
    assert keys[4] == keys[5]  # -0.0 and +0.0 are the same score
    assert (counts.scores_of(keys)[5:] == values[5:]).all()  # and back


def test_text_csv_and_npy_files(tmp_path):
    (tmp_path / "a.txt").write_text("0.5\n\n0.25\n1e-3\n")
    assert sc.read_scores(tmp_path / "a.txt").tolist() == [0.5, 0.25, 0.001]
    (tmp_path / "b.csv").write_text("id,score\nx,0.5\ny,0.75\n")
    assert sc.read_scores(tmp_path / "b.csv").tolist() == [0.5, 0.75]
    (tmp_path / "c.csv").write_text("0.5\n0.75\n")
    assert sc.read_scores(tmp_path / "c.csv").tolist() == [0.5, 0.75]
    (tmp_path / "bad.txt").write_text("0.5\n0.7\nabc\n")
    with pytest.raises(InputError, match=r"bad.txt:3: 'abc' is not a number"):
        sc.read_scores(tmp_path / "bad.txt")
    (tmp_path / "d.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="score"):
        sc.read_scores(tmp_path / "d.csv")
    np.save(tmp_path / "m.npy", np.ones((2, 2)))
    with pytest.raises(InputError, match="1-D"):
        sc.read_scores(tmp_path / "m.npy")
    with pytest.raises(InputError, match="no such file"):
        list(sc.iter_score_chunks(tmp_path / "none.txt"))
    values = np.random.default_rng(0).normal(size=100)
    sc.write_scores(tmp_path / "r.txt", values)
    assert (sc.read_scores(tmp_path / "r.txt") == values).all()  # repr round-trips


def record(n, mated, score, **extra):
    return {"schema_version": "0.1", "comparison_id": f"c{n}", "probe_id": f"p{n}",
            "reference_id": f"r{n}", "mated": mated, "score": score,
            "algorithm_id": "example-face", **extra}


def test_comparison_records_in_blocks(tmp_path):
    path = tmp_path / "scores.jsonl"
    sc.write_comparisons(path, [record(0, True, 0.9, groups={"sex": "F"}),
                                record(1, False, 0.1), record(2, True, None),
                                record(3, False, 0.3, pai_species="print")])
    blocks = list(sc.iter_comparisons(path, chunk=3))
    assert [b.score.size for b in blocks] == [3, 1]
    assert np.isnan(blocks[0].score[2]) and blocks[0].mated.tolist() == [True, False, True]
    assert blocks[0].groups[0] == {"sex": "F"} and blocks[1].pai_species == ["print"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([json.dumps(record(0, True, 0.5)), json.dumps(record(1, "yes", 0.5)),
                              json.dumps(record(2, True, "high")), "{not json",
                              json.dumps(record(4, False, 0.2)), ""]))
    with pytest.raises(DocumentError) as caught:
        list(sc.iter_comparisons(bad))
    assert [(f.line, f.pointer, f.keyword) for f in caught.value.findings] == [
        (2, "/mated", "type"), (3, "/score", "type"), (4, "", "parse")]
    assert caught.value.findings == tuple(validate([bad], "comparison-result"))
