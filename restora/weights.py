"""Weights: the registry of known checkpoints, finding them on disk, checking them and reading them.

Two kinds of checkpoint are known by name:

- **shipped** weights live in ``restora/weights/`` as safetensors (no pickle), each with a model card
  (``<name>.md``), and are checked against the sha256 recorded here before use;
- **official** weights that a user owns (DeblurGAN's ``latest_net_G.pth``, ...) are looked for by file
  name in ``Settings.models_dir``; Restora never downloads them.

A path works everywhere a name does. Nothing here builds a net: readers return a state dict and the
architecture (the keyword arguments of the net's config dataclass), and tools build the net, so this
module stays below ``nets/`` and ``tools/``. torch is imported inside the readers only.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from restora.config import Settings

SHIPPED_DIR = Path(__file__).parent / "weights"
SAFETENSORS_FORMAT = "restora-weights-1"  # the "format" metadata key of every safetensors file we write


class WeightsError(Exception):
    """A weights file exists but cannot be used (wrong layout, corrupt, wrong checksum)."""


class MissingWeights(WeightsError, LookupError):
    """The weights asked for are not on this machine; the message says where we looked and how to get them."""


@dataclass(frozen=True)
class WeightsEntry:
    name: str
    tool: str
    filename: str
    kind: str  # "shipped" (restora/weights/) or "official" (a file the user owns, in models_dir)
    architecture: dict[str, Any]
    licence: str
    how_to_get: str
    sha256: str | None = None  # None: the publisher gives no checksum (official files) or not shipped yet
    description: str = ""

    def location(self, settings: "Settings") -> Path:
        return (SHIPPED_DIR if self.kind == "shipped" else Path(settings.models_dir)) / self.filename


# DeblurGAN v1 as released: ResnetGenerator, 9 blocks, ngf 64, InstanceNorm, dropout, global skip
# (shared/reference/models.md §1.1).
GENERATOR_FIELDS = ("ngf", "n_blocks", "norm", "dropout", "learn_residual")  # GeneratorConfig's fields
DEBLURGAN_ARCHITECTURE = {"ngf": 64, "n_blocks": 9, "norm": "instance", "dropout": 0.5, "learn_residual": True}

REGISTRY: dict[str, WeightsEntry] = {
    entry.name: entry
    for entry in (
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
        ),
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
        ),
    )
}

# The weights a tool uses when none are named.
DEFAULT_WEIGHTS = {"deblur": "deblur-debian"}


@dataclass(frozen=True)
class LoadedWeights:
    """A state dict ready for ``net.load_state_dict(strict=True)``, and the architecture to build."""

    state_dict: dict[str, Any] = field(repr=False)
    architecture: dict[str, Any]
    source: str  # the file it came from, for messages and cache keys


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def find_weights(name_or_path: str | Path, tool: str, settings: "Settings") -> tuple[Path, WeightsEntry | None]:
    """The file for a registry name or a path, with its registry entry when it has one.

    :raises MissingWeights: for an unknown name, a missing file, or a name that belongs to another tool.
    """
    text = str(name_or_path)
    entry = REGISTRY.get(text)
    if entry is not None:
        if entry.tool != tool:
            raise MissingWeights(f"weights {text!r} are for the {entry.tool} tool, not {tool}")
        path = entry.location(settings)
        if not path.is_file():
            where = "Restora's shipped weights" if entry.kind == "shipped" else "the models folder"
            setting = "" if entry.kind == "shipped" else " (set RESTORA_MODELS_DIR to change it)"
            raise MissingWeights(
                f"{tool} weights {text!r} not found: looked for {entry.filename} in {where}, "
                f"{path.parent}{setting}; to get them, {entry.how_to_get}"
            )
        return path, entry
    path = Path(text).expanduser()
    if path.is_file():
        known = [e for e in REGISTRY.values() if e.tool == tool and e.filename == path.name]
        return path, known[0] if known else None
    names = ", ".join(sorted(e.name for e in REGISTRY.values() if e.tool == tool))
    raise MissingWeights(f"no {tool} weights named {text!r} and no such file; known names: {names}")


def check_sha256(path: Path, entry: WeightsEntry | None) -> None:
    """:raises WeightsError: when the registry records a checksum and the file does not match it."""
    if entry is None or not entry.sha256:
        return
    actual = sha256_of(path)
    if actual != entry.sha256:
        raise WeightsError(f"{path} is damaged or not the {entry.name} weights: sha256 {actual}, expected {entry.sha256}")


# --- readers -------------------------------------------------------------------------------------


def save_safetensors(state_dict: dict[str, Any], architecture: dict[str, Any], path: Path, tool: str) -> None:
    """Write weights as Restora ships them: contiguous tensors plus the architecture in the metadata."""
    from safetensors.torch import save

    tensors = {key: value.detach().contiguous().cpu() for key, value in state_dict.items()}
    metadata = {"format": SAFETENSORS_FORMAT, "tool": tool, "architecture": json.dumps(architecture, sort_keys=True)}
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(_with_sorted_header(save(tensors, metadata=metadata)))
    tmp.chmod(0o644)  # shipped inside the package: every user of the install must be able to read it
    os.replace(tmp, path)


def _with_sorted_header(raw: bytes) -> bytes:
    """The safetensors bytes with their JSON header's keys sorted, so the same weights always give the same
    bytes (and sha256): the library writes its metadata in hash-map order, which changes from run to run."""
    length = int.from_bytes(raw[:8], "little")
    header = json.dumps(json.loads(raw[8 : 8 + length]), sort_keys=True, separators=(",", ":")).encode()
    header += b" " * (-len(header) % 8)  # the format pads the header to 8 bytes with spaces
    return len(header).to_bytes(8, "little") + header + raw[8 + length :]


def read_safetensors(path: Path, architecture: dict[str, Any] | None = None) -> LoadedWeights:
    """Tensors and architecture from a safetensors file; the registry's architecture wins when given."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file, safe_open

    try:
        with safe_open(str(path), framework="pt") as handle:
            metadata = handle.metadata() or {}
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise WeightsError(f"{path} is not a readable safetensors file: {exc}") from None
    if architecture is None:
        if "architecture" not in metadata:
            raise WeightsError(f"{path} does not say which architecture it is for (no 'architecture' metadata)")
        architecture = json.loads(metadata["architecture"])
    return LoadedWeights(tensors, dict(architecture), str(path))


