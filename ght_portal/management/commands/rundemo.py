"""Run the whole product on this machine: web (gunicorn), one Celery worker and Celery beat.

Started by ``make demo`` after migrate and load_demo. Ctrl-C stops the three processes and, when
this command started them, the embedded PostgreSQL and Redis too.
"""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from honcho.manager import Manager
from honcho.printer import Printer

from ght_portal import demo_data, embedded


class Command(BaseCommand):
    help = "Lance le serveur web, un worker Celery et Celery beat (Ctrl-C arrête tout)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", "8000")))

    def handle(self, *args, port: int, **options):
        # Settings already started the embedded servers if they were needed; remember whether they
        # were ours, to stop them at the end.
        own_postgres = not os.environ.get("DATABASE_URL")
        own_redis = not os.environ.get("REDIS_URL")
        call_command("collectstatic", interactive=False, verbosity=0)
        python = sys.executable
        bind = f"127.0.0.1:{port}"
        env = {**os.environ, "SITE_URL": f"http://localhost:{port}", "PYTHONUNBUFFERED": "1"}
        beat_schedule = str(embedded.VAR_DIR / "celerybeat-schedule")
        manager = Manager(Printer(sys.stdout))
        processes = {
            "web": f"{python} -m gunicorn ght_portal.wsgi --bind {bind} --workers 2 --access-logfile -",
            # One worker for both queues here; production gives the PDFs a worker of their own.
            "worker": f"{python} -m celery -A ght_portal worker -l INFO --concurrency 2 --queues celery,reports",
            "beat": f"{python} -m celery -A ght_portal beat --loglevel INFO --schedule {beat_schedule}",
        }
        for name, command in processes.items():
            manager.add_process(name, command, env=env)
        self._print_banner(port)
        try:
            manager.loop()
        finally:
            if own_postgres:
                embedded.stop_postgres()
            if own_redis:
                embedded.stop_redis()
        self.stdout.write("Tout est arrêté.")
        sys.exit(manager.returncode or 0)

    def _print_banner(self, port: int) -> None:
        lines = [
            "",
            "=" * 72,
            f"  GHT Portal : http://localhost:{port}/",
            f"  Mot de passe de tous les comptes de démonstration : {demo_data.DEMO_PASSWORD}",
            "",
        ]
        for spec in demo_data.GHTS:
            lines.append(f"  {spec['name']}")
            lines += [f"    {email:<34} {role.label}" for email, _name, _title, role in spec["people"]]
        lines += [
            f"  Deux GHT : {demo_data.SHARED_PERSON[0]}",
            f"  Opérateur de la plateforme (/admin/) : {demo_data.OPERATOR[0]}",
            f"  Base : {settings.DATABASES['default']['HOST'] or 'DATABASE_URL'} · e-mails affichés par le worker",
            "  Ctrl-C pour tout arrêter.",
            "=" * 72,
            "",
        ]
        self.stdout.write("\n".join(lines))
