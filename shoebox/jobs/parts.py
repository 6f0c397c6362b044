"""The parts of a photo's analysis, one entry each in PIPELINE: which model a part runs, what it reads, and how
it keeps what it found, never over what the user wrote. Adding a part is adding an entry."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image
from sqlalchemy.orm import Session

from shoebox.ai import frames
from shoebox.ai.base import ModelUnavailable
from shoebox.ai.images import MODEL_INPUT_SIZE
from shoebox.ai.places import Place
from shoebox.ai.registry import Models
from shoebox.library.service import visible_tags
from shoebox.library.storage import Storage
from shoebox.models import VISUAL, Embedding, Photo, PhotoTag, fitted
from shoebox.people.grouping import Grouper

log = logging.getLogger(__name__)

#: The side faces and text are looked for at: 384 px is too small to find faces or read text. PP-OCR's standard
#: detection size (faces are found at 800); a 12 MP JPEG decodes at 1/4 scale for it (bench/analyze.py).
LARGE_SIDE = 960
MAX_EMBEDDED_OCR = 500
#: Tags that say what the face and text parts found, so a search for "person" or "document" finds it (by keyword
#: and by meaning). Each part keeps its own: the classifier's tags never replace them, nor they its.
FACE_TAGS = ("person", "people", "group")
TEXT_TAGS = ("text", "document")
#: Words read in the photo before it is tagged "text" (a stray letter or two is no text), and "document".
TEXT_WORDS, DOCUMENT_WORDS = 3, 20


@dataclass
class Saving:
    """What a part's `store` works with: the open transaction, the photo files, the batch's face grouper and
    the part's own backend (an embedding is stamped with its model's version)."""

    session: Session
    storage: Storage
    grouper: Grouper
    model: Any = None


@dataclass(frozen=True, eq=False)
class Part:
    """One thing the analysis finds in a photo."""

    #: The name a job asks for it by (`enqueue(ids, parts=...)`, `reindex --only`). Queued jobs carry it, so it
    #: stays; entries may share one (the search embedding comes from pixels or from words, by the model).
    name: str
    #: Its backend among the process's models; None when switched off (the part then does nothing).
    model: Callable[[Models], Any]
    #: `predict(backend, inputs)`: one result per input, in order. An exception fails the photo (a batch is
    #: retried photo by photo first); a part for which an odd photo means "nothing found" says so itself.
    predict: Callable[[Any, list], list]
    #: `store(saving, photo, result)`: keep one photo's result.
    store: Callable[[Saving, Photo, Any], None]
    #: What `predict` gets for each photo: "image" (upright RGB, longest side at most `size`), "gps"
    #: ((latitude, longitude) or None) or "words" (`photo_words`, once the other parts are stored).
    reads: str = "image"
    size: int = MODEL_INPUT_SIZE
    #: Its result is among the photo's words, so the parts that read words run again whenever it runs.
    words: bool = False
    #: The setting that picks its model or switches it on: named in the Jobs page's advice when it waits.
    setting: str = ""
    #: Its model takes the whole batch in one call (batched forward passes); else it reads one photo at a time,
    #: and photos are read on several threads at once (ANALYSIS_THREADS).
    batched: bool = True
    #: `merge(results)`: one result for a video from those of its frames (poster first; ai.frames); None where
    #: the part reads the poster alone.
    merge: Callable[[list], Any] | None = None


# -- the parts' predictions -------------------------------------------------------------------------------
@dataclass(frozen=True)
class FacesFound:
    faces: list  # shoebox.ai.faces.Face, boxes in pixels of an image of `size`
    size: tuple[int, int]


def safely(predict: Callable, argument: object, empty: object) -> object:
    """`predict(argument)`, or `empty` when the model cannot make it out (a model that cannot load still raises)."""
    try:
        return predict(argument)
    except ModelUnavailable:
        raise
    except Exception:  # an odd picture is "nothing found", not a failed photo
        log.warning("%s could not make out a photo; keeping an empty result", predict, exc_info=True)
        return empty


def _faces(analyzer: Any, images: list[Image.Image]) -> list[FacesFound]:
    return [FacesFound(safely(analyzer.faces, image, []), image.size) for image in images]


def _text(reader: Any, images: list[Image.Image]) -> list[str]:
    return [safely(lambda image: reader.read(image).text, image, "") for image in images]


def _merge_faces(found: list[FacesFound]) -> FacesFound:
    return FacesFound(frames.merge_faces([f.faces for f in found]), found[0].size)


def _places(resolver: Any, coords: list) -> list:
    return safely(resolver.resolve_many, coords, [None] * len(coords))


def _image_embedder(models: Models) -> Any:
    return models.embedder if models.embedder is not None and models.embedder.embeds_images else None


def _text_embedder(models: Models) -> Any:
    return models.embedder if models.embedder is not None and not models.embedder.embeds_images else None


# -- how the parts keep their results ---------------------------------------------------------------------
def keep_caption(_saving: Saving, photo: Photo, caption: str) -> None:
    """An AI caption fills in only a caption the user has not written."""
    if caption and photo.caption_source != "user":
        photo.caption, photo.caption_source = caption, "ai"


def keep_tags(_saving: Saving, photo: Photo, tagged: tuple[list[tuple[str, float]], list]) -> None:
    """The classifier's tags and its most probable labels (read by the search embedding)."""
    tags, photo.labels = tagged[0], [[label, p] for label, p in tagged[1]]
    replace_ai_tags(photo, tags, keep=(*FACE_TAGS, *TEXT_TAGS))


