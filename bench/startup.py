"""How fast the command line starts: ``brugdata --version``, ``--help`` and ``info`` on the
sample store, each run several times in a fresh process; the minimum counts (other load on
the machine only adds). Targets (issue 21): ``--version`` and ``--help`` ≤ 0.4 s, ``info``
≤ 0.6 s in total.

    python bench/startup.py [--repeat 7]

Not a test: timings depend on the machine. tests/test_cli_help.py checks what can be
checked anywhere: ``--help`` and ``--version`` import no polars, duckdb, pandera or altair.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGETS = {"--version": 0.4, "--help": 0.4, "info": 0.6}


def _time(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "brugdata", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    return time.perf_counter() - start


def main() -> None:
    """Print the minimum and median wall time of each command."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    env = {**os.environ, "BRUGDATA_PSEUDONYM_KEY": secrets.token_hex(32)}
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "sample.duckdb")
        subprocess.run(
            [sys.executable, "-m", "brugdata", "ingest", str(REPO / "sample_data"), "--db", db],
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
        )
        runs = {"--version": ["--version"], "--help": ["--help"], "info": ["info", "--db", db]}
        _time(["--version"], env)  # warm the file cache
        print(f"{'command':<12}{'min s':>8}{'median s':>10}{'target s':>10}")
        for name, args in runs.items():
            times = sorted(_time(args, env) for _ in range(repeat))
            print(f"{name:<12}{times[0]:>8.3f}{times[len(times) // 2]:>10.3f}"
                  f"{TARGETS[name]:>10.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
