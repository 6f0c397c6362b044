"""`flask shoebox worker` with analysis slowed by SLOW_ANALYSIS seconds and each saved batch logged to SAVED_LOG
(run as a script by the fault tests, so they can kill a worker mid-job and count how often a photo was saved)."""

from __future__ import annotations

import os
import sys
import time

from flask.cli import main

from shoebox.jobs import analysis

_examine, _save = analysis.Analyzer._examine, analysis.Analyzer._save


def slow_examine(self, batch, paths, wanted, models):
    time.sleep(float(os.environ.get("SLOW_ANALYSIS", "0")))
    return _examine(self, batch, paths, wanted, models)


def logged_save(self, batch, models, wanted):
    _save(self, batch, models, wanted)
    with open(os.environ["SAVED_LOG"], "a") as log:
        log.write(" ".join(str(i) for i in batch.photo_ids) + "\n")


analysis.Analyzer._examine = slow_examine
analysis.Analyzer._save = logged_save

if __name__ == "__main__":
    sys.argv = ["flask", "shoebox", "worker"]
    main()
