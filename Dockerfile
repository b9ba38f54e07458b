# The planner: one image for the web (gunicorn), the Celery worker and Celery beat.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN groupadd --system planner && useradd --system --gid planner --home-dir /app --shell /usr/sbin/nologin planner

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=planner:planner . .

# Static files are collected (and compressed, with hashed names) at build time. collectstatic needs
# settings but no secrets: a throwaway key that never leaves this build step.
RUN DEBUG=false SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-000000000000 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R planner:planner /app/var

USER planner
EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-", "--forwarded-allow-ips", "*"]
