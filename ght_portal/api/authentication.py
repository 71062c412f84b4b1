"""Authentication by personal API token (``Authorization: Bearer <key>``).

The key is looked up by its SHA-256 (the only thing stored), together with its owner, in one query;
``request.auth`` is then the ``ApiToken``, which the views read for the read-only rule and the
throttle for its key. A revoked token, a token of a deactivated account or an unknown key is refused
(401), never silently treated as anonymous.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ght_portal.models import ApiToken, hash_token

# ``last_used_at`` is written at most once per this period per token, not on every request.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no token: the session may still authenticate the request
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("En-tête Authorization invalide : « Bearer <jeton> » attendu."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Jeton invalide.")) from None
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Jeton inconnu."))
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("Ce jeton a été révoqué."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Ce compte est désactivé."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword  # so that a missing or refused token answers 401 with WWW-Authenticate


def is_read_only(auth) -> bool:
    """True when the request was authenticated by a read-only token (a session may write)."""
    return isinstance(auth, ApiToken) and auth.read_only


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Jeton personnel, créé dans « Mon compte → Jetons d'API ».",
        }
