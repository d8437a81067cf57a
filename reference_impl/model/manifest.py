"""The model manifest (clause 12.1): read through the front door, exposed as data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reference_impl import documents
from reference_impl.errors import InputError
from reference_impl.preprocess import InputSpec
from reference_impl.safeload import format_of


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
    """A model manifest (YAML by its suffix, else JSON) valid against model-manifest;
    DocumentError if it is not."""
    from reference_impl.preprocess import template

    path = Path(path)
    document = documents.read(path, "model-manifest", input_format=format_of(path, "json"))
    try:  # what the schema cannot say: own points inside the crop, not all one point
        template(document.data["input"]["size"], document.data["alignment"])
    except InputError as exc:
        raise InputError(f"{path}#/{exc}") from None
    return Manifest(path, document.data)
