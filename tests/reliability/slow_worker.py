"""`flask shoebox worker` with analysis slowed by SLOW_ANALYSIS seconds and each saved batch logged to SAVED_LOG
(run as a script by the fault tests, so they can kill a worker mid-job and count how often a photo was saved)."""

from __future__ import annotations

import os
import sys
import time

from flask.cli import main

from shoebox.jobs import analysis

_predict, _save = analysis.Analyzer._predict, analysis.Analyzer._save


def slow_predict(self, batch, models, wanted):
    time.sleep(float(os.environ.get("SLOW_ANALYSIS", "0")))
    return _predict(self, batch, models, wanted)


def logged_save(self, batch, models, wanted):
    _save(self, batch, models, wanted)
    with open(os.environ["SAVED_LOG"], "a") as log:
        log.write(" ".join(str(i) for i in batch.photo_ids) + "\n")


analysis.Analyzer._predict = slow_predict
analysis.Analyzer._save = logged_save

if __name__ == "__main__":
    sys.argv = ["flask", "shoebox", "worker"]
    main()
