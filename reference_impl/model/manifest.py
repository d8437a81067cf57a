"""The model manifest (clause 12.1): load, validate against its schema, expose as data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from reference_impl.errors import InputError
from reference_impl.preprocess import InputSpec


def validate(document: object, name: str, where: str) -> None:
    """Raise InputError naming the first schema violation by its JSON pointer.

    The check is `frs validate`'s (compiled verdict, jsonschema details), against the
    published schemas wherever they are installed.
    """
    from reference_impl.validate import validate_data

    findings = validate_data(document, name, source=where)
    if findings:
        first = findings[0]
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        raise InputError(f"{where}#{first.pointer}: {first.message} (schema {name}, "
                         f"{first.keyword}){more}")


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
    def alignment(self) -> dict:
        """The declared alignment (clause 12.4): template name, padding or own points."""
        return dict(self.data["alignment"])

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
    from reference_impl.preprocess import template

    path = Path(path)
    data = load_json(path)
    validate(data, "model-manifest", str(path))
    try:  # what the schema cannot say: own points inside the crop, not all one point
        template(data["input"]["size"], data["alignment"])
    except InputError as exc:
        raise InputError(f"{path}#/{exc}") from None
    return Manifest(path, data)
