"""Searching one's photos in natural language, with filters, a cutoff and isolation between users."""

from __future__ import annotations

import pytest
from PIL import ExifTags, Image

from shoebox.ai.registry import clear_cache
from tests.backends import make_app
from tests.conftest import Account, make_image, make_jpeg

pytestmark = pytest.mark.slow  # a library embedded by the packaged text embedder

LIBRARY = [
    # filename, caption, tags, camera model, day in March 2024, format
    ("cake.jpg", "grandma blowing out candles on her birthday cake", ["cake", "family"], "iPhone 13", 2, "JPEG"),
    ("car.jpg", "a red sports car parked on the sand by the sea", ["car", "beach"], "Canon EOS R6", 5, "JPEG"),
    ("dog.png", "a puppy running through deep snow in the mountains", ["dog", "snow"], None, 9, "PNG"),
    ("sunset.jpg", "the sun going down over the ocean, orange sky", ["sunset", "sea"], "iPhone 13", 12, "JPEG"),
    ("invoice.png", "scanned electricity bill from the power company", ["document"], None, 20, "PNG"),
]


def photo_bytes(index: int, camera: str | None, day: int, fmt: str) -> bytes:
    exif = Image.Exif()
    if camera:
        exif[ExifTags.Base.Model] = camera
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = f"2024:03:{day:02d} 12:00:00"
    return make_image(fmt, color=(index * 50, 80, 120), exif=exif)


@pytest.fixture(scope="module")
def searchable(tmp_path_factory):
    """An app with the real packaged text embedder and two users: alice with LIBRARY, bob with one photo."""
    clear_cache()
    app = make_app({"DATA_DIR": str(tmp_path_factory.mktemp("search")), "WORKER_IN_PROCESS": False,
                      "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none", "TAG_MODEL": "none",
                      "EMBED_MODEL": "sentence-transformers/all-MiniLM-L6-v2"})
    alice, bob = Account(app, "alice@example.com"), Account(app, "bob@example.com")
    ids = {}
    for index, (name, caption, tags, camera, day, fmt) in enumerate(LIBRARY):
        photo = alice.upload_one(name, photo_bytes(index, camera, day, fmt))
        alice.patch(f"/api/photos/{photo['id']}", json={"caption": caption, "tags": tags})
        ids[name] = photo["id"]
    secret = bob.upload_one("bobs-cake.jpg", make_jpeg(color=(3, 3, 3)))
    bob.patch(f"/api/photos/{secret['id']}", json={"caption": "chocolate birthday cake with candles"})
    yield app, alice, bob, ids
    app.extensions["db"].dispose()


def names(reply) -> list[str]:
    assert reply.status_code == 200, reply.json
    return [item["filename"] for item in reply.json["items"]]


def test_natural_language_finds_by_meaning_not_just_words(searchable):
    _app, alice, _bob, _ids = searchable
    assert names(alice.get("/api/search?q=dog playing in the snow"))[0] == "dog.png"
    assert names(alice.get("/api/search?q=party with a birthday cake"))[0] == "cake.jpg"
    assert names(alice.get("/api/search?q=evening at the seaside"))[0] in ("sunset.jpg", "car.jpg")


def test_each_result_says_why_it_matched_and_its_score(searchable):
    _app, alice, _bob, _ids = searchable
    first = alice.get("/api/search?q=birthday cake").json["items"][0]
    assert first["filename"] == "cake.jpg" and set(first["matched"]) == {"keyword", "meaning"}
    assert first["score"] > 0
    meaning_only = alice.get("/api/search?q=puppy in winter").json["items"][0]
    assert meaning_only["filename"] == "dog.png" and "meaning" in meaning_only["matched"]


def test_unrelated_photos_are_cut_off(searchable):
    _app, alice, _bob, _ids = searchable
    found = names(alice.get("/api/search?q=birthday cake"))
    assert "invoice.png" not in found and "car.jpg" not in found
    assert names(alice.get("/api/search?q=quantum chromodynamics lecture notes")) == []


def test_keyword_prefix_and_camera_and_filename_match(searchable):
    _app, alice, _bob, _ids = searchable
    assert names(alice.get("/api/search?q=electri"))[0] == "invoice.png"  # prefix while typing
    assert set(names(alice.get("/api/search?q=iPhone"))) >= {"cake.jpg", "sunset.jpg"}
    assert names(alice.get("/api/search?q=invoice"))[0] == "invoice.png"


def test_filters_apply_inside_the_query(searchable):
    _app, alice, _bob, _ids = searchable
    assert names(alice.get("/api/search?q=sea&format=png")) == []
    assert names(alice.get("/api/search?q=&tag=beach")) == ["car.jpg"]
    assert set(names(alice.get("/api/search?camera=iphone"))) == {"cake.jpg", "sunset.jpg"}
    assert names(alice.get("/api/search?from=2024-03-09&to=2024-03-12")) == ["sunset.jpg", "dog.png"]
    # a filtered search still finds a weak match that an unfiltered top-k would rank low
    assert names(alice.get("/api/search?q=snow&format=PNG"))[0] == "dog.png"


