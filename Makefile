# Press Workbench — every target sets itself up (venv, packages, browser) on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Wheels of what a plain `pip install <this repo>` needs (and pytest, setuptools to build it): tests/plugin installs
# the repository with no extras into a fresh venv offline from here, as a foreign project would use it.
WHEELHOUSE := $(VENV)/wheelhouse

.PHONY: demo test lint docs verify-stripe lab browser install compile bench clean screenshots workshop workshop-install mutation

install: $(STAMP)

# Packages go in with uv (from PyPI, into the venv): it resolves and installs the same versions pip picks in 8 s
# where pip took 64 (BENCHMARKS.md); compiled ahead, as pip does: left to each first import, the first Voilà pages of
# a test run took over 15 s, and a workshop's learners, who cannot write to the venv, would compile at every start.
# --system-certs: the machine's certificate store, which pip trusts too (uv brings its own otherwise).
UV_INSTALL := $(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode --system-certs
UV_REMOVE  := $(BIN)/uv pip uninstall --python $(BIN)/python --quiet

# Re-install only when pyproject.toml changes.  rfc3987-syntax is removed because it
# makes every Jupyter/nbval/Voilà start 2–3 s slower and nothing here needs it (docs/approach.md).
$(STAMP): pyproject.toml $(BIN)/uv
	$(UV_INSTALL) -e '.[notebook,test,docs]'
	-$(UV_REMOVE) rfc3987-syntax
	rm -rf $(WHEELHOUSE)
	$(BIN)/python -m pip download --quiet --dest $(WHEELHOUSE) . pytest 'setuptools>=68'
	touch $(STAMP)

$(BIN)/uv:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'uv>=0.13,<0.14'

# The package byte-compiled ahead in server/ (the venv's modules are at install).  Where PYTHONDONTWRITEBYTECODE is set,
# as on this machine and its CI, or the checkout is not the process's to write (a workshop's learners), every shop,
# sandbox and kernel started would compile it again on import: 0.3 s of CPU each, hundreds of them a test run.
compile: $(STAMP)
	@$(BIN)/python -m compileall -q -j0 server

# Headless Chromium for the browser tests: Debian's /usr/bin/chromium if present, else
# install it with apt when we are root, else Playwright's own download (other machines).
browser: $(STAMP)
	@if [ -x /usr/bin/chromium ]; then echo "browser: /usr/bin/chromium"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "browser: installing Debian's chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "browser: playwright install chromium"; $(BIN)/playwright install chromium; fi

# The shop, its offline sandbox and the Voilà dashboard, with their URLs; Ctrl-C stops all three.
demo: $(STAMP) compile
	$(BIN)/workbench dashboard

# Two workers (pytest-xdist): the JupyterLab and hub tests on one, one at a time, every other file whole on either
# (tests/conftest.py: pytest_xdist_make_scheduler); a plain `pytest` runs the same tests one by one.
test: $(STAMP) compile browser lint workshop-install
	$(BIN)/python -m pytest -n 2 --dist loadscope --no-loadscope-reorder

# The codebase's own rules: ruff (lint and format), the import contracts of pyproject.toml (lint-imports) and a
# docstring on every public module, class, function and Flask view (interrogate, configured in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/interrogate server

# The docs site (docs/about.md): docs/ and the lessons with their committed outputs, offline; a warning fails it.
# make test builds it too (tests/test_docs.py).
docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -q -c docs . docs/_build/html
	@echo "docs: docs/_build/html/index.html"

# The conformance suite, the fidelity report and the purchase flow against real Stripe test mode, with the
# test keys from the environment or .env (live keys are refused).  Report: var/fidelity/report-stripe.md
verify-stripe: $(STAMP) browser
	WORKBENCH_VERIFY_STRIPE=yes $(BIN)/python -m pytest --target=stripe -rs \
	  tests/sandbox tests/fidelity tests/browser/test_checkout.py

# JupyterLab on notebooks/, with the shop running outside the kernels (server/press_workbench/launch/lab.py).
lab: $(STAMP) compile
	$(BIN)/python -m press_workbench.launch.lab

# A real JupyterHub on this machine for a class (docs/workshop.md): each learner signs in with any name and the
# workshop password (WORKSHOP_PASSWORD, generated and printed if unset) on WORKSHOP_PORT (8000); WORKSHOP_IP=0.0.0.0
# for learners on other machines.  JupyterHub and its idle culler come from PyPI (the workshop extra), the proxy
# from npm (Debian's Node.js if npm is missing and we are root); config: deploy/jupyterhub/jupyterhub_config.py.
WORKSHOP_STAMP := $(VENV)/.workshop-installed
HUB_PROXY      := $(VENV)/node/node_modules/.bin/configurable-http-proxy

workshop: workshop-install compile
	$(BIN)/python -m press_workbench.launch.workshop

workshop-install: $(WORKSHOP_STAMP) $(HUB_PROXY)

$(WORKSHOP_STAMP): $(STAMP)
	$(UV_INSTALL) -e '.[workshop]'
	-$(UV_REMOVE) rfc3987-syntax
	touch $(WORKSHOP_STAMP)

$(HUB_PROXY):
	@command -v npm >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  echo "workshop: installing Debian's nodejs and npm" && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; } || \
	  { echo "make workshop needs Node.js and npm (for configurable-http-proxy): install them"; exit 1; }
	npm install --prefix $(VENV)/node --no-audit --no-fund --loglevel=error configurable-http-proxy@5.3.0

# The README's and the docs' screenshots, taken by the browser test that shows the screen (static/screenshots/).
screenshots: $(STAMP) browser workshop-install
	mkdir -p static/screenshots
	WORKBENCH_SCREENSHOTS=static/screenshots $(BIN)/python -m pytest -q tests/notebooks/test_lessons_in_jupyterlab.py -k presenter
	$(BIN)/python -m tests.screenshots.dashboard
	$(BIN)/python -m tests.screenshots.sandbox_console
	WORKBENCH_SCREENSHOTS=static/screenshots $(BIN)/python -m pytest -q tests/hub/test_workshop.py
	WORKBENCH_SCREENSHOTS=static/screenshots $(BIN)/python -m pytest -q tests/browser/test_shop_bank_payments.py \
	  -k "sepa_order or ideal_order"

# Every figure of BENCHMARKS.md in one run (~23 min); BENCH_ARGS=--quick for a smoke run, --fresh-clone to add
# `make test` on a fresh clone, --write-doc to update BENCHMARKS.md.  The bench extra adds matplotlib (the plot).
bench: $(STAMP) browser workshop-install
	$(UV_INSTALL) -e '.[notebook,test,bench]'
	$(BIN)/python -m bench.suite $(BENCH_ARGS)

# Mutation testing of the guards that keep money and state safe (docs/testing.md): cosmic-ray changes each guard
# function on disk, one mutant at a time, in scratch copies with their own editable installs (never this working
# tree), and runs that guard's tests; about 15 minutes on 2 cores.  Report (score, survivors): var/mutation/report.md
mutation: $(STAMP)
	$(UV_INSTALL) -e '.[mutation]'
	$(BIN)/python -m tests.mutation $(MUTATION_ARGS)

clean:
	rm -rf $(VENV) var
