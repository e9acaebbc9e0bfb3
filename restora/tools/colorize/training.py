"""``restora train colorize``: the colorize generator trained with DeOldify's NoGAN recipe.

NoGAN (Antic 2019; ``shared/reference/models.md`` §4.4), in three phases on one run:
  1. "generator": G alone on a non-adversarial loss. No ImageNet weights exist offline, so instead of
     DeOldify's VGG feature loss: Zhang et al.'s class-rebalanced cross-entropy over chroma bins (colour)
     plus smooth-L1 on the annealed-mean U,V (placement); plain regression came out pale.
  2. "critic": the critic alone, a binary classifier of real chroma vs G's (G frozen, its live outputs).
  3. "gan": a short adversarial phase at a low rate (Adam betas (0, 0.9), critic rate ×5, as DeOldify);
     every ``gan_checkpoint_every`` steps G is scored on the validation photos and kept; the best score
     (PSNR gain over grey plus colourfulness) is the "inflection point", picked and plotted at the end.
Inputs are made old on the fly in luminance only (``degrade.py``); targets are the clean chroma.
A step's batch and torch random state are functions of (seed, phase, step): ``resume`` continues exactly.
"""

from __future__ import annotations

import csv
import json
import math
import os
import platform
import time
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from restora.options import option
from restora.imaging.colour import luma, yuv_to_rgb
from restora.imaging.metrics import psnr
from restora.nets.colorize import ColorizeCritic, ColorizeGenerator, ColorizeNetConfig, CriticConfig
from restora.tools.colorize.data import BatchConfig, PhotoSet
from restora.tools.colorize.degrade import DegradeConfig
from restora.tools.colorize.inference import predict_chroma
from restora.tools.colorize.losses import bin_frequencies, colourfulness, rebalanced_cross_entropy, rebalancing_weights
from restora.training.checkpoints import LATEST, load_checkpoint, save_checkpoint

PHASES = ("generator", "critic", "gan")
UV_SCALE = 0.3  # chroma is divided by this before the critic sees it (|U|, |V| up to 0.44, 0.62)


def knob(default, help: str):  # noqa: A002 - the config field with its --help (restora.options)
    return option(default, help)


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(t) for t in text.split(","))


