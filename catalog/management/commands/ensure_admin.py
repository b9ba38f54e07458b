"""Create (or update) an admin user from the environment, non-interactively, for the compose stack.

DJANGO_ADMIN_USERNAME, DJANGO_ADMIN_EMAIL, DJANGO_ADMIN_PASSWORD. The password is never printed.
"""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create or update the admin user from DJANGO_ADMIN_USERNAME / _EMAIL / _PASSWORD (idempotent)."

    def handle(self, *args, **options):
        username = os.environ.get("DJANGO_ADMIN_USERNAME", "").strip()
        password = os.environ.get("DJANGO_ADMIN_PASSWORD", "")
        email = os.environ.get("DJANGO_ADMIN_EMAIL", "").strip()
        if not username:
            self.stdout.write("DJANGO_ADMIN_USERNAME is not set: no admin user created.")
            return
        if len(password) < 12:
            raise CommandError("DJANGO_ADMIN_PASSWORD must be set and at least 12 characters long.")
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        user.email = email or user.email
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(f"Admin user {username!r} {'created' if created else 'updated'}.")
