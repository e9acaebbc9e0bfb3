"""The reach / full_reach grid behind restora/imaging/hints.py's defaults (docs/colorize.md §2).

    .venv/bin/python docs/colorize/hints_reach_grid.py

On the synthetic three-band image of tests/colorize/test_hints.py (60×90 px, bands of Y 0.3 / 0.5 / 0.7
with noise 0.01, split by sharp edges), solved at full size:
- fill: one stroke per band (red, blue, green) over a green base; the largest U,V error in the bands;
- own: one red stroke in the first band over a zero base; the largest U,V error in that band;
- leak: the same; the largest chroma past the edges, as a fraction of the stroke's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from restora.imaging.hints import HintConfig, apply_hints  # noqa: E402
from tests.colorize.test_hints import BLUE, GREEN, RED, hint_uv, stroke_hints, three_regions  # noqa: E402

BANDS = ((slice(2, 28), RED), (slice(32, 58), BLUE), (slice(62, 88), GREEN))


def main() -> None:
    y = three_regions()
    green = np.broadcast_to(hint_uv(GREEN), y.shape + (2,)).astype(np.float32)
    zero = np.zeros(y.shape + (2,), np.float32)
    for reach in (0.25, 0.5, 1.0):
        for full in (0.3, 0.5, 0.7):
            config = HintConfig(solve_pixels=10**6, reach=reach, full_reach=full)
            uv = apply_hints(y, green, stroke_hints(y.shape, [(15, RED), (45, BLUE), (75, GREEN)]), config)
            fill = max(np.abs(uv[:, columns] - hint_uv(colour)).max() for columns, colour in BANDS)
            single = apply_hints(y, zero, stroke_hints(y.shape, [(15, RED)]), config)
            own = np.abs(single[:, 2:28] - hint_uv(RED)).max()
            leak = np.abs(single[:, 35:]).max() / np.abs(hint_uv(RED)).max()
            print(f"reach {reach:4} full_reach {full}: fill error {fill:.3f}, own band error {own:.3f} "
                  f"(of {np.abs(hint_uv(RED)).max():.3f}), leak {leak:.0%}")


if __name__ == "__main__":
    main()
