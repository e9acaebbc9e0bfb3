"""``restora train background``: fine-tune U²-Netp from the shipped weights on photo + matte pairs.

The start is the shipped ONNX file read into the PyTorch net (``restora.nets.u2net.state_dict_from_onnx``:
batch norms folded into the convolutions, each BatchNorm left as the identity). The loss is the
reference's deep supervision (Qin et al. 2020, eq. 1; ``muti_bce_loss_fusion`` in their train script):
binary cross-entropy of the fused map and of each of the six side outputs against the matte, summed
with equal weights, computed on logits for numerical safety.

Batch norms stay in eval mode (their running statistics frozen, their scale and shift trained): the
folded start has statistics (0, 1) that only describe the folded convolutions, and batch statistics of
4 pictures on a CPU would both change the function the shipped net computes and be noise.

Inputs are prepared exactly as the tool does (``segment.u2net_input``: Lanczos to the net's square,
divided by the picture's maximum, ImageNet mean and std); the matte is resized bilinearly to the same
square. A step's batch (which pairs, which are mirrored) is a function of (seed, step), so ``--resume``
continues bit for bit. Validation: IoU and MAE of the fused map, post-processed as the tool does
(averaged with the mirror image's, min-max, enlarged to the picture), against the val split's full-size
mattes (stamp categories held out from training); the best is kept as ``best.pt`` and exported to
``u2netp-finetuned.safetensors``.
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from tqdm import tqdm

from restora.nets.u2net import build_u2net
from restora.options import option
from restora.tools.background.data import read_pairs
from restora.tools.background.evaluate import iou, mae
from restora.tools.background.segment import IMAGENET_MEAN, IMAGENET_STD, mirror_mean, u2net_output
from restora.training.checkpoints import LATEST, load_checkpoint, save_checkpoint
from restora.training.report import MetricsLog

BEST = "best.pt"
EXPORT_NAME = "u2netp-finetuned.safetensors"  # the best on the val split
ONNX_EXPORT_NAME = "u2netp-finetuned.onnx"  # the same weights in the shipped file's graph: what the tool runs
LAST_EXPORT_NAME = "u2netp-last.safetensors"
CSV_FIELDS = ["step", "elapsed_s", "lr", "loss", "loss_fused", "val_iou", "val_mae"]
RUN_CONTROL = {"time_limit_min", "threads", "log_every", "val_every", "val_count", "checkpoint_min", "stop_at_step", "steps"}


@dataclass(frozen=True)
class BackgroundTrainConfig:
    init: str = option("shipped", "starting weights: 'shipped' (restora/weights/u2netp.onnx) or a .safetensors file")
    size: int = option(320, "the net's input square in px (the tool runs U²-Netp at 320)")
    batch: int = option(4, "pairs per step")
    lr: float = option(3e-5, "Adam learning rate (the reference trains from scratch at 1e-3; a fine-tune needs less)")
    warmup: int = option(20, "steps of linear warm-up to the learning rate")
    flip: bool = option(True, "mirror half the pairs left-right")
    seed: int = option(0, "seed of the batches and mirrors")
    steps: int = option(100_000, "most steps (the time limit usually ends the run first)")
    # run control: may change on --resume
    time_limit_min: float = option(0.0, "stop after this many minutes of training (0 = steps only)")
    threads: int = option(1, "torch threads")
    log_every: int = option(10, "write a metrics row every this many steps")
    val_every: int = option(100, "score on the validation pairs every this many steps")
    val_count: int = option(48, "validation pairs scored (evenly spread over the val split)")
    checkpoint_min: float = option(5.0, "save latest.pt at least this often (minutes)")
    stop_at_step: int = option(0, "stop (with a checkpoint) at this step, 0 = never; for resume tests")

    def __post_init__(self) -> None:
        if self.size < 32 or self.size % 32:
            raise ValueError("size must be a multiple of 32, at least 32 (the net pools five times)")
        if self.batch < 1:
            raise ValueError("batch must be at least 1")


def net_input(rgb: np.ndarray, size: int) -> np.ndarray:
    """3×size×size float32: ``segment.u2net_input``'s preprocessing at any square size."""
    small = np.asarray(Image.fromarray(rgb).resize((size, size), Image.LANCZOS, reducing_gap=3.0), np.float32)
    small = small / max(float(small.max()), 1e-6)
    return np.ascontiguousarray(((small - IMAGENET_MEAN) / IMAGENET_STD).transpose(2, 0, 1), np.float32)


