"""Numbers no id can be (beyond the 32-bit id columns) and the calendar's last day are no server error: 4xx, or
an answer, never a 500.

PostgreSQL refuses a number beyond 2**31-1 in a query on an INTEGER column, SQLite's driver cannot bind one beyond
64 bits: both were 500s.
"""

from __future__ import annotations

import base64

import pytest
from flask import Flask
from werkzeug.routing.converters import NumberConverter

from shoebox import register_blueprints
from shoebox.models import Face, Person, User

HUGE = [2**31, 2**64, 10**20]
HUGE_IDS = ["2**31", "2**64", "10**20"]
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


def routes_with_ids() -> list[tuple[str, str, tuple[str, ...]]]:
    """(endpoint, method, names of the numeric parts) of every route of the app that takes a number in its path."""
    bare = Flask("shoebox")
    register_blueprints(bare)
    found = []
    for rule in bare.url_map.iter_rules():
        numeric = tuple(name for name, conv in rule._converters.items() if isinstance(conv, NumberConverter))
        found += [(rule.endpoint, method, numeric) for method in sorted(rule.methods & set(METHODS)) if numeric]
    return found


ROUTES = routes_with_ids()


def test_the_app_has_routes_with_ids():
    assert {"api.get_photo", "people.get_person", "people.move_face"} <= {endpoint for endpoint, _, _ in ROUTES}


@pytest.mark.parametrize("number", HUGE, ids=HUGE_IDS)
@pytest.mark.parametrize("endpoint, method, names", ROUTES, ids=[f"{m} {e}" for e, m, _ in ROUTES])
def test_an_id_beyond_the_id_range_in_any_route_is_not_found(app, alice, endpoint, method, names, number):
    with app.test_request_context():
        url = app.url_map.bind("localhost").build(endpoint, dict.fromkeys(names, number), method=method)
    reply = alice._send(method, url, json={})
    assert reply.status_code == 404, (url, reply.status_code, reply.get_data(as_text=True)[:300])


def test_the_largest_id_is_a_plain_not_found(alice):
    reply = alice.get(f"/api/photos/{2**31 - 1}")
    assert reply.status_code == 404 and reply.json["error"]["code"] == "not_found"


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("url", [f"/api/photos?cursor={cursor('2024-05-01T10:00:00|' + str(2**31))}",
                                 f"/api/photos?cursor={cursor('2024-05-01T10:00:00|' + str(10**20))}",
                                 f"/api/search?cursor={cursor('o' + str(10**20))}",
                                 f"/api/search?person={2**31}",
                                 f"/api/search?person={10**20}",
                                 f"/api/photos?limit={10**20}"])
def test_out_of_range_query_parameters_are_a_400(alice, url):
    alice.upload_one()
    reply = alice.get(url)
    assert reply.status_code == 400, reply.get_data(as_text=True)[:300]
    assert reply.json["error"]["code"] in ("invalid_cursor", "invalid_parameter")


@pytest.mark.parametrize("dates", ["to=9999-12-31", "from=0001-01-01&to=9999-12-31"])
def test_the_last_day_of_the_calendar_is_a_valid_upper_bound(alice, dates):
    photo = alice.upload_one()
    reply = alice.get(f"/api/search?{dates}")
    assert reply.status_code == 200 and [item["id"] for item in reply.json["items"]] == [photo["id"]]


def test_a_person_filter_of_digit_like_characters_is_a_name(alice):
    alice.upload_one()
    reply = alice.get("/api/search?person=%C2%B2")  # a superscript two: a digit to str.isdigit, no number to int()
    assert reply.status_code == 200 and reply.json["items"] == []


@pytest.fixture
def someone(app, alice):
    """A person with one face in one of alice's photos (rows written directly: no face model needed)."""
    photo = alice.upload_one()
    session = app.extensions["db"].session()
    user_id = session.query(User.id).filter_by(email=alice.email).scalar()
    person = Person(user_id=user_id, name="Ada", name_source="user", face_count=1)
    session.add(person)
    session.flush()
    face = Face(photo_id=photo["id"], user_id=user_id, person=person, box_left=0.1, box_top=0.1, box_right=0.5,
                box_bottom=0.5, descriptor=bytes(512), score=0.9, model="test")
    session.add(face)
    session.commit()
    ids = person.id, face.id
    app.extensions["db"].session.remove()
    return ids


@pytest.mark.parametrize("number", HUGE, ids=HUGE_IDS)
def test_an_id_beyond_the_id_range_in_a_json_body_is_a_400(alice, someone, number):
    person_id, face_id = someone
    merge = alice.post(f"/api/people/{person_id}/merge", json={"into": number})
    move = alice.patch(f"/api/faces/{face_id}", json={"person_id": number})
    assert (merge.status_code, move.status_code) == (400, 400), (merge.json, move.json)
    assert alice.get(f"/api/people/{person_id}").json["face_count"] == 1
