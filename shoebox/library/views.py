"""HTML pages of the library. Server-rendered shells; the data comes from the JSON API via static/js."""

from __future__ import annotations

from flask import Blueprint, render_template

from shoebox.auth import current_scope, page_login_required
from shoebox.media.formats import accept_attribute
from shoebox.web import db_session, library, map_tiles

bp = Blueprint("pages", __name__)


@bp.app_context_processor
def upload_types() -> dict[str, str]:
    """Every page's upload input offers the formats the upload API takes (media.formats), no more."""
    return {"upload_accept": accept_attribute()}


@bp.app_context_processor
def trash_days() -> dict[str, int]:
    """How long a deleted photo stays in Trash, for the pages that say so (the delete dialog, the Trash)."""
    return {"trash_days": library().trash.days}


@bp.get("/")
@page_login_required
def library_page():
    return render_template("library/index.html", searching=False)


@bp.get("/search")
@page_login_required
def search_page():
    """The grid again, in search mode: query and filters come from the URL (`?q=&tag=&from=...`)."""
    return render_template("library/index.html", searching=True)


@bp.get("/upload")
@page_login_required
def upload_page():
    return render_template("library/upload.html")


@bp.get("/jobs")
@page_login_required
def jobs_page():
    return render_template("library/jobs.html")


@bp.get("/duplicates")
@page_login_required
def duplicates_page():
    """Groups of near-identical photos, to keep the best copy and delete the rest."""
    return render_template("library/duplicates.html")


@bp.get("/favourites")
@page_login_required
def favourites_page():
    """The photos with a heart, newest taken first."""
    return render_template("library/favourites.html")


@bp.get("/trash")
@page_login_required
def trash_page():
    """Deleted photos waiting TRASH_DAYS: restore them, or delete them for good."""
    return render_template("library/trash.html")


@bp.get("/photos/<int:photo_id>")
@page_login_required
def photo_page(photo_id: int):
    photo = library().get(db_session(), current_scope(), photo_id)
    return render_template("library/photo.html", photo=photo, animated=library().is_animated(photo), tiles=map_tiles())