def _torch_load(path: Path) -> Any:
    import torch

    try:
        # weights_only: a .pth is a pickle, and a pickle from the internet must not run code.
        return torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001  a damaged pickle can fail with almost any error type
        if isinstance(exc, MemoryError):
            raise
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WeightsError(f"{path} is not a plain PyTorch weights file: {first_line}") from None


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


def read_torch_checkpoint(path: Path, architecture: dict[str, Any] | None) -> LoadedWeights:
    """A ``.pth``/``.pt`` file: a Restora training checkpoint, or DeblurGAN's official generator."""
    raw = _torch_load(path)
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


def load_weights(name_or_path: str | Path, tool: str, settings: "Settings") -> LoadedWeights:
    """Find, check and read the weights for ``tool``; every failure is a :class:`WeightsError`.

    :raises MissingWeights: when the file is not on this machine.
    """
    path, entry = find_weights(name_or_path, tool, settings)
    check_sha256(path, entry)
    architecture = entry.architecture if entry is not None else None
    if path.suffix == ".safetensors":
        return read_safetensors(path, architecture)
    return read_torch_checkpoint(path, architecture)


def load_strict(net: Any, weights: LoadedWeights) -> None:
    """``net.load_state_dict(strict=True)`` with an error a person can read."""
    try:
        net.load_state_dict(weights.state_dict, strict=True)
    except RuntimeError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        detail = "; ".join(lines[1:3])[:400] if len(lines) > 1 else lines[0][:400]
        raise WeightsError(
            f"{weights.source} does not fit the architecture {weights.architecture}: {detail}"
        ) from None
