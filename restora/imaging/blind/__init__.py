"""Blind deconvolution of uniform camera shake: estimate the blur kernel from the photo, then undo it.

- :mod:`.deconvolution`: undo a known kernel (noise-adaptive Gaussian prior on gradients) and the FFT
  helpers shared with the estimate;
- :mod:`.kernel_estimation`: one coarse-to-fine L0 estimate of the kernel from a photo;
- :mod:`.consensus`: several estimates from several views, the one they agree on, and
  :func:`blind_deblur`, the whole method the deblur tool's ``kernel`` and ``auto`` use.

docs/deblur-kernel-method.md describes the algorithm and what was measured.
"""

from restora.imaging.blind.consensus import (
    REGIONS, VIEW_NUDGES, WORKERS, BlindResult, best_alignment, blind_deblur, choose_estimate,
    estimate_side_by_side, estimation_views, kernel_agreement, kernel_spread, medoid_kernel,
)
from restora.imaging.blind.deconvolution import (
    LUMA, MIN_REG, adjoint_into, deconvolve, difference_spectra, gradients, gradients_into, noise_sigma,
    pad_for_fft, psf_spectrum, regularisation_for, to_grey,
)
from restora.imaging.blind.kernel_estimation import (
    BlindConfig, centre_kernel, delta_kernel, estimate_kernel, kernel_sizes, l0_edges, resize_kernel, scale_kernel,
)

__all__ = [
    "BlindConfig",
    "BlindResult",
    "LUMA",
    "MIN_REG",
    "REGIONS",
    "VIEW_NUDGES",
    "WORKERS",
    "adjoint_into",
    "best_alignment",
    "blind_deblur",
    "centre_kernel",
    "choose_estimate",
    "deconvolve",
    "delta_kernel",
    "difference_spectra",
    "estimate_kernel",
    "estimate_side_by_side",
    "estimation_views",
    "gradients",
    "gradients_into",
    "kernel_agreement",
    "kernel_sizes",
    "kernel_spread",
    "l0_edges",
    "medoid_kernel",
    "noise_sigma",
    "pad_for_fft",
    "psf_spectrum",
    "regularisation_for",
    "resize_kernel",
    "scale_kernel",
    "to_grey",
]
