# UMKM Virtual Expo — the two commands a newcomer needs:
#   make run    install, migrate, load the demo expo and serve on http://127.0.0.1:8000
#   make test   install, start the real services, run ruff and the whole suite, stop the services
SHELL := /bin/bash
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# E-mail links and the site's domain follow the address served on (`make run PORT=8101`); the
# migrate step writes the domain (expo/sites.py), so it needs the address too.
export SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test setup setup-test migrate demo serve services-start services-stop messages lint format clean

setup:
	@scripts/bootstrap.sh run

setup-test:
	@scripts/bootstrap.sh test

migrate: setup
	@$(PY) manage.py migrate --noinput -v0

demo: migrate
	@$(PY) manage.py seed_demo

run: demo
	@scripts/serve.sh $(HOST) $(PORT)

serve:
	@scripts/serve.sh $(HOST) $(PORT)

test: setup-test
	@scripts/test.sh

services-start: setup-test
	@scripts/services.sh start

services-stop:
	@scripts/services.sh stop

messages: setup
	@$(PY) manage.py makemessages -l id --ignore=.venv --ignore=tests --ignore=bench -v0
	@$(PY) manage.py makemessages -d djangojs -l id --ignore=.venv --ignore=staticfiles -v0
	@$(PY) manage.py compilemessages -v0 --ignore=.venv

lint:
	@.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports

format:
	@.venv/bin/ruff check --fix . && .venv/bin/ruff format .

clean:
	rm -rf .venv db.sqlite3* huey.sqlite3* media staticfiles .services
