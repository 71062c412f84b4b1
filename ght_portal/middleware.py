"""Session lifetime rules that Django has no setting for."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.translation import gettext as _

LOGIN_AT_KEY = "ght_login_at"


class AbsoluteSessionTimeoutMiddleware:
    """End a session a fixed time after log-in, however active it is (ASVS 7.3).

    The idle timeout is Django's own (SESSION_COOKIE_AGE renewed on each request); a deactivated
    account is refused by the authentication backend at its next request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            login_at = request.session.setdefault(LOGIN_AT_KEY, time.time())
            if time.time() - login_at > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                messages.info(request, _("Votre session a expiré : reconnectez-vous."))
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)
