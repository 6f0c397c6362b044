"""The sign-in page's `next` only ever leads to a path on this site, read the way a browser reads it."""

from __future__ import annotations

import html
import re

import pytest

#: Each leads a browser to another host: it drops tab, CR and LF, trims C0 controls and spaces, reads `\` as `/`.
HOSTILE = [
    "//evil.example",
    "///evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    "/\t\t/evil.example/photos",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/\t\\evil.example",
    " //evil.example",
    "\x00//evil.example",
    "\x1f/\\evil.example",
    "//evil.example\x00",
    "https://evil.example/",
    "HTTPS://evil.example",
    "\thttps://evil.example",
    "//user@evil.example",
    "javascript:alert(1)",
    "java\tscript:alert(1)",
    "evil.example",
]


def next_field(client, target: str) -> str:
    page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    match = re.search(r'name="next" value="([^"]*)"', page)
    assert match, page
    return html.unescape(match.group(1))


@pytest.mark.parametrize("target", HOSTILE, ids=repr)
def test_hostile_next_becomes_the_library(client, target):
    assert next_field(client, target) == "/"


@pytest.mark.parametrize("target", ["/photos/12", "/search?q=beach&sort=date", "/people#named", "/a/b%2F/c"])
def test_a_path_on_this_site_is_kept(client, target):
    assert next_field(client, target) == target
