"""The colorize photo set builder on tiny fake packages (real .deb files built here; no network)."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from restora.tools.colorize.photos import (
    build_colorize_set,
    is_colour_photo,
    licence_of,
    read_copyright_licences,
    read_photo_manifest,
    read_rcc,
    split_of,
)
from tests.colorize.photo_sets import colour_photo


def drawing() -> Image.Image:
    """Flat colour areas: a drawn background, not a photo."""
    pixels = np.zeros((120, 160, 3), np.uint8)
    pixels[:60] = (40, 120, 220)
    pixels[60:] = (60, 170, 60)
    pixels[50:90, 40:80] = (220, 40, 40)
    return Image.fromarray(pixels)


def photo(seed: int, height: int = 300, width: int = 400) -> Image.Image:
    return Image.fromarray(colour_photo(seed, height, width))


def write_rcc(files: dict[str, tuple[bytes, bool]]) -> bytes:
    """A Qt resource bundle (format 2) of ``{"dir/name": (data, zlib?)}``, one directory level."""
    dirs: dict[str, list[str]] = {}
    for path in files:
        folder, name = path.split("/")
        dirs.setdefault(folder, []).append(name)
    names, name_offsets = b"", {}
    for name in [*dirs, *(n for ns in dirs.values() for n in ns)]:
        if name not in name_offsets:
            name_offsets[name] = len(names)
            encoded = name.encode("utf-16-be")
            names += struct.pack(">HI", len(name), 0) + encoded
    payload, data_offsets = b"", {}
    for path, (blob, compressed) in files.items():
        stored = struct.pack(">I", len(blob)) + zlib.compress(blob) if compressed else blob
        data_offsets[path] = len(payload)
        payload += struct.pack(">I", len(stored)) + stored
    # nodes: 0 root, then the directories, then each directory's files (children must be consecutive)
    nodes = [struct.pack(">IHII", 0, 2, len(dirs), 1) + b"\0" * 8]
    first_file = 1 + len(dirs)
    for folder, children in dirs.items():
        nodes.append(struct.pack(">IHII", name_offsets[folder], 2, len(children), first_file) + b"\0" * 8)
        first_file += len(children)
    for folder, children in dirs.items():
        for name in children:
            flags = 1 if files[f"{folder}/{name}"][1] else 0
            nodes.append(struct.pack(">IHIIQ", name_offsets[name], flags, 0, data_offsets[f"{folder}/{name}"], 0))
    tree = b"".join(nodes)
    header_size = 20
    tree_offset, data_offset = header_size, header_size + len(tree)
    names_offset = data_offset + len(payload)
    return b"qres" + struct.pack(">IIII", 2, tree_offset, data_offset, names_offset) + tree + payload + names


def encoded(image: Image.Image, fmt: str = "WEBP") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    return buffer.getvalue()


def test_rcc_reader_finds_plain_and_compressed_files() -> None:
    bundle = write_rcc({"res/a.txt": (b"hello", False), "res/b.bin": (b"x" * 500, True), "other/c": (b"!", False)})
    files = read_rcc(bundle)
    assert files == {"/res/a.txt": b"hello", "/res/b.bin": b"x" * 500, "/other/c": b"!"}
    with pytest.raises(ValueError, match="qres"):
        read_rcc(b"nope" + bundle[4:])


def test_colour_photo_rule() -> None:
    assert is_colour_photo(photo(0))
    assert not is_colour_photo(drawing())  # few colours
    assert not is_colour_photo(photo(0).convert("L").convert("RGB"))  # grey
    assert not is_colour_photo(photo(0, 100, 150))  # too small
    cutout = photo(1).convert("RGBA")
    alpha = np.zeros((300, 400), np.uint8)
    alpha[50:250, 100:300] = 255
    cutout.putalpha(Image.fromarray(alpha))
    assert not is_colour_photo(cutout)


def test_splits_are_stable_and_new_wave_is_for_evaluation_only() -> None:
    assert split_of("kphotoalbum/new_wave_1") == "eval"
    names = [f"pkg/photo{i}" for i in range(240)]
    splits = [split_of(n) for n in names]
    assert splits == [split_of(n) for n in names]
    assert 8 <= splits.count("val") <= 40 and "eval" not in splits


def test_copyright_paragraphs_give_each_file_its_licence() -> None:
    text = ("Files: *\nCopyright: someone\nLicense: GPL-3+\n\n"
            "Files: src/activities/fish/resource/*.jpg\n src/x.png\nCopyright: other\nLicense: CC-BY-SA-4.0\n")
    paragraphs = read_copyright_licences(text)
    assert licence_of("src/activities/fish/resource/a.webp", paragraphs) == "CC-BY-SA-4.0"  # converted to WebP
    assert licence_of("src/x.png", paragraphs) == "CC-BY-SA-4.0"
    assert licence_of("src/activities/other/b.webp", paragraphs) == "GPL-3+"


def build_deb(cache: Path, package: str, version: str, files: dict[str, bytes]) -> None:
    root = cache / f"tree-{package}"
    for inside, blob in files.items():
        target = root / inside
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN/control").write_text(f"Package: {package}\nVersion: {version}\nArchitecture: all\n"
                                         f"Maintainer: test <t@example.org>\nDescription: fake\n")
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", str(root), str(cache / f"{package}_{version}_all.deb")],
                   check=True, capture_output=True)


@pytest.mark.slow
def test_build_set_from_fake_packages(tmp_path: Path) -> None:
    cache = tmp_path / "debs"
    cache.mkdir()
    index = ('<KPhotoAlbum><images><image file="new_wave_1.jpg" angle="90"/>'
             '<image file="pool.jpg" angle="0"/><image file="snow.jpg"/></images></KPhotoAlbum>')
    build_deb(cache, "kphotoalbum", "5.9.1-1", {
        "usr/share/kphotoalbum/demo/index.xml": index.encode(),
        "usr/share/kphotoalbum/demo/new_wave_1.jpg": encoded(photo(1), "JPEG"),
        "usr/share/kphotoalbum/demo/pool.jpg": encoded(photo(2), "JPEG"),
        "usr/share/kphotoalbum/demo/snow.jpg": encoded(photo(3), "JPEG"),
        "usr/share/doc/kphotoalbum/copyright": b"Files: *\nLicense: GPL-2+\n",
    })
    build_deb(cache, "scratch", "1.4", {
        "usr/share/scratch/Media/Backgrounds/Outdoors/street.jpg": encoded(photo(4), "JPEG"),
        "usr/share/scratch/Media/Backgrounds/Indoors/drawn.jpg": encoded(drawing(), "PNG"),
        "usr/share/doc/scratch/copyright": b"Files: Media/*\nLicense: CC-BY-SA-3.0\n",
    })
    bundle = write_rcc({"monuments/tower.webp": (encoded(photo(5)), False),
                        "monuments/VanGogh_night.webp": (encoded(photo(6)), False),
                        "monuments/notes.qml": (b"Item {}", True)})
    painting = write_rcc({"paintings/mona.webp": (encoded(photo(7)), False)})
    build_deb(cache, "gcompris-qt-data", "3.1-2", {
        "usr/share/gcompris-qt/rcc/explore_monuments.rcc": bundle,
        "usr/share/gcompris-qt/rcc/paintings.rcc": painting,
        "usr/share/doc/gcompris-qt-data/copyright":
            b"Files: *\nLicense: GPL-3+\n\nFiles: monuments/tower.jpg\nLicense: CC-BY-4.0\n",
    })
    out = tmp_path / "set"
    entries = build_colorize_set(out, cache, tmp_path / "pypi", packages=("kphotoalbum", "scratch", "gcompris-qt-data",
                                                                          "restora-no-such-package"), pypi=())
    names = sorted(Path(e.file).name for e in entries)
    assert names == ["gcompris-qt-data__explore_monuments_tower.jpg", "kphotoalbum__new_wave_1.jpg",
                     "kphotoalbum__pool.jpg", "kphotoalbum__snow.jpg", "scratch__Outdoors_street.jpg"]
    by_name = {Path(e.file).name: e for e in entries}
    new_wave = by_name["kphotoalbum__new_wave_1.jpg"]
    assert (new_wave.width, new_wave.height) == (300, 400)  # turned 90° clockwise as index.xml says
    assert new_wave.split == "eval" and new_wave.has_people and new_wave.version == "5.9.1-1"
    assert by_name["kphotoalbum__pool.jpg"].has_people and not by_name["kphotoalbum__snow.jpg"].has_people
    tower = by_name["gcompris-qt-data__explore_monuments_tower.jpg"]
    assert tower.licence == "CC-BY-4.0" and tower.source.startswith("explore_monuments.rcc:/monuments/")
    for entry in entries:
        assert hashlib.sha256((out / entry.file).read_bytes()).hexdigest() == entry.sha256
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["failed"] and manifest["failed"][0].startswith("restora-no-such-package")  # the rest is built
    assert read_photo_manifest(out) == entries
    assert "scratch__Outdoors_street.jpg" in (out / "CREDITS").read_text()
    assert (out / "licences/gcompris-qt-data.copyright").exists()
