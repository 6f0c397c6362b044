"""The job queue and its tasks."""

from __future__ import annotations

from flask import Flask

from shoebox.config import Settings
from shoebox.db import Database


class Queue:
    """Placeholder until analysis lands: photos stay 'queued'."""

    def enqueue_analysis(self, photo_ids: list[int]) -> None:
        pass


def init_app(app: Flask, settings: Settings, database: Database) -> Queue:
    queue = Queue()
    app.extensions["queue"] = queue
    return queue
