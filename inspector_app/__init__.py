"""Offline-first field inspector (入企扫码): the Qt-free core and its front ends."""

__version__ = "0.1.0"
