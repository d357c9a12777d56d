"""Rule families: pure functions from probed facts and request fields to findings.

A rule never opens a file. Each family module declares its `Rule`s in `RULES` and one
`check` entry point; `preflight.registry` lists the families explicitly.
"""
