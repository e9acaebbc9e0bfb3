"""Robust Video Matting vs MediaPipe's selfie model (and U²-Netp) on photos of people, for
docs/background-segmenters.md: times, and a picture grid of each matte over blue.

The selfie model runs on ai-edge-litert, which Restora does not install; use a separate venv:

    python3 -m venv /tmp/litert && /tmp/litert/bin/pip install ai-edge-litert==2.3.0 onnxruntime==1.31.1 pillow
    .venv/bin/restora models fetch selfie-segmentation        # into the models folder
    /tmp/litert/bin/python docs/background_person_compare.py --selfie ~/.restora/models/selfie_segmentation.tflite \\
        --out docs/images/background-person-compare.jpg PHOTO...

Photos used (none ships with Restora): skimage's astronaut (saved as PNG), matplotlib's grace_hopper.jpg,
face-recognition 1.3.0's sdist tests/test_images/{obama,obama2,obama3,biden}.jpg, kphotoalbum 5.9.1's demo
photos. The grid in the docs shows only the public-domain ones.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import onnxruntime
from PIL import Image

WEIGHTS = Path(__file__).resolve().parents[1] / "restora" / "weights"
BLUE = np.array([0, 90, 200], np.float32)


def session(path: Path) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 2
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", nargs="+", type=Path)
    parser.add_argument("--selfie", type=Path, required=True, help="selfie_segmentation.tflite")
    parser.add_argument("--out", type=Path, default=None, help="a grid: photo | RVM | selfie | U²-Netp per row")
    parser.add_argument("--side", type=int, default=1024, help="photos are shrunk to this long side first")
    args = parser.parse_args()
    from ai_edge_litert.interpreter import Interpreter

    rvm = session(WEIGHTS / "rvm_mobilenetv3_fp32.onnx")
    u2netp = session(WEIGHTS / "u2netp.onnx")
    selfie = Interpreter(model_path=str(args.selfie), num_threads=2)
    selfie.allocate_tensors()
    selfie_in, selfie_out = selfie.get_input_details()[0]["index"], selfie.get_output_details()[0]["index"]

    def run_rvm(rgb: np.ndarray) -> np.ndarray:  # as restora.tools.background.segment does
        zero = np.zeros((1, 1, 1, 1), np.float32)
        ratio = np.array([min(1.0, 320 / max(rgb.shape[:2]))], np.float32)
        src = (rgb.astype(np.float32) / 255).transpose(2, 0, 1)[None]
        feeds = {"src": src, "r1i": zero, "r2i": zero, "r3i": zero, "r4i": zero, "downsample_ratio": ratio}
        return rvm.run(["pha"], feeds)[0][0, 0]

    def run_selfie(rgb: np.ndarray) -> np.ndarray:  # 256×256 RGB in [0, 1], NHWC; a probability out
        x = np.asarray(Image.fromarray(rgb).resize((256, 256), Image.Resampling.BILINEAR), np.float32)[None] / 255
        selfie.set_tensor(selfie_in, x)
        selfie.invoke()
        mask = selfie.get_tensor(selfie_out)[0, :, :, 0]
        return np.asarray(Image.fromarray(mask).resize(rgb.shape[1::-1], Image.Resampling.BILINEAR))

    def run_u2netp(rgb: np.ndarray) -> np.ndarray:
        x = np.asarray(Image.fromarray(rgb).resize((320, 320), Image.Resampling.LANCZOS), np.float32)
        x = ((x / x.max() - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]).astype(np.float32)
        d = u2netp.run(None, {"input.1": x.transpose(2, 0, 1)[None]})[0][0, 0]
        d = (d - d.min()) / max(float(d.max() - d.min()), 1e-8)
        return np.asarray(Image.fromarray(d).resize(rgb.shape[1::-1], Image.Resampling.BILINEAR))

    rows = []
    for path in args.photos:
        image = Image.open(path).convert("RGB")
        image.thumbnail((args.side, args.side))
        rgb = np.asarray(image)
        row, line = [rgb], []
        for name, run in (("rvm", run_rvm), ("selfie", run_selfie), ("u2netp", run_u2netp)):
            alpha = run(rgb)  # warm-up
            times = []
            for _ in range(3):
                start = time.perf_counter()
                alpha = run(rgb)
                times.append(time.perf_counter() - start)
            soft = float(((alpha > 0.05) & (alpha < 0.95)).mean())
            line.append(f"{name} {1000 * statistics.median(times):.0f} ms, kept {alpha.mean():.2f}, soft {soft:.3f}")
            row.append((rgb * alpha[..., None] + BLUE * (1 - alpha[..., None])).astype(np.uint8))
        print(f"{path.name} {rgb.shape[1]}×{rgb.shape[0]}: " + " | ".join(line), flush=True)
        cell = 256  # px wide, each picture of a row at its own aspect
        rows.append(np.concatenate([np.asarray(Image.fromarray(x).resize((cell, round(x.shape[0] * cell / x.shape[1])))) for x in row], 1))
    if args.out:
        Image.fromarray(np.concatenate(rows, 0)).save(args.out, quality=85)


if __name__ == "__main__":
    main()
