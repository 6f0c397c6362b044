"""Colour references for the tests, computed from published colour-space definitions, independently of
LittleCMS: what an 8-bit colour of Display P3 or Adobe RGB is in sRGB. The profiles embedded in test files are
written by `shoebox.media.profiles.matrix_profile` (no Display P3 or Adobe RGB profile ships with any package
installed here, and `ImageCms.createProfile` makes only sRGB, LAB and XYZ); the tests compare what Shoebox makes
of those files with these references."""

from __future__ import annotations

import numpy as np

D65 = (0.3127, 0.3290)
#: Primaries (CIE xy of red, green, blue) and white point of each colour space.
DISPLAY_P3 = ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060), D65)   # SMPTE EG 432-1, Apple's Display P3
ADOBE_RGB = ((0.640, 0.330), (0.210, 0.710), (0.150, 0.060), D65)    # Adobe RGB (1998) specification, 4.3
SRGB = ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060), D65)         # IEC 61966-2-1
ADOBE_GAMMA = 563 / 256


def to_xyz_matrix(space) -> np.ndarray:
    """The linear RGB -> XYZ matrix of a colour space (columns: XYZ of full red, green, blue; white Y = 1)."""
    *primaries, white = space
    xyz = np.array([[x / y, 1.0, (1 - x - y) / y] for x, y in primaries]).T
    white_xyz = np.array([white[0] / white[1], 1.0, (1 - white[0] - white[1]) / white[1]])
    return xyz * np.linalg.solve(xyz, white_xyz)


def srgb_decode(values: np.ndarray) -> np.ndarray:
    """sRGB's tone curve (also Display P3's), 0..1 encoded -> linear."""
    return np.where(values <= 0.04045, values / 12.92, ((values + 0.055) / 1.055) ** 2.4)


def srgb_encode(values: np.ndarray) -> np.ndarray:
    values = np.clip(values, 0, 1)
    return np.where(values <= 0.0031308, values * 12.92, 1.055 * values ** (1 / 2.4) - 0.055)


def expected_srgb(rgb: tuple[int, int, int], space, gamma: float | None = None) -> tuple[int, ...]:
    """What an 8-bit colour of `space` (its tone curve sRGB's, or a pure `gamma`) is in 8-bit sRGB, clipped to
    sRGB's gamut: the reference a colour-managed thumbnail is compared with."""
    encoded = np.array(rgb, dtype=float) / 255
    linear = encoded ** gamma if gamma else srgb_decode(encoded)
    srgb_linear = np.linalg.solve(to_xyz_matrix(SRGB), to_xyz_matrix(space) @ linear)
    return tuple(int(round(v)) for v in srgb_encode(srgb_linear) * 255)
