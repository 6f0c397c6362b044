"""/api/openapi.json is a valid OpenAPI 3.1 document that lists exactly the API's routes."""

from __future__ import annotations

import re

from openapi_spec_validator import validate


def api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_openapi_is_valid_and_matches_the_routes(app, client):
    reply = client.get("/api/openapi.json")
    assert reply.status_code == 200
    document = reply.json
    validate(document)
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert documented == api_routes(app)
