"""Albums through the API: create, rename, describe, cover, order, add and remove photos, delete; each user sees
only their own."""

from __future__ import annotations

import pytest

from tests.albums.conftest import dated_photos, new_album


def ids_of(reply) -> list[int]:
    return [item["id"] for item in reply.json["items"]]


# -- create, rename, describe, delete -----------------------------------------------------------------------
def test_a_new_album_is_empty_with_no_cover(alice):
    album = new_album(alice, "  Summer   2024 ")
    assert (album["name"], album["photo_count"], album["cover_photo_id"], album["cover_url"]) == \
        ("Summer 2024", 0, None, None)
    assert album["order"] == "newest" and album["description"] is None
    assert alice.get(f"/api/albums/{album['id']}").json == album


def test_an_album_can_be_created_with_its_first_photos(alice, three):
    album = new_album(alice, ids=three[:2])
    assert album["photo_count"] == 2
    assert ids_of(alice.get(f"/api/albums/{album['id']}/photos")) == [three[1], three[0]]


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "   "}, {"name": 7}, {"name": "x" * 201},
                                  {"name": "A", "colour": "red"}, {"name": "A", "ids": []}])
def test_an_album_needs_a_name_and_nothing_unknown(alice, body):
    reply = alice.post("/api/albums", json=body)
    assert reply.status_code == 400 and reply.json["error"]["code"]
    assert alice.get("/api/albums").json["items"] == []


def test_rename_and_describe_an_album(alice):
    album = new_album(alice)
    reply = alice.patch(f"/api/albums/{album['id']}", json={"name": "Lisbon", "description": "Trams and tiles"})
    assert reply.status_code == 200
    assert (reply.json["name"], reply.json["description"]) == ("Lisbon", "Trams and tiles")
    assert alice.get("/api/albums").json["items"][0]["name"] == "Lisbon"
    cleared = alice.patch(f"/api/albums/{album['id']}", json={"description": None})
    assert cleared.json["description"] is None


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"order": "sideways"}, {"cover_photo_id": "one"},
                                  {"photo_count": 3}])
def test_an_invalid_edit_is_refused(alice, body):
    album = new_album(alice)
    assert alice.patch(f"/api/albums/{album['id']}", json=body).status_code == 400
    assert alice.get(f"/api/albums/{album['id']}").json["name"] == "Holidays"


def test_deleting_an_album_keeps_its_photos(alice, three):
    album = new_album(alice, ids=three)
    assert alice.delete(f"/api/albums/{album['id']}").status_code == 204
    assert alice.get(f"/api/albums/{album['id']}").status_code == 404
    assert alice.get("/api/albums").json["items"] == []
    assert sorted(ids_of(alice.get("/api/photos"))) == sorted(three)


# -- the albums page: counts and covers ---------------------------------------------------------------------
def test_the_album_list_gives_each_album_its_count_and_cover_newest_first(alice, three):
    first = new_album(alice, "First", ids=three[:1])
    second = new_album(alice, "Second", ids=three)
    items = alice.get("/api/albums").json["items"]
    assert [(a["id"], a["photo_count"], a["cover_photo_id"]) for a in items] == \
        [(second["id"], 3, three[2]), (first["id"], 1, three[0])]
    assert alice.get(items[0]["cover_url"]).mimetype == "image/webp"


def test_listing_albums_takes_the_same_few_queries_for_many_albums(app, alice, three):
    def statements_to_list() -> int:
        from sqlalchemy import event
        engine, seen = app.extensions["db"].engine, []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert alice.get("/api/albums").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return sum(1 for sql in seen if "album" in sql.lower() or "photos" in sql.lower())

    new_album(alice, "One", ids=three)
    with_one = statements_to_list()
    for n in range(12):
        new_album(alice, f"Album {n}", ids=three[n % 3:])
    assert statements_to_list() == with_one <= 2


# -- adding and removing ------------------------------------------------------------------------------------
def test_adding_photos_twice_adds_them_once(alice, three):
    album = new_album(alice)
    first = alice.post(f"/api/albums/{album['id']}/photos", json={"ids": three[:2]})
    again = alice.post(f"/api/albums/{album['id']}/photos", json={"ids": [three[0], three[0], three[2]]})
    assert (first.json["added"], again.json["added"]) == (2, 1)
    assert again.json["album"]["photo_count"] == 3
    assert sorted(ids_of(alice.get(f"/api/albums/{album['id']}/photos"))) == sorted(three)


