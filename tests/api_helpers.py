"""Helpers of the API tests: personal tokens and an API client that sends them."""

from __future__ import annotations

import itertools

from rest_framework.test import APIClient

from ght_portal.services import create_api_token

_names = itertools.count(1)


def token_for(user, *, read_only: bool = False) -> str:
    """A new token of ``user`` (through the service the account page uses); its key."""
    _token, key = create_api_token(acting_user=user, name=f"Script de test {next(_names)}", read_only=read_only)
    return key


def api_client(user=None, *, read_only: bool = False) -> APIClient:
    """An API client authenticated as ``user`` by a token of its own (anonymous without a user)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, read_only=read_only)}")
    return client


def base(ght) -> str:
    return f"/api/v1/ghts/{ght.slug}"
