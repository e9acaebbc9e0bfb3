"""Measurements behind restora/imaging/hints.py's defaults (docs/colorize.md §2). Not a test.

    .venv/bin/python docs/colorize/hints_measure.py accuracy   # solve size and guide radius: PSNR cost
    .venv/bin/python docs/colorize/hints_measure.py speed      # hint propagation at 0.25, 1 and 12 MP
    .venv/bin/python docs/colorize/hints_measure.py solvers    # direct vs multigrid solves at 0.25 MP

Development photos: the kphotoalbum demo photos of the colorize photo set (data/colorize/photos, from
the net's data command), never the evaluation photos. Hints are the photo's own colours at a fraction of
its pixels (fixed seeds), spread over a zero base, as in ``restora eval colorize``'s "hints" rows.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from restora.imaging.colour import luma, to_uint8
from restora.imaging.hints import HintConfig, apply_hints, compose_rgb
from restora.imaging.metrics import psnr
from restora.tools.colorize.evaluate import sample_hints

PHOTOS = sorted(Path("data/colorize/photos").glob("kphotoalbum__*.jpg"))
DEV = [p for p in PHOTOS if "new_wave_1" not in p.name][:4]  # new_wave_1 is kept for evaluation


def photo(path: Path, pixels: int) -> np.ndarray:
    image = Image.open(path).convert("RGB")
    scale = (pixels / (image.width * image.height)) ** 0.5
    return np.asarray(image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS))


def hinted(rgb: np.ndarray, hints: np.ndarray, config: HintConfig, cpu: list | None = None) -> tuple[np.ndarray, float]:
    """(result, wall seconds of apply_hints); its CPU seconds are appended to ``cpu`` when given."""
    y = luma(rgb)
    started, started_cpu = time.perf_counter(), time.process_time()
    uv = apply_hints(y, np.zeros(y.shape + (2,), np.float32), hints, config)
    seconds = time.perf_counter() - started
    if cpu is not None:
        cpu.append(time.process_time() - started_cpu)
    return to_uint8(compose_rgb(y, uv)), seconds


def accuracy() -> None:
    """PSNR against the original of the full-size solve and of smaller solves upsampled by Y, at 1 MP."""
    variants = [("full", HintConfig(solve_pixels=10**8))]
    variants += [(f"{s // 1024}k r{r}", HintConfig(solve_pixels=s, guide_radius=r))
                 for s in (262_144, 131_072) for r in (1, 2)]
    for fraction in (0.005, 0.02):
        results: dict[str, list[float]] = {name: [] for name, _ in variants}
        seconds: dict[str, list[float]] = {name: [] for name, _ in variants}
        for path in DEV:
            rgb = photo(path, 1_000_000)
            hints = sample_hints(rgb, fraction, 2026, path.name)
            for name, config in variants:
                out, took = hinted(rgb, hints, config)
                results[name].append(psnr(rgb, out))
                seconds[name].append(took)
        print(f"hints at {fraction:.1%} of the pixels, {len(DEV)} photos at 1 MP:")
        for name, _ in variants:
            gap = np.mean(np.array(results[name]) - np.array(results["full"]))
            print(f"  {name:8s} PSNR {np.mean(results[name]):.2f} dB ({gap:+.2f} vs full), "
                  f"median {statistics.median(seconds[name]):.2f} s")


def speed() -> None:
    """Median wall and CPU seconds of apply_hints (default config, 2 % hints) over the development photos.

    The solve runs on one thread (BLAS limited), so on a busy shared machine its CPU time is the better
    estimate of an idle machine's wall time; the load average is printed beside it."""
    import os

    for pixels in (250_000, 1_000_000, 12_000_000):
        took, cpu = [], []
        for path in DEV[: 4 if pixels < 10**7 else 2]:
            rgb = photo(path, pixels)
            _, seconds = hinted(rgb, sample_hints(rgb, 0.02, 2026, path.name), HintConfig(), cpu)
            took.append(seconds)
        print(f"{pixels / 1e6:g} MP: median {statistics.median(took):.2f} s wall, {statistics.median(cpu):.2f} s CPU "
              f"over {len(took)} photos (wall {', '.join(f'{t:.2f}' for t in took)}; "
              f"load average {os.getloadavg()[0]:.1f})")


def solvers() -> None:
    """One channel of one 0.25-MP system (2 % hints): scipy's direct solve vs pyamg's two AMG flavours."""
    import pyamg
    from scipy.sparse.linalg import spsolve
    from threadpoolctl import threadpool_limits

    from restora.imaging.hints import screened_laplacian, screening_for

    for path in DEV[:2]:
        rgb = photo(path, 250_000)
        y = luma(rgb)
        fixed = (sample_hints(rgb, 0.02, 2026, path.name)[..., 3] > 0).ravel()
        matrix = screened_laplacian(y, screening_for(y.shape, 0.5))
        system, coupling = matrix[~fixed][:, ~fixed].tocsr(), matrix[~fixed][:, fixed]
        rhs = -(coupling @ np.ones(fixed.sum()))
        row = [path.name]
        started = time.perf_counter()
        exact = spsolve(system.tocsc(), rhs)
        row.append(f"direct {time.perf_counter() - started:.2f} s")
        with threadpool_limits(1, user_api="blas"):
            for name, build in (("ruge-stuben", lambda: pyamg.ruge_stuben_solver(system, max_levels=25, max_coarse=300,
                                                                                  coarse_solver="splu")),
                                ("smoothed aggregation", lambda: pyamg.smoothed_aggregation_solver(
                                    system, symmetry="hermitian", max_levels=25, max_coarse=300, coarse_solver="splu"))):
                started = time.perf_counter()
                residuals: list[float] = []
                solution = build().solve(rhs, tol=1e-4, accel="cg", maxiter=200, residuals=residuals)
                row.append(f"{name} {time.perf_counter() - started:.2f} s ({len(residuals) - 1} CG steps, "
                           f"max error {np.abs(solution - exact).max():.1e})")
        print(", ".join(row))


if __name__ == "__main__":
    {"accuracy": accuracy, "speed": speed, "solvers": solvers}[sys.argv[1]]()
