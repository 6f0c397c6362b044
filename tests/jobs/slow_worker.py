"""`flask shoebox worker` with the analysis slowed down and logged, for the crash test (a real subprocess).

Run as `python -m tests.jobs.slow_worker LOGFILE SECONDS [HOST]`: each batch writes "start <ids>" to LOGFILE,
waits SECONDS as a slow model would, runs the real analysis, then writes "done <ids>"; "watching <pid>" once it
looks for dead workers' claims. With HOST, the worker claims photos as a process of that host (a worker on
another machine: no pid check can tell it died). Settings come from the environment like any worker's.
"""

from __future__ import annotations

import functools
import os
import sys
import time

from shoebox import processes
from shoebox.jobs import Queue
from shoebox.jobs.analysis import Analyzer


def _log(path: str, line: str) -> None:
    with open(path, "a") as handle:
        handle.write(line + "\n")
        handle.flush()


def main() -> None:
    log_path, delay = sys.argv[1], float(sys.argv[2])
    if len(sys.argv) > 3:
        processes.HOST = sys.argv[3]
    real_run = Analyzer.run_task
    real_watch = Queue.start_watching

    def watch_and_say(self):
        real_watch(self)
        _log(log_path, f"watching {os.getpid()}")

    Queue.start_watching = watch_and_say
    for name in ("requeue_lost", "requeue_dead_claims"):
        def logged(self, _real=getattr(Queue, name), _name=name):
            ids = _real(self)
            if ids:
                _log(log_path, f"{_name} {os.getpid()} " + " ".join(map(str, ids)))
            return ids
        setattr(Queue, name, functools.wraps(getattr(Queue, name))(logged))

    @functools.wraps(real_run)  # same module and name: Huey finds tasks by them
    def slow_run(self, photo_ids, parts=None):
        _log(log_path, "start " + " ".join(map(str, photo_ids)))
        real_start = self._start

        def start_then_wait(batch):
            paths = real_start(batch)  # photos are `running` now, as in a real model call
            time.sleep(delay)
            return paths

        self._start = start_then_wait
        real_run(self, photo_ids, parts)
        _log(log_path, "done " + " ".join(map(str, photo_ids)))

    Analyzer.run_task = slow_run
    from flask.cli import main as flask_main

    sys.argv = ["flask", "--app", "shoebox", "shoebox", "worker", "--threads", "1"]
    flask_main()


if __name__ == "__main__":
    main()
