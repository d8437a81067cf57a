"""The dataset manifest (clause 12.5): which samples, whose, in which role, where."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from reference_impl import confined, documents
from reference_impl.documents import DocumentError
from reference_impl.errors import InputError
from reference_impl.safeload import format_of

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"}
# The most pixels an image may have, read from its header before it is decoded: a
# 50-megapixel photograph is larger than any face image needs; decoded to float RGB it
# takes 600 MB (a 190 KB PNG can declare 13000 x 13000, 2 GB decoded).
MAX_IMAGE_PIXELS = 50_000_000
# The largest sample file (an image, or a .npy stack of crops) hashed for the cache key.
MAX_SAMPLE_BYTES = 16 * 2**30


@dataclass(frozen=True)
class Sample:
    sample_id: str
    subject_id: str
    role: str                       # "enrolment" or "probe"
    file: Path
    index: int | None               # row of a stacked .npy file, or None
    aligned: bool                   # already a crop at the model's input size
    faces: tuple | None             # 5-point landmark sets; None: detect (or, aligned: 1)
    groups: dict = field(default_factory=dict)
    where: str = ""                 # JSON pointer of the sample in its manifest


@dataclass(frozen=True)
class Dataset:
    path: Path
    dataset_id: str
    sequestered: bool
    samples: tuple[Sample, ...]
    sha256: str
    operational_gallery_size: int | None = None  # subjects enrolled in operation (I, P)

    @cached_property
    def content_sha256(self) -> str:
        """The SHA-256 of the manifest and of every sample file's bytes, in manifest order:
        what a cache of embeddings must be keyed by, so changed pixels are never reused."""
        digest = hashlib.sha256(self.sha256.encode())
        for file in dict.fromkeys(s.file for s in self.samples):  # a stacked .npy once
            digest.update(confined.sha256(file, str(file), max_bytes=MAX_SAMPLE_BYTES)
                          .encode())
        return digest.hexdigest()

    def role(self, role: str) -> list[Sample]:
        return [s for s in self.samples if s.role == role]


def load_dataset(path) -> Dataset:
    """A dataset manifest (YAML by its suffix, else JSON) valid against dataset-manifest,
    whose every file exists inside its folder; DocumentError with a finding for every sample
    that breaks this."""
    path = Path(path)
    document = documents.read(path, "dataset-manifest", input_format=format_of(path, "json"))
    root = path.resolve().parent
    samples, problems, seen = [], [], set()
    for i, item in enumerate(document.data["samples"]):
        where = f"/samples/{i}"
        try:  # confined to the manifest's folder, like every file a document cites
            file = confined.locate(item["file"], root)
        except confined.Refused:
            file = None
        problem = _sample_problem(item, file, seen)
        if problem:
            problems.append(document.finding(f"{where}/{problem[0]}", *problem[1:]))
            continue
        seen.add(item["sample_id"])
        faces = item.get("faces")
        if faces is not None:
            faces = tuple(tuple(map(tuple, face)) for face in faces)
        samples.append(Sample(item["sample_id"], item["subject_id"], item["role"], file,
                              item.get("index"), item.get("aligned", False), faces,
                              dict(item.get("groups", {})), f"{path}#{where}"))
    if problems:
        raise DocumentError(problems)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Dataset(path, document.data["dataset_id"], document.data["sequestered"],
                   tuple(samples), digest, document.data.get("operational_gallery_size"))


def _sample_problem(item: dict, file: Path | None, seen: set
                    ) -> tuple[str, str, str, str] | None:
    """(field, keyword, expected, found) for a sample its schema cannot refuse (`file` is
    None when it lies outside the manifest's folder)."""
    if item["sample_id"] in seen:
        return "sample_id", "unique-id", "a sample id not used before", repr(item["sample_id"])
    if file is None:
        return "file", "inside-folder", "a file inside the dataset folder", repr(item["file"])
    if not file.is_file():
        return "file", "file-exists", "a file that exists", f"no file {item['file']!r}"
    if file.suffix.lower() not in IMAGE_SUFFIXES | {".npy"}:
        return "file", "file-type", ".npy or an image", repr(file.suffix)
    return None


@lru_cache(maxsize=4)
def _stack(file: Path) -> np.ndarray:
    return np.load(file, mmap_mode="r", allow_pickle=False)


def load_pixels(sample: Sample) -> np.ndarray:
    """The sample's pixels as an H x W x 3 float array, RGB, 0-255."""
    try:
        if sample.file.suffix.lower() == ".npy":
            array = _stack(sample.file)
            if sample.index is not None:
                if not 0 <= sample.index < len(array):
                    raise InputError(f"{sample.where}/index: {sample.index} is outside the "
                                     f"{len(array)} rows of {sample.file.name}")
                array = array[sample.index]
        else:
            from PIL import Image

            with Image.open(sample.file) as image:  # reads the header only
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise InputError(f"{sample.where}/file: {sample.file.name} is {width} x "
                                     f"{height} pixels, more than the {MAX_IMAGE_PIXELS} an "
                                     "image may have (refused before decoding)")
                array = np.asarray(image.convert("RGB"))
    except InputError:
        raise
    except Exception as exc:  # PIL and numpy raise many kinds (bombs, truncation, pickles)
        raise InputError(f"{sample.where}/file: cannot read {sample.file}: "
                         f"{type(exc).__name__}: {exc}") from None
    array = np.asarray(array, dtype=np.float32)
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] != 3:
        raise InputError(f"{sample.where}/file: expected H x W x 3 pixels, got shape "
                         f"{array.shape}")
    return array
