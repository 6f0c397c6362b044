"""Share links for the tests: made through the owner's API, opened by a client with no account."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import update

from shoebox.models import Photo, Share
from tests.conftest import Account
from tests.people.conftest import gps_jpeg

PARIS = (48.8566, 2.3522)


def make_share(user: Account, **body) -> dict:
    reply = user.post("/api/shares", json=body)
    assert reply.status_code == 201, reply.json
    return reply.json


def token_of(share: dict) -> str:
    return urlsplit(share["url"]).path.removeprefix("/s/")


def public_routes(token: str, key: str) -> dict[str, str]:
    """Every route a share link opens, by name, for one of its photos' keys."""
    base = f"/api/shared/{token}"
    return {"page": f"/s/{token}", "link": base, "photos": f"{base}/photos",
            "thumbnail": f"{base}/photos/{key}/thumbnail", "large": f"{base}/photos/{key}/thumbnail?size=large",
            "original": f"{base}/photos/{key}/original"}


def first_key(client, token: str) -> str:
    return client.get(f"/api/shared/{token}/photos").json["items"][0]["key"]


def set_expiry(app, share: dict, expires_at) -> None:
    """Move a link's expiry anywhere (the API takes only future ones)."""
    with app.extensions["db"].transaction() as session:
        session.execute(update(Share).where(Share.id == share["id"]).values(expires_at=expires_at))


def paris_photo(app, user: Account, name: str = "paris.jpg") -> dict:
    """A photo whose EXIF says it was taken in Paris, with the place the geocoder would give it (off here)."""
    photo = user.upload_one(name, gps_jpeg(*PARIS))
    with app.extensions["db"].transaction() as session:
        row = session.get(Photo, photo["id"])
        row.city, row.region, row.country, row.country_code = "Paris", "Île-de-France", "France", "FR"
    return photo
