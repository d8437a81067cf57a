"""A real face recognizer through the FRS harness: dlib's ResNet descriptor as ONNX.

The model is converted for the session from the installed weights (conftest.dlib_model)
and checked against dlib itself (the dlib-bin wheel): its descriptors, its face chip, its
verdict on who is who.  The faces are the face_recognition 1.3.0 test images: five of
Barack Obama, one of Joe Biden, far too few for any class verdict (a smoke set).
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import dlib
import face_recognition_models
import numpy as np
import onnxruntime as ort
import pytest
from jsonschema import Draft202012Validator
from PIL import Image

from frs_tools import dlib_resnet
from reference_impl import preprocess
from reference_impl.cli import main
from reference_impl.detect import detect_faces
from reference_impl.model.manifest import load_manifest

skimage_data = pytest.importorskip("skimage.data")
REPO = Path(__file__).resolve().parents[1]
DLIB_CHIP = {"landmarks": "5-point", "template": "dlib-face-chip", "padding": 0.25}
ARCFACE = {"landmarks": "5-point", "template": "frs-5point-112"}
# dlib's own five-point chip targets (eye corners and the base of the nose) in its unpadded
# face box: get_face_chip_details, dlib/image_transforms/interpolation.h.
DLIB_5_POINT = np.array([[0.8595674595992, 0.2134981538014], [0.6460604764104, 0.2289674387677],
                         [0.1205750620789, 0.2137274526848], [0.3340850613712, 0.2290642403242],
                         [0.4901123135679, 0.6277975316475]])
# dlib's mean face, points 17-67 of the 68-point scheme (the same source).
MEAN_X = [0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124,
          0.904991, 0.98004, 0.490127, 0.490127, 0.490127, 0.490127, 0.36688, 0.426036,
          0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918,
          0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149,
          0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721,
          0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874,
          0.553364, 0.490127, 0.42689]
MEAN_Y = [0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891,
          0.0187482, 0.038915, 0.106454, 0.203352, 0.307009, 0.409805, 0.515625, 0.587326,
          0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733,
          0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099,
          0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805,
          0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746,
          0.784792, 0.824182, 0.831803, 0.824182]
DLIB_THRESHOLD = 0.6  # dlib's own: the same person below this Euclidean distance


class Embedder:
    """The converted model fed exactly as its manifest says, outside the harness."""

    def __init__(self, model: Path, manifest: Path):
        self.spec = load_manifest(manifest).input
        self.session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])

    def __call__(self, crops) -> np.ndarray:
        batch = preprocess.normalise(np.stack(crops).astype(np.float32), self.spec)
        return self.session.run(None, {"image": batch})[0]


@pytest.fixture(scope="module")
def embed(dlib_model):
    return Embedder(*dlib_model)


@pytest.fixture(scope="module")
def recognizer():
    return dlib.face_recognition_model_v1(str(dlib_resnet.installed_dat()))


@pytest.fixture(scope="module")
def captures(face_images, recognizer):
    """Each image cut to its face's surroundings (dlib's HOG box, 0.75 of its side on
    every side), with dlib's own five points, chip and descriptor, and MTCNN's landmarks."""
    detector = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(
        face_recognition_models.pose_predictor_five_point_model_location())
    found = {}
    for name, path in face_images.items():
        image = np.asarray(Image.open(path).convert("RGB"))
        boxes = detector(image, 0)
        assert len(boxes) == 1, name
        box = boxes[0]
        margin = int(0.75 * box.width())
        top, left = max(box.top() - margin, 0), max(box.left() - margin, 0)
        capture = np.ascontiguousarray(image[top:box.bottom() + margin,
                                             left:box.right() + margin])
        shape = predictor(capture, dlib.rectangle(box.left() - left, box.top() - top,
                                                  box.right() - left, box.bottom() - top))
        chip = dlib.get_face_chip(capture, shape, size=150, padding=0.25)
        faces = detect_faces(capture.astype(np.float64))
        assert len(faces) == 1, name
        found[name] = {"capture": capture, "chip": chip,
                       "dlib_points": np.array([[p.x, p.y] for p in shape.parts()], float),
                       "descriptor": np.array(recognizer.compute_face_descriptor(chip)),
                       "landmarks": faces[0].landmarks}
    return found


def test_the_onnx_model_computes_dlibs_own_descriptors(captures, embed, recognizer):
    """Within 1e-5 of dlib on its own chips of real faces, and on random chips."""
    chips = [c["chip"] for c in captures.values()]
    chips += list(np.random.default_rng(5).integers(0, 256, (2, 150, 150, 3), np.uint8))
    ours = embed(chips)
    theirs = np.array([recognizer.compute_face_descriptor(chip) for chip in chips])
    print(f"\nONNX vs dlib on {len(chips)} chips: max |difference| "
          f"{np.abs(ours - theirs).max():.2g}")
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.linalg.norm(theirs, axis=1).min() > 0.5  # not trivially zero


def test_the_manifest_declares_what_the_file_holds(dlib_model, capsys):
    model, manifest = dlib_model
    network = dlib_resnet.read_network(dlib_resnet.installed_dat())
    assert network.sha256 == dlib_resnet.DAT_SHA256
    declared = load_manifest(manifest)
    assert np.float32(declared.input.mean).tolist() == list(dlib_resnet.input_mean(network))
    assert (declared.input.size, declared.dimension) == (150, 128)
    assert declared.thresholds["V-L"] == pytest.approx(-network.distance_threshold)
    code = main(["model", "check", str(model), str(manifest), "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    failed = [c["check"] for c in result["checks"] if not c["passed"]]
    assert code == 1 and failed == ["training-data"]  # FRS-SUB-003, and nothing else


def test_the_reader_says_where_a_file_differs_from_the_network(tmp_path):
    data = dlib_resnet.installed_dat().read_bytes()
    (tmp_path / "short.dat").write_bytes(data[:len(data) // 2])
    with pytest.raises(dlib_resnet.DlibFormatError, match=r"short.dat: byte \d+: needs"):
        dlib_resnet.read_network(tmp_path / "short.dat")
    at = data.index(b"con_4")
    (tmp_path / "other.dat").write_bytes(data[:at] + b"con_9" + data[at + 5:])
    # the string starts two bytes earlier, with its length (control byte, one byte)
    with pytest.raises(dlib_resnet.DlibFormatError, match=f"byte {at - 2}: con layer: found "
                       "'con_9', expected con_4 or con_5 or con_6"):
        dlib_resnet.read_network(tmp_path / "other.dat")


def mean_face(offset: tuple[float, float], side: float) -> np.ndarray:
    """dlib's mean face (points 17-67; 0-16, the jaw, unused) in a box of `side` pixels."""
    points = np.zeros((68, 2))
    points[17:] = np.stack([MEAN_X, MEAN_Y], axis=1) * side + offset
    return points


