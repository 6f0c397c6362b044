"""The Places page: a server-rendered shell (the map's tile server named on it) filled from the JSON API by
static/js."""

from __future__ import annotations

from flask import Blueprint, render_template

from shoebox.auth import page_login_required
from shoebox.web import map_tiles

bp = Blueprint("places_pages", __name__)


@bp.get("/places")
@page_login_required
def places_page():
    return render_template("people/places.html", tiles=map_tiles())
