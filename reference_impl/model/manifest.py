"""The model manifest (clause 12.1): load, validate against its schema, expose as data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reference_impl.errors import InputError
from reference_impl.preprocess import InputSpec

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"


@cache
def schema(name: str) -> dict:
    """The published schema `schemas/<name>.schema.json`."""
    path = SCHEMAS_DIR / f"{name}.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _fast_validator(name: str):
    try:
        import jsonschema_rs
    except ImportError:  # optional: the pure-Python validator gives the same verdicts
        return None
    return jsonschema_rs.validator_for(schema(name))


def validate(document: object, name: str, where: str) -> None:
    """Raise InputError naming the first schema violation by its JSON pointer.

    A valid document is confirmed by jsonschema-rs when it is installed (fast); an
    invalid one is reported by jsonschema, whose messages name the failing keyword.
    """
    from jsonschema import Draft202012Validator

    fast = _fast_validator(name)
    if fast is not None and fast.is_valid(document):
        return
    validator = Draft202012Validator(schema(name))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        pointer = "/" + "/".join(str(p) for p in error.absolute_path)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(f"{where}#{pointer}: {error.message} (schema {name}){more}")


def load_json(path: Path) -> object:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None


@dataclass(frozen=True)
class Manifest:
    path: Path
    data: dict

    @property
    def algorithm_id(self) -> str:
        return self.data["algorithm_id"]

    @property
    def algorithm_version(self) -> str:
        return self.data["algorithm_version"]

    @property
    def input(self) -> InputSpec:
        spec = self.data["input"]
        return InputSpec(size=spec["size"], layout=spec["layout"], colour=spec["colour"],
                         mean=tuple(spec["mean"]), std=tuple(spec["std"]))

    @property
    def input_name(self) -> str:
        return self.data["input"]["name"]

    @property
    def output_name(self) -> str:
        return self.data["output"]["name"]

    @property
    def dimension(self) -> int:
        return self.data["output"]["dimension"]

    @property
    def similarity(self) -> str:
        return self.data["similarity"]

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(self.data.get("thresholds", {}))

    @property
    def custom_op_domains(self) -> tuple[str, ...]:
        return tuple(self.data.get("custom_op_domains", ()))

    def input_shape(self, batch: int) -> tuple[int, ...]:
        size = self.input.size
        return (batch, 3, size, size) if self.input.layout == "NCHW" else (batch, size, size, 3)


def load_manifest(path) -> Manifest:
    """Read a model manifest and validate it against schemas/model-manifest.schema.json."""
    path = Path(path)
    data = load_json(path)
    validate(data, "model-manifest", str(path))
    return Manifest(path, data)
