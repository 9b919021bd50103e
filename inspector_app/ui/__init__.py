"""The tablet app (PySide6): screens, workers and the app shell.

The only package that imports Qt.  Screens are thin views over the Qt-free
core; every call that touches the disk goes through :mod:`.tasks` (the ledger
worker for the officer's work, the sync worker for sync, each with its own
connection), and camera frames are read and decoded in :mod:`.camera`'s thread,
so the GUI thread never waits on either.
"""
