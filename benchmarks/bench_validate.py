"""Records per second of `frs validate` on a JSON Lines score file, against peers.

Three tools judge the same N comparison-result records (default 100,000; set
FRS_BENCH_VALIDATE_RECORDS), about 1% of them invalid:

- `frs validate --schema comparison-result scores.jsonl` (a subprocess: start-up, safe
  loading and output included);
- a plain `jsonschema` loop: `json.loads` each line, `Draft202012Validator.is_valid`
  (in this process, so its start-up is not counted);
- `check-jsonschema` (the CLI users know; it has no JSON Lines mode, so it reads the same
  records as one JSON array against a schema whose items are comparison-result).

It prints records/s of each by wall-clock time and by CPU time (user + system, which
other processes on a shared machine disturb less), the ratios, and whether the three found
the same invalid records (a benchmark whose verdicts differ measures nothing).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "comparison-result.schema.json"
BIN = Path(sys.executable).parent


def make_records(count: int) -> list[dict]:
    records = []
    for i in range(count):
        record = {"schema_version": "0.1", "comparison_id": f"c-{i:07d}",
                  "probe_id": f"p-{i % 5000}", "reference_id": f"r-{(i * 7) % 5000}",
                  "mated": i % 10 == 0, "score": round(((i * 7919) % 10007) / 10007, 6),
                  "algorithm_id": "example-face/1.0"}
        if i % 3 == 0:
            record["groups"] = {"age_band": ["18-30", "31-50", "51+"][i % 3], "sex": "FM"[i % 2]}
        if i % 17 == 0:
            record["score"] = None
        if i % 97 == 0:  # about 1% invalid, each in a different way
            record[["score", "mated", "probe_id"][i % 3]] = ["high", "yes", ""][i % 3]
        records.append(record)
    return records


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str]) -> tuple[tuple[float, float], subprocess.CompletedProcess]:
    started, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return (time.perf_counter() - started, _children_cpu() - cpu), done


def run_frs(path: Path) -> tuple[tuple[float, float], set[int]]:
    seconds, done = _timed([str(BIN / "frs"), "validate", "--schema", "comparison-result",
                            "--format", "json", "--max-findings", "1000000", str(path)])
    if done.returncode not in (0, 1):
        raise RuntimeError(f"frs validate failed: {done.stderr}")
    report = json.loads(done.stdout)
    return seconds, {f["record"] - 1 for f in report["findings"]}


def run_plain_loop(path: Path) -> tuple[tuple[float, float], set[int]]:
    schema = json.loads(SCHEMA.read_text())
    started, cpu = time.perf_counter(), time.process_time()
    validator = jsonschema.Draft202012Validator(schema)
    invalid = set()
    with open(path, encoding="utf-8") as lines:
        for index, line in enumerate(lines):
            if not validator.is_valid(json.loads(line)):
                invalid.add(index)
    return (time.perf_counter() - started, time.process_time() - cpu), invalid


def run_check_jsonschema(records: list[dict], folder: Path
                         ) -> tuple[tuple[float, float], set[int]]:
    schema = json.loads(SCHEMA.read_text())
    wrapper = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "array",
               "items": {k: v for k, v in schema.items() if k != "$schema"}}
    (folder / "array.schema.json").write_text(json.dumps(wrapper))
    (folder / "records.json").write_text(json.dumps(records))
    seconds, done = _timed([str(BIN / "check-jsonschema"), "--output-format", "json",
                            "--schemafile", str(folder / "array.schema.json"),
                            str(folder / "records.json")])
    report = json.loads(done.stdout)
    invalid = set()
    for error in report.get("errors", []):
        path = error.get("path", "$")  # like $[96].score
        if path.startswith("$["):
            invalid.add(int(path[2: path.index("]")]))
    return seconds, invalid


def main() -> int:
    count = int(os.environ.get("FRS_BENCH_VALIDATE_RECORDS", 100_000))
    folder = ROOT / "build" / "bench" / "validate"
    folder.mkdir(parents=True, exist_ok=True)
    records = make_records(count)
    path = folder / "scores.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    expected = {i for i in range(count) if i % 97 == 0}
    results = {"frs validate": run_frs(path), "jsonschema loop": run_plain_loop(path),
               "check-jsonschema": run_check_jsonschema(records, folder)}
    size = path.stat().st_size / 2**20
    print(f"{count} comparison-result records ({size:.1f} MiB JSONL), "
          f"{len(expected)} invalid by construction")
    frs_wall, frs_cpu = results["frs validate"][0]
    print(f"  {'':<17} {'wall s':>7} {'records/s':>10} {'cpu s':>7} {'records/s':>10}  "
          "frs validate is (wall, cpu)")
    for name, ((wall, cpu), invalid) in results.items():
        ratio = "" if name == "frs validate" else f"{wall / frs_wall:5.1f}x {cpu / frs_cpu:5.1f}x"
        same = "same verdicts" if invalid == expected else (
            f"DIFFERENT verdicts ({len(invalid ^ expected)} records differ)")
        print(f"  {name:<17} {wall:7.2f} {count / wall:10,.0f} {cpu:7.2f} {count / cpu:10,.0f}"
              f"  {ratio:<13} {same}")
    return 0 if all(invalid == expected for _, invalid in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
