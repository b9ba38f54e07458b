"""What every catalog model shares: units and field validators."""

from django.core.exceptions import ValidationError
from django.utils import timezone

GIB = 1024**3


def not_in_the_future(value) -> None:
    """A release date is a fact of the past: the admin, the API and the CSV import all check it through the field."""
    if value and value > timezone.localdate():
        raise ValidationError("Release date cannot be in the future.")