@dataclass(frozen=True)
class ColorizeTrainConfig:
    widths: str = knob("16,32,64,128,192", "encoder widths per level, comma-separated (stem at 1/2 to 1/32)")
    blocks: str = knob("1,1,2,2,1", "ResNet blocks per encoder level, comma-separated")
    decoder: str = knob("128,96,64,32", "decoder widths from 1/16 up to 1/2, comma-separated")
    bin_step: float = knob(0.07, "chroma bin size in U,V units (0.07: 185 in-gamut bins)")
    ndf: int = knob(32, "critic width (DeOldify: 256 on a GPU)")
    crop: int = knob(128, "training crop side in pixels, a multiple of 32")
    batch: int = knob(12, "crops per step")
    people_weight: float = knob(5.0, "how much more often a photo with people is drawn")
    hue_balance: float = knob(0.5, "photo weight ∝ (photos of its hue group)^-this; 0 turns colour balancing off")
    ce_weight: float = knob(1.0, "weight of the class-rebalanced cross-entropy over chroma bins")
    l1_weight: float = knob(1.0, "weight of smooth-L1 on the annealed-mean chroma")
    rebalance_mix: float = knob(0.5, "Zhang's lambda: 0 = full rebalancing towards rare colours, 1 = none")
    lr: float = knob(1e-3, "generator phase: AdamW learning rate (peak)")
    weight_decay: float = knob(1e-3, "AdamW weight decay (DeOldify: 1e-3)")
    critic_lr: float = knob(2e-4, "critic phase: Adam learning rate")
    gan_lr: float = knob(2e-5, "GAN phase: generator rate (DeOldify 1e-5 to 2e-5); the critic gets 5x")
    adv_weight: float = knob(1.0, "GAN phase: weight of the adversarial BCE next to the content loss")
    generator_steps: int = knob(100_000, "most steps of phase 1 (the time limit usually ends it first)")
    critic_steps: int = knob(100_000, "most steps of phase 2")
    gan_steps: int = knob(100_000, "most steps of phase 3")
    gan_checkpoint_every: int = knob(60, "GAN phase: score and keep the generator every this many steps")
    colour_weight: float = knob(2.0, "inflection score = val PSNR gain (dB) + this x min(colourfulness ratio, 1)")
    seed: int = knob(0, "seed of every random draw (batches, degradations, initialisation, dropout)")
    init: str = knob("", "phase 1 starts from this generator (a .safetensors export or a run's .pt checkpoint) "
                         "instead of random weights; its architecture must match")
    # run control: may change on --resume
    time_limit_min: float = knob(0.0, "total training time in minutes over the three phases (0 = steps only)")
    generator_share: float = knob(0.68, "with a time limit: phase 1 ends at this fraction of it")
    critic_share: float = knob(0.12, "with a time limit: phase 2 ends this fraction later; phase 3 has the rest")
    threads: int = knob(2, "torch threads")
    log_every: int = knob(10, "write a metrics row every this many steps")
    val_every: int = knob(200, "phase 1: score the generator on the validation photos every this many steps")
    render_size: int = knob(256, "validation: long side the net renders at")
    val_side: int = knob(384, "validation photos' long side (the net's chroma is merged with their own Y)")
    val_count: int = knob(12, "validation photos scored during training (the first of the val split)")
    checkpoint_min: float = knob(5.0, "save latest.pt at least this often (minutes)")
    stop_at_step: int = knob(0, "stop (with a checkpoint) at this global step, 0 = never; for resume tests")

    def __post_init__(self) -> None:
        if self.crop % 32:
            raise ValueError("crop must be a multiple of 32")
        if not (0 < self.generator_share and self.generator_share + self.critic_share < 1):
            raise ValueError("generator_share + critic_share must be below 1")

    @property
    def net(self) -> ColorizeNetConfig:
        return ColorizeNetConfig(widths=_ints(self.widths), blocks=_ints(self.blocks), decoder=_ints(self.decoder),
                                 bin_step=self.bin_step)

    @property
    def batches(self) -> BatchConfig:
        return BatchConfig(crop=self.crop, batch=self.batch, people_weight=self.people_weight,
                           hue_balance=self.hue_balance)


RUN_CONTROL = {"time_limit_min", "generator_share", "critic_share", "threads", "log_every", "val_every",
               "render_size", "val_side", "val_count", "checkpoint_min", "stop_at_step", "generator_steps", "critic_steps",
               "gan_steps"}
CSV_FIELDS = ["step", "phase", "phase_step", "elapsed_s", "lr", "ce", "l1", "adversarial", "critic", "critic_acc",
              "val_gain_db", "val_colourfulness", "val_score"]


