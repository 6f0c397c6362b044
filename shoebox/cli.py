"""`flask shoebox ...`: commands for a headless install."""

from __future__ import annotations

import os
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from shoebox.ai.base import ModelUnavailable
from shoebox.auth import service as accounts
from shoebox.errors import ShoeboxError
from shoebox.jobs.analysis import PARTS, mark_queued, photos_to_reindex
from shoebox.library.service import Prepared
from shoebox.media.formats import accepted_extensions
from shoebox.models import Embedding, Photo, User
from shoebox.people.grouping import recluster_user

shoebox_cli = AppGroup("shoebox", help="Shoebox administration.")


def _db():
    return current_app.extensions["db"]


def _user(session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no account for {email}; create one with `flask shoebox create-user {email}`")
    return user


@shoebox_cli.command("init-db")
def init_db() -> None:
    """Create or migrate the database to the newest schema."""
    _db().upgrade()
    click.echo(f"Database ready: {_db().url}")


@shoebox_cli.command("create-user")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input "
              "(for scripts), instead of asking for it.")
def create_user(email: str, password_stdin: bool) -> None:
    """Create an account, whatever REGISTRATION says; the first one is the admin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _db().transaction() as session:
        try:
            user = accounts.create_account(session, email, password)
        except ShoeboxError as exc:
            raise click.ClickException(exc.message) from exc
        role = ", the admin" if user.is_admin else ""
        click.echo(f"Created user {user.email} (id {user.id}{role}).")


@shoebox_cli.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--user", "email", required=True, help="Email of the account that gets the photos.")
@click.option("--jobs", "workers", type=int, default=os.cpu_count() or 1, show_default=True,
              help="Photos and videos read and thumbnailed in parallel.")
def import_folder(directory: Path, email: str, workers: int) -> None:
    """Import every photo and video under DIRECTORY (recursively); duplicates and other files are skipped."""
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    extensions = accepted_extensions()
    images = [p for p in files if p.suffix.lower() in extensions]
    counts: Counter[str] = Counter(skipped=len(files) - len(images))
    failures: list[str] = []
    library = current_app.extensions["library"]
    with _db().transaction() as session:
        user_id = _user(session, email).id
        known = library.known_hashes(session, user_id)
        with click.progressbar(length=len(images), label="Importing", show_pos=True) as bar:
            for path, outcome in library.prepare_files(images, known, workers):
                if isinstance(outcome, Prepared):
                    outcome = _store(library, session, user_id, path, outcome)
                counts[outcome if outcome in ("imported", "duplicates") else "failed"] += 1
                if outcome not in ("imported", "duplicates"):
                    failures.append(f"  {path}: {outcome}")
                bar.update(1)
    click.echo(f"Imported {counts['imported']}, duplicates {counts['duplicates']}, failed {counts['failed']}, "
               f"skipped (not photos or videos) {counts['skipped']}.")
    if failures:
        click.echo("Failed:\n" + "\n".join(failures))


def _store(library, session, user_id: int, path: Path, prepared: Prepared) -> str:
    try:
        mtime = datetime.fromtimestamp(path.stat().st_mtime).astimezone()  # local time, with its UTC offset
        result = library.store(session, user_id, prepared, file_mtime=mtime)
    except ShoeboxError as exc:
        return exc.message
    finally:
        prepared.discard()
    return "duplicates" if result.duplicate else "imported"


@shoebox_cli.command("worker")
@click.option("--threads", type=int, default=None, help="Worker threads (default: WORKER_THREADS).")
def worker(threads: int | None) -> None:
    """Run a dedicated job worker (any number of machines sharing the database and data directory)."""
    from shoebox.maintenance import startup_check

    queue = current_app.extensions["queue"]
    count = threads or current_app.config["SETTINGS"].WORKER_THREADS
    startup_check(current_app)
    click.echo(f"Shoebox worker: {count} thread(s) on {'Redis' if queue.settings.REDIS_URL else 'SQLite'} queue")
    queue.run_consumer(count)


@shoebox_cli.command("reindex")
@click.option("--only", type=click.Choice(["missing", "all", "faces", "places", "text", "vectors"]), default="missing",
              show_default=True,
              help="missing: photos not analysed yet (or failed, waiting, or embedded by another model); "
                   "all: every photo; faces, places or text: that part only, for every photo; vectors: build the "
                   "saved meaning-search indexes anew from the stored embeddings (no photo is analysed).")
@click.option("--user", "email", default=None, help="Only this account's photos.")
@click.option("--queue/--now", "use_queue", default=False,
              help="Hand the work to the workers instead of doing it here with a progress bar.")
def reindex(only: str, email: str | None, use_queue: bool) -> None:
    """Analyse photos again: fills in what a model could not do before, or redoes everything."""
    queue = current_app.extensions["queue"]
    if only == "vectors":
        _reindex_vectors(queue, use_queue)
        return
    with _db().transaction() as session:
        user_id = _user(session, email).id if email else None
        ids = photos_to_reindex(session, only, user_id, queue.analyzer.models())
        mark_queued(session, ids)
    parts = [only] if only in PARTS else ["all"]
    if use_queue:
        queue.enqueue_analysis(ids, parts)
        click.echo(f"Queued {len(ids)} photos.")
        return
    size = max(1, queue.settings.ANALYSIS_BATCH_SIZE)
    with click.progressbar(length=len(ids), label="Analysing", show_pos=True) as bar:
        for start in range(0, len(ids), size):
            queue.analyzer.run_task(ids[start:start + size], parts)
            bar.update(len(ids[start:start + size]))
    click.echo(f"Analysed {len(ids)} photos.")


def _reindex_vectors(queue, use_queue: bool) -> None:
    """Build the saved HNSW index of every embedding kind and model anew (SQLite installs; pgvector keeps its own)."""
    if _db().engine.dialect.name != "sqlite":
        click.echo("PostgreSQL keeps its vector indexes itself (pgvector): nothing to build.")
        return
    with _db().make_session() as session:
        pairs = session.execute(select(Embedding.kind, Embedding.model).distinct()).all()
    for kind, model in pairs:
        if use_queue:
            queue.enqueue_vector_update(kind, model, rebuild=True)
            continue
        click.echo(f"Indexing {kind} embeddings of {model} ...")
        generation = queue.update_vectors(kind, model, rebuild=True, wait=True)
        click.echo(f"  saved {generation.path}" if generation else "  nothing to index")
    click.echo(f"{'Queued' if use_queue else 'Built'} {len(pairs)} vector index(es).")


@shoebox_cli.command("reread-metadata")
@click.option("--user", "email", default=None, help="Only this account's photos.")
def reread_metadata(email: str | None) -> None:
    """Read every photo's metadata again from its original (dates, camera, GPS), as a newer Shoebox reads it;
    a date or location the user set stays."""
    library = current_app.extensions["library"]
    with _db().transaction() as session:
        query = select(Photo.id).order_by(Photo.id)
        if email:
            query = query.where(Photo.user_id == _user(session, email).id)
        ids = list(session.scalars(query))
        read, unreadable = library.reread_metadata(session, ids)
    click.echo(f"Read the metadata of {read} photos again" + (f"; {unreadable} originals are missing or "
                                                               f"unreadable (see `flask shoebox check`)." if unreadable
                                                               else "."))


@shoebox_cli.command("migrate-data")
@click.option("--to", "target", required=True, help="SQLAlchemy URL of an empty database, e.g. "
              "postgresql+psycopg://shoebox:PASSWORD@db/shoebox (its schema is created first).")
@click.option("--batch", type=int, default=1000, show_default=True, help="Rows per insert.")
def migrate_data(target: str, batch: int) -> None:
    """Copy this install's database into another (stop the app and workers first), then verify it."""
    from shoebox.migrate import MigrationError, copy_all

    try:
        reports = copy_all(_db().engine, target, batch,
                           progress=lambda name, rows: click.echo(f"  copied {rows:>8} rows of {name}"))
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{'table':<16} {'source':>8} {'target':>8}  checksum")
    for r in reports:
        click.echo(f"{r.name:<16} {r.source_rows:>8} {r.target_rows:>8}  "
                   f"{r.target_checksum[:12] + ' ok' if r.ok else 'MISMATCH'}")
    if not all(r.ok for r in reports):
        raise click.ClickException("verification failed: the target differs from the source (see above)")
    click.echo(f"Copied {sum(r.target_rows for r in reports)} rows in {len(reports)} tables; every count and "
               f"checksum matches. Point DATABASE_URL at the new database.")


