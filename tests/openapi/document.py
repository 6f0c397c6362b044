"""The OpenAPI document as the contract tests read it: its operations, and their schemas made strict."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from shoebox.openapi import spec

DOCUMENT = spec()
METHODS = ("get", "post", "put", "patch", "delete")


def inline(schema: Any) -> Any:
    """`schema` with every `$ref` replaced by what it points at in the document."""
    if isinstance(schema, list):
        return [inline(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        node: Any = DOCUMENT
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        return inline({**node, **{k: v for k, v in schema.items() if k != "$ref"}})
    return {key: inline(value) for key, value in schema.items()}


def closed(schema: Any) -> Any:
    """`schema` (inlined) with every object that lists its properties closed to any other: a field the route
    returns but the document does not describe fails validation."""
    schema = copy.deepcopy(schema)
    for node in _objects(schema):
        if "properties" in node:
            node.setdefault("additionalProperties", False)
    return schema


def vague_objects(schema: Any, where: str = "") -> list[str]:
    """Where `schema` says "an object" without saying which fields it has (or what its values are)."""
    found = []
    for path, node in _walk(schema, where):
        types = node.get("type")
        is_object = types == "object" or (isinstance(types, list) and "object" in types)
        if is_object and "properties" not in node and "additionalProperties" not in node:
            found.append(path or "/")
    return found


def _objects(schema: Any):
    for _path, node in _walk(schema, ""):
        yield node


def _walk(node: Any, path: str):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def spec(self) -> dict:
        return DOCUMENT["paths"][self.path][self.method]

    @property
    def public(self) -> bool:
        return self.spec.get("security") == []

    def parameters(self, where: str) -> dict[str, dict]:
        return {p["name"]: p for p in self.spec.get("parameters", []) if p["in"] == where}

    def path_names(self) -> set[str]:
        return set(re.findall(r"{(\w+)}", self.path))

    def statuses(self) -> set[int]:
        return {int(status) for status in self.spec["responses"]}

    def success(self) -> int:
        (status,) = [s for s in self.statuses() if 200 <= s < 300]
        return status

    def content(self, status: int) -> dict[str, dict]:
        """The documented media types of a response, each with its schema (inlined)."""
        return inline(self.spec["responses"][str(status)].get("content", {}))

    def body_schema(self) -> dict | None:
        """The JSON request body's schema (inlined), if the operation takes one."""
        content = self.spec.get("requestBody", {}).get("content", {})
        return inline(content["application/json"]["schema"]) if "application/json" in content else None

    def body_fields(self) -> set[str]:
        schema = self.body_schema()
        return set(schema.get("properties", {})) if schema else set()

    def validator(self, status: int, media_type: str = "application/json") -> Draft202012Validator:
        return Draft202012Validator(closed(self.content(status)[media_type]["schema"]))


def operations() -> list[Operation]:
    return [Operation(method, path) for path, item in DOCUMENT["paths"].items() for method in item
            if method in METHODS]
