"""Run Shoebox for development: `python app.py` creates or migrates the database (in create_app), then serves
on http://localhost:5000 with a job worker and warm models in the same process.

For production, serve it with gunicorn: `gunicorn -c gunicorn.conf.py` (see README, "Production")."""

import os
import threading

from shoebox import create_app, settle_after_warm_up
from shoebox.config import bind_address
from shoebox.maintenance import startup_check

app = create_app()


def warm_up() -> None:
    """Load every model now (logging one line for each that cannot load), so no request waits for one."""
    app.extensions["queue"].analyzer.models().unavailable()
    app.extensions["searcher"].warm_up()
    settle_after_warm_up()


if __name__ == "__main__":
    startup_check(app)
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    if app.config["SETTINGS"].WORKER_IN_PROCESS:
        app.extensions["queue"].start_worker_thread()  # one command: analysis runs beside the web server
    host, port = bind_address(os.environ.get("SHOEBOX_BIND", "127.0.0.1:5000"))  # as gunicorn.conf.py reads it
    app.run(host=host, port=port, threaded=True)
