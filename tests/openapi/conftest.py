"""An app whose requests remember which query parameters and JSON body fields the views read, and a library
rich enough that every documented field has something to show: faces and people, a place, text read in a
page, camera EXIF, GPS, near-duplicates, AI tags and text embeddings (the real offline models)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pytest
from PIL import ExifTags, Image, ImageDraw, ImageOps
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

from tests.conftest import Account
from tests.people.conftest import astronaut_png, gps_jpeg, offline_app, other_face_png, page_png

MINILM = "sentence-transformers/all-MiniLM-L6-v2"
PARIS = (48.8566, 2.3522)
TAG = ExifTags.Base


@dataclass
class Read:
    """The query parameters and JSON body fields that requests to one route read."""

    args: set[str] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)


class Reads(dict):
    """What requests read, by method and path as the document writes it, e.g. ("GET", "/api/photos/{photo_id}")."""

    def of(self, method: str, path: str) -> Read:
        return self.setdefault((method.upper(), path), Read())


def documented_path(rule: str) -> str:
    """A Flask URL rule as an OpenAPI path: /api/photos/<int:photo_id> -> /api/photos/{photo_id}."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


class _ReadArgs(ImmutableMultiDict):
    reads: set[str]

    def get(self, key, default=None, type=None):
        self.reads.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        self.reads.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        self.reads.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.reads.add(key)
        return super().__contains__(key)


class _ReadBody(dict):
    """A JSON object that notes each field read; iterating it reads every field sent."""

    reads: set[str]

    def get(self, key, default=None):
        self.reads.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.reads.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.reads.add(key)
        return super().__contains__(key)

    def __iter__(self):
        self.reads.update(super().keys())
        return super().__iter__()


def record_reads(app) -> Reads:
    """Make `app`'s requests note into the returned Reads which parameters and fields the views read."""
    reads = Reads()

    class ReadingRequest(app.request_class):
        def _read(self) -> Read:
            return reads.of(self.method, documented_path(self.url_rule.rule if self.url_rule else self.path))

        @cached_property
        def args(self):
            args = _ReadArgs(super().args)
            args.reads = self._read().args
            return args

        def get_json(self, force=False, silent=False, cache=True):
            body = super().get_json(force=force, silent=silent, cache=cache)
            if isinstance(body, dict):
                body = _ReadBody(body)
                body.reads = self._read().fields
            return body

    app.request_class = ReadingRequest
    return reads


@dataclass
class Library:
    app: object
    reads: Reads
    alice: Account
    ids: dict[str, int]
    people: dict[str, int]
    album: int = 0  # alice's album "Paris", holding both Paris photos
    share: dict = field(default_factory=dict)  # alice's link to it (showing location and people): id, token, key

    def account(self, email: str) -> Account:
        return Account(self.app, email)


def _camera_gps_jpeg(scale: float) -> bytes:
    """A photo from Paris with the camera, lens and exposure in its EXIF (other scales: near-duplicates)."""
    exif = Image.open(io.BytesIO(gps_jpeg(*PARIS))).getexif()
    exif[TAG.Make], exif[TAG.Model] = "FUJIFILM", "X-T4"
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[TAG.LensModel], details[TAG.ExposureTime], details[TAG.FNumber] = "XF23mmF2 R WR", 1 / 250, 2.8
    details[TAG.ISOSpeedRatings], details[TAG.FocalLength] = 200, 23.0
    picture = ImageOps.colorize(Image.linear_gradient("L").resize((320, 240)), black=(250, 120, 60),
                                white=(80, 40, 120))
    ImageDraw.Draw(picture).ellipse((180, 60, 260, 140), fill=(255, 220, 120))  # a sun in the evening sky
    buffer = io.BytesIO()
    picture.resize((int(320 * scale), int(240 * scale))).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


@pytest.fixture(scope="module")
def library(tmp_path_factory, vit_dir) -> Library:
    """alice with a face, a stranger's face, a printed page and a photo from Paris with a smaller copy of it."""
    app = offline_app(tmp_path_factory.mktemp("openapi"), FACE_MIN_COUNT=1, EMBED_MODEL=MINILM,
                      TAG_MODEL=str(vit_dir), TAG_THRESHOLD=0.0, AUTH_RATE_LIMIT_PER_MINUTE=1000)
    reads = record_reads(app)
    alice = Account(app, "alice@example.com")
    uploads = {"astronaut.png": astronaut_png(), "stranger.png": other_face_png(1), "page.png": page_png(),
               "paris.jpg": _camera_gps_jpeg(1), "paris-small.jpg": _camera_gps_jpeg(0.5)}
    ids = {name: alice.upload_one(name, content)["id"] for name, content in uploads.items()}
    alice.patch(f"/api/photos/{ids['paris.jpg']}", json={"caption": "the tower at dusk", "note": "from the bridge"})
    people = {name: alice.get(f"/api/photos/{ids[name]}").json["faces"][0]["person_id"]
              for name in ("astronaut.png", "stranger.png")}
    album = alice.post("/api/albums", json={"name": "Paris", "description": "Evenings by the river",
                                            "ids": [ids["paris.jpg"], ids["paris-small.jpg"]]}).json["id"]
    share = alice.post("/api/shares", json={"album_id": album, "show_location": True, "show_people": True}).json
    token = share["url"].rsplit("/", 1)[1]
    key = app.test_client().get(f"/api/shared/{token}/photos").json["items"][0]["key"]
    yield Library(app, reads, alice, ids, people, album, {"id": share["id"], "token": token, "key": key})
    app.extensions["db"].dispose()
