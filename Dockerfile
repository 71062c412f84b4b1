# syntax=docker/dockerfile:1
# GHT Portal — image de production (web gunicorn, worker et beat Celery, migrations).
# Construire : docker build -t ght-portal .   Lancer : voir docker-compose.yml et .env.example.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# WeasyPrint's run-time libraries (Pango, HarfBuzz, fonts, MIME database) and curl for health checks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        fonts-dejavu-core shared-mime-info curl \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 ght \
    && useradd --system --uid 10001 --gid ght --create-home --home-dir /home/ght --shell /usr/sbin/nologin ght

WORKDIR /app

# Dependencies first, in their own layer: rebuilt only when pyproject.toml or constraints.txt change.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The application. settings.BASE_DIR is the folder above the ght_portal package, so the code must run
# from /app (where templates/ and static/ are), not from site-packages: PYTHONPATH puts /app first.
COPY . .
RUN pip install --no-cache-dir -c constraints.txt . \
    && rm -rf build ./*.egg-info
ENV PYTHONPATH=/app \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media

# Static files collected (hashed, compressed) at build time. Importing the settings does not connect
# to PostgreSQL or Redis, so throwaway values are enough; they are not kept in the image's environment.
RUN GHT_ENV=production \
    DJANGO_SECRET_KEY=collectstatic-only-this-is-not-a-secret-used-at-run-time-0123456789 \
    DJANGO_ALLOWED_HOSTS=localhost \
    SITE_URL=https://localhost \
    DATABASE_URL=postgres://build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput \
    && mkdir -p /data/media \
    && chown ght:ght /data/media

ENV GHT_ENV=production
USER ght
EXPOSE 8000
CMD ["gunicorn", "ght_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
