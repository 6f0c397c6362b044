"""One real use of every documented operation, by a signed-in user with a library (tests/openapi/conftest.py).

Each scenario returns the responses whose bodies the contract test checks against the document. Scenarios
that change or delete something do it to an account of their own, so the others see the library unchanged.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from sqlalchemy import select

from shoebox.auth.service import create_reset_token
from shoebox.models import User
from tests.conftest import PASSWORD, Account, make_image, make_jpeg
from tests.openapi.conftest import Library
from tests.people.conftest import other_face_png

Scenario = Callable[[Library], list]
SCENARIOS: dict[str, Scenario] = {}
NEW_PASSWORD = "a brand new secret"


def scenario(operation: str):
    def register(function: Scenario) -> Scenario:
        SCENARIOS[operation] = function
        return function

    return register


def path_values(library: Library) -> dict[str, int]:
    """An existing id for each path parameter, owned by alice."""
    return {"photo_id": library.ids["paris.jpg"], "person_id": library.people["astronaut.png"],
            "invite_id": library.alice.post("/api/admin/invites", json={}).json["id"],
            "album_id": library.album, "share_id": library.share["id"], "token": library.share["token"],
            "key": library.share["key"],
            "face_id": library.alice.get(f"/api/photos/{library.ids['astronaut.png']}").json["faces"][0]["id"]}


def _fresh(library: Library, name: str) -> Account:
    return library.account(f"{name}@example.com")


@scenario("POST /api/auth/register")
def _register(library):
    return [library.app.test_client().post("/api/auth/register",
                                           json={"email": "new@example.com", "password": PASSWORD})]


@scenario("POST /api/auth/login")
def _login(library):
    return [library.app.test_client().post("/api/auth/login",
                                           json={"email": library.alice.email, "password": PASSWORD})]


@scenario("POST /api/auth/refresh")
def _refresh(library):
    token = library.alice.tokens["refresh_token"]
    return [library.app.test_client().post("/api/auth/refresh", headers={"Authorization": f"Bearer {token}"})]


@scenario("POST /api/auth/logout")
def _logout(library):
    user = _fresh(library, "leaving")
    return [user.post("/api/auth/logout", json={"refresh_token": user.tokens["refresh_token"]})]


@scenario("POST /api/auth/password-reset")
def _password_reset(library):
    return [library.app.test_client().post("/api/auth/password-reset", json={"email": library.alice.email})]


@scenario("POST /api/auth/password-reset/confirm")
def _password_reset_confirm(library):
    user = _fresh(library, "forgetful")
    with library.app.app_context(), library.app.extensions["db"].transaction() as session:
        token = create_reset_token(session, session.scalar(select(User).filter_by(email=user.email)), 30)
    return [library.app.test_client().post("/api/auth/password-reset/confirm",
                                           json={"token": token, "password": NEW_PASSWORD})]


@scenario("POST /api/auth/password")
def _change_password(library):
    user = _fresh(library, "careful")
    return [user.post("/api/auth/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})]


@scenario("GET /api/me")
def _me(library):
    return [library.alice.get("/api/me")]


@scenario("DELETE /api/me")
def _delete_me(library):
    user = _fresh(library, "gone")
    user.upload_one()
    return [user.delete("/api/me", json={"password": PASSWORD})]


@scenario("GET /api/photos")
def _photos(library):
    return [library.alice.get("/api/photos?limit=2"), library.alice.get("/api/photos?favourite=true"),
            library.alice.get("/api/photos?to=2100-01-31&tag=nothing")]


@scenario("POST /api/photos")
def _upload(library):
    user = _fresh(library, "uploader")
    user.upload_one("first.jpg", make_jpeg(color=(5, 5, 5)))
    user.delete(f"/api/photos/{user.upload_one('binned.jpg', make_jpeg(color=(250, 5, 5)))['id']}")
    data = {"files": [(io.BytesIO(make_jpeg(color=(5, 5, 5))), "again.jpg"),
                      (io.BytesIO(make_image("PNG", color=(9, 99, 9))), "new.png"),
                      (io.BytesIO(b"hello"), "notes.txt"),
                      (io.BytesIO(make_jpeg(color=(250, 5, 5))), "in-trash.jpg")]}
    data["last_modified"] = ["1562000000000", "0", "1562000000000", "0"]
    data["last_modified_offset"] = ["120", "0", "-300", "0"]
    return [user.post("/api/photos", data=data, content_type="multipart/form-data")]


@scenario("GET /api/photos/{photo_id}")
def _photo(library):
    return [library.alice.get(f"/api/photos/{photo_id}") for photo_id in library.ids.values()]


@scenario("PATCH /api/photos/{photo_id}")
def _edit_photo(library):
    return [library.alice.patch(f"/api/photos/{library.ids['page.png']}",
                                json={"caption": "a printed page", "note": None, "tags": ["text", "paper"],
                                      "taken_at": "2019-07-14T18:30:00+02:00", "location": None,
                                      "favourite": True})]


@scenario("PATCH /api/photos")
def _edit_photos(library):
    user = _fresh(library, "bulk-editor")
    ids = [user.upload_one(f"bulk{n}.jpg", make_jpeg(color=(n, 40, 90)))["id"] for n in (1, 2)]
    return [user.patch("/api/photos", json={"ids": ids, "taken_at": "2020-01-02T03:04:05",
                                            "location": {"latitude": 48.85, "longitude": 2.35}}),
            user.patch("/api/photos", json={"ids": ids, "shift_seconds": 3600}),
            user.patch("/api/photos", json={"ids": ids, "favourite": True, "add_tags": ["trip"],
                                            "remove_tags": ["sky"]})]


@scenario("DELETE /api/photos/{photo_id}")
def _delete_photo(library):
    photo = library.alice.upload_one("short-lived.jpg", make_jpeg(color=(250, 1, 1)))
    return [library.alice.delete(f"/api/photos/{photo['id']}")]


@scenario("GET /api/photos/{photo_id}/original")
def _original(library):
    return [library.alice.get(f"/api/photos/{photo_id}/original") for photo_id in library.ids.values()]


@scenario("GET /api/photos/{photo_id}/thumbnail")
def _thumbnail(library):
    photo_id = library.ids["paris.jpg"]
    return [library.alice.get(f"/api/photos/{photo_id}/thumbnail?size={size}") for size in ("small", "large")]


@scenario("GET /api/photos/{photo_id}/similar")
def _similar(library):
    return [library.alice.get(f"/api/photos/{library.ids['paris.jpg']}/similar?limit=5")]


@scenario("GET /api/search")
def _search(library):
    return [library.alice.get("/api/search?q=tower&limit=1"),
            library.alice.get("/api/search?q=&camera=X-T4&place=Paris&sort=date"),
            library.alice.get("/api/search?q=the&from=2000-01-01&to=2100-01-01&format=jpeg&tag=nothing"),
            library.alice.get(f"/api/search?album={library.album}"),
            library.alice.get("/api/search?q=&favourite=false"),
            library.alice.get("/api/search?bbox=2.2,48.8,2.5,48.9&sort=date")]


@scenario("GET /api/facets")
def _facets(library):
    return [library.alice.get("/api/facets")]


@scenario("GET /api/suggest")
def _suggest(library):
    return [library.alice.get("/api/suggest?field=place&prefix=par&limit=5"),
            library.alice.get("/api/suggest?field=tag&prefix=")]


@scenario("GET /api/duplicates")
def _duplicates(library):
    return [library.alice.get("/api/duplicates?distance=10")]


@scenario("GET /api/people")
def _people(library):
    return [library.alice.get("/api/people"), library.alice.get("/api/people?hidden=true")]


@scenario("GET /api/people/{person_id}")
def _person(library):
    return [library.alice.get(f"/api/people/{library.people['astronaut.png']}")]


@scenario("PATCH /api/people/{person_id}")
def _edit_person(library):
    return [library.alice.patch(f"/api/people/{library.people['astronaut.png']}",
                                json={"name": "Eileen", "hidden": False})]


def _with_faces(library: Library, name: str, count: int) -> tuple[Account, list[int]]:
    """A fresh account with `count` photos of different people; the people's ids."""
    user = _fresh(library, name)
    photos = [user.upload_one(f"face{n}.png", other_face_png(n + 2)) for n in range(count)]
    return user, [user.get(f"/api/photos/{p['id']}").json["faces"][0]["person_id"] for p in photos]


