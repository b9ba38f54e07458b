"""The Celery app. Broker and eager mode come from config/settings.py (REDIS_URL or eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# DjangoTask gives tasks delay_on_commit(): enqueue only once the surrounding transaction commits.
app = Celery("planner", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
