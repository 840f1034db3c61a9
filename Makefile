# The README's two commands are `make demo` and `make test`; the rest are for development.
.PHONY: setup demo run test lint format migrate messages bench faults scaleout ci backup restore

setup:
	scripts/setup

demo: setup  ## install, load the demo consultation, serve it at http://127.0.0.1:8000/
	.venv/bin/python manage.py migrate --noinput -v 0
	.venv/bin/python manage.py load_demo
	.venv/bin/honcho -f Procfile.dev start

run: setup
	.venv/bin/python manage.py migrate --noinput -v 0
	.venv/bin/honcho -f Procfile.dev start


# Two processes, a test file each at a time (pytest-xdist); PYTEST_ARGS replaces this.
PYTEST_ARGS ?= -n 2 --dist loadfile

test: setup  ## the whole suite; PostgreSQL when DATABASE_URL is set, Redis when REDIS_URL is
	.venv/bin/python -m pytest $(PYTEST_ARGS)

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

migrate:
	.venv/bin/python manage.py migrate

backup:  ## one archive of the database and every media file in backups/ (or FILE=...)
	.venv/bin/python manage.py backup $(if $(FILE),--output "$(FILE)")

restore:  ## make restore FILE=backups/portal-....tar.gz: into an empty database (FORCE=1 replaces)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/portal-<time>.tar.gz"; exit 2; }
	.venv/bin/python manage.py restore "$(FILE)" $(if $(FORCE),--force)

messages:
	.venv/bin/python manage.py makemessages -l km --ignore=.venv --ignore=node_modules --ignore=data
	.venv/bin/python manage.py makemessages -d djangojs -l km --ignore=.venv --ignore=node_modules --ignore=data --ignore=static/vendor

bench:
	bench/run

faults:  ## fault injection on its own PostgreSQL, Redis, gunicorn and Celery (a few minutes; not in CI)
	PYTHONPATH=$(CURDIR) .venv/bin/python bench/faults.py $(FAULTS_ARGS)

scaleout:  ## two web servers and two workers on one PostgreSQL, Redis and S3 (moto), all its own; not in CI
	PYTHONPATH=$(CURDIR) .venv/bin/python bench/scaleout.py $(SCALEOUT_ARGS)

ci:
	bash .ci/run