def frs_five(points68: np.ndarray) -> np.ndarray:
    """The five landmarks of clause 12.4 from 68 points: eye contour means, nose tip,
    mouth corners."""
    return np.array([points68[36:42].mean(0), points68[42:48].mean(0), points68[30],
                     points68[48], points68[54]])


def dlib_chip_mapping(details, size: int) -> np.ndarray:
    """dlib's chip pixel -> image mapping (2 x 3) from its chip_details: the crop's first
    and last pixels on the edges of `rect`, turned by `angle` about its centre (dlib's
    extract_image_chip)."""
    rect, angle = details.rect, details.angle
    step = np.array([rect.right() - rect.left(), rect.bottom() - rect.top()]) / (size - 1)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    linear = turn @ np.diag(step)
    centre = np.array([rect.left() + rect.right(), rect.top() + rect.bottom()]) / 2
    return np.hstack([linear, (centre - linear @ np.full(2, (size - 1) / 2))[:, None]])


@pytest.mark.requirement("FRS-SUB-024")
def test_dlib_face_chip_template_makes_dlibs_own_crop():
    """A face at exactly dlib's mean shape (68 integer points): dlib's get_face_chip and
    the FRS harness (the five points of clause 12.4, template dlib-face-chip) cut the same
    crop; the ArcFace template does not."""
    from scipy.ndimage import gaussian_filter

    image = gaussian_filter(skimage_data.astronaut().mean(axis=2), 2)  # grey, 512 x 512
    size, padding = 300, 0.25                        # box of 200 px: no pyramid in dlib
    points = np.rint(mean_face((150, 140), size / (1 + 2 * padding)))
    detection = dlib.full_object_detection(dlib.rectangle(150, 140, 350, 340),
                                           [dlib.point(int(x), int(y)) for x, y in points])
    theirs = dlib.get_face_chip(np.ascontiguousarray(image), detection, size, padding)
    alignment = {"template": "dlib-face-chip", "padding": padding}
    transform = preprocess.umeyama(frs_five(points), preprocess.template(size, alignment))
    ours_to_image = np.linalg.inv(np.vstack([transform, [0, 0, 1]]))[:2]
    theirs_to_image = dlib_chip_mapping(dlib.get_face_chip_details(detection, size, padding),
                                        size)
    corners = np.array([[0, 0, 1], [size - 1, 0, 1], [0, size - 1, 1],
                        [size - 1, size - 1, 1]]).T
    # the five-point and the 51-point fit of rounded points differ by a third of a pixel
    assert np.abs(ours_to_image @ corners - theirs_to_image @ corners).max() < 0.5
    ours = preprocess.align(image, frs_five(points), size, alignment)[..., 0]
    assert np.abs(ours - theirs).mean() < 1.5  # grey levels of 255
    wrong = preprocess.align(image, frs_five(points), size)[..., 0]
    assert np.abs(wrong - theirs).mean() > 10


