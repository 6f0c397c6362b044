"""ICC profiles for tests, written byte by byte from published colour-space definitions.

`ImageCms.createProfile` makes only sRGB, LAB and XYZ, and no package installed here ships a Display P3 or Adobe
RGB profile, so this writes the small matrix/TRC RGB profile (ICC.1:2001-04, version 2.1) a camera or phone
embeds: a header, a tag table, and the tags a display profile needs: description, copyright, white point, the
three primaries as XYZ colorants (adapted to the D50 connection space with the Bradford transform, as ICC
requires) and one tone curve per channel.
"""

from __future__ import annotations

import struct

import numpy as np

D65 = (0.3127, 0.3290)
#: Primaries (CIE xy of red, green, blue) and white point of each colour space.
DISPLAY_P3 = ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060), D65)   # SMPTE EG 432-1, Apple's Display P3
ADOBE_RGB = ((0.640, 0.330), (0.210, 0.710), (0.150, 0.060), D65)    # Adobe RGB (1998) specification, 4.3
SRGB = ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060), D65)         # IEC 61966-2-1
#: Adobe RGB's tone curve is a pure gamma of 563/256 (2.19921875), exactly a u8Fixed8 number.
ADOBE_GAMMA = 563 / 256
_D50_XYZ = (0.9642, 1.0, 0.8249)
_BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])


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
    """What an 8-bit colour of `space` (its tone curve sRGB's, or a pure `gamma`) is in 8-bit sRGB, clipped
    to sRGB's gamut: the reference a colour-managed thumbnail is compared with."""
    encoded = np.array(rgb, dtype=float) / 255
    linear = encoded ** gamma if gamma else srgb_decode(encoded)
    srgb_linear = np.linalg.solve(to_xyz_matrix(SRGB), to_xyz_matrix(space) @ linear)
    return tuple(int(round(v)) for v in srgb_encode(srgb_linear) * 255)


def matrix_profile(space, description: str, gamma: float | None = None) -> bytes:
    """An ICC v2 display profile of `space`, with sRGB's tone curve (a 1024-entry table) or a pure `gamma`."""
    colorants = _adapted_to_d50(to_xyz_matrix(space), space[3])
    curve = _gamma_curve(gamma) if gamma else _table_curve()
    tags = [(b"desc", _text_description(description)), (b"cprt", _tagged(b"text", b"No copyright, test data\0")),
            (b"wtpt", _xyz(_D50_XYZ))]
    tags += [(name, _xyz(colorants[:, i])) for i, name in enumerate((b"rXYZ", b"gXYZ", b"bXYZ"))]
    tags += [(name, curve) for name in (b"rTRC", b"gTRC", b"bTRC")]
    table_size = 4 + 12 * len(tags)
    offset, table, data = 128 + table_size, b"", b""
    for name, payload in tags:
        payload += b"\0" * (-len(payload) % 4)  # every tag starts on a 4-byte boundary
        table += struct.pack(">4sII", name, offset + len(data), len(payload))
        data += payload
    size = 128 + table_size + len(data)
    header = struct.pack(">I4sI4s4s4s12s4s4sI4s4s8sI", size, b"lcms", 0x02100000, b"mntr", b"RGB ", b"XYZ ",
                         bytes(12), b"acsp", b"APPL", 0, b"none", b"none", bytes(8), 0)
    header += _s15(_D50_XYZ) + b"test" + bytes(44)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def _adapted_to_d50(matrix: np.ndarray, white) -> np.ndarray:
    source = np.array([white[0] / white[1], 1.0, (1 - white[0] - white[1]) / white[1]])
    cone_ratio = (_BRADFORD @ np.array(_D50_XYZ)) / (_BRADFORD @ source)
    adapt = np.linalg.inv(_BRADFORD) @ np.diag(cone_ratio) @ _BRADFORD
    return adapt @ matrix


def _s15(values) -> bytes:
    return b"".join(struct.pack(">i", int(round(v * 65536))) for v in values)


def _tagged(signature: bytes, body: bytes) -> bytes:
    return signature + bytes(4) + body


def _xyz(values) -> bytes:
    return _tagged(b"XYZ ", _s15(values))


def _gamma_curve(gamma: float) -> bytes:
    return _tagged(b"curv", struct.pack(">IH", 1, int(round(gamma * 256))))


def _table_curve() -> bytes:
    linear = srgb_decode(np.linspace(0, 1, 1024))
    return _tagged(b"curv", struct.pack(">I", 1024) + (np.round(linear * 65535).astype(">u2")).tobytes())


def _text_description(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\0"
    # ASCII part, then an empty Unicode part (language, count) and an empty ScriptCode part (code, count, 67 bytes).
    return _tagged(b"desc", struct.pack(">I", len(ascii_text)) + ascii_text + struct.pack(">II", 0, 0)
                   + struct.pack(">HB", 0, 0) + bytes(67))
