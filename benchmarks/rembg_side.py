"""rembg's side of the background comparison: ``.venv-rembg/bin/python -m benchmarks.rembg_side`` (rembg and
its pymatting/numba live only in that venv), driven line by line so that its runs alternate with ours.

Builds a ``u2netp`` session once (warm, as a server keeps it), writes rembg's u2netp mask of each
``NAME.png`` in ``--photos`` to ``--masks`` (``only_mask=True``), then prints one JSON line about itself.
After that, each line ``NAME VARIANT`` read from stdin runs ``rembg.remove`` once on that photo onto a
white ``bgcolor`` (like the background tool's default) and answers ``{"wall_ms": ..., "cpu_ms": ...,
"printed": ...}``, the last being what rembg printed meanwhile (pymatting prints its solver's warnings).
Nothing is downloaded: ``U2NET_HOME`` must hold ``u2netp.onnx``, else this stops before rembg would fetch it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import inspect
import io
import json
import os
import re
import sys
from importlib.metadata import version
from pathlib import Path

from PIL import Image

from benchmarks.common import onnxruntime_options, wall_and_cpu_ms

WHITE = (255, 255, 255, 255)
VARIANTS = {
    "plain": {"alpha_matting": False},  # rembg's default: the net's mask enlarged by Lanczos, no edge work
    "alpha_matting": {"alpha_matting": True},  # pymatting's closed-form matting on a trimap from the mask
}
DID = {
    "plain": "remove(photo, session=new_session('u2netp'), bgcolor=white): the mask enlarged by Lanczos, the "
             "photo composited on white (RGBA out)",
    "alpha_matting": "the same with alpha_matting=True: pymatting closed-form alpha on a trimap (240/10 "
                     "thresholds, erode 10) and its ML foreground colours",
}


def weights_file() -> tuple[str, bool]:
    """(the file rembg will load, links resolved; whether its md5 is the one rembg checks downloads against)."""
    from rembg.sessions.u2netp import U2netpSession

    path = U2netpSession.resolve_existing("u2netp.onnx")
    if path is None:
        raise SystemExit(f"no u2netp.onnx in U2NET_HOME ({U2netpSession.legacy_home()}): rembg would download it")
    # rembg's own md5 for the file, read from its downloader so that a new rembg release is checked too
    expected = re.search(r"md5:([0-9a-f]{32})", inspect.getsource(U2netpSession.download_models))
    md5 = hashlib.md5(Path(path).read_bytes()).hexdigest()
    return os.path.realpath(path), expected is not None and md5 == expected.group(1)


ANSWERS = sys.stdout  # only the answers go here: everything else printed goes to stderr or into "printed"


def answer(value: dict) -> None:
    print(json.dumps(value), file=ANSWERS, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, required=True)
    parser.add_argument("--masks", type=Path, required=True)
    parser.add_argument("--threads", type=int, required=True, help="onnxruntime intra-op threads, as our side uses")
    args = parser.parse_args()
    sys.stdout = sys.stderr

    import onnxruntime
    from rembg import new_session, remove

    path, md5_matches = weights_file()
    options = onnxruntime.SessionOptions()  # rembg's default options but for the thread count
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    session = new_session("u2netp", sess_opts=options)
    photos = {file.stem: Image.open(file).convert("RGB") for file in sorted(args.photos.glob("*.png"))}
    for name, image in photos.items():
        remove(image, session=session, only_mask=True).save(args.masks / f"{name}.png")
    answer({"rembg": version("rembg"), "onnxruntime_version": onnxruntime.__version__,
            "pymatting": version("pymatting"), "weights": path, "weights_md5_is_rembgs": md5_matches,
            "onnxruntime": onnxruntime_options(session.inner_session), "did": DID})
    for line in sys.stdin:
        name, variant = line.split()
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            wall, cpu = wall_and_cpu_ms(
                lambda: remove(photos[name], session=session, bgcolor=WHITE, **VARIANTS[variant]))
        answer({"wall_ms": wall, "cpu_ms": cpu, "printed": printed.getvalue().strip()})


if __name__ == "__main__":
    main()
