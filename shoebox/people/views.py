"""HTML pages for people: server-rendered shells filled from the JSON API by static/js."""

from __future__ import annotations

from flask import Blueprint, render_template

from shoebox.auth import current_scope, page_login_required
from shoebox.web import db_session, people

bp = Blueprint("people_pages", __name__)


@bp.get("/people")
@page_login_required
def people_page():
    return render_template("people/index.html")


@bp.get("/people/<int:person_id>")
@page_login_required
def person_page(person_id: int):
    person = people().get(db_session(), current_scope(), person_id)
    return render_template("people/person.html", person=person)