class ColorizeTrainer:
    def __init__(self, config: ColorizeTrainConfig, train: PhotoSet, class_weights: np.ndarray) -> None:
        self.config, self.train = config, train
        torch.manual_seed(config.seed)
        self.generator = ColorizeGenerator(config.net)
        self.critic = ColorizeCritic(CriticConfig(ndf=config.ndf))
        self.class_weights = torch.from_numpy(class_weights)
        self.sigma = 0.5 * config.bin_step  # Zhang: σ = 5 for bins of 10
        self.degrade = DegradeConfig()
        self.phase, self.phase_step, self.step, self.elapsed = "generator", 0, 0, 0.0
        self.gan_scores: list[dict] = []
        if config.init:
            self.generator.load_state_dict(initial_generator(Path(config.init)), strict=True)
        self.make_optimisers()

    def make_optimisers(self) -> None:
        """Phases 1-2: AdamW for G, Adam for the critic; phase 3 (DeOldify's GAN phase): betas (0, 0.9),
        weight decay, the critic's rate 5x the generator's."""
        c = self.config
        if self.phase in ("generator", "critic"):
            self.g_opt = torch.optim.AdamW(self.generator.parameters(), lr=c.lr, weight_decay=c.weight_decay)
            self.d_opt = torch.optim.Adam(self.critic.parameters(), lr=c.critic_lr, betas=(0.5, 0.999))
        else:
            self.g_opt = torch.optim.AdamW(self.generator.parameters(), lr=c.gan_lr, betas=(0.0, 0.9),
                                           weight_decay=c.weight_decay)
            self.d_opt = torch.optim.AdamW(self.critic.parameters(), lr=5 * c.gan_lr, betas=(0.0, 0.9),
                                           weight_decay=c.weight_decay)

    # --- the algorithm ---------------------------------------------------------------------------
    def content_loss(self, logits: torch.Tensor, uv: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        c = self.config
        small = F.avg_pool2d(uv, 2)  # the logits are at half resolution
        ce = rebalanced_cross_entropy(logits, small, self.generator.bins, self.class_weights, self.sigma)
        fake = self.generator.decode(logits, tuple(uv.shape[-2:]))
        l1 = F.smooth_l1_loss(fake, uv, beta=0.05)
        return c.ce_weight * ce + c.l1_weight * l1, ce.detach(), l1.detach(), fake

    def critic_score(self, y: torch.Tensor, uv: torch.Tensor) -> torch.Tensor:
        return self.critic(torch.cat([(y - 0.45) / 0.25, uv / UV_SCALE], dim=1))

    def generator_step(self, degraded: torch.Tensor, y: torch.Tensor, uv: torch.Tensor, adversarial: bool) -> dict:
        self.g_opt.zero_grad(set_to_none=True)
        loss, ce, l1, fake = self.content_loss(self.generator.logits(degraded), uv)
        adv = torch.zeros(())
        if adversarial:
            self.critic.requires_grad_(False)  # G's update must not move the critic
            score = self.critic_score(y, fake)
            adv = F.binary_cross_entropy_with_logits(score, torch.ones_like(score))  # fool it: "real"
            loss = loss + self.config.adv_weight * adv
        loss.backward()
        self.g_opt.step()
        self.critic.requires_grad_(True)
        return {"ce": ce, "l1": l1, "adversarial": adv.detach(), "fake": fake.detach()}

    def critic_step(self, y: torch.Tensor, uv: torch.Tensor, fake: torch.Tensor) -> dict:
        self.d_opt.zero_grad(set_to_none=True)
        real_score, fake_score = self.critic_score(y, uv), self.critic_score(y, fake)
        loss = (F.binary_cross_entropy_with_logits(real_score, torch.ones_like(real_score))
                + F.binary_cross_entropy_with_logits(fake_score, torch.zeros_like(fake_score)))
        loss.backward()
        self.d_opt.step()
        accuracy = 0.5 * ((real_score > 0).float().mean() + (fake_score < 0).float().mean())
        return {"critic": loss.detach(), "critic_acc": accuracy.detach()}

    def train_step(self, progress: float) -> dict:
        """One step of the current phase on the batch of (seed, phase, step)."""
        c = self.config
        phase_index = PHASES.index(self.phase)
        torch.manual_seed(hash((c.seed, phase_index, self.phase_step)) % (2**62))  # dropout, per step
        degraded, y, uv = (torch.from_numpy(a) for a in self.train.batch(c.seed, phase_index, self.phase_step, self.degrade))
        if self.phase == "generator":
            lr = self.set_generator_lr(progress)
            return {"lr": lr, **self.generator_step(degraded, y, uv, adversarial=False)}
        if self.phase == "critic":
            self.generator.eval()
            with torch.no_grad():
                fake = self.generator(degraded)
            self.generator.train()
            return {"lr": c.critic_lr, **self.critic_step(y, uv, fake)}
        out = self.generator_step(degraded, y, uv, adversarial=True)
        return {"lr": c.gan_lr, **out, **self.critic_step(y, uv, out["fake"])}

    def set_generator_lr(self, progress: float) -> float:
        """200 steps of warm-up, then the peak rate, cosine down to a tenth over the phase's last 40 %."""
        c = self.config
        scale = min(1.0, (self.phase_step + 1) / 200)
        if progress > 0.6:
            scale *= 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (progress - 0.6) / 0.4))
        for group in self.g_opt.param_groups:
            group["lr"] = c.lr * scale
        return c.lr * scale

    # --- validation ------------------------------------------------------------------------------
    def validate(self, photos: list[np.ndarray]) -> dict:
        self.generator.eval()
        scores = score_generator(self.generator, photos, self.config.render_size, self.config.colour_weight)
        self.generator.train()
        return scores

    # --- state ---------------------------------------------------------------------------------
    def state(self) -> dict:
        return {"generator": self.generator.state_dict(), "critic": self.critic.state_dict(),
                "optimizers": {"generator": self.g_opt.state_dict(), "critic": self.d_opt.state_dict()},
                "phase": self.phase, "phase_step": self.phase_step, "step": self.step, "elapsed_s": self.elapsed,
                "config": asdict(self.config), "generator_config": asdict(self.config.net),
                "class_weights": self.class_weights, "gan_scores": json.dumps(self.gan_scores),
                "machine": f"{platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"}

    def load_state(self, state: dict) -> None:
        self.generator.load_state_dict(state["generator"])
        self.critic.load_state_dict(state["critic"])
        self.phase, self.phase_step, self.step = state["phase"], state["phase_step"], state["step"]
        self.elapsed, self.class_weights = state["elapsed_s"], state["class_weights"]
        self.gan_scores = json.loads(state["gan_scores"])
        self.make_optimisers()
        if self.phase != "done":
            self.g_opt.load_state_dict(state["optimizers"]["generator"])
            self.d_opt.load_state_dict(state["optimizers"]["critic"])


