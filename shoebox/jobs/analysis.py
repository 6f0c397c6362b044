"""The analysis job: runs the parts of `shoebox.jobs.parts` (caption, tags, faces, place, text, embeddings)
over a batch of photos and stores what they found, never overriding the user."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from PIL import Image
from sqlalchemy import delete, select, update

from shoebox.ai.base import ModelUnavailable
from shoebox.ai.frames import load_frames_for_models
from shoebox.ai.images import load_for_models
from shoebox.ai.registry import Models
from shoebox.config import Settings
from shoebox.db import Database
from shoebox.jobs.claims import Heartbeat, dead_claimers, upsert
from shoebox.jobs.parts import PARTS, Part, Saving, chosen, outcomes, photo_words, waiting_reason
from shoebox.library.storage import Storage
from shoebox.models import Embedding, PartProblem, PartState, Photo, utcnow
from shoebox.people.grouping import Grouper

log = logging.getLogger(__name__)


@dataclass
class Found:
    """What the parts found in one photo, by part; or why the photo failed."""

    by_part: dict[Part, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class Batch:
    photo_ids: list[int]
    images: dict[int, dict[int, Image.Image]] = field(default_factory=dict)  # photo -> longest side -> image
    frames: dict[int, dict[int, list[Image.Image]]] = field(default_factory=dict)  # a video's frames past its poster
    videos: set[int] = field(default_factory=set)
    coords: dict[int, tuple[float, float] | None] = field(default_factory=dict)
    results: dict[int, Found] = field(default_factory=dict)
    waiting: dict[str, str] = field(default_factory=dict)  # model kind -> reason

    def ready(self, part: Part) -> list[int]:
        """The photos a part can run on: not failed, and decoded where it reads the image."""
        ids = [i for i in self.photo_ids if i in self.results and self.results[i].error is None]
        return [i for i in ids if i in self.images] if part.reads == "image" else ids

    def input(self, part: Part, photo_id: int) -> Any:
        """What `part.predict` reads of this photo (the parts that read words get them at save time)."""
        return self.coords.get(photo_id) if part.reads == "gps" else self.images[photo_id][part.size]

    def inputs(self, part: Part, photo_id: int) -> list:
        """What `part.predict` reads of this photo: one input, or a video's frames (poster first) where the part
        merges the results of frames."""
        more = self.frames.get(photo_id, {}).get(part.size, []) if part.merge is not None else []
        return [self.input(part, photo_id), *more]

    def predict(self, part: Part, model: Any, ids: list[int]) -> list:
        """`part.predict` over these photos' inputs in one call: one result each (a video's frames merged)."""
        inputs = [self.inputs(part, i) for i in ids]
        outputs = iter(part.predict(model, [item for items in inputs for item in items]))
        results = [[next(outputs) for _ in items] for items in inputs]
        return [found[0] if len(found) == 1 else part.merge(found) for found in results]


class Analyzer:
    """Runs the models over photos and stores what they found. Called by the queue with ids, never objects."""

    def __init__(self, settings: Settings, database: Database, models: Callable[[], Models]) -> None:
        self.settings = settings
        self.db = database
        self.storage = Storage(settings.data_path)
        self._models = models
        self.heartbeat = Heartbeat(database, settings.JOB_HEARTBEAT_SECONDS)

    def models(self) -> Models:
        """The process's model backends (built once per process, each loaded on first use)."""
        return self._models()

    def run_task(self, photo_ids: list[int], parts: list[str] | None = None) -> None:
        """The queue's entry point: analyse these photos (the parts asked for, or all)."""
        batch = Batch([int(i) for i in photo_ids])
        try:
            paths = self._start(batch)
            if not paths:
                return
            models = self.models()
            batch.waiting = models.unavailable()
            wanted = chosen(parts)
            self._examine(batch, paths, wanted, models)
            self._save(batch, models, wanted)
        finally:
            self.heartbeat.release()  # photos still `running` now (an exception) are taken over after a while

    # -- steps ------------------------------------------------------------------------------------
    def _start(self, batch: Batch) -> dict[int, str]:
        """Mark the photos running, claimed by this process (whose heartbeat starts); return the path of each
        original (deleted photos drop out)."""
        with self.db.transaction() as session:
            worker = self.heartbeat.claim(session)
            photos = list(session.scalars(select(Photo).where(Photo.id.in_(batch.photo_ids))))
            for photo in photos:
                photo.status, photo.status_reason, photo.claimed_by = "running", None, worker
                if photo.media_type == "video":
                    batch.videos.add(photo.id)
                batch.coords[photo.id] = (photo.gps_latitude, photo.gps_longitude) \
                    if photo.gps_latitude is not None and photo.gps_longitude is not None else None
            return {p.id: str(self.storage.original_path(p.user_id, p.sha256)) for p in photos}

    def _examine(self, batch: Batch, paths: dict[int, str], wanted: list[Part], models: Models) -> None:
        """Decode the photos and run each wanted part that reads pixels or GPS and whose model is on and loaded
        (the parts that read words run at save time), on up to ANALYSIS_THREADS threads: decoding first, then the
        parts that take a whole batch at a time (the tagger, once every photo is decoded) beside those that take
        one photo at a time (faces, text), each as soon as its photo is decoded. Each model call uses
        MODEL_THREADS threads, so the cores are shared without oversubscription."""
        sizes = sorted({part.size for part in wanted if part.reads == "image"}, reverse=True)
        usable = [(part, model) for part in wanted
                  if part.reads != "words" and _usable(model := part.model(models), batch)]
        for photo_id in paths:
            batch.results[photo_id] = Found()
        workers = max(1, min(self.settings.analysis_threads(), len(paths)))
        with ThreadPoolExecutor(workers, thread_name_prefix="analysis") as pool:
            decoded = {photo_id: pool.submit(_decode, batch, photo_id, path, sizes) for photo_id, path in paths.items()}
            # Tasks only wait for tasks queued before them: the pool takes them in order, so they never deadlock.
            tasks = [pool.submit(self._whole_batch, batch, [(p, m) for p, m in usable if p.batched], decoded)]
            tasks += [pool.submit(self._one_photo, batch, part, model, decoded[photo_id])
                      for photo_id in paths for part, model in usable if not part.batched]
            for task in tasks:
                task.result()

    def _whole_batch(self, batch: Batch, usable: list[tuple[Part, Any]], decoded: dict[int, Future]) -> None:
        wait(decoded.values())
        for part, model in usable:
            self._each(batch, part, model, batch.ready(part))

    def _one_photo(self, batch: Batch, part: Part, model: Any, decoded: Future) -> None:
        photo_id = decoded.result()
        self._each(batch, part, model, [i for i in batch.ready(part) if i == photo_id])

    def _each(self, batch: Batch, part: Part, model: Any, ids: list[int]) -> None:
        """Run the part on these photos; if it fails, photo by photo so one bad photo fails alone."""
        if not ids:
            return
        try:
            outputs = batch.predict(part, model, ids)
            for photo_id, output in zip(ids, outputs, strict=True):
                batch.results[photo_id].by_part[part] = output
            return
        except ModelUnavailable:
            raise
        except Exception:
            log.warning("batch prediction failed; retrying photo by photo", exc_info=True)
        for photo_id in ids:
            try:
                batch.results[photo_id].by_part[part] = batch.predict(part, model, [photo_id])[0]
            except Exception as exc:
                batch.results[photo_id].error = f"analysis failed: {type(exc).__name__}: {exc}"

    def _save(self, batch: Batch, models: Models, wanted: list[Part]) -> None:
        """Store each part's results in one transaction, then what the parts that read words make of them."""
        with self.db.transaction() as session:
            photos = {p.id: p for p in session.scalars(select(Photo).where(Photo.id.in_(batch.photo_ids)))}
            analysed = _settle_failures(photos, batch)
            saving = Saving(session, self.storage, Grouper(session, self.settings.FACE_MATCH_THRESHOLD))
            for part in wanted:
                if part.reads != "words":
                    _store(replace(saving, model=part.model(models)), part, analysed, batch)
            session.flush()
            for part in wanted:
                model = part.model(models)
                if part.reads == "words" and _usable(model, batch) and analysed:
                    outputs = part.predict(model, [photo_words(photo) for photo in analysed])
                    for photo, output in zip(analysed, outputs, strict=True):
                        part.store(replace(saving, model=model), photo, output)
            went = outcomes(wanted, models, batch.waiting)
            for photo in analysed:
                _record(photo, went)
            _note_problems(session, went, lambda name: waiting_reason(name, wanted, models, batch.waiting))