def test_a_photo_can_be_in_many_albums_and_lists_them(alice, three):
    trip, family = new_album(alice, "Trip", ids=three[:1]), new_album(alice, "Family", ids=three[:2])
    new_album(alice, "Other", ids=three[2:])
    albums = alice.get(f"/api/photos/{three[0]}/albums").json["items"]
    assert [a["id"] for a in albums] == [family["id"], trip["id"]]
    assert [a["photo_count"] for a in albums] == [2, 1]


@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": "1"}, {"ids": [0]}, {"ids": [True]}, {"ids": [1.5]},
                                  {"ids": list(range(1, 5003))}])
def test_adding_needs_a_list_of_photo_ids(alice, three, body):
    album = new_album(alice)
    assert alice.post(f"/api/albums/{album['id']}/photos", json=body).status_code == 400
    assert alice.get(f"/api/albums/{album['id']}").json["photo_count"] == 0


def test_removing_photos_takes_them_out_of_the_album_only(alice, three):
    album = new_album(alice, ids=three)
    reply = alice.delete(f"/api/albums/{album['id']}/photos", json={"ids": [three[0], three[1]]})
    assert reply.status_code == 200 and reply.json["removed"] == 2
    assert reply.json["album"]["photo_count"] == 1
    again = alice.delete(f"/api/albums/{album['id']}/photos", json={"ids": [three[0]]})
    assert again.json["removed"] == 0
    assert sorted(ids_of(alice.get("/api/photos"))) == sorted(three)


def test_deleting_a_photo_takes_it_out_of_its_albums(alice, three):
    album = new_album(alice, ids=three)
    assert alice.delete(f"/api/photos/{three[1]}").status_code == 204
    assert alice.get(f"/api/albums/{album['id']}").json["photo_count"] == 2
    assert three[1] not in ids_of(alice.get(f"/api/albums/{album['id']}/photos"))


# -- order and pages ----------------------------------------------------------------------------------------
def test_an_album_shows_newest_first_unless_told_oldest_first(alice, three):
    album = new_album(alice, ids=three)
    assert ids_of(alice.get(f"/api/albums/{album['id']}/photos")) == three[::-1]
    assert ids_of(alice.get(f"/api/albums/{album['id']}/photos?order=oldest")) == three
    assert alice.patch(f"/api/albums/{album['id']}", json={"order": "oldest"}).json["order"] == "oldest"
    assert ids_of(alice.get(f"/api/albums/{album['id']}/photos")) == three
    assert ids_of(alice.get(f"/api/albums/{album['id']}/photos?order=newest")) == three[::-1]


def test_an_unknown_order_is_refused(alice):
    album = new_album(alice)
    assert alice.get(f"/api/albums/{album['id']}/photos?order=random").status_code == 400


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_an_album_pages_through_every_photo_once_with_the_cursor(alice, order):
    # Two photos share a date: the id keeps the order whole across pages.
    ids = dated_photos(alice, "2020-01-01T00:00:00", "2021-01-01T00:00:00", "2021-01-01T00:00:00",
                       "2022-01-01T00:00:00", "2023-01-01T00:00:00")
    album = new_album(alice, ids=ids)
    alice.upload_one("not-in-album.jpg")
    seen, cursor = [], None
    while True:
        page = alice.get(f"/api/albums/{album['id']}/photos", query_string={"limit": 2, "order": order,
                                                                            **({"cursor": cursor} if cursor else {})})
        assert len(page.json["items"]) <= 2
        seen += ids_of(page)
        cursor = page.json["next_cursor"]
        if not cursor:
            break
    expected = [ids[0], ids[1], ids[2], ids[3], ids[4]] if order == "oldest" else [ids[4], ids[3], ids[2], ids[1],
                                                                                    ids[0]]
    assert seen == expected


def test_a_bad_cursor_is_a_400(alice):
    album = new_album(alice)
    assert alice.get(f"/api/albums/{album['id']}/photos?cursor=nonsense!").status_code == 400


# -- covers -------------------------------------------------------------------------------------------------
def test_the_cover_is_the_newest_photo_until_one_is_chosen(alice, three):
    album = new_album(alice, ids=three)
    assert (album["cover_photo_id"], album["cover_chosen"]) == (three[2], False)
    chosen = alice.patch(f"/api/albums/{album['id']}", json={"cover_photo_id": three[0]}).json
    assert (chosen["cover_photo_id"], chosen["cover_chosen"]) == (three[0], True)
    assert alice.get("/api/albums").json["items"][0]["cover_photo_id"] == three[0]
    back = alice.patch(f"/api/albums/{album['id']}", json={"cover_photo_id": None}).json
    assert (back["cover_photo_id"], back["cover_chosen"]) == (three[2], False)


