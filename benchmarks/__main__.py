"""``python -m benchmarks --out FILE``: run every benchmark and write the results as JSON."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks import (background_vs_rembg_bench, db_restart_bench, deblur_bench, fault_bench, gui_bench, load_bench,
                        tools_bench, web_jobs_bench)
from benchmarks.common import machine

# "tools": every registered tool the same way; the others: extras where they add something
SUITES = {"tools": tools_bench.run, "deblur": deblur_bench.run, "web_jobs": web_jobs_bench.run, "gui": gui_bench.run,
          "load": load_bench.run, "faults": fault_bench.run,
          # the background tool beside rembg, which runs in .venv-rembg (`make rembg-venv`; skipped without it)
          "background_vs_rembg": background_vs_rembg_bench.run,
          # restarts the machine's MariaDB (root; started again whatever happens): a few seconds without it
          "db_restart": db_restart_bench.run}
# Suites run only when named with --only: db_restart takes the machine's MariaDB away from everything else
# using it (other tests, other sites), which a plain `make bench` must not do behind anyone's back.
OPT_IN = {"db_restart"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", choices=sorted(SUITES), action="append", help="run only these suites (db_restart runs only when named here)")
    args = parser.parse_args()

    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    machine_at_start = machine()
    entries = []
    for name in args.only or [name for name in SUITES if name not in OPT_IN]:
        entries += SUITES[name]()
        print(f"{name}: done", flush=True)
    result = {"started_utc": started, "machine": machine_at_start, "entries": entries}
    result["machine"]["load_average_1min_end"] = machine()["load_average_1min"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for entry in entries:
        summary = {k: entry[k] for k in ("median_ms", "ms_per_megapixel", "peak_rss_mb", "seconds") if k in entry}
        print(entry["name"], summary)


if __name__ == "__main__":
    main()
