"""The colorize tool's weights: Restora's own NoGAN-trained generator, shipped in ``restora/weights/``."""

from __future__ import annotations

from restora.weights import WeightsEntry

WEIGHTS = (
    WeightsEntry(
        name="colorize-debian",
        tool="colorize",
        filename="colorize-debian.safetensors",
        kind="shipped",
        # What the registry passes to build_generator (it wins over the file's metadata): the net as
        # ``restora train colorize`` builds it by default (restora.nets.colorize.ColorizeNetConfig).
        architecture={
            "net": "colorize-unet",
            "widths": [16, 32, 64, 128, 192],
            "blocks": [1, 1, 2, 2, 1],
            "decoder": [128, 96, 64, 32],
            "attention_level": 1,
            "bin_step": 0.07,
            "temperature": 0.38,
        },
        licence="GPL-3.0-or-later, trained by Restora on colour photos from Debian and PyPI packages",
        how_to_get=(
            "they ship inside the restora package (restora/weights/); reinstall Restora, or retrain with "
            "`restora train colorize` and `restora models export` (docs/training/colorize.md)"
        ),
        sha256="f0ab77b1da3cfd1753b4a07e8e2b61b5e82f579033214de575e302255afcb487",
        description="Restora's own colorize generator (DeOldify-family U-Net, NoGAN phase-1 pick, 853 steps on a CPU) on Debian/PyPI photos",
        default=True,
    ),
)
