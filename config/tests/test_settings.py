import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']),"
    " 'cache': s.CACHES['default']['BACKEND'], 'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL}))"
)


def settings_under(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    base.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], env=base, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_no_environment_means_sqlite_eager_and_locmem():
    s = settings_under()
    assert s["db"] == "django.db.backends.sqlite3" and s["name"].endswith("var/planner.sqlite3")
    assert s["cache"].endswith("LocMemCache") and s["eager"] is True


def test_database_url_switches_to_postgresql():
    s = settings_under(DATABASE_URL="postgres://u:p@127.0.0.1:5432/planner")
    assert s["db"] == "django.db.backends.postgresql" and s["name"] == "planner"


def test_redis_url_switches_cache_and_broker():
    s = settings_under(REDIS_URL="redis://127.0.0.1:6379/3")
    assert s["cache"].endswith("RedisCache") and s["eager"] is False and s["broker"] == "redis://127.0.0.1:6379/3"


@pytest.mark.django_db
def test_manage_check_is_clean():
    call_command("check", fail_level="WARNING")


@pytest.mark.services
def test_redis_cache_shares_one_client_per_pool_and_works(redis_url):
    from config.cache import RedisCache

    cache = RedisCache(redis_url, {"KEY_PREFIX": "client-reuse-test"})
    assert cache._cache.get_client() is cache._cache.get_client(write=True)  # one server: one pool, one client
    cache.set("n", 1)
    assert cache.incr("n") == 2 and cache.get("n") == 2 and cache.get_many(["n", "missing"]) == {"n": 2}
    cache.delete("n")
    assert cache.get("n") is None


@pytest.mark.services
def test_throttle_window_counts_in_one_round_trip_and_expires(redis_url):
    import time

    from config.cache import RedisCache

    cache = RedisCache(redis_url, {"KEY_PREFIX": f"window-test-{os.getpid()}"})
    assert [cache.incr_window("w", 1) for _ in range(3)] == [1, 2, 3]
    assert cache.get("w") == 3  # readable through the cache API like any counter
    time.sleep(1.2)
    assert cache.incr_window("w", 1) == 1  # a new window
