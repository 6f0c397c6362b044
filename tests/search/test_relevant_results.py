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
    user.app = app
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


def test_a_phrase_found_only_in_the_classifiers_labels_finds_the_photo(library):
    """The coffee is tagged "coffee" and "drink"; "espresso" (0.95) is the classifier's label, below the tags."""
    assert found(library, "espresso on a saucer") == ["coffee.png"]


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


def analyse_again(library: Account, owner: Account, photo_id: int, part: str) -> list[str]:
    """Run one part of the analysis on the photo again; its tags after."""
    library.app.extensions["queue"].enqueue_analysis([photo_id], parts=[part])
    return owner.get(f"/api/photos/{photo_id}").json["tags"]


def test_a_later_tag_run_keeps_the_tag_the_faces_gave(library):
    bob = Account(library.app, "bob@example.com")
    photo = bob.upload_one("astronaut.png", (skimage_data() / "astronaut.png").read_bytes())
    assert "person" in analyse_again(library, bob, photo["id"], "tags")


def test_a_face_tag_the_user_removed_stays_removed_when_faces_are_found_again(library):
    carol = Account(library.app, "carol@example.com")
    photo = carol.upload_one("astronaut.png", (skimage_data() / "astronaut.png").read_bytes())
    assert carol.patch(f"/api/photos/{photo['id']}", json={"tags": []}).status_code == 200
    assert "person" not in analyse_again(library, carol, photo["id"], "faces")