def test_a_cover_taken_out_of_the_album_falls_back_to_the_newest(alice, three):
    album = new_album(alice, ids=three)
    alice.patch(f"/api/albums/{album['id']}", json={"cover_photo_id": three[0]})
    alice.delete(f"/api/albums/{album['id']}/photos", json={"ids": [three[0]]})
    assert alice.get(f"/api/albums/{album['id']}").json["cover_photo_id"] == three[2]
    alice.post(f"/api/albums/{album['id']}/photos", json={"ids": [three[0]]})  # back in: no longer the cover
    assert alice.get(f"/api/albums/{album['id']}").json["cover_photo_id"] == three[2]


def test_a_deleted_cover_falls_back_to_the_newest(alice, three):
    album = new_album(alice, ids=three)
    alice.patch(f"/api/albums/{album['id']}", json={"cover_photo_id": three[1]})
    alice.delete(f"/api/photos/{three[1]}")
    reply = alice.get("/api/albums").json["items"][0]
    assert (reply["cover_photo_id"], reply["cover_chosen"]) == (three[2], False)


def test_the_cover_must_be_a_photo_in_the_album(alice, three):
    album = new_album(alice, ids=three[:1])
    reply = alice.patch(f"/api/albums/{album['id']}", json={"cover_photo_id": three[2]})
    assert reply.status_code == 400 and reply.json["error"]["code"] == "not_in_album"


# -- one user's albums are nobody else's --------------------------------------------------------------------
ROUTES = [("GET", "/api/albums/{id}", None), ("PATCH", "/api/albums/{id}", {"name": "Mine now"}),
          ("DELETE", "/api/albums/{id}", None), ("GET", "/api/albums/{id}/photos", None),
          ("POST", "/api/albums/{id}/photos", {"ids": "PHOTO"}),
          ("DELETE", "/api/albums/{id}/photos", {"ids": "PHOTO"})]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_another_users_album_is_404_on_every_route(alice, bob, three, method, path, body):
    album = new_album(alice, "Alice only", ids=three)
    mine = bob.upload_one("bob.jpg")["id"]
    json = {**body, "ids": [mine]} if body and body.get("ids") == "PHOTO" else body
    reply = bob.client.open(path.format(id=album["id"]), method=method, headers=bob.headers, json=json)
    assert reply.status_code == 404 and reply.json["error"]["code"] == "not_found"
    assert alice.get(f"/api/albums/{album['id']}").json == {**album, "photo_count": 3}
    assert bob.get("/api/albums").json["items"] == []


def test_adding_another_users_photo_is_404_and_adds_nothing(alice, bob, three):
    album = new_album(alice, ids=three[:1])
    theirs = bob.upload_one("bob.jpg")["id"]
    reply = alice.post(f"/api/albums/{album['id']}/photos", json={"ids": [three[1], theirs]})
    assert reply.status_code == 404
    assert alice.get(f"/api/albums/{album['id']}").json["photo_count"] == 1
    assert alice.post("/api/albums", json={"name": "Sneaky", "ids": [theirs]}).status_code == 404
    assert [a["name"] for a in alice.get("/api/albums").json["items"]] == ["Holidays"]


def test_another_users_photo_cannot_be_a_cover_or_asked_for_its_albums(alice, bob, three):
    album = new_album(alice, ids=three)
    theirs = bob.upload_one("bob.jpg")["id"]
    assert alice.patch(f"/api/albums/{album['id']}", json={"cover_photo_id": theirs}).status_code == 404
    assert alice.get(f"/api/photos/{theirs}/albums").status_code == 404


def test_the_album_filter_finds_only_that_albums_photos_and_no_one_elses(alice, bob, three):
    album = new_album(alice, ids=three[:2])
    assert sorted(ids_of(alice.get(f"/api/search?album={album['id']}"))) == sorted(three[:2])
    assert ids_of(alice.get(f"/api/search?album={album['id']}&to=2020-12-31")) == [three[0]]
    bob.upload_one("bob.jpg")
    assert ids_of(bob.get(f"/api/search?album={album['id']}")) == []
    assert bob.get(f"/api/search?album={album['id']}").json["total"] == 0


@pytest.mark.parametrize("value", ["abc", "0", "-1", "99999999999"])
def test_the_album_filter_needs_an_album_id(alice, value):
    assert alice.get(f"/api/search?album={value}").status_code == 400
