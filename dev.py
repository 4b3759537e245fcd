#!/usr/bin/env python3
"""One command to set up and run brugdata's jobs, on a machine with only Python 3.11+.

    python dev.py test    # make .venv, install brugdata with its dev extra, run the tests
    python dev.py test --slow   # ... and the slow ones (notebooks, browser): what CI runs
    python dev.py demo    # make .venv, install brugdata, ingest the sample data, write report.html
    python dev.py docs    # regenerate docs/data-model.md from the code

Extra arguments after `test` go to pytest (python dev.py test -k store).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def run(*cmd: str | Path, check: bool = True) -> int:
    print("+", " ".join(map(str, cmd)), flush=True)
    code = subprocess.call([str(c) for c in cmd], cwd=ROOT)
    if check and code != 0:
        sys.exit(code)
    return code


def setup(extra: str) -> None:
    """Create the virtual environment and install brugdata (editable) with ``extra``."""
    if not (BIN / "python").exists() and not (BIN / "python.exe").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    target = f".[{extra}]" if extra else "."
    run(*pip, "-e", target)


def test(args: list[str]) -> None:
    setup("dev")
    sys.exit(run(BIN / "python", "-m", "pytest", *args, check=False))


#: The demo's pseudonym key: public, for the synthetic sample only; real data needs a key of
#: its own (brugdata key new --out FILE).
DEMO_KEY = "brugdata-DEMO-key-public-for-sample-data-only-7f3a"


def demo(args: list[str]) -> None:
    setup("")
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    db = out / "sample.duckdb"
    if db.exists():
        db.unlink()
    # the sample's person and family keys are pseudonymised with a demo key of its own,
    # written next to the demo store: never use it for real data
    key = out / "demo.key"
    if not key.exists():
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(DEMO_KEY + "\n")
    os.environ["BRUGDATA_PSEUDONYM_KEY_FILE"] = str(key)
    os.environ.pop("BRUGDATA_PSEUDONYM_KEY", None)
    print(f"Using the DEMO pseudonym key in {key.relative_to(ROOT)}: for the sample data only.")
    brugdata = BIN / "brugdata"
    run(brugdata, "validate", "sample_data")
    run(brugdata, "ingest", "sample_data", "--db", db)
    run(brugdata, "info", "--db", db)
    run(brugdata, "report", "--db", db, "--out", "report.html")
    print(f"\nThe sample store is {db.relative_to(ROOT)}; the report is report.html.")


def docs(args: list[str]) -> None:
    setup("")
    code = "from brugdata.docs import data_model_markdown as d; print(d(), end='')"
    with open(ROOT / "docs" / "data-model.md", "w", encoding="utf-8") as f:
        subprocess.check_call([str(BIN / "python"), "-c", code], stdout=f, cwd=ROOT)
    print("wrote docs/data-model.md")


def main() -> None:
    jobs = {"test": test, "demo": demo, "docs": docs}
    if len(sys.argv) < 2 or sys.argv[1] not in jobs:
        print(__doc__)
        sys.exit(2)
    jobs[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
