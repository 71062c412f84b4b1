"""Errors that the services of every app raise and the web and the API answer the same way."""

from django.core.exceptions import ValidationError


class StaleWriteError(ValidationError):
    """A write based on a version of a row that someone else has saved since (lost update refused).

    The API answers it 412 Precondition Failed; the web pages show its message above the form."""
