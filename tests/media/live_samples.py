"""Live Photos and Motion Photos as phones write them, made in the tests: small real H.264 clips from PyAV's bundled
encoder, stills from Pillow, metadata written with exiv2 (the project's metadata library). Nothing is downloaded."""

from __future__ import annotations

import io
import struct
import warnings
from datetime import datetime

import av
import exiv2
import numpy as np
import pillow_heif
from PIL import Image

from shoebox.media.live import APPLE_NOTE, QUICKTIME_CONTENT_ID, SAMSUNG_MARKER

CONTENT_ID = "5E4F2C1A-7B3D-4E8F-9A0B-1C2D3E4F5A6B"


def clip(container: str = "mp4", frames: int = 12, size=(64, 48), metadata: dict[str, str] | None = None,
         options: dict[str, str] | None = None) -> bytes:
    """A short H.264 clip of a moving gradient in `container` ("mp4" or "mov"), with container `metadata`."""
    width, height = size
    out_buffer = io.BytesIO()
    with av.open(out_buffer, "w", format=container, options=options or {}) as out:
        out.metadata.update(metadata or {})
        stream = out.add_stream("libx264", rate=12)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            pixels = np.zeros((height, width, 3), np.uint8)
            pixels[..., 0] = (np.arange(width) * 4 + index * 20) % 256
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return out_buffer.getvalue()


def apple_mov(content_id: str = CONTENT_ID, created: datetime | None = None) -> bytes:
    """An iPhone Live Photo's MOV: the content identifier in its `mdta` metadata, as the camera writes it."""
    metadata = {QUICKTIME_CONTENT_ID: content_id}
    if created is not None:
        metadata["creation_time"] = created.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    return clip("mov", metadata=metadata, options={"movflags": "use_metadata_tags"})


def still(color=(200, 120, 40), size=(96, 72), fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    if fmt == "HEIF":
        pillow_heif.from_pillow(image).save(buffer, quality=60)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


def apple_maker_note(content_id: str, byte_order: str = "MM") -> bytes:
    """An Apple maker note as iPhones write it: `Apple iOS\\0`, version 1, the byte order, then an IFD (a version
    entry, the ContentIdentifier 0x0011 as ASCII) whose offsets count from the note's start."""
    order = ">" if byte_order == "MM" else "<"
    identifier = content_id.encode() + b"\x00"
    entries, data_at = 2, 14 + 2 + 12 * 2 + 4
    note = APPLE_NOTE + b"\x00\x01" + byte_order.encode() + struct.pack(order + "H", entries)
    note += struct.pack(order + "HHI", 0x0001, 9, 1) + struct.pack(order + "i", 14)
    note += struct.pack(order + "HHII", 0x0011, 2, len(identifier), data_at)
    return note + b"\x00\x00\x00\x00" + identifier


def apple_still(content_id: str = CONTENT_ID, fmt: str = "JPEG", taken: str = "2024:05:01 10:00:00",
                byte_order: str = "MM") -> bytes:
    """An iPhone Live Photo's still (JPEG or HEIC): Make Apple, a capture date, and the maker note above."""
    data = still(fmt="JPEG")
    exif_data = _exif_with(data, {"Exif.Image.Make": "Apple", "Exif.Image.Model": "iPhone 15",
                                  "Exif.Photo.DateTimeOriginal": taken},
                           maker_note=apple_maker_note(content_id, byte_order))
    if fmt != "HEIF":
        return exif_data
    buffer = io.BytesIO()
    image = Image.open(io.BytesIO(exif_data))
    pillow_heif.from_pillow(image).save(buffer, quality=60, exif=image.info["exif"])
    return buffer.getvalue()


def _exif_with(jpeg: bytes, values: dict[str, str], maker_note: bytes | None = None) -> bytes:
    image = exiv2.ImageFactory.open(jpeg)
    image.readMetadata()
    exif = image.exifData()
    for key, value in values.items():
        exif[key] = value
    if maker_note is not None:
        note = exiv2.DataValue(exiv2.TypeId.undefined)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            note.read(maker_note)
        exif["Exif.Photo.MakerNote"] = note
    image.writeMetadata()
    return bytes(image.io().mmap())


def _with_xmp(jpeg: bytes, packet: str) -> bytes:
    image = exiv2.ImageFactory.open(jpeg)
    image.readMetadata()
    image.setXmpPacket(packet)
    image.writeXmpFromPacket(True)
    image.writeMetadata()
    return bytes(image.io().mmap())


_XMP = """<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:GCamera="http://ns.google.com/photos/1.0/camera/"
 xmlns:Container="http://ns.google.com/photos/1.0/container/"
 xmlns:Item="http://ns.google.com/photos/1.0/container/item/" {attributes}>{body}</rdf:Description>
</rdf:RDF></x:xmpmeta>"""
_DIRECTORY = """<Container:Directory><rdf:Seq>
<rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="image/jpeg" Item:Semantic="Primary" Item:Length="0"
 Item:Padding="0"/></rdf:li>
<rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="video/mp4" Item:Semantic="MotionPhoto"
 Item:Length="{length}" Item:Padding="0"/></rdf:li>
</rdf:Seq></Container:Directory>"""


def motion_photo(dialect: str = "container", movie: bytes | None = None) -> tuple[bytes, bytes]:
    """(an Android Motion Photo JPEG, the MP4 clip inside it). `dialect`: "container" (Pixel phones since 2021:
    GCamera:MotionPhoto and a Container:Directory), "microvideo" (older Pixels: GCamera:MicroVideoOffset),
    "samsung" (the MotionPhoto_Data marker in the trailer, no XMP)."""
    movie = movie or clip("mp4")
    jpeg = still(color=(40, 160, 90))
    if dialect == "container":
        attributes = 'GCamera:MotionPhoto="1" GCamera:MotionPhotoVersion="1"'
        packet = _XMP.format(attributes=attributes, body=_DIRECTORY.format(length=len(movie)))
        return _with_xmp(jpeg, packet) + movie, movie
    if dialect == "microvideo":
        attributes = f'GCamera:MicroVideo="1" GCamera:MicroVideoVersion="1" GCamera:MicroVideoOffset="{len(movie)}"'
        return _with_xmp(jpeg, _XMP.format(attributes=attributes, body="")) + movie, movie
    trailer = b"SEFH" + b"\x00" * 12 + b"SEFT"  # a Samsung trailer's directory follows the clip
    return jpeg + SAMSUNG_MARKER + movie + trailer, movie