@scenario("DELETE /api/people/{person_id}")
def _delete_person(library):
    user, (person,) = _with_faces(library, "forgets", 1)
    return [user.delete(f"/api/people/{person}")]


@scenario("POST /api/people/{person_id}/merge")
def _merge(library):
    user, (first, second) = _with_faces(library, "merges", 2)
    return [user.post(f"/api/people/{first}/merge", json={"into": second})]


@scenario("GET /api/people/{person_id}/crop")
def _crop(library):
    crop_url = library.alice.get(f"/api/people/{library.people['stranger.png']}").json["crop_url"]
    return [library.alice.get(crop_url)]


@scenario("PATCH /api/faces/{face_id}")
def _move_face(library):
    face = path_values(library)["face_id"]
    return [library.alice.patch(f"/api/faces/{face}", json={"person_id": library.people["astronaut.png"]})]


@scenario("GET /api/places")
def _places(library):
    return [library.alice.get("/api/places")]


def _with_a_failed_photo(library: Library, name: str) -> Account:
    """A fresh account with one photo whose analysis failed (its original went bad on disk)."""
    user = _fresh(library, name)
    photo = user.get(f"/api/photos/{user.upload_one()['id']}").json
    storage = library.app.extensions["library"].storage
    storage.original_path(user.get("/api/me").json["id"], photo["sha256"]).write_bytes(b"not a picture any more")
    result = library.app.test_cli_runner().invoke(args=["shoebox", "reindex", "--only", "all", "--user", user.email])
    assert result.exit_code == 0, result.output
    return user


