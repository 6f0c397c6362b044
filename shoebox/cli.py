"""`flask shoebox ...`: commands for a headless install."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from shoebox.auth import service as accounts
from shoebox.errors import ShoeboxError
from shoebox.models import User

shoebox_cli = AppGroup("shoebox", help="Shoebox administration.")

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp", ".heic", ".heif",
                  ".avif"}


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
@click.password_option(help="The password (asked for when not given).")
def create_user(email: str, password: str) -> None:
    """Create an account (for the first user of a headless install)."""
    with _db().transaction() as session:
        try:
            user = accounts.register(session, email, password)
        except ShoeboxError as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(f"Created user {user.email} (id {user.id}).")


@shoebox_cli.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--user", "email", required=True, help="Email of the account that gets the photos.")
def import_folder(directory: Path, email: str) -> None:
    """Import every photo under DIRECTORY (recursively); duplicates and non-images are skipped."""
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    images = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES]
    counts: Counter[str] = Counter(skipped=len(files) - len(images))
    failures: list[str] = []
    library = current_app.extensions["library"]
    with _db().transaction() as session:
        user_id = _user(session, email).id
        with click.progressbar(images, label="Importing", show_pos=True, item_show_func=_name) as bar:
            for path in bar:
                outcome = _import_one(library, session, user_id, path)
                counts[outcome if outcome in ("imported", "duplicates") else "failed"] += 1
                if outcome not in ("imported", "duplicates"):
                    failures.append(f"  {path}: {outcome}")
    click.echo(f"Imported {counts['imported']}, duplicates {counts['duplicates']}, failed {counts['failed']}, "
               f"skipped (not images) {counts['skipped']}.")
    if failures:
        click.echo("Failed:\n" + "\n".join(failures))


def _import_one(library, session, user_id: int, path: Path) -> str:
    try:
        with path.open("rb") as stream:
            result = library.ingest(session, user_id, stream, path.name,
                                    file_mtime=datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0))
    except ShoeboxError as exc:
        return exc.message
    except OSError as exc:
        return f"cannot read the file ({exc.strerror})"
    return "duplicates" if result.duplicate else "imported"


def _name(path: Path | None) -> str:
    return path.name if path else ""