def _decode(batch: Batch, photo_id: int, path: str, sizes: list[int]) -> int:
    """Decode the photo once, at the largest size a wanted part reads (JPEG draft: the smallest scale that gives
    it); each other size is shrunk from it. A file the decoder cannot read fails alone."""
    if sizes:  # else no part reads the pixels (the place comes from GPS alone)
        try:
            image = load_for_models(path, sizes[0])
        except Exception as exc:
            batch.results[photo_id].error = f"cannot read the image: {exc}"
            return photo_id
        images = {sizes[0]: image}
        for size in sizes[1:]:
            images[size] = _shrunk(image, size)
        batch.images[photo_id] = images
        if photo_id in batch.videos:
            batch.frames[photo_id] = _video_frames(path, sizes)
    return photo_id


def _video_frames(path: str, sizes: list[int]) -> dict[int, list[Image.Image]]:
    """A video's frames past its poster, decoded once at the largest size and shrunk for each other size."""
    frames = {sizes[0]: load_frames_for_models(path, sizes[0])}
    for size in sizes[1:]:
        frames[size] = [_shrunk(frame, size) for frame in frames[sizes[0]]]
    return frames


def _shrunk(image: Image.Image, size: int) -> Image.Image:
    smaller = image.copy()
    smaller.thumbnail((size, size), Image.Resampling.BICUBIC)
    return smaller


