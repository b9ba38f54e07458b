"""Suite-wide guards: in CI the real services are required, never skipped."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

# The session's Celery worker consumes this queue only; upstream requests time out after UPSTREAM_TIMEOUT_S.
CELERY_TEST_QUEUE = f"test-worker-{uuid.uuid4().hex[:8]}"
UPSTREAM_TIMEOUT_S = 1.0


def pytest_sessionstart(session):
    if os.environ.get("CI"):
        missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
        if missing:
            pytest.exit(
                f"CI run without {', '.join(missing)}: the suite must run on PostgreSQL and Redis", returncode=3
            )


@pytest.fixture(scope="session")
def redis_url():
    """The real Redis; skipped only outside CI (where CI=true makes a missing service an error)."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL not set (local run without services)")
    return url


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the seed catalog once per test database; tests run in transactions on top of it."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("seed", verbosity=0)
    yield
    # Processes and threads the tests started (gunicorn, Celery worker, live server) may leave a session
    # open on PostgreSQL, which stops Django from dropping the test database: end them first.
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture
def seeded(db):
    """The seed catalog (reloaded inside the test's transaction if a transactional test flushed it)."""
    from django.core.management import call_command

    from catalog.models import GPU

    if not GPU.objects.exists():
        call_command("seed", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_api_cache(settings):
    """Each test sees fresh cached responses (a rolled-back write leaves the catalog version bumped
    but cached data stale) and generous throttles unless it sets its own."""
    from django.core.cache import cache

    from catalog.cache import bump_catalog_version

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test speed only
    bump_catalog_version()
    cache.delete_many(["throttle_anon_127.0.0.1", "throttle_user_127.0.0.1"])


def triple_catalog():
    """Make the catalog 3×: two copies of every GPU and of every model with its quantizations and tags."""
    from catalog.models import GPU, LLM, ModelQuant

    for gpu in list(GPU.objects.all()):
        for i in (1, 2):
            gpu.pk, gpu.slug = None, f"{gpu.slug}-copy{i}"
            gpu.save()
    for llm in list(LLM.objects.prefetch_related("quantizations", "tags")):
        quants, tags = list(llm.quantizations.all()), list(llm.tags.all())
        for i in (1, 2):
            llm.pk, llm.slug, llm.hf_repo_id = None, f"{llm.slug}-copy{i}", f"{llm.hf_repo_id}-copy{i}"
            llm.save()
            llm.tags.set(tags)
            ModelQuant.objects.bulk_create(
                [ModelQuant(llm=llm, fmt_id=q.fmt_id, file_size_bytes=q.file_size_bytes) for q in quants]
            )
            llm.slug, llm.hf_repo_id = llm.slug.rsplit("-copy", 1)[0], llm.hf_repo_id.rsplit("-copy", 1)[0]


def uncached_queries(client, url: str) -> int:
    """SQL queries of one GET on the uncached path (the catalog version bumped first); it must be a 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.cache import bump_catalog_version

    bump_catalog_version()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def database_url_for_subprocesses() -> str:
    """The test database as a DATABASE_URL, for the processes a test starts (Celery worker, gunicorn)."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def upstream():
    """The fake upstreams (Hub, GPU and price feeds) the Celery worker reads; modules may bring their own."""
    from catalog.tests.upstream import Upstream

    server = Upstream().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def worker(redis_url, upstream, django_db_setup, django_db_blocker):
    """A `celery worker` process (prefork, 2 processes) on a queue of its own, for the whole session."""
    from django.conf import settings

    with django_db_blocker.unblock():
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_subprocesses(),
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_TASK_DEFAULT_QUEUE": CELERY_TEST_QUEUE,
            "GPU_FEED_URL": upstream.url + "/gpus.csv",
            "PRICE_FEED_URL": upstream.url + "/prices.json",
            "HF_ENDPOINT": upstream.url,
            "REFRESH_HTTP_TIMEOUT_S": str(UPSTREAM_TIMEOUT_S),
            "REFRESH_MAX_RETRIES": "2",
            "REFRESH_RETRY_BACKOFF_S": "1",
            "DB_CONN_MAX_AGE": "0",
        }
    log = open(os.path.join(settings.BASE_DIR, "var", "celery-test-worker.log"), "w")  # noqa: SIM115 -- the worker's, for the session
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "-Q",
            CELERY_TEST_QUEUE,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    from config.celery import app

    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"celery worker exited with {proc.returncode}; see var/celery-test-worker.log")
        if app.control.ping(timeout=1.0):
            break
    else:
        pytest.fail("celery worker did not answer a ping within 60 s")
    yield proc
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()