@scenario("GET /api/jobs")
def _jobs(library):
    return [library.alice.get("/api/jobs"), _with_a_failed_photo(library, "failing").get("/api/jobs")]


@scenario("POST /api/jobs/retry")
def _retry(library):
    return [_with_a_failed_photo(library, "retrying").post("/api/jobs/retry")]


@scenario("GET /api/openapi.json")
def _openapi(library):
    return [library.app.test_client().get("/api/openapi.json")]


@scenario("POST /api/auth/logout-all")
def _logout_all(library):
    return [_fresh(library, "everywhere").post("/api/auth/logout-all")]


@scenario("GET /api/admin/invites")
def _invites(library):
    library.alice.post("/api/admin/invites", json={"days": 3})
    return [library.alice.get("/api/admin/invites")]


@scenario("POST /api/admin/invites")
def _create_invite(library):
    return [library.alice.post("/api/admin/invites", json={"days": 3}), library.alice.post("/api/admin/invites",
                                                                                          json={})]


@scenario("DELETE /api/admin/invites/{invite_id}")
def _revoke_invite(library):
    invite = library.alice.post("/api/admin/invites", json={}).json
    return [library.alice.delete(f"/api/admin/invites/{invite['id']}")]


@scenario("POST /api/admin/users")
def _create_user(library):
    return [library.alice.post("/api/admin/users", json={"email": "made-by-admin@example.com", "password": PASSWORD})]


def _with_an_album(library: Library, name: str) -> tuple[Account, dict, list[int]]:
    """A fresh account with two photos, the first in an album: the album, the photos' ids."""
    user = _fresh(library, name)
    ids = [user.upload_one(f"{name}{n}.jpg", make_jpeg(color=(n, 120, 30)))["id"] for n in (1, 2)]
    return user, user.post("/api/albums", json={"name": "Trip", "ids": ids[:1]}).json, ids


