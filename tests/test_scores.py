"""Score files and the exact streaming path (clause 6.6, Annex B.10)."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl.documents import DocumentError
from reference_impl.errors import InputError
from reference_impl.metrics import scores as sc
from reference_impl.metrics import verification as v
from reference_impl.validate import validate

TARGETS = [1e-3, 1e-2, 0.1, 0.5, 1.0]


@pytest.mark.requirement("FRS-ACC-021")
@settings(max_examples=60, deadline=None)
@given(st.integers(1, 400), st.integers(1, 3000), st.integers(0, 3), st.integers(1, 5))
def test_two_pass_streaming_equals_all_at_once(n_gen, n_imp, decimals, parts):
    rng = np.random.default_rng(n_gen * 7919 + n_imp)
    genuine = np.round(rng.normal(1, 1, n_gen), decimals)
    impostor = np.round(rng.normal(-1, 1, n_imp), decimals)
    chunks = list(zip(np.array_split(genuine, parts), np.array_split(impostor, parts),
                      strict=True))
    # each chunk counted apart, the partial counts merged
    partials = [sc.StreamingVerification().update(g, i) for g, i in chunks]
    total = partials[0]
    for other in partials[1:]:
        total.merge(other)
    result = total.finish(lambda: iter(chunks), TARGETS)
    exact = v.SortedScores(genuine, impostor)
    assert result.eer == exact.eer()
    assert result.eer_interpolated == exact.eer_interpolated()
    assert result.fnmr_at_fmr == [exact.fnmr_at_fmr(t) for t in TARGETS]
    assert (result.genuine, result.impostor) == (n_gen, n_imp)


@pytest.mark.requirement("FRS-ACC-021")
def test_stream_files_on_npy_and_text(tmp_path):
    rng = np.random.default_rng(4)
    genuine = rng.normal(2, 1, 5000)
    impostor = rng.normal(0, 1, 40000) * np.where(rng.random(40000) < 0.5, -1, 1)
    np.save(tmp_path / "g.npy", genuine)
    sc.write_scores(tmp_path / "i.txt", impostor)
    result = sc.stream_files(tmp_path / "g.npy", tmp_path / "i.txt", [1e-4, 1e-3], chunk=777)
    exact = v.SortedScores(genuine, impostor)
    assert result.eer == exact.eer()
    assert result.eer_interpolated == exact.eer_interpolated()
    assert result.fnmr_at_fmr == [exact.fnmr_at_fmr(1e-4), exact.fnmr_at_fmr(1e-3)]


@pytest.mark.requirement("FRS-ACC-021")
def test_order_keys_sort_like_the_scores():
    values = np.array([-np.inf, -1e300, -1.5, -5e-324, -0.0, 0.0, 5e-324, 1.0, 1e300, np.inf])
    keys = sc.order_keys(values)
    assert (np.diff(keys.astype(object)) >= 0).all()
    assert keys[4] == keys[5]  # -0.0 and +0.0 are the same score


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
