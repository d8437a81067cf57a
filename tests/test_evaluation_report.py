"""The evaluation-report schema and the metric families that fill it."""

import json
from pathlib import Path

import numpy as np
import pytest
from jsonschema import Draft202012Validator

from reference_impl.metrics import report
from reference_impl.metrics.verification import CountedScores

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schemas/evaluation-report.schema.json").read_text())
EXAMPLES = ROOT / "schemas/examples/evaluation-report"
VALIDATOR = Draft202012Validator(SCHEMA)


def test_the_schema_is_valid_2020_12():
    Draft202012Validator.check_schema(SCHEMA)
    for example in SCHEMA["examples"]:
        VALIDATOR.validate(example)


@pytest.mark.parametrize("path", sorted((EXAMPLES / "valid").glob("*.json")), ids=str)
def test_valid_examples(path):
    assert not list(VALIDATOR.iter_errors(json.loads(path.read_text())))


@pytest.mark.parametrize("path", sorted((EXAMPLES / "invalid").glob("*.json")), ids=str)
def test_invalid_examples(path):
    assert list(VALIDATOR.iter_errors(json.loads(path.read_text())))


def families():
    rng = np.random.default_rng(7)
    genuine = np.round(rng.normal(0.8, 0.1, 400), 4)
    impostor = np.round(rng.normal(0.2, 0.1, 40_000), 4)
    ver = report.verification_section(CountedScores(genuine, impostor), failures_to_acquire=12)
    tau = ver["fnmr_at_fmr"][0]["threshold"]
    return {
        "verification": ver,
        "identification": report.identification_section(
            [1, 1, 2, 0], [0.9, 0.8, 0.7, np.nan], rng.normal(0.3, 0.1, 4000), 1000,
            ranks=(1, 5), fpir_targets=(1e-3, 1e-4), max_rank=5),
        "pad": report.pad_section(rng.normal(0.8, 0.1, 300),
                                  {"print": rng.normal(0.2, 0.1, 300),
                                   "replay": rng.normal(0.3, 0.1, 100)},
                                  threshold=0.5, accepted_by_species={"print": [0] * 60}),
        "demographics": report.demographics_section(
            {"F": genuine[:200], "M": genuine[200:]},
            {"F": impostor[:20_000], "M": impostor[20_000:]}, tau),
    }


@pytest.mark.requirement("FRS-ACC-016", "FRS-ACC-017", "FRS-DEM-001")
def test_every_family_the_metrics_produce_is_a_valid_report():
    parts = families()
    document = report.evaluation_report("example-face", "1.0", **parts)
    assert not list(VALIDATOR.iter_errors(document))
    rows = document["verification"]["fnmr_at_fmr"]
    assert [r["supported"] for r in rows] == [True, True, False, False]  # 40,000 impostors
    assert rows[2]["impostor_needed"] == 299_572  # ln(0.05) / ln(1 - 1e-5), rounded up
    low, high = rows[0]["fmr_interval"]
    assert low <= rows[0]["fmr"] <= high
    for name in parts:  # each family alone is a report too (or needs a partner)
        alone = report.evaluation_report("x", "1", **{name: parts[name]})
        errors = list(VALIDATOR.iter_errors(alone))
        assert bool(errors) == (name == "demographics")
