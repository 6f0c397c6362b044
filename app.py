"""Run Shoebox for development: `python app.py` creates or migrates the database (in create_app), then serves."""

from shoebox import create_app

app = create_app()

if __name__ == "__main__":
    if app.config["SETTINGS"].WORKER_IN_PROCESS:
        app.extensions["queue"].start_worker_thread()  # one command: analysis runs beside the web server
    app.run(host="127.0.0.1", port=5000, threaded=True)