def initial_generator(path: Path) -> dict:
    """The generator state dict of ``path`` for a warm start: a shipped .safetensors export (spectral norms
    kept, as ``export.py`` writes them) or a training checkpoint of this module."""
    if not path.is_file():
        raise FileNotFoundError(f"--init {path}: no such file")
    if path.suffix == ".safetensors":
        from restora.weights import read_safetensors

        return read_safetensors(path).state_dict
    return load_checkpoint(path)["generator"]


def score_generator(net: ColorizeGenerator, photos: list[np.ndarray], render_size: int, colour_weight: float) -> dict:
    """Mean PSNR gain over the grey image, mean colourfulness over the originals' mean, and the inflection
    score (gain + colour_weight · min(ratio, 1)) of ``net`` (in eval mode) on uint8 RGB photos."""
    gains, ours, originals, samples = [], [], [], []
    for rgb in photos:
        original = rgb.astype(np.float32) / 255
        y = luma(rgb)
        result = yuv_to_rgb(np.dstack([y, predict_chroma(y, net, render_size)]))
        grey = np.repeat(y[..., None], 3, axis=2).clip(0, 1)
        gains.append(psnr(original, result) - psnr(original, grey))
        ours.append(colourfulness(result))
        originals.append(colourfulness(original))
        samples.append((grey, result, original))
    gain, ratio = float(np.mean(gains)), float(np.mean(ours) / np.mean(originals))
    return {"val_gain_db": gain, "val_colourfulness": ratio, "val_score": gain + colour_weight * min(ratio, 1.0),
            "worst_gain_db": float(np.min(gains)), "samples": samples[:4]}


