"""Edge refinement on made-up photos with a known matte: how close each edge mode gets, and its CPU time.

    PYTHONPATH=. .venv/bin/python docs/background_edges_measure.py
    PYTHONPATH=. .venv/bin/python docs/background_edges_measure.py --only hair --fine-work-pixels 2000000
    PYTHONPATH=. .venv/bin/python docs/background_edges_measure.py --only hair --fine-guided-eps 1e-3

The options change ``fine``'s settings for the run (its working size, the guided enlargement's ε or radius)
to show why they are what they are.

Scenes from tests/background/scenes.py: ``scene`` (a blob with a ragged 3-px soft outline) and
``hairy_scene`` (a head with a few hundred strands of hair 0.4-1.6 px wide). The mask handed to the
refinement is the true matte thresholded, made at 64 px (ragged scene) or 320 px (hair, U²-Net's size)
and enlarged, as a segmenter's would be. Errors: mean |alpha - truth| over the whole photo (×1000) and
over the truth's mixed pixels only (0 < alpha < 1, where hair is). CPU: median of 3 runs after a warm-up.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from restora.imaging import matting
from tests.background.scenes import hairy_scene, scene, segmenter_like

CASES = [("ragged", scene, (240, 320, 3), 64), ("ragged", scene, (480, 640, 4), 64),
         ("hair", hairy_scene, (480, 640, 1), 320), ("hair", hairy_scene, (866, 1155, 2), 320),
         ("hair", hairy_scene, (3000, 4000, 3), 320)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("ragged", "hair"))
    parser.add_argument("--fine-work-pixels", type=int, default=matting.WORK_PIXELS["fine"])
    parser.add_argument("--fine-guided-eps", type=float, default=matting.FINE_GUIDED_EPS)
    parser.add_argument("--fine-guided-radius", type=int, default=matting.FINE_GUIDED_RADIUS)
    args = parser.parse_args()
    matting.WORK_PIXELS["fine"] = args.fine_work_pixels
    matting.FINE_GUIDED_EPS, matting.FINE_GUIDED_RADIUS = args.fine_guided_eps, args.fine_guided_radius
    print("| scene | size | mask as is | fast | fine | fast CPU ms | fine CPU ms |")
    print("|---|---|---|---|---|---|---|")
    for name, make, size, mask_side in CASES:
        if args.only and name != args.only or size[1] * size[0] > 4 * args.fine_work_pixels > 4e6:
            continue  # --fine-work-pixels large: the 12-MP scene at full size would take minutes
        photo, alpha, _ = make(*size)
        mask = segmenter_like(alpha, mask_side)
        mixed = (alpha > 0) & (alpha < 1)

        def error(estimate: np.ndarray) -> str:
            difference = np.abs(estimate - alpha)
            return f"{1000 * difference.mean():.2f} / {difference[mixed].mean():.3f}"

        row, times = [error(mask)], []
        for edges in ("fast", "fine"):
            matte = matting.refine(photo, mask, edges)
            runs = []
            for _ in range(3):
                started = time.process_time()
                matting.refine(photo, mask, edges)
                runs.append(1000 * (time.process_time() - started))
            row.append(error(matte.alpha))
            times.append(f"{statistics.median(runs):.0f}")
        print(f"| {name} | {size[1]}×{size[0]} | " + " | ".join(row + times) + " |")


if __name__ == "__main__":
    main()
