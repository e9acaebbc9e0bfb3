"""Edge refinement on made-up photos with a known matte: how close each edge mode gets, and its CPU time.

    PYTHONPATH=. .venv/bin/python docs/background_edges_measure.py

Scenes from tests/background/scenes.py: ``scene`` (a blob with a ragged 3-px soft outline) and
``hairy_scene`` (a head with a few hundred strands of hair 0.4-1.6 px wide). The mask handed to the
refinement is the true matte thresholded, made at 64 px (ragged scene) or 320 px (hair, U²-Net's size)
and enlarged, as a segmenter's would be. Errors: mean |alpha - truth| over the whole photo (×1000) and
over the truth's mixed pixels only (0 < alpha < 1, where hair is). CPU: median of 3 runs after a warm-up.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from restora.imaging import matting
from tests.background.scenes import hairy_scene, scene, segmenter_like

CASES = [("ragged", scene, (240, 320, 3), 64), ("ragged", scene, (480, 640, 4), 64),
         ("hair", hairy_scene, (480, 640, 1), 320), ("hair", hairy_scene, (866, 1155, 2), 320),
         ("hair", hairy_scene, (3000, 4000, 3), 320)]


def main() -> None:
    print("| scene | size | mask as is | fast | fine | fast CPU ms | fine CPU ms |")
    print("|---|---|---|---|---|---|---|")
    for name, make, args, mask_side in CASES:
        photo, alpha, _ = make(*args)
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
        print(f"| {name} | {args[1]}×{args[0]} | " + " | ".join(row + times) + " |")


if __name__ == "__main__":
    main()