@shoebox_cli.command("recluster")
@click.option("--user", "email", default=None, help="Only this account's faces (default: every account).")
def recluster(email: str | None) -> None:
    """Group all faces into people again (after FACE_MATCH_THRESHOLD changed); names are kept where possible."""
    threshold = current_app.config["SETTINGS"].FACE_MATCH_THRESHOLD
    with _db().transaction() as session:
        user_ids = [_user(session, email).id] if email else list(session.scalars(select(User.id).order_by(User.id)))
    for user_id in user_ids:
        with _db().transaction() as session:
            try:
                count = recluster_user(session, user_id, threshold)
            except ModelUnavailable as exc:
                raise click.ClickException(str(exc)) from exc
        click.echo(f"User {user_id}: {count} people.")


def checker():
    """The consistency checker of this app."""
    from shoebox.maintenance import Checker

    return Checker(_db(), current_app.extensions["library"].storage, current_app.extensions["queue"])


@shoebox_cli.command("check")
@click.option("--repair", is_flag=True, help="Fix what can be fixed (see each finding's kind).")
@click.option("--quick", is_flag=True, help="Skip walking the originals and thumbnails (what startup runs).")
def check(repair: bool, quick: bool) -> None:
    """Find interrupted uploads, orphan files, missing originals, bad thumbnails and lost or missing analyses."""
    from shoebox.maintenance import Report

    report = checker().check(full=not quick)
    for finding in report.findings:
        click.echo(f"{finding.kind}: {finding.detail}")
    click.echo(report.summary())
    if repair and report.findings:
        checker().repair(report)
        after = checker().check(full=not quick)
        click.echo(f"repaired {report.repaired}; now {after.summary().removeprefix('check: ')}")
        report = Report([f for f in after.findings if f.kind != "not_analysed"])
    if not report.clean:
        raise SystemExit(1)


