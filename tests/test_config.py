"""Settings come from the environment and .env, and .env.example documents every one of them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from shoebox.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_env_example_lists_every_setting_with_its_default():
    listed = dict(line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
                  if line and not line.startswith("#"))
    defaults = Settings()
    for field in dataclasses.fields(Settings):
        if field.name == "extra":
            continue
        assert field.name in listed, f"{field.name} missing from .env.example"
        expected = getattr(defaults, field.name)
        value = listed[field.name]
        assert str(expected).lower() == value.lower(), field.name


def test_env_file_and_environment_are_read_in_that_order(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text("SMTP_SERVER=mail.example.com\nSMTP_PORT=2525\nSMTP_USE_TLS=false\nMAX_UPLOAD_MB=7\n")
    monkeypatch.setenv("MAX_UPLOAD_MB", "9")
    settings = Settings.load(env_file=str(env))
    assert (settings.SMTP_SERVER, settings.SMTP_PORT, settings.SMTP_USE_TLS) == ("mail.example.com", 2525, False)
    assert settings.MAX_UPLOAD_MB == 9


def test_shoebox_bind_is_read_the_way_gunicorn_reads_it():
    from shoebox.config import bind_address

    assert bind_address("0.0.0.0:8080") == ("0.0.0.0", 8080)
    assert bind_address("[::1]:5001") == ("::1", 5001)
    assert bind_address("192.168.1.20") == ("192.168.1.20", 5000)
    assert bind_address(":5002") == ("127.0.0.1", 5002)
