# Two commands from a fresh clone (each sets up what it needs, and is safe to run twice):
#   make serve    build the real site (GPT-2 from the Hugging Face Hub) and serve it locally
#   make test     run the whole test suite
# Options: make serve MODEL=path/to/checkpoint PORT=8000; make bench MODEL=path/to/checkpoint VARIANT=q4

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MODEL ?= openai-community/gpt2
PORT ?= 8000
VARIANT ?= auto

.PHONY: setup setup-build serve build test bench chromium clean

setup: $(VENV)/.installed node_modules/.installed
setup-build: $(VENV)/.build-installed node_modules/.installed

# pyproject.toml's dependency groups: "build" makes the site, "test" adds the test tools.
$(VENV)/.build-installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=25.1"
	$(PY) -m pip install -q --group build
	touch $@

$(VENV)/.installed: $(VENV)/.build-installed
	$(PY) -m pip install -q --group test
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

build: setup-build
	$(PY) build.py --model "$(MODEL)"

serve: setup-build
	$(PY) build.py serve --model "$(MODEL)" --port $(PORT)

# Browser tests drive Debian's Chromium; install it when it is missing and we may.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "error: chromium is missing; install it (sudo apt-get install chromium) or set CHROMIUM=/path"; exit 1; fi; }

test: setup chromium
	$(PY) -m pytest

bench: setup chromium
	$(PY) benchmarks/run.py --model "$(MODEL)" --variant "$(VARIANT)"

clean:
	rm -rf dist .cache
