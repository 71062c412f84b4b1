"""Boolean variables are read strictly: a typo must stop the process, not silently mean "off"."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ght_portal.settings import env_bool

BOOLEAN_VARIABLES = ("DJANGO_DEBUG", "CELERY_TASK_ALWAYS_EAGER", "SECURE_SSL_REDIRECT")

# Dummy URLs: settings only parse them, so the embedded PostgreSQL/Redis are never started.
BASE_ENV = {
    "DJANGO_SETTINGS_MODULE": "ght_portal.settings",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # also keeps development from writing var/secret_key
    "DJANGO_ALLOWED_HOSTS": "ght.exemple.fr",
    "DATABASE_URL": "postgres://ght:secret@db.exemple.fr:5432/ght_portal",
    "REDIS_URL": "redis://redis.exemple.fr:6379/0",
    "SITE_URL": "https://ght.exemple.fr",
}


def read_setting(name, ght_env="production", **variables):
    """Import the settings in a fresh interpreter, as a starting process would, and print one setting."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in BASE_ENV and k not in BOOLEAN_VARIABLES and k != "GHT_ENV" and not k.startswith("DJANGO_")
    }
    return subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print(repr(settings.{name}))"],
        cwd=settings.BASE_DIR,
        env={**clean, **BASE_ENV, "GHT_ENV": ght_env, **variables},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_misspelt_ssl_redirect_stops_the_process():
    result = read_setting("SECURE_SSL_REDIRECT", SECURE_SSL_REDIRECT="ture")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECURE_SSL_REDIRECT='ture' is not a boolean" in result.stderr
    assert "1, true, yes, on" in result.stderr and "0, false, no, off" in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [("TRUE", True), (" yes ", True), ("0", False), ("off", False), ("", True), (None, True)],
)
def test_ssl_redirect_accepts_booleans_and_defaults_to_on(value, expected):
    variables = {} if value is None else {"SECURE_SSL_REDIRECT": value}
    result = read_setting("SECURE_SSL_REDIRECT", **variables)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(expected)


@pytest.mark.parametrize("name", ["DJANGO_DEBUG", "CELERY_TASK_ALWAYS_EAGER"])
def test_other_booleans_are_strict_too(name):
    setting = "DEBUG" if name == "DJANGO_DEBUG" else name
    result = read_setting(setting, ght_env="development", **{name: "maybe"})
    assert result.returncode != 0
    assert f"{name}='maybe' is not a boolean" in result.stderr
    result = read_setting(setting, ght_env="development", **{name: " On "})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(v, True) for v in ("1", "true", "True", "YES", "on", " on\t")]
    + [(v, False) for v in ("0", "false", "FALSE", "No", "off")],
)
def test_parser_accepts_every_documented_spelling(monkeypatch, value, expected):
    monkeypatch.setenv("GHT_TEST_FLAG", value)
    assert env_bool("GHT_TEST_FLAG", default=not expected) is expected


@pytest.mark.parametrize("value", ["ture", "2", "y", "enabled", "true!"])
def test_parser_refuses_anything_else(monkeypatch, value):
    monkeypatch.setenv("GHT_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="GHT_TEST_FLAG"):
        env_bool("GHT_TEST_FLAG", default=True)
