"""Compare two runs of docs/training/deblur_kernel_dev.py on the same cases, photo by photo (§11).

    .venv/bin/python docs/training/deblur_compare_logs.py BEFORE.log AFTER.log [METHOD]

Prints how many cases the METHOD's PSNR (default: kernel) moved by more than 0.3 dB, the largest moves
both ways, the change of the mean, and the standard deviation of the per-case change with the standard
error it gives a mean over that many cases (how much a mean can move by luck alone).
"""

from __future__ import annotations

import re
import sys

import numpy as np


def scores(path: str, method: str) -> list[float]:
    pattern = re.compile(rf"\b{method} (\S+)")
    with open(path, encoding="utf-8") as lines:
        return [float(pattern.search(line).group(1)) for line in lines if " spread " in line and not line.startswith("MEAN")]


def main(before: str, after: str, method: str = "kernel") -> None:
    old, new = np.array(scores(before, method)), np.array(scores(after, method))
    if len(old) != len(new):
        raise SystemExit(f"{before} has {len(old)} cases, {after} {len(new)}: not the same cases")
    change = new - old
    print(f"{method}: {int(np.sum(np.abs(change) > 0.3))} of {len(change)} cases moved by more than 0.3 dB; "
          f"largest moves {change.min():+.2f} / {change.max():+.2f} dB; mean {old.mean():.2f} -> {new.mean():.2f} dB "
          f"({change.mean():+.2f}); per-case change sd {change.std(ddof=1):.2f} dB, standard error of a mean "
          f"over {len(change)} cases {change.std(ddof=1) / np.sqrt(len(change)):.2f} dB")


if __name__ == "__main__":
    main(*sys.argv[1:4])
