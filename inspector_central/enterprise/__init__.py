"""The enterprise's side of the central endpoint (docs/enterprise.md).

The receipt QR opens the visit on the enterprise's phone (:mod:`.records`,
:mod:`.web`); the enterprise rates it anonymously (:mod:`.ratings`), complains to
the oversight office (:mod:`.complaints`, :mod:`.photos`), reads its own archive
with an access code (:mod:`.access`) and is told of new visits (:mod:`.notify`).
The oversight console reads ratings and complaints through the store functions
of :mod:`.ratings` and :mod:`.complaints`, never through the pages.
"""
