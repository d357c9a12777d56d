"""`preflight fix`: conforming copies of failing material and a rewritten manifest.

plan (pure: facts and findings → one plan per file, or why not) → run (ffmpeg and the zip
writer execute the plans under --out, then the engine checks the copies again) → the report
of before and after (preflight.fix.report)."""