# --- the run -------------------------------------------------------------------------------------------
class MetricsCsv:
    """metrics.csv; on resume the rows after the checkpoint's step are dropped (they will be written again)."""

    def __init__(self, path: Path, resume_step: int | None) -> None:
        self.path = path
        rows = self.read() if resume_step is not None and path.exists() else []
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, CSV_FIELDS)
            writer.writeheader()
            writer.writerows(r for r in rows if int(r["step"]) <= resume_step)

    def read(self) -> list[dict[str, str]]:
        with self.path.open(newline="") as handle:
            return list(csv.DictReader(handle))

    def write(self, row: dict) -> None:
        with self.path.open("a", newline="") as handle:
            csv.DictWriter(handle, CSV_FIELDS, extrasaction="ignore").writerow(row)


def resolve_config(config: ColorizeTrainConfig, out: Path, resume: bool) -> tuple[ColorizeTrainConfig, dict | None]:
    """On resume the saved recipe wins; only run-control knobs come from the new command."""
    if not resume or not (out / "checkpoints" / LATEST).exists():
        return config, None
    state = load_checkpoint(out / "checkpoints")
    control = {k: getattr(config, k) for k in RUN_CONTROL}
    return replace(ColorizeTrainConfig(**state["config"]), **control), state


def class_weights_for(train: PhotoSet, config: ColorizeTrainConfig) -> np.ndarray:
    bins = ColorizeGenerator(config.net).bins.numpy()
    frequencies = bin_frequencies(train.chroma_sample(), bins, smooth=config.bin_step)
    return rebalancing_weights(frequencies, config.rebalance_mix)


def phase_done(trainer: ColorizeTrainer) -> bool:
    c = trainer.config
    most = {"generator": c.generator_steps, "critic": c.critic_steps, "gan": c.gan_steps}[trainer.phase]
    if trainer.phase_step >= most:
        return True
    if c.time_limit_min <= 0:
        return False
    share = {"generator": c.generator_share, "critic": c.generator_share + c.critic_share, "gan": 1.0}[trainer.phase]
    return trainer.elapsed >= share * c.time_limit_min * 60


def phase_progress(trainer: ColorizeTrainer) -> float:
    c = trainer.config
    by_steps = trainer.phase_step / max(c.generator_steps, 1)
    by_time = trainer.elapsed / (c.generator_share * c.time_limit_min * 60) if c.time_limit_min > 0 else 0.0
    return min(1.0, max(by_steps, by_time))


def generator_only(trainer: ColorizeTrainer, scores: dict | None = None) -> dict:
    return {"generator": trainer.generator.state_dict(), "generator_config": asdict(trainer.config.net),
            "config": asdict(trainer.config), "phase": trainer.phase, "phase_step": trainer.phase_step,
            "step": trainer.step, "elapsed_s": trainer.elapsed, "scores": json.dumps(scores or {})}


def pick_inflection(scores: list[dict]) -> dict:
    """The GAN checkpoint with the best validation score (ties: the earliest)."""
    return max(scores, key=lambda s: (s["val_score"], -s["gan_step"]))