@pytest.mark.requirement("FRS-SUB-024", "FRS-SUB-013", "FRS-SUB-014")
def test_arcface_and_custom_templates_make_their_reference_crops(captures):
    """frs-5point-112 against scikit-image's warp with InsightFace's own estimator
    (SimilarityTransform on arcface_dst, as face_align.norm_crop); a custom template
    declaring the same points gives the same crop."""
    from skimage.transform import SimilarityTransform, warp

    capture = captures["obama2.jpg"]["capture"].astype(np.float64)
    landmarks = captures["obama2.jpg"]["landmarks"]
    tform = SimilarityTransform.from_estimate(landmarks, preprocess.TEMPLATE_112)
    theirs = warp(capture, tform.inverse, output_shape=(112, 112), order=1,
                  preserve_range=True)
    ours = preprocess.align(capture, landmarks, 112, ARCFACE)
    assert np.abs(ours - theirs)[1:-1, 1:-1].max() < 0.01
    custom = {"template": "custom", "points": preprocess.TEMPLATE_112.tolist()}
    assert np.array_equal(preprocess.align(capture, landmarks, 112, custom), ours)


def gap(distances: dict[tuple[str, str], float]) -> float:
    """Least impostor distance less the largest genuine one (names map to people)."""
    from conftest import FACES

    genuine = [d for (a, b), d in distances.items() if FACES[a] == FACES[b]]
    impostor = [d for (a, b), d in distances.items() if FACES[a] != FACES[b]]
    return min(impostor) - max(genuine)


def all_pairs(vectors: dict[str, np.ndarray]) -> dict[tuple[str, str], float]:
    names = sorted(vectors)
    return {(a, b): float(np.linalg.norm(vectors[a] - vectors[b]))
            for i, a in enumerate(names) for b in names[i + 1:]}


