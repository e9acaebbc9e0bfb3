"""``restora data background``: photo + matte pairs for training and scoring the segmenters.

Subjects are Tux Paint's photographic stamps (Debian ``tuxpaint-stamps-default``, GPL-2): PNG cut-outs
with an alpha channel, kept when more than 5,000 distinct colours lie under the alpha (fewer is clip art,
``shared/reference/data.md``) and some of the picture is transparent; drawn ``cartoon`` folders are left
out. Each is pasted on a random crop of a photo from Debian packages (``tuxpaint-data`` templates,
``mate-backgrounds`` nature photos, ``scratch`` backgrounds; the colour-photo rule of
``restora.tools.colorize.photos`` drops the drawn ones) at a random scale and position, with the stamp's
binary alpha feathered by 1-2 px, a random brightness change of the subject, and then, over the whole
picture, optional blur, sensor noise and JPEG at a random quality: no paste artefact (a hard edge, a
colour step, a cleaner subject) is left for a net to learn instead of the subject. Blur is applied to
the matte too, since it is the camera's: the matte stays the true alpha of the picture.

Splits hold out whole stamp categories (folders): :data:`EVAL_CATEGORIES` (and their sub-folders) are
only in ``eval``, :data:`VAL_CATEGORIES` only in ``val``; the background photos are split by a hash of
their name, and eval composites use only eval photos, so neither the object nor the scene of an eval
pair was seen in training. ``other`` pairs come from a different package (GCompris: photographed hands
and painted cut-outs on transparent ground) on eval photos, used for nothing but the final check that a
fine-tune did not get worse away from the stamps.

Layout: ``<split>/<name>.jpg`` (the picture) and ``<split>/<name>.png`` (the matte, 8-bit grey), plus
``manifest.json`` (every pair with its package, version, licence, sha256 of both files, split and
category; the packages' .deb sha256) and ``licences/``.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from restora.options import option

STAMPS_PACKAGE = "tuxpaint-stamps-default"
STAMPS_DIR = "usr/share/tuxpaint/stamps"
STAMPS_LICENCE = "GPL-2 (Tux Paint stamps; see licences/tuxpaint-stamps-default.copyright)"
PHOTO_PACKAGES = ("tuxpaint-data", "mate-backgrounds", "scratch")
OTHER_PACKAGE = "gcompris-qt-data"
OTHER_ACTIVITIES = ("leftright", "lang")  # photographed hands; painted words-sample pictures on transparent ground
SPLITS = ("train", "val", "eval", "other")
MIN_COLOURS = 5000  # data.md: more distinct colours than this under the alpha is a photograph, fewer clip art
MIN_TRANSPARENT, MAX_TRANSPARENT = 0.05, 0.95  # a cut-out has background to remove, and a subject
# Whole folders held out (a category and its sub-folders); chosen for variety of shape and colour:
# hoofed animals, thin-legged insects, round fruit, flowers, vehicles, instruments, tinsel, coins.
EVAL_CATEGORIES = ("animals/mammals/bovines", "animals/insects", "food/fruit", "plants/flowers", "military/vehicles",
                   "hobbies/music/string", "seasonal/christmas", "symbols/money")
VAL_CATEGORIES = ("animals/mammals/rodents", "plants/trees", "household/tools", "space/planets")
PHOTO_SPLIT_MODULUS = 5  # background photos: hash 0 -> eval, 1 -> val, the rest train


@dataclass(frozen=True)
class BackgroundDataConfig:
    seed: int = option(2026, "seed of every random draw: which crop, scale, position, blur, noise and JPEG quality")
    train_per_stamp: int = option(8, "composites per training stamp")
    eval_per_stamp: int = option(3, "composites per validation, evaluation and other cut-out")
    train_side: int = option(352, "long side of training composites in px (the net sees 320²)")
    eval_side: int = option(448, "long side of val, eval and other composites in px")
    other: bool = option(True, "also build the never-used GCompris pairs (split 'other')")


@dataclass
class Cutout:
    """A subject: RGBA uint8 with its provenance."""

    rgba: np.ndarray
    source: str  # path inside its package
    category: str  # the folder (for GCompris: the activity)
    package: str
    version: str
    licence: str
    sha256: str  # of the original file


@dataclass
class Photo:
    rgb: np.ndarray
    source: str
    package: str
    version: str
    licence: str
    split: str  # "train", "val" or "eval"


@dataclass(frozen=True)
class PairEntry:
    image: str  # relative to the set folder
    matte: str
    split: str
    category: str
    subject: str  # package:path of the cut-out
    subject_package: str
    subject_version: str
    subject_licence: str
    subject_sha256: str
    background: str  # package:path of the photo
    background_licence: str
    width: int
    height: int
    image_sha256: str
    matte_sha256: str


def category_split(category: str) -> str:
    """"eval", "val" or "train" for a stamp folder such as ``animals/insects/cartoon``."""
    def under(prefixes: tuple[str, ...]) -> bool:
        return any(category == p or category.startswith(p + "/") for p in prefixes)

    return "eval" if under(EVAL_CATEGORIES) else "val" if under(VAL_CATEGORIES) else "train"


def photo_split(key: str) -> str:
    """Background photos: a stable hash of ``package/name`` (adding a photo never moves another)."""
    bucket = int(hashlib.sha1(key.encode()).hexdigest(), 16) % PHOTO_SPLIT_MODULUS
    return "eval" if bucket == 0 else "val" if bucket == 1 else "train"


def is_photographic_cutout(rgba: np.ndarray) -> bool:
    """Alpha with both subject and background, and more than 5,000 distinct colours under it."""
    alpha = rgba[:, :, 3]
    transparent = float((alpha < 128).mean())
    if not MIN_TRANSPARENT <= transparent <= MAX_TRANSPARENT:
        return False
    opaque = rgba[alpha > 127][:, :3].astype(np.uint32)
    packed = (opaque[:, 0] << 16) | (opaque[:, 1] << 8) | opaque[:, 2]
    return len(np.unique(packed)) > MIN_COLOURS


def _read_rgba(data: bytes | Path) -> np.ndarray:
    with Image.open(io.BytesIO(data) if isinstance(data, bytes) else data) as image:
        return np.asarray(image.convert("RGBA"))


def stamps_in(root: Path, package: str = STAMPS_PACKAGE, version: str = "", licence: str = STAMPS_LICENCE) -> list[Cutout]:
    """The photographic stamps under an unpacked stamps folder (``root`` = ``.../stamps``), drawn ones left out."""
    found = []
    for path in sorted(root.rglob("*.png")):
        category = "/".join(path.relative_to(root).parts[:-1])
        if "cartoon" in category.split("/"):
            continue
        data = path.read_bytes()
        rgba = _read_rgba(data)
        if is_photographic_cutout(rgba):
            found.append(Cutout(rgba, f"{STAMPS_DIR}/{path.relative_to(root)}", category, package, version, licence,
                                hashlib.sha256(data).hexdigest()))
    return found


# --- one composite --------------------------------------------------------------------------------------


def _resize(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """uint8 RGB/RGBA resized with Lanczos (Pillow premultiplies RGBA, so no dark fringe from hidden colours)."""
    mode = "RGBA" if array.shape[2] == 4 else "RGB"
    return np.asarray(Image.fromarray(array, mode).resize(size, Image.Resampling.LANCZOS))


def _background_crop(rng: np.random.Generator, photo: np.ndarray, side: int) -> np.ndarray:
    """A random crop (aspect 3:4 to 4:3, 35-100 % of the short side) of ``photo``, long side ``side``."""
    height, width = photo.shape[:2]
    aspect = float(np.exp(rng.uniform(np.log(0.75), np.log(4 / 3))))  # width / height
    extent = rng.uniform(0.35, 1.0) * min(height, width)
    crop_w, crop_h = (extent, extent / aspect) if aspect <= 1 else (extent * aspect, extent)
    scale = min(1.0, width / crop_w, height / crop_h)
    crop_w, crop_h = max(8, int(crop_w * scale)), max(8, int(crop_h * scale))
    x, y = int(rng.integers(0, width - crop_w + 1)), int(rng.integers(0, height - crop_h + 1))
    out_w, out_h = (side, max(8, round(side * crop_h / crop_w))) if crop_w >= crop_h else (max(8, round(side * crop_w / crop_h)), side)
    return _resize(np.ascontiguousarray(photo[y:y + crop_h, x:x + crop_w]), (out_w, out_h))


def make_composite(rng: np.random.Generator, cutout: np.ndarray, photo: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray]:
    """(picture uint8 H×W×3, matte float32 H×W in [0, 1]): ``cutout`` (RGBA) pasted on a crop of ``photo``.

    The subject's long side is 35-85 % of the picture's short side, its position random with at most 10 %
    of it outside the frame, its alpha feathered (Gaussian, sigma 0.5-1 px: a 1-2 px ramp), its brightness
    scaled by 0.85-1.15; then, over the picture (and the matte where it is the camera's doing): blur
    (half the time, sigma up to 1.2 px), noise (half the time, sigma up to 0.02) and JPEG (quality 60-95,
    done when the caller saves; :func:`jpeg_quality`).
    """
    ground = _background_crop(rng, photo, side).astype(np.float32) / 255.0
    height, width = ground.shape[:2]
    stamp_h, stamp_w = cutout.shape[:2]
    long_side = rng.uniform(0.35, 0.85) * min(height, width)
    scale = long_side / max(stamp_h, stamp_w)
    size = (max(4, round(stamp_w * scale)), max(4, round(stamp_h * scale)))
    stamp = cutout[:, ::-1] if rng.random() < 0.5 else cutout
    stamp = _resize(np.ascontiguousarray(stamp), size).astype(np.float32) / 255.0
    x = int(rng.integers(-size[0] // 10, width - size[0] + size[0] // 10 + 1))
    y = int(rng.integers(-size[1] // 10, height - size[1] + size[1] // 10 + 1))
    alpha = np.zeros((height, width), np.float32)
    colour = np.zeros((height, width, 3), np.float32)
    sx0, sy0 = max(0, -x), max(0, -y)
    dx0, dy0 = max(0, x), max(0, y)
    w = min(size[0] - sx0, width - dx0)
    h = min(size[1] - sy0, height - dy0)
    alpha[dy0:dy0 + h, dx0:dx0 + w] = stamp[sy0:sy0 + h, sx0:sx0 + w, 3]
    colour[dy0:dy0 + h, dx0:dx0 + w] = stamp[sy0:sy0 + h, sx0:sx0 + w, :3]
    alpha = _gaussian(alpha, rng.uniform(0.5, 1.0))  # the stamps' binary edges become a 1-2 px ramp
    colour = np.clip(colour * rng.uniform(0.85, 1.15), 0.0, 1.0)
    picture = alpha[..., None] * colour + (1.0 - alpha[..., None]) * ground
    if rng.random() < 0.5:
        sigma = rng.uniform(0.3, 1.2)
        picture = np.stack([_gaussian(picture[..., c], sigma) for c in range(3)], -1)
        alpha = _gaussian(alpha, sigma)
    if rng.random() < 0.5:
        picture = picture + rng.normal(0.0, rng.uniform(0.003, 0.02), picture.shape).astype(np.float32)
    picture_u8 = np.clip(np.floor(picture * 255.0 + 0.5), 0, 255).astype(np.uint8)
    return picture_u8, np.clip(alpha, 0.0, 1.0).astype(np.float32)


def jpeg_quality(rng: np.random.Generator) -> int:
    return int(rng.integers(60, 96))


def _gaussian(plane: np.ndarray, sigma: float) -> np.ndarray:
    import cv2

    return cv2.GaussianBlur(plane.astype(np.float32), (0, 0), float(sigma), borderType=cv2.BORDER_REFLECT)


# --- the set ----------------------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_pairs(out: Path, cutouts: list[Cutout], photos: list[Photo], config: BackgroundDataConfig,
                other: list[Cutout] = ()) -> list[PairEntry]:
    """Composite every cut-out on its split's photos and write the pairs; ``other`` cut-outs go on eval photos.

    :raises ValueError: when a split that has cut-outs has no background photo.
    """
    entries: list[PairEntry] = []
    by_split = {s: [p for p in photos if p.split == s] for s in ("train", "val", "eval")}
    jobs = [(category_split(c.category), c) for c in cutouts] + [("other", c) for c in other]
    counters = {s: 0 for s in SPLITS}
    for index, (split, cutout) in enumerate(jobs):
        ground_split = "eval" if split == "other" else split
        grounds = by_split[ground_split]
        if not grounds:
            raise ValueError(f"no {ground_split} background photo for the {split} composites")
        count = config.train_per_stamp if split == "train" else config.eval_per_stamp
        side = config.train_side if split == "train" else config.eval_side
        folder = out / split
        folder.mkdir(parents=True, exist_ok=True)
        for k in range(count):
            rng = np.random.default_rng([config.seed, SPLITS.index(split), index, k])
            photo = grounds[int(rng.integers(len(grounds)))]
            picture, matte = make_composite(rng, cutout.rgba, photo.rgb, side)
            name = f"{counters[split]:05d}"
            counters[split] += 1
            image_path, matte_path = folder / f"{name}.jpg", folder / f"{name}.png"
            Image.fromarray(picture).save(image_path, quality=jpeg_quality(rng))
            Image.fromarray(np.clip(np.floor(matte * 255 + 0.5), 0, 255).astype(np.uint8), "L").save(matte_path)
            entries.append(PairEntry(
                f"{split}/{name}.jpg", f"{split}/{name}.png", split, cutout.category, f"{cutout.package}:{cutout.source}",
                cutout.package, cutout.version, cutout.licence, cutout.sha256, f"{photo.package}:{photo.source}",
                photo.licence, picture.shape[1], picture.shape[0], _sha256_file(image_path), _sha256_file(matte_path)))
    return entries


def _photos_from_package(package: str, root: Path, version: str) -> list[Photo]:
    from restora.tools.colorize.photos import DEBIAN_LICENCES, is_colour_photo
    from restora.training.debian import _photo_sources

    if package == "scratch":
        paths = sorted(root.glob("usr/share/scratch/Media/Backgrounds/*/*.jpg"))
    else:
        paths = _photo_sources(root)[package]
    photos = []
    for path in paths:
        with Image.open(path) as image:
            image.load()
            if not is_colour_photo(image):  # drawn backgrounds and grey photos fall out
                continue
            if max(image.size) > 1280:
                image.thumbnail((1280, 1280), Image.Resampling.LANCZOS)
            rgb = np.asarray(image.convert("RGB"))
        name = f"{path.parent.name}_{path.stem}" if package == "scratch" else path.stem
        photos.append(Photo(rgb, str(path.relative_to(root)), package, version, DEBIAN_LICENCES.get(package, "see copyright"),
                            photo_split(f"{package}/{name}")))
    return photos


def _gcompris_cutouts(root: Path, version: str) -> list[Cutout]:
    from restora.tools.colorize.photos import licence_of, read_copyright_licences, read_rcc

    copyright_file = root / f"usr/share/doc/{OTHER_PACKAGE}/copyright"
    licences = read_copyright_licences(copyright_file.read_text(errors="replace")) if copyright_file.exists() else []
    found = []
    for activity in OTHER_ACTIVITIES:
        bundle = root / f"usr/share/gcompris-qt/rcc/{activity}.rcc"
        for inside, blob in sorted(read_rcc(bundle.read_bytes()).items()):
            if not inside.lower().endswith((".webp", ".png")):
                continue
            try:
                rgba = _read_rgba(blob)
            except OSError:
                continue
            if min(rgba.shape[:2]) >= 100 and is_photographic_cutout(rgba):
                source = inside.lstrip("/").removeprefix("gcompris/")
                found.append(Cutout(rgba, f"{bundle.name}:{inside}", activity, OTHER_PACKAGE, version,
                                    licence_of(source, licences), hashlib.sha256(blob).hexdigest()))
    return found


def build_background_set(out: Path, cache: Path, config: BackgroundDataConfig = BackgroundDataConfig()) -> dict:
    """Fetch the packages (``apt-get download`` into ``cache``, reused when there), unpack them with
    ``dpkg -x``, write the pairs and ``manifest.json``; returns the manifest."""
    from restora.training.debian import deb_version, fetch_deb

    packages = (STAMPS_PACKAGE, *PHOTO_PACKAGES, *((OTHER_PACKAGE,) if config.other else ()))
    (out / "licences").mkdir(parents=True, exist_ok=True)
    cutouts: list[Cutout] = []
    other: list[Cutout] = []
    photos: list[Photo] = []
    archives = {}
    for package in packages:
        deb = fetch_deb(package, cache)
        version = deb_version(deb)
        archives[package] = {"file": deb.name, "version": version, "sha256": _sha256_file(deb)}
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
            copyright_file = root / f"usr/share/doc/{package}/copyright"
            if copyright_file.exists():
                (out / "licences" / f"{package}.copyright").write_bytes(copyright_file.read_bytes())
            if package == STAMPS_PACKAGE:
                cutouts = stamps_in(root / STAMPS_DIR, package, version)
            elif package == OTHER_PACKAGE:
                other = _gcompris_cutouts(root, version)
            else:
                photos += _photos_from_package(package, root, version)
    entries = write_pairs(out, cutouts, photos, config, other)
    manifest = {
        "config": asdict(config),
        "packages": archives,
        "eval_categories": list(EVAL_CATEGORIES),
        "val_categories": list(VAL_CATEGORIES),
        "cutouts": {s: sum(category_split(c.category) == s for c in cutouts) for s in ("train", "val", "eval")} | {"other": len(other)},
        "photos": {s: [f"{p.package}:{p.source}" for p in photos if p.split == s] for s in ("train", "val", "eval")},
        "entries": [asdict(e) for e in entries],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def read_pairs(folder: Path, split: str | None = None) -> list[PairEntry]:
    """The manifest's pairs (of one split, or all).

    :raises FileNotFoundError: when ``folder`` has no manifest.json.
    """
    path = Path(folder) / "manifest.json"
    if not path.exists():
        raise FileNotFoundError(f"{folder} has no manifest.json: build it with `restora data background --out {folder}`")
    entries = [PairEntry(**e) for e in json.loads(path.read_text())["entries"]]
    return [e for e in entries if split is None or e.split == split]


def data_command(config: BackgroundDataConfig, *, out: Path, cache: Path) -> str:
    """`restora data background`: build the pairs; say how many per split."""
    manifest = build_background_set(out, cache, config)
    counts = {s: sum(e["split"] == s for e in manifest["entries"]) for s in SPLITS}
    return (f"{len(manifest['entries'])} pairs {counts} from cut-outs {manifest['cutouts']} and "
            f"{sum(len(v) for v in manifest['photos'].values())} background photos; manifest in {out / 'manifest.json'}")