def replace_ai_tags(photo: Photo, tags: list[tuple[str, float]], keep: Sequence[str] = (),
                    only: Sequence[str] | None = None) -> None:
    """AI tags are replaced by the fresh ones (those named in `only`, if given; never those in `keep`); the user's
    tags and the AI tags the user removed (hidden) stay."""
    existing = {tag.name: tag for tag in photo.tags}
    fresh: dict[str, float] = {}
    for name, confidence in tags:  # a label longer than the column is cut; the first of equals wins
        fresh.setdefault(fitted(PhotoTag, name=name)["name"], confidence)
    for tag in list(photo.tags):
        ours = tag.name not in keep and (only is None or tag.name in only)
        if ours and tag.source == "ai" and not tag.hidden and tag.name not in fresh:
            photo.tags.remove(tag)  # the model no longer sees it
    for name, confidence in fresh.items():
        tag = existing.get(name)
        if tag is None:
            photo.tags.append(PhotoTag(name=name, source="ai", confidence=float(confidence)))
        elif tag.source == "ai":
            tag.confidence = float(confidence)


def keep_tags_and_look(saving: Saving, photo: Photo, tagged: Any) -> None:
    """The tags (as `keep_tags`) and the look, the photo's "visual" embedding that "more like this" and
    near-duplicates compare; a classifier that gives no look leaves none (they fall back to the words)."""
    keep_tags(saving, photo, (tagged.tags, tagged.labels))
    if tagged.look is not None:
        store_embedding(saving.session, photo.id, VISUAL, saving.model.visual_version, tagged.look)
    else:
        saving.session.query(Embedding).filter_by(photo_id=photo.id, kind=VISUAL).delete()


def keep_faces(saving: Saving, photo: Photo, found: FacesFound) -> None:
    """The photo's faces become the ones found, grouped into people (the user's placements stay)."""
    saving.grouper.replace_faces(photo, found.faces, found.size)
    saving.storage.delete_face_crops(photo.user_id, photo.sha256)
    replace_ai_tags(photo, [(word, 1.0) for word in face_tags(len(found.faces))], only=FACE_TAGS)


def keep_place(_saving: Saving, photo: Photo, place: Place | None) -> None:
    """The city and district of the GPS position; none (no GPS, or nowhere near a town) clears them."""
    photo.district, photo.city = (place.district or None, place.city or None) if place else (None, None)
    photo.region, photo.country = (place.region or None, place.country or None) if place else (None, None)
    photo.country_code = (place.country_code or None) if place else None


def keep_text(_saving: Saving, photo: Photo, text: str) -> None:
    """The text read in the photo; enough words of it tag the photo "text" (and "document" when there are many)."""
    photo.ocr_text = text or None
    replace_ai_tags(photo, [(word, 1.0) for word in text_tags(text)], only=TEXT_TAGS)


def face_tags(count: int) -> list[str]:
    """What the number of faces found says: one "person", two "people", three or more "people" and "group"."""
    return ["person"] if count == 1 else ["people", "group"] if count >= 3 else ["people"] if count else []


def text_tags(text: str | None) -> list[str]:
    """What the text read in a photo says: "text" from a few words on, and "document" from many."""
    count = len((text or "").split())
    return [word for word, least in (("text", TEXT_WORDS), ("document", DOCUMENT_WORDS)) if count >= least]


def keep_embedding(kind: str) -> Callable[[Saving, Photo, np.ndarray], None]:
    """A store that keeps the vector as the photo's embedding of `kind`, stamped with the model's version."""
    def keep(saving: Saving, photo: Photo, vector: np.ndarray) -> None:
        if vector is not None:
            store_embedding(saving.session, photo.id, kind, saving.model.version, vector)
    return keep


def store_embedding(session: Session, photo_id: int, kind: str, model: str, vector: np.ndarray) -> None:
    """Replace the photo's embedding of this kind (a new row id, so in-memory indexes see the change)."""
    vector = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(vector)) or 1.0
    data = (vector / norm).astype("<f2").tobytes()
    session.query(Embedding).filter_by(photo_id=photo_id, kind=kind).delete()
    session.add(Embedding(photo_id=photo_id, kind=kind, model=model, dim=int(vector.shape[0]), vector=data))


