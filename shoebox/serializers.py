"""The public JSON shapes of photos, people, faces, places and albums: every API module answers with these.

Shaping lives here, below the blueprints and above the services, so one blueprint never imports another to
borrow a shape. `url_for` needs a request (or app) context, as every caller has.
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for

from shoebox.ai.places import osm_url
from shoebox.albums.service import AlbumView
from shoebox.library.service import visible_tags
from shoebox.models import Photo
from shoebox.people.service import PersonView
from shoebox.web import library


def version(photo: Photo) -> str:
    """The `v=` of a photo's file URLs: a prefix of its content hash."""
    return photo.sha256[:12]


def photo_json(photo: Photo, detail: bool = False) -> dict:
    """The public shape of a photo; the listing gets the short form, the detail page everything."""
    data = {
        "id": photo.id,
        "filename": photo.filename,
        "taken_at": photo.taken_at.isoformat(),
        "width": photo.width,
        "height": photo.height,
        "caption": photo.caption,
        "tags": [tag.name for tag in visible_tags(photo)],
        "status": photo.status,
        "favourite": photo.favourite,
        # A trashed photo's files are served only by the Trash's routes (the upload of its file again shows it).
        "thumbnail_url": url_for("trash.thumbnail" if photo.trashed_at else "api.thumbnail", photo_id=photo.id,
                                 size="small", v=version(photo)),
        "version": version(photo),
    }
    if detail:
        data.update(_detail(photo))
    return data


def _detail(photo: Photo) -> dict:
    exposure = {name: getattr(photo, name) for name in ("exposure_time", "f_number", "iso", "focal_length")}
    gps = None
    if photo.gps_latitude is not None and photo.gps_longitude is not None:
        gps = {"latitude": photo.gps_latitude, "longitude": photo.gps_longitude, "altitude": photo.gps_altitude}
    return {
        "sha256": photo.sha256,
        "format": photo.format,
        "mime_type": photo.mime_type,
        "file_size": photo.file_size,
        "taken_at_offset": photo.taken_at_offset,
        "taken_at_source": photo.taken_at_source,
        "location_source": photo.location_source,
        "camera_make": photo.camera_make,
        "camera_model": photo.camera_model,
        "lens": photo.lens,
        **exposure,
        "orientation": photo.orientation,
        "gps": gps,
        "caption_source": photo.caption_source,
        "tag_details": [{"name": t.name, "source": t.source, "confidence": t.confidence} for t in visible_tags(photo)],
        "note": photo.note,
        "status_reason": photo.status_reason,
        "faces": faces_of(photo),
        "place": place_of(photo),
        "ocr_text": photo.ocr_text,
        "created_at": photo.created_at.isoformat(),
        "original_url": url_for("api.original", photo_id=photo.id, v=version(photo)),
        "large_url": url_for("api.thumbnail", photo_id=photo.id, size="large", v=version(photo)),
        "full_url": url_for("api.full", photo_id=photo.id, v=version(photo)),
        "animated": library().is_animated(photo),
    }


def trashed_json(photo: Photo, purge_at: datetime) -> dict:
    """A photo in the Trash: its short form, when it was trashed and when it will be deleted for good."""
    return {**photo_json(photo), "trashed_at": _utc(photo.trashed_at), "purge_at": _utc(purge_at),
            "large_url": url_for("trash.thumbnail", photo_id=photo.id, size="large", v=version(photo))}


def _utc(moment: datetime) -> str:
    """A naive UTC time as ISO 8601 with its zone (Z), for clients to count down from."""
    return moment.isoformat(timespec="seconds") + "Z"


def faces_of(photo: Photo) -> list[dict]:
    """A photo's faces as the API shows them: box fractions and whose face it is."""
    return [{"id": f.id, "box": [round(v, 4) for v in f.box], "person_id": f.person_id,
             "person_name": f.person.name if f.person is not None else None} for f in photo.faces]


def place_of(photo: Photo) -> dict | None:
    """A photo's place as the API shows it, with a map link; None when it has none."""
    if not (photo.city or photo.country):
        return None
    link = osm_url(photo.gps_latitude, photo.gps_longitude) if photo.gps_latitude is not None else None
    return {"city": photo.city, "district": photo.district, "region": photo.region, "country": photo.country,
            "country_code": photo.country_code, "osm_url": link}


def person_json(view: PersonView) -> dict:
    """The public shape of a person."""
    person = view.person
    crop = url_for("people.crop", person_id=person.id, v=person.cover_face_id) if person.face_count else None
    return {"id": person.id, "name": person.name, "hidden": person.hidden, "face_count": person.face_count,
            "photo_count": view.photo_count, "crop_url": crop}


def album_json(view: AlbumView) -> dict:
    """The public shape of an album: its cover is the chosen photo, or its newest when none is chosen (or the
    chosen one left it); null while it holds no photo the viewer may see."""
    album, cover = view.album, view.cover
    return {"id": album.id, "name": album.name, "description": album.description, "order": album.photo_order,
            "photo_count": view.photo_count, "cover_photo_id": cover.id if cover else None,
            "cover_chosen": view.cover_chosen,
            "cover_url": url_for("api.thumbnail", photo_id=cover.id, size="small", v=version(cover)) if cover else None,
            "created_at": album.created_at.isoformat(), "updated_at": album.updated_at.isoformat()}
