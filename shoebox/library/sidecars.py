"""Metadata of a photo as files other tools read: a JSON sidecar with everything, an XMP sidecar with the
fields XMP has a standard place for (dc:description, dc:subject, exif:DateTimeOriginal, GPS, tiff:Make/Model)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from shoebox.library.service import visible_tags
from shoebox.models import Photo

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "exif": "http://ns.adobe.com/exif/1.0/",
    "tiff": "http://ns.adobe.com/tiff/1.0/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}
_INTERNAL = {"claimed_by"}
#: Dates that say when the photo was taken (not when the file was last saved, copied or uploaded).
_TAKEN_SOURCES = {"exif", "xmp", "iptc", "qt", "user"}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)


def photo_record(photo: Photo) -> dict[str, Any]:
    """Every column of the photo (dates as ISO 8601) and its visible tags with their source."""
    record: dict[str, Any] = {}
    for column in Photo.__table__.columns:
        if column.name in _INTERNAL:
            continue
        value = getattr(photo, column.key)
        record[column.name] = value.isoformat() if isinstance(value, datetime) else value
    record["tags"] = [{"name": t.name, "source": t.source, "confidence": t.confidence} for t in visible_tags(photo)]
    return record


def json_sidecar(photo: Photo, original: str) -> str:
    """The JSON sidecar: the photo record and the path of its original within the export."""
    return json.dumps({"format": "shoebox-photo", "version": 1, "original": original, **photo_record(photo)},
                      indent=2, ensure_ascii=False)


def xmp_sidecar(photo: Photo) -> str:
    """An XMP packet (as written beside images by darktable, digiKam or exiftool -o %f.xmp)."""
    root = ET.Element(_q("x:xmpmeta"))
    rdf = ET.SubElement(root, _q("rdf:RDF"))
    desc = ET.SubElement(rdf, _q("rdf:Description"), {_q("rdf:about"): ""})
    if photo.caption:
        alt = ET.SubElement(ET.SubElement(desc, _q("dc:description")), _q("rdf:Alt"))
        ET.SubElement(alt, _q("rdf:li"), {"{http://www.w3.org/XML/1998/namespace}lang": "x-default"}).text = \
            photo.caption
    tags = [t.name for t in visible_tags(photo)]
    if tags:
        bag = ET.SubElement(ET.SubElement(desc, _q("dc:subject")), _q("rdf:Bag"))
        for name in tags:
            ET.SubElement(bag, _q("rdf:li")).text = name
    _add(desc, "exif:DateTimeOriginal", _xmp_date(photo) if photo.taken_at_source in _TAKEN_SOURCES else None)
    _add(desc, "tiff:Make", photo.camera_make)
    _add(desc, "tiff:Model", photo.camera_model)
    _add_gps(desc, photo)
    return ET.tostring(root, encoding="unicode", xml_declaration=False)


def _add_gps(desc: ET.Element, photo: Photo) -> None:
    if photo.gps_latitude is None or photo.gps_longitude is None:
        return
    _add(desc, "exif:GPSLatitude", _xmp_coordinate(photo.gps_latitude, "NS"))
    _add(desc, "exif:GPSLongitude", _xmp_coordinate(photo.gps_longitude, "EW"))
    if photo.gps_altitude is not None:
        _add(desc, "exif:GPSAltitude", f"{round(abs(photo.gps_altitude) * 100)}/100")
        _add(desc, "exif:GPSAltitudeRef", "1" if photo.gps_altitude < 0 else "0")


def _xmp_coordinate(value: float, hemispheres: str) -> str:
    """XMP's GPSCoordinate form "DDD,MM.mmmmK" (degrees, decimal minutes, hemisphere)."""
    degrees = int(abs(value))
    minutes = (abs(value) - degrees) * 60
    return f"{degrees},{minutes:.4f}{hemispheres[0] if value >= 0 else hemispheres[1]}"


def _xmp_date(photo: Photo) -> str:
    text = photo.taken_at.isoformat()
    return text + photo.taken_at_offset if photo.taken_at_offset else text


def _add(parent: ET.Element, name: str, value: str | None) -> None:
    if value:
        ET.SubElement(parent, _q(name)).text = value


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"
