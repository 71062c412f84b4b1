"""Mails are rendered in the request, then sent by a Celery worker once the transaction commits."""

from django.db import transaction
from django.template.loader import render_to_string

from ght_portal.tasks import send_email


def send_templated_mail(template: str, context: dict, to: str) -> None:
    """Render ``emails/<template>_subject.txt`` and ``emails/<template>.txt``; queue after commit."""
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    body = render_to_string(f"emails/{template}.txt", context)
    # robust: if the broker is down, the committed change stands and the failure is logged;
    # an invitation can then be sent again from the members page.
    transaction.on_commit(lambda: send_email.delay(subject, body, [to]), robust=True)