def _record(photo: Photo, went: dict[str, str | None]) -> None:
    """Keep which of the parts asked for did not run; the photo is `waiting` while any of its parts waits."""
    rows = {row.part: row for row in photo.part_states}
    for name, state in went.items():
        row = rows.get(name)
        if state is None and row is not None:
            photo.part_states.remove(row)
        elif state is not None and row is None:
            photo.part_states.append(PartState(part=name, user_id=photo.user_id, state=state))
        elif row is not None:
            row.state = state
    waits = any(row.state == "waiting" for row in photo.part_states)
    photo.status, photo.status_reason = ("waiting" if waits else "done"), None


def _note_problems(session, went: dict[str, str | None], reason: Callable[[str], str | None]) -> None:
    """Remember why each part waits, once for the server (the Jobs page shows it); forget it once it ran."""
    for name, state in went.items():
        why = reason(name) if state == "waiting" else None
        if why:
            upsert(session, PartProblem, {"part": name}, {"reason": why, "seen_at": utcnow()})
        else:
            session.execute(delete(PartProblem).where(PartProblem.part == name))


def _settle_failures(photos: dict[int, Photo], batch: Batch) -> list[Photo]:
    """Release the photos; mark those that failed; return the others (a photo deleted meanwhile drops out)."""
    analysed = []
    for photo_id, found in batch.results.items():
        photo = photos.get(photo_id)
        if photo is None:
            continue
        photo.claimed_by = None
        if found.error:
            photo.status, photo.status_reason = "failed", found.error
        else:
            analysed.append(photo)
    return analysed


def _store(saving: Saving, part: Part, photos: list[Photo], batch: Batch) -> None:
    for photo in photos:
        found = batch.results[photo.id].by_part
        if part in found:
            part.store(saving, photo, found[part])


def _usable(model: Any, batch: Batch) -> bool:
    return model is not None and model.kind not in batch.waiting


def mark_queued(session, photo_ids: Sequence[int]) -> None:
    session.execute(update(Photo).where(Photo.id.in_(list(photo_ids)))
                    .values(status="queued", status_reason=None, claimed_by=None))


def photos_to_reindex(session, only: str, user_id: int | None, models: Models) -> list[int]:
    """Ids to analyse again: all (also for one part: faces, places or text), or those not done or whose
    embedding or look (visual embedding) came from another model or is missing."""
    query = select(Photo.id).order_by(Photo.id)
    if user_id is not None:
        query = query.where(Photo.user_id == user_id)
    if only == "all" or only in PARTS:
        return list(session.scalars(query))
    missing = Photo.status != "done"
    versions = [_version(models.embedder, "version"), _version(models.tagger, "visual_version")]
    for version in filter(None, versions):
        current = select(Embedding.photo_id).where(Embedding.model == version)
        missing = missing | Photo.id.not_in(current)
    return list(session.scalars(query.where(missing)))


def _version(model: Any, attribute: str) -> str | None:
    """The model's version of what it makes; None when it is off or cannot load."""
    if model is None:
        return None
    try:
        return getattr(model, attribute)
    except ModelUnavailable:
        return None


def stuck_photos(session, pending: set[int], stale_after: timedelta, claim_timeout: timedelta) -> list[int]:
    """Photos whose job was lost: `queued` with no job in the queue, or `running` under a process that is gone
    (a dead pid on this host; no heartbeat for `claim_timeout`, wherever it ran), or for longer than
    `stale_after` whoever claimed it."""
    rows = session.execute(select(Photo.id, Photo.status, Photo.claimed_by, Photo.updated_at)
                           .where(Photo.status.in_(("queued", "running"))).order_by(Photo.id)).all()
    dead = dead_claimers(session, {row.claimed_by for row in rows if row.claimed_by}, claim_timeout)
    old = utcnow() - stale_after
    stuck = []
    for photo_id, status, claimed_by, updated_at in rows:
        if status == "queued":
            lost = photo_id not in pending
        else:
            lost = claimed_by is None or claimed_by in dead or updated_at < old
        if lost:
            stuck.append(photo_id)
    return stuck
