# Two commands from a fresh clone (each sets up what it needs, and is safe to run twice):
#   make serve    build the real site (GPT-2 from the Hugging Face Hub) and serve it locally
#   make test     run the whole test suite
# Options: make serve MODEL=path/to/checkpoint PORT=8000 (MODEL=random: random weights, no Hub needed);
#          make bench MODEL=path/to/checkpoint VARIANT=q4

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MODEL ?= openai-community/gpt2
PORT ?= 8000
VARIANT ?= auto

.PHONY: setup setup-build serve build test bench browsers clean

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

# Browser tests drive Debian's Chromium, Firefox ESR and WebKitGTK (WebKitWebDriver, under Xvfb);
# install whichever is missing when we may.
BROWSER_PACKAGES := chromium firefox-esr webkit2gtk-driver xvfb xauth
browsers:
	@missing=""; for c in chromium:chromium firefox-esr:firefox-esr WebKitWebDriver:webkit2gtk-driver xvfb-run:xvfb; do \
	  command -v $${c%%:*} >/dev/null 2>&1 || missing="$$missing $${c#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	  else echo "error: missing browser packages:$$missing; install them (sudo apt-get install $(BROWSER_PACKAGES))"; exit 1; fi; fi

test: setup browsers
	$(PY) -m pytest

bench: setup browsers
	$(PY) benchmarks/run.py --model "$(MODEL)" --variant "$(VARIANT)"

clean:
	rm -rf dist .cache