@pytest.mark.requirement("FRS-SUB-024")
def test_the_declared_alignment_keeps_dlibs_accuracy(captures, embed):
    """Through FRS's warp with dlib's own landmarks and chip targets, each embedding is
    within 0.1 of dlib's own; with MTCNN's five landmarks the dlib-face-chip template stays
    near dlib's chip, the ArcFace template does not, and the impostor margin follows."""
    names = list(captures)
    own = {n: captures[n]["descriptor"] for n in names}
    targets = (0.25 + DLIB_5_POINT) / 1.5 * 149  # where dlib puts them (clause 12.4)
    warped = embed([preprocess.warp_similarity(
        captures[n]["capture"], preprocess.umeyama(captures[n]["dlib_points"], targets), 150)
        for n in names])
    chip = embed([preprocess.align(captures[n]["capture"], captures[n]["landmarks"], 150,
                                   DLIB_CHIP) for n in names])
    arcface = embed([preprocess.align(captures[n]["capture"], captures[n]["landmarks"], 150,
                                      ARCFACE) for n in names])
    away = {label: np.linalg.norm(vectors - np.array([own[n] for n in names]), axis=1)
            for label, vectors in (("warp", warped), ("chip", chip), ("arcface", arcface))}
    margins = {"dlib": gap(all_pairs(own)),
               "chip": gap(all_pairs(dict(zip(names, chip, strict=True)))),
               "arcface": gap(all_pairs(dict(zip(names, arcface, strict=True))))}
    print("\ndistance from dlib's own descriptor: " + ", ".join(
        f"{k} {v.min():.3f}-{v.max():.3f}" for k, v in away.items()))
    print("impostor margin: " + ", ".join(f"{k} {v:.3f}" for k, v in margins.items()))
    assert away["warp"].max() < 0.1
    assert away["chip"].max() < 0.25 < 0.5 < away["arcface"].min()
    assert margins["dlib"] > 0.3 and margins["chip"] > 0.2
    assert margins["chip"] - margins["arcface"] > 0.15


