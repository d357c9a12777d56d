"""Renderers of one Report (or of the inspections, or of the catalogue). `formats` holds the
name → reporter tables; this package's own import stays empty so that `preflight rules`
loads only the catalogue."""
