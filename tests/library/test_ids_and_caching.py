"""A photo id is never given twice, and a file is kept by the browser only under a URL naming its content."""

from __future__ import annotations

from tests.conftest import make_jpeg

IMMUTABLE = "private, max-age=31536000, immutable"


def test_a_deleted_photos_id_is_never_given_to_the_next_upload(alice):
    first = alice.upload_one("first.jpg")
    newest = alice.upload_one("second.jpg", make_jpeg(color=(10, 200, 30)))
    assert alice.delete(f"/api/photos/{newest['id']}").status_code == 204
    assert alice.delete("/api/trash").json == {"deleted": 1}
    after = alice.upload_one("third.jpg", make_jpeg(color=(30, 30, 220)))
    assert after["id"] not in (first["id"], newest["id"])


def test_original_url_names_its_version_and_is_kept_for_a_year(alice):
    photo = alice.get(f"/api/photos/{alice.upload_one()['id']}").json
    assert photo["original_url"].endswith(f"v={photo['sha256'][:12]}")
    reply = alice.get(photo["original_url"])
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == IMMUTABLE and reply.headers["ETag"]


def test_original_without_its_version_is_checked_again_before_reuse(alice):
    photo = alice.upload_one()
    for url in (f"/api/photos/{photo['id']}/original", f"/api/photos/{photo['id']}/original?v=0123456789ab"):
        reply = alice.get(url)
        assert reply.status_code == 200 and reply.headers["Cache-Control"] == "private, no-cache"
        again = alice.get(url, headers={"If-None-Match": reply.headers["ETag"]})
        assert again.status_code == 304


def test_thumbnail_without_its_version_is_checked_again_before_reuse(alice):
    photo = alice.upload_one()
    reply = alice.get(f"/api/photos/{photo['id']}/thumbnail?size=small")
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "private, no-cache"
    assert alice.get(photo["thumbnail_url"]).headers["Cache-Control"] == IMMUTABLE
