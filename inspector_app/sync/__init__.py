"""Sync with the central endpoint: protocol constants, the client, its persisted state.

Qt-free and light to import: ``requests`` and the ledger are imported by the
modules that need them, so the tablet app's start-up does not pay for them.
"""
