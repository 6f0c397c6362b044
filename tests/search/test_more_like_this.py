""""More like this" and near-duplicates look at the photo: real photos (scikit-image's and matplotlib's) analysed
by the packaged EfficientNet-Lite0, whose pooled features are each photo's look (its "visual" embedding).

The library: the astronaut, its resized, mirrored and re-encoded (JPEG q=60) copies, five unrelated photos, and a
cat photo uploaded before looks existed (an app without a tag model on the same data directory), which has only
the search embedding of its words."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import pytest
import skimage
from PIL import Image, ImageOps

from shoebox.ai.registry import clear_cache
from shoebox.search.duplicates import VISUAL_MATCH
from tests.backends import make_app
from tests.conftest import Account

pytestmark = pytest.mark.slow  # the packaged EfficientNet and MiniLM

SKIMAGE = Path(skimage.__file__).parent / "data"
MATPLOTLIB = Path(matplotlib.get_data_path()) / "sample_data"
MINILM = "sentence-transformers/all-MiniLM-L6-v2"
COPIES = ["astronaut-small.jpg", "astronaut-mirrored.png", "astronaut-q60.jpg"]
UNRELATED = {"chelsea.png": SKIMAGE / "chelsea.png", "coffee.png": SKIMAGE / "coffee.png",
             "rocket.jpg": SKIMAGE / "rocket.jpg", "horse.png": SKIMAGE / "horse.png",
             "grace_hopper.jpg": MATPLOTLIB / "grace_hopper.jpg"}
OLD_CAT = "cat-before-looks.jpg"


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, fmt, **options)
    return buffer.getvalue()


def astronaut_and_copies() -> dict[str, bytes]:
    astronaut = Image.open(SKIMAGE / "astronaut.png")
    return {"astronaut.png": (SKIMAGE / "astronaut.png").read_bytes(),
            "astronaut-small.jpg": encoded(astronaut.resize((256, 256), Image.Resampling.LANCZOS), "JPEG", quality=90),
            "astronaut-mirrored.png": encoded(ImageOps.mirror(astronaut), "PNG"),
            "astronaut-q60.jpg": encoded(astronaut, "JPEG", quality=60)}


def old_cat() -> bytes:
    return encoded(Image.open(SKIMAGE / "chelsea.png").resize((300, 200)), "JPEG", quality=85)


def app_for(data_dir: Path, tag_model: str):
    return make_app({"DATA_DIR": str(data_dir), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True,
                     "CAPTION_MODEL": "none", "TAG_MODEL": tag_model, "EMBED_MODEL": MINILM})


class SameUser(Account):
    """An account already registered through another app on the same data directory (same database and keys)."""

    def __init__(self, app, other: Account) -> None:  # not Account.__init__, which would register again
        self.email, self.client, self.headers = other.email, app.test_client(), other.headers


def upload_before_looks(data_dir: Path) -> tuple[Account, int]:
    """The cat photo, analysed by an app with no tag model: it has the embedding of its words, and no look."""
    before = app_for(data_dir, "none")
    alice = Account(before, "alice@example.com")
    cat = alice.upload_one(OLD_CAT, old_cat())["id"]
    assert alice.patch(f"/api/photos/{cat}", json={"caption": "my tabby cat asleep"}).status_code == 200
    before.extensions["db"].dispose()
    return alice, cat


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """(app, alice, bob, ids by file name), everything analysed."""
    clear_cache()
    data_dir = tmp_path_factory.mktemp("looks")
    earlier, cat = upload_before_looks(data_dir)
    app = app_for(data_dir, "efficientnet-lite0")
    alice, bob = SameUser(app, earlier), Account(app, "bob@example.com")
    files = {**astronaut_and_copies(), **{name: path.read_bytes() for name, path in UNRELATED.items()}}
    ids = {name: alice.upload_one(name, content)["id"] for name, content in files.items()}
    bob.upload_one("bobs-astronaut.png", files["astronaut.png"])
    yield app, alice, bob, {**ids, OLD_CAT: cat}
    app.extensions["db"].dispose()


def similar(account: Account, photo_id: int, limit: int = 20) -> list[tuple[str, float]]:
    reply = account.get(f"/api/photos/{photo_id}/similar?limit={limit}")
    assert reply.status_code == 200, reply.json
    return [(item["filename"], item["similarity"]) for item in reply.json["items"]]


def test_more_like_this_lists_the_photos_own_copies_first(library):
    _app, alice, _bob, ids = library
    found = similar(alice, ids["astronaut.png"])
    assert {name for name, _ in found[:3]} == set(COPIES)
    assert all(score >= VISUAL_MATCH for _, score in found[:3])
    assert all(score < 0.5 for _, score in found[3:]) and "astronaut.png" not in dict(found)


@pytest.mark.parametrize("copy", COPIES)
def test_each_copy_finds_the_original_and_the_other_copies_first(library, copy):
    _app, alice, _bob, ids = library
    found = similar(alice, ids[copy])
    assert {name for name, _ in found[:3]} == {"astronaut.png", *COPIES} - {copy}


def test_duplicates_group_the_resized_mirrored_and_reencoded_copies(library):
    _app, alice, _bob, _ids = library
    groups = [sorted(photo["filename"] for photo in group) for group in alice.get("/api/duplicates").json["groups"]]
    assert sorted(["astronaut.png", *COPIES]) in groups
    assert not any(name in group for group in groups for name in ("coffee.png", "rocket.jpg", "horse.png",
                                                                   "grace_hopper.jpg"))


def test_duplicates_list_the_largest_copy_first(library):
    _app, alice, _bob, _ids = library
    group = next(g for g in alice.get("/api/duplicates").json["groups"] if len(g) == 4)
    assert group[-1]["filename"] == "astronaut-small.jpg" and group[0]["width"] == 512


def test_a_photo_without_a_look_is_grouped_by_its_hash(library):
    _app, alice, _bob, _ids = library
    groups = [sorted(photo["filename"] for photo in group) for group in alice.get("/api/duplicates").json["groups"]]
    assert sorted([OLD_CAT, "chelsea.png"]) in groups


def test_a_photo_without_a_look_is_matched_by_its_words(library):
    _app, alice, _bob, ids = library
    found = similar(alice, ids[OLD_CAT])
    assert found[0][0] == "chelsea.png"  # tagged "cat"; the caption says "my tabby cat asleep"
    assert OLD_CAT not in dict(found) and len(found) == len(ids) - 1


def test_another_users_photo_is_not_found(library):
    _app, alice, bob, ids = library
    assert bob.get(f"/api/photos/{ids['astronaut.png']}/similar").status_code == 404
    assert alice.get(f"/api/photos/{ids['astronaut.png']}/similar").status_code == 200
    assert bob.get("/api/duplicates").json["groups"] == []  # alice's copies of her astronaut are hers alone


def test_reindex_gives_photos_analysed_before_looks_their_look(tmp_path):
    clear_cache()
    earlier, cat = upload_before_looks(tmp_path / "data")
    app = app_for(tmp_path / "data", "efficientnet-lite0")
    alice = SameUser(app, earlier)
    alice.upload_one("chelsea.png", UNRELATED["chelsea.png"].read_bytes())
    alice.upload_one("coffee.png", UNRELATED["coffee.png"].read_bytes())
    assert similar(alice, cat)[0][1] < VISUAL_MATCH  # words: "my tabby cat asleep" against the tag "cat"
    result = app.test_cli_runner().invoke(args=["shoebox", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Analysed 1 photos" in result.output  # only the photo without a look
    found = similar(alice, cat)
    assert found[0][0] == "chelsea.png" and found[0][1] >= VISUAL_MATCH
    app.extensions["db"].dispose()
