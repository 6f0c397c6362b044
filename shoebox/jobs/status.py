"""Background work as a viewer sees it: counts by status, progress, failures with their reasons, and a retry."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from shoebox.jobs.analysis import mark_queued
from shoebox.jobs.parts import PARTS, PIPELINE
from shoebox.library import renditions
from shoebox.models import PartProblem, Photo, analysis_counts
from shoebox.scope import Scope

STATUSES = ("queued", "running", "done", "failed", "waiting")
MAX_FAILED_LISTED = 100
#: The part names in pipeline order, with the setting that picks each one's model.
SETTINGS = {part.name: part.setting for part in PIPELINE}


def overview(session: Session, scope: Scope) -> dict:
    """How many photos are in each status, the share analysed, the latest failures, and the parts that are missing
    on some photos with why (once, for the server) and how to fill them in. Reads kept counts, not the library."""
    kept = {(part, state): n for part, state, n in session.execute(
        select(analysis_counts.c.part, analysis_counts.c.state, analysis_counts.c.n)
        .where(analysis_counts.c.user_id == scope.owner_id))}
    counts = {status: kept.get(("photo", status), 0) for status in STATUSES}
    total = sum(counts.values())
    failed = session.execute(scope.columns(Photo.id, Photo.filename, Photo.status_reason)
                             .where(Photo.status == "failed").order_by(Photo.id.desc()).limit(MAX_FAILED_LISTED))
    problems = dict(session.execute(select(PartProblem.part, PartProblem.reason)).all())
    parts = [_part(name, kept, problems.get(name)) for name in SETTINGS]
    finished = counts["done"] + counts["failed"] + counts["waiting"]
    return {
        "counts": counts,
        "total": total,
        "analysed": counts["done"] + counts["waiting"],
        "progress": round(finished / total, 4) if total else 1.0,
        "failed": [{"photo_id": i, "filename": name, "reason": reason} for i, name, reason in failed],
        "parts": parts,
        "waiting_reason": "; ".join(p["reason"] for p in parts if p["waiting"] and p["reason"]) or None,
        "renditions": renditions.overview(session, scope),
    }


def _part(name: str, kept: dict, reason: str | None) -> dict:
    """One part: on how many photos it waits for a model or is switched off, why it waits, and the fix."""
    waiting = kept.get((name, "waiting"), 0)
    return {"name": name, "waiting": waiting, "off": kept.get((name, "off"), 0),
            "reason": reason if waiting else None, "fix": fix(name) if waiting else None}


def fix(name: str) -> str:
    """What an administrator does so that a waiting part runs: its model where the server can load it, then
    `flask shoebox reindex`, which analyses every photo that is not complete."""
    setting = SETTINGS.get(name, "")
    if setting.endswith("_MODEL"):
        first = (f"Put the model on this server and set {setting}=/path/to/the/model (or let the server reach "
                 "huggingface.co to download it once)")
    else:
        first = "Install what it needs (pip install -r requirements.txt)"
    return f"{first}, restart Shoebox and its workers, then run `flask shoebox reindex`."


def analysis_of(photo: Photo) -> dict[str, str]:
    """How each part of a photo's analysis stands: "done", "waiting" (for a model the server cannot load), "off"
    (switched off), "pending" (the photo is queued or running) or "failed" (the photo could not be analysed)."""
    if photo.status in ("queued", "running", "failed"):
        return dict.fromkeys(PARTS, "failed" if photo.status == "failed" else "pending")
    states = {row.part: row.state for row in photo.part_states}
    return {name: states.get(name, "done") for name in PARTS}


def retry_failed(session: Session, scope: Scope, enqueue: Callable[[Sequence[int]], None]) -> int:
    """Queue every failed photo of the scope again; return how many."""
    ids = list(session.scalars(scope.photo_ids(Photo.status == "failed")))
    mark_queued(session, ids)
    session.commit()
    enqueue(ids)
    return len(ids)