@scenario("GET /api/albums")
def _albums(library):
    return [library.alice.get("/api/albums")]


@scenario("POST /api/albums")
def _create_album(library):
    user = _fresh(library, "album-maker")
    photo = user.upload_one("first-album.jpg", make_jpeg(color=(3, 33, 99)))
    return [user.post("/api/albums", json={"name": "Empty"}),
            user.post("/api/albums", json={"name": "Summer", "description": "By the sea", "ids": [photo["id"]]})]


@scenario("GET /api/albums/{album_id}")
def _album(library):
    return [library.alice.get(f"/api/albums/{library.album}")]


@scenario("PATCH /api/albums/{album_id}")
def _edit_album(library):
    user, album, ids = _with_an_album(library, "album-editor")
    return [user.patch(f"/api/albums/{album['id']}", json={"name": "Lisbon", "description": None,
                                                           "cover_photo_id": ids[0], "order": "oldest"})]


@scenario("DELETE /api/albums/{album_id}")
def _delete_album(library):
    user, album, _ids = _with_an_album(library, "album-deleter")
    return [user.delete(f"/api/albums/{album['id']}")]


@scenario("GET /api/albums/{album_id}/photos")
def _album_photos(library):
    return [library.alice.get(f"/api/albums/{library.album}/photos?limit=1"),
            library.alice.get(f"/api/albums/{library.album}/photos?order=oldest")]


@scenario("POST /api/albums/{album_id}/photos")
def _add_to_album(library):
    user, album, ids = _with_an_album(library, "album-adder")
    return [user.post(f"/api/albums/{album['id']}/photos", json={"ids": ids})]


@scenario("DELETE /api/albums/{album_id}/photos")
def _remove_from_album(library):
    user, album, ids = _with_an_album(library, "album-remover")
    return [user.delete(f"/api/albums/{album['id']}/photos", json={"ids": ids})]


@scenario("GET /api/photos/{photo_id}/albums")
def _photo_albums(library):
    return [library.alice.get(f"/api/photos/{library.ids['paris.jpg']}/albums")]


def _trashed(library: Library, name: str, count: int) -> tuple[Account, list[int]]:
    """A fresh account with `count` photos, all moved to Trash."""
    user = _fresh(library, name)
    ids = [user.upload_one(f"{name}{n}.jpg", make_jpeg(color=(n * 60, 120, 30)))["id"] for n in range(count)]
    user.post("/api/trash", json={"ids": ids})
    return user, ids


@scenario("GET /api/trash")
def _trash(library):
    user, _ids = _trashed(library, "trash-lister", 2)
    return [user.get("/api/trash?limit=1"), user.get("/api/trash")]


@scenario("POST /api/trash")
def _move_to_trash(library):
    user = _fresh(library, "trash-mover")
    ids = [user.upload_one(f"m{n}.jpg", make_jpeg(color=(n * 60, 20, 220)))["id"] for n in range(2)]
    return [user.post("/api/trash", json={"ids": ids})]


@scenario("DELETE /api/trash")
def _empty_trash(library):
    user, _ids = _trashed(library, "trash-emptier", 2)
    return [user.delete("/api/trash")]


@scenario("POST /api/trash/restore")
def _restore(library):
    user, ids = _trashed(library, "restorer", 3)
    return [user.post("/api/trash/restore", json={"ids": ids[:1]}), user.post("/api/trash/restore", json={"all": True})]


@scenario("POST /api/trash/delete")
def _delete_for_good(library):
    user, ids = _trashed(library, "purger", 2)
    return [user.post("/api/trash/delete", json={"ids": ids})]


@scenario("GET /api/trash/{photo_id}/thumbnail")
def _trash_thumbnail(library):
    user, ids = _trashed(library, "trash-viewer", 1)
    return [user.get(f"/api/trash/{ids[0]}/thumbnail?size={size}") for size in ("small", "large")]
