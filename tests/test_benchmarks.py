"""`make bench` discovers every benchmarks/bench_*.py; the validation benchmark's three
tools reach the same verdicts (run small here; `make bench` runs 100,000 records), and the
real-model benchmark's harness and bare runs give the same embeddings, dlib's within 1e-5."""

from __future__ import annotations

from benchmarks import __main__ as runner


def test_validate_benchmark_runs_and_the_three_tools_agree(monkeypatch, capsys):
    monkeypatch.setenv("FRS_BENCH_VALIDATE_RECORDS", "300")
    monkeypatch.setenv("FRS_BENCH_STREAM_MB", "1,4")
    assert runner.main(["validate"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("== bench_validate\n")
    assert "== bench_validate_stream\n" in out and "peak memory, largest" in out
    assert out.count("same verdicts") == 3 and "DIFFERENT" not in out
    assert "frs validate is (wall, cpu)" in out


def test_real_model_benchmark_runs_and_agrees_with_dlib(monkeypatch, capsys):
    monkeypatch.setenv("FRS_BENCH_REAL_FACES", "8")
    assert runner.main(["real_model"]) == 0  # same embeddings, within 1e-5 of dlib
    out = capsys.readouterr().out
    assert "frs evaluate's embedding stage" in out and "same embeddings" in out
    assert "dlib compute_face_descriptor" in out


def test_translations_benchmark_checks_two_clean_trees(monkeypatch, capsys):
    for name, value in (("PAGES", "2"), ("CLAUSES", "3"), ("ROUNDS", "1")):
        monkeypatch.setenv(f"FRS_BENCH_{name}", value)
    assert runner.main(["translations"]) == 0  # it runs `frs check` clean on both first
    assert "x English alone" in capsys.readouterr().out
