"""Listing, editing and deleting photos."""

from __future__ import annotations

from pathlib import Path

from PIL import ExifTags, Image

from tests.conftest import make_jpeg


def jpeg_taken(day: int, color: int) -> bytes:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = f"2024:03:{day:02d} 10:00:00"
    return make_jpeg(exif=exif, color=(color, 0, 0))


def test_listing_is_newest_taken_first_with_a_cursor_through_every_page(alice):
    for day in (5, 1, 9, 3, 7):
        alice.upload_one(f"day{day}.jpg", jpeg_taken(day, day * 20))
    seen, cursor = [], None
    while True:
        page = alice.get("/api/photos", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}).json
        seen += [item["filename"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["day9.jpg", "day7.jpg", "day5.jpg", "day3.jpg", "day1.jpg"]


def test_photos_taken_at_the_same_moment_are_all_listed_once(alice):
    for color in range(5):
        alice.upload_one(f"burst{color}.jpg", jpeg_taken(1, color * 30))
    first = alice.get("/api/photos?limit=3").json
    second = alice.get(f"/api/photos?limit=3&cursor={first['next_cursor']}").json
    ids = [p["id"] for p in first["items"] + second["items"]]
    assert len(set(ids)) == 5 and second["next_cursor"] is None


def test_bad_cursor_and_limit_are_clear_errors(alice):
    assert alice.get("/api/photos?cursor=%%%").json["error"]["code"] == "invalid_cursor"
    assert alice.get("/api/photos?limit=0").status_code == 400
    assert alice.get("/api/photos?limit=abc").json["error"]["code"] == "invalid_parameter"


def test_edit_caption_tags_and_note(alice):
    photo = alice.upload_one()
    reply = alice.patch(f"/api/photos/{photo['id']}",
                        json={"caption": " Grandma's birthday cake ", "tags": ["Cake", "cake", "  Family  Party "],
                              "note": "Her 90th"})
    assert reply.status_code == 200
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert detail["caption"] == "Grandma's birthday cake" and detail["caption_source"] == "user"
    assert detail["tags"] == ["cake", "family party"] and detail["note"] == "Her 90th"


def test_removing_a_tag_and_adding_another(alice):
    photo = alice.upload_one()
    alice.patch(f"/api/photos/{photo['id']}", json={"tags": ["beach", "sunset"]})
    alice.patch(f"/api/photos/{photo['id']}", json={"tags": ["sunset", "sea"]})
    assert alice.get(f"/api/photos/{photo['id']}").json["tags"] == ["sunset", "sea"]


def test_invalid_edits_are_refused_and_change_nothing(alice):
    photo = alice.upload_one()
    alice.patch(f"/api/photos/{photo['id']}", json={"caption": "kept"})
    for body in ({"tags": "not-a-list"}, {"caption": 42}, {"width": 5}, ["caption"], {"tags": ["x" * 65]}):
        reply = alice.patch(f"/api/photos/{photo['id']}", json=body)
        assert reply.status_code == 400 and reply.json["error"]["message"]
    assert alice.get(f"/api/photos/{photo['id']}").json["caption"] == "kept"


def test_delete_for_good_removes_the_row_and_every_file(app, alice):
    keep = alice.upload_one("keep.jpg", make_jpeg(color=(1, 2, 3)))
    gone = alice.upload_one("gone.jpg", make_jpeg(color=(9, 9, 9)))
    root = Path(app.config["SETTINGS"].DATA_DIR)
    before = {p for p in root.rglob("*") if p.is_file()}
    assert alice.delete(f"/api/photos/{gone['id']}").status_code == 204
    assert alice.post("/api/trash/delete", json={"ids": [gone["id"]]}).json == {"deleted": 1}
    after = {p for p in root.rglob("*") if p.is_file()}
    removed = before - after
    assert len(removed) == 3 and all(gone_file.name.startswith(
        alice.get(f"/api/photos/{keep['id']}").json["sha256"]) is False for gone_file in removed)
    assert alice.get(f"/api/photos/{gone['id']}").status_code == 404
    assert alice.get(f"/api/photos/{keep['id']}/original").status_code == 200


def test_unknown_ids_answer_404_as_json(alice):
    for method, url in (("get", "/api/photos/999"), ("patch", "/api/photos/999"), ("delete", "/api/photos/999"),
                        ("get", "/api/photos/999/original"), ("get", "/api/photos/999/thumbnail")):
        reply = getattr(alice, method)(url, json={} if method == "patch" else None)
        assert reply.status_code == 404 and reply.json["error"]["code"] == "not_found"


def test_missing_thumbnail_is_rendered_again_from_the_original(app, alice):
    photo = alice.upload_one()
    sha = alice.get(f"/api/photos/{photo['id']}").json["sha256"]
    for path in Path(app.config["SETTINGS"].DATA_DIR, "thumbs").rglob(f"{sha}-small.webp"):
        path.unlink()
    assert alice.get(f"/api/photos/{photo['id']}/thumbnail?size=small").status_code == 200