def lfw_probe(face: np.ndarray) -> np.ndarray:
    """A 25 x 25 LFW face enlarged 8 times and framed in grey: IED about 70 px."""
    from reference_impl.detect import resize

    big = resize(np.repeat(face[:, :, None] * 255, 3, axis=2), 200, 200)
    return np.clip(np.rint(np.pad(big, ((25, 25), (25, 25), (0, 0)),
                                  constant_values=127.5)), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def real_dataset(captures, tmp_path_factory) -> Path:
    """Enrolment: Obama and Biden as aligned crops (their photographs are not frontal
    enough to enrol, clause 4.3); probes: four more photographs of Obama and six LFW faces
    of unknown people, as captures without landmarks, so the harness detects them."""
    folder = tmp_path_factory.mktemp("real-faces")
    crops = [preprocess.align(captures[n]["capture"], captures[n]["landmarks"], 150,
                              DLIB_CHIP) for n in ("obama.jpg", "biden.jpg")]
    np.save(folder / "enrolment.npy", np.stack(crops))
    samples = [{"sample_id": name, "subject_id": name[:5], "role": "enrolment",
                "file": "enrolment.npy", "index": i, "aligned": True}
               for i, name in enumerate(("obama", "biden"))]
    for name in ("obama2.jpg", "obama3.jpg", "obama_partial_face.jpg",
                 "obama_partial_face2.jpg"):
        Image.fromarray(captures[name]["capture"]).save(folder / f"{name[:-4]}.png")
        samples.append({"sample_id": name[:-4], "subject_id": "obama", "role": "probe",
                        "file": f"{name[:-4]}.png"})
    for i, face in enumerate(skimage_data.lfw_subset()[:6]):
        Image.fromarray(lfw_probe(face)).save(folder / f"lfw{i}.png")
        samples.append({"sample_id": f"lfw{i}", "subject_id": f"lfw{i}", "role": "probe",
                        "file": f"lfw{i}.png"})
    (folder / "dataset.json").write_text(json.dumps(
        {"schema_version": "0.1", "dataset_id": "face-recognition-1.3.0-smoke",
         "sequestered": False, "samples": samples}))
    return folder / "dataset.json"


def check_outcome(out: Path) -> dict:
    """The report, DET plot and verdicts of one `frs evaluate` of the dlib model."""
    schema = json.loads((REPO / "schemas" / "evaluation-report.schema.json").read_text())
    report = json.loads((out / "report.json").read_text())
    assert not list(Draft202012Validator(schema).iter_errors(report))
    assert (out / "det.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    verdicts = {v.get("check") or v.get("class"): v for v in report["verdicts"]}
    assert verdicts["training-data"]["verdict"] == "fail"
    assert verdicts["training-data"]["requirement"] == "FRS-SUB-003"
    assert verdicts["V-L"]["verdict"] == "fail"
    assert verdicts["V-L"]["reason"].startswith("smoke set: ")
    assert report["dataset"]["smoke_set"] is True
    return report


@pytest.mark.requirement("FRS-SUB-024", "FRS-SUB-003")
def test_real_faces_through_frs_evaluate_separate_as_in_dlib(dlib_model, real_dataset,
                                                             tmp_path, capsys):
    model, manifest = dlib_model
    code = main(["evaluate", str(model), str(manifest), str(real_dataset), "--out",
                 str(tmp_path), "--no-progress"])
    assert code == 1
    summary = capsys.readouterr().out
    report = check_outcome(tmp_path)
    quality = {r["sample_id"]: r for r in map(json.loads, open(tmp_path / "quality.jsonl"))}
    rejected = [k for k, r in quality.items() if not r["accepted"]]
    assert f"quality: 0/2 enrolment samples rejected; {len(rejected)}/10 probe" in summary
    obama = [k for k in quality if k.startswith("obama") and k != "obama"]
    assert len(set(obama) - set(rejected)) >= 3  # the fourth may turn past 20 degrees
    scores = [json.loads(line) for line in open(tmp_path / "scores.jsonl")]
    assert len(scores) == 2 * 10
    scored = [s for s in scores if s["score"] is not None]
    mated = [-s["score"] for s in scored if s["mated"]]
    biden = [-s["score"] for s in scored if s["reference_id"] == "biden"
             and s["probe_id"].startswith("obama")]
    strangers = [-s["score"] for s in scored if s["probe_id"].startswith("lfw")]
    print(f"\nfrs evaluate, dlib model: genuine {min(mated):.3f}-{max(mated):.3f}, "
          f"Obama-Biden {min(biden):.3f}-{max(biden):.3f}, LFW strangers from "
          f"{min(strangers):.3f}; margin {min(biden) - max(mated):.3f}; rejected {rejected}")
    assert len(mated) == len(biden) >= 3 and len(strangers) >= 6
    assert max(mated) < DLIB_THRESHOLD <= min(biden + strangers)  # dlib's own decision
    assert report["verification"]["genuine"] == len(mated)


def test_the_installed_wheel_detects_faces_and_evaluates_the_real_model(
        dlib_model, real_dataset, tmp_path):
    """`pip install` of the built wheel alone (no checkout, no make target) finds the
    MTCNN networks and the schemas, and evaluates a dataset without landmarks."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp_path / "dist"), str(REPO)],
                   check=True, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("frs-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True)
    # Its dependencies come from this environment's site-packages, added as a path: its
    # .pth files (the editable install of the checkout) are not run.
    site = Path(subprocess.check_output([str(python), "-c", "import sysconfig; "
                                         "print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = subprocess.check_output([str(python), "-c", "import reference_impl.detect as d;"
                                     "print(d.model_folder())"], text=True, cwd=tmp_path)
    assert Path(where.strip()).is_relative_to(venv)
    dataset = json.loads(real_dataset.read_text())  # one mate and one stranger suffice
    dataset["samples"] = [s for s in dataset["samples"]
                          if s["sample_id"] in ("obama", "biden", "obama2", "lfw0")]
    small = real_dataset.with_name("small.json")
    small.write_text(json.dumps(dataset))
    run = subprocess.run([str(venv / "bin" / "frs"), "evaluate", str(dlib_model[0]),
                          str(dlib_model[1]), str(small), "--out", str(tmp_path / "out"),
                          "--no-progress"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    check_outcome(tmp_path / "out")
