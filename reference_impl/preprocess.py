"""Preprocessing and image quality, exactly as FRS clauses 4 and 12 define them.

Everything here is numpy, so that the standard and the code say the same thing:

- `umeyama`: the least-squares similarity transform (Umeyama 1991) from five landmarks
  to the template the model manifest declares (clause 12.4);
- `warp_similarity`: the aligned crop, by inverse mapping with bilinear interpolation;
- `normalise`: colour order, layout and (pixel - mean) / std of the model manifest;
- the quality measures of clause 4 (inter-eye distance, pose from landmarks, sharpness,
  exposure, one face) and `quality_report`, one record per sample with each measure,
  its threshold and the decision.

Coordinates are (x, y) in pixels, x to the right, y down, with pixel centres at integer
coordinates (the convention of OpenCV's warpAffine, which the template was made with).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from reference_impl.errors import InputError
from reference_impl.limits import SCHEMA_VERSION

# The canonical five-point template for a 112 x 112 crop (clause 12.3): left eye, right
# eye, nose tip, left mouth corner, right mouth corner, "left" and "right" as seen in
# the image.  Source: `arcface_dst` in deepinsight/insightface,
# python-package/insightface/utils/face_align.py, the template ArcFace models are
# trained with.
TEMPLATE_SIZE = 112
TEMPLATE_112 = np.array([
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
])
LANDMARK_NAMES = ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")

# Quality thresholds of clause 4 (the spec states each one and its source).
IED_MIN_ENROLMENT = 90.0     # pixels, FRS-QUA-002
IED_MIN_PROBE = 60.0         # pixels, FRS-QUA-003
YAW_MAX = 5.0                # degrees, enrolment, FRS-QUA-004
PITCH_MAX = 5.0              # degrees
ROLL_MAX = 8.0               # degrees
PROBE_POSE_MAX = 20.0        # degrees on every axis, probes, FRS-QUA-005
SHARPNESS_MIN = 10.0         # variance of the Laplacian of the aligned luminance
LUMINANCE_MIN = 50.0         # mean luminance of the aligned crop, 0-255
LUMINANCE_MAX = 205.0
# Depth of the nose tip in front of the plane of the eyes and mouth, as a fraction of
# the inter-eye distance: the one constant of the pose estimator (clause 4.3).
NOSE_DEPTH = 0.5


# dlib's face chip (clause 12.4, template "dlib-face-chip"): the same five points on dlib's
# mean face, as fractions of its unpadded face box.  Source: `mean_face_shape_x/y` in
# `get_face_chip_details`, davisking/dlib dlib/image_transforms/interpolation.h (points
# 17-67 of the iBUG 68-point scheme): each eye centre is the mean of its six contour
# points (36-41, 42-47), the nose tip is point 30, the mouth corners points 48 and 54.
DLIB_FACE_CHIP = np.array([
    [0.2254918, 0.2159903],
    [0.7547613, 0.2159903],
    [0.4901270, 0.5156250],
    [0.2541490, 0.7802330],
    [0.7261040, 0.7802330],
])


def template(size: int, alignment: dict | None = None) -> np.ndarray:
    """The five target points of a square crop of `size` pixels (clause 12.4).

    `alignment` is the model manifest's: template "frs-5point-112" (the default) is the
    canonical template scaled by size / 112; "dlib-face-chip" dlib's mean face with its
    declared padding p, at (p + u) / (1 + 2p) * (size - 1), where dlib's get_face_chip
    puts it (its crop spans the face box from the first pixel centre to the last);
    "custom" the manifest's own `points`, in pixels of the crop.
    """
    if size < 16:
        raise InputError(f"crop size {size} is below 16 pixels")
    name = (alignment or {}).get("template", "frs-5point-112")
    if name == "frs-5point-112":
        return TEMPLATE_112 * (size / TEMPLATE_SIZE)
    if name == "dlib-face-chip":
        padding = float(alignment["padding"])
        return (padding + DLIB_FACE_CHIP) / (1 + 2 * padding) * (size - 1)
    if name == "custom":
        points = as_landmarks(alignment["points"], "alignment/points")
        outside = [i for i, (x, y) in enumerate(points)
                   if not (0 <= x <= size - 1 and 0 <= y <= size - 1)]
        if outside:
            raise InputError(f"alignment/points/{outside[0]}: {points[outside[0]].tolist()} "
                             f"is outside the {size} x {size} crop (points {outside})")
        if np.ptp(points, axis=0).max() == 0:
            raise InputError("alignment/points: the five points coincide")
        return points
    raise InputError(f"alignment/template: '{name}' is not frs-5point-112, dlib-face-chip "
                     "or custom")


def as_landmarks(points, where: str = "landmarks") -> np.ndarray:
    array = np.asarray(points, dtype=np.float64)
    if array.shape != (5, 2) or not np.isfinite(array).all():
        raise InputError(f"{where}: expected five finite (x, y) points, got shape "
                         f"{array.shape}")
    return array


def umeyama(source, destination) -> np.ndarray:
    """The 2 x 3 similarity transform T minimising sum |T(source_i) - destination_i|^2.

    Umeyama (1991), eqs. 40-42: with centred point sets and the SVD U D V^T of their
    covariance, R = U S V^T (S flips the last axis when det < 0, so R is a rotation),
    c = tr(D S) / var(source), t = mean(destination) - c R mean(source).
    """
    src = np.asarray(source, dtype=np.float64)
    dst = np.asarray(destination, dtype=np.float64)
    if src.shape != dst.shape or src.ndim != 2 or src.shape[1] != 2 or src.shape[0] < 2:
        raise InputError(f"umeyama: expected two (n, 2) point sets, got {src.shape} and "
                         f"{dst.shape}")
    n = src.shape[0]
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    src_c, dst_c = src - mu_s, dst - mu_d
    var_s = (src_c ** 2).sum() / n
    if var_s == 0:
        raise InputError("umeyama: the source points coincide")
    cov = dst_c.T @ src_c / n
    u, d, vt = np.linalg.svd(cov)
    s = np.ones(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        s[-1] = -1
    rotation = u @ np.diag(s) @ vt
    scale = (d * s).sum() / var_s
    translation = mu_d - scale * rotation @ mu_s
    return np.hstack([scale * rotation, translation[:, None]])


def warp_similarity(image: np.ndarray, transform: np.ndarray, size: int) -> np.ndarray:
    """The size x size crop whose pixel (u, v) is the image at T^-1(u, v), bilinear.

    Points outside the image read as 0.  Returns float32, channels last.
    """
    img = np.asarray(image)
    if img.ndim == 2:
        img = img[:, :, None]
    if img.ndim != 3:
        raise InputError(f"image: expected H x W or H x W x C, got shape {img.shape}")
    matrix = np.vstack([transform, [0.0, 0.0, 1.0]])
    inverse = np.linalg.inv(matrix)
    v, u = np.mgrid[0:size, 0:size].astype(np.float64)
    x = inverse[0, 0] * u + inverse[0, 1] * v + inverse[0, 2]
    y = inverse[1, 0] * u + inverse[1, 1] * v + inverse[1, 2]
    height, width = img.shape[:2]
    x0, y0 = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
    fx, fy = (x - x0)[..., None], (y - y0)[..., None]
    source = img.astype(np.float32)
    out = np.zeros((size, size, img.shape[2]), dtype=np.float64)
    for dy, dx, weight in ((0, 0, (1 - fx) * (1 - fy)), (0, 1, fx * (1 - fy)),
                           (1, 0, (1 - fx) * fy), (1, 1, fx * fy)):
        xi, yi = x0 + dx, y0 + dy
        inside = (xi >= 0) & (xi < width) & (yi >= 0) & (yi < height)
        values = np.zeros_like(out)
        values[inside] = source[yi[inside], xi[inside]]
        out += weight * values
    return out.astype(np.float32)


def align(image: np.ndarray, landmarks, size: int, alignment: dict | None = None
          ) -> np.ndarray:
    """The aligned crop: Umeyama from the landmarks to the declared template, then the
    warp."""
    transform = umeyama(as_landmarks(landmarks), template(size, alignment))
    return warp_similarity(image, transform, size)


@dataclass(frozen=True)
class InputSpec:
    """What the model manifest says about its input tensor (clause 12.4)."""

    size: int                  # square crop side, pixels
    layout: str = "NCHW"       # or "NHWC"
    colour: str = "RGB"        # or "BGR"
    mean: tuple[float, float, float] = (127.5, 127.5, 127.5)
    std: tuple[float, float, float] = (128.0, 128.0, 128.0)


def normalise(crops: np.ndarray, spec: InputSpec) -> np.ndarray:
    """A batch of RGB crops (N x H x W x 3, 0-255) as the model's float32 input.

    Channel order as declared, then (pixel - mean) / std per channel (mean and std in
    the declared channel order), then the declared layout.
    """
    batch = np.asarray(crops, dtype=np.float32)
    if batch.ndim != 4 or batch.shape[3] != 3:
        raise InputError(f"crops: expected N x H x W x 3, got shape {batch.shape}")
    if spec.colour not in ("RGB", "BGR"):
        raise InputError(f"colour order '{spec.colour}' is not RGB or BGR")
    if spec.layout not in ("NCHW", "NHWC"):
        raise InputError(f"layout '{spec.layout}' is not NCHW or NHWC")
    n, h, w, _ = batch.shape
    out = np.empty((n, 3, h, w) if spec.layout == "NCHW" else (n, h, w, 3), dtype=np.float32)
    for channel in range(3):
        source = batch[..., 2 - channel if spec.colour == "BGR" else channel]
        target = out[:, channel] if spec.layout == "NCHW" else out[..., channel]
        np.subtract(source, np.float32(spec.mean[channel]), out=target)
        np.divide(target, np.float32(spec.std[channel]), out=target)
    return out


# --- quality measures (clause 4) -------------------------------------------------------

def inter_eye_distance(landmarks) -> float:
    """Distance in pixels between the two eye centres of the capture."""
    points = as_landmarks(landmarks)
    return float(np.hypot(*(points[1] - points[0])))


@dataclass(frozen=True)
class Pose:
    yaw: float    # degrees, positive when the nose moves to the image's right
    pitch: float  # degrees, positive when the nose moves up in the image
    roll: float   # degrees, positive when the right eye (image right) is lower


def pose_from_landmarks(landmarks) -> Pose:
    """Head pose from five landmarks under weak perspective (clause 4.3).

    Roll is the angle of the eye line less that of the template (whose eyes are not
    quite level).  After undoing the eye-line angle, the eyes and mouth corners are
    taken to lie in one plane and the nose tip NOSE_DEPTH x IED in front of it, as in
    the template when frontal; then
      yaw   = atan((dx / IED' - dx0 / IED0) / NOSE_DEPTH), dx the nose's horizontal
              offset from the eye midpoint and IED' the observed inter-eye distance;
      pitch = atan((r0 - r) * H0 / (NOSE_DEPTH * IED0)), r the nose's height between the
              eye line and the mouth line as a share of that distance;
    with dx0, r0, H0, IED0 the same quantities on the (levelled) template.  For the
    template turned about one axis by up to 20 degrees, every estimate is within 0.2
    degree of the truth (the template's eyes are not quite level, hence not exact).
    """
    points = as_landmarks(landmarks)
    angle = _eye_angle(points)
    yaw_ratio, pitch_ratio = _pose_ratios(_rotate(points, -angle))
    reference = _rotate(TEMPLATE_112, -_eye_angle(TEMPLATE_112))
    t_yaw, t_pitch = _pose_ratios(reference)
    ied0 = float(np.hypot(*(reference[1] - reference[0])))
    h0 = _eye_mouth_height(reference)
    yaw = math.degrees(math.atan((yaw_ratio - t_yaw) / NOSE_DEPTH))
    pitch = math.degrees(math.atan((t_pitch - pitch_ratio) * h0 / (NOSE_DEPTH * ied0)))
    return Pose(yaw, pitch, angle - _eye_angle(TEMPLATE_112))


def _eye_angle(points: np.ndarray) -> float:
    vector = points[1] - points[0]
    return math.degrees(math.atan2(vector[1], vector[0]))


def _rotate(points: np.ndarray, degrees: float) -> np.ndarray:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return points @ np.array([[c, s], [-s, c]])


def _eye_mouth_height(points: np.ndarray) -> float:
    return float((points[3, 1] + points[4, 1]) / 2 - (points[0, 1] + points[1, 1]) / 2)


def _pose_ratios(points: np.ndarray) -> tuple[float, float]:
    eye_mid = (points[0] + points[1]) / 2
    ied = float(np.hypot(*(points[1] - points[0])))
    height = _eye_mouth_height(points)
    if ied <= 0 or height <= 0:
        raise InputError("landmarks: the eyes coincide or the mouth is not below the eyes")
    return (points[2, 0] - eye_mid[0]) / ied, (points[2, 1] - eye_mid[1]) / height


def luminance(crop: np.ndarray) -> np.ndarray:
    """ITU-R BT.601 luma of an RGB crop (H x W x 3, 0-255); a 2-D array is luma already."""
    rgb = np.asarray(crop, dtype=np.float64)
    if rgb.ndim == 2:
        return rgb
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def sharpness(crop: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian of the luminance (interior pixels)."""
    y = luminance(crop)
    lap = (y[:-2, 1:-1] + y[2:, 1:-1] + y[1:-1, :-2] + y[1:-1, 2:] - 4 * y[1:-1, 1:-1])
    return float(lap.var())


def exposure(crop: np.ndarray) -> float:
    """Mean luminance of the aligned crop, 0-255."""
    return float(luminance(crop).mean())


@dataclass(frozen=True)
class Measure:
    name: str
    value: float | None
    minimum: float | None
    maximum: float | None
    passed: bool | None  # None: not measured

    def record(self) -> dict:
        record = {"name": self.name, "value": self.value, "passed": self.passed,
                  "score": component_score(self)}
        if self.minimum is not None:
            record["minimum"] = self.minimum
        if self.maximum is not None:
            record["maximum"] = self.maximum
        return record


def component_score(measure: Measure) -> float | None:
    """The component's quality score in [0, 100] (clause 4.1); None when not measured.

    50 at its limit: a lower limit m scores 100 * min(1, v / 2m); limits [lo, hi] score
    100 * max(0, 1 - |v - c| / 2h), c and h their centre and half-width (h = 0: 100 at
    c, else 0).  So a component passes exactly when it scores at least 50.
    """
    v, lo, hi = measure.value, measure.minimum, measure.maximum
    if v is None:
        return None
    if hi is None:
        share = min(1.0, max(0.0, v / (2 * lo)))
    elif hi == lo:
        share = 1.0 if v == lo else 0.0
    else:
        centre, half = (lo + hi) / 2, (hi - lo) / 2
        share = max(0.0, 1 - abs(v - centre) / (2 * half))
    return round(100.0 * share, 6)


def gate_score(measures: list[Measure]) -> float:
    """The gate score (clause 4.1): the least score of the measured components."""
    scores = [component_score(m) for m in measures if m.value is not None]
    if not scores:
        raise InputError("gate score: no component was measured")
    return min(scores)


def _measure(name: str, value: float | None, minimum: float | None = None,
             maximum: float | None = None) -> Measure:
    """A measured value, rounded to 6 decimals, judged as recorded against its limits."""
    if value is None:
        return Measure(name, None, minimum, maximum, None)
    value = round(float(value), 6)
    ok = (minimum is None or value >= minimum) and (maximum is None or value <= maximum)
    return Measure(name, value, minimum, maximum, bool(ok))


def quality_measures(role: str, faces: int, capture_landmarks=None,
                     crop: np.ndarray | None = None) -> list[Measure]:
    """Every quality measure of clause 4 for one sample, each with its threshold.

    `role` is "enrolment" or "probe"; `faces` the number of faces found in the capture;
    `capture_landmarks` the five points in the capture's pixels (None: not known, so
    IED and pose are not measured); `crop` the aligned crop (None: not available).
    """
    if role not in ("enrolment", "probe"):
        raise InputError(f"role '{role}' is not 'enrolment' or 'probe'")
    measures = [_measure("face_count", faces, 1, 1)]
    if capture_landmarks is not None:
        ied_min = IED_MIN_ENROLMENT if role == "enrolment" else IED_MIN_PROBE
        measures.append(_measure("inter_eye_distance", inter_eye_distance(capture_landmarks),
                                 ied_min))
        pose = pose_from_landmarks(capture_landmarks)
        limits = ((YAW_MAX, PITCH_MAX, ROLL_MAX) if role == "enrolment"
                  else (PROBE_POSE_MAX,) * 3)
        for name, value, limit in zip(("yaw", "pitch", "roll"),
                                      (pose.yaw, pose.pitch, pose.roll), limits,
                                      strict=True):
            measures.append(_measure(name, value, -limit, limit))
    else:
        measures += [_measure(n, None) for n in ("inter_eye_distance", "yaw", "pitch", "roll")]
    if crop is not None:
        luma = luminance(crop)
        measures.append(_measure("sharpness", sharpness(luma), SHARPNESS_MIN))
        measures.append(_measure("exposure", exposure(luma), LUMINANCE_MIN, LUMINANCE_MAX))
    else:
        measures += [_measure("sharpness", None), _measure("exposure", None)]
    return measures


def quality_report(sample_id: str, role: str, faces: int, capture_landmarks=None,
                   crop: np.ndarray | None = None) -> dict:
    """The quality-report record of one sample (schema quality-report).

    The sample is accepted when every measured component passes; a rejected sample is
    a failure to enrol (enrolment) or to acquire (probe) in every reported rate.
    """
    measures = quality_measures(role, faces, capture_landmarks, crop)
    failed = [m.name for m in measures if m.passed is False]
    return {
        "schema_version": SCHEMA_VERSION,
        "sample_id": sample_id,
        "role": role,
        "components": [m.record() for m in measures],
        "accepted": not failed,
        "rejected_by": failed,
        "gate_score": gate_score(measures),
    }
