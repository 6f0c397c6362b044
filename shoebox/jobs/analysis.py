"""The analysis job: caption, tags, faces, place, text and search embeddings for a batch of photos,
never overriding the user."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from flask import Flask
from PIL import Image
from sqlalchemy import select, update

from shoebox.ai.base import ModelUnavailable
from shoebox.ai.images import MODEL_INPUT_SIZE, load_for_models
from shoebox.ai.places import Place
from shoebox.ai.registry import Models, get_models
from shoebox.config import Settings
from shoebox.db import Database
from shoebox.library.service import visible_tags
from shoebox.library.storage import Storage, owner_alive, owner_tag
from shoebox.models import Embedding, Photo, PhotoTag, fitted, utcnow
from shoebox.people.grouping import Grouper

log = logging.getLogger(__name__)

PARTS = ("caption", "tags", "embedding", "faces", "places", "text")
#: Parts that read the photo at LARGE_SIDE: 384 px is too small to find faces or read text.
LARGE_PARTS = frozenset({"faces", "text"})
#: Parts whose words go into the text embedding, so redoing one redoes a text embedding too.
WORDY_PARTS = frozenset({"faces", "places", "text"})
LARGE_SIDE = 1600
MAX_EMBEDDED_OCR = 500


@dataclass
class Result:
    """What the models said about one photo; None where a model is off or unavailable."""

    caption: str | None = None
    tags: list[tuple[str, float]] | None = None
    image_vector: np.ndarray | None = None
    faces: list | None = None  # shoebox.ai.faces.Face, boxes in pixels of the large image
    place: Place | None = None
    placed: bool = False  # the geocoder ran (place None then means: no GPS, or nowhere near a town)
    text: str | None = None
    error: str | None = None


@dataclass
class Batch:
    photo_ids: list[int]
    images: dict[int, Image.Image] = field(default_factory=dict)
    large: dict[int, Image.Image] = field(default_factory=dict)
    coords: dict[int, tuple[float, float] | None] = field(default_factory=dict)
    results: dict[int, Result] = field(default_factory=dict)
    waiting: dict[str, str] = field(default_factory=dict)  # model kind -> reason


class Analyzer:
    """Runs the models over photos and stores what they found. Called by the queue with ids, never objects."""

    def __init__(self, app: Flask, settings: Settings, database: Database) -> None:
        self.app = app
        self.settings = settings
        self.db = database
        self.storage = Storage(settings.data_path)

    def models(self) -> Models:
        return get_models(self.settings)

    def run_task(self, photo_ids: list[int], parts: list[str] | None = None) -> None:
        """The queue's entry point: analyse these photos (the parts asked for, or all)."""
        wanted = set(PARTS) if not parts or "all" in parts else set(parts) & set(PARTS)
        batch = Batch([int(i) for i in photo_ids])
        paths = self._start(batch)
        if not paths:
            return
        models = self.models()
        batch.waiting = models.unavailable()
        if wanted & WORDY_PARTS and models.embedder is not None and not hasattr(models.embedder, "embed_images"):
            wanted.add("embedding")
        self._load(batch, paths, wanted)
        self._predict(batch, models, wanted)
        self._save(batch, models, wanted)

    # -- steps ------------------------------------------------------------------------------------
    def _start(self, batch: Batch) -> dict[int, str]:
        """Mark the photos running; return the path of each original (deleted photos drop out)."""
        with self.db.transaction() as session:
            photos = list(session.scalars(select(Photo).where(Photo.id.in_(batch.photo_ids))))
            for photo in photos:
                photo.status, photo.status_reason, photo.claimed_by = "running", None, owner_tag()
                batch.coords[photo.id] = (photo.gps_latitude, photo.gps_longitude) \
                    if photo.gps_latitude is not None and photo.gps_longitude is not None else None
            return {p.id: str(self.storage.original_path(p.user_id, p.sha256)) for p in photos}

    def _load(self, batch: Batch, paths: dict[int, str], wanted: set[str]) -> None:
        """Decode each photo once: large for faces and text, shrunk from that for the other models."""
        large = bool(wanted & LARGE_PARTS)
        for photo_id, path in paths.items():
            batch.results[photo_id] = Result()
            if not wanted - {"places"}:
                continue  # the place comes from GPS alone
            try:
                image = load_for_models(path, LARGE_SIDE if large else MODEL_INPUT_SIZE)
            except Exception as exc:  # a file the decoder cannot read fails alone
                batch.results[photo_id] = Result(error=f"cannot read the image: {exc}")
                continue
            if large:
                batch.large[photo_id] = image
                image = image.copy()
                image.thumbnail((MODEL_INPUT_SIZE, MODEL_INPUT_SIZE), Image.Resampling.BICUBIC)
            batch.images[photo_id] = image

    def _predict(self, batch: Batch, models: Models, wanted: set[str]) -> None:
        ids = [i for i in batch.photo_ids if i in batch.images]
        self._understand(batch, models, wanted)
        if "caption" in wanted and _usable(models.captioner, batch):
            self._each(batch, ids, models.captioner.caption, lambda r, v: setattr(r, "caption", v))
        if "tags" in wanted and _usable(models.tagger, batch):
            self._each(batch, ids, models.tagger.tag, lambda r, v: setattr(r, "tags", v))
        embedder = models.embedder
        if "embedding" in wanted and _usable(embedder, batch) and hasattr(embedder, "embed_images"):
            self._each(batch, ids, embedder.embed_images, lambda r, v: setattr(r, "image_vector", v))

    def _understand(self, batch: Batch, models: Models, wanted: set[str]) -> None:
        """Faces and text on the large image, the place from GPS; what a model cannot make out is empty."""
        ids = [i for i in batch.photo_ids if i in batch.large]
        if "faces" in wanted and _usable(models.faces, batch):
            self._each(batch, ids, _one_by_one(models.faces.faces, []), lambda r, v: setattr(r, "faces", v),
                       batch.large)
        if "text" in wanted and _usable(models.ocr, batch):
            self._each(batch, ids, _one_by_one(lambda image: models.ocr.read(image).text, ""),
                       lambda r, v: setattr(r, "text", v), batch.large)
        if "places" in wanted and _usable(models.places, batch):
            ids = [i for i, result in batch.results.items() if result.error is None]
            places = _safely(models.places.resolve_many, [batch.coords.get(i) for i in ids], [None] * len(ids))
            for photo_id, place in zip(ids, places, strict=True):
                batch.results[photo_id].place, batch.results[photo_id].placed = place, True

    def _each(self, batch: Batch, ids: list[int], predict: Callable, keep: Callable[[Result, object], None],
              images: dict[int, Image.Image] | None = None) -> None:
        """Run `predict` on the batch; if it fails, photo by photo so one bad photo fails alone."""
        ids = [i for i in ids if batch.results[i].error is None]
        images = batch.images if images is None else images
        if not ids:
            return
        try:
            outputs = predict([images[i] for i in ids])
            for photo_id, output in zip(ids, outputs, strict=True):
                keep(batch.results[photo_id], output)
            return
        except ModelUnavailable:
            raise
        except Exception:
            log.warning("batch prediction failed; retrying photo by photo", exc_info=True)
        for photo_id in ids:
            try:
                keep(batch.results[photo_id], predict([images[photo_id]])[0])
            except Exception as exc:
                batch.results[photo_id].error = f"analysis failed: {type(exc).__name__}: {exc}"

    def _save(self, batch: Batch, models: Models, wanted: set[str]) -> None:
        with self.db.transaction() as session:
            photos = {p.id: p for p in session.scalars(select(Photo).where(Photo.id.in_(batch.photo_ids)))}
            grouper = Grouper(session, self.settings.FACE_MATCH_THRESHOLD)
            for photo_id, result in batch.results.items():
                photo = photos.get(photo_id)
                if photo is None:  # deleted while we worked
                    continue
                photo.claimed_by = None
                if result.error:
                    photo.status, photo.status_reason = "failed", result.error
                    continue
                _apply(photo, result)
                _apply_understanding(photo, result)
                if result.faces is not None:
                    grouper.replace_faces(photo, result.faces, batch.large[photo_id].size)
                    self.storage.delete_face_crops(photo.user_id, photo.sha256)
            session.flush()
            if "embedding" in wanted:
                self._embed(session, [p for i, p in photos.items() if not batch.results.get(i, Result()).error],
                            models, batch)
            for photo_id, photo in photos.items():
                if not batch.results.get(photo_id, Result()).error:
                    photo.status = "waiting" if batch.waiting else "done"
                    photo.status_reason = "; ".join(batch.waiting.values()) or None

    def _embed(self, session, photos: list[Photo], models: Models, batch: Batch) -> None:
        """Store the search embedding: the image's where an image-text model runs, else the text's."""
        embedder = models.embedder
        if embedder is None or "embedding" in batch.waiting or not photos:
            return
        if hasattr(embedder, "embed_images"):
            vectors = [batch.results[p.id].image_vector for p in photos]
            kind = "image"
        else:
            vectors = list(embedder.embed_texts([searchable_text(p) for p in photos]))
            kind = "text"
        for photo, vector in zip(photos, vectors, strict=True):
            if vector is not None:
                store_embedding(session, photo.id, kind, embedder.version, vector)


