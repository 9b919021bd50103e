"""The signed, hash-chained, append-only visit ledger in SQLite (BRIEF §5)."""
