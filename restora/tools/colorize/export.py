"""A colorize training checkpoint (``generator_phase.pt``, ``gan_*.pt``, ``inflection.pt``, ``latest.pt``)
as shipped weights: safetensors with the architecture in the metadata, read back by ``build_generator``."""

from __future__ import annotations

import argparse
from pathlib import Path

from restora.nets.colorize import ColorizeGenerator, ColorizeNetConfig
from restora.tools.colorize.inference import architecture_of
from restora.training.checkpoints import load_checkpoint


def load_run_generator(path: Path) -> tuple[ColorizeGenerator, dict]:
    """The generator of a training checkpoint (eval mode, spectral norms kept) and the checkpoint itself."""
    state = load_checkpoint(path)
    config = ColorizeNetConfig(**{k: tuple(v) if isinstance(v, list) else v
                                  for k, v in state["generator_config"].items()})
    net = ColorizeGenerator(config)
    net.load_state_dict(state["generator"], strict=True)
    return net.eval(), state


def export_generator(checkpoint: Path, target: Path) -> str:
    """Write ``target`` (safetensors) from ``checkpoint``; returns its sha256."""
    from restora.weights import save_safetensors, sha256_of

    net, _ = load_run_generator(checkpoint)
    save_safetensors(net.state_dict(), architecture_of(net.config), target, "colorize")
    return sha256_of(target)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--out", type=Path, default=Path("restora/weights/colorize-debian.safetensors"))
    args = parser.parse_args(argv)
    print(f"{args.out} sha256 {export_generator(args.checkpoint, args.out)}")


if __name__ == "__main__":
    main()
