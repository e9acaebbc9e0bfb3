"""Score `auto` rules on the output of docs/training/deblur_kernel_dev.py (docs/training/deblur.md §9).

    PYTHONPATH=. .venv/bin/python docs/training/deblur_kernel_dev.py data/debian none 0 '{}' all > none.log
    PYTHONPATH=. .venv/bin/python docs/training/deblur_kernel_dev.py data/debian trajectory 0 '{}' all > traj.log
    .venv/bin/python docs/training/deblur_auto_rule.py none.log traj.log [more.log ...]

For each (minimum spread, maximum net change) pair: the mean over the cases of each log of the result
the rule picks (kernel method or net), as gain over the blurred input (dB against itself for `none`),
and the worst case. Also the percentiles of both signals per log. Then, at the shipped spread and net
change, the same for minimum agreements of the second estimate (logs from session 5 on, §11).
"""

from __future__ import annotations

import re
import sys

import numpy as np

FIELDS = re.compile(r"\b(blurred|net_change|net|kernel|spread|agree) (\S+)")


def load(path: str) -> list[dict[str, float]]:
    with open(path, encoding="utf-8") as lines:
        return [{key: float(value) for key, value in FIELDS.findall(line)}
                for line in lines if " spread " in line and not line.startswith("MEAN")]


def main(paths: list[str]) -> None:
    logs = {path: load(path) for path in paths}
    for path, rows in logs.items():
        for signal in ("spread", "net_change"):
            cuts = [round(float(c), 2) for c in np.percentile([r[signal] for r in rows], [0, 10, 50, 90, 100])]
            print(f"{path}: {len(rows)} cases, {signal} min/10%/median/90%/max {cuts}")
    for min_spread in (1.4, 1.6, 2.0):
        for max_change in (99, 45, 42, 40, 38, 36):
            cells = []
            for path, rows in logs.items():
                sharp = all(r["blurred"] == float("inf") for r in rows)
                picked = [(r["kernel"] if r["spread"] >= min_spread and r["net_change"] <= max_change else r["net"])
                          - (0.0 if sharp else r["blurred"]) for r in rows]
                cells.append(f"{path} {np.mean(picked):+.2f} (worst {min(picked):+.2f})")
            print(f"spread >= {min_spread}, net change <= {max_change} dB: " + " | ".join(cells))
    if not all("agree" in r for rows in logs.values() for r in rows):
        return
    for min_agree in (0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        cells = []
        for path, rows in logs.items():
            sharp = all(r["blurred"] == float("inf") for r in rows)
            chosen = [r["spread"] >= 1.6 and r["net_change"] <= 42 and r["agree"] >= min_agree for r in rows]
            picked = [(r["kernel"] if c else r["net"]) - (0.0 if sharp else r["blurred"]) for r, c in zip(rows, chosen)]
            cells.append(f"{path} {np.mean(picked):+.2f} (worst {min(picked):+.2f}, {sum(chosen)} deconvolved)")
        print(f"spread >= 1.6, net change <= 42 dB, agreement >= {min_agree}: " + " | ".join(cells))


if __name__ == "__main__":
    main(sys.argv[1:])
