"""`frs model check MODEL MANIFEST`: verify a submission against clause 12.

Exit 0 when the model keeps its contract, 1 when it breaks a term (the message names
the check), 2 when the model or manifest cannot be read or loaded at all.
"""

from __future__ import annotations

import argparse
import json
import sys

from reference_impl.cli_options import add_format, positive_number, whole_number


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=int, default=1, choices=(1, 2),
                        help="onnxruntime threads, 1 or 2 (default 1)")
    parser.add_argument("--memory-mb", type=whole_number(1, 2**30), default=4096,
                        help="memory the model may use, MiB (default 4096)")
    parser.add_argument("--seconds-per-batch", type=positive_number, default=60.0,
                        help="time one batch may take, seconds (default 60)")
    parser.add_argument("--seconds-to-load", type=positive_number, default=60.0,
                        help="time loading the model may take, seconds (default 60)")


def limits_from(args):
    from reference_impl.model.safety import Limits

    return Limits(args.threads, args.memory_mb * 1024 * 1024, args.seconds_per_batch,
                  args.seconds_to_load)


def configure(name: str, parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="verify an ONNX model against its manifest",
                               description="Load the model safely and verify every term of "
                               "its contract (FRS clause 12).")
    check.add_argument("model", help="the ONNX model file")
    check.add_argument("manifest", help="its model manifest (JSON)")
    add_limit_options(check)
    add_format(check)
    check.set_defaults(run=run_check)


def run_check(args) -> int:
    from reference_impl.model.contract import check_model
    from reference_impl.model.manifest import load_manifest

    manifest = load_manifest(args.manifest)
    results, _ = check_model(args.model, manifest, limits_from(args))
    ok = all(r.passed for r in results)
    if args.format == "json":
        json.dump({"model": args.model, "conforms": ok,
                   "checks": [r.record() for r in results]}, sys.stdout, indent=2)
        print()
    else:
        for result in results:
            print(f"{'pass' if result.passed else 'FAIL'}  {result.check:<20} {result.detail}")
        for broken in (r for r in results if not r.passed):
            print(f"frs model check: {args.model} breaks its contract: {broken.check}: "
                  f"{broken.detail}", file=sys.stderr)
    return 0 if ok else 1
