# The two commands of the README's Quickstart. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
SHELLCHECK := /usr/bin/shellcheck
REDIS := /usr/bin/redis-server
GCC := /usr/bin/gcc
OPENSSL := /usr/include/openssl/ssl.h
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test review bisects pictures

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("dtws needs Python 3.10+ for its harness" if sys.version_info < (3, 10) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[site,test]'
	touch $@

# Debian's packages: chromium for the browser step and tests (Playwright drives it; it
# downloads no browser), shellcheck for the workflow lint test (actionlint runs it),
# redis-server for the cells of a library that needs a Redis (dtws starts one per cell), gcc (and
# libc's headers) for those whose install builds C from source (uWSGI for django-websocket-redis),
# and the headers such a build needs (build_headers in the library's declaration: OpenSSL's for uWSGI).
$(CHROMIUM) $(SHELLCHECK) $(REDIS) $(GCC) $(OPENSSL) &:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium shellcheck redis-server gcc libc6-dev libssl-dev

# The JS the chat pages load: the Socket.IO clients of the python-socketio (4.x) and gevent-socketio
# (0.9.x) pages, the jQuery ws4redis' client needs.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

## run: every local cell of the matrix, the table, then the site built from their records
## (over the site built before, if any: each cell's history goes on, and what changed is marked)
run: $(BIN)/.installed $(CHROMIUM) $(REDIS) $(GCC) $(OPENSSL)
	$(BIN)/python -m dtws run
	$(BIN)/python -m dtws merge results --out build/results --published build/site/results.json
	$(BIN)/python -m dtws site build/results --previous build/site/results.json

## test: the harness's own tests, real cells and a real browser included
test: $(BIN)/.installed $(CHROMIUM) $(SHELLCHECK) $(REDIS) $(GCC) $(OPENSSL) node_modules/.package-lock.json
	$(BIN)/python -m pytest

## review: the hand-written review's cells as of its day (2016-04-19) and the bisects that answer
## its questions (dtws/review.py, as the workflow runs them), put on the site that `make run` built
## (review/, as-of/2016-04-19/, bisect/); some 30 minutes, most of it gevent's 56 releases
REVIEW_DAY := 2016-04-19
REVIEW_CELLS := py27-django18 py27-django19 py33-django18 py33-django19 py34-django18 py34-django19 py35-django19
review: $(BIN)/.installed $(CHROMIUM)
	$(BIN)/python -m dtws run $(REVIEW_CELLS) --as-of $(REVIEW_DAY)
	$(BIN)/python -m dtws merge results-as-of-$(REVIEW_DAY) --as-of $(REVIEW_DAY) --out build/results-as-of-$(REVIEW_DAY)
	$(BIN)/python -m dtws bisect py27-django18 --package gevent --step websocket-server --every
	$(BIN)/python -m dtws bisect py27-django18 --package Django --step check --releases '>=1.8'
	$(BIN)/python -m dtws site build/results --as-of build/results-as-of-$(REVIEW_DAY) --bisect results-bisect

## bisects: each library's first question (dtws/questions.py, as the workflow runs them): the last Django
## release under which its Django server still starts, a bisect of Django on the newest Python that installs
## it, put on its library's page of the site `make run` built (with the review's, when `make review` ran)
bisects: $(BIN)/.installed $(CHROMIUM) $(REDIS) node_modules/.package-lock.json
	$(BIN)/python -m dtws bisect py27-django111-geventsocketio --package Django --step django-server
	$(BIN)/python -m dtws bisect py36-django32-wsredis --package Django --step django-server
	$(BIN)/python -m dtws site build/results $(if $(wildcard build/results-as-of-$(REVIEW_DAY)),--as-of build/results-as-of-$(REVIEW_DAY)) --bisect results-bisect

## pictures: the README's two pictures of the site `make run` built, its front page and its Compare page,
## in Chromium at 1280 px, each cropped to its first screen (pictures/front.png, pictures/compare.png)
pictures: $(BIN)/.installed $(CHROMIUM)
	$(BIN)/python -m dtws pictures --site build/site --out pictures
