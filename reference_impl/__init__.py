"""FRS reference implementation: the metrics, checks and conformance harness of the
FRS standard for facial recognition technology."""

__version__ = "0.1.0.dev0"
