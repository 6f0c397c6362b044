"""The analysis job: caption, tags and search embeddings for a batch of photos, never overriding the user."""

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
from shoebox.ai.images import load_for_models
from shoebox.ai.registry import Models, get_models
from shoebox.config import Settings
from shoebox.db import Database
from shoebox.library.service import visible_tags
from shoebox.library.storage import Storage, owner_alive, owner_tag
from shoebox.models import Embedding, Photo, PhotoTag, utcnow

log = logging.getLogger(__name__)

PARTS = ("caption", "tags", "embedding")


@dataclass
class Result:
    """What the models said about one photo; None where a model is off or unavailable."""

    caption: str | None = None
    tags: list[tuple[str, float]] | None = None
    image_vector: np.ndarray | None = None
    error: str | None = None


@dataclass
class Batch:
    photo_ids: list[int]
    images: dict[int, Image.Image] = field(default_factory=dict)
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
        for photo_id, path in paths.items():
            try:
                batch.images[photo_id] = load_for_models(path)
            except Exception as exc:  # a file the decoder cannot read fails alone
                batch.results[photo_id] = Result(error=f"cannot read the image: {exc}")
        self._predict(batch, models, wanted)
        self._save(batch, models, wanted)

    # -- steps ------------------------------------------------------------------------------------
    def _start(self, batch: Batch) -> dict[int, str]:
        """Mark the photos running; return the path of each original (deleted photos drop out)."""
        with self.db.transaction() as session:
            photos = list(session.scalars(select(Photo).where(Photo.id.in_(batch.photo_ids))))
            for photo in photos:
                photo.status, photo.status_reason, photo.claimed_by = "running", None, owner_tag()
            return {p.id: str(self.storage.original_path(p.user_id, p.sha256)) for p in photos}

    def _predict(self, batch: Batch, models: Models, wanted: set[str]) -> None:
        ids = [i for i in batch.photo_ids if i in batch.images]
        for photo_id in ids:
            batch.results.setdefault(photo_id, Result())
        if "caption" in wanted and _usable(models.captioner, batch):
            self._each(batch, ids, models.captioner.caption, lambda r, v: setattr(r, "caption", v))
        if "tags" in wanted and _usable(models.tagger, batch):
            self._each(batch, ids, models.tagger.tag, lambda r, v: setattr(r, "tags", v))
        embedder = models.embedder
        if "embedding" in wanted and _usable(embedder, batch) and hasattr(embedder, "embed_images"):
            self._each(batch, ids, embedder.embed_images, lambda r, v: setattr(r, "image_vector", v))

    def _each(self, batch: Batch, ids: list[int], predict: Callable, keep: Callable[[Result, object], None]) -> None:
        """Run `predict` on the batch; if it fails, photo by photo so one bad photo fails alone."""
        ids = [i for i in ids if batch.results[i].error is None]
        if not ids:
            return
        try:
            outputs = predict([batch.images[i] for i in ids])
            for photo_id, output in zip(ids, outputs, strict=True):
                keep(batch.results[photo_id], output)
            return
        except ModelUnavailable:
            raise
        except Exception:
            log.warning("batch prediction failed; retrying photo by photo", exc_info=True)
        for photo_id in ids:
            try:
                keep(batch.results[photo_id], predict([batch.images[photo_id]])[0])
            except Exception as exc:
                batch.results[photo_id].error = f"analysis failed: {type(exc).__name__}: {exc}"

    def _save(self, batch: Batch, models: Models, wanted: set[str]) -> None:
        with self.db.transaction() as session:
            photos = {p.id: p for p in session.scalars(select(Photo).where(Photo.id.in_(batch.photo_ids)))}
            for photo_id, result in batch.results.items():
                photo = photos.get(photo_id)
                if photo is None:  # deleted while we worked
                    continue
                photo.claimed_by = None
                if result.error:
                    photo.status, photo.status_reason = "failed", result.error
                    continue
                _apply(photo, result)
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


def _apply(photo: Photo, result: Result) -> None:
    """AI output fills in only what the user has not written; AI tags the user removed stay hidden."""
    if result.caption and photo.caption_source != "user":
        photo.caption, photo.caption_source = result.caption, "ai"
    if result.tags is None:
        return
    existing = {tag.name: tag for tag in photo.tags}
    fresh = dict(result.tags)
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
    """The words a text embedding of this photo is made from."""
    parts = [photo.caption or "", ", ".join(tag.name for tag in visible_tags(photo)), photo.note or ""]
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
    """Ids to analyse again: all, or those not done or whose embedding came from another model."""
    query = select(Photo.id).order_by(Photo.id)
    if user_id is not None:
        query = query.where(Photo.user_id == user_id)
    if only == "all":
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


#: A photo `running` for longer than this without news is taken as lost, whoever claimed it.
STUCK_AFTER = timedelta(hours=1)


def stuck_photos(session, pending: set[int]) -> list[int]:
    """Photos whose job was lost: `queued` with no job in the queue, or `running` under a worker that is gone."""
    rows = session.execute(select(Photo.id, Photo.status, Photo.claimed_by, Photo.updated_at)
                           .where(Photo.status.in_(("queued", "running"))).order_by(Photo.id)).all()
    old = utcnow() - STUCK_AFTER
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
