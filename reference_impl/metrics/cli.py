"""`frs metrics verification|pad|identification|demographics|morphing`: error rates from
score files.

`--format json` prints exactly the `verification`, `pad`, `identification` or
`demographics` section of an evaluation report (schemas/evaluation-report), from the one
producer of those sections, `reference_impl.metrics.report`; the text output is
rendered from that same document.  `morphing` prints the MAP of a morph test, which an
evaluation report does not yet carry.  Exit status 0 (a measurement has no findings); 2 for
unusable input.  A target that the number of comparisons cannot support (fewer than its
minimum test size, clause 6.5) is reported as unsupported, with the number needed, and
no threshold is computed for it.
"""

from __future__ import annotations

import argparse
import json
import math

import numpy as np

from reference_impl import cli_options as option
from reference_impl.cli_options import add_format
from reference_impl.errors import InputError
from reference_impl.limits import (
    APCER_TARGETS,
    CMC_RANKS,
    FMR_TARGETS,
    FPIR_TARGETS,
    IDENTIFICATION_RANK,
)

# The longest CMC reported: a rate for each rank is printed, and a rank past the
# longest candidate list adds nothing (the curve is flat there).
MAX_CMC_RANK = 10_000


def _listed(values) -> str:
    return " ".join(f"{v:g}" for v in values)