def matte_target(matte: np.ndarray, size: int) -> np.ndarray:
    """1×size×size float32 in [0, 1]: the matte resized bilinearly."""
    small = Image.fromarray(matte.astype(np.float32), "F").resize((size, size), Image.BILINEAR)
    return np.clip(np.asarray(small, np.float32), 0.0, 1.0)[None]


def _load(data: Path, entry) -> tuple[np.ndarray, np.ndarray]:
    with Image.open(data / entry.image) as image:
        rgb = np.asarray(image.convert("RGB"))
    with Image.open(data / entry.matte) as image:
        matte = np.asarray(image.convert("L"), np.float32) / 255.0
    return rgb, matte


class TrainPairs:
    """The train split held in memory at the net's size (inputs and targets), drawn by (seed, step)."""

    def __init__(self, data: Path, size: int) -> None:
        entries = read_pairs(data, "train")
        if not entries:
            raise ValueError(f"{data} has no train pairs")
        loaded = [_load(data, e) for e in entries]
        self.inputs = np.stack([net_input(rgb, size) for rgb, _ in loaded])
        self.targets = np.stack([matte_target(matte, size) for _, matte in loaded])

    def batch(self, seed: int, step: int, count: int, flip: bool) -> tuple[torch.Tensor, torch.Tensor]:
        rng = np.random.default_rng([seed, step])
        chosen = rng.integers(0, len(self.inputs), count)
        x, y = self.inputs[chosen].copy(), self.targets[chosen].copy()
        if flip:
            mirrored = rng.random(count) < 0.5
            x[mirrored], y[mirrored] = x[mirrored][..., ::-1], y[mirrored][..., ::-1]
        return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(np.ascontiguousarray(y))


def initial_state(init: str) -> dict[str, torch.Tensor]:
    """The starting weights: the shipped ONNX file (sha256 checked) or a ``.safetensors`` state dict."""
    from restora.tools.background.weights import WEIGHTS_BY_NAME, u2net_state_dict_from_onnx
    from restora.weights import SHIPPED_DIR, check_sha256

    if init == "shipped":
        path = SHIPPED_DIR / WEIGHTS_BY_NAME["u2netp"].filename
        check_sha256(path, WEIGHTS_BY_NAME["u2netp"])
        return u2net_state_dict_from_onnx(path, "u2netp")
    from safetensors.torch import load_file

    if not Path(init).exists():
        raise FileNotFoundError(f"no starting weights at {init} (give 'shipped' or a .safetensors file)")
    return load_file(init)


