"""Photo files carrying one kind of metadata each, written byte by byte here (not by the library Shoebox reads
them with): an XMP packet, an IPTC record in a Photoshop APP13 segment, a QuickTime movie header in a HEIF file,
EXIF from Pillow."""

from __future__ import annotations

import struct
from datetime import datetime

from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo

from tests.conftest import make_image

IFD, TAG = ExifTags.IFD, ExifTags.Base
_XMP_NAMESPACES = {"xmp": "http://ns.adobe.com/xap/1.0/", "exif": "http://ns.adobe.com/exif/1.0/",
                   "photoshop": "http://ns.adobe.com/photoshop/1.0/", "tiff": "http://ns.adobe.com/tiff/1.0/"}


def exif(make: str | None = None, model: str | None = None, **dates: str) -> Image.Exif:
    """EXIF with these fields: DateTimeOriginal, DateTimeDigitized and OffsetTime* go in the Exif IFD,
    DateTime (the modify date) in IFD0."""
    found = Image.Exif()
    if make is not None:
        found[TAG.Make] = make
    if model is not None:
        found[TAG.Model] = model
    details = found.get_ifd(IFD.Exif)
    for name, value in dates.items():
        (found if name == "DateTime" else details)[TAG[name]] = value
    return found


def xmp_packet(**properties: str) -> bytes:
    """An XMP packet with simple properties given as prefix_Name="value" (xmp_CreateDate="2011-02-03")."""
    attributes = " ".join(f'{name.replace("_", ":", 1)}="{value}"' for name, value in properties.items())
    namespaces = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in _XMP_NAMESPACES.items())
    return (f'<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
            f'{namespaces} {attributes}/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode()


def jpeg_with_xmp(packet: bytes, exif_data: Image.Exif | None = None, color=(10, 20, 30)) -> bytes:
    return make_image("JPEG", color=color, exif=exif_data, xmp=packet)


def png_with_xmp(packet: bytes, color=(10, 20, 30)) -> bytes:
    """A PNG with its XMP in an iTXt chunk, as Photoshop and exiftool write it."""
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", packet.decode())
    return make_image("PNG", color=color, pnginfo=info)


def jpeg_with_iptc(records: dict[int, bytes], color=(30, 20, 10)) -> bytes:
    """A JPEG with an IPTC-IIM block (record 2 datasets: 55 date created, 60 time created) in APP13."""
    iim = b"".join(b"\x1c\x02" + bytes([dataset]) + struct.pack(">H", len(value)) + value
                   for dataset, value in records.items())
    iim += b"\x00" * (len(iim) % 2)
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iim)) + iim
    segment = b"Photoshop 3.0\x00" + resource
    plain = make_image("JPEG", color=color)
    return plain[:2] + b"\xff\xed" + struct.pack(">H", len(segment) + 2) + segment + plain[2:]


def heif_with_movie_header(created: datetime | int, color=(40, 50, 60), version: int = 0) -> bytes:
    """A HEIF file (pillow-heif) followed by a `moov` box whose `mvhd` says when it was created (UTC, or these
    seconds since 1904), as in a HEIF image sequence."""
    seconds = created if isinstance(created, int) else int((created - datetime(1904, 1, 1)).total_seconds())
    times = struct.pack(">QQIQ" if version else ">IIII", seconds, seconds, 600, 0)
    mvhd = bytes([version, 0, 0, 0]) + times + b"\x00\x01\x00\x00\x01\x00" + b"\x00" * 70 + struct.pack(">I", 2)
    return make_image("HEIF", color=color, size=(64, 48)) + _box(b"moov", _box(b"mvhd", mvhd))


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload

