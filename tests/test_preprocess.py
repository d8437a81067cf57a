"""Preprocessing and image quality (clauses 4 and 12.4): known answers worked by hand."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from reference_impl import preprocess
from reference_impl.errors import InputError
from reference_impl.model.similarity import (
    pair_scores,
    prepare,
    score_matrix,
    set_scores,
    tile_scores,
)

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
T = preprocess.TEMPLATE_112
IED0 = math.hypot(*(T[1] - T[0]))


def similarity(scale, degrees, tx, ty):
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return np.array([[scale * c, -scale * s, tx], [scale * s, scale * c, ty]])


def apply(transform, points):
    return points @ transform[:, :2].T + transform[:, 2]


def posed(yaw=0.0, pitch=0.0, roll=0.0, scale=3.0):
    """Template landmarks of a head turned by yaw, then pitch, then roll (orthographic)."""
    centre = T.mean(axis=0)
    xyz = np.c_[T - centre, np.zeros(5)]
    xyz[2, 2] = preprocess.NOSE_DEPTH * IED0  # the nose tip stands in front of the face
    a, b = math.radians(yaw), math.radians(pitch)
    x = xyz[:, 0] * math.cos(a) + xyz[:, 2] * math.sin(a)
    z = -xyz[:, 0] * math.sin(a) + xyz[:, 2] * math.cos(a)
    y = xyz[:, 1] * math.cos(b) - z * math.sin(b)
    return apply(similarity(scale, roll, 200, 200), np.c_[x, y])


@pytest.mark.requirement("FRS-SUB-013")
def test_umeyama_recovers_a_known_similarity_exactly():
    truth = similarity(2.5, 30.0, 10.0, -4.0)
    estimate = preprocess.umeyama(T, apply(truth, T))
    assert np.allclose(estimate, truth, atol=1e-10)


@pytest.mark.requirement("FRS-SUB-013")
def test_umeyama_is_the_least_squares_similarity_and_never_a_reflection():
    rng = np.random.default_rng(1)
    source = T + rng.normal(0, 2.0, T.shape)
    estimate = preprocess.umeyama(source, T)
    assert np.linalg.det(estimate[:, :2]) > 0
    best = ((apply(estimate, source) - T) ** 2).sum()
    for _ in range(200):  # any nearby similarity does no better
        scale, angle = rng.normal(1, 0.01), rng.normal(0, 0.5)
        other = similarity(scale, angle, *rng.normal(0, 0.3, 2)) @ np.vstack([estimate,
                                                                              [0, 0, 1]])
        assert ((apply(other, source) - T) ** 2).sum() >= best - 1e-9
    mirrored = T * [-1, 1]  # a mirror image still gets a proper rotation
    assert np.linalg.det(preprocess.umeyama(mirrored, T)[:, :2]) > 0


@pytest.mark.requirement("FRS-SUB-013")
def test_template_scales_with_the_crop_and_aligns_landmarks_onto_it():
    assert np.allclose(preprocess.template(224), T * 2)
    transform = preprocess.umeyama(posed(roll=12.0, scale=2.0), preprocess.template(112))
    assert np.allclose(apply(transform, posed(roll=12.0, scale=2.0)), T, atol=1e-9)
    with pytest.raises(InputError, match="coincide"):
        preprocess.umeyama(np.zeros((5, 2)), T)


@pytest.mark.requirement("FRS-SUB-014")
def test_bilinear_warp_is_exact_on_a_linear_ramp_and_zero_outside():
    height, width = 60, 80
    ys, xs = np.mgrid[0:height, 0:width].astype(float)
    image = 2.0 * xs + 0.5 * ys + 1.0  # bilinear interpolation of a plane is exact
    transform = similarity(0.5, 20.0, 3.0, 4.0)
    crop = preprocess.warp_similarity(image, transform, 24)[..., 0]
    inverse = np.linalg.inv(np.vstack([transform, [0, 0, 1]]))
    for u, v in [(0, 0), (5, 7), (23, 23), (11, 2)]:
        x, y, _ = inverse @ [u, v, 1]
        if 0 <= x <= width - 1 and 0 <= y <= height - 1:
            assert crop[v, u] == pytest.approx(2 * x + 0.5 * y + 1, abs=1e-3)
    far = preprocess.warp_similarity(image, similarity(1.0, 0.0, -500.0, 0.0), 8)
    assert (far == 0).all()


@pytest.mark.requirement("FRS-SUB-014")
def test_align_undoes_a_similarity_of_a_smooth_face():
    size = 112
    ys, xs = np.mgrid[0:size, 0:size].astype(float)
    crop = np.stack([100 + 60 * np.sin(xs / 9) * np.cos(ys / 11)] * 3, axis=-1)
    forward = similarity(2.0, 15.0, 40.0, 30.0)   # crop -> capture
    capture = preprocess.warp_similarity(crop, forward, 300)
    landmarks = apply(forward, T)
    again = preprocess.align(capture, landmarks, size)
    inner = (slice(20, 92), slice(20, 92))
    assert np.abs(again[inner] - crop[inner]).max() < 1.5


@pytest.mark.requirement("FRS-SUB-015")
def test_normalisation_channel_order_mean_std_and_layout():
    pixel = np.array([[[[255.0, 0.0, 127.5]]]])  # one RGB pixel, N x H x W x 3
    rgb = preprocess.normalise(pixel, preprocess.InputSpec(1, "NCHW", "RGB"))
    assert rgb.shape == (1, 3, 1, 1) and rgb.dtype == np.float32
    assert rgb.ravel().tolist() == [127.5 / 128, -127.5 / 128, 0.0]
    spec = preprocess.InputSpec(1, "NHWC", "BGR", mean=(0, 10, 20), std=(1, 2, 4))
    bgr = preprocess.normalise(pixel, spec)
    assert bgr.shape == (1, 1, 1, 3)
    assert bgr.ravel().tolist() == [127.5, -5.0, (255 - 20) / 4]
    with pytest.raises(InputError, match="layout"):
        preprocess.normalise(pixel, preprocess.InputSpec(1, "CHWN", "RGB"))


@pytest.mark.requirement("FRS-SUB-016")
def test_similarity_functions_known_answers():
    a, b = np.array([[1.0, 0.0]]), np.array([[1.0, 1.0]])
    assert pair_scores(a, b, "cosine")[0] == pytest.approx(1 / math.sqrt(2))
    assert pair_scores(a, b, "dot")[0] == 1.0
    assert pair_scores(a, b, "euclidean")[0] == -1.0
    many = np.array([[3.0, 4.0], [0.0, 1.0]])
    assert np.allclose(score_matrix(many, many, "euclidean"),
                       [[0.0, -math.hypot(3, 3)], [-math.hypot(3, 3), 0.0]])
    assert np.allclose(score_matrix(many, many, "cosine"), [[1, 0.8], [0.8, 1]])
    with pytest.raises(InputError, match="similarity"):
        pair_scores(a, b, "manhattan")


@pytest.mark.requirement("FRS-ACC-021")
@settings(max_examples=60, deadline=None)
@given(st.integers(1, 30), st.integers(1, 30), st.sampled_from([1, 3, 16, 31, 128, 129, 512]),
       st.sampled_from(["cosine", "dot", "euclidean"]), st.integers(1, 5000),
       st.integers(0, 2 ** 32 - 1))
def test_a_tile_scores_every_pair_as_the_reference_kernel_bit_for_bit(rows, cols, dim, kind,
                                                                       cells, seed):
    rng = np.random.default_rng(seed)
    a = prepare(rng.normal(size=(rows, dim)).astype(np.float32), kind)
    b = prepare(rng.normal(size=(cols, dim)).astype(np.float32), kind)
    i, j = (m.ravel() for m in np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij"))
    want = pair_scores(a[i], b[j], kind, prepared_a=True, prepared_b=True).reshape(rows, cols)
    assert np.array_equal(tile_scores(a, b, kind, cells), want)


@pytest.mark.requirement("FRS-ACC-021")
@settings(max_examples=60, deadline=None)
@given(st.integers(1, 20), st.integers(1, 12), st.sampled_from([1, 3, 16, 31, 128, 129, 512]),
       st.sampled_from(["cosine", "dot", "euclidean"]), st.integers(0, 2 ** 32 - 1))
def test_set_scores_each_row_against_its_own_rows_as_the_reference_kernel_bit_for_bit(
        rows, per_row, dim, kind, seed):
    # the 1:N rescoring: each probe against its own gathered gallery rows
    rng = np.random.default_rng(seed)
    a = prepare(rng.normal(size=(rows, dim)).astype(np.float32), kind)
    gallery = prepare(rng.normal(size=(rows + per_row, dim)).astype(np.float32), kind)
    picked = rng.integers(0, len(gallery), (rows, per_row))
    want = pair_scores(np.repeat(a, per_row, axis=0), gallery[picked.ravel()], kind,
                       prepared_a=True, prepared_b=True).reshape(rows, per_row)
    assert np.array_equal(set_scores(a, gallery[picked], kind), want)


def component(report, name):
    return next(c for c in report["components"] if c["name"] == name)


def with_ied(ied):
    return posed(scale=ied / IED0)


@pytest.mark.requirement("FRS-QUA-002")
def test_enrolment_needs_an_inter_eye_distance_of_90_pixels():
    assert preprocess.inter_eye_distance(with_ied(90.0)) == pytest.approx(90.0)
    assert preprocess.quality_report("a", "enrolment", 1, with_ied(90.0))["accepted"]
    report = preprocess.quality_report("a", "enrolment", 1, with_ied(89.9))
    assert report["rejected_by"] == ["inter_eye_distance"]
    assert component(report, "inter_eye_distance")["minimum"] == 90.0


@pytest.mark.requirement("FRS-QUA-003")
def test_probe_needs_an_inter_eye_distance_of_60_pixels():
    assert preprocess.quality_report("p", "probe", 1, with_ied(60.0))["accepted"]
    assert preprocess.quality_report("p", "probe", 1, with_ied(75.0))["accepted"]
    report = preprocess.quality_report("p", "probe", 1, with_ied(59.9))
    assert report["rejected_by"] == ["inter_eye_distance"]


@pytest.mark.requirement("FRS-QUA-004")
def test_pose_estimator_is_exact_for_single_axis_rotations():
    for axis in ("yaw", "pitch", "roll"):
        for angle in (-20.0, -4.0, 3.0, 17.0):
            pose = preprocess.pose_from_landmarks(posed(**{axis: angle}))
            assert getattr(pose, axis) == pytest.approx(angle, abs=0.2)
            for other in {"yaw", "pitch", "roll"} - {axis}:
                assert getattr(pose, other) == pytest.approx(0.0, abs=0.2)


@pytest.mark.requirement("FRS-QUA-004")
def test_enrolment_pose_limits():
    for pose, accepted in [({"yaw": 4.9}, True), ({"yaw": -5.1}, False),
                           ({"pitch": 4.9}, True), ({"pitch": 5.1}, False),
                           ({"roll": 7.9}, True), ({"roll": -8.1}, False)]:
        report = preprocess.quality_report("e", "enrolment", 1, posed(**pose))
        assert report["accepted"] is accepted, pose
        if not accepted:
            assert report["rejected_by"] == list(pose)


@pytest.mark.requirement("FRS-QUA-005")
def test_probe_pose_limits():
    for axis in ("yaw", "pitch", "roll"):
        assert preprocess.quality_report("p", "probe", 1, posed(**{axis: 19.5}))["accepted"]
        report = preprocess.quality_report("p", "probe", 1, posed(**{axis: -20.5}))
        assert report["rejected_by"] == [axis]


@pytest.mark.requirement("FRS-QUA-006")
def test_exactly_one_face():
    for faces, accepted in [(0, False), (1, True), (2, False)]:
        measures = preprocess.quality_measures("probe", faces)
        count = next(m for m in measures if m.name == "face_count")
        assert count.passed is accepted and count.value == faces


def checkerboard(amplitude, size=32, mean=100.0):
    ys, xs = np.mgrid[0:size, 0:size]
    return np.stack([mean + amplitude * np.where((xs + ys) % 2, 1.0, -1.0)] * 3, axis=-1)


@pytest.mark.requirement("FRS-QUA-007")
def test_sharpness_is_the_variance_of_the_laplacian():
    # On a +-a checkerboard every interior Laplacian is +-8a: variance 64 a^2.
    assert preprocess.sharpness(checkerboard(1.0)) == pytest.approx(64.0)
    assert preprocess.sharpness(checkerboard(0.5)) == pytest.approx(16.0)
    assert preprocess.sharpness(np.full((16, 16, 3), 90.0)) == 0.0
    sharp = preprocess.quality_report("s", "probe", 1, crop=checkerboard(0.5))
    assert component(sharp, "sharpness")["passed"] is True
    blurred = preprocess.quality_report("s", "probe", 1, crop=checkerboard(0.35))
    assert blurred["rejected_by"] == ["sharpness"]  # 64 * 0.35^2 = 7.84 < 10


@pytest.mark.requirement("FRS-QUA-008")
def test_exposure_is_the_mean_luminance_between_50_and_205():
    rgb = np.zeros((4, 4, 3))
    rgb[..., 0] = 100.0  # BT.601: 0.299 * 100
    assert preprocess.exposure(rgb) == pytest.approx(29.9)
    for level, accepted in [(49.9, False), (50.0, True), (205.0, True), (205.1, False)]:
        report = preprocess.quality_report("x", "probe", 1, crop=checkerboard(2.0, mean=level))
        assert component(report, "exposure")["passed"] is accepted, level


@pytest.mark.requirement("FRS-QUA-001")
def test_quality_report_has_every_component_and_is_schema_valid():
    validator = Draft202012Validator(json.loads(
        (SCHEMAS / "quality-report.schema.json").read_text()))
    crop = checkerboard(2.0)
    full = preprocess.quality_report("a-1", "enrolment", 1, posed(yaw=7.0), crop)
    partial = preprocess.quality_report("a-2", "probe", 1)  # nothing but the face count
    for report in (full, partial):
        assert not list(validator.iter_errors(report))
        assert [c["name"] for c in report["components"]] == [
            "face_count", "inter_eye_distance", "yaw", "pitch", "roll", "sharpness",
            "exposure"]
    assert full["rejected_by"] == ["yaw"] and not full["accepted"]
    assert component(full, "yaw")["value"] == pytest.approx(7.0, abs=0.2)
    assert partial["accepted"] and component(partial, "sharpness")["passed"] is None
    with pytest.raises(InputError, match="role"):
        preprocess.quality_report("x", "gallery", 1)


@pytest.mark.requirement("FRS-QUA-001")
def test_quality_report_examples_are_judged_by_the_schema():
    validator = Draft202012Validator(json.loads(
        (SCHEMAS / "quality-report.schema.json").read_text()))
    folder = SCHEMAS / "examples" / "quality-report"
    valid = sorted((folder / "valid").glob("*.json"))
    invalid = sorted((folder / "invalid").glob("*.json"))
    assert valid and invalid
    for path in valid:
        assert not list(validator.iter_errors(json.loads(path.read_text()))), path.name
    for path in invalid:
        assert list(validator.iter_errors(json.loads(path.read_text()))), path.name
    preprocess.quality_report("a", "probe", 1)


@pytest.mark.requirement("FRS-QUA-011")
def test_gate_score_is_the_weakest_component_50_at_each_limit():
    def measure(name, value, minimum=None, maximum=None):
        return preprocess._measure(name, value, minimum, maximum)

    worked = [(measure("inter_eye_distance", 90.0, 90.0), 50.0),     # 90 / 180
              (measure("inter_eye_distance", 135.0, 90.0), 75.0),    # 135 / 180
              (measure("inter_eye_distance", 400.0, 90.0), 100.0),   # capped
              (measure("yaw", -5.0, -5.0, 5.0), 50.0),               # 1 - 5 / 10
              (measure("yaw", 7.0, -5.0, 5.0), 30.0),                # 1 - 7 / 10
              (measure("roll", 30.0, -8.0, 8.0), 0.0),               # floored
              (measure("exposure", 205.0, 50.0, 205.0), 50.0),       # 1 - 77.5 / 155
              (measure("exposure", 127.5, 50.0, 205.0), 100.0),
              (measure("face_count", 1, 1, 1), 100.0), (measure("face_count", 2, 1, 1), 0.0),
              (measure("sharpness", None), None)]
    for item, expected in worked:
        assert preprocess.component_score(item) == expected, item
    crop = checkerboard(2.0)  # sharpness 256, exposure 100: 100 and 1 - 27.5 / 155
    report = preprocess.quality_report("a", "enrolment", 1, posed(yaw=3.0, scale=4.0), crop)
    scores = {c["name"]: c["score"] for c in report["components"]}
    assert scores["exposure"] == pytest.approx(100 * (1 - 27.5 / 155), abs=1e-6)
    assert report["gate_score"] == min(scores.values()) == scores["yaw"]
    assert scores["yaw"] == pytest.approx(70.0, abs=2.0)  # yaw estimated within 0.2 deg
    assert preprocess.quality_report("n", "probe", 0)["gate_score"] == 0.0  # no face
    # A sample is accepted exactly when its gate score is at least 50.
    rng = np.random.default_rng(4)
    for _ in range(300):
        role = str(rng.choice(["enrolment", "probe"]))
        landmarks = posed(*rng.uniform(-12, 12, 3), scale=rng.uniform(1.5, 4.5))
        crop = checkerboard(rng.uniform(0.1, 3.0), mean=rng.uniform(30, 225))
        record = preprocess.quality_report("r", role, 1, landmarks, crop)
        assert 0 <= record["gate_score"] <= 100
        assert record["accepted"] == (record["gate_score"] >= 50), record
