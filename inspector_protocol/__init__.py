"""What crosses the wire between the tablet and the central endpoint, and nothing else.

Canonical form, signed envelopes, domain-separation tags, key encodings, event
types and time evidence, the sync protocol's limits and statements, checkpoints,
bundles, the printed QR formats (QY1, ZF1, the visit receipt), USCC, bilingual
text and the error kinds.  No Qt, no SQLite, no HTTP client or server: both the
tablet (``inspector_app``) and the central endpoint (``inspector_central``) build
on this package, and neither depends on the other.
"""