# -- share links --------------------------------------------------------------------------------------------------


def _with_a_link(library: Library, name: str, **options) -> tuple[Account, dict, str]:
    """A fresh account with a photo and a link to it: the link and its token."""
    user = _fresh(library, name)
    photo = user.upload_one(f"{name}.jpg", make_jpeg(color=(len(name), 60, 160)))
    share = user.post("/api/shares", json={"ids": [photo["id"]], **options}).json
    return user, share, share["url"].rsplit("/", 1)[1]


@scenario("GET /api/shares")
def _shares(library):
    return [library.alice.get("/api/shares")]


@scenario("POST /api/shares")
def _create_share(library):
    user, _share, _token = _with_a_link(library, "link-maker")
    album = user.post("/api/albums", json={"name": "Trip"}).json
    return [user.post("/api/shares", json={"album_id": album["id"], "title": None,
                                           "expires_at": "2999-01-01T00:00:00Z", "password": "open sesame",
                                           "allow_download": False, "show_location": True, "show_people": True}),
            user.post("/api/shares", json={"ids": [user.get("/api/photos").json["items"][0]["id"]],
                                           "title": "For grandma"})]


@scenario("GET /api/shares/{share_id}")
def _share(library):
    return [library.alice.get(f"/api/shares/{library.share['id']}")]


@scenario("PATCH /api/shares/{share_id}")
def _edit_share(library):
    user, share, _token = _with_a_link(library, "link-editor")
    return [user.patch(f"/api/shares/{share['id']}", json={
        "title": "Renamed", "expires_at": "2999-01-01T00:00:00+02:00", "password": "open sesame",
        "allow_download": False, "show_location": True, "show_people": False})]


@scenario("DELETE /api/shares/{share_id}")
def _revoke_share(library):
    user, share, _token = _with_a_link(library, "link-revoker")
    return [user.delete(f"/api/shares/{share['id']}")]


@scenario("GET /api/shared/{token}")
def _shared_link(library):
    return [library.app.test_client().get(f"/api/shared/{library.share['token']}")]


@scenario("POST /api/shared/{token}/unlock")
def _unlock(library):
    _user, _share, token = _with_a_link(library, "link-locker", password="open sesame")
    return [library.app.test_client().post(f"/api/shared/{token}/unlock", json={"password": "open sesame"})]


@scenario("GET /api/shared/{token}/photos")
def _shared_photos(library):
    client, token = library.app.test_client(), library.share["token"]
    first = client.get(f"/api/shared/{token}/photos?limit=1")
    _user, _share, hidden = _with_a_link(library, "link-hider", allow_download=False)
    return [first, client.get(f"/api/shared/{token}/photos?cursor={first.json['next_cursor']}"),
            client.get(f"/api/shared/{hidden}/photos")]


@scenario("GET /api/shared/{token}/photos/{key}/thumbnail")
def _shared_thumbnail(library):
    client, share = library.app.test_client(), library.share
    url = f"/api/shared/{share['token']}/photos/{share['key']}/thumbnail"
    return [client.get(f"{url}?size={size}") for size in ("small", "large")] + [client.get(f"{url}?v=x")]


@scenario("GET /api/shared/{token}/photos/{key}/original")
def _shared_original(library):
    client, share = library.app.test_client(), library.share
    return [client.get(f"/api/shared/{share['token']}/photos/{share['key']}/original?v=x")]
@scenario("GET /api/places/points")
def _map_points(library):
    return [library.alice.get("/api/places/points"), library.alice.get("/api/places/points?bbox=2,48,3,49&limit=1")]


def _with_a_photo_taken_on(library: Library, name: str, taken_at: str) -> Account:
    """A fresh account with one photo taken at `taken_at`."""
    user = _fresh(library, name)
    photo = user.upload_one(f"{name}.jpg", make_jpeg(color=(77, 7, 177)))
    user.patch(f"/api/photos/{photo['id']}", json={"taken_at": taken_at})
    return user