def configure(name: str, parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    v = kinds.add_parser("verification", help=VERIFICATION, description=VERIFICATION)
    inputs = v.add_mutually_exclusive_group(required=True)
    inputs.add_argument("comparisons", nargs="?", metavar="COMPARISONS", help="JSON Lines "
                        "of comparison-result records (null score = failure to acquire)")
    inputs.add_argument("--genuine", metavar="FILE", help="instead: genuine scores (.npy, "
                        ".csv or text, one score a line), with --impostor")
    v.add_argument("--impostor", metavar="FILE", help="impostor scores, with --genuine")
    v.add_argument("--fmr", type=option.rate, action="append", help="target FMR (repeatable; "
                   f"default {_listed(FMR_TARGETS)})")
    v.add_argument("--stream", action="store_true", help="for score sets larger than "
                   "memory: read the files again at each pass (one or two) instead of "
                   "holding them; the same exact results (two .npy files are always read "
                   "so: it is cheaper than holding them)")
    v.add_argument("--det-svg", type=option.svg_file, help="also write the DET plot (SVG) to "
                   "this file, named in the document's det_plot")
    add_format(v)
    v.set_defaults(run=run_verification)

    p = kinds.add_parser("pad", help=PAD, description=PAD)
    p.add_argument("--bona-fide", required=True, metavar="FILE",
                   help="PAD scores of bona fide presentations")
    p.add_argument("--attack", action="append", required=True, metavar="SPECIES=FILE",
                   type=option.species_file, help="PAD scores of one PAI species (repeatable)")
    p.add_argument("--apcer", type=option.rate, action="append",
                   help=f"target APCER (repeatable; default {_listed(APCER_TARGETS)})")
    p.add_argument("--threshold", type=option.number, help="also report every rate at this "
                   "PAD threshold, with ACER as an extra")
    p.add_argument("--accepted", action="append", default=[], metavar="SPECIES=FILE",
                   type=option.species_file, help="whole-system outcome of each impostor attack "
                   "presentation of a species, 1 accepted and 0 rejected, one a line: reports "
                   "IAPAR with its 95 %% bounds (repeatable)")
    add_format(p)
    p.set_defaults(run=run_pad)

    i = kinds.add_parser("identification", help=IDENTIFICATION, description=IDENTIFICATION)
    i.add_argument("searches", metavar="SEARCHES", help="JSON Lines of search-result "
                   'records, one search a line: {"schema_version", "search_id", "mated", '
                   '"mate_id", "candidates": [{"reference_id", "score"}]}')
    i.add_argument("--gallery-size", type=option.positive_int, required=True, help="N, the number "
                   "of subjects enrolled in the gallery searched")
    i.add_argument("--rank", type=option.positive_int, action="append", help="rank R for "
                   f"FNIR(N, R, -inf) (repeatable; default {IDENTIFICATION_RANK})")
    i.add_argument("--fpir", type=option.rate, action="append", help="target FPIR (repeatable; "
                   f"default {_listed(FPIR_TARGETS)}); FNIR there is taken at rank "
                   f"{IDENTIFICATION_RANK} unless --rank is given")
    i.add_argument("--max-rank", type=option.whole_number(1, MAX_CMC_RANK), default=CMC_RANKS,
                   help=f"length of the CMC (default {CMC_RANKS})")
    add_format(i)
    i.set_defaults(run=run_identification)

    d = kinds.add_parser("demographics", help=DEMOGRAPHICS, description=DEMOGRAPHICS)
    d.add_argument("comparisons", metavar="COMPARISONS", help="JSON Lines of "
                   "comparison-result records with their groups (null score = failure to "
                   "acquire, not counted)")
    d.add_argument("--group", required=True, metavar="KEY", help="the group variable whose "
                   "labels are compared, e.g. sex, age_band or skin_tone")
    d.add_argument("--threshold", type=option.number, required=True, help="the system's one "
                   "global threshold")
    add_format(d)
    d.set_defaults(run=run_demographics)

    m = kinds.add_parser("morphing", help=MORPHING, description=MORPHING)
    m.add_argument("scores", metavar="SCORES", help=".npy array of shape (morphs, 2, attempts, "
                   "systems): each morph's score against each contributor's probe of each "
                   "attempt on each face recognition system")
    m.add_argument("--threshold", type=option.number, action="append", required=True,
                   help="each system's threshold at the class FMR, in the order of the "
                   "array's last axis (once per system)")
    add_format(m)
    m.set_defaults(run=run_morphing)


VERIFICATION = "EER and FNMR at target FMRs from comparison records or score files"
PAD = ("APCER per species, APCER_AP, BPCER and BPCER at target APCERs from PAD score files "
       "(higher = bona fide)")
IDENTIFICATION = "FNIR at ranks and at target FPIRs, and the CMC, from candidate lists"
MORPHING = ("the morphing attack potential MAP[r, c] of ISO/IEC 20059 (clause 8.6): the share "
            "of morphs accepted against both contributors in at least r attempts on at least "
            "c systems")
DEMOGRAPHICS = ("FMR and FNMR of each demographic group at one global threshold, with the "
                "ratios, IR, FDR and GARBE of clause 7")


def _emit(args, section: dict, render) -> int:
    """Print the report section as JSON, or as text rendered from it."""
    if args.format == "json":
        print(json.dumps(section, indent=2))
    else:
        print("\n".join(render(section)))
    return 0


def _g(value: float) -> str:
    """A rate or count as text, the same way everywhere: six significant digits."""
    return f"{value:.6g}"


def _interval(values: list[float]) -> str:
    return f"[{_g(values[0])}, {_g(values[1])}]"


def _tau(value: float | None) -> str:
    """A threshold exactly (repr round-trips a float64); null is -inf."""
    return "-inf" if value is None else repr(value)


# --------------------------------------------------------------------------- verification


def _verification_scores(args) -> tuple[np.ndarray, np.ndarray, int]:
    from reference_impl.metrics import scores

    if args.comparisons:
        _no_impostor_file(args)
        gen, imp, fta = [], [], 0
        for block in scores.iter_comparisons(args.comparisons):
            missing = np.isnan(block.score)
            fta += int(missing.sum())
            gen.append(block.score[block.mated & ~missing])
            imp.append(block.score[~block.mated & ~missing])
        return (np.concatenate(gen) if gen else np.empty(0),
                np.concatenate(imp) if imp else np.empty(0), fta)
    _impostor_file(args)
    return scores.read_scores(args.genuine), scores.read_scores(args.impostor), 0


def _no_impostor_file(args) -> None:
    if args.impostor:
        raise InputError("--impostor goes with --genuine, not with COMPARISONS")


def _impostor_file(args) -> None:
    if not args.impostor:
        raise InputError("--genuine needs --impostor FILE too")


def run_verification(args) -> int:
    from reference_impl.metrics.report import verification_section

    targets = args.fmr or FMR_TARGETS
    scores, fta = _streamed(args) if args.stream or _npy_files(args) else _in_memory(args)
    section = verification_section(scores, targets, fta, det_plot=args.det_svg)
    if args.det_svg:
        from reference_impl.metrics.plot import det_svg

        det_svg(args.det_svg, scores, targets)
    return _emit(args, section, render_verification)


def _npy_files(args) -> bool:
    """Whether the scores are two .npy files, read chunk by chunk at each pass even without
    --stream: the same exact results, sooner and in less memory, since a pass over a .npy
    reads into a chunk buffer a thread, and usually one pass suffices (a sample forecasts
    the bins to keep), while holding the scores takes as many fresh pages as the files
    (at 10^8 scores, a second of page faults)."""
    return all(str(name or "").lower().endswith(".npy") for name in (args.genuine,
                                                                     args.impostor))


def _in_memory(args):
    from reference_impl.metrics.verification import CountedScores

    genuine, impostor, fta = _verification_scores(args)
    return CountedScores(genuine, impostor), fta


def _streamed(args):
    """The same counted scores, read again at each pass instead of held in memory."""
    from reference_impl.metrics.scores import stream_comparisons, stream_files

    if args.comparisons:
        _no_impostor_file(args)
        streamed = stream_comparisons(args.comparisons)
        return streamed.scores, streamed.failures_to_acquire
    _impostor_file(args)
    return stream_files(args.genuine, args.impostor), 0


def render_verification(section: dict) -> list[str]:
    """The text of `frs metrics verification`, from its report section."""
    fta = section["failures_to_acquire"]
    eer = (f"{_g(section['eer'])} at threshold {section['eer_threshold']!r} (step curve; "
           f"interpolated {_g(section['eer_interpolated'])})")
    lines = [f"genuine comparisons   {section['genuine']}",
             f"impostor comparisons  {section['impostor']}",
             f"failures to acquire   {fta['failures']} of {fta['attempts']} attempts "
             f"(FTA {_g(fta['fta'])})",
             f"EER                   {eer}",
             "target FMR: threshold, FMR [95 % bounds], FNMR [95 % bounds], FAR, FRR"]
    transactions = {t["fmr_target"]: t for t in section["transaction_rates"]}
    for row in section["fnmr_at_fmr"]:
        if not row["supported"]:
            lines.append(f"{_g(row['fmr_target']):>10}: unsupported, {section['impostor']} "
                         f"impostor comparisons; needs ≥ {row['impostor_needed']}")
            continue
        rates = transactions[row["fmr_target"]]
        lines.append(f"{_g(row['fmr_target']):>10}: {_tau(row['threshold'])}, FMR "
                     f"{_g(row['fmr'])} {_interval(row['fmr_interval'])}, FNMR "
                     f"{_g(row['fnmr'])} {_interval(row['fnmr_interval'])}, FAR "
                     f"{_g(rates['far'])}, FRR {_g(rates['frr'])}")
    if "det_plot" in section:
        lines.append(f"DET plot              {section['det_plot']}")
    return lines


# --------------------------------------------------------------------------- PAD


def _species_files(option: str, pairs: list[tuple[str, str]]) -> dict[str, np.ndarray]:
    from reference_impl.metrics.scores import read_scores

    found = {}
    for species, path in pairs:
        if species in found:
            raise InputError(f"{option}: species '{species}' given twice")
        found[species] = read_scores(path)
    return found


def run_pad(args) -> int:
    from reference_impl.metrics.report import pad_section
    from reference_impl.metrics.scores import read_scores

    section = pad_section(read_scores(args.bona_fide), _species_files("--attack", args.attack),
                          args.threshold, args.apcer or APCER_TARGETS,
                          _species_files("--accepted", args.accepted))
    return _emit(args, section, render_pad)


def render_pad(section: dict) -> list[str]:
    """The text of `frs metrics pad`, from its report section."""
    lines = [f"bona fide presentations  {section['bona_fide']}"]
    lines += [f"attack '{s}'  {n}" for s, n in section["attack"].items()]
    for row in section["bpcer_at_apcer"]:
        if not row["supported"]:
            lines.append(f"APCER {_g(row['apcer_target'])}: unsupported, needs ≥ "
                         f"{row['attack_needed_per_species']} attacks per species")
            continue
        lines.append(f"APCER {_g(row['apcer_target'])}: threshold {_tau(row['threshold'])}, "
                     f"APCER_AP {_g(row['apcer_ap'])}, BPCER {_g(row['bpcer'])}")
        lines += [f"  APCER '{s}' {_g(r)}" for s, r in row["apcer"].items()]
    if "at_threshold" in section:
        at = section["at_threshold"]
        lines.append(f"at threshold {at['threshold']!r}: APCER_AP {_g(at['apcer_ap'])}, BPCER "
                     f"{_g(at['bpcer']['rate'])} {_interval(at['bpcer']['interval'])}, ACER "
                     f"{_g(at['acer'])} (extra, not a pass criterion)")
        lines += [f"  APCER '{s}' {_g(r['rate'])} {_interval(r['interval'])}"
                  for s, r in at["apcer"].items()]
    for species, rate in section.get("iapar", {}).items():
        lines.append(f"IAPAR '{species}' {_g(rate['rate'])} ({rate['errors']} of "
                     f"{rate['trials']}) {_interval(rate['interval'])}")
    return lines


# --------------------------------------------------------------------------- morphing


def run_morphing(args) -> int:
    from reference_impl.metrics.morphing import morphing_attack_potential

    try:
        scores = np.load(args.scores, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"{args.scores}: not a readable .npy file: {exc}") from None
    potential = morphing_attack_potential(scores, args.threshold)
    section = {"morphs": int(scores.shape[0]), "attempts": int(scores.shape[2]),
               "systems": int(scores.shape[3]), "thresholds": list(args.threshold),
               "map": potential.tolist()}
    return _emit(args, section, render_morphing)


def render_morphing(section: dict) -> list[str]:
    """The text of `frs metrics morphing`: one line per r, one column per c."""
    lines = [f"morphs {section['morphs']}, attempts {section['attempts']}, systems "
             f"{section['systems']}", "MAP[r, c]  " + "  ".join(
                 f"c={c:<6}" for c in range(1, section["systems"] + 1))]
    for r, row in enumerate(section["map"], start=1):
        lines.append(f"r={r:<8} " + "  ".join(f"{_g(v):<8}" for v in row))
    return lines


# --------------------------------------------------------------------------- identification


def read_searches(path) -> tuple[list[int], list[float], list[float]]:
    """(mate ranks, mate scores, non-mated top scores) from a JSON Lines file of
    search-result records, read through the front door."""
    from reference_impl import documents
    from reference_impl.metrics.identification import mate_rank

    ranks, mate_scores, top = [], [], []
    for search in documents.read_records(path, "search-result", input_format="jsonl"):
        record = search.data
        ids = [c["reference_id"] for c in record["candidates"]]
        values = [float(c["score"]) for c in record["candidates"]]
        if record["mated"]:
            rank, score = mate_rank(ids, values, record["mate_id"])
            ranks.append(rank)
            mate_scores.append(score)
        else:
            top.append(max(values) if values else -math.inf)
    return ranks, mate_scores, top


def run_identification(args) -> int:
    from reference_impl.metrics.report import identification_section

    ranks, mate_scores, top = read_searches(args.searches)
    if not ranks or not top:
        raise InputError(f"{args.searches}: needs both mated and non-mated searches")
    section = identification_section(ranks, mate_scores, top, args.gallery_size,
                                     args.rank or [IDENTIFICATION_RANK],
                                     args.fpir or FPIR_TARGETS, args.max_rank)
    return _emit(args, section, render_identification)


def render_identification(section: dict) -> list[str]:
    """The text of `frs metrics identification`, from its report section."""
    lines = [f"gallery size N        {section['gallery_size']}",
             f"mated searches        {section['mated']}",
             f"non-mated searches    {section['non_mated']}"]
    lines += [f"FNIR at rank {r['rank']}: {_g(r['fnir'])} {_interval(r['interval'])}"
              for r in section["fnir_at_rank"]]
    for row in section["fnir_at_fpir"]:
        if not row["supported"]:
            lines.append(f"FPIR {_g(row['fpir_target'])}: unsupported, needs ≥ "
                         f"{row['non_mated_needed']} non-mated searches")
            continue
        lines.append(f"FPIR {_g(row['fpir_target'])}: threshold {_tau(row['threshold'])}, FPIR "
                     f"{_g(row['fpir'])} {_interval(row['fpir_interval'])}, "
                     f"FNIR(N, {row['rank']}) {_g(row['fnir'])}")
    lines.append("CMC, ranks 1 to " + f"{len(section['cmc'])}: "
                 + " ".join(_g(rate) for rate in section["cmc"]))
    return lines


# --------------------------------------------------------------------------- demographics


def run_demographics(args) -> int:
    from reference_impl.metrics.report import demographics_section
    from reference_impl.metrics.scores import iter_comparisons

    genuine: dict[str, list[float]] = {}
    impostor: dict[str, list[float]] = {}
    for block in iter_comparisons(args.comparisons):
        for score, mated, groups in zip(block.score.tolist(), block.mated.tolist(),
                                        block.groups, strict=True):
            label = groups.get(args.group)
            if label is not None and not math.isnan(score):
                (genuine if mated else impostor).setdefault(label, []).append(score)
    section = demographics_section(genuine, impostor, args.threshold)
    return _emit(args, section, render_demographics)


def render_demographics(section: dict) -> list[str]:
    """The text of `frs metrics demographics`, from its report section."""
    lines = [f"threshold  {section['threshold']!r}",
             "group: FMR [95 % bounds] (errors of trials), FNMR [95 % bounds] (errors of "
             "trials)"]
    for name, rates in section["groups"].items():
        fmr, fnmr = rates["fmr"], rates["fnmr"]
        lines.append(f"  {name}: FMR {_g(fmr['rate'])} {_interval(fmr['interval'])} "
                     f"({fmr['errors']} of {fmr['trials']}), FNMR {_g(fnmr['rate'])} "
                     f"{_interval(fnmr['interval'])} ({fnmr['errors']} of {fnmr['trials']})")
    lines += [f"FMR max/min ratio   {_g(section['fmr_ratio'])}",
              f"FNMR max/min ratio  {_g(section['fnmr_ratio'])}",
              f"inequity rate       {_g(section['inequity_rate'])} (alpha {_g(section['alpha'])})",
              f"FDR                 {_g(section['fdr'])}",
              f"GARBE               {_g(section['garbe'])}"]
    best = section["favourable"]
    lines.append(f"within the 95 % bounds: IR {_g(best['inequity_rate'])}, FDR "
                 f"{_g(best['fdr'])}, GARBE {_g(best['garbe'])}")
    return lines