def _usable(model, batch: Batch) -> bool:
    return model is not None and model.kind not in batch.waiting


def _one_by_one(predict: Callable, empty: object) -> Callable[[list[Image.Image]], list]:
    """A batch predictor from a one-image one that answers `empty` for an image it cannot make out."""
    return lambda images: [_safely(predict, image, empty) for image in images]


def _safely(predict: Callable, argument: object, empty: object) -> object:
    try:
        return predict(argument)
    except ModelUnavailable:
        raise
    except Exception:  # an odd picture is "nothing found", not a failed photo
        log.warning("%s could not make out a photo; keeping an empty result", predict, exc_info=True)
        return empty


def _apply_understanding(photo: Photo, result: Result) -> None:
    """Store the place and the text read in the photo, where those parts ran."""
    if result.placed:
        place = result.place
        photo.city, photo.region = (place.city or None, place.region or None) if place else (None, None)
        photo.country, photo.country_code = (place.country or None, place.country_code or None) if place \
            else (None, None)
    if result.text is not None:
        photo.ocr_text = result.text or None


def _apply(photo: Photo, result: Result) -> None:
    """AI output fills in only what the user has not written; AI tags the user removed stay hidden."""
    if result.caption and photo.caption_source != "user":
        photo.caption, photo.caption_source = result.caption, "ai"
    if result.tags is None:
        return
    existing = {tag.name: tag for tag in photo.tags}
    fresh: dict[str, float] = {}
    for name, confidence in result.tags:  # a label longer than the column is cut; the first of equals wins
        fresh.setdefault(fitted(PhotoTag, name=name)["name"], confidence)
    for tag in list(photo.tags):
        if tag.source == "ai" and not tag.hidden and tag.name not in fresh:
            photo.tags.remove(tag)  # the model no longer sees it
    for name, confidence in fresh.items():
        tag = existing.get(name)
        if tag is None:
            photo.tags.append(PhotoTag(name=name, source="ai", confidence=float(confidence)))
        elif tag.source == "ai":
            tag.confidence = float(confidence)


