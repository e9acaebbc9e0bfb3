"""The colorize tool's weights: Restora's own NoGAN-trained generator, shipped in ``restora/weights/``;
DeOldify's published generators, which a user may bring (``ColorizeArtistic_gen.pth``,
``ColorizeStable_gen.pth``); and the readers for DeOldify's ``.pth`` files and Restora's training
checkpoints. torch is imported inside the readers only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from restora.weights import LoadedWeights, WeightsEntry, WeightsError, register_reader, torch_load

# Architectures of DeOldify's two published still-image generators (restora.nets.deoldify.PRESETS;
# shared/reference/models.md §4.1): written out so the registry is read without importing torch.
DEOLDIFY_ARTISTIC = {"net": "deoldify", "decoder": "deep", "encoder": "resnet34", "nf_factor": 1.5}
DEOLDIFY_STABLE = {"net": "deoldify", "decoder": "wide", "encoder": "resnet101", "nf_factor": 2}
DEOLDIFY_LICENCE = "MIT (DeOldify's code and weights, jantic/DeOldify); Restora does not redistribute them"

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
        sha256="7e123511bd086e7c184391479fb4302c2b666df70a3951ec8cada910d0293767",
        description="Restora's own colorize generator (DeOldify-family U-Net, NoGAN phase-1 pick, 853 steps on a CPU) on Debian/PyPI photos",
        default=True,
    ),
    *(
        WeightsEntry(
            name=f"deoldify-{preset}",
            tool="colorize",
            filename=filename,
            kind="official",
            architecture=architecture,
            licence=DEOLDIFY_LICENCE,
            how_to_get=(
                f"download {filename} from the \"Pretrained Weights\" section of DeOldify's README "
                "(github.com/jantic/DeOldify) and copy it into the models folder"
            ),
            description=description,
            family="deoldify-pth",
        )
        for preset, filename, architecture, description in (
            ("artistic", "ColorizeArtistic_gen.pth", DEOLDIFY_ARTISTIC,
             "DeOldify Artistic (Antic 2019): ResNet-34 encoder, deep decoder, nf_factor 1.5"),
            ("stable", "ColorizeStable_gen.pth", DEOLDIFY_STABLE,
             "DeOldify Stable (Antic 2019): ResNet-101 encoder, wide decoder, nf_factor 2"),
        )
    ),
)


def deoldify_weights(raw: Any, source: str, architecture: dict[str, Any] | None) -> LoadedWeights:
    """A DeOldify generator file's contents -> LoadedWeights with the configuration found in the file.

    :raises WeightsError: when it is no DeOldify generator, or not the one the registry entry names.
    """
    from restora.nets.deoldify import detect_config, preset_name, unwrap_state_dict

    try:
        state = unwrap_state_dict(raw)
        found = detect_config(state).architecture()
    except ValueError as exc:
        raise WeightsError(f"{source}: {exc}") from None
    if architecture is not None and dict(architecture) != found:
        # e.g. the Stable file saved under the Artistic name: say so rather than fail on a missing key
        name = preset_name(detect_config(state)) or "another DeOldify generator"
        raise WeightsError(f"{source} holds DeOldify's {name} generator ({found}), not the expected {architecture}")
    return LoadedWeights(state, found, source)


@register_reader("deoldify-pth")
def read_deoldify(path: Path, architecture: dict[str, Any] | None) -> LoadedWeights:
    """``ColorizeArtistic_gen.pth`` / ``ColorizeStable_gen.pth`` (fastai's ``{'model': ..., 'opt': ...}``
    or a bare state dict)."""
    return deoldify_weights(torch_load(path), str(path), architecture)


@register_reader("colorize:torch")
def read_torch_file(path: Path, architecture: dict[str, Any] | None) -> LoadedWeights:
    """Any other ``.pth``/``.pt`` given as a path: a Restora training checkpoint (``runs/NAME/checkpoints/
    latest.pt``, which records its net's configuration) or a DeOldify generator under another name (such as
    ``ColorizeVideo_gen.pth``, which has Stable's layout)."""
    raw = torch_load(path)
    if isinstance(raw, dict) and isinstance(raw.get("generator"), dict):
        recorded = raw.get("generator_config")
        if not isinstance(recorded, dict):
            raise WeightsError(f"{path} is a training checkpoint that does not record its generator_config")
        return LoadedWeights(raw["generator"], {"net": "colorize-unet", **recorded}, str(path))
    return deoldify_weights(raw, str(path), architecture)