def train_colorize(config: ColorizeTrainConfig, data_dir: Path, out_dir: Path, resume: bool = False,
                   progress: bool = True) -> ColorizeTrainer:
    """Run (or continue) the three NoGAN phases; leaves checkpoints/, metrics.csv, curves.png,
    samples.png, inflection.png and inflection.json under ``out_dir``."""
    config, state = resolve_config(config, out_dir, resume)
    torch.set_num_threads(config.threads)
    checkpoints = out_dir / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    train = PhotoSet(data_dir, "train", config.batches)
    val_photos = PhotoSet(data_dir, "val", replace(config.batches, load_side=config.val_side)).photos[:config.val_count]
    weights = state["class_weights"].numpy() if state else class_weights_for(train, config)
    trainer = ColorizeTrainer(config, train, weights)
    if state:
        trainer.load_state(state)
    (out_dir / "config.json").write_text(json.dumps(asdict(config), indent=1))
    log = MetricsCsv(out_dir / "metrics.csv", trainer.step if state else None)
    last_save = time.monotonic()
    sums: dict[str, float] = {}
    counted = 0  # steps in ``sums`` (a phase switch or a resume starts a row afresh)
    bar = tqdm(desc=trainer.phase, initial=trainer.phase_step, disable=not progress, dynamic_ncols=True)

    def save(name: str = LATEST) -> None:
        nonlocal last_save
        save_checkpoint(checkpoints, trainer.state(), name=name)
        last_save = time.monotonic()

    def record_validation() -> dict:
        scores = trainer.validate(val_photos)
        save_sample_grid(scores.pop("samples"), out_dir / "samples.png")
        row = {"step": trainer.step, "phase": trainer.phase, "phase_step": trainer.phase_step,
               "elapsed_s": round(trainer.elapsed, 1), **{k: round(v, 4) for k, v in scores.items() if k in CSV_FIELDS}}
        log.write(row)
        return scores

    def keep_gan_checkpoint() -> None:
        scores = record_validation()
        name = f"gan_{trainer.phase_step:06d}.pt"
        save_checkpoint(checkpoints, generator_only(trainer, scores), name=name)
        trainer.gan_scores.append({"gan_step": trainer.phase_step, "step": trainer.step, "file": name,
                                   **{k: scores[k] for k in ("val_gain_db", "val_colourfulness", "val_score")}})

    tick = time.monotonic()
    while trainer.phase != "done":
        if phase_done(trainer):
            if trainer.phase == "generator":
                scores = record_validation()
                save_checkpoint(checkpoints, generator_only(trainer, scores), name="generator_phase.pt")
            if trainer.phase == "gan":
                if trainer.gan_scores[-1]["gan_step"] != trainer.phase_step:
                    keep_gan_checkpoint()  # the last one is scored too
                finish_gan(trainer, checkpoints, out_dir)
            trainer.phase = PHASES[PHASES.index(trainer.phase) + 1] if trainer.phase != "gan" else "done"
            trainer.phase_step = 0
            trainer.make_optimisers()
            sums, counted = {}, 0
            save()
            bar.close()
            bar = tqdm(desc=trainer.phase, disable=not progress or trainer.phase == "done", dynamic_ncols=True)
            continue
        if trainer.phase == "gan" and trainer.phase_step % config.gan_checkpoint_every == 0:
            keep_gan_checkpoint()
        losses = trainer.train_step(phase_progress(trainer))
        trainer.phase_step += 1
        trainer.step += 1
        now = time.monotonic()
        trainer.elapsed += now - tick  # wall time of the loop, validation included: the limit is the clock's
        tick = now
        for key, value in losses.items():
            if key != "fake":
                sums[key] = sums.get(key, 0.0) + float(value)
        counted += 1
        bar.update(1)
        if trainer.step % config.log_every == 0:
            row = {k: round(v / counted, 6) for k, v in sums.items()}
            log.write({"step": trainer.step, "phase": trainer.phase, "phase_step": trainer.phase_step,
                       "elapsed_s": round(trainer.elapsed, 1), **row})
            bar.set_postfix({k: f"{v:.3g}" for k, v in row.items() if k != "lr"})
            sums, counted = {}, 0
        if trainer.phase == "generator" and trainer.phase_step % config.val_every == 0:
            record_validation()
        if time.monotonic() - last_save >= config.checkpoint_min * 60:
            save()
            plot_run(log.read(), trainer.gan_scores, out_dir)
        if config.stop_at_step and trainer.step >= config.stop_at_step:
            save()
            break
    bar.close()
    plot_run(log.read(), trainer.gan_scores, out_dir)
    return trainer


def finish_gan(trainer: ColorizeTrainer, checkpoints: Path, out_dir: Path) -> None:
    """Pick the inflection point among the scored GAN generators and keep it as inflection.pt."""
    best = pick_inflection(trainer.gan_scores)
    state = load_checkpoint(checkpoints / best["file"])
    save_checkpoint(checkpoints, state, name="inflection.pt")
    (out_dir / "inflection.json").write_text(json.dumps({"picked": best, "scores": trainer.gan_scores}, indent=1))


