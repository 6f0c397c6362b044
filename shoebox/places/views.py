"""The Places page: a server-rendered shell filled from the JSON API by static/js."""

from __future__ import annotations

from flask import Blueprint, render_template

from shoebox.auth import page_login_required

bp = Blueprint("places_pages", __name__)


@bp.get("/places")
@page_login_required
def places_page():
    return render_template("people/places.html")
