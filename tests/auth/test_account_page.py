"""The Account page and what it shows: who is signed in, photo count and storage, sign-out on every device; and
the navigation that names every page in words."""

from __future__ import annotations

import re

from tests.conftest import make_jpeg

PAGES = {"Library": "/", "People": "/people", "Places": "/places", "Albums": "/albums",
         "Favourites": "/favourites", "Trash": "/trash", "Jobs": "/jobs", "Account": "/account"}


def _signed_in_page(account, path: str) -> str:
    client = account.client
    client.post("/api/auth/login", json={"email": account.email, "password": "correct horse battery"})
    reply = client.get(path)
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def test_me_counts_the_photos_and_the_bytes_of_their_originals(alice):
    sizes = [alice.get(f"/api/photos/{alice.upload_one(f'{n}.jpg', make_jpeg(color=(n, 90, 9)))['id']}")
             .json["file_size"] for n in (1, 2)]
    me = alice.get("/api/me").json
    assert (me["photo_count"], me["storage_bytes"]) == (2, sum(sizes))


def test_me_counts_only_the_users_own_photos(alice, bob):
    alice.upload_one()
    assert (bob.get("/api/me").json["photo_count"], bob.get("/api/me").json["storage_bytes"]) == (0, 0)


def test_signing_out_everywhere_stops_every_token_of_the_account(app, alice):
    laptop = app.test_client().post("/api/auth/login", json={"email": alice.email,
                                                            "password": "correct horse battery"}).json
    reply = alice.post("/api/auth/logout-all")
    assert reply.status_code == 200
    assert any(c.startswith("access_token_cookie=;") for c in reply.headers.getlist("Set-Cookie"))
    client = app.test_client()
    for tokens in (alice.tokens, laptop):
        assert client.get("/api/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 401
        refreshed = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
        assert refreshed.status_code == 401
    assert client.post("/api/auth/login", json={"email": alice.email,
                                                "password": "correct horse battery"}).status_code == 200


def test_signing_out_everywhere_leaves_other_accounts_signed_in(alice, bob):
    alice.post("/api/auth/logout-all")
    assert bob.get("/api/me").status_code == 200


def test_the_account_page_needs_a_sign_in(client):
    reply = client.get("/account")
    assert reply.status_code == 302 and "/login?next=/account" in reply.headers["Location"]


def test_the_account_page_has_its_heading_and_deletes_through_its_own_dialog(alice):
    html = _signed_in_page(alice, "/account")
    assert re.search(r"<h1[^>]*>Account</h1>", html)
    assert "data-delete-account-dialog" in html and 'type="password"' in html


def test_the_navigation_names_every_page_in_words(alice):
    html = _signed_in_page(alice, "/jobs")
    row = re.search(r'<nav aria-label="Pages"[^>]*data-site-nav>(.*?)</nav>', html, re.S).group(1)
    links = dict(re.findall(r'<a href="([^"]+)"[^>]*>\s*(?:<svg.*?</svg>)?<span>([^<]+)</span>', row, re.S))
    assert PAGES.items() <= {label: href for href, label in links.items()}.items()
    assert re.search(r'<a href="/jobs" aria-current="page"', row)


def test_the_phone_menu_is_a_labelled_button_with_the_same_pages(alice):
    html = _signed_in_page(alice, "/")
    assert re.search(r"data-menu-toggle[^>]*>.*?<span>Menu</span>", html, re.S)
    menu = re.search(r'<nav id="site-menu"(.*?)</nav>', html, re.S).group(1)
    assert all(f"<span>{label}</span>" in menu for label in [*PAGES, "Sign out"])
