"""Search answers with relevant photos only, and finds them by what the offline models saw (issue 16, items 1 and 3):
real photos, the real packaged models (tags, text embedding, faces, text), through HTTP."""

from __future__ import annotations

import pytest

from tests.conftest import Account
from tests.people.conftest import offline_app, skimage_data

pytestmark = pytest.mark.slow  # the packaged classifier, text embedder, face and text models

PHOTOS = ("chelsea.png", "astronaut.png", "page.png", "camera.png", "motorcycle_left.png", "coffee.png")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A cat, an astronaut (one face), a printed page, a cameraman with a tripod (no EXIF camera), a motorcycle and
    a cup of coffee, analysed by every offline model."""
    app = offline_app(tmp_path_factory.mktemp("relevant"), TAG_MODEL="efficientnet-lite0",
                      EMBED_MODEL="sentence-transformers/all-MiniLM-L6-v2")
    user = Account(app, "alice@example.com")
    for name in PHOTOS:
        user.upload_one(name, (skimage_data() / name).read_bytes())
    yield user
    app.extensions["db"].dispose()


def found(user: Account, query: str) -> list[str]:
    reply = user.get("/api/search", query_string={"q": query})
    assert reply.status_code == 200, reply.json
    return [item["filename"] for item in reply.json["items"]]


@pytest.mark.parametrize("query", ["pizza", "elephant", "birthday cake", "a baby"])
def test_a_search_for_something_no_photo_shows_answers_nothing(library, query):
    assert found(library, query) == []


def test_a_camera_brand_does_not_find_a_photo_of_a_camera_without_camera_data(library):
    """"Canon" once found the cameraman: MiniLM puts the brand 0.41 from his tag "tripod", above the old floor."""
    assert found(library, "Canon") == []


@pytest.mark.parametrize("query", ["kitten", "feline", "tabby"])
def test_words_no_tag_holds_find_the_cat_and_only_the_cat(library, query):
    """Its only tag is "cat"; the classifier's labels ("Egyptian cat", "tiger cat", "tabby, tabby cat") carry
    "tabby" over the floor that keeps the other photos out."""
    assert found(library, query) == ["chelsea.png"]


def test_a_photo_with_a_face_is_found_by_person(library):
    assert "astronaut.png" in found(library, "person")
    assert "chelsea.png" not in found(library, "person")


def test_a_photo_with_many_words_of_text_is_found_by_document(library):
    assert found(library, "document") == ["page.png"]


def test_a_short_word_inside_a_longer_word_of_the_text_is_no_match(library):
    """OCR reads "parts" and "determine" on the page: "art" and "mine" are pieces of them, not words of it."""
    assert found(library, "art") == [] and found(library, "mine") == []


def test_a_word_glued_to_the_next_one_by_ocr_is_still_found(library):
    """OCR reads the heading as "Region-basedsegmentation"."""
    assert found(library, "segmentation")[:1] == ["page.png"]