def deep_supervision_loss(logits: tuple[torch.Tensor, ...], target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(sum of the BCE of the fused map and the six side maps, the fused map's BCE alone)."""
    losses = [F.binary_cross_entropy_with_logits(d, target) for d in logits]
    return torch.stack(losses).sum(), losses[0]


def freeze_batch_norms(net: torch.nn.Module) -> None:
    for module in net.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.eval()


class Trainer:
    def __init__(self, config: BackgroundTrainConfig, state: dict | None = None) -> None:
        self.config = config
        torch.manual_seed(config.seed)
        self.net = build_u2net("u2netp")
        self.net.load_state_dict(state["net"] if state else initial_state(config.init), strict=True)
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=config.lr)
        self.step, self.elapsed = 0, 0.0
        self.best: dict = {}
        self.history: list[dict] = []
        if state:
            self.optimizer.load_state_dict(state["optimizer"])
            self.step, self.elapsed = state["step"], state["elapsed_s"]
            self.best, self.history = json.loads(state["best"]), json.loads(state["history"])

    def train_step(self, pairs: TrainPairs) -> dict[str, float]:
        c = self.config
        lr = c.lr * min(1.0, (self.step + 1) / max(1, c.warmup))
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        x, y = pairs.batch(c.seed, self.step, c.batch, c.flip)
        self.net.train()
        freeze_batch_norms(self.net)
        self.optimizer.zero_grad(set_to_none=True)
        loss, fused = deep_supervision_loss(self.net(x, logits=True), y)
        loss.backward()
        self.optimizer.step()
        self.step += 1
        return {"lr": lr, "loss": loss.item(), "loss_fused": fused.item()}

    def validate(self, val: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
        self.net.eval()
        ious, maes = [], []
        with torch.no_grad():
            for rgb, matte in val:
                x = net_input(rgb, self.config.size)[None]
                fused = mirror_mean(lambda batch: self.net(torch.from_numpy(batch))[0].numpy(), x)  # as the tool
                alpha = u2net_output(fused, matte.shape)
                ious.append(iou(alpha, matte))
                maes.append(mae(alpha, matte))
        return {"val_iou": float(np.mean(ious)), "val_mae": float(np.mean(maes))}

    def state(self) -> dict:
        return {"net": self.net.state_dict(), "optimizer": self.optimizer.state_dict(), "step": self.step,
                "elapsed_s": self.elapsed, "config": asdict(self.config), "best": json.dumps(self.best),
                "history": json.dumps(self.history),
                "machine": f"{platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"}


def resolve_config(config: BackgroundTrainConfig, out: Path, resume: bool) -> tuple[BackgroundTrainConfig, dict | None]:
    """On resume the saved recipe wins; only run-control knobs come from the new command."""
    if not resume or not (out / "checkpoints" / LATEST).exists():
        return config, None
    state = load_checkpoint(out / "checkpoints")
    control = {k: getattr(config, k) for k in RUN_CONTROL}
    return replace(BackgroundTrainConfig(**state["config"]), **control), state


def export_safetensors(state_dict: dict[str, torch.Tensor], target: Path, metadata: dict[str, str]) -> Path:
    from safetensors.torch import save_file

    target.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().contiguous() for k, v in state_dict.items()}, str(target), metadata=metadata)
    return target


