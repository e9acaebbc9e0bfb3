"""The deblur tool's weights: Restora's shipped generator, DeblurGAN's official file, and the readers for
DeblurGAN's ``.pth`` layout and Restora's own training checkpoints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from restora.weights import LoadedWeights, WeightsEntry, WeightsError, register_reader, torch_load

# DeblurGAN v1 as released: ResnetGenerator, 9 blocks, ngf 64, InstanceNorm, dropout, global skip
# (shared/reference/models.md §1.1).
GENERATOR_FIELDS = ("ngf", "n_blocks", "norm", "dropout", "learn_residual")  # GeneratorConfig's fields
DEBLURGAN_ARCHITECTURE = {"ngf": 64, "n_blocks": 9, "norm": "instance", "dropout": 0.5, "learn_residual": True}

WEIGHTS = (
    WeightsEntry(
        name="deblur-debian",
        tool="deblur",
        filename="deblur-debian.safetensors",
        kind="shipped",
        # DeblurGAN's 9 blocks at a quarter of its width: 0.26 s per megapixel on a 2-core CPU in
        # bfloat16, 0.57 s in float32 (docs/training/deblur.md §7).
        architecture={"ngf": 16, "n_blocks": 9, "norm": "none", "dropout": 0.0, "learn_residual": True},
        licence="GPL-3.0-or-later, trained by Restora on photos from Debian packages",
        how_to_get=(
            "they ship inside the restora package (restora/weights/); reinstall Restora, or retrain with "
            "`restora train deblur` and `restora models export` (docs/training/deblur.md)"
        ),
        sha256="f2e7bf8a7f9981e6c91f65ec3ca0dfefeadaae470881f5391f200d13d46badee",
        description="Restora's own deblur generator, WGAN-GP on Debian photos, 14,562 steps on a GPU and "
        "6,712 on a CPU (short of the quality target: see its model card)",
        default=True,
    ),
    WeightsEntry(
        name="deblurgan-v1",
        tool="deblur",
        filename="latest_net_G.pth",
        kind="official",
        architecture=DEBLURGAN_ARCHITECTURE,
        licence="not stated for the weights by the DeblurGAN authors; Restora does not redistribute them",
        how_to_get=(
            "download latest_net_G.pth from the DeblurGAN README (github.com/KupynOrest/DeblurGAN, Google Drive "
            "id 1liKzdjMRHZ-i5MWhC72EL7UZLNPj5_8Y) and copy it into the models folder"
        ),
        description="DeblurGAN v1 (Kupyn et al. 2018), the authors' released generator",
        family="deblurgan-pth",
    ),
)


ONE_CONV_VARIANT = (
    "it is the 2019 one-conv-per-block DeblurGAN checkpoint: code after DeblurGAN PR #134 has an "
    "operator-precedence bug that builds each residual block with a single conv, and the files saved by it "
    "(such as the repository's checkpoints/experiment_name/latest_net_G.pth) do not have the layout of the "
    "released latest_net_G.pth, which Restora loads; use the file linked from the DeblurGAN README instead"
)


def clean_deblurgan_state_dict(raw: Any, source: str) -> dict[str, Any]:
    """DeblurGAN's ``latest_net_G.pth`` contents -> a state dict for ``DeblurGenerator`` (strict).

    Accepts a bare state dict or one wrapped in ``{"model": ...}`` / ``{"state_dict": ...}``, strips a
    ``module.`` prefix (DataParallel), and drops InstanceNorm ``running_mean``/``running_var``: files saved
    by PyTorch < 0.4 carry them although the norm has no running statistics (models.md §1.3).

    :raises WeightsError: for the one-conv-per-block variant or anything that is not a generator.
    """
    if isinstance(raw, dict):
        for wrapper in ("model", "state_dict"):
            if isinstance(raw.get(wrapper), dict):
                raw = raw[wrapper]
                break
    if not isinstance(raw, dict) or not raw or not all(isinstance(k, str) for k in raw):
        raise WeightsError(f"{source} does not hold a state dict")
    state = {key.removeprefix("module."): value for key, value in raw.items()}
    state = {k: v for k, v in state.items() if not k.endswith(("running_mean", "running_var", "num_batches_tracked"))}
    if "model.1.weight" not in state:
        raise WeightsError(f"{source} is not a DeblurGAN generator (no model.1.weight)")
    if any(k.startswith("model.10.conv_block.") for k in state) and "model.10.conv_block.6.weight" not in state:
        raise WeightsError(f"{source} cannot be used: {ONE_CONV_VARIANT}")
    return state


@register_reader("deblur:torch")
@register_reader("deblurgan-pth")
def read_torch_checkpoint(path: Path, architecture: dict[str, Any] | None) -> LoadedWeights:
    """A ``.pth``/``.pt`` file: a Restora training checkpoint, or DeblurGAN's official generator."""
    raw = torch_load(path)
    if isinstance(raw, dict) and isinstance(raw.get("generator"), dict):
        # Restora's own training checkpoint: it records its architecture, older ones in the run's config.json.
        recorded = raw.get("generator_config")
        found = architecture or (recorded if isinstance(recorded, dict) else architecture_of_run(path.parent))
        return LoadedWeights(raw["generator"], dict(found), str(path))
    return LoadedWeights(
        clean_deblurgan_state_dict(raw, str(path)), dict(architecture or DEBLURGAN_ARCHITECTURE), str(path)
    )


def architecture_of_run(run_dir: Path) -> dict[str, Any]:
    """The generator architecture recorded in a training run's config.json."""
    config_path = run_dir / "config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise WeightsError(f"cannot read the run's architecture from {config_path}: {exc}") from None
    for key in ("generator_config", "generator"):
        if isinstance(config.get(key), dict):
            return config[key]
    # A flat run config: the generator's fields sit beside the trainer's.
    flat = {key: config[key] for key in GENERATOR_FIELDS if key in config}
    if "ngf" not in flat or "n_blocks" not in flat:
        raise WeightsError(f"{config_path} does not record the generator's ngf and n_blocks")
    return flat
