"""Bundled checklist templates (``*.json``, format ``inspector-checklist/1``)."""
