"""Settings: every knob of Shoebox, read once from the environment and `.env`.

No other module reads `os.environ`. Each field's comment is its documentation; `.env.example`
lists the same names with their defaults.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values

from shoebox.private_files import private_dir

_TRUE = {"1", "true", "yes", "on"}
_LOCAL_HOSTS = "localhost,127.0.0.1"


def _parse(value: str, kind: type) -> Any:
    if kind is bool:
        return value.strip().lower() in _TRUE
    if kind is int:
        return int(value)
    if kind is float:
        return float(value)
    return value


@dataclass
class Settings:
    # Where the SQLite database, originals, thumbnails and generated secrets live.
    DATA_DIR: str = "instance"
    # SQLAlchemy URL; empty means the embedded SQLite file DATA_DIR/shoebox.db.
    DATABASE_URL: str = ""
    # Create or migrate the database when the app starts (turn off when several processes start at once,
    # and run `flask shoebox init-db` before them).
    AUTO_MIGRATE: bool = True
    # Seconds an SQLite writer waits for the write lock before a request is retried (then answered 503).
    DB_BUSY_TIMEOUT_S: float = 30.0
    # Flask and JWT signing keys; empty means generated once and stored in DATA_DIR.
    SECRET_KEY: str = ""
    JWT_SECRET_KEY: str = ""
    # Minutes an access token lives; days a refresh token (the "stay logged in") lives.
    ACCESS_TOKEN_MINUTES: int = 15
    REFRESH_TOKEN_DAYS: int = 30
    # Send auth cookies over HTTPS only (turn on behind TLS).
    COOKIE_SECURE: bool = False
    # Largest request body accepted by an upload, in megabytes.
    MAX_UPLOAD_MB: int = 200
    # Largest video accepted, in megabytes (clips are bigger than photos; MAX_UPLOAD_MB stays the photos' limit).
    MAX_VIDEO_MB: int = 2048
    # Largest image accepted, in megapixels (decompression-bomb guard).
    MAX_IMAGE_MEGAPIXELS: int = 200
    # Login and password-reset attempts allowed per minute, per IP and per account.
    AUTH_RATE_LIMIT_PER_MINUTE: int = 10
    # Who may create an account once the first one (the admin) exists: "open" (anyone), "invite" (only with an
    # invite link from the admin) or "closed" (only the admin, on the Account page or `flask shoebox create-user`).
    # The very first account can always register, and becomes the admin.
    REGISTRATION: str = "invite"
    # Reverse proxies in front of Shoebox that add X-Forwarded-For/-Proto (1 behind one nginx or Caddy); 0 means
    # none, and a client's own X-Forwarded-For is ignored. The client address is what rate limits count by.
    PROXY_HOPS: int = 0
    # Outgoing mail for password resets; SMTP_SERVER empty means "write mails to the log".
    SMTP_SERVER: str = ""
    SMTP_PORT: int = 587
    SMTP_USERNAME: str = ""
    SMTP_PASSWORD: str = ""
    SMTP_USE_TLS: bool = True
    SMTP_USE_SSL: bool = False
    MAIL_FROM: str = "shoebox@localhost"
    # Base URL put in emailed links; empty means taken from the request (only from a Host in TRUSTED_HOSTS).
    PUBLIC_URL: str = ""
    # Host names this server answers to, comma-separated (a leading dot admits every subdomain); any other
    # Host header is refused with 400, so a forged one never reaches an emailed link. PUBLIC_URL's host is
    # always admitted. "*" admits any host; password-reset mails then need PUBLIC_URL.
    TRUSTED_HOSTS: str = _LOCAL_HOSTS
    # Minutes a password-reset link stays valid.
    RESET_TOKEN_MINUTES: int = 30
    # Job queue: empty means Huey on SQLite in DATA_DIR; redis://... means Huey on Redis.
    REDIS_URL: str = ""
    # Run a queue worker thread inside the web process (the one-command embedded setup).
    WORKER_IN_PROCESS: bool = True
    # Number of worker threads (in process, or for `flask shoebox worker`).
    WORKER_THREADS: int = 1
    # Run jobs synchronously in the calling thread (tests).
    JOBS_IMMEDIATE: bool = False
    # Seconds a photo may stay "running" before it is taken for lost with a killed worker and queued again
    # (workers look every minute and when they start); keep it well above the longest batch.
    JOB_STALE_SECONDS: int = 900
    # Seconds between a worker's heartbeats while it analyses photos; a worker silent for 3 heartbeats is taken
    # for dead wherever it ran, and any worker (each looks every heartbeat) queues its photos again.
    JOB_HEARTBEAT_SECONDS: float = 10.0
    # Days a deleted photo stays in Trash (restorable, its files kept and counted in the storage used) before the
    # worker deletes it for good; it looks every hour.
    TRASH_DAYS: int = 30
    # Models: a Hugging Face id or a local directory; "none" switches the part off.
    CAPTION_MODEL: str = "Salesforce/blip-image-captioning-large"
    TAG_MODEL: str = "efficientnet-lite0"
    EMBED_MODEL: str = "sentence-transformers/all-MiniLM-L6-v2"
    # Lowest classifier confidence for an AI tag, and the most tags per photo.
    TAG_THRESHOLD: float = 0.2
    TAG_TOP_K: int = 5
    # Photos analysed per model call.
    ANALYSIS_BATCH_SIZE: int = 8
    # Offline understanding (models shipped in packages): faces and people, places from GPS, text in photos.
    FACES_ENABLED: bool = True
    PLACES_ENABLED: bool = True
    OCR_ENABLED: bool = True
    # Largest descriptor distance from a person's centroid for a new face to join them (dlib, 128-d).
    FACE_MATCH_THRESHOLD: float = 0.5
    # Faces an unnamed person needs before the People page shows them.
    FACE_MIN_COUNT: int = 3
    # Log level of the application.
    LOG_LEVEL: str = "INFO"
    # Map tiles of the Places page and a photo's page ({z}/{x}/{y}, optionally {s} for a subdomain, {r} for "@2x"):
    # OpenStreetMap's standard tiles by default (their tile usage policy asks for the attribution below and light
    # use; a busy instance should run or rent its own tile server). The Content-Security-Policy allows images from
    # this host and no other. Without network the map still shows the photos, on a plain background.
    MAP_TILE_URL: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    # The credit shown on the map for those tiles (plain text; "OpenStreetMap" links to its copyright page).
    MAP_TILE_ATTRIBUTION: str = "© OpenStreetMap contributors"
    # Anything else a test or caller wants to pass to Flask's config.
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, overrides: dict[str, Any] | None = None, env_file: str | None = ".env") -> Settings:
        """Defaults, then `.env`, then the process environment, then explicit overrides."""
        values: dict[str, Any] = {}
        sources: list[dict[str, Any]] = []
        if env_file and Path(env_file).is_file():
            sources.append({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        sources.append(dict(os.environ))
        types = {f.name: _field_type(f) for f in dataclasses.fields(cls) if f.name != "extra"}
        for source in sources:
            for name, kind in types.items():
                if name in source:
                    values[name] = _parse(str(source[name]), kind)
        extra: dict[str, Any] = {}
        for name, value in (overrides or {}).items():
            if name in types:
                values[name] = value
            else:
                extra[name] = value
        return cls(**values, extra=extra)

    @property
    def data_path(self) -> Path:
        return Path(self.DATA_DIR).resolve()

    @property
    def database_url(self) -> str:
        return self.DATABASE_URL or f"sqlite:///{self.data_path / 'shoebox.db'}"

    def secret(self, name: str) -> str:
        """The configured secret, or one generated once and kept in DATA_DIR (never a fixed default)."""
        configured = getattr(self, name)
        if configured:
            return configured
        path = self.data_path / f".{name.lower()}"
        if not path.exists():
            private_dir(path.parent)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    @property
    def trusted_hosts(self) -> list[str] | None:
        """Flask's TRUSTED_HOSTS: the configured names plus PUBLIC_URL's host; None (no check) for "*"."""
        # An empty value keeps the default: to Flask an empty list would mean "any host".
        names = [name.strip() for name in self.TRUSTED_HOSTS.split(",") if name.strip()] or _LOCAL_HOSTS.split(",")
        if "*" in names:
            return None
        public = urlsplit(self.PUBLIC_URL).hostname if self.PUBLIC_URL else None
        return names + ([public] if public and public not in names else [])

    def model_enabled(self, name: str) -> bool:
        return getattr(self, name).strip().lower() not in {"", "none", "off"}


def bind_address(value: str, default_port: int = 5000) -> tuple[str, int]:
    """(host, port) of a gunicorn-style bind ("HOST:PORT", "[::1]:PORT", "HOST", ":PORT"), for `python app.py`."""
    value = value.strip()
    if value.startswith("["):  # an IPv6 address: [::1]:8000
        host, _, rest = value[1:].partition("]")
        return host, int(rest.removeprefix(":") or default_port)
    host, colon, port = value.rpartition(":")
    if not colon:
        return value or "127.0.0.1", default_port
    return host or "127.0.0.1", int(port or default_port)


def _field_type(f: dataclasses.Field) -> type:
    annotation = f.type if isinstance(f.type, str) else f.type.__name__
    return {"bool": bool, "int": int, "float": float}.get(annotation, str)
