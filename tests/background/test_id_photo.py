"""ID photos: the size table, the head placement, the print sheet, the file-size limit."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from skimage import data

from restora.tools.background import id_photo
from restora.tools.base import InvalidParams

# The astronaut (scikit-image, 512×512), measured by eye on a 2× enlargement: crown (top of the hair) at
# row 15, chin at row 175; OpenCV's frontal-face cascade puts her face box at (177, 65, 95, 95).
ASTRONAUT_FACE = (177, 65, 95, 95)
ASTRONAUT_CROWN, ASTRONAUT_CHIN = 15, 175


@pytest.mark.parametrize("key, pixels", [("1inch", (295, 413)), ("2inch", (413, 579)), ("cn-passport", (390, 567)),
                                         ("us-passport", (600, 600)), ("eu", (413, 531))])
def test_sizes_in_pixels_at_300_dpi(key, pixels):
    assert id_photo.SIZES[key].pixels == pixels


def test_every_rule_fits_its_photo():
    for size in id_photo.ID_SIZES:
        assert size.head_mm[0] < size.head_mm[1] and size.top_mm[0] < size.top_mm[1]
        assert size.top_mm[1] + size.head_mm[1] < size.height_mm, size.key  # room for the chin and neck
        assert size.source and size.label


def _head_mask(crown: int = ASTRONAUT_CROWN) -> np.ndarray:
    alpha = np.zeros((512, 512), np.float32)
    alpha[crown:, 150:300] = 1.0  # a person from the crown down
    return alpha


@pytest.mark.parametrize("size", id_photo.ID_SIZES, ids=lambda size: size.key)
def test_placement_puts_the_head_in_the_standard(size):
    placement = id_photo.place_head(size, ASTRONAUT_FACE, _head_mask())
    left, top, right, bottom = placement.box
    px_per_mm = (right - left) / size.width_mm
    assert (bottom - top) / px_per_mm == pytest.approx(size.height_mm)
    assert (ASTRONAUT_CROWN - top) / px_per_mm == pytest.approx(placement.top_mm)
    # The head from the face box's chin estimate: inside the standard's range.
    head = (ASTRONAUT_FACE[1] + id_photo.CHIN_BELOW_TOP * ASTRONAUT_FACE[3] - ASTRONAUT_CROWN) / px_per_mm
    assert size.head_mm[0] <= head <= size.head_mm[1]
    assert size.top_mm[0] <= placement.top_mm <= size.top_mm[1]
    assert left < ASTRONAUT_FACE[0] and right > ASTRONAUT_FACE[0] + ASTRONAUT_FACE[2]  # the face is in, centred


def test_chin_estimate_matches_the_measured_chin():
    chin = ASTRONAUT_FACE[1] + id_photo.CHIN_BELOW_TOP * ASTRONAUT_FACE[3]
    assert abs(chin - ASTRONAUT_CHIN) <= 0.03 * (ASTRONAUT_CHIN - ASTRONAUT_CROWN)


def test_a_mask_cut_at_the_top_falls_back_to_the_face_box():
    placement = id_photo.place_head(id_photo.SIZES["eu"], ASTRONAUT_FACE, _head_mask(crown=0))
    px_per_mm = (placement.box[2] - placement.box[0]) / 35
    crown = ASTRONAUT_FACE[1] - id_photo.CROWN_ABOVE_TOP * ASTRONAUT_FACE[3]
    assert (crown - placement.box[1]) / px_per_mm == pytest.approx(placement.top_mm)


def test_none_or_several_faces_are_refused():
    with pytest.raises(InvalidParams, match="no face"):
        id_photo.the_one_face([])
    with pytest.raises(InvalidParams, match="more than one face"):
        id_photo.the_one_face([(0, 0, 10, 10), (20, 0, 10, 10)])
    assert id_photo.the_one_face([ASTRONAUT_FACE]) == ASTRONAUT_FACE


def test_a_tiny_face_is_refused():
    with pytest.raises(InvalidParams, match="too small"):
        id_photo.place_head(id_photo.SIZES["eu"], (250, 250, 12, 12), np.zeros((512, 512), np.float32))


def test_crop_cutout_is_the_exact_size_and_transparent_past_the_edges():
    rgba = Image.fromarray(np.dstack([data.astronaut(), np.full((512, 512), 255, np.uint8)]), "RGBA")
    size = id_photo.SIZES["eu"]
    placement = id_photo.place_head(size, ASTRONAUT_FACE, _head_mask())
    cropped = id_photo.crop_cutout(rgba, placement, size)
    assert cropped.size == size.pixels and cropped.mode == "RGBA"
    assert placement.box[1] < 0  # this crop starts above the photo...
    assert np.asarray(cropped)[0, :, 3].max() == 0  # ...and that part is transparent
    assert np.asarray(cropped)[size.pixels[1] // 2, :, 3].min() == 255


def test_sheet_holds_as_many_copies_as_fit():
    photo = Image.new("RGB", id_photo.SIZES["1inch"].pixels, (10, 20, 30))
    sheet = id_photo.layout_sheet(photo, "6inch")
    assert sheet.size == (1200, 1800)  # portrait: 3×4 = 12 copies (landscape holds 5×2 = 10)
    pixels = np.asarray(sheet)
    copies = (pixels == (10, 20, 30)).all(axis=-1)
    assert copies.sum() == 12 * photo.width * photo.height
    assert (pixels[0, 0] == 255).all()  # a white margin
    assert (pixels == id_photo.CUT_LINE).all(axis=-1).any()  # cut lines between copies


def test_a_photo_larger_than_the_sheet_is_refused():
    with pytest.raises(InvalidParams, match="larger than the print sheet"):
        id_photo.layout_sheet(Image.new("RGB", (1300, 1900)), "6inch")


def test_jpeg_within_the_limit_at_the_best_quality():
    photo = Image.fromarray(data.astronaut()).resize((413, 531))
    encoded, quality = id_photo.jpeg_within(photo, 20)
    assert len(encoded) <= 20 * 1024
    assert quality == 95 or len(id_photo.encode_jpeg(photo, quality + 1)) > 20 * 1024
    with Image.open(io.BytesIO(encoded)) as decoded:
        assert decoded.format == "JPEG" and decoded.size == (413, 531)
        assert tuple(round(v) for v in decoded.info["dpi"]) == (300, 300)
    with pytest.raises(InvalidParams, match="kilobytes"):
        id_photo.jpeg_within(Image.fromarray(np.random.default_rng(0).integers(0, 256, (531, 413, 3), np.uint8)), 5)


def test_the_size_list_shows_the_pixels_at_300_dpi_computed_from_the_table():
    from restora.i18n import translate
    from restora.tools.background import Background

    id_param = next(p for p in Background().params if p.name == "id_photo")
    for size in id_photo.ID_SIZES:
        width, height = size.pixels
        label = id_param.choice_label(size.key)
        assert label == f"{size.label} ({width}×{height} px)"
        assert translate(label, "zh").endswith(f" ({width}×{height} px)")  # the catalogue translates the rest
    assert id_param.choice_label("2inch") == "2-inch, 35×49 mm (413×579 px)"
    assert translate(id_param.choice_label("2inch"), "zh") == "二寸，35×49 mm (413×579 px)"