def save_sample_grid(samples: list[tuple[np.ndarray, ...]], target: Path) -> None:
    """grey | ours | original, one validation photo per row (each row scaled to 256 px high)."""
    from PIL import Image

    rows = []
    for triple in samples:
        row = np.concatenate(triple, axis=1)
        image = Image.fromarray(np.clip(np.rint(row * 255), 0, 255).astype(np.uint8))
        rows.append(image.resize((round(image.width * 256 / image.height), 256)))
    width = max(r.width for r in rows)
    grid = Image.new("RGB", (width, 256 * len(rows)), "white")
    for i, r in enumerate(rows):
        grid.paste(r, (0, 256 * i))
    grid.save(target)


def plot_run(rows: list[dict[str, str]], gan_scores: list[dict], out_dir: Path) -> None:
    """curves.png (losses and validation per step) and, once the GAN phase has scores, inflection.png."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    def column(name: str) -> tuple[list[int], list[float]]:
        picked = [(int(r["step"]), float(r[name])) for r in rows if r.get(name) not in ("", None)]
        return ([s for s, _ in picked], [v for _, v in picked])

    fig, axes = plt.subplots(3, 1, figsize=(8, 9), sharex=True)
    for name in ("ce", "l1"):
        axes[0].plot(*column(name), lw=0.8, label=name)
    axes[0].set_yscale("log")
    for name in ("critic", "adversarial", "critic_acc"):
        axes[1].plot(*column(name), lw=0.8, label=name)
    axes[2].plot(*column("val_gain_db"), marker="o", ms=3, label="val PSNR gain over grey (dB)")
    axes[2].plot(*column("val_colourfulness"), marker="s", ms=3, label="val colourfulness / originals'")
    for ax in axes:
        ax.legend(loc="best", fontsize=8)
    axes[2].set_xlabel("step (all phases)")
    fig.tight_layout()
    fig.savefig(out_dir / "curves.png", dpi=80)
    plt.close(fig)
    if gan_scores:
        fig, ax = plt.subplots(figsize=(7, 4))
        steps = [s["gan_step"] for s in gan_scores]
        for key in ("val_score", "val_gain_db", "val_colourfulness"):
            ax.plot(steps, [s[key] for s in gan_scores], marker="o", ms=3, label=key)
        best = pick_inflection(gan_scores)
        ax.axvline(best["gan_step"], color="red", ls="--", label=f"inflection: GAN step {best['gan_step']}")
        ax.set_xlabel("GAN step")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out_dir / "inflection.png", dpi=80)
        plt.close(fig)


def parse_args(argv: list[str] | None = None):
    """``--data``, ``--out``, ``--resume`` and one ``--field-name`` per ColorizeTrainConfig field."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m restora.tools.colorize.training", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the photo set (restora.tools.colorize.photos)")
    parser.add_argument("--out", type=Path, required=True, help="the run folder")
    parser.add_argument("--resume", action="store_true", help="continue exactly from OUT/checkpoints/latest.pt")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    for f in fields(ColorizeTrainConfig):
        parser.add_argument(f"--{f.name.replace('_', '-')}", dest=f.name, type=type(f.default), default=f.default,
                            help=f"{f.metadata['help']} (default: {f.default})")
    return parser.parse_args(argv)


def train_command(config: ColorizeTrainConfig, *, data: Path, out: Path, resume: bool, no_progress: bool) -> str:
    """`restora train colorize`: run (or continue) the NoGAN phases and say where the run stopped."""
    trainer = train_colorize(config, data, out, resume=resume, progress=not no_progress)
    return f"stopped in phase {trainer.phase} at step {trainer.step} after {trainer.elapsed / 60:.1f} min"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = ColorizeTrainConfig(**{f.name: getattr(args, f.name) for f in fields(ColorizeTrainConfig)})
    trainer = train_colorize(config, args.data, args.out, resume=args.resume, progress=not args.no_progress)
    print(f"stopped in phase {trainer.phase} at step {trainer.step} after {trainer.elapsed / 60:.1f} min")


if __name__ == "__main__":
    main()