def test_sort_by_date_orders_the_relevant_set_newest_first(searchable):
    _app, alice, _bob, _ids = searchable
    by_date = names(alice.get("/api/search?q=sea&sort=date"))
    assert len(by_date) >= 2 and by_date == sorted(by_date, key=[r[0] for r in LIBRARY][::-1].index)


def test_other_users_photos_never_appear(searchable):
    _app, alice, bob, _ids = searchable
    assert "bobs-cake.jpg" not in names(alice.get("/api/search?q=chocolate birthday cake"))
    assert names(bob.get("/api/search?q=birthday cake")) == ["bobs-cake.jpg"]
    assert bob.get("/api/facets").json["tags"] == []


@pytest.mark.parametrize("q", ['"', "*", "(", "cake AND", "NEAR(", "a:b", "-", "'; DROP TABLE photos; --", "^",
                               "cake OR", "\x00", "🎂", "  "])
def test_query_syntax_characters_never_cause_an_error(searchable, q):
    _app, alice, _bob, _ids = searchable
    assert alice.get("/api/search", query_string={"q": q}).status_code == 200


def test_very_long_and_empty_queries(searchable):
    _app, alice, _bob, _ids = searchable
    assert alice.get("/api/search", query_string={"q": "cake " * 5000}).status_code == 200
    assert len(names(alice.get("/api/search?q="))) == 5


def test_bad_parameters_are_clear_errors(searchable):
    _app, alice, _bob, _ids = searchable
    assert alice.get("/api/search?from=yesterday").json["error"]["code"] == "invalid_parameter"
    assert alice.get("/api/search?sort=random").status_code == 400
    assert alice.get("/api/search?q=x&cursor=zzz").json["error"]["code"] == "invalid_cursor"


def test_results_page_with_a_cursor(searchable):
    _app, alice, _bob, _ids = searchable
    first = alice.get("/api/search?q=&limit=2").json
    second = alice.get(f"/api/search?q=&limit=2&cursor={first['next_cursor']}").json
    third = alice.get(f"/api/search?q=&limit=2&cursor={second['next_cursor']}").json
    assert len({i["id"] for i in first["items"] + second["items"] + third["items"]}) == 5
    assert third["next_cursor"] is None


def test_facets_list_tags_cameras_and_formats(searchable):
    _app, alice, _bob, _ids = searchable
    facets = alice.get("/api/facets").json
    assert {"name": "cake", "count": 1} in facets["tags"]
    assert facets["cameras"] == ["Canon EOS R6", "iPhone 13"] and facets["formats"] == ["JPEG", "PNG"]


def test_more_like_this_ranks_by_meaning_and_hides_other_users(searchable):
    _app, alice, bob, ids = searchable
    similar = alice.get(f"/api/photos/{ids['sunset.jpg']}/similar").json["items"]
    assert similar[0]["filename"] == "car.jpg" and ids["sunset.jpg"] not in [p["id"] for p in similar]
    assert bob.get(f"/api/photos/{ids['sunset.jpg']}/similar").status_code == 404


def test_a_new_caption_is_searchable_at_once(searchable):
    _app, alice, _bob, ids = searchable
    alice.patch(f"/api/photos/{ids['invoice.png']}", json={"caption": "a giraffe eating leaves"})
    assert names(alice.get("/api/search?q=giraffe"))[0] == "invoice.png"
    assert names(alice.get("/api/search?q=tall animal at the zoo"))[0] == "invoice.png"
    alice.patch(f"/api/photos/{ids['invoice.png']}", json={"caption": LIBRARY[4][1]})


def test_near_duplicates_are_grouped(app, alice):
    base = make_jpeg(size=(800, 600), color=(120, 60, 30))
    alice.upload_one("original.jpg", base)
    resized = Image.open(__import__("io").BytesIO(base)).resize((400, 300))
    buffer = __import__("io").BytesIO()
    resized.save(buffer, "JPEG", quality=60)
    alice.upload_one("smaller-copy.jpg", buffer.getvalue())
    alice.upload_one("other.png", make_image("PNG", size=(300, 300), color=(0, 200, 255)))
    groups = alice.get("/api/duplicates").json["groups"]
    assert [sorted(p["filename"] for p in g) for g in groups] == [["original.jpg", "smaller-copy.jpg"]]


def test_a_reversed_date_range_is_a_clear_error_not_an_empty_result(searchable):
    _app, alice, _bob, _ids = searchable
    reply = alice.get("/api/search?from=2024-03-12&to=2024-03-09")
    assert reply.status_code == 400 and reply.json["error"]["code"] == "reversed_date_range"
    assert "2024-03-12" in reply.json["error"]["message"] and "reversed" in reply.json["error"]["message"]