@shoebox_cli.command("backup")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--verify", is_flag=True, help="Read every original and every copy again and check its checksum "
                                             "(slow: the whole library is read); a damaged copy is copied again.")
def backup_command(dest: Path, verify: bool) -> None:
    """Back up the database, originals, keys and metadata sidecars (JSON + XMP) into DEST: a new folder, or an
    earlier backup, brought up to date by copying only what changed."""
    from shoebox.backup import backup

    try:
        outcome = backup(_db(), current_app.extensions["library"].storage, dest, full_check=verify)
    except ShoeboxError as exc:
        raise click.ClickException(exc.message) from exc
    originals = sum(1 for name in outcome.manifest["files"] if name.startswith("originals/"))
    click.echo(f"Backed up the database and {originals} originals to {dest} (checksums in manifest.json): "
               f"{outcome.copied} copied, {outcome.kept} unchanged, {outcome.removed} removed, "
               f"{outcome.read} read to check their checksum.")
    for path in outcome.damaged:
        click.echo(f"damaged: {path} no longer matches its checksum (restore it from an older backup)", err=True)
    if outcome.damaged:
        raise SystemExit(1)


@shoebox_cli.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(src: Path) -> None:
    """Restore the backup SRC into this empty install, render thumbnails again and check the result."""
    from shoebox.backup import restore

    try:
        manifest = restore(_db(), current_app.extensions["library"].storage, src)
    except ShoeboxError as exc:
        raise click.ClickException(exc.message) from exc
    settings = current_app.config["SETTINGS"]  # the restored signing keys replace the ones read at start-up
    current_app.config.update(SECRET_KEY=settings.secret("SECRET_KEY"),
                              JWT_SECRET_KEY=settings.secret("JWT_SECRET_KEY"))
    click.echo(f"Restored {len(manifest['files'])} files from {src}; rendering thumbnails and checking...")
    report = checker().check()
    checker().repair(report)
    after = checker().check()
    click.echo(after.summary())
    if any(f.kind != "not_analysed" for f in after.findings):
        raise SystemExit(1)