def export_onnx(state_dict: dict[str, torch.Tensor], target: Path) -> Path:
    """``state_dict`` written into a copy of the shipped U²-Netp ONNX file (batch norms folded back, every
    other byte kept), so onnxruntime runs it exactly as it runs the shipped weights."""
    from restora.nets.u2net import onnx_initializers_from_state_dict
    from restora.tools.background.onnx_weights import read_onnx_graph, replace_initializers
    from restora.tools.background.weights import WEIGHTS_BY_NAME
    from restora.weights import SHIPPED_DIR, check_sha256

    shipped = SHIPPED_DIR / WEIGHTS_BY_NAME["u2netp"].filename
    check_sha256(shipped, WEIGHTS_BY_NAME["u2netp"])
    _, nodes = read_onnx_graph(shipped)
    data = replace_initializers(shipped, onnx_initializers_from_state_dict(state_dict, nodes, "u2netp"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def plot_run(rows: list[dict[str, str]], out_dir: Path) -> None:
    """loss.png: the deep-supervision loss and the fused map's BCE per step, validation IoU beside them."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    def column(name: str) -> tuple[list[int], list[float]]:
        picked = [(int(r["step"]), float(r[name])) for r in rows if r.get(name) not in ("", None)]
        return [s for s, _ in picked], [v for _, v in picked]

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    top.plot(*column("loss"), lw=0.8, label="BCE, fused + 6 sides")
    top.plot(*column("loss_fused"), lw=0.8, label="BCE, fused")
    top.set_yscale("log")
    top.legend(fontsize=8)
    bottom.plot(*column("val_iou"), marker="o", ms=3, label="val IoU")
    bottom.set_xlabel("step")
    bottom.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_dir / "loss.png", dpi=80)
    plt.close(fig)


def train_background(config: BackgroundTrainConfig, data: Path, out: Path, resume: bool = False,
                     progress: bool = True) -> Trainer:
    """Run (or continue) the fine-tune; leaves checkpoints/, metrics.csv, loss.png, config.json and the
    best validation weights as u2netp-finetuned.safetensors under ``out``."""
    config, state = resolve_config(config, out, resume)
    torch.set_num_threads(config.threads)
    checkpoints = out / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    pairs = TrainPairs(Path(data), config.size)
    val_entries = read_pairs(Path(data), "val")
    if not val_entries:
        raise ValueError(f"{data} has no val pairs")
    spread = np.linspace(0, len(val_entries) - 1, min(config.val_count, len(val_entries))).round().astype(int)
    val = [_load(Path(data), val_entries[i]) for i in sorted(set(spread))]
    trainer = Trainer(config, state)
    (out / "config.json").write_text(json.dumps(asdict(config), indent=1))
    log = MetricsLog(out / "metrics.csv", trainer.step if state else None, CSV_FIELDS)
    last_save = time.monotonic()
    bar = tqdm(total=config.steps, initial=trainer.step, disable=not progress, dynamic_ncols=True, desc="fine-tune")
    sums: dict[str, float] = {}
    counted = 0

    def validate() -> None:
        scores = trainer.validate(val)
        log.write({"step": trainer.step, "elapsed_s": round(trainer.elapsed, 1), **{k: round(v, 5) for k, v in scores.items()}})
        trainer.history.append({"step": trainer.step, **scores})
        if not trainer.best or scores["val_iou"] > trainer.best["val_iou"]:
            trainer.best = {"step": trainer.step, **scores}
            save_checkpoint(checkpoints, {"net": trainer.net.state_dict(), "step": trainer.step, **scores}, name=BEST)

    if trainer.step == 0:
        validate()  # the shipped weights' score: the bar to beat
    tick = time.monotonic()
    while trainer.step < config.steps:
        if config.time_limit_min > 0 and trainer.elapsed >= config.time_limit_min * 60:
            break
        losses = trainer.train_step(pairs)
        now = time.monotonic()
        trainer.elapsed += now - tick
        tick = now
        for key, value in losses.items():
            sums[key] = sums.get(key, 0.0) + value
        counted += 1
        bar.update(1)
        if trainer.step % config.log_every == 0:
            row = {k: round(v / counted, 6) for k, v in sums.items()}
            log.write({"step": trainer.step, "elapsed_s": round(trainer.elapsed, 1), **row})
            bar.set_postfix({k: f"{v:.3g}" for k, v in row.items() if k != "lr"})
            sums, counted = {}, 0
        if trainer.step % config.val_every == 0:
            validate()
            tick = time.monotonic()  # validation is not training time
        if time.monotonic() - last_save >= config.checkpoint_min * 60:
            save_checkpoint(checkpoints, trainer.state())
            plot_run(log.read(), out)
            last_save = time.monotonic()
        if config.stop_at_step and trainer.step >= config.stop_at_step:
            break
    bar.close()
    if trainer.step % config.val_every:
        validate()
    save_checkpoint(checkpoints, trainer.state())
    plot_run(log.read(), out)
    # The last weights too: when no step beat the start, "best" is the start, and the last shows what training did.
    export_safetensors(trainer.net.state_dict(), out / LAST_EXPORT_NAME, {
        "net": "u2netp", "init": config.init, "step": str(trainer.step), "data": str(data), "seed": str(config.seed)})
    best = load_checkpoint(checkpoints / BEST)
    export_safetensors(best["net"], out / EXPORT_NAME, {
        "net": "u2netp", "init": config.init, "step": str(best["step"]), "val_iou": f"{best['val_iou']:.5f}",
        "data": str(data), "seed": str(config.seed)})
    export_onnx(best["net"], out / ONNX_EXPORT_NAME)
    (out / "summary.json").write_text(json.dumps({"best": trainer.best, "history": trainer.history,
                                                  "steps": trainer.step, "elapsed_s": trainer.elapsed}, indent=1))
    return trainer


def train_command(config: BackgroundTrainConfig, *, data: Path, out: Path, resume: bool, no_progress: bool) -> str:
    """`restora train background`: run (or continue) the fine-tune and say where it stopped."""
    trainer = train_background(config, data, out, resume=resume, progress=not no_progress)
    first = trainer.history[0] if trainer.history else {}
    return (f"stopped at step {trainer.step} after {trainer.elapsed / 60:.1f} min; val IoU {first.get('val_iou', 0):.4f} "
            f"(start) -> best {trainer.best.get('val_iou', 0):.4f} at step {trainer.best.get('step')}; "
            f"weights: {out / EXPORT_NAME}")
