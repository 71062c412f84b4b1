"""PDF benchmark: time and peak memory of building the annual reviews of the large
GHT (600 actions), each in a fresh process so that its peak resident memory is the build's own.

``python -m bench.reports KIND GHT_ID DATABASE`` is the child; ``report(big)`` runs it per kind.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

KINDS = (("costrat", "Bilan annuel — comité stratégique"), ("cmg", "Bilan annuel — CMG"))


def child(kind: str, ght_id: int, database: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ght_portal.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    connection.settings_dict["NAME"] = database
    from actions.models import Plan
    from ght_portal.models import GHT, Membership, Role
    from reports.documents import build as documents
    from reports.models import Report

    ght = GHT.objects.get(pk=ght_id)
    plan = Plan.objects.get(ght=ght, status=Plan.Status.ACTIVE)
    director = Membership.objects.filter(ght=ght, role=Role.DIRECTOR).select_related("user").first().user
    # Not saved: the bench measures the build, and leaves the bench database as it was.
    report = Report(ght=ght, kind=kind, plan=plan, year=timezone.localdate().year, requested_by=director)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    built = documents.build(report, progress=lambda percent, step: None)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"seconds": seconds, "peak_mb": peak / 1024, "before_mb": before / 1024, "pages": built.page_count}


def report(big) -> None:
    from django.db import connection

    database = connection.settings_dict["NAME"]
    print(f"{'rapport PDF (600 actions)'.ljust(36)}  secondes  pages  mémoire max (Mo)")
    worst_seconds = worst_mb = 0.0
    for kind, label in KINDS:
        output = subprocess.run(
            [sys.executable, "-m", "bench.reports", kind, str(big.pk), database],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        numbers = json.loads(output.strip().splitlines()[-1])
        worst_seconds, worst_mb = max(worst_seconds, numbers["seconds"]), max(worst_mb, numbers["peak_mb"])
        print(
            f"{label.ljust(36)}  {numbers['seconds']:8.1f}  {numbers['pages']:5d}  {numbers['peak_mb']:8.0f}"
            f" (dont {numbers['before_mb']:.0f} avant la génération)"
        )
    print(f"Objectifs : < 20 s ({worst_seconds:.1f} s) et < 600 Mo ({worst_mb:.0f} Mo) par rapport.")


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], int(sys.argv[2]), sys.argv[3])))
