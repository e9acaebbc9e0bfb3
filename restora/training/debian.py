"""The training photo set, built from Debian packages that ship photographs (``shared/reference/data.md``).

Packages are fetched with ``apt-get download`` (no root, no system install) and unpacked with
``dpkg -x``; ``.deb`` files already in the cache folder are reused, so a second build needs no network.
The set holds only these packages' photos: evaluation images (scikit-image, scikit-learn) come from other
sources and can never leak in. A few photos are held out (``split: "val"``) for validation during training.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image

PLASMA_PHOTOS = (
    "BytheWater", "ColdRipple", "ColorfulCups", "DarkestHour", "EveningGlow", "FallenLeaf",
    "Grey", "Kite", "OneStandsOut", "Path", "summer_1am",
)  # the other wallpapers in the package are illustrations

# Photos from the Ubuntu Touch wallpaper contests (CC-BY-4.0, CC-BY-SA-4.0, CC0-1.0; see their copyright
# files). Left out: analogpattern (an abstract bokeh texture) and the 20.04 set's illustrations.
LOMIRI_PHOTOS = {
    "lomiri-wallpapers-16.04": (
        "Bridge_by_Sander_Klootwijk", "Dragonfly_by_Bolly", "Picture_0B_by_freespace", "Picture_1A_by_freespace",
        "Wine_by_Jakkub_Mede", "aitzgorri_by_Aitzol_Berasategi", "free_by_Peter_Nerlich",
        "friends_by_Aitzol_Berasategi", "greentock_by_Peter_Nerlich", "life_by_Aitzol_Berasategi",
        "picosdeeuropa_by_Aitzol_Berasategi", "seeding_by_Clements_Engelhardt", "sunset_by_Aitzol_Berasategi",
    ),
    "lomiri-wallpapers-20.04": ("Kleiber_by_Lukas_Baubkus",),
}

# Photos larger than this are stored downscaled (Lanczos, JPEG quality 95): training reads them at 1280 px
# anyway, and camera originals of 4–6k px would only make the set too large to carry to a lent GPU.
MAX_STORED_SIDE = 2560

# Held out for validation PSNR: one per source, different content (path, macro insect, building, field).
VALIDATION = {
    "plasma-workspace-wallpapers/Path",
    "mate-backgrounds/LadyBird",
    "tuxpaint-data/lighthouse",
    "tuxpaint-data/corn_maze",
}

CUTOUT_MIN_SIDE = 256
CUTOUT_MIN_COLOURS = 5000  # fewer distinct colours under the alpha means clip art, not a photo


@dataclass(frozen=True)
class SetEntry:
    file: str  # relative to the set folder
    package: str
    version: str
    source: str  # path inside the package
    kind: str  # "photo" or "cutout"
    split: str  # "train" or "val"
    width: int
    height: int
    sha256: str


def fetch_deb(package: str, cache: Path) -> Path:
    """The package's .deb in ``cache``, downloaded with ``apt-get download`` only if none is there yet."""
    cache.mkdir(parents=True, exist_ok=True)
    found = sorted(cache.glob(f"{package}_*.deb"))
    if not found:
        subprocess.run(["apt-get", "download", package], cwd=cache, check=True)
        found = sorted(cache.glob(f"{package}_*.deb"))
    if not found:
        raise FileNotFoundError(f"apt-get download {package} left no .deb in {cache}")
    return found[-1]


def deb_version(deb: Path) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], check=True, capture_output=True, text=True).stdout.strip()


def _photo_sources(root: Path) -> dict[str, list[Path]]:
    """Photo paths per package inside an unpacked tree (cut-outs are picked separately)."""
    wallpapers = root / "usr/share/wallpapers"
    return {
        "plasma-workspace-wallpapers": [wallpapers / n / "contents/images/2560x1600.jpg" for n in PLASMA_PHOTOS],
        "mate-backgrounds": sorted((root / "usr/share/backgrounds/mate/nature").glob("*.jpg")),
        "tuxpaint-data": sorted((root / "usr/share/tuxpaint/templates").glob("*.jpg")),
    } | {
        package: [root / "usr/share/backgrounds" / f"{name}.jpg" for name in names]
        for package, names in LOMIRI_PHOTOS.items()
    }


