"""docs/images/clock_motion_deblur.png: scikit-image's real motion-blurred clock_motion.png, as input |
the deblur tool's default (auto) | the net alone | blind unsharp masking.
Run: .venv/bin/python docs/clock_motion_figure.py"""

from pathlib import Path

import numpy as np
import skimage
from PIL import Image

from restora.imaging.blind import BlindConfig, blind_deblur
from restora.imaging.sharpen import unsharp_mask
from restora.tools import TOOLS
from restora.tools.deblur import AUTO_MIN_SPREAD

source = Path(skimage.__file__).parent / "data" / "clock_motion.png"
with Image.open(source) as image:
    blurred = image.convert("RGB")
by_auto = TOOLS["deblur"].run(blurred, method="auto")
by_net = TOOLS["deblur"].run(blurred, method="net")
sharpened = Image.fromarray(np.rint(unsharp_mask(np.asarray(blurred) / 255.0) * 255).astype(np.uint8))
panels = [blurred, by_auto, by_net, sharpened]
figure = Image.new("RGB", (sum(p.width for p in panels) + 8 * (len(panels) - 1), blurred.height), "white")
x = 0
for panel in panels:
    figure.paste(panel, (x, 0))
    x += panel.width + 8
figure.save(Path(__file__).parent / "images" / "clock_motion_deblur.png", optimize=True)
spread = blind_deblur(np.asarray(blurred) / 255.0).spread
stretched = blind_deblur(np.asarray(blurred) / 255.0, BlindConfig(stretch=True)).spread
for name, restored in (("auto", by_auto), ("net", by_net)):
    change = np.abs(np.asarray(restored, dtype=float) - np.asarray(blurred, dtype=float)).mean()
    print(f"{name}: mean change {change:.2f} grey levels")
print(f"estimated kernel spread {spread:.2f} px; {stretched:.2f} px with the contrast stretched "
      f"(auto deconvolves from {AUTO_MIN_SPREAD})")
