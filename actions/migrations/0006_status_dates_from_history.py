"""The achievement and stop dates of the existing actions, from their history.

An action done (or suspended, abandoned) today gets the day of the last status change recorded in
its history — the one that gave it its current status. One created already in that status (imported
done) has no such change: its date stays unknown (NULL), and it counts in no year.
"""

from django.db import migrations
from django.utils import timezone

DATED = {"realisee": "done_on", "suspendue": "stopped_on", "abandonnee": "stopped_on"}


def dates_from_history(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    HistoricalAction = apps.get_model("actions", "HistoricalAction")
    current = dict(
        Action.objects.filter(status__in=list(DATED), done_on__isnull=True, stopped_on__isnull=True).values_list(
            "pk", "status"
        )
    )
    last_move, previous = {}, {}
    records = (
        HistoricalAction.objects.filter(id__in=list(current))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "status", "history_date")
    )
    for pk, status, when in records.iterator(chunk_size=5000):
        if pk in previous and previous[pk] != status:
            last_move[pk] = (status, when)  # the latest change of status, whatever it was
        previous[pk] = status
    dated = []
    for pk, status in current.items():
        move = last_move.get(pk)
        if move is not None and move[0] == status:
            action = Action(pk=pk)
            setattr(action, DATED[status], timezone.localdate(move[1]))
            dated.append(action)
    for name in set(DATED.values()):
        rows = [action for action in dated if getattr(action, name) is not None]
        Action.objects.bulk_update(rows, [name], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("actions", "0005_action_done_on_stopped_on")]

    operations = [migrations.RunPython(dates_from_history, migrations.RunPython.noop)]
