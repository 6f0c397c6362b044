"""ICC profiles Shoebox writes itself, and the one a camera names without embedding it.

A camera set to Adobe RGB often embeds no profile (Canon, Sony, Fujifilm): it says so in EXIF instead, as DCF
2.0 asks, with ColorSpace "uncalibrated" (0xFFFF) and the interoperability index "R03" (some write ColorSpace 2).
Such a file's colours are converted with an Adobe RGB (1998) profile written here from the published
definition, since `ImageCms.createProfile` makes only sRGB, LAB and XYZ and no profile ships with Pillow.

`matrix_profile` writes the small matrix/TRC RGB display profile (ICC.1:2001-04, version 2.1) cameras and phones
embed: header, tag table, description, copyright, white point, the primaries as XYZ colorants adapted to the
D50 connection space (Bradford) and one tone curve per channel.
"""

from __future__ import annotations

import struct
from functools import cache

import numpy as np
from PIL import ExifTags, Image

#: (x, y) of red, green, blue and the white point.
Primaries = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]
D65 = (0.3127, 0.3290)
#: Adobe RGB (1998) Color Image Encoding, 4.3: primaries and D65 white; the tone curve a pure gamma of 563/256.
ADOBE_RGB: Primaries = ((0.640, 0.330), (0.210, 0.710), (0.150, 0.060), D65)
ADOBE_GAMMA = 563 / 256
_D50_XYZ = (0.9642, 1.0, 0.8249)
_BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])
_UNCALIBRATED, _ADOBE_COLOR_SPACE = 0xFFFF, 2


def implied_profile(exif: Image.Exif) -> bytes | None:
    """The profile a file without one of its own is in, where its EXIF names one other than sRGB (Adobe RGB,
    by DCF's rule); None where it names sRGB or nothing."""
    try:
        details = exif.get_ifd(ExifTags.IFD.Exif)
        space = details.get(ExifTags.Base.ColorSpace)
        index = exif.get_ifd(ExifTags.IFD.Interop).get(ExifTags.Interop.InteropIndex)
    except Exception:  # damaged EXIF: take the colours as sRGB
        return None
    if isinstance(index, bytes):
        index = index.decode("ascii", "replace")
    adobe = space == _ADOBE_COLOR_SPACE or (space == _UNCALIBRATED and str(index).strip("\0 ") == "R03")
    return adobe_rgb_profile() if adobe else None


@cache
def adobe_rgb_profile() -> bytes:
    return matrix_profile(ADOBE_RGB, "Adobe RGB (1998) compatible, written by Shoebox", gamma=ADOBE_GAMMA)


def matrix_profile(primaries: Primaries, description: str, gamma: float | None = None) -> bytes:
    """An ICC v2 RGB display profile: `primaries`, and a pure `gamma` or else sRGB's tone curve (1024 steps)."""
    colorants = _adapted_to_d50(_to_xyz(primaries), primaries[3])
    curve = _gamma_curve(gamma) if gamma else _srgb_curve()
    tags = [(b"desc", _description(description)), (b"cprt", _tagged(b"text", b"No copyright, use freely\0")),
            (b"wtpt", _xyz(_D50_XYZ))]
    tags += [(name, _xyz(colorants[:, i])) for i, name in enumerate((b"rXYZ", b"gXYZ", b"bXYZ"))]
    tags += [(name, curve) for name in (b"rTRC", b"gTRC", b"bTRC")]
    table_size = 4 + 12 * len(tags)
    table, data = b"", b""
    for name, payload in tags:
        payload += b"\0" * (-len(payload) % 4)  # every tag starts on a 4-byte boundary
        table += struct.pack(">4sII", name, 128 + table_size + len(data), len(payload))
        data += payload
    header = struct.pack(">I4sI4s4s4s12s4s4sI4s4s8sI", 128 + table_size + len(data), b"lcms", 0x02100000, b"mntr",
                         b"RGB ", b"XYZ ", bytes(12), b"acsp", b"APPL", 0, b"none", b"none", bytes(8), 0)
    header += _s15(_D50_XYZ) + b"shbx" + bytes(44)
    return header + struct.pack(">I", len(tags)) + table + data


def _to_xyz(primaries: Primaries) -> np.ndarray:
    """Linear RGB -> XYZ (columns: XYZ of full red, green, blue; the white point's Y is 1)."""
    *colours, white = primaries
    xyz = np.array([[x / y, 1.0, (1 - x - y) / y] for x, y in colours]).T
    return xyz * np.linalg.solve(xyz, _white_xyz(white))


def _white_xyz(white: tuple[float, float]) -> np.ndarray:
    return np.array([white[0] / white[1], 1.0, (1 - white[0] - white[1]) / white[1]])


def _adapted_to_d50(matrix: np.ndarray, white: tuple[float, float]) -> np.ndarray:
    cone_ratio = (_BRADFORD @ np.array(_D50_XYZ)) / (_BRADFORD @ _white_xyz(white))
    return np.linalg.inv(_BRADFORD) @ np.diag(cone_ratio) @ _BRADFORD @ matrix


def _s15(values) -> bytes:
    return b"".join(struct.pack(">i", int(round(v * 65536))) for v in values)


def _tagged(signature: bytes, body: bytes) -> bytes:
    return signature + bytes(4) + body


def _xyz(values) -> bytes:
    return _tagged(b"XYZ ", _s15(values))


def _gamma_curve(gamma: float) -> bytes:
    return _tagged(b"curv", struct.pack(">IH", 1, int(round(gamma * 256))))  # u8Fixed8: 563/256 is exact


def _srgb_curve() -> bytes:
    encoded = np.linspace(0, 1, 1024)
    linear = np.where(encoded <= 0.04045, encoded / 12.92, ((encoded + 0.055) / 1.055) ** 2.4)
    return _tagged(b"curv", struct.pack(">I", 1024) + np.round(linear * 65535).astype(">u2").tobytes())


def _description(text: str) -> bytes:
    """textDescriptionType: the ASCII text, then an empty Unicode part and an empty ScriptCode part."""
    ascii_text = text.encode("ascii") + b"\0"
    return _tagged(b"desc", struct.pack(">I", len(ascii_text)) + ascii_text + struct.pack(">IIHB", 0, 0, 0, 0)
                   + bytes(67))
