"""Run Shoebox for development: `python app.py` creates or migrates the database (in create_app), then serves.

For production, serve it with gunicorn: `gunicorn -c gunicorn.conf.py` (see README, "Production")."""

from shoebox import create_app
from shoebox.maintenance import startup_check

app = create_app()

if __name__ == "__main__":
    startup_check(app)
    if app.config["SETTINGS"].WORKER_IN_PROCESS:
        app.extensions["queue"].start_worker_thread()  # one command: analysis runs beside the web server
    app.run(host="127.0.0.1", port=5000, threaded=True)
