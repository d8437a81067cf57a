"""`frs metrics verification|pad|identification`: error rates from score files.

Exit status 0; 2 for unusable input.  A target that the number of comparisons cannot
support (rule of 3: fewer than 3 / target) is reported as unsupported, with the number
needed, and no threshold is computed for it.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from reference_impl.errors import InputError

DEFAULT_FMR = [1e-3, 1e-4, 1e-5, 1e-6]
DEFAULT_APCER = [0.05, 0.01]


def configure(name: str, parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    v = kinds.add_parser("verification", help="EER and FNMR at target FMRs from genuine and "
                         "impostor score files")
    v.add_argument("--genuine", help="genuine scores: .npy, .csv or text, one score a line")
    v.add_argument("--impostor", help="impostor scores, same formats")
    v.add_argument("--comparisons", help="instead of the two files: JSON Lines of "
                   "comparison-result records (null score = failure to acquire)")
    v.add_argument("--fmr", type=_rate, action="append", help="target FMR (repeatable; "
                   "default 1e-3 1e-4 1e-5 1e-6)")
    v.add_argument("--stream", action="store_true", help="exact two-pass streaming for "
                   "score sets larger than memory (reads the files twice; no interpolated "
                   "EER, no plot)")
    v.add_argument("--det-svg", help="also write the DET plot (SVG) to this file")
    v.add_argument("--format", choices=("text", "json"), default="text")
    v.set_defaults(run=run_verification)

    p = kinds.add_parser("pad", help="APCER per species, APCER_AP, BPCER and BPCER at "
                         "target APCERs from PAD score files (higher = bona fide)")
    p.add_argument("--bona-fide", required=True, help="PAD scores of bona fide presentations")
    p.add_argument("--attack", action="append", required=True, metavar="SPECIES=FILE",
                   help="PAD scores of one PAI species (repeatable)")
    p.add_argument("--apcer", type=_rate, action="append",
                   help="target APCER (repeatable; default 0.05 0.01)")
    p.add_argument("--threshold", type=float, help="also report every rate at this PAD "
                   "threshold, with ACER as an extra")
    p.add_argument("--accepted", action="append", metavar="SPECIES=FILE", help="whole-system "
                   "outcome of each impostor attack presentation of a species, 1 accepted and "
                   "0 rejected, one a line: reports IAPAR with its 95 %% interval (repeatable)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run_pad)

    i = kinds.add_parser("identification", help="FNIR at ranks and at target FPIRs, and "
                         "the CMC, from candidate lists")
    i.add_argument("--searches", required=True, help="JSON Lines, one search a line: "
                   '{"search_id", "mated", "mate_id", "candidates": [{"reference_id", '
                   '"score"}]}')
    i.add_argument("--gallery-size", type=int, required=True, help="N, the number of "
                   "subjects enrolled in the gallery searched")
    i.add_argument("--rank", type=int, action="append", help="rank R for FNIR(N, R, -inf) "
                   "(repeatable; default 1)")
    i.add_argument("--fpir", type=_rate, action="append", help="target FPIR (repeatable; "
                   "default 1e-3); FNIR there is taken at rank 1 unless --rank is given")
    i.add_argument("--max-rank", type=int, default=20, help="length of the CMC (default 20)")
    i.add_argument("--format", choices=("text", "json"), default="text")
    i.set_defaults(run=run_identification)


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a rate in (0, 1]")
    return value


def _number(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _emit(args, document: dict, lines: list[str]) -> int:
    if args.format == "json":
        print(json.dumps(document, indent=2))
    else:
        print("\n".join(lines))
    return 0


# --------------------------------------------------------------------------- verification


def _verification_scores(args) -> tuple[np.ndarray, np.ndarray, int]:
    from reference_impl.metrics import scores

    if args.comparisons:
        if args.genuine or args.impostor:
            raise InputError("give either --comparisons or --genuine and --impostor")
        gen, imp, fta = [], [], 0
        for block in scores.iter_comparisons(args.comparisons):
            missing = np.isnan(block.score)
            fta += int(missing.sum())
            gen.append(block.score[block.mated & ~missing])
            imp.append(block.score[~block.mated & ~missing])
        return (np.concatenate(gen) if gen else np.empty(0),
                np.concatenate(imp) if imp else np.empty(0), fta)
    if not (args.genuine and args.impostor):
        raise InputError("give --genuine FILE and --impostor FILE (or --comparisons FILE)")
    return scores.read_scores(args.genuine), scores.read_scores(args.impostor), 0


def verification_document(genuine, impostor, targets) -> tuple[dict, object, list]:
    """The JSON document of `frs metrics verification` for in-memory scores."""
    from reference_impl.metrics.uncertainty import rule_of_three_trials, target_supported
    from reference_impl.metrics.verification import SortedScores

    sorted_scores = SortedScores(genuine, impostor, copy=False)
    eer = sorted_scores.eer()
    points, rows = [], []
    for target in targets:
        if not target_supported(target, sorted_scores.n_impostor):
            rows.append({"fmr_target": target, "threshold": None, "fmr": None, "fnmr": None,
                         "supported": False,
                         "impostor_needed": rule_of_three_trials(target)})
            continue
        point = sorted_scores.fnmr_at_fmr(target)
        points.append(point)
        rows.append({"fmr_target": target, "threshold": _number(point.threshold),
                     "fmr": point.fmr, "fnmr": point.fnmr, "supported": True})
    document = {"eer": eer.eer, "eer_threshold": _number(eer.threshold),
                "eer_interpolated": sorted_scores.eer_interpolated(),
                "fnmr_at_fmr": rows, "genuine": sorted_scores.n_genuine,
                "impostor": sorted_scores.n_impostor}
    return document, sorted_scores, points


def run_verification(args) -> int:
    targets = args.fmr or DEFAULT_FMR
    if args.stream:
        document = _streamed(args, targets)
    else:
        genuine, impostor, fta = _verification_scores(args)
        document, sorted_scores, points = verification_document(genuine, impostor, targets)
        if args.comparisons:
            document["failures_to_acquire"] = fta
        if args.det_svg:
            from reference_impl.metrics.plot import det_svg

            det_svg(args.det_svg, sorted_scores, points, sorted_scores.eer())
    lines = [f"genuine comparisons   {document['genuine']}",
             f"impostor comparisons  {document['impostor']}",
             f"EER                   {document['eer']:.6g} (step curve; interpolated "
             f"{document['eer_interpolated']:.6g})" if "eer_interpolated" in document else
             f"EER                   {document['eer']:.6g} (step curve)",
             f"{'target FMR':>12}  {'threshold':>22}  {'FMR':>10}  {'FNMR':>10}"]
    for row in document["fnmr_at_fmr"]:
        if not row["supported"]:
            lines.append(f"{row['fmr_target']:>12g}  unsupported: {document['impostor']} "
                         f"impostor comparisons, the rule of 3 needs "
                         f"{row['impostor_needed']}")
            continue
        threshold = "-inf" if row["threshold"] is None else repr(row["threshold"])
        lines.append(f"{row['fmr_target']:>12g}  {threshold:>22}  {row['fmr']:>10.4g}  "
                     f"{row['fnmr']:>10.4g}")
    return _emit(args, document, lines)


def _streamed(args, targets) -> dict:
    from reference_impl.metrics.scores import stream_comparisons, stream_files
    from reference_impl.metrics.uncertainty import rule_of_three_trials, target_supported

    if args.det_svg:
        raise InputError("--stream draws no DET plot (run without --stream for one)")
    extra = {}
    if args.comparisons:
        if args.genuine or args.impostor:
            raise InputError("give either --comparisons or --genuine and --impostor")
        streamed = stream_comparisons(args.comparisons, targets)
        result, extra = streamed.result, {"failures_to_acquire": streamed.failures_to_acquire}
    elif args.genuine and args.impostor:
        result = stream_files(args.genuine, args.impostor, targets)
    else:
        raise InputError("give --genuine FILE and --impostor FILE (or --comparisons FILE)")
    rows = []
    for point in result.fnmr_at_fmr:
        if not target_supported(point.fmr_target, result.impostor):
            rows.append({"fmr_target": point.fmr_target, "threshold": None, "fmr": None,
                         "fnmr": None, "supported": False,
                         "impostor_needed": rule_of_three_trials(point.fmr_target)})
        else:
            rows.append({"fmr_target": point.fmr_target, "threshold": _number(point.threshold),
                         "fmr": point.fmr, "fnmr": point.fnmr, "supported": True})
    return {"eer": result.eer.eer, "eer_threshold": _number(result.eer.threshold),
            "fnmr_at_fmr": rows, "genuine": result.genuine, "impostor": result.impostor,
            **extra}


# --------------------------------------------------------------------------- PAD


def run_pad(args) -> int:
    from reference_impl.metrics import pad
    from reference_impl.metrics.scores import read_scores
    from reference_impl.metrics.uncertainty import rule_of_three_trials, target_supported

    bona_fide = read_scores(args.bona_fide)
    attacks = {}
    for item in args.attack:
        species, sep, path = item.partition("=")
        if not sep or not species or not path:
            raise InputError(f"--attack '{item}': expected SPECIES=FILE")
        if species in attacks:
            raise InputError(f"--attack: species '{species}' given twice")
        attacks[species] = read_scores(path)
    smallest = min(a.size for a in attacks.values())
    document = {"bona_fide": int(bona_fide.size),
                "attack": {s: int(a.size) for s, a in attacks.items()},
                "bpcer_at_apcer": []}
    lines = [f"bona fide presentations  {bona_fide.size}"]
    lines += [f"attack '{s}'  {a.size}" for s, a in attacks.items()]
    for target in args.apcer or DEFAULT_APCER:
        if not target_supported(target, smallest):
            document["bpcer_at_apcer"].append(
                {"apcer_target": target, "threshold": None, "apcer_ap": None, "bpcer": None,
                 "supported": False, "attack_needed_per_species": rule_of_three_trials(target)})
            lines.append(f"APCER {target:g}: unsupported, the rule of 3 needs "
                         f"{rule_of_three_trials(target)} attacks per species")
            continue
        point = pad.bpcer_at_apcer(bona_fide, attacks, target)
        document["bpcer_at_apcer"].append(
            {"apcer_target": target, "threshold": _number(point.threshold),
             "apcer_ap": point.apcer_ap, "bpcer": point.bpcer, "supported": True,
             "apcer": pad.apcer_per_species(attacks, point.threshold)})
        lines.append(f"APCER {target:g}: threshold {point.threshold!r}, APCER_AP "
                     f"{point.apcer_ap:.4g}, BPCER {point.bpcer:.4g}")
    if args.threshold is not None:
        tau = args.threshold
        per_species = pad.apcer_per_species(attacks, tau)
        worst, bp = max(per_species.values()), pad.bpcer(bona_fide, tau)
        document["at_threshold"] = {"threshold": tau, "apcer": per_species, "apcer_ap": worst,
                                    "bpcer": bp, "acer": pad.acer(worst, bp)}
        lines.append(f"at threshold {tau!r}: APCER_AP {worst:.4g}, BPCER {bp:.4g}, "
                     f"ACER {pad.acer(worst, bp):.4g} (extra, not a pass criterion)")
        lines += [f"  APCER '{s}' {r:.4g}" for s, r in per_species.items()]
    if args.accepted:
        from reference_impl.metrics.uncertainty import clopper_pearson

        document["iapar"] = {}
        for item in args.accepted:
            species, sep, path = item.partition("=")
            if not sep or not species or not path:
                raise InputError(f"--accepted '{item}': expected SPECIES=FILE")
            outcome = read_scores(path)
            rate = pad.iapar(outcome)
            errors = int(np.count_nonzero(outcome))
            interval = list(clopper_pearson(errors, outcome.size))
            document["iapar"][species] = {"errors": errors, "trials": int(outcome.size),
                                          "rate": rate, "interval": interval}
            lines.append(f"IAPAR '{species}' {rate:.4g} ({errors} of {outcome.size}; 95 % "
                         f"upper bound {interval[1]:.4g})")
    return _emit(args, document, lines)


# --------------------------------------------------------------------------- identification


def read_searches(path) -> tuple[list[int], list[float], list[float]]:
    """(mate ranks, mate scores, non-mated top scores) from a JSON Lines search file."""
    from reference_impl.metrics.identification import mate_rank

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    ranks, mate_scores, top = [], [], []
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{line_no}: not JSON ({exc.msg})") from None
            where = f"{path}:{line_no}"
            if not isinstance(record, dict) or not isinstance(record.get("mated"), bool):
                raise InputError(f"{where}: /mated must be a boolean")
            candidates = record.get("candidates")
            if not isinstance(candidates, list):
                raise InputError(f"{where}: /candidates must be a list")
            ids, values = [], []
            for n, c in enumerate(candidates):
                score = c.get("score") if isinstance(c, dict) else None
                if (not isinstance(c, dict) or not isinstance(c.get("reference_id"), str)
                        or isinstance(score, bool) or not isinstance(score, int | float)
                        or not math.isfinite(score)):
                    raise InputError(f"{where}: /candidates/{n} needs a reference_id string "
                                     "and a finite score")
                ids.append(c["reference_id"])
                values.append(float(score))
            if record["mated"]:
                if not isinstance(record.get("mate_id"), str):
                    raise InputError(f"{where}: a mated search needs /mate_id")
                rank, score = mate_rank(ids, values, record["mate_id"])
                ranks.append(rank)
                mate_scores.append(score)
            else:
                top.append(max(values) if values else -math.inf)
    return ranks, mate_scores, top


def run_identification(args) -> int:
    from reference_impl.metrics import identification as ident
    from reference_impl.metrics.uncertainty import rule_of_three_trials, target_supported

    if args.gallery_size < 1 or args.max_rank < 1:
        raise InputError("--gallery-size and --max-rank must be at least 1")
    ranks, mate_scores, top = read_searches(args.searches)
    if not ranks or not top:
        raise InputError(f"{args.searches}: needs both mated and non-mated searches")
    fpir_rank = (args.rank or [1])[0]
    document = {"gallery_size": args.gallery_size, "mated": len(ranks), "non_mated": len(top),
                "fnir_at_rank": [], "fnir_at_fpir": [],
                "cmc": ident.cmc(ranks, args.max_rank).tolist()}
    lines = [f"gallery size N        {args.gallery_size}",
             f"mated searches        {len(ranks)}", f"non-mated searches    {len(top)}"]
    for rank in args.rank or [1]:
        value = ident.fnir(ranks, mate_scores, rank, -np.inf)
        document["fnir_at_rank"].append({"rank": rank, "fnir": value})
        lines.append(f"FNIR at rank {rank}: {value:.4g}")
    for target in args.fpir or [1e-3]:
        if not target_supported(target, len(top)):
            document["fnir_at_fpir"].append(
                {"fpir_target": target, "rank": fpir_rank, "threshold": None, "fpir": None,
                 "fnir": None, "supported": False,
                 "non_mated_needed": rule_of_three_trials(target)})
            lines.append(f"FPIR {target:g}: unsupported, the rule of 3 needs "
                         f"{rule_of_three_trials(target)} non-mated searches")
            continue
        point = ident.fnir_at_fpir(ranks, mate_scores, top, target, fpir_rank)
        document["fnir_at_fpir"].append(
            {"fpir_target": target, "rank": fpir_rank, "threshold": _number(point.threshold),
             "fpir": point.fpir, "fnir": point.fnir, "supported": True})
        lines.append(f"FPIR {target:g}: threshold {point.threshold!r}, FPIR {point.fpir:.4g}, "
                     f"FNIR(N, {fpir_rank}) {point.fnir:.4g}")
    return _emit(args, document, lines)
