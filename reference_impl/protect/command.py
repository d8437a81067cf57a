"""`frs protection-cost EMBEDDINGS.npz`: measure what the reference template protection
costs on your own model's embeddings (FRS-DPR-009, FRS-DPR-010).

The file holds two arrays: `embeddings` (one row per capture) and `labels` (the subject
of each row).  The command measures FNMR and FMR at the class FMR before and after
protection, with `--fpir` the rank-1 FNIR at the class FPIR of a 1:N class before and
after, D↔sys between two applications' keys, and the success rates of an inversion attack
with the key stolen (ISO/IEC 30136, FRS-DPR-020); `--format json` prints the protection
report a conformance statement cites as evidence (`/template_protection/evidence`, type
`protection-report`).  Exit status 1 when a limit of clause 9 is not met.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os

import numpy as np

from reference_impl import confined
from reference_impl.cli_options import add_format, positive_int, rate
from reference_impl.errors import InputError
from reference_impl.limits import FMR_LIMITS, FPIR_LIMITS
from reference_impl.protect import cost


def configure(name: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("embeddings", help=".npz file with arrays 'embeddings' and 'labels'")
    parser.add_argument("--fmr", type=rate, default=FMR_LIMITS["V-R"],
                        help="the FMR limit of the class (default "
                        f"{FMR_LIMITS['V-R']:g}, classes V-L and V-R)")
    parser.add_argument("--fpir", type=rate,
                        help="for Classes I and P: also measure the rank-1 FNIR at this FPIR "
                        f"(their class limit is {FPIR_LIMITS['I']:g}) before and after "
                        "protection")
    parser.add_argument("--bits", type=positive_int,
                        help="protected template size in bits (default: "
                        "the embedding dimension; up to 8 times it)")
    parser.add_argument("--seed", help="derive the two application keys from this text, for "
                        "a repeatable measurement (default: fresh random keys)")
    add_format(parser)
    parser.set_defaults(run=run)


def keys(seed: str | None) -> tuple[bytes, bytes]:
    if seed is None:
        return os.urandom(32), os.urandom(32)
    return tuple(hashlib.sha256(f"{seed}|{app}".encode()).digest() for app in "AB")


# The measurement scores every pair of embeddings, in memory (a few N x N matrices of
# float64): N = 4096 is a few hundred MiB.  A random sample of a larger set measures the
# same rates; a file that holds or declares more is refused before it is inflated.
MAX_EMBEDDINGS = 4096
MAX_DIMENSION = 4096
MAX_MEMBER_BYTES = MAX_EMBEDDINGS * MAX_DIMENSION * 8 + 4096   # one .npy inside the .npz


def load(path: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        with confined.open_regular(path) as stream, np.load(stream, allow_pickle=False) as data:
            missing = [n for n in ("embeddings", "labels") if n not in data.files]
            if missing:
                raise InputError(f"{path}: no array '{missing[0]}' (expected 'embeddings' and "
                                 f"'labels', found {', '.join(data.files) or 'none'})")
            for name in ("embeddings", "labels"):
                declared = data.zip.getinfo(f"{name}.npy").file_size
                if declared > MAX_MEMBER_BYTES:
                    raise InputError(f"{path}: '{name}' declares {declared} bytes once "
                                     f"inflated, more than the {MAX_MEMBER_BYTES} of "
                                     f"{MAX_EMBEDDINGS} embeddings of {MAX_DIMENSION} numbers")
            embeddings, labels = data["embeddings"], data["labels"]
    except InputError:
        raise
    except Exception as exc:  # zipfile and numpy raise many kinds (BadZipFile, EOFError...)
        raise InputError(f"{path}: cannot read it as a .npz file ({type(exc).__name__}: "
                         f"{exc})") from None
    if embeddings.ndim != 2 or labels.shape != (embeddings.shape[0],):
        raise InputError(f"{path}: 'embeddings' must be 2-D with one label per row, found "
                         f"{embeddings.shape} and {labels.shape}")
    rows, dimension = embeddings.shape
    if rows > MAX_EMBEDDINGS or dimension > MAX_DIMENSION:
        raise InputError(f"{path}: 'embeddings' is {rows} x {dimension}; at most "
                         f"{MAX_EMBEDDINGS} embeddings of at most {MAX_DIMENSION} numbers are "
                         "measured (every pair is scored in memory): use a random sample")
    if embeddings.dtype.kind not in "fiu" or labels.dtype.kind not in "iuUS":
        raise InputError(f"{path}: expected real 'embeddings' and integer or text 'labels', "
                         f"found {embeddings.dtype} and {labels.dtype}")
    return embeddings, labels


def run(args: argparse.Namespace) -> int:
    embeddings, labels = load(args.embeddings)
    key_a, key_b = keys(args.seed)
    result = cost.protection_cost(embeddings, labels, key_a, key_b, args.fmr, args.bits,
                                  fpir_target=args.fpir)
    report = {"report": "frs-protection-cost/0.1", "bits": args.bits or embeddings.shape[1],
              **result.to_json()}
    print(json.dumps(report, indent=2) if args.format == "json" else text(report))
    return 0 if result.meets_limits else 1


def stolen_key_lines(attack: dict) -> list[str]:
    """ISO/IEC 30136 with the key stolen (FRS-DPR-020): how often the inversion attack's
    pre-image is accepted, each at the threshold of the class FMR."""
    return [f"stolen key, {attack['attempts']} attacks: pre-image accepted "
            f"{attack['sra_inversion']:.4g} unprotected (irreversibility), "
            f"{attack['sra_comparison']:.4g} against its template, "
            f"{attack['sra_after_renewal']:.4g} after renewal under a new key"]


def text(report: dict) -> str:
    """The protection report for people: each measured value beside the limit it meets."""
    before, after = report["before"], report["after"]
    verdict = ("meets the limits of clause 9" if report["meets_limits"]
               else "does NOT meet the limits of clause 9")
    return "\n".join([
        f"protected template      {report['bits']} bits",
        f"comparisons             {report['genuine']} genuine, {report['impostor']} impostor",
        f"at FMR {report['fmr_target']:g}: FNMR {before['fnmr']:.6g} unprotected, "
        f"{after['fnmr']:.6g} protected (increase {report['fnmr_increase']:.6g}, limit "
        f"{cost.MAX_FNMR_INCREASE:g})",
        *([f"at FPIR {report['fpir_target']:g}: rank-1 FNIR "
           f"{report['identification_before']['fnir']:.6g} unprotected, "
           f"{report['identification_after']['fnir']:.6g} protected (increase "
           f"{report['fnir_increase']:.6g}, limit {cost.MAX_FNMR_INCREASE:g})"]
          if "fnir_increase" in report else []),
        f"D<->sys between two keys {report['d_sys']:.6g} (limit {cost.MAX_D_SYS:g})",
        *stolen_key_lines(report["stolen_key"]),
        f"template protection {verdict}"])
