# Two commands from a fresh clone (each sets up what it needs, and is safe to run twice):
#   make serve    build the real site (GPT-2 from the Hugging Face Hub) and serve it locally
#   make test     run the whole test suite
# Options: make serve MODEL=path/to/checkpoint PORT=8000 REVISION=hub-commit (MODEL=random: random
#          weights, no Hub needed); make bench MODEL=path/to/checkpoint VARIANT=q4

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MODEL ?= openai-community/gpt2
PORT ?= 8000
VARIANT ?= auto

.PHONY: setup setup-build serve build test bench browsers lock clean

setup: $(VENV)/.installed node_modules/.installed
setup-build: $(VENV)/.build-installed node_modules/.installed

# pyproject.toml's dependency groups, locked with hashes (make lock): "build" makes the site,
# "test" adds the test tools. torch's CPU wheel comes alone from PyTorch's CPU index
# (TORCH_INDEX, used for that one package); everything else from PyPI, every file checked
# against its hash.
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
LOCKS := requirements/torch.lock requirements/build.lock requirements/test.lock

$(VENV)/.build-installed: requirements/torch.lock requirements/build.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes --no-deps --index-url $(TORCH_INDEX) -r requirements/torch.lock
	$(PY) -m pip install -q --require-hashes -r requirements/build.lock
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed: $(VENV)/.build-installed requirements/test.lock
	$(PY) -m pip install -q --require-hashes -r requirements/test.lock
	touch $@

# Re-lock after changing pyproject.toml's dependency groups (needs uv: pip install uv==0.13.8;
# where PyTorch's index is unreachable, TORCH_LINKS=DIR names a folder holding its wheel).
UV_COMPILE := $(PY) -m uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" \
	--find-links $(TORCH_LINKS)
TORCH_LINKS ?= $(TORCH_INDEX)/torch/
lock:
	@# torch alone (uv's --no-deps drops the hashes, so resolve, then keep torch's entry)
	(echo "# torch's CPU build alone, with its hash: written by make lock"; \
	  $(UV_COMPILE) --no-header requirements/torch.in | awk '/^[^ #]/ { keep = /^torch==/ } keep') > requirements/torch.lock
	grep -q '^torch==' requirements/torch.lock
	$(UV_COMPILE) pyproject.toml --group build --override requirements/torch.in --no-emit-package torch -o requirements/build.lock
	$(UV_COMPILE) pyproject.toml --group test --override requirements/torch.in --no-emit-package torch -o requirements/test.lock

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

build: setup-build
	$(PY) build.py --model "$(MODEL)" --revision "$(REVISION)"

serve: setup-build
	$(PY) build.py serve --model "$(MODEL)" --revision "$(REVISION)" --port $(PORT)

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

# The whole suite in Chromium, then every test that drives a page through the engine driver
# (end-to-end, playground, embed, offline, the driver's own) in Firefox and WebKit. Both
# parts always run; the target fails if either does.
ENGINE_TESTS := tests/engines tests/e2e tests/playground tests/runtime
test: setup browsers
	@NEXTTOKEN_ENGINES=chromium $(PY) -m pytest; chromium=$$?; \
	NEXTTOKEN_ENGINES=firefox,webkit $(PY) -m pytest -k "firefox or webkit" $(ENGINE_TESTS); others=$$?; \
	echo "make test: Chromium suite exit $$chromium, Firefox and WebKit exit $$others"; \
	test $$chromium -eq 0 && test $$others -eq 0

bench: setup browsers
	$(PY) -m benchmarks.run --model "$(MODEL)" --variant "$(VARIANT)"

clean:
	rm -rf dist .cache
