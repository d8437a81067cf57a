"""AES-256-GCM encryption of stored templates, with the template's metadata bound as
associated data, key identifiers and key rotation (FRS-DPR-006, FRS-TPL-001).

An encrypted template is a JSON-ready envelope:

    {"format": "frs-encrypted-template/0.1", "key_id": "k2026-01",
     "nonce": <base64, 12 bytes>, "ciphertext": <base64>, "metadata": {...}}

The metadata (algorithm, version, dimension, dtype, normalisation, template and
transform ids) stays readable, so a store can index templates without decrypting
them, but it cannot be changed: it and the key id are the GCM associated data, so a
changed field, a swapped ciphertext or the wrong key fails authentication.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass, field

import numpy as np
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from reference_impl.errors import InputError

FORMAT = "frs-encrypted-template/0.1"
NONCE_BYTES = 12
KEY_BYTES = 32  # AES-256
REQUIRED_METADATA = ("template_id", "algorithm_id", "algorithm_version", "dimension", "dtype",
                     "normalisation")
DTYPES = ("float32", "float16", "uint8-bits")


class TemplateIntegrityError(InputError):
    """An encrypted template that cannot be trusted: altered, truncated or wrong key."""


@dataclass
class KeyRing:
    """Template encryption keys by id; new templates use the active key."""

    keys: dict[str, bytes] = field(default_factory=dict)
    active: str = ""

    def add(self, key_id: str, key: bytes | None = None, activate: bool = True) -> str:
        key = AESGCM.generate_key(bit_length=256) if key is None else key
        if len(key) != KEY_BYTES:
            raise InputError(f"key '{key_id}' has {len(key)} bytes, AES-256 needs {KEY_BYTES}")
        if key_id in self.keys:
            raise InputError(f"key id '{key_id}' is already in the key ring (ids are not "
                             "reused)")
        self.keys[key_id] = key
        if activate:
            self.active = key_id
        return key_id

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise TemplateIntegrityError(f"key '{key_id}' is not in the key ring (retired, "
                                         "or the template comes from elsewhere)") from None


def template_metadata_problems(metadata: dict) -> list[str]:
    """What a template's metadata lacks (FRS-TPL-001): each problem names the field."""
    problems = [f"metadata has no '{name}'" for name in REQUIRED_METADATA
                if name not in metadata]
    if "dimension" in metadata and (not isinstance(metadata["dimension"], int)
                                    or metadata["dimension"] < 1):
        problems.append(f"metadata 'dimension' is {metadata['dimension']!r}, expected a "
                        "positive integer")
    if "dtype" in metadata and metadata["dtype"] not in DTYPES:
        problems.append(f"metadata 'dtype' is {metadata['dtype']!r}, expected one of "
                        f"{', '.join(DTYPES)}")
    if metadata.get("protected") and not metadata.get("transform_id"):
        problems.append("a protected template's metadata has no 'transform_id'")
    return problems


def _associated_data(key_id: str, metadata: dict) -> bytes:
    return json.dumps({"format": FORMAT, "key_id": key_id, "metadata": metadata},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _payload(template: np.ndarray, metadata: dict) -> bytes:
    array = np.asarray(template)
    expected = np.uint8 if metadata["dtype"] == "uint8-bits" else np.dtype(metadata["dtype"])
    if array.dtype != expected:
        raise InputError(f"template dtype {array.dtype} does not match metadata "
                         f"'{metadata['dtype']}'")
    size = array.size * 8 if metadata["dtype"] == "uint8-bits" else array.size
    if array.ndim != 1 or size != metadata["dimension"]:
        raise InputError(f"template of shape {array.shape} does not match metadata dimension "
                         f"{metadata['dimension']}")
    return array.tobytes()


def encrypt_template(template: np.ndarray, metadata: dict, ring: KeyRing) -> dict:
    """Encrypt one template under the ring's active key, binding its metadata."""
    problems = template_metadata_problems(metadata)
    if problems:
        raise InputError("template metadata: " + "; ".join(problems))
    if not ring.active:
        raise InputError("the key ring has no active key")
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(ring.key(ring.active)).encrypt(
        nonce, _payload(template, metadata), _associated_data(ring.active, metadata))
    return {"format": FORMAT, "key_id": ring.active,
            "nonce": base64.b64encode(nonce).decode(),
            "ciphertext": base64.b64encode(ciphertext).decode(), "metadata": dict(metadata)}


def decrypt_template(envelope: dict, ring: KeyRing) -> np.ndarray:
    """The template, after checking that nothing in the envelope was altered."""
    for name in ("format", "key_id", "nonce", "ciphertext", "metadata"):
        if name not in envelope:
            raise TemplateIntegrityError(f"encrypted template has no '{name}'")
    if envelope["format"] != FORMAT:
        raise TemplateIntegrityError(f"unknown format '{envelope['format']}' (expected "
                                     f"{FORMAT})")
    try:
        nonce = base64.b64decode(envelope["nonce"], validate=True)
        ciphertext = base64.b64decode(envelope["ciphertext"], validate=True)
    except (binascii.Error, ValueError):
        raise TemplateIntegrityError("nonce or ciphertext is not valid base64") from None
    if len(nonce) != NONCE_BYTES:
        raise TemplateIntegrityError(f"nonce has {len(nonce)} bytes, expected {NONCE_BYTES}")
    metadata = envelope["metadata"]
    key_id = envelope["key_id"]
    try:
        plain = AESGCM(ring.key(key_id)).decrypt(nonce, ciphertext,
                                                 _associated_data(key_id, metadata))
    except InvalidTag:
        raise TemplateIntegrityError(
            f"template '{metadata.get('template_id', '?')}' fails authentication under key "
            f"'{key_id}': its ciphertext, nonce or metadata was altered, or the key is not "
            "the one that encrypted it") from None
    dtype = np.uint8 if metadata["dtype"] == "uint8-bits" else np.dtype(metadata["dtype"])
    return np.frombuffer(plain, dtype=dtype).copy()


def rotate(envelope: dict, ring: KeyRing) -> dict:
    """Re-encrypt a template under the ring's active key (its old key must still be there)."""
    if envelope.get("key_id") == ring.active:
        return envelope
    return encrypt_template(decrypt_template(envelope, ring), envelope["metadata"], ring)
