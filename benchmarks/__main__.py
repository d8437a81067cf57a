"""`make bench`: run the main() of every benchmarks/bench_*.py, in name order."""

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    status = 0
    for path in sorted(HERE.glob("bench_*.py")):
        module = importlib.import_module(f"benchmarks.{path.stem}")
        print(f"== {path.stem}", flush=True)
        status |= int(module.main() or 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
