"""Rule families: pure functions from probed facts and request fields to findings.

A rule never opens a file. Each family module has one `check` entry point for the rules that
`preflight.registry` declares in the module of the same name.
"""
