"""The public JSON shapes of photos, people, faces, places, the map, albums and share links: every API module answers
with these.

Shaping lives here, below the blueprints and above the services, so one blueprint never imports another to
borrow a shape. `url_for` needs a request (or app) context, as every caller has.
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for

from shoebox.ai.places import osm_url
from shoebox.albums.service import AlbumView
from shoebox.library.service import visible_tags
from shoebox.models import Photo, Share
from shoebox.people.service import PersonView
from shoebox.places.service import MapView
from shoebox.shares import service as shares_service
from shoebox.shares.keys import ShareKeys
from shoebox.shares.service import ShareView
from shoebox.web import library


def version(photo: Photo) -> str:
    """The `v=` of a photo's file URLs: a prefix of its content hash."""
    return version_of(photo.sha256)


def version_of(sha256: str) -> str:
    """The `v=` of the file URLs of a photo with this content hash (for rows that are not whole photos)."""
    return sha256[:12]


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
        "media_type": photo.media_type,
        "duration": duration_of(photo),
        # A trashed photo's files are served only by the Trash's routes (the upload of its file again shows it).
        "thumbnail_url": url_for("trash.thumbnail" if photo.trashed_at else "api.thumbnail", photo_id=photo.id,
                                 size="small", v=version(photo)),
        "version": version(photo),
        # A Live Photo's or Motion Photo's clip, played over the still (none for a photo in Trash, like its files).
        "motion": photo.motion_kind if photo.motion_sha256 else None,
        "motion_url": url_for("api.motion", photo_id=photo.id, v=version(photo))
        if photo.motion_sha256 and not photo.trashed_at else None,
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
        **_video(photo),
    }


def duration_of(photo: Photo) -> float | None:
    """A clip's length in seconds (to the millisecond); None for a photo."""
    return photo.duration_ms / 1000 if photo.duration_ms is not None else None


def _video(photo: Photo) -> dict:
    """A clip's playback: the URL a <video> plays (null while its web-playable rendition is being made, or where
    it could not be), its codec and frame rate, and how its rendition stands (null: the original plays)."""
    if photo.media_type != "video":
        return {"video_url": None, "video_codec": None, "frame_rate": None, "rendition": None}
    ready = photo.rendition_status in (None, "done")
    rendition = None if photo.rendition_status is None else {
        "status": photo.rendition_status, "progress": photo.rendition_progress or 0.0,
        "reason": photo.rendition_reason}
    return {"video_url": url_for("api.video", photo_id=photo.id, v=version(photo)) if ready else None,
            "video_codec": photo.video_codec, "frame_rate": photo.frame_rate, "rendition": rendition}


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


def map_json(view: MapView) -> dict:
    """The map's photos, compact (a library of 300,000 may have as many): each point `[id, lat, lon, v]` (its
    thumbnail is /api/photos/{id}/thumbnail?v=...), or, when there are too many, cells with a count each."""
    return {"total": view.total,
            "points": [[p.id, round(p.lat, 6), round(p.lon, 6), version_of(p.sha256)] for p in view.points],
            "cells": [{"lat": round(c.lat, 6), "lon": round(c.lon, 6), "count": c.count,
                       "bbox": [round(v, 6) for v in c.bbox.as_list()], "photo_id": c.photo_id,
                       "v": version_of(c.sha256)} for c in view.cells]}


# -- share links ----------------------------------------------------------------------------------------------
def share_json(view: ShareView, url: str | None) -> dict:
    """A share link as its owner sees it; `url` is null where the link cannot be derived again (SECRET_KEY
    changed since: the link still opens, but only the copy handed out knows it)."""
    share, cover = view.share, view.cover
    return {"id": share.id, "kind": "album" if share.album_id is not None else "photos",
            "album_id": share.album_id, "title": view.title, "url": url,
            "created_at": share.created_at.isoformat(), "expires_at": _iso(share.expires_at),
            "expired": view.expired, "has_password": share.password_hash is not None,
            "allow_download": share.allow_download, "show_location": share.show_location,
            "show_people": share.show_people, "photo_count": view.photo_count, "view_count": share.view_count,
            "last_viewed_at": _iso(share.last_viewed_at),
            "cover_url": url_for("api.thumbnail", photo_id=cover.id, size="small", v=version(cover)) if cover else None}


def shared_link_json(view: ShareView) -> dict:
    """What a recipient is told of a link: its name and what it lets them do; nothing of its owner."""
    share = view.share
    return {"title": view.title, "description": view.album.description if view.album is not None else None,
            "photo_count": view.photo_count, "expires_at": _iso(share.expires_at),
            "allow_download": share.allow_download, "show_location": share.show_location,
            "show_people": share.show_people}


def shared_photo_json(photo: Photo, share: Share, keys: ShareKeys, token: str) -> dict:
    """A photo as a recipient sees it: addressed by its key in this link, never its id; its place and GPS only
    when the link shows the location, the names of the people in it only when it shows people."""
    key, v = keys.photo_key(share.salt, photo.id), keys.version(share.salt, photo.sha256)
    downloadable = shares_service.downloadable(share, photo)
    data = {"key": key, "filename": photo.filename, "taken_at": photo.taken_at.isoformat(), "width": photo.width,
            "height": photo.height, "caption": photo.caption,
            "camera": " ".join(filter(None, (photo.camera_make, photo.camera_model))) or None,
            "thumbnail_url": url_for("shared.thumbnail", token=token, key=key, size="small", v=v),
            "large_url": url_for("shared.thumbnail", token=token, key=key, size="large", v=v),
            "original_url": url_for("shared.original", token=token, key=key, v=v) if downloadable else None,
            "motion_url": url_for("shared.motion", token=token, key=key, v=v) if photo.motion_sha256 else None,
            "media_type": photo.media_type, "duration": duration_of(photo),
            "video_url": url_for("shared.video", token=token, key=key, v=v)
            if photo.media_type == "video" and photo.rendition_status in (None, "done") else None,
            "place": None, "gps": None, "people": []}
    if share.show_location:
        data["place"] = place_of(photo)
        if photo.gps_latitude is not None and photo.gps_longitude is not None:
            data["gps"] = {"latitude": photo.gps_latitude, "longitude": photo.gps_longitude}
    if share.show_people:
        data["people"] = sorted({face.person.name for face in photo.faces
                                 if face.person is not None and face.person.name and not face.person.hidden})
    return data


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