def searchable_text(photo: Photo) -> str:
    """The words a text embedding of this photo is made from: caption, tags, note, people, place and text in it."""
    names = sorted({face.person.name for face in photo.faces if face.person is not None and face.person.name})
    place = ", ".join(p for p in dict.fromkeys((photo.city, photo.region, photo.country)) if p)
    parts = [photo.caption or "", ", ".join(tag.name for tag in visible_tags(photo)), photo.note or "",
             ", ".join(names), place, " ".join((photo.ocr_text or "").split())[:MAX_EMBEDDED_OCR]]
    return ". ".join(part for part in parts if part) or photo.filename


def store_embedding(session, photo_id: int, kind: str, model: str, vector: np.ndarray) -> None:
    """Replace the photo's embedding of this kind (a new row id, so in-memory indexes see the change)."""
    vector = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(vector)) or 1.0
    data = (vector / norm).astype("<f2").tobytes()
    session.query(Embedding).filter_by(photo_id=photo_id, kind=kind).delete()
    session.add(Embedding(photo_id=photo_id, kind=kind, model=model, dim=int(vector.shape[0]), vector=data))


def mark_queued(session, photo_ids: Sequence[int]) -> None:
    session.execute(update(Photo).where(Photo.id.in_(list(photo_ids)))
                    .values(status="queued", status_reason=None, claimed_by=None))


def photos_to_reindex(session, only: str, user_id: int | None, models: Models) -> list[int]:
    """Ids to analyse again: all (also for one part: faces, places or text), or those not done or whose
    embedding came from another model."""
    query = select(Photo.id).order_by(Photo.id)
    if user_id is not None:
        query = query.where(Photo.user_id == user_id)
    if only == "all" or only in PARTS:
        return list(session.scalars(query))
    missing = Photo.status != "done"
    version = _embedder_version(models)
    if version:
        current = select(Embedding.photo_id).where(Embedding.model == version)
        missing = missing | Photo.id.not_in(current)
    return list(session.scalars(query.where(missing)))


def _embedder_version(models: Models) -> str | None:
    if models.embedder is None:
        return None
    try:
        return models.embedder.version
    except ModelUnavailable:
        return None


def stuck_photos(session, pending: set[int], stale_after: timedelta) -> list[int]:
    """Photos whose job was lost: `queued` with no job in the queue, or `running` under a process of this host
    that is gone, or for longer than `stale_after` (whoever claimed it: a worker on another host)."""
    rows = session.execute(select(Photo.id, Photo.status, Photo.claimed_by, Photo.updated_at)
                           .where(Photo.status.in_(("queued", "running"))).order_by(Photo.id)).all()
    old = utcnow() - stale_after
    stuck = []
    for photo_id, status, claimed_by, updated_at in rows:
        if status == "queued":
            lost = photo_id not in pending
        else:
            lost = claimed_by is None or not _claimer_alive(claimed_by) or updated_at < old
        if lost:
            stuck.append(photo_id)
    return stuck


def _claimer_alive(claimed_by: str) -> bool:
    host, _, pid = claimed_by.rpartition("-")
    return not pid.isdigit() or owner_alive(host, int(pid))
