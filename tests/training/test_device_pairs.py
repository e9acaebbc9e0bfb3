import numpy as np
import pytest
import torch

from restora.imaging.blur import blur_image, linear_kernel, trajectory_kernels
from restora.tools.deblur.data import MARGIN, PairConfig
from restora.tools.deblur.training import DeblurTrainConfig, train_deblur
from restora.tools.deblur.device_pairs import BANK_SIDE, DevicePairMaker, blur_batch, centred_kernel, kernel_bank

CPU = torch.device("cpu")


@pytest.mark.parametrize("kernel", [
    linear_kernel(21.5, 33.0),
    trajectory_kernels(np.random.default_rng(4), expl=0.005)[2],
], ids=["linear", "trajectory"])
def test_fft_blur_equals_the_reference_blur_inside_the_margin(kernel):
    rng = np.random.default_rng(1)
    patch = rng.uniform(size=(96 + 2 * MARGIN, 96 + 2 * MARGIN, 3)).astype(np.float32)
    expected = blur_image(patch, kernel)[MARGIN:-MARGIN, MARGIN:-MARGIN]
    got = blur_batch(torch.from_numpy(patch).permute(2, 0, 1)[None], torch.from_numpy(centred_kernel(kernel))[None])
    got = got[0, :, MARGIN:-MARGIN, MARGIN:-MARGIN].permute(1, 2, 0).numpy()
    np.testing.assert_allclose(got, expected, atol=2e-5)


def test_kernel_bank_is_reproducible_whatever_the_workers():
    bank = kernel_bank(seed=3, kind="mixed", size=12)
    assert bank.shape == (12, BANK_SIDE, BANK_SIDE)
    torch.testing.assert_close(bank.sum(dim=(1, 2)), torch.ones(12), atol=1e-5, rtol=0)
    torch.testing.assert_close(kernel_bank(seed=3, kind="mixed", size=12, workers=2), bank, atol=0, rtol=0)
    assert not torch.equal(kernel_bank(seed=4, kind="mixed", size=12), bank)


def test_device_batches_depend_only_on_seed_and_step(tiny_photo_set):
    config = PairConfig(crop=32, batch=4, jpeg_prob=0.5)
    maker = DevicePairMaker(tiny_photo_set, config, seed=5, device=CPU, bank_size=16)
    blurred, sharp = maker.batch(7)
    assert blurred.shape == sharp.shape == (4, 3, 32, 32) and blurred.dtype == torch.float32
    assert blurred.min() >= -1 and blurred.max() <= 1 and sharp.min() >= -1 and sharp.max() <= 1
    assert (blurred - sharp).abs().mean() > 0.01  # blurred, not a copy
    again = DevicePairMaker(tiny_photo_set, config, seed=5, device=CPU, bank_size=16)
    again.batch(2)
    for x, y in zip(again.batch(7), (blurred, sharp)):
        torch.testing.assert_close(x, y, atol=0, rtol=0)
    assert not torch.equal(maker.batch(8)[1], sharp)


@pytest.mark.slow  # two short training runs
def test_resume_with_device_pairs_matches_a_straight_run(tiny_photo_set, tmp_path):
    recipe = dict(ngf=4, n_blocks=1, ndf=4, crop=32, val_crop=32, batch=2, critic_iters=2, threads=1, log_every=1,
                  val_every=2, sample_every=2, warmup_steps=1, pairs="device", kernel_bank=8, device="cpu")
    straight = train_deblur(DeblurTrainConfig(**recipe, steps=3), tiny_photo_set, tmp_path / "a", progress=False)
    train_deblur(DeblurTrainConfig(**recipe, steps=1), tiny_photo_set, tmp_path / "b", progress=False)
    resumed = train_deblur(DeblurTrainConfig(**recipe, steps=3), tiny_photo_set, tmp_path / "b", resume=True,
                           progress=False)
    for name, tensor in straight.generator.state_dict().items():
        torch.testing.assert_close(resumed.generator.state_dict()[name], tensor, rtol=0, atol=0, msg=name)


def test_unknown_pair_maker_is_refused():
    with pytest.raises(ValueError, match="pairs must be one of"):
        DeblurTrainConfig(pairs="gpu")
