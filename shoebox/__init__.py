"""Shoebox: a self-hosted personal photo manager. `create_app()` is the one place the app is assembled."""

from __future__ import annotations

import gc
import logging
from datetime import timedelta
from typing import Any

from flask import Flask

from shoebox.config import Settings
from shoebox.db import Database
from shoebox.library.service import Library
from shoebox.library.storage import Storage
from shoebox.media.decoding import limit_pixels
from shoebox.people.service import People
from shoebox.private_files import private_dir, tighten
from shoebox.search.ann import AnnFiles
from shoebox.search.service import Searcher
from shoebox.shares.keys import ShareKeys


def create_app(overrides: dict[str, Any] | None = None, env_file: str | None = ".env") -> Flask:
    """Build the app from Settings (environment, `.env`, then `overrides`, e.g. from a test)."""
    settings = Settings.load(overrides, env_file=env_file)
    logging.basicConfig(level=settings.LOG_LEVEL.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration step is noise at start-up
    app = Flask(__name__)
    configure(app, settings)
    register_extensions(app, settings)
    register_blueprints(app)
    register_commands(app)
    return app


def configure(app: Flask, settings: Settings) -> None:
    # Owner-only (0700): it holds the database, keys, originals and GPS; an older install's folder is tightened.
    tighten(private_dir(settings.data_path))
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret("SECRET_KEY"),
        JWT_SECRET_KEY=settings.secret("JWT_SECRET_KEY"),
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(minutes=settings.ACCESS_TOKEN_MINUTES),
        JWT_REFRESH_TOKEN_EXPIRES=timedelta(days=settings.REFRESH_TOKEN_DAYS),
        JWT_TOKEN_LOCATION=["headers", "cookies"],
        JWT_COOKIE_SECURE=settings.COOKIE_SECURE,
        JWT_COOKIE_SAMESITE="Lax",
        JWT_COOKIE_CSRF_PROTECT=True,
        JWT_CSRF_CHECK_FORM=True,  # a form the browser posts itself (a ZIP download) sends the token as a field
        JWT_REFRESH_COOKIE_PATH="/",  # pages renew an expired access cookie from it
        JWT_SESSION_COOKIE=False,
        # Multipart overhead on top of the per-file limit, for a batch of several files.
        MAX_CONTENT_LENGTH=max(settings.MAX_UPLOAD_MB * 4, settings.MAX_VIDEO_MB + 1) * (1 << 20),
        MAX_FORM_MEMORY_SIZE=1 << 20,
        # The one choice of where rate-limit counts live: shared by every server process (gunicorn workers, hosts),
        # so N workers do not allow N times the attempts: Redis when configured, else a file in DATA_DIR.
        RATELIMIT_STORAGE_URI=settings.REDIS_URL or f"sqlite://{settings.data_path / 'ratelimits.db'}",
        RATELIMIT_HEADERS_ENABLED=True,
        TRUSTED_HOSTS=settings.trusted_hosts,
        **settings.extra,
    )
    limit_pixels(settings.MAX_IMAGE_MEGAPIXELS * 1_000_000)


def register_extensions(app: Flask, settings: Settings) -> None:
    from shoebox import auth, jobs, web
    from shoebox.ai.registry import get_models
    from shoebox.jobs.parts import embed_words

    database = Database(settings.database_url, settings.DB_BUSY_TIMEOUT_S)
    if settings.AUTO_MIGRATE:
        database.upgrade()
    app.extensions["db"] = database
    app.teardown_appcontext(lambda _exc: database.session.remove())
    storage = Storage(settings.data_path)
    queue = jobs.init_app(app, settings, database)
    searcher = Searcher(lambda: get_models(settings).embedder, database.engine.dialect.name,
                        files=AnnFiles(settings.data_path / "vectors"), min_photos=settings.VECTOR_INDEX_MIN_PHOTOS,
                        request_update=queue.enqueue_vector_update)
    app.extensions["searcher"] = searcher
    app.extensions["library"] = Library(
        storage,
        max_bytes=settings.MAX_UPLOAD_MB * (1 << 20),
        max_pixels=settings.MAX_IMAGE_MEGAPIXELS * 1_000_000,
        enqueue=queue.enqueue_analysis,
        forget=searcher.forget,  # a deleted photo leaves the in-memory vector index at once
        embed_words=lambda session, photo: embed_words(session, photo, get_models(settings).embedder),
        trash_days=settings.TRASH_DAYS,
        render_later=queue.enqueue_preview,  # the upload answers first; the worker renders the preview
        max_video_bytes=settings.MAX_VIDEO_MB * (1 << 20),
        render_video=queue.enqueue_rendition,  # a clip browsers cannot play gets its H.264 copy from the worker
    )
    app.extensions["share_keys"] = ShareKeys(app.config["SECRET_KEY"])
    app.extensions["people"] = People(storage, settings.FACE_MIN_COUNT, queue.enqueue_analysis)
    auth.init_app(app)
    web.init_app(app)


def register_blueprints(app: Flask) -> None:
    from shoebox.albums.api import bp as albums_api_bp
    from shoebox.albums.views import bp as albums_pages_bp
    from shoebox.auth.admin import bp as admin_bp
    from shoebox.auth.views import bp as auth_bp
    from shoebox.jobs.views import bp as jobs_bp
    from shoebox.library.api import bp as api_bp
    from shoebox.library.trash_api import bp as trash_bp
    from shoebox.library.views import bp as pages_bp
    from shoebox.memories.api import bp as memories_api_bp
    from shoebox.openapi import bp as openapi_bp
    from shoebox.people.api import bp as people_api_bp
    from shoebox.people.views import bp as people_pages_bp
    from shoebox.places.api import bp as places_api_bp
    from shoebox.places.views import bp as places_pages_bp
    from shoebox.search.api import bp as search_bp
    from shoebox.shares.api import bp as shares_api_bp
    from shoebox.shares.public import bp as shared_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(trash_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(openapi_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(people_api_bp)
    app.register_blueprint(people_pages_bp)
    app.register_blueprint(places_api_bp)
    app.register_blueprint(places_pages_bp)
    app.register_blueprint(albums_api_bp)
    app.register_blueprint(albums_pages_bp)
    app.register_blueprint(shares_api_bp)
    app.register_blueprint(shared_bp)
    app.register_blueprint(memories_api_bp)


def register_commands(app: Flask) -> None:
    from shoebox.cli import shoebox_cli

    app.cli.add_command(shoebox_cli)


def settle_after_warm_up() -> None:
    """Leave what starting made (the app, the loaded models: ~500,000 objects) out of Python's full garbage
    collections from now on: scanning it took 0.4 s each time, stalling whichever request happened to set one off
    (bench/README.md, Load). Called once the models are loaded, in each web worker."""
    gc.freeze()
    logging.getLogger(__name__).info("%d start-up objects left out of garbage collection", gc.get_freeze_count())
