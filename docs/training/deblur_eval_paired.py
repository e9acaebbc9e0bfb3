"""One method's PSNR in two `restora eval deblur --json` files, case by case (docs/training/deblur.md §12).

    .venv/bin/python docs/training/deblur_eval_paired.py BEFORE.json AFTER.json [METHOD]

For each blur kind: the mean change in PSNR of METHOD (default auto) over the same cases, its standard
error (what luck moves a mean of these few cases by) and the cases that moved by more than 0.3 dB.
"""

from __future__ import annotations

import json
import sys

import numpy as np


def psnr_by_case(path: str, method: str) -> dict[tuple[str, str, int], float]:
    rows = json.load(open(path, encoding="utf-8"))["rows"]
    return {(r["image"], r["kind"], r["draw"]): r["psnr"] for r in rows if r["method"] == method}


def main(before_path: str, after_path: str, method: str) -> None:
    before, after = psnr_by_case(before_path, method), psnr_by_case(after_path, method)
    for kind in sorted({key[1] for key in before}):
        keys = sorted(k for k in before if k[1] == kind and k in after)
        change = np.array([after[k] - before[k] for k in keys])
        print(f"{method}, {kind}: {len(keys)} cases, mean change {change.mean():+.2f} dB "
              f"± {change.std(ddof=1) / np.sqrt(len(keys)):.2f}")
        for key, delta in zip(keys, change):
            if abs(delta) > 0.3:
                print(f"  {key[0]} #{key[2]}: {before[key]:.2f} -> {after[key]:.2f} dB ({delta:+.2f})")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "auto")
