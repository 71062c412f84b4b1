"""The production profile passes Django's deployment checks and refuses incomplete configuration."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "GHT_ENV": "production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "ght.exemple.fr",
    "DATABASE_URL": "postgres://ght:secret@db.exemple.fr:5432/ght_portal",
    "REDIS_URL": "redis://redis.exemple.fr:6379/0",
    "SITE_URL": "https://ght.exemple.fr",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_missing_secret_and_debug():
    missing = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=missing)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr
    result = manage("check", env={**PRODUCTION_ENV, "DJANGO_SECRET_KEY": "court"})
    assert result.returncode != 0 and "at least 50 random characters" in result.stderr
    result = manage("check", env={**PRODUCTION_ENV, "DJANGO_DEBUG": "on"})
    assert result.returncode != 0 and "DJANGO_DEBUG must stay off in production" in result.stderr


def test_non_postgres_database_is_refused():
    result = manage("check", env={**PRODUCTION_ENV, "DATABASE_URL": "mysql://u:p@h/db"})
    assert result.returncode != 0 and "PostgreSQL" in result.stderr


def test_debug_is_off_unless_asked():
    assert settings.DEBUG is False
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
