"""Shared test set-up: tests make their media with tests/media.py, never mocks."""
