"""Where the tablet is, for the check-in: Qt Positioning, or a replayed NMEA log.

The check-in never waits for a fix: the screen shows the latest one (or "no
fix") and signs whatever is known when the officer taps.  A fix older than
:data:`FRESH_MS` is not used: a position from the last enterprise would be
worse than none.  The replay source (``location_source = replay``) reads a
short NMEA log shipped with the app, at its own pace, for demonstrations and
tests; it is recorded as ``nmea_replay`` so no one mistakes it for a real fix.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDateTime, QObject, Signal

if TYPE_CHECKING:
    from inspector_app.domain.location import Location

log = logging.getLogger(__name__)
REPLAY_FILE = Path(__file__).parent / "resources" / "demo-position.nmea"
#: A fix older than this (two minutes) is not signed into a check-in.
FRESH_MS = 120_000
#: Metres of error per unit of HDOP: a typical figure for a consumer GNSS receiver.
#: (Qt reports twice HDOP times this as the horizontal accuracy.)
USER_RANGE_ERROR_M = 2.5


class PositionWatcher(QObject):
    """Keeps the latest fix; ``changed`` is emitted with it (a Location, or None)."""

    changed = Signal(object)

    def __init__(self, mode: str, replay_file: Path = REPLAY_FILE) -> None:
        super().__init__()
        self.mode = mode
        self._replay_file = replay_file
        self._source: Any = None
        self._device: Any = None
        self._fix: Location | None = None
        self._received_ms = 0

    def start(self) -> None:
        """Begin listening (idempotent); without a positioning source, stay at "no fix"."""
        if self._source is None and self.mode != "off":
            self._source = self._make_source()
            if self._source is not None:
                self._source.positionUpdated.connect(self._update)
                self._source.errorOccurred.connect(self._error)
                self._source.startUpdates()

    def stop(self) -> None:
        if self._source is not None:
            self._source.stopUpdates()
            self._source.deleteLater()
            self._source = None

    def latest(self) -> Location | None:
        """The last fix if it is fresh, else None."""
        if self._fix is None:
            return None
        if QDateTime.currentMSecsSinceEpoch() - self._received_ms > FRESH_MS:
            return None
        return self._fix

    def _make_source(self) -> Any:
        from PySide6.QtPositioning import QGeoPositionInfoSource, QNmeaPositionInfoSource

        if self.mode == "replay":
            from PySide6.QtCore import QFile, QIODevice

            source = QNmeaPositionInfoSource(QNmeaPositionInfoSource.UpdateMode.SimulationMode,
                                             self)
            self._device = QFile(str(self._replay_file), self)
            if not self._device.open(QIODevice.OpenModeFlag.ReadOnly):
                log.warning("cannot read the NMEA replay %s", self._replay_file)
                return None
            source.setDevice(self._device)
            source.setUserEquivalentRangeError(USER_RANGE_ERROR_M)
            source.setUpdateInterval(1000)
            return source
        return QGeoPositionInfoSource.createDefaultSource(self)

    def _update(self, info: Any) -> None:
        from PySide6.QtPositioning import QGeoPositionInfo

        from inspector_app.domain.location import Location
        from inspector_protocol.errors import UserError

        coordinate = info.coordinate()
        accuracy = (info.attribute(QGeoPositionInfo.Attribute.HorizontalAccuracy)
                    if info.hasAttribute(QGeoPositionInfo.Attribute.HorizontalAccuracy) else None)
        now = QDateTime.currentMSecsSinceEpoch()
        stamp = info.timestamp()
        # A replay's timestamps are those of the day it was logged: use when it arrived.
        fix_ms = stamp.toMSecsSinceEpoch() if self.mode == "device" and stamp.isValid() else now
        try:
            self._fix = Location(coordinate.latitude(), coordinate.longitude(), accuracy,
                                 "nmea_replay" if self.mode == "replay" else "gnss", fix_ms)
        except UserError:
            return  # nonsense from the receiver: keep the previous fix
        self._received_ms = now
        self.changed.emit(self._fix)

    def _error(self, error: Any) -> None:
        log.info("positioning unavailable: %s", error)
        self.changed.emit(self.latest())


def location_text(fix: Location | None) -> tuple[str, str]:
    """(Chinese, English) for the check-in screen: "位置：… ±8 m" or "无定位"."""
    if fix is None:
        return ("无定位（不影响签到）", "No position fix (check-in goes ahead without it)")
    accuracy = "" if fix.accuracy_m is None else f" ±{round(fix.accuracy_m)} m"
    where = f"{fix.latitude:.5f}, {fix.longitude:.5f}{accuracy}"
    demo = "（演示回放）" if fix.source == "nmea_replay" else ""
    demo_en = " (demo replay)" if fix.source == "nmea_replay" else ""
    return (f"位置：{where}{demo}", f"Position: {where}{demo_en}")
