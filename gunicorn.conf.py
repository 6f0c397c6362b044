"""gunicorn settings for Shoebox: `gunicorn -c gunicorn.conf.py` (flags on the command line win).

The master migrates the database and runs the startup check once, before any worker forks; the workers then
start with AUTO_MIGRATE off (no concurrent migrations). Every worker may run the in-process job worker, but a
file lock lets exactly one of them do it at a time; if that worker dies, another takes over within seconds.
Set WORKER_IN_PROCESS=0 to run `flask shoebox worker` beside the server instead.
"""

import os

wsgi_app = "shoebox:create_app()"
bind = os.environ.get("SHOEBOX_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
# 8, not 4: an upload spends most of its time off the CPU (its body arriving, fsync), and 4 threads held by uploads
# left reads queueing behind them (bench/README.md, Load); the GIL keeps the CPU work one thread at a time anyway.
threads = 8
# Slow uploads of large originals and model-backed searches can take a while; the gthread worker keeps
# sending heartbeats while a request is served, so this bounds a stuck worker, not a slow client.
timeout = 120
graceful_timeout = 30
keepalive = 5
accesslog = "-"
# No control socket in ~/.gunicorn: several installs (and the test suite) may run side by side.
control_socket_disable = True


def on_starting(server):
    """Master, once: migrate, undo interrupted uploads, log the quick check; workers then skip migrating."""
    from shoebox import create_app
    from shoebox.maintenance import startup_check

    app = create_app({"WORKER_IN_PROCESS": False})
    app.extensions["db"].upgrade()
    startup_check(app)
    app.extensions["db"].dispose()
    os.environ["AUTO_MIGRATE"] = "0"


def post_worker_init(worker):
    """Each worker maps the saved vector indexes and loads the query embedder before it takes a request (a few
    seconds; meanwhile the warm workers take them), so no search waits for either, and leaves what it loaded out of
    full garbage collections; then it offers to run the job worker thread, and the lock in DATA_DIR picks one."""
    from shoebox import settle_after_warm_up

    app = worker.wsgi
    settings = app.config["SETTINGS"]
    app.extensions["searcher"].warm_up()
    settle_after_warm_up()
    if settings.WORKER_IN_PROCESS:
        app.extensions["queue"].start_worker_thread(lock_path=settings.data_path / "worker.lock")


def worker_exit(server, worker):
    """Let a running job finish its step (a job cut short is queued again at the next start anyway)."""
    app = getattr(worker, "wsgi", None)
    if app is not None and hasattr(app, "extensions"):
        app.extensions["queue"].stop_worker_thread(wait=5)
