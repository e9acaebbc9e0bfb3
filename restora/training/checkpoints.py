"""Training checkpoints: written atomically, holding everything ``--resume`` needs to continue exactly.

Layout: ``{"generator", "critic", "optimizers": {"generator", "critic"}, "step", "rng states",
"config", "generator_config", "elapsed_s"}``. ``generator`` is a plain state dict and
``generator_config`` the ``GeneratorConfig`` fields, so exporting weights needs nothing else.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

LATEST = "latest.pt"
BEST = "best.pt"  # the checkpoint with the highest validation gain so far


def save_checkpoint(folder: Path, state: dict[str, Any], keep_as: str | None = None, name: str = LATEST) -> Path:
    """Write ``name`` (``latest.pt``; via a temporary file and rename, so a crash never leaves half a
    file); also keep a copy named ``keep_as`` when given."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    tmp = folder / f".{name}.tmp"
    torch.save(state, tmp)
    os.replace(tmp, target)
    if keep_as and not (folder / keep_as).exists():
        os.link(target, folder / keep_as)  # a hard link: no second copy on disk until latest.pt moves on
    return target


def load_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint written by ``save_checkpoint`` (a file, or a folder holding ``latest.pt``)."""
    path = path / LATEST if path.is_dir() else path
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    return torch.load(path, map_location="cpu", weights_only=True)


# What a generator-only checkpoint keeps: enough to export, evaluate or start a new run from
# (--init-generator), not to --resume. At ngf 32 a full checkpoint (both nets, Adam's moments) is 37 MB,
# more than a lent GPU machine hands back per file (16 MiB); the generator alone is 11 MB.
GENERATOR_ONLY = ("generator", "generator_config", "config", "step", "elapsed_s", "best_val_gain", "machine")


def save_generator_only(source: Path, target: Path) -> Path:
    """Write ``source``'s generator-only part to ``target`` (atomically)."""
    state = load_checkpoint(source)
    return save_checkpoint(target.parent, {k: state[k] for k in GENERATOR_ONLY if k in state}, name=target.name)


def load_generator(path: Path):
    """``(GeneratorConfig, DeblurGenerator)`` from a training checkpoint, ready for export or inference."""
    from restora.nets.deblur import DeblurGenerator, GeneratorConfig

    state = load_checkpoint(path)
    config = GeneratorConfig(**state["generator_config"])
    net = DeblurGenerator(config)
    net.load_state_dict(state["generator"], strict=True)
    return config, net.eval()
