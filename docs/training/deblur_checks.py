"""Small measurements behind docs/training/deblur.md that are not timings or evaluations. From the repository
root, PYTHONPATH=. .venv/bin/python docs/training/deblur_checks.py COMMAND ...:

  precision [WEIGHTS]            grey-level difference of bfloat16 vs float32 on chelsea, astronaut, coffee (§7)
  average DATA A B               validation gain and sharp-crop PSNR of A, B and their half-half weight average (§4.3)
  copy-gap INIT CHECKPOINT       how far apart the grown copies are at init ("copy" mode, seed 3) and in a
                                 training checkpoint that started from INIT grown that way (§8)
  new-channels CHECKPOINT        norm of the first downsampler's weights that read new vs old channels (§8)
"""

import sys
from pathlib import Path

import numpy as np
import torch
from skimage import data

from restora.config import load_settings
from restora.imaging.metrics import psnr, quantise
from restora.nets.deblur import DeblurGenerator, GeneratorConfig
from restora.tools.deblur import build_generator, run_generator
from restora.tools.deblur.data import validation_pairs
from restora.tools.deblur.grow import grow_generator
from restora.weights import load_strict, load_weights


def generator(name: str) -> DeblurGenerator:
    return build_generator(load_weights(name, "deblur", load_settings()))


def precision(weights: str = "deblur-debian") -> None:
    net = generator(weights)
    for name in ("chelsea", "astronaut", "coffee"):
        photo = getattr(data, name)()
        exact = run_generator(net, photo, tile=1536).astype(int)
        fast = run_generator(net, photo, tile=1536, bfloat16=True).astype(int)
        difference = np.abs(exact - fast)
        print(f"{name}: max {difference.max()}, mean {difference.mean():.3f} grey levels")


def average(folder: str, first: str, second: str) -> None:
    pairs = validation_pairs(Path(folder), crop=256)
    a, b = generator(first).state_dict(), generator(second).state_dict()
    net = generator(first)

    def through(image: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))[None] * 2 - 1
            return ((net(x)[0].numpy().transpose(1, 2, 0) + 1) / 2).clip(0, 1)

    for share in (0.0, 0.5, 1.0):
        net.load_state_dict({k: (1 - share) * a[k] + share * b[k] for k in a})
        gain = np.mean([psnr(quantise(s), quantise(through(bl))) - psnr(quantise(s), quantise(bl)) for bl, s in pairs])
        sharp = np.mean([psnr(quantise(s), quantise(through(s))) for _, s in pairs])
        print(f"share of B {share}: validation gain {gain:+.3f} dB, sharp crops {sharp:.2f} dB")


def copy_gap(init: str, checkpoint: str) -> None:
    weights = load_weights(init, "deblur", load_settings())
    small = DeblurGenerator(GeneratorConfig(**weights.architecture))
    load_strict(small, weights)
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    grown = grow_generator(small, GeneratorConfig(**state["generator_config"]), mode="copy", seed=3).state_dict()
    for key in ("model.1.weight", "model.4.weight", "model.10.conv_block.1.weight"):
        half = grown[key].shape[0] // 2
        gap = lambda w: float((w[:half] - w[half:]).norm() / w[:half].norm())  # noqa: E731
        print(f"{key}: copies apart by {gap(grown[key]):.2%} at init, {gap(state['generator'][key]):.2%} "
              f"at step {state['step']}")


def new_channels(checkpoint: str) -> None:
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    weight = state["generator"]["model.4.weight"]  # ngf -> 2·ngf: its columns read the first conv's channels
    half = weight.shape[1] // 2
    print(f"step {state['step']}: weights from new channels {float(weight[:, half:].norm()):.2f}, "
          f"from old ones {float(weight[:, :half].norm()):.2f}")


COMMANDS = {"precision": precision, "average": average, "copy-gap": copy_gap, "new-channels": new_channels}

if __name__ == "__main__":
    torch.set_num_threads(2)
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
