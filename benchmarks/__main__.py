"""`make bench`: run the main() of every benchmarks/bench_*.py, in name order."""

import importlib
import pathlib
import sys


def main() -> int:
    folder = pathlib.Path(__file__).resolve().parent
    for path in sorted(folder.glob("bench_*.py")):
        print(f"== {path.stem}", flush=True)
        importlib.import_module(f"benchmarks.{path.stem}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
