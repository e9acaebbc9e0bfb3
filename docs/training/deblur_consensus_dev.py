"""Several kernel estimates per photo, and ways to combine them (docs/training/deblur.md §12), on Debian
photos, never the evaluation set.

    PYTHONPATH=. .venv/bin/python docs/training/deblur_consensus_dev.py PHOTOS_DIR KIND [VIEWS [KERNELS.npz]] > KIND.log
    .venv/bin/python docs/training/deblur_consensus_dev.py --score KIND.log [MORE.log ...]
    PYTHONPATH=. .venv/bin/python docs/training/deblur_consensus_dev.py --views PHOTOS_DIR KIND KIND.log KERNELS.npz

The cases are deblur_kernel_dev.py's "all" set (56 photos at 640 px, seed 7). Each case's kernel is
estimated VIEWS times (default 4) from the views blind_deblur would use (restora.imaging.blind.
estimation_views: at 640 px, the same photo nudged by a pixel or by where the padding's rounding pixels
go; DEV_PHOTO_SIZE above the 768-px estimate, other parts of the scene), and
deconvolved with: the first estimate alone (what `kernel` does), the mean of the first two aligned
estimates (`pair`), the medoid of all (the estimate that agrees best with the rest, `medoid`), and the
mean of the estimates aligned on the medoid (`consensus`). KERNELS.npz, when given, keeps every
estimate (arrays named CASE_VIEW, CASE counting from 0 in the log's order) for rules that need them.
Agreements: `agree` between the first two (session 5's `auto` test) and `support`, the medoid's mean
agreement with the others. The net's result and how
much it changed the photo are printed as in deblur_kernel_dev.py, so --score can apply `auto`'s rule with
each combination and gate. --views scores the medoid of the first 2, 3, ... estimates kept in KERNELS.npz
under `auto`'s rule, gated by its support (2 estimates: the first one, gated by their agreement, as
`auto` does now).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
from scipy import fft

from restora.imaging import blind
from restora.imaging.metrics import psnr, quantise
from restora.tools.deblur import AUTO_MIN_SPREAD, AUTO_NET_UNCHANGED_DB, deblur_by_net

sys.path.insert(0, str(Path(__file__).parent))
from deblur_kernel_dev import cases  # noqa: E402  (the same 56 cases)

def consensus_kernel(kernels: list[np.ndarray], reference: np.ndarray, shift: int = 3) -> np.ndarray:
    """The mean of several estimates of one kernel, each first moved to lie best on ``reference`` (whole
    pixels, up to ``shift``): independent errors of the estimates might average out. Centred, sum 1.
    (Tried and not used: the centring can move the mean by a whole pixel from where the estimates put
    the shake, which moves the whole deconvolved photo; §12.)"""
    size = max(k.shape[0] for k in [reference, *kernels])
    total = np.zeros((size, size), dtype=np.float64)
    for kernel in kernels:
        placed = np.pad(kernel.astype(np.float64), (size - kernel.shape[0]) // 2)
        total += np.roll(placed, blind.best_alignment(reference, kernel, shift)[1], axis=(0, 1))
    return blind.centre_kernel((total / total.sum()).astype(np.float32))


def estimates(photo: np.ndarray, views: int) -> list[np.ndarray]:
    """The kernel estimated from each of ``views`` views of the photo, as blind_deblur makes them."""
    copies, _ = blind.estimation_views(photo, blind.BlindConfig(), views)
    return [blind.estimate_kernel(copy, blind.BlindConfig(), pad_extra_at=side) for copy, side in copies]


def main(photos_dir: Path, kind: str, views: int, keep: Path | None) -> None:
    kept: dict[str, np.ndarray] = {}
    for number, (name, sharp, blurred, kernel) in enumerate(cases(photos_dir, kind, 0.0, "all")):
        photo = blurred / 255.0
        with fft.set_workers(blind.WORKERS):
            found = estimates(photo, views)
        kept.update({f"{number}_{view}": estimate for view, estimate in enumerate(found)})
        reg = blind.regularisation_for(photo)
        by_net = deblur_by_net(blurred, "", tile=1536, progress=None)
        medoid, support = blind.medoid_kernel(found)
        chosen = {"kernel": found[0], "pair": consensus_kernel(found[:2], found[0]),
                  "medoid": found[medoid], "consensus": consensus_kernel(found, found[medoid])}
        row = {"blurred": psnr(sharp, blurred, border=16), "net": psnr(sharp, by_net, border=16),
               "net_change": psnr(blurred, by_net, border=16), "spread": blind.kernel_spread(found[0]),
               "agree": blind.kernel_agreement(found[0], found[1]), "support": support,
               "cspread": blind.kernel_spread(found[medoid])}
        for method, estimate in chosen.items():
            row[method] = psnr(sharp, quantise(blind.deconvolve(photo, estimate, reg=reg)), border=16)
        print(f"{name[:28]:28s} k{kernel.shape[0]:3d} " + " ".join(f"{k} {v:.3f}" for k, v in row.items()),
              flush=True)
        if keep:
            np.savez_compressed(keep, **kept)  # after every case: a stopped run keeps what it did


SESSION5_BAR = 0.9
FIELD = re.compile(r"\b([a-z_]+) (-?[0-9.]+|inf)\b")


def score(paths: list[str]) -> None:
    """`auto`'s rule (net changed the photo ≤ AUTO_NET_UNCHANGED_DB, spread ≥ AUTO_MIN_SPREAD, a gate),
    with each combination, as mean gain over the blurred input and the worst case (dB against itself for
    sharp photos)."""
    for path in paths:
        rows = [{k: float(v) for k, v in FIELD.findall(line)} for line in open(path, encoding="utf-8")
                if " support " in line]
        sharp = all(r["blurred"] == float("inf") for r in rows)
        print(f"{path}: {len(rows)} cases; net {np.mean([r['net'] - (0 if sharp else r['blurred']) for r in rows]):+.2f}")
        for method, spread in (("kernel", "spread"), ("pair", "spread"), ("medoid", "cspread"),
                               ("consensus", "cspread")):
            for gate in ("agree", "support"):
                for bar in (0.0, 0.8, 0.85, 0.9):
                    use = [r[spread] >= AUTO_MIN_SPREAD and r["net_change"] <= AUTO_NET_UNCHANGED_DB
                           and r[gate] >= bar for r in rows]
                    gains = [(r[method] if u else r["net"]) - (0 if sharp else r["blurred"]) for r, u in zip(rows, use)]
                    print(f"  {method:9s} {gate:7s} >= {bar:.2f}: {np.mean(gains):+.2f} dB (worst {min(gains):+.2f},"
                          f" {sum(use)} deconvolved)")


def score_views(photos_dir: Path, kind: str, log: str, kernels: Path) -> None:
    """`auto`'s rule with the medoid of the first n kept estimates, decided as blind_deblur decides
    (restora.imaging.blind.choose_estimate), for each n and bar; the change against session 5's rule is
    per case, with its standard error."""
    rows = [{k: float(v) for k, v in FIELD.findall(line)} for line in open(log, encoding="utf-8")
            if " support " in line]
    kept = np.load(kernels)
    views = 1 + max(int(key.split("_")[1]) for key in kept.files)
    sharp_set = kind == "none"
    results = {n: [] for n in range(2, views + 1)}  # per case: (psnr of the kept estimate's deconvolution, support, used)
    for number, (name, sharp, blurred, kernel) in enumerate(cases(photos_dir, kind, 0.0, "all")):
        if number >= len(rows):
            break
        photo = blurred / 255.0
        reg = blind.regularisation_for(blind.estimation_views(photo, blind.BlindConfig(), 1)[0][0][0])
        found = [kept[f"{number}_{view}"] for view in range(views)]
        for n in results:
            # blind_deblur makes the other estimates only where the first spreads enough: the same decision
            chosen, support, use = blind.choose_estimate(found[:n], AUTO_MIN_SPREAD, 0.0)
            restored = quantise(blind.deconvolve(photo, found[chosen], reg=reg))
            results[n].append((psnr(sharp, restored, border=16), support, use))
    def gains_of(n: int, bar: float) -> np.ndarray:
        return np.array([(value if u and r["net_change"] <= AUTO_NET_UNCHANGED_DB and support >= bar else r["net"])
                         - (0 if sharp_set else r["blurred"]) for r, (value, support, u) in zip(rows, results[n])])

    before = gains_of(2, SESSION5_BAR)  # auto as session 5 shipped it: two estimates, agreement >= 0.9
    # the kernel method: always deconvolved, with the first estimate (as shipped) or the medoid of n
    first = np.array([r["kernel"] - (0 if sharp_set else r["blurred"]) for r in rows])
    print(f"{kind}: kernel method, first estimate: {first.mean():+.2f} dB (worst {first.min():+.2f})")
    for n in results:
        always = np.array([value - (0 if sharp_set else r["blurred"]) for r, (value, _, _) in zip(rows, results[n])])
        change = always - first
        print(f"{kind}: kernel method, medoid of {n}: {always.mean():+.2f} dB (worst {always.min():+.2f}); "
              f"change {change.mean():+.2f} ± {change.std(ddof=1) / np.sqrt(len(change)):.2f}")
    for n in results:
        for bar in (0.0, 0.7, 0.8, 0.85, 0.9):
            gains = gains_of(n, bar)
            used = sum(u and r["net_change"] <= AUTO_NET_UNCHANGED_DB and support >= bar
                       for r, (_, support, u) in zip(rows, results[n]))
            change = gains - before  # paired: the same cases, so its standard error is what luck moves
            print(f"{kind}: medoid of {n}, support >= {bar:.2f}: {np.mean(gains):+.2f} dB (worst {min(gains):+.2f}, "
                  f"{used} of {len(gains)} deconvolved); against session 5's {np.mean(change):+.2f} "
                  f"± {np.std(change, ddof=1) / np.sqrt(len(change)):.2f}")

if __name__ == "__main__":
    if sys.argv[1] == "--score":
        score(sys.argv[2:])
    elif sys.argv[1] == "--views":
        score_views(Path(sys.argv[2]), sys.argv[3], sys.argv[4], Path(sys.argv[5]))
    else:
        main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 4,
             Path(sys.argv[4]) if len(sys.argv) > 4 else None)
