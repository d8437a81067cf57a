"""The ONNX submission contract of FRS clause 12: manifest, safe session, contract checks."""

from reference_impl.model.errors import ContractError

__all__ = ["ContractError"]
