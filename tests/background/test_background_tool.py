"""The background tool: its declaration, its refusals, a golden image, and runs with the shipped segmenters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from restora.imaging.composite import ID_COLOURS
from restora.tools.background import SEGMENTERS, Background, compose, id_photo
from restora.tools.background.weights import WEIGHTS
from restora.tools.base import InvalidParams, run_with_views
from tests.background.scenes import hairy_scene, scene, segmenter_like
from tests.background.test_id_photo import ASTRONAUT_CHIN, ASTRONAUT_CROWN

GOLDEN = Path(__file__).parent / "golden" / "background_options.png"
GOLDEN_FINE = Path(__file__).parent / "golden" / "background_fine_hair.png"
RESULTS = Path(__file__).resolve().parents[1] / "results"
SHIPPED = Path(__file__).resolve().parents[2] / "restora" / "weights"


@pytest.fixture(scope="module")
def tool() -> Background:
    return Background()


def test_declaration(tool):
    assert [p.name for p in tool.params] == ["segmenter", "background", "color", "color2", "picture", "picture_fit",
                                             "edges", "keep", "strokes", "mask_only", "id_photo", "sheet", "max_kb"]
    for param in tool.params:
        assert param.label and param.help, param.name
        if param.kind == "choice":
            assert len(param.choice_labels) == len(param.choices), param.name
    assert next(p for p in tool.params if p.name == "color").cli_flag == "--color"
    assert tool.weights == WEIGHTS
    assert [(view.name, view.label) for view in tool.views] == [("mask", "Mask")]
    assert next(p for p in tool.params if p.name == "segmenter").choices == SEGMENTERS
    assert set(id_photo.SIZES) < set(next(p for p in tool.params if p.name == "id_photo").choices)


@pytest.mark.parametrize("raw, message", [
    ({"background": "picture"}, "needs a picture"),
    ({"id_photo": "eu", "background": "transparent"}, "ID photo"),
    ({"id_photo": "eu", "background": "blur"}, "ID photo"),
    ({"sheet": "6inch"}, "ID photo size"),
    ({"background": "transparent", "max_kb": 50}, "transparent"),
    ({"max_kb": 2}, "5 KB"),
    ({"picture": "not a picture.png", "background": "picture"}, "must be an image"),
    ({"color": "bluish"}, "#RRGGBB"),
    ({"id_photo": "a4"}, "must be one of"),
])
def test_refusals(tool, raw, message):
    with pytest.raises(InvalidParams, match=message):
        tool.validate(raw)


def test_a_missing_u2net_is_reported_by_prepare(tool, tmp_path):
    from restora.config import Settings
    from restora.weights import MissingWeights

    with pytest.raises(MissingWeights, match="restora models fetch u2net"):
        tool.prepare(settings=Settings(models_dir=tmp_path), segmenter="u2net")


@pytest.mark.parametrize("content", [b"", b"this is not a picture\n"])
def test_a_background_file_that_is_not_a_picture_is_refused(tmp_path, content):
    # Fronts read the background picture through the one image door before the tool sees it.
    from restora.imaging.io import InvalidImage, load_image

    path = tmp_path / "background.jpg"
    path.write_bytes(content)
    with pytest.raises(InvalidImage):
        load_image(path)


def test_defaults_are_a_white_background(tool):
    values = tool.validate({})
    assert values["background"] == "colour" and values["color"] == "white" and values["edges"] == "fine"


# --- golden image: the compositing with a constructed mask, no segmenter -------------------------------

def _golden_montage() -> Image.Image:
    photo, alpha, _ = scene(72, 96, seed=11)
    mask = segmenter_like(alpha, 24)
    picture = Image.fromarray(np.indices((30, 40)).sum(axis=0).astype(np.uint8)[..., None].repeat(3, -1) * 3)
    options = [{"color": "blue"}, {"background": "gradient", "color": "white", "color2": "red"},
               {"background": "blur"}, {"background": "picture", "picture": picture, "picture_fit": "tile"},
               {"mask_only": True}, {"background": "transparent"}]
    tiles = []
    for option in options:
        result = compose.render(photo, mask, [], edges="fast", **option).image  # fine: test_golden_fine_edges
        if result.mode == "RGBA":  # the cut-out: its colours, then its alpha
            tiles += [result.convert("RGB"), result.getchannel("A").convert("RGB")]
        else:
            tiles.append(result)
    montage = Image.new("RGB", (96 * len(tiles), 72))
    for index, tile in enumerate(tiles):
        montage.paste(tile, (96 * index, 0))
    return montage


def _compare_with_golden(result: Image.Image, golden_path: Path) -> None:
    actual = np.asarray(result).astype(int)
    if not golden_path.exists():  # first run: write it, then look at it and commit it
        golden_path.parent.mkdir(exist_ok=True)
        result.save(golden_path)
        pytest.fail(f"wrote a new golden image {golden_path}; check it and run again")
    with Image.open(golden_path) as golden:
        expected = np.asarray(golden.convert("RGB")).astype(int)
    difference = np.abs(actual - expected) if actual.shape == expected.shape else None
    # Float sums in the filters (and the sparse solver's) may move a pixel by a level between CPUs; more
    # than that is a change.
    if difference is None or difference.max() > 2 or difference.mean() > 0.05:
        RESULTS.mkdir(exist_ok=True)
        stem = golden_path.stem
        result.save(RESULTS / f"{stem}_actual.png")
        Image.fromarray(expected.astype(np.uint8)).save(RESULTS / f"{stem}_expected.png")
        pytest.fail(f"background output differs from {golden_path.name}; the pair is in {RESULTS}")


def test_golden_image():
    _compare_with_golden(_golden_montage(), GOLDEN)


def test_golden_fine_edges():
    """The default edges on hair: a fixed hair scene, its segmenter-like mask, on magenta; then the matte."""
    photo, alpha, _ = hairy_scene(96, 128, seed=12)
    mask = segmenter_like(alpha, 32)
    on_colour = compose.render(photo, mask, [], color="#E614DC").image
    matte = compose.render(photo, mask, [], mask_only=True).image
    assert compose.render(photo, mask, []).image.tobytes() == compose.render(photo, mask, [], edges="fine").image.tobytes()
    montage = Image.new("RGB", (3 * 128, 96))
    for index, tile in enumerate([Image.fromarray(photo), on_colour, matte]):
        montage.paste(tile, (128 * index, 0))
    _compare_with_golden(montage, GOLDEN_FINE)


def test_id_photo_through_render_with_a_constructed_mask(tmp_path):
    rgb = data.astronaut()
    alpha = np.zeros((512, 512), np.float32)
    alpha[ASTRONAUT_CROWN:, 130:320] = 1.0
    result = compose.render(rgb, alpha, [(177, 65, 95, 95)], id_photo_size="us-passport", color="red", max_kb=40).image
    assert result.size == (600, 600) and result.mode == "RGB"
    assert result.info["dpi"] == (300, 300)
    assert result.info["restora_max_kb"] == 40 and 10 <= result.info["restora_jpeg_quality"] <= 95
    assert np.asarray(result)[2, 2].tolist() == list(ID_COLOURS["red"])
    from restora.imaging.io import MAX_KB_KEY, InvalidImage, save_image

    saved_path = save_image(result, tmp_path / "id.jpg")  # the one save path keeps the print resolution
    assert saved_path.stat().st_size <= 40 * 1024  # and meets the size limit
    with Image.open(saved_path) as saved:
        assert tuple(round(v) for v in saved.info["dpi"]) == (300, 300)
    with pytest.raises(InvalidImage, match="needs a JPEG"):  # a PNG cannot promise a size
        save_image(result, tmp_path / "id.png")
    result.info.pop(MAX_KB_KEY)
    with Image.open(save_image(result, tmp_path / "id.png")) as saved:
        assert tuple(round(v) for v in saved.info["dpi"]) == (300, 300)
    sheet = compose.render(rgb, alpha, [(177, 65, 95, 95)], id_photo_size="us-passport", sheet="6inch")
    assert sheet.image.size in ((1200, 1800), (1800, 1200)) and sheet.image.info["dpi"] == (300, 300)
    assert sheet.views["mask"].size == (600, 600)  # the one photo's mask, not a sheet of masks


def test_every_run_but_a_mask_only_one_gives_the_mask_it_was_built_with():
    photo, alpha, _ = scene(72, 96, seed=11)
    mask = segmenter_like(alpha, 24)
    expected = compose.render(photo, mask, [], mask_only=True)
    assert expected.views == {}  # the result is the mask already
    for option in [{"color": "blue"}, {"background": "blur"}, {"background": "transparent"}]:
        output = compose.render(photo, mask, [], **option)
        assert list(output.views) == ["mask"]
        assert output.views["mask"].tobytes() == expected.image.tobytes(), option
    cutout = compose.render(photo, mask, [], background="transparent")
    assert np.array_equal(np.asarray(cutout.views["mask"])[..., 0], np.asarray(cutout.image.getchannel("A")))
    pixels = np.asarray(expected.image).astype(int)
    # The subject white on black (the scene's true matte; the refined one differs at the edges).
    assert pixels[alpha > 0.99].mean() > 240 and pixels[alpha < 0.01].mean() < 15


def test_an_id_photo_mask_is_the_alpha_of_the_crop():
    rgb = data.astronaut()
    alpha = np.zeros((512, 512), np.float32)
    alpha[ASTRONAUT_CROWN:, 130:320] = 1.0
    face = [(177, 65, 95, 95)]
    output = compose.render(rgb, alpha, face, id_photo_size="eu", color="red")
    mask_only = compose.render(rgb, alpha, face, id_photo_size="eu", mask_only=True).image
    assert output.views["mask"].size == output.image.size == id_photo.SIZES["eu"].pixels
    assert output.views["mask"].tobytes() == mask_only.tobytes()
    pixels = np.asarray(output.views["mask"])
    assert pixels[2, 2].tolist() == [0, 0, 0] and pixels[-2, output.image.width // 2].tolist() == [255, 255, 255]


# --- the whole tool with the shipped segmenters (a second or two each; more on a busy machine) ---------

def _needs(*files: str) -> None:
    missing = [name for name in files if not (SHIPPED / name).is_file()]
    if missing:
        pytest.skip(f"the shipped segmenter weights {', '.join(missing)} are not in {SHIPPED}")


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    return Image.fromarray(data.astronaut())


@pytest.mark.slow
def test_blue_background_with_u2netp(tool, astronaut):
    _needs("u2netp.onnx")
    fractions = []
    output = run_with_views(tool, astronaut, progress=fractions.append,
                            **tool.validate({"segmenter": "u2netp", "color": "blue"}))
    result = output.image
    mask = np.asarray(output.views["mask"])
    assert mask[5, 500].tolist() == [0, 0, 0] and mask[120, 225].tolist() == [255, 255, 255]
    assert result.size == astronaut.size and result.mode == "RGB"
    pixels = np.asarray(result)
    assert pixels[5, 500].tolist() == list(ID_COLOURS["blue"])  # the wall behind her
    assert pixels[120, 225].tolist() == np.asarray(astronaut)[120, 225].tolist()  # her face, untouched
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


@pytest.mark.slow
def test_the_input_alpha_is_ignored(tool, astronaut):
    _needs("u2netp.onnx")
    values = tool.validate({"segmenter": "u2netp"})
    transparent = astronaut.convert("RGBA")
    transparent.putalpha(0)
    assert np.array_equal(np.asarray(run_with_views(tool, transparent, **values).image),
                          np.asarray(run_with_views(tool, astronaut, **values).image))


@pytest.mark.slow
def test_cutout_and_mask(tool, astronaut):
    _needs("u2netp.onnx")
    cut = run_with_views(tool, astronaut, **tool.validate({"segmenter": "u2netp", "background": "transparent"})).image
    assert cut.mode == "RGBA" and np.asarray(cut)[5, 500, 3] == 0 and np.asarray(cut)[120, 225, 3] == 255
    mask = np.asarray(run_with_views(tool, astronaut, **tool.validate({"segmenter": "u2netp", "mask_only": True})).image)
    assert mask[5, 500].tolist() == [0, 0, 0] and mask[120, 225].tolist() == [255, 255, 255]


@pytest.mark.slow
def test_id_photo_of_a_real_face(tool, astronaut):
    _needs("u2netp.onnx", "rvm_mobilenetv3_fp32.onnx")
    from restora.tools.background.segment import detect_faces

    size = id_photo.SIZES["eu"]
    result = run_with_views(tool, astronaut, **tool.validate({"id_photo": "eu", "color": "blue"})).image
    assert result.size == size.pixels and result.info["dpi"] == (300, 300)
    pixels = np.asarray(result)
    px_per_mm = id_photo.DPI / id_photo.MM_PER_INCH
    # The crown: the first row whose middle differs from the background colour.
    middle = pixels[:, size.pixels[0] // 3: 2 * size.pixels[0] // 3]
    crown_row = np.nonzero((np.abs(middle.astype(int) - ID_COLOURS["blue"]).sum(-1) > 30).any(axis=1))[0][0]
    assert size.top_mm[0] - 0.5 <= crown_row / px_per_mm <= size.top_mm[1] + 0.5
    # The head: the face found again in the result gives the scale; the chin and crown measured on the photo.
    faces = detect_faces(pixels)
    assert len(faces) == 1
    scale = faces[0][3] / 95  # the face box is 95 px high on the 512-px photo
    head_mm = (ASTRONAUT_CHIN - ASTRONAUT_CROWN) * scale / px_per_mm
    assert size.head_mm[0] - 1 <= head_mm <= size.head_mm[1] + 1, head_mm


@pytest.mark.slow
def test_id_photo_without_a_face_is_refused(tool):
    _needs("u2netp.onnx")
    with pytest.raises(InvalidParams, match="no face"):
        tool.run(Image.fromarray(data.coffee()), **tool.validate({"id_photo": "1inch"}))