def embed_words(session: Session, photo: Photo, embedder: Any) -> bool:
    """Re-embed the photo's words now (one text-model call, ~10 ms), so an edit is found by meaning at once.
    False where there is no text embedder or it cannot load: the caller queues the "embedding" part instead."""
    if embedder is None or embedder.embeds_images:
        return False
    try:
        vector = embed_photo_words(embedder, [photo_words(photo)])[0]
    except ModelUnavailable:
        return False
    store_embedding(session, photo.id, "text", embedder.version, vector)
    return True


def searchable_text(photo: Photo, fallback: bool = True) -> str:
    """The words a text embedding of this photo is made from: caption, tags, note, people, place and text in it
    (with none of these, its file name, unless `fallback` is false)."""
    names = sorted({face.person.name for face in photo.faces if face.person is not None and face.person.name})
    place = ", ".join(p for p in dict.fromkeys((photo.district, photo.city, photo.region, photo.country)) if p)
    parts = [photo.caption or "", ", ".join(tag.name for tag in visible_tags(photo)), photo.note or "",
             ", ".join(names), place, " ".join((photo.ocr_text or "").split())[:MAX_EMBEDDED_OCR]]
    return ". ".join(part for part in parts if part) or (photo.filename if fallback else "")


@dataclass(frozen=True)
class Words:
    """What the text embedding of a photo reads: its words, and the tag classifier's labels (for ConSE)."""

    text: str
    labels: list


def photo_words(photo: Photo) -> Words:
    """The photo's words and labels; the file name stands in for the words only where there are no labels either
    (a camera's "IMG_0042.jpg" says nothing, and would pull the photo towards any query)."""
    labels = photo.labels or []
    return Words(searchable_text(photo, fallback=not labels), labels)


def embed_photo_words(embedder: Any, words: list[Words]) -> np.ndarray:
    """The text embedding of each photo: words plus ConSE labels where the embedder can (TextEmbedder)."""
    if hasattr(embedder, "embed_photos"):
        return embedder.embed_photos([w.text for w in words], [w.labels for w in words])
    return embedder.embed_texts([w.text for w in words])


# -- the pipeline: predicted and stored in this order ------------------------------------------------------
PIPELINE: tuple[Part, ...] = (
    Part("caption", lambda m: m.captioner, lambda model, images: model.caption(images), keep_caption, words=True,
         setting="CAPTION_MODEL"),
    # Tags and the photo's look (the "visual" embedding) from one forward pass of the classifier.
    Part("tags", lambda m: m.tagger, lambda model, images: model.tag_and_describe(images), keep_tags_and_look,
         words=True, setting="TAG_MODEL", merge=frames.merge_tagged),
    Part("faces", lambda m: m.faces, _faces, keep_faces, size=LARGE_SIDE, words=True, setting="FACES_ENABLED",
         batched=False, merge=_merge_faces),
    Part("places", lambda m: m.places, _places, keep_place, reads="gps", words=True, setting="PLACES_ENABLED"),
    Part("text", lambda m: m.ocr, _text, keep_text, size=LARGE_SIDE, words=True, setting="OCR_ENABLED",
         batched=False, merge=frames.merge_text),
    # The search embedding from pixels, where EMBED_MODEL is an image-text model (CLIP, SigLIP).
    Part("embedding", _image_embedder, lambda model, images: model.embed_images(images), keep_embedding("image"),
         setting="EMBED_MODEL", merge=frames.merge_vectors),
    # The search embedding from the photo's words, where EMBED_MODEL is a text model.
    Part("embedding", _text_embedder, embed_photo_words, keep_embedding("text"), reads="words",
         setting="EMBED_MODEL"),
)
#: The part names a job may ask for (besides "all").
PARTS: tuple[str, ...] = tuple(dict.fromkeys(part.name for part in PIPELINE))


def chosen(names: list[str] | None) -> list[Part]:
    """The parts a job asked for (all when none or "all"), and those that read words when one of them runs."""
    asked = set(PARTS) if not names or "all" in names else set(names)
    words_change = any(part.words for part in PIPELINE if part.name in asked)
    return [part for part in PIPELINE if part.name in asked or (words_change and part.reads == "words")]


#: How a part that was asked for went, best first: it ran (None), it waits for a model, it is switched off.
_OUTCOMES = (None, "waiting", "off")


def outcomes(wanted: list[Part], models: Models, waiting: dict[str, str]) -> dict[str, str | None]:
    """By part name: None where the part ran, "waiting" where its model cannot load (`waiting`: model kind ->
    reason), "off" where it is switched off. Entries that share a name count as one: the best of them."""
    found: dict[str, str | None] = {}
    for part in wanted:
        model = part.model(models)
        outcome = "off" if model is None else "waiting" if model.kind in waiting else None
        found[part.name] = min(found.get(part.name, "off"), outcome, key=_OUTCOMES.index)
    return found


def waiting_reason(name: str, wanted: list[Part], models: Models, waiting: dict[str, str]) -> str | None:
    """Why the part `name` waits: its model's reason for not loading."""
    kinds = [model.kind for part in wanted if part.name == name and (model := part.model(models)) is not None]
    return next((waiting[kind] for kind in kinds if kind in waiting), None)
