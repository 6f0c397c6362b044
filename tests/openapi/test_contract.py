"""What every documented operation really answers, and what it really reads, is what the document says:
each is used for real (tests/openapi/scenarios.py) and its answers validated against the documented schema,
with no field left undescribed; its documented errors are caused and checked too."""

from __future__ import annotations

import re

import pytest

from tests.openapi.conftest import Library
from tests.openapi.document import Operation, operations
from tests.openapi.scenarios import SCENARIOS, path_values

pytestmark = pytest.mark.slow  # a library analysed by the offline models

OPERATIONS = operations()
UNKNOWN_ID = 987654
#: A body each operation with an id in its path accepts, so that an unknown id is the only thing wrong.
BODIES = {"PATCH /api/photos/{photo_id}": {"caption": "x"}, "PATCH /api/people/{person_id}": {"name": "x"},
          "POST /api/people/{person_id}/merge": {"into": 1}, "PATCH /api/faces/{face_id}": {"person_id": None},
          "PATCH /api/albums/{album_id}": {"name": "x"}, "POST /api/albums/{album_id}/photos": {"ids": [1]},
          "DELETE /api/albums/{album_id}/photos": {"ids": [1]}, "PATCH /api/shares/{share_id}": {"title": "x"},
          "POST /api/shared/{token}/unlock": {"password": "x"}}
#: An invalid value for each kind of query parameter.
INVALID = {"integer": "not-a-number", "boolean": None, "string": None}


@pytest.fixture(scope="module")
def answers(library: Library):
    """Each operation's scenario, run once: its replies."""
    cache: dict[str, list] = {}

    def replies(operation: Operation) -> list:
        if str(operation) not in cache:
            cache[str(operation)] = SCENARIOS[str(operation)](library)
        return cache[str(operation)]

    return replies


def problems(operation: Operation, reply, status: int) -> list[str]:
    """How `reply` differs from what the document says `operation` answers with `status`."""
    if reply.status_code != status:
        return [f"answered {reply.status_code}, not {status}: {reply.get_data(as_text=True)[:300]}"]
    if status not in operation.statuses():
        return [f"{status} is not documented"]
    content = operation.content(status)
    if not content:
        return [] if reply.data == b"" else ["a body where the document promises none"]
    media = next((m for m in content if re.fullmatch(m.replace("*", ".+"), reply.mimetype)), None)
    if media is None:
        return [f"{reply.mimetype} is not one of the documented {sorted(content)}"]
    if media != "application/json":
        return []
    return [f"/{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in operation.validator(status).iter_errors(reply.json)]


def test_every_documented_operation_has_a_scenario():
    assert sorted(SCENARIOS) == sorted(str(op) for op in OPERATIONS)


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_answers_match_the_documented_schema(answers, operation):
    found = [problem for reply in answers(operation) for problem in problems(operation, reply, operation.success())]
    assert found == []


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_the_route_reads_exactly_the_documented_query_parameters(library, answers, operation):
    answers(operation)
    assert library.reads.of(operation.method, operation.path).args == set(operation.parameters("query"))


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_the_route_reads_exactly_the_documented_body_fields(library, answers, operation):
    answers(operation)
    assert library.reads.of(operation.method, operation.path).fields == operation.body_fields()


def _url(operation: Operation, values: dict[str, int], query: str = "") -> str:
    return re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), operation.path) + query


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if not op.public], ids=str)
def test_signed_out_requests_get_the_documented_401(library, operation):
    reply = library.app.test_client().open(_url(operation, path_values(library)), method=operation.method)
    assert problems(operation, reply, 401) == []


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op.path_names()], ids=str)
def test_unknown_ids_get_the_documented_404(library, operation):
    url = _url(operation, dict.fromkeys(operation.path_names(), UNKNOWN_ID))
    reply = library.alice.client.open(url, method=operation.method, headers=library.alice.headers,
                                      json=BODIES.get(str(operation)))
    assert problems(operation, reply, 404) == []


def bad_request(library: Library, operation: Operation):
    """A request `operation` must refuse with 400 (a JSON body that is no object, no files, an invalid query
    parameter), or None when it takes nothing that could be invalid."""
    url = _url(operation, path_values(library))
    send = library.alice.client.open
    headers = {} if operation.public else library.alice.headers
    body = operation.spec.get("requestBody", {"required": False})
    content = body.get("content", {}) if body["required"] else {}
    if "application/json" in content:
        return send(url, method=operation.method, headers=headers, json=[])
    if "multipart/form-data" in content:
        return send(url, method=operation.method, headers=headers, data={}, content_type="multipart/form-data")
    if "application/x-www-form-urlencoded" in content:
        return send(url, method=operation.method, headers=headers, data={})
    for name, parameter in operation.parameters("query").items():
        schema = parameter["schema"]
        invalid = "not-a-date" if schema.get("format") == "date" else (
            "no-such-value" if "enum" in schema or "pattern" in schema else INVALID[schema["type"]])
        if invalid is not None:
            return send(url + f"?{name}={invalid}", method=operation.method, headers=headers)
    return None


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_invalid_input_gets_the_documented_400_and_only_where_documented(library, operation):
    reply = bad_request(library, operation)
    if reply is None:
        assert 400 not in operation.statuses(), "documents a 400 that no request can cause"
    else:
        assert problems(operation, reply, 400) == []
