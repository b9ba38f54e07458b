"""The production configuration: `check --deploy`, the compose file, and the site under gunicorn with
production settings on this machine's PostgreSQL and Redis (no Docker)."""

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from conftest import database_url_for_subprocesses

BASE = Path(settings.BASE_DIR)
PROD_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "test-only-" + "k" * 60,
    "ALLOWED_HOSTS": "127.0.0.1,planner.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://planner.example.com",
}


def _env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return {**env, **PROD_ENV, **extra}


def test_check_deploy_reports_no_issues_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_stops_start_up_with_a_clear_message():
    env = _env()
    env.pop("SECRET_KEY")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=BASE, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY is not set and DEBUG is off: refusing to start" in result.stderr
    gunicorn = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            "1",
            "--preload",
        ],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert gunicorn.returncode != 0 and "refusing to start" in gunicorn.stderr


def test_compose_file_defines_the_stack_with_healthchecks_and_dependencies():
    compose = yaml.safe_load((BASE / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "ping" in services["redis"]["healthcheck"]["test"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["build"] == "." and service["env_file"] == ".env"  # the shared anchor
        assert service["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
    assert "migrate" in services["web"]["command"] and "seed" in services["web"]["command"]
    assert "worker" in services["worker"]["command"] and "beat" in services["beat"]["command"]
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        check = subprocess.run(
            ["docker", "compose", "config", "-q"],
            cwd=BASE,
            capture_output=True,
            text=True,
            env={**os.environ, "POSTGRES_PASSWORD": "x"},
        )
        assert check.returncode == 0, check.stderr


def test_dockerfile_runs_as_non_root_and_collects_static_files():
    text = (BASE / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.\d+-slim", text, re.M)
    assert re.search(r"^USER planner", text, re.M) and "collectstatic" in text and "gunicorn" in text
    assert "pip install -r requirements.txt" in text
    assert "requirements-dev" not in text


def _requirements(name: str) -> set[str]:
    lines = (BASE / name).read_text().splitlines()
    return {re.split(r"[=\[<>]", line)[0].lower() for line in lines if line.strip() and line[0] not in "#-"}


def test_the_image_installs_what_the_site_imports_and_no_test_tool():
    runtime, dev = _requirements("requirements.txt"), _requirements("requirements-dev.txt")
    assert not runtime & {"pytest", "pytest-django", "hypothesis", "playwright", "schemathesis", "ruff", "mypy"}
    assert "-r requirements.txt" in (BASE / "requirements-dev.txt").read_text() and not runtime & dev
    imported = set()
    for path in [*BASE.glob("catalog/**/*.py"), *BASE.glob("planner/**/*.py"), *BASE.glob("config/*.py")]:
        if "/tests/" in str(path) or "/migrations/" in str(path):
            continue
        imported |= set(re.findall(r"^(?:from|import) (\w+)", path.read_text(), re.M))
    modules = {
        "django": "django",
        "rest_framework": "djangorestframework",
        "drf_spectacular": "drf-spectacular",
        "django_filters": "django-filter",
        "psycopg": "psycopg",
        "celery": "celery",
        "redis": "redis",
        "huggingface_hub": "huggingface_hub",
        "httpx2": "httpx2",
        "yaml": "pyyaml",
        "markdown_it": "markdown-it-py",
        "nh3": "nh3",
        "whitenoise": "whitenoise",
    }
    third_party = imported & set(modules) | (imported - set(modules) - _first_party_and_stdlib(imported))
    assert third_party <= set(modules), f"imported at run time but not mapped: {third_party - set(modules)}"
    assert {modules[m] for m in third_party} <= runtime


def _first_party_and_stdlib(names: set[str]) -> set[str]:
    import sys

    return {n for n in names if n in sys.stdlib_module_names or n in {"catalog", "planner", "config"}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, headers=None):
    """GET without following redirects: (status, headers, body)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        conn.request(
            "GET",
            parts.path + (f"?{parts.query}" if parts.query else ""),
            headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https", **(headers or {})},
        )
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_pages_static_files_and_readiness_under_production_settings(redis_url, seeded, tmp_path):
    env = _env(
        DATABASE_URL=database_url_for_subprocesses(),
        REDIS_URL=redis_url,
        STATIC_ROOT=str(tmp_path / "static"),
        CACHE_KEY_PREFIX=f"gunicorn-test-{os.getpid()}",
        API_THROTTLE_ANON="20/minute",
    )
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=BASE, env=env, capture_output=True, text=True
    )
    assert collect.returncode == 0, collect.stderr
    port = _free_port()
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 -- the server writes to it until the test ends
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--forwarded-allow-ips",
            "*",
        ],
        cwd=BASE,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        status, _, body = _get(base + "/readyz")
        assert status == 200, body
        ready = __import__("json").loads(body)
        assert ready["checks"]["database"]["ok"] and ready["checks"]["redis"] == {
            **ready["checks"]["redis"],
            "ok": True,
            "configured": True,
        }
        status, headers, body = _get(base + "/models/deepseek-r1-distill-llama-8b/")
        html = body.decode()
        assert status == 200 and "GPUs that can run this model" in html
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
        css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html)
        assert css, "hashed (manifest) static file name expected in production"
        status, headers, body = _get(base + css.group(1), {"Accept-Encoding": "gzip"})
        assert status == 200 and "max-age=315360000" in headers.get("Cache-Control", "")
        assert (
            _get(base + "/api/v1/plan/?model=deepseek-r1-distill-llama-8b&gpu=nvidia-geforce-rtx-3060-12-gb")[0] == 200
        )
        assert _get(base + "/api/v1/plan/?model=nope")[0] == 400
        assert _get(base + "/no-such-page/")[0] == 404
        status, headers, _ = _get(base + "/", {"X-Forwarded-Proto": "http"})
        assert status == 301 and headers["Location"].startswith("https://")
        # The probes inside the stack: plain http, a host ALLOWED_HOSTS does not name, no proxy header.
        for probe in ("/healthz", "/readyz"):
            assert _get(base + probe, {"Host": "web:8000", "X-Forwarded-Proto": "http"})[0] == 200, probe
        compose = yaml.safe_load((BASE / "docker-compose.yml").read_text())
        check = compose["services"]["web"]["healthcheck"]["test"]
        command = [
            sys.executable if part == "python" else part.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
            for part in check[1:]
        ]  # the compose healthcheck itself, against this server
        assert subprocess.run(command, timeout=15).returncode == 0
        # The anonymous throttle keys on the client address gunicorn sees, whatever X-Forwarded-For claims (issue 17).
        spoofed = [
            _get(base + "/api/v1/gpus/?page_size=1", {"X-Forwarded-For": f"203.0.113.{i}"})[0] for i in range(25)
        ]
        assert 429 in spoofed and spoofed.index(429) <= 20, spoofed
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    output = (tmp_path / "gunicorn.log").read_text()
    assert '"level": "WARNING"' in output and '"logger": "django.request"' in output  # JSON logs on stdout
