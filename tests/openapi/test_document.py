"""/api/openapi.json is a valid OpenAPI 3.1 document that lists exactly the API's routes and says what each
answer holds (what the routes really answer is checked in test_contract.py)."""

from __future__ import annotations

from openapi_spec_validator import validate

from tests.openapi.conftest import documented_path
from tests.openapi.document import inline, operations, vague_objects


def api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            routes |= {(documented_path(rule.rule), m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_openapi_is_valid_and_matches_the_routes(app, client):
    reply = client.get("/api/openapi.json")
    assert reply.status_code == 200
    document = reply.json
    validate(document)
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert documented == api_routes(app)


def test_every_json_answer_names_the_fields_of_its_objects():
    vague = [f"{operation} {status}{where}" for operation in operations()
             for status, response in operation.spec["responses"].items()
             for where in vague_objects(inline(response.get("content", {})))]
    assert vague == []


def names_ids(operation) -> bool:
    """An id in its path, or ids in its JSON or form body (a bulk edit, a download)."""
    content = operation.spec.get("requestBody", {}).get("content", {})
    bodies = [content.get(media, {}).get("schema", {}) for media in ("application/json",
                                                                      "application/x-www-form-urlencoded")]
    return bool(operation.path_names()) or any("ids" in body.get("properties", {}) for body in bodies)


def test_every_operation_that_names_ids_documents_404_and_the_others_do_not():
    wrong = [str(op) for op in operations() if names_ids(op) != (404 in op.statuses())]
    assert wrong == []


def test_every_operation_that_needs_a_sign_in_documents_401():
    assert [str(op) for op in operations() if not op.public and 401 not in op.statuses()] == []
