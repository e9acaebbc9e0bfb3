"""``restora train deblur``: the DeblurGAN generator trained as a WGAN-GP (or a weight-clipped WGAN).

Algorithm per generator step (DeblurGAN ``conditional_gan_model.py``; WGAN-GP, Gulrajani et al. 2017):
  fake = G(blurred)                                   one forward, reused by all critic steps
  repeat critic_iters times: update D on D(fake) − D(sharp) (+ gp_weight · penalty | then clip weights)
  update G on content(fake, sharp) + adv_weight · (−D(fake)), with D frozen
Steps before ``warmup_steps`` train G on the content loss alone (no critic): far cheaper per step, and
the critic then starts against a generator that already produces images worth criticising.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from restora.options import option
from restora.nets.deblur import CriticConfig, DeblurCritic, DeblurGenerator, GeneratorConfig
from restora.training.checkpoints import BEST, LATEST, load_checkpoint, save_checkpoint
from restora.tools.deblur.data import PairConfig, PairMaker, prefetch, validation_pairs
from restora.training.losses import ContentLoss, clip_weights, gradient_penalty
from restora.imaging.metrics import psnr, quantise
from restora.training.report import MetricsLog, plot_curves, save_sample_grid

GAN_MODES = ("wgan-gp", "wgan-clip")
PAIR_MAKERS = ("cpu", "device")
PRECISIONS = ("float32", "bfloat16")


CONTENT_LOSSES = ("l1", "l1+grad", "l1+fft", "perceptual")
KINDS = ("linear", "trajectory", "mixed", "mixed-light")
DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class DeblurTrainConfig:
    """The recipe of a run; each field is an option of `restora train deblur` (restora.options)."""

    # generator: the CPU-friendly default (no norm, no dropout) learned fastest in the calibration
    ngf: int = option(32, "Generator width (its first conv's channels).")
    n_blocks: int = option(6, "Residual blocks of the generator.", flag="--blocks")
    norm: str = option("none", "Normalisation in the generator.", choices=("instance", "none"))
    dropout: float = option(0.0, "Dropout in the residual blocks (DeblurGAN: 0.5).")
    # critic width: at 32 its 5 updates per step cost 2.5× the generator step on a CPU
    ndf: int = option(16, "Critic width (its first conv); the critic costs 5 updates per generator step.")
    # adversarial game
    gan: str = option("wgan-gp", "The adversarial game.", choices=GAN_MODES)
    gp_weight: float = option(10.0, "Gradient-penalty weight (wgan-gp).")
    clip_value: float = option(0.01, "Weight clipping bound (wgan-clip only, Arjovsky et al.).")
    critic_iters: int = option(5, "Critic updates per generator step.")
    # Adam, both nets (wgan-clip: RMSprop for the critic, as the WGAN paper advises)
    lr: float = option(1e-4, "Learning rate of both nets.")
    # DeblurGAN keeps the rate for half the run and then lowers it linearly to zero.
    lr_decay_from: float = option(1.0, "Fraction of the run (steps, or --time-limit if that ends it first) after "
                                  "which the rate falls linearly to 0; 1 = constant.")
    beta1: float = option(0.5, "Adam beta1.")
    beta2: float = option(0.999, "Adam beta2.")
    content: str = option("l1+grad", "Content loss; 'perceptual' needs --perceptual-weights.", choices=CONTENT_LOSSES)
    # the critic's gradient is ~200× an L1 mean's per pixel at 128² (see docs)
    adv_weight: float = option(1e-3, "Weight of the adversarial term in the generator's loss.")
    warmup_steps: int = option(0, "Content-only generator steps before the adversarial phase starts.")
    # so a time-limited run on an unknown machine still ends with its GAN phase
    adversarial_from: float = option(0.0, "Also keep the adversarial phase off until this fraction of the run "
                                     "(steps or --time-limit).")
    # data
    crop: int = option(128, "Side of the training crops (a multiple of 4).")
    batch: int = option(8, "Crops per step.")
    val_crop: int = option(256, "Side of the fixed validation crops.")
    kind: str = option("mixed", "Kernel family; mixed-light adds 15 % light or no blur (see docs).", choices=KINDS)
    pairs: str = option("cpu", "Make training pairs with Pillow/scipy on the CPU, or as tensor operations on the "
                        "training device (for a GPU).", choices=PAIR_MAKERS)
    kernel_bank: int = option(4096, "With --pairs device: blur kernels drawn once per run (each also used "
                              "turned and mirrored).")
    seed: int = option(0, "Seed of the nets' initialisation and of the data.")
    # bookkeeping
    steps: int = option(200_000, "Stop at this generator step.")
    time_limit_min: float = option(0.0, "Stop after this many minutes (0: none).", flag="--time-limit")
    threads: int = option(2, "Torch threads.")
    device: str = option("auto", "Where to train; auto = a CUDA GPU when PyTorch sees one.", choices=DEVICES)
    # measured 2× faster per step on a CPU with AMX (docs/training/deblur.md §7)
    precision: str = option("float32", "bfloat16: forward passes under autocast, about 2× faster on CPUs with AMX "
                            "and on GPUs.", choices=PRECISIONS)
    workers: int = option(0, "Processes making training pairs (0: one thread). Use several to keep a GPU fed.")
    log_every: int = option(10, "Write a metrics row every this many steps.")
    val_every: int = option(250, "Validate every this many steps.")
    sample_every: int = option(1000, "Save a sample grid every this many steps.")
    checkpoint_min: float = option(5.0, "Save latest.pt this often (minutes).")
    keep_every: int = option(5000, "Also keep step_XXXXXXX.pt every this many steps.")
    perceptual_weights: str = option("", "A local VGG19 state dict (torchvision layout) for the perceptual loss; "
                                     "never downloaded.")
    # Training runs live outside git, so a new session continues from what was shipped. The critic and
    # optimisers start fresh; the weights must have exactly this run's generator layout (or a smaller one, grown).
    init_generator: str = option("", "Start the generator from these weights (e.g. deblur-debian) instead of a "
                                 "random init.")

    def __post_init__(self) -> None:
        if self.gan not in GAN_MODES:
            raise ValueError(f"gan must be one of {GAN_MODES}, got {self.gan!r}")
        if self.crop % 4:
            raise ValueError("crop must be a multiple of 4")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {self.precision!r}")
        if self.content == "perceptual" and not self.perceptual_weights:
            raise ValueError("--content perceptual needs --perceptual-weights PATH")
        if self.pairs not in PAIR_MAKERS:
            raise ValueError(f"pairs must be one of {PAIR_MAKERS}, got {self.pairs!r}")
        if not 0.0 <= self.lr_decay_from <= 1.0:
            raise ValueError("lr_decay_from must be a fraction of the run between 0 and 1")
        if not 0.0 <= self.adversarial_from < 1.0:
            raise ValueError("adversarial_from must be a fraction of the run, at least 0 and below 1")

    @property
    def generator(self) -> GeneratorConfig:
        return GeneratorConfig(ngf=self.ngf, n_blocks=self.n_blocks, norm=self.norm, dropout=self.dropout)

    @property
    def critic(self) -> CriticConfig:
        return CriticConfig(ndf=self.ndf)


# Knobs that only control how long a run goes or how often it reports; a resumed run may change them.
RUN_CONTROL = {"steps", "time_limit_min", "threads", "device", "precision", "workers", "log_every", "val_every",
               "sample_every", "checkpoint_min", "keep_every"}


def _tensor(a: np.ndarray | torch.Tensor) -> torch.Tensor:
    return a if isinstance(a, torch.Tensor) else torch.from_numpy(np.ascontiguousarray(a))


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda: this machine has no CUDA GPU that PyTorch can use")
    return torch.device(name)


class DeblurTrainer:
    def __init__(self, config: DeblurTrainConfig, data: Path, out: Path) -> None:
        self.config, self.data, self.out = config, data, out
        self.device = pick_device(config.device)
        torch.manual_seed(config.seed)  # the nets are initialised on the CPU: the same weights on any device
        # channels-last: oneDNN and cuDNN run these convolutions without reordering every activation
        self.generator = DeblurGenerator(config.generator).to(self.device, memory_format=torch.channels_last)
        self.critic = DeblurCritic(config.critic).to(self.device, memory_format=torch.channels_last)
        betas = (config.beta1, config.beta2)
        self.g_opt = torch.optim.Adam(self.generator.parameters(), lr=config.lr, betas=betas)
        if config.gan == "wgan-gp":
            self.d_lr = config.lr
            self.d_opt = torch.optim.Adam(self.critic.parameters(), lr=self.d_lr, betas=betas)
        else:
            self.d_lr = config.lr / 2  # WGAN paper: 5e-5
            self.d_opt = torch.optim.RMSprop(self.critic.parameters(), lr=self.d_lr)
        weights = Path(config.perceptual_weights) if config.perceptual_weights else None
        self.content = ContentLoss(config.content, weights)
        self.step = 0
        self.elapsed = 0.0
        self.best_val_gain = float("-inf")

    # --- the algorithm -------------------------------------------------------------------------
    def autocast(self) -> torch.autocast:
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.config.precision == "bfloat16")

    # The steps return their losses as detached tensors, not floats: reading a float waits for the GPU, and
    # the loop only needs them every log_every steps (about 15 such waits per adversarial step otherwise).
    def critic_step(self, sharp: torch.Tensor, fake: torch.Tensor) -> dict[str, torch.Tensor]:
        self.d_opt.zero_grad(set_to_none=True)
        with self.autocast():
            real_score = self.critic(sharp).float().mean()
            fake_score = self.critic(fake).float().mean()
            penalty = torch.zeros((), device=self.device)
            if self.config.gan == "wgan-gp":
                penalty = gradient_penalty(self.critic, sharp, fake).float()
        loss = fake_score - real_score  # minimising this maximises the Wasserstein estimate
        if self.config.gan == "wgan-gp":
            loss = loss + self.config.gp_weight * penalty
        loss.backward()
        self.d_opt.step()
        if self.config.gan == "wgan-clip":
            clip_weights(self.critic, self.config.clip_value)
        return {"critic": loss.detach(), "wasserstein": (real_score - fake_score).detach(), "penalty": penalty.detach()}

    def generator_step(self, sharp: torch.Tensor, fake: torch.Tensor, adversarial: bool) -> dict[str, torch.Tensor]:
        self.g_opt.zero_grad(set_to_none=True)
        content = self.content(fake, sharp)
        loss = content
        adv = torch.zeros((), device=self.device)
        if adversarial:
            self.critic.requires_grad_(False)  # the generator's update must not move the critic
            with self.autocast():
                adv = -self.critic(fake).float().mean()
            loss = loss + self.config.adv_weight * adv
        loss.backward()
        self.g_opt.step()
        self.critic.requires_grad_(True)
        return {"content": content.detach(), "adversarial": adv.detach()}

    def set_learning_rate(self, progress: float) -> float:
        """Constant until ``lr_decay_from`` of the run, then linearly down to zero at its end."""
        start = self.config.lr_decay_from
        scale = 1.0 if progress <= start or start >= 1.0 else max(0.0, (1.0 - progress) / (1.0 - start))
        lr = self.config.lr * scale
        for opt, base in ((self.g_opt, self.config.lr), (self.d_opt, self.d_lr)):
            for group in opt.param_groups:
                group["lr"] = base * scale
        return lr

    def is_adversarial(self, progress: float) -> bool:
        """Whether the step at ``progress`` (fraction of the run) trains against the critic."""
        return self.step >= self.config.warmup_steps and progress >= self.config.adversarial_from

    def train_step(self, blurred: torch.Tensor, sharp: torch.Tensor, progress: float = 0.0) -> dict:
        self.generator.train()
        blurred = blurred.to(self.device, non_blocking=True).contiguous(memory_format=torch.channels_last)
        sharp = sharp.to(self.device, non_blocking=True).contiguous(memory_format=torch.channels_last)
        adversarial = self.is_adversarial(progress)
        with self.autocast():
            fake = self.generator(blurred).float()  # the net adds its residual to the float32 input
        losses: dict = {}
        if adversarial:
            for _ in range(self.config.critic_iters):
                losses = self.critic_step(sharp, fake.detach())
        losses |= self.generator_step(sharp, fake, adversarial)
        losses["phase"] = "adversarial" if adversarial else "warmup"
        self.step += 1
        return losses

    # --- state -----------------------------------------------------------------------------------
    def state(self) -> dict:
        return {
            "generator": self.generator.state_dict(),
            "critic": self.critic.state_dict(),
            "optimizers": {"generator": self.g_opt.state_dict(), "critic": self.d_opt.state_dict()},
            "step": self.step,
            "rng states": {"torch": torch.get_rng_state(), **self._cuda_rng()},
            "config": asdict(self.config),
            "generator_config": asdict(self.config.generator),
            "elapsed_s": self.elapsed,
            "best_val_gain": self.best_val_gain,
            "machine": self.machine(),  # for the model card: where the (latest) training happened
        }

    def machine(self) -> str:
        if self.device.type == "cuda":
            return f"{torch.cuda.get_device_name(self.device)} (CUDA)"
        from restora.training.export import cpu_name

        return f"{cpu_name()} ({torch.get_num_threads()} torch threads, CPU only)"

    def load_state(self, state: dict) -> None:
        self.generator.load_state_dict(state["generator"])
        self.critic.load_state_dict(state["critic"])
        self.g_opt.load_state_dict(state["optimizers"]["generator"])
        self.d_opt.load_state_dict(state["optimizers"]["critic"])
        self.step = int(state["step"])
        self.elapsed = float(state["elapsed_s"])
        self.best_val_gain = float(state.get("best_val_gain", float("-inf")))  # absent before best.pt existed
        torch.set_rng_state(state["rng states"]["torch"])
        if self.device.type == "cuda" and "cuda" in state["rng states"]:
            torch.cuda.set_rng_state(state["rng states"]["cuda"], self.device)

    def _cuda_rng(self) -> dict[str, torch.Tensor]:
        # the penalty's interpolation weights are drawn on the training device: resume needs its generator
        return {"cuda": torch.cuda.get_rng_state(self.device)} if self.device.type == "cuda" else {}

    # --- measurement -----------------------------------------------------------------------------
    @torch.inference_mode()
    def restore(self, blurred: np.ndarray) -> np.ndarray:
        self.generator.eval()
        x = _tensor(blurred.transpose(2, 0, 1)[None] * 2 - 1).to(self.device)
        return ((self.generator(x)[0].cpu().numpy().transpose(1, 2, 0) + 1) / 2).clip(0, 1)

    def validate(self, pairs: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
        # rounded to 8 bits first, as a saved file would be, so validation agrees with `restora eval`
        before = [psnr(quantise(s), quantise(b)) for b, s in pairs]
        after = [psnr(quantise(s), quantise(self.restore(b))) for b, s in pairs]
        # a photo that is already sharp should come back unchanged: how close it does (higher is better)
        untouched = [psnr(quantise(s), quantise(self.restore(s))) for _, s in pairs]
        return {"val_psnr_blurred": float(np.mean(before)), "val_psnr_restored": float(np.mean(after)),
                "val_gain": float(np.mean(after) - np.mean(before)), "val_sharp_psnr": float(np.mean(untouched))}


def resolve_config(config: DeblurTrainConfig, out: Path, resume: bool) -> tuple[DeblurTrainConfig, dict | None]:
    """On resume, the saved recipe wins; only run-control knobs (steps, time limit, ...) come from now."""
    if not resume or not (out / "checkpoints" / LATEST).exists():
        return config, None
    state = load_checkpoint(out / "checkpoints")
    saved = {f.name: state["config"][f.name] for f in fields(DeblurTrainConfig) if f.name in state["config"]}
    control = {k: getattr(config, k) for k in RUN_CONTROL}
    resumed = replace(DeblurTrainConfig(**saved), **control)
    ignored = [f.name for f in fields(DeblurTrainConfig) if getattr(resumed, f.name) != getattr(config, f.name)]
    print(f"resuming {out} at step {state['step']} with its saved recipe"
          + (f" (ignoring new values of: {', '.join(ignored)})" if ignored else ""), file=sys.stderr)
    return resumed, state


def init_generator_from(generator: DeblurGenerator, config: DeblurTrainConfig) -> None:
    """Load ``config.init_generator`` into a fresh run's generator.

    Weights of a narrower or shallower layout of the same kind are grown into this run's layout first
    (:mod:`restora.tools.deblur.grow`), so a larger net starts from what a smaller one learned.

    :raises WeightsError: when the weights are missing or cannot become ``config.generator``.
    """
    from restora.config import load_settings
    from restora.tools.deblur.grow import can_grow, grow_generator
    from restora.weights import WeightsError, load_strict, load_weights

    weights = load_weights(config.init_generator, "deblur", load_settings())
    layout = GeneratorConfig(**weights.architecture) if weights.architecture else config.generator
    if layout == config.generator:
        load_strict(generator, weights)
        print(f"generator initialised from {weights.source}", file=sys.stderr)
        return
    if not can_grow(layout, config.generator):
        raise WeightsError(
            f"{weights.source} has the layout {weights.architecture}; this run is {config.generator}, which it "
            "cannot grow into (pass the same --ngf/--blocks/--norm/--dropout, or larger --ngf/--blocks)"
        )
    smaller = DeblurGenerator(layout)
    load_strict(smaller, weights)
    generator.load_state_dict(grow_generator(smaller, config.generator, seed=config.seed).state_dict())
    print(f"generator initialised from {weights.source}, grown from ngf {layout.ngf} / {layout.n_blocks} blocks "
          f"to ngf {config.ngf} / {config.n_blocks} blocks", file=sys.stderr)


def train_deblur(config: DeblurTrainConfig, data: Path, out: Path, resume: bool = False, progress: bool = True) -> DeblurTrainer:
    """Run (or continue) training until ``config.steps`` or the time limit; returns the trainer."""
    config, state = resolve_config(config, out, resume)
    torch.set_num_threads(config.threads)
    out.mkdir(parents=True, exist_ok=True)
    (out / "samples").mkdir(exist_ok=True)
    trainer = DeblurTrainer(config, data, out)
    if state is not None:
        trainer.load_state(state)
    elif config.init_generator:
        init_generator_from(trainer.generator, config)
    (out / "config.json").write_text(json.dumps(asdict(config), indent=1))
    log = MetricsLog(out / "metrics.csv", trainer.step if state is not None else None)
    pair_config = PairConfig(crop=config.crop, batch=config.batch, kind=config.kind)
    if config.pairs == "device":
        from restora.tools.deblur.device_pairs import DevicePairMaker

        # --workers draw its kernel bank; its batches come from one thread (the GPU does the heavy part)
        maker = DevicePairMaker(data, pair_config, config.seed, trainer.device, workers=config.workers,
                                bank_size=config.kernel_bank)
        batches = prefetch(maker, trainer.step, config.steps)
        val = validation_pairs(data, crop=config.val_crop)
    else:
        maker = PairMaker(data, pair_config, config.seed)
        batches = prefetch(maker, trainer.step, config.steps, workers=config.workers)
        val = validation_pairs(data, crop=config.val_crop)
    title = f"{config.gan}, {config.content}, ngf {config.ngf}, {config.n_blocks} blocks, norm {config.norm}"

    def report(row: dict, final: bool = False) -> None:
        if trainer.step % config.val_every == 0 or final:
            row |= trainer.validate(val)
            if trainer.step > 0 and row["val_gain"] > trainer.best_val_gain:
                trainer.best_val_gain = row["val_gain"]
                save_checkpoint(out / "checkpoints", trainer.state(), name=BEST)
            plot_curves(log.read() + [{k: str(v) for k, v in row.items()}], out / "loss_curve.png", title)
        log.write(row)
        if trainer.step % config.sample_every == 0:
            triples = [(b, trainer.restore(b), s) for b, s in val[:: max(1, len(val) // 4)][:4]]
            save_sample_grid(triples, out / "samples" / f"step_{trainer.step:07d}.png")
            save_sample_grid(triples, out / "samples.png")

    if trainer.step == 0:
        report({"step": 0, "elapsed_s": 0.0, "phase": "start"})
    last_save = time.monotonic()
    sums: dict = {}  # loss name -> sum since the last row (tensors on the training device, lr a float)
    summed = 0  # steps in ``sums``: a resumed run's first row may cover fewer than log_every steps
    bar = tqdm(total=config.steps, initial=trainer.step, disable=not progress, mininterval=5, unit="step")
    started = time.monotonic() - trainer.elapsed
    if trainer.device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # fixed crop size: let cuDNN pick its fastest convolutions
    print(f"training on {trainer.device}", file=sys.stderr)

    def progress_fraction() -> float:
        done = trainer.step / config.steps
        if config.time_limit_min > 0:
            done = max(done, trainer.elapsed / (config.time_limit_min * 60))
        return done

    for blurred, sharp in batches:
        progress = progress_fraction()
        lr = trainer.set_learning_rate(progress)
        losses = trainer.train_step(_tensor(blurred), _tensor(sharp), progress)
        losses["lr"] = lr
        trainer.elapsed = time.monotonic() - started
        phase = losses.pop("phase")
        for k, v in losses.items():
            sums[k] = sums.get(k, 0.0) + v
        summed += 1
        bar.update(1)
        out_of_time = config.time_limit_min > 0 and trainer.elapsed >= config.time_limit_min * 60
        final = trainer.step == config.steps or out_of_time
        if trainer.step % config.log_every == 0 or final:
            row = {"step": trainer.step, "elapsed_s": round(trainer.elapsed, 1), "phase": phase}
            row |= {k: round(float(v) / summed, 6) for k, v in sums.items()}
            bar.set_postfix(content=row.get("content"), w=row.get("wasserstein"))
            report(row, final)
            sums, summed = {}, 0
        keep = f"step_{trainer.step:07d}.pt" if trainer.step % config.keep_every == 0 else None
        if keep or out_of_time or time.monotonic() - last_save > config.checkpoint_min * 60:
            save_checkpoint(out / "checkpoints", trainer.state(), keep)
            last_save = time.monotonic()
        if out_of_time:
            break
    bar.close()
    save_checkpoint(out / "checkpoints", trainer.state())
    return trainer


def train_command(config: DeblurTrainConfig, *, data: Path, out: Path, resume: bool, no_progress: bool) -> str:
    """`restora train deblur`: train (or continue) and say where the run stopped."""
    pick_device(config.device)  # a missing GPU is a usage error now, not a traceback after the data loads
    trainer = train_deblur(config, data, out, resume=resume, progress=not no_progress)
    return f"stopped at step {trainer.step} after {trainer.elapsed / 3600:.2f} h; checkpoint in {out / 'checkpoints'}"
