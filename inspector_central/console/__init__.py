"""The oversight console: accounts, rules as data, warnings, pages and their JSON twins.

See ``docs/console.md``.  ``inspector_central.console.web.install_console`` adds the
routes to the app; ``inspector_central.console.facts.record_ingested`` is the ingest hook.
"""
