"""``restora train``: train the nets Restora ships (deblur now; colorize and segment later)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def train() -> None:
    """Train a net on local data (CPU is fine; runs resume with --resume)."""


@train.command()
@click.option("--data", required=True, type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="A photo set from `restora data debian`.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Run folder (checkpoints, metrics).")
@click.option("--resume", is_flag=True, help="Continue exactly from OUT/checkpoints/latest.pt with its saved recipe.")
@click.option("--gan", type=click.Choice(["wgan-gp", "wgan-clip"]), default="wgan-gp", show_default=True)
@click.option("--content", type=click.Choice(["l1", "l1+grad", "l1+fft", "perceptual"]), default="l1+grad",
              show_default=True, help="Content loss; 'perceptual' needs --perceptual-weights.")
@click.option("--perceptual-weights", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="A local VGG19 state dict (torchvision layout) for the perceptual loss; never downloaded.")
@click.option("--ngf", type=int, default=32, show_default=True)
@click.option("--blocks", "n_blocks", type=int, default=6, show_default=True)
@click.option("--norm", type=click.Choice(["instance", "none"]), default="none", show_default=True)
@click.option("--dropout", type=float, default=0.0, show_default=True)
@click.option("--ndf", type=int, default=16, show_default=True, help="Critic width (its first conv); the critic costs 5 updates per generator step.")
@click.option("--lr", type=float, default=1e-4, show_default=True)
@click.option("--lr-decay-from", type=float, default=1.0, show_default=True,
              help="Fraction of the run (steps, or --time-limit if that ends it first) after which the rate falls linearly to 0; 1 = constant.")
@click.option("--adv-weight", type=float, default=1e-3, show_default=True)
@click.option("--critic-iters", type=int, default=5, show_default=True)
@click.option("--warmup-steps", type=int, default=0, show_default=True,
              help="Content-only generator steps before the adversarial phase starts.")
@click.option("--adversarial-from", type=float, default=0.0, show_default=True,
              help="Also keep the adversarial phase off until this fraction of the run (steps or --time-limit).")
@click.option("--crop", type=int, default=128, show_default=True)
@click.option("--batch", type=int, default=8, show_default=True)
@click.option("--val-crop", type=int, default=256, show_default=True, help="Side of the fixed validation crops.")
@click.option("--kind", type=click.Choice(["linear", "trajectory", "mixed", "mixed-light"]), default="mixed",
              show_default=True, help="Kernel family; mixed-light adds 15 % light or no blur (see docs).")
@click.option("--pairs", type=click.Choice(["cpu", "device", "folder"]), default="cpu", show_default=True,
              help="Make training pairs with Pillow/scipy on the CPU, or as tensor operations on the training device "
              "(for a GPU); folder: --data holds pairs from `restora data deconv-pairs` (the kernel method's "
              "results and the sharp crops).")
@click.option("--kernel-bank", type=int, default=4096, show_default=True,
              help="With --pairs device: blur kernels drawn once per run (each also used turned and mirrored).")
@click.option("--steps", type=int, default=200_000, show_default=True, help="Stop at this generator step.")
@click.option("--time-limit", "time_limit_min", type=float, default=0.0, help="Stop after this many minutes (0: none).")
@click.option("--threads", type=int, default=2, show_default=True)
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True,
              help="Where to train; auto = a CUDA GPU when PyTorch sees one.")
@click.option("--precision", type=click.Choice(["float32", "bfloat16"]), default="float32", show_default=True,
              help="bfloat16: forward passes under autocast, about 2× faster on CPUs with AMX and on GPUs.")
@click.option("--workers", type=int, default=0, show_default=True,
              help="Processes making training pairs (0: one thread). Use several to keep a GPU fed.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--log-every", type=int, default=10, show_default=True)
@click.option("--val-every", type=int, default=250, show_default=True)
@click.option("--sample-every", type=int, default=1000, show_default=True)
@click.option("--checkpoint-min", type=float, default=5.0, show_default=True, help="Save latest.pt this often (minutes).")
@click.option("--init-generator", default="", metavar="NAME|PATH",
              help="Start the generator from these weights (e.g. deblur-debian) instead of a random init.")
@click.option("--no-progress", is_flag=True, help="No progress bar (for logs).")
def deblur(data: Path, out: Path, resume: bool, perceptual_weights: Path | None, no_progress: bool, **knobs) -> None:
    """Train the deblur generator as a WGAN-GP (or weight-clipped WGAN) on blurred Debian photos."""
    from restora.training.deblur import DeblurTrainConfig, pick_device, train_deblur

    if knobs["content"] == "perceptual" and perceptual_weights is None:
        raise click.UsageError("--content perceptual needs --perceptual-weights PATH")
    try:
        config = DeblurTrainConfig(perceptual_weights=str(perceptual_weights or ""), **knobs)
        pick_device(config.device)  # a missing GPU is a usage error now, not a traceback after the data loads
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    from restora.weights import WeightsError

    try:
        trainer = train_deblur(config, data, out, resume=resume, progress=not no_progress)
    except WeightsError as exc:
        click.echo(f"restora: {exc}", err=True)
        raise SystemExit(4) from None
    click.echo(f"stopped at step {trainer.step} after {trainer.elapsed / 3600:.2f} h; checkpoint in {out / 'checkpoints'}")
