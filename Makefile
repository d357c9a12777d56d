# The README's two commands, `make demo` and `make test`, set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint fixtures catalogue clean bench fuzz messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,faces]'
	touch $(STAMP)

DEMO_PREFIX := https://bucket.cos.ap-guangzhou.myqcloud.com/customer-pipeline/1234567890/0b7e4c62-1f2a-4c3b-9d8e-5a6f7b8c9d0e

demo: $(STAMP)
	@echo "== requests that pass (exit code 0)"
	$(BIN)/preflight check fixtures/requests/pass --emit-request build/demo --cos-prefix $(DEMO_PREFIX)
	@echo
	@echo "== the request body preflight would submit for one of them"
	cat build/demo/instant-avatar.json
	@echo
	@echo "== and the zero-shot reference audio's, for zeroshotservice/detectaudioquality"
	cat build/demo/zero-shot.json
	@echo
	@echo "== requests that fail (exit code 1)"
	$(BIN)/preflight check fixtures/requests/fail || test $$? -eq 1
	@echo
	@echo "== preflight fix: conforming copies and manifests in build/fixed (the inputs untouched),"
	@echo "== checked again; what still needs a person, and why (exit code 1)"
	rm -rf build/fixed
	$(BIN)/preflight fix fixtures/requests/fail --out build/fixed || test $$? -eq 1
	@echo
	@echo "== the visual report of all of them, and its screenshot (headless Chromium)"
	$(BIN)/preflight check fixtures/requests --cos-prefix $(DEMO_PREFIX) --format html --output build/demo/report.html || test $$? -eq 1
	$(BIN)/python tests/helpers/browser.py build/demo/report.html build/demo/report.png

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check preflight tests fixtures bench
	$(BIN)/ruff format --check preflight tests fixtures bench
	$(BIN)/mypy

fixtures: $(STAMP)
	$(BIN)/python fixtures/generate.py

# The full differential matrix (the probe against ffmpeg, zipfile and Pillow on ~200 generated
# files), then mutate real files through every probe and rule for FUZZ_SECONDS (neither is all
# of `make test`); failing inputs are kept in build/fuzz/failures/.
FUZZ_SECONDS ?= 300
fuzz: $(STAMP)
	PREFLIGHT_DIFFERENTIAL=full $(BIN)/python -m pytest -q tests/differential
	$(BIN)/python tests/robustness/fuzz.py --seconds $(FUZZ_SECONDS)

# Time preflight against its peers (apt-installed when missing and possible) and against the
# preflight of BASELINE (a git revision), side by side in one run: bench/results.md.
BASELINE ?= 6899c2a
bench: $(STAMP)
	$(BIN)/python bench/run.py --install-peers --baseline $(BASELINE)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Rewrite preflight/catalogue.py and the README's rule table from the rules (a test checks
# that they agree).
catalogue: $(STAMP)
	$(BIN)/python -m preflight.reporters.catalogue

# Extract the messages (Babel), merge them into preflight/locale/*/LC_MESSAGES/preflight.po and
# compile the .mo that the wheel ships; it lists the messages still untranslated.
messages: $(STAMP)
	$(BIN)/python -m preflight.translations
