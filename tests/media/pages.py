"""What a signed-in browser gets from the photo page."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.conftest import PASSWORD


class _PhotoImage(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.src: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "img" and "data-photo-img" in attributes:
            self.src = attributes.get("src")


def shown_on_photo_page(client, account, photo_id: int) -> str | None:
    """The src of the picture the photo page shows, as the browser signed in as `account` gets the page."""
    client.post("/api/auth/login", json={"email": account.email, "password": PASSWORD})
    page = _PhotoImage()
    page.feed(client.get(f"/photos/{photo_id}").get_data(as_text=True))
    return page.src
