FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PLAYWRIGHT_CHROMIUM=/usr/bin/chromium
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core poppler-utils postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The run-time packages exactly as locked (uv.lock, exported by `make lock`): every file's hash is
# checked and nothing outside the list is pulled in.
COPY deploy/requirements.txt deploy/requirements.txt
RUN pip install --no-cache-dir --require-hashes --no-deps -r deploy/requirements.txt
COPY . .
# Static files named by a hash of their content and gzipped once, at build time; the app then
# serves them from there alone (docs/deployment.md, "Static files").
ENV DJANGO_STATIC_COLLECTED=1
RUN DJANGO_SECRET_KEY=build python manage.py collectstatic --noinput
# The app's own modules compiled once here (pip compiled the packages'): the image writes no
# bytecode at run time, so otherwise every process would compile them again as it starts.
RUN python -m compileall -q -j 0 -x '/(tests|scripts|\.venv)/' /app
# The web app, the worker and beat run as a user who owns nothing of the app but var/ (uploads,
# logs); its own home is writable, for Chromium's profile files when it prints a PDF.
RUN useradd --system --uid 10001 --create-home --home-dir /home/outturn --shell /usr/sbin/nologin outturn \
    && mkdir -p /app/var && chown -R outturn /app/var
USER outturn
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz?check=web', timeout=4)"
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
