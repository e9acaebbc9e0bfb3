"""A figure: the shipped U²-Netp and a fine-tuned one (`restora train background`) on real photos, which have
no reference matte: photo | shipped mask | fine-tuned mask, each the tool's segmenter output (two looks).

    PYTHONPATH=. .venv/bin/python docs/training/background_finetune_real.py WEIGHTS.onnx [PORTRAIT.jpg ...] \
        --out docs/training/background-finetune-real.jpg

WEIGHTS.onnx: a run's u2netp-finetuned.onnx. Prints, per photo, the IoU between the two masks (alpha > 0.5)
and the share of the photo each keeps.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from skimage import data

from restora.tools.background.segment import _run_u2net
from restora.weights import SHIPPED_DIR

WIDTH = 220


def session(path: Path):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 2
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def tile(picture: np.ndarray) -> Image.Image:
    image = Image.fromarray(picture if picture.dtype == np.uint8 else (picture * 255).astype(np.uint8))
    return image.convert("RGB").resize((WIDTH, round(WIDTH * image.height / image.width)), Image.Resampling.LANCZOS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", type=Path)
    parser.add_argument("portraits", type=Path, nargs="*")
    parser.add_argument("--out", type=Path, default=Path("docs/training/background-finetune-real.jpg"))
    args = parser.parse_args()
    shipped, tuned = session(SHIPPED_DIR / "u2netp.onnx"), session(args.weights)
    photos = {"coffee": data.coffee(), "chelsea": data.chelsea(), "astronaut": data.astronaut()}
    photos.update({path.name: np.asarray(Image.open(path).convert("RGB")) for path in args.portraits})
    rows = []
    for name, rgb in photos.items():
        before, after = _run_u2net(rgb, shipped), _run_u2net(rgb, tuned)
        union = np.count_nonzero((before > 0.5) | (after > 0.5))
        agree = np.count_nonzero((before > 0.5) & (after > 0.5)) / max(union, 1)
        print(f"{name}: IoU shipped/fine-tuned {agree:.3f}, kept {np.mean(before > 0.5):.3f} -> {np.mean(after > 0.5):.3f}")
        rows.append([tile(rgb), tile(before), tile(after)])
    header = 18
    canvas = Image.new("RGB", (3 * WIDTH + 8, header + sum(row[0].height + 4 for row in rows)), "white")
    draw = ImageDraw.Draw(canvas)
    for column, text in enumerate(("photo", "shipped u2netp", "fine-tuned (composites)")):
        draw.text((column * (WIDTH + 4) + 4, 3), text, fill="black")
    y = header
    for row in rows:
        for column, image in enumerate(row):
            canvas.paste(image, (column * (WIDTH + 4), y))
        y += row[0].height + 4
    canvas.save(args.out, quality=85, optimize=True)  # a .jpg: photos and soft masks
    print(f"{args.out}: {canvas.width}x{canvas.height}")


if __name__ == "__main__":
    main()