@scenario("GET /api/memories/on-this-day")
def _on_this_day(library):
    user = _with_a_photo_taken_on(library, "remembers", "2020-07-14T10:00:00")
    return [user.get("/api/memories/on-this-day?date=2024-07-14&limit=5"), library.alice.get(
        "/api/memories/on-this-day")]


@scenario("POST /api/memories/year-in-review")
def _year_in_review(library):
    user = _with_a_photo_taken_on(library, "reviews", "2021-03-03T10:00:00")
    return [user.post("/api/memories/year-in-review", json={"year": 2021, "size": 10})]






@scenario("POST /api/photos/download")
def _download(library):
    ids = f"{library.ids['paris.jpg']},{library.ids['page.png']}"
    return [library.alice.post("/api/photos/download", data={"ids": ids})]


@scenario("GET /api/places/lookup")
def _lookup_place(library):
    return [library.alice.get("/api/places/lookup?q=par&limit=3"), library.alice.get("/api/places/lookup?q=zzzz")]
@scenario("GET /api/timeline")
def _timeline(library):
    return [library.alice.get("/api/timeline"), library.alice.get("/api/timeline?from=2000-01-01&camera=X-T4")]


@scenario("GET /api/photos/{photo_id}/full")
def _full(library):
    """The original of a JPEG; a full-size WebP rendition of a TIFF, which browsers cannot show."""
    user = _fresh(library, "full")
    tiff = user.upload_one("scan.tif", make_image("TIFF", size=(300, 200)))
    return [library.alice.get(f"/api/photos/{library.ids['paris.jpg']}/full"),
            user.get(f"/api/photos/{tiff['id']}/full?v={tiff['version']}")]


def _motion_photo(library: Library, name: str) -> tuple[Account, dict]:
    """A fresh account with one Motion Photo (a JPEG with its MP4 inside)."""
    from tests.media.live_samples import motion_photo
    user = _fresh(library, name)
    return user, user.upload_one("PXL_20240501.MP.jpg", motion_photo("container")[0])


@scenario("GET /api/photos/{photo_id}/motion")
def _motion(library):
    user, photo = _motion_photo(library, "live-viewer")
    return [user.get(photo["motion_url"]), user.get(f"{photo['motion_url']}&download=1")]


@scenario("GET /api/shared/{token}/photos/{key}/motion")
def _shared_motion(library):
    user, photo = _motion_photo(library, "live-sharer")
    token = user.post("/api/shares", json={"ids": [photo["id"]]}).json["url"].rsplit("/", 1)[1]
    shared = library.app.test_client().get(f"/api/shared/{token}/photos").json["items"][0]
    return [library.app.test_client().get(shared["motion_url"])]
def _clip(library, name: str) -> tuple[Account, dict]:
    """A fresh account with one MP4 clip (H.264/AAC: browsers play the original)."""
    from tests.video.clips import make_clip

    user = _fresh(library, name)
    return user, user.upload_one(f"{name}.mp4", make_clip("mp4", seconds=1))


@scenario("GET /api/photos/{photo_id}/video")
def _video(library):
    """The whole clip (its ranges, 206 and 416, are tests/video/test_playback.py's)."""
    user, clip = _clip(library, "films")
    url = f"/api/photos/{clip['id']}/video"
    return [user.get(f"{url}?v={clip['version']}"), user.get(url)]


@scenario("GET /api/shared/{token}/photos/{key}/video")
def _shared_video(library):
    user, clip = _clip(library, "shares-films")
    token = user.post("/api/shares", json={"ids": [clip["id"]]}).json["url"].rsplit("/", 1)[1]
    client = library.app.test_client()
    item = client.get(f"/api/shared/{token}/photos").json["items"][0]
    return [client.get(item["video_url"])]