def is_photographic_cutout(path: Path) -> bool:
    """A stamp at least 256 px with alpha and more than 5,000 distinct colours under it."""
    with Image.open(path) as image:
        if min(image.size) < CUTOUT_MIN_SIDE or "A" not in image.convert("RGBA").getbands():
            return False
        rgba = np.asarray(image.convert("RGBA"))
    opaque = rgba[rgba[:, :, 3] > 127][:, :3]
    if len(opaque) == 0:
        return False
    packed = (opaque[:, 0].astype(np.uint32) << 16) | (opaque[:, 1].astype(np.uint32) << 8) | opaque[:, 2]
    return len(np.unique(packed)) > CUTOUT_MIN_COLOURS


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _entry(out: Path, target: Path, package: str, version: str, source: str, kind: str, split: str) -> SetEntry:
    with Image.open(target) as image:
        width, height = image.size
    return SetEntry(str(target.relative_to(out)), package, version, source, kind, split, width, height, _sha256(target))


def store_photo(src: Path, target: Path) -> None:
    """Copy ``src`` to ``target``, downscaled to MAX_STORED_SIDE first when it is larger."""
    with Image.open(src) as image:
        if max(image.size) <= MAX_STORED_SIDE:
            shutil.copyfile(src, target)
            return
        scale = MAX_STORED_SIDE / max(image.size)
        size = (round(image.width * scale), round(image.height * scale))
        image.convert("RGB").resize(size, Image.Resampling.LANCZOS).save(target, quality=95)


PACKAGES = (
    "plasma-workspace-wallpapers", "mate-backgrounds", "tuxpaint-data", "tuxpaint-stamps-default",
    *LOMIRI_PHOTOS,
)


def build_debian_set(out: Path, cache: Path, packages: tuple[str, ...] = PACKAGES) -> list[SetEntry]:
    """Unpack the packages and write photos/, cutouts/, licences/ and manifest.json under ``out``."""
    entries: list[SetEntry] = []
    for sub in ("photos", "cutouts", "licences"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for package in packages:
        deb = fetch_deb(package, cache)
        version = deb_version(deb)
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
            shutil.copyfile(root / f"usr/share/doc/{package}/copyright", out / "licences" / f"{package}.copyright")
            if package == "tuxpaint-stamps-default":
                for src in sorted((root / "usr/share/tuxpaint/stamps").rglob("*.png")):
                    if is_photographic_cutout(src):
                        rel = src.relative_to(root / "usr/share/tuxpaint/stamps")
                        target = out / "cutouts" / "__".join(rel.parts)
                        shutil.copyfile(src, target)
                        entries.append(_entry(out, target, package, version, str(src.relative_to(root)), "cutout", "train"))
                continue
            for src in _photo_sources(root)[package]:
                name = src.parent.parent.parent.name if package.startswith("plasma") else src.stem
                split = "val" if f"{package}/{name}" in VALIDATION else "train"
                target = out / "photos" / f"{package}__{name}.jpg"
                store_photo(src, target)
                entries.append(_entry(out, target, package, version, str(src.relative_to(root)), "photo", split))
    manifest = {
        "licence": "per package, see licences/*.copyright: GPL-2+ (plasma, mate, tuxpaint), "
                   "CC-BY-4.0 / CC-BY-SA-4.0 / CC0-1.0 (lomiri wallpapers)",
        "entries": [asdict(e) for e in entries],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return entries


def read_manifest(folder: Path) -> list[SetEntry]:
    path = folder / "manifest.json"
    if not path.exists():
        raise FileNotFoundError(f"{folder} is not a photo set: it has no manifest.json (build one with `restora data debian`)")
    data = json.loads(path.read_text())
    return [SetEntry(**e) for e in data["entries"]]
