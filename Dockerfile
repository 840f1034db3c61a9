# The portal's production image: the same Debian packages as `scripts/setup`,
# the locked Python dependencies, static files collected at build time.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 libicu-dev pkg-config gettext build-essential nodejs npm \
      postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
# The whole tree before installing: the package's apps are listed in pyproject.toml, and a
# partial copy would install a partial package.
COPY . .
RUN pip install -c constraints.txt .
RUN mkdir -p static/vendor/fonts \
 && cp node_modules/htmx.org/dist/htmx.min.js static/vendor/ \
 && cp node_modules/axe-core/axe.min.js static/vendor/ \
 && cp /usr/share/fonts/truetype/noto/NotoSansKhmer-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansKhmer-Bold.ttf static/vendor/fonts/ \
 && python manage.py compilemessages -v 0 \
 && SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput -v 0

RUN useradd --create-home portal && mkdir -p /app/data && chown portal /app/data
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "3", "--timeout", "60"]
