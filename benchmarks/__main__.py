"""Run every benchmark: each `benchmarks/bench_*.py` module's `main()`, in name order.

`python -m benchmarks` runs them all; `python -m benchmarks validate` runs only the
modules whose name contains one of the words given.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    folder = Path(__file__).resolve().parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(folder)])
                   if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if any(word in n for word in argv)]
    failed = 0
    for name in names:
        print(f"== {name}", flush=True)
        failed |= bool(importlib.import_module(f"benchmarks.{name}").main())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
