# The README's two commands, `make demo` and `make test`, set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint fixtures clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@echo "== a request that passes"
	-$(BIN)/preflight check fixtures/requests/pass
	@echo
	@echo "== a request that fails"
	-$(BIN)/preflight check fixtures/requests/fail
	@echo
	@echo "== the request body for the passing one, as JSON"
	-$(BIN)/preflight check fixtures/requests/pass/instant-avatar --format json --cos-prefix https://bucket.cos.ap-guangzhou.myqcloud.com/customer-pipeline/1234567890/0b7e4c62-1f2a-4c3b-9d8e-5a6f7b8c9d0e

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check preflight tests fixtures
	$(BIN)/ruff format --check preflight tests fixtures
	$(BIN)/mypy

fixtures: $(STAMP)
	$(BIN)/python fixtures/generate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
