"""`frs evaluate MODEL MANIFEST DATASET`: does this system meet FRS?

Exit 0 when every verdict passes, 1 when the model breaks its contract or a verdict
fails, 2 when an input cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from pathlib import Path

from reference_impl.cli_options import add_format, output_folder, positive_int, whole_number
from reference_impl.model.command import add_limit_options, limits_from


def configure(name: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="the ONNX model file")
    parser.add_argument("manifest", help="its model manifest (JSON or YAML, schema "
                        "model-manifest)")
    parser.add_argument("dataset", help="the dataset manifest (JSON or YAML, schema "
                        "dataset-manifest): the images, their subjects and groups")
    parser.add_argument("--out", default="frs-evaluation", type=output_folder,
                        help="folder for report.json, det.svg, scores.jsonl, quality.jsonl "
                        "and the embedding cache (default ./frs-evaluation)")
    parser.add_argument("--batch-size", type=positive_int, default=32,
                        help="images the model embeds in one call (default 32)")
    parser.add_argument("--max-non-mated", type=whole_number(1), default=None,
                        help="sample at most this many non-mated pairs (default: all)")
    parser.add_argument("--seed", type=whole_number(0, 2**63 - 1), default=0,
                        help="seed of a sampled plan")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=positive_int, metavar="N",
                       help="run on a local Dask cluster of N worker processes (on "
                       "127.0.0.1); the comparisons are then counted block by block and "
                       "no scores.jsonl is written. The report is the same")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on the Dask cluster whose scheduler is at ADDRESS "
                       "(e.g. tcp://10.0.0.5:8786; see the README for SLURM)")
    add_format(parser)
    add_limit_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from reference_impl.evaluate.dataset import load_dataset
    from reference_impl.evaluate.harness import evaluate
    from reference_impl.model.contract import check_model
    from reference_impl.model.errors import ContractError
    from reference_impl.model.manifest import load_manifest

    manifest = load_manifest(args.manifest)
    dataset = load_dataset(args.dataset)
    checks, session = check_model(args.model, manifest, limits_from(args))
    if session is None:
        broken = checks[-1]
        print(f"frs evaluate: {args.model} breaks its contract: {broken.check}: "
              f"{broken.detail}", file=sys.stderr)
        return 1
    try:
        with _runner(args, manifest) as runner:
            outcome = evaluate(Path(args.model), manifest, dataset, session, checks,
                               Path(args.out), args.batch_size, args.max_non_mated,
                               args.seed, progress=not args.no_progress, runner=runner)
    except ContractError as exc:
        print(f"frs evaluate: {args.model} breaks its contract: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        json.dump(outcome.report, sys.stdout, indent=2)
        print()
    else:
        for verdict in outcome.report["verdicts"]:
            label = verdict.get("class") or verdict.get("check")
            print(f"{verdict['verdict']:<15} {verdict['requirement']:<12} {label:<20} "
                  f"{verdict['reason']}")
        print(f"report: {outcome.files['report']}  DET: {outcome.files['det']}")
        print(f"quality: {outcome.rejections} (each reason in {outcome.files['quality']})")
    if outcome.exit_code and not any(v["verdict"] == "fail" for v in outcome.report["verdicts"]):
        print("frs evaluate: no conformance class was judged (the manifest claims no "
              "class): not conformant", file=sys.stderr)
    return outcome.exit_code


@contextmanager
def _runner(args, manifest):
    """None (this process) or the runner of the Dask cluster the options ask for."""
    if args.workers is None and args.scheduler is None:
        yield None
        return
    from reference_impl.evaluate.distributed import DaskRunner, cluster

    with cluster(args.workers, args.scheduler) as client:
        yield DaskRunner(client, Path(args.model), manifest, limits_from(args))
