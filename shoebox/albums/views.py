"""The Albums pages: server-rendered shells filled from the JSON API by static/js."""

from __future__ import annotations

from flask import Blueprint, render_template

from shoebox.albums import service
from shoebox.auth import current_scope, page_login_required
from shoebox.web import db_session

bp = Blueprint("albums_pages", __name__)


@bp.get("/albums")
@page_login_required
def albums_page():
    return render_template("albums/index.html")


@bp.get("/albums/<int:album_id>")
@page_login_required
def album_page(album_id: int):
    return render_template("albums/album.html", album=service.get(db_session(), current_scope(), album_id))
