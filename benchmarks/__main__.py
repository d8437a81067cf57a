"""Run every benchmarks/bench_*.py module's main(), in name order."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    status = 0
    folder = Path(__file__).parent
    for module in sorted(m.name for m in pkgutil.iter_modules([str(folder)])
                         if m.name.startswith("bench_")):
        print(f"== benchmarks.{module}", flush=True)
        status |= importlib.import_module(f"benchmarks.{module}").main() or 0
    return status


if __name__ == "__main__":
    sys.exit(main())
