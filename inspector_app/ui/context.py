"""What every screen is given: language, task runner, session, navigation, profile.

One object instead of many constructor arguments, built by the app shell
(:mod:`.app`) and by the tests the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from inspector_app.platform.settings import Preferences
from inspector_app.ui.i18n import LanguageState
from inspector_app.ui.session import Session
from inspector_app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from inspector_app.profile import Profile
    from inspector_app.scanning.sources import FrameSource
    from inspector_app.ui.positioning import PositionWatcher
    from inspector_app.ui.qt_language import QtLanguage
    from inspector_app.ui.sync_driver import SyncDriver


class Navigator(Protocol):
    def go(self, screen: str, **params: Any) -> None: ...

    def report(self, error: BaseException) -> None: ...

    def set_preferences(self, preferences: Preferences) -> None: ...

    def resume(self, credential: str) -> None: ...


#: Makes a frame source for the scan screen's camera worker; called on the camera thread.
SourceFactory = Callable[[], "FrameSource"]


@dataclass
class AppContext:
    data_dir: Path
    lang: LanguageState
    tasks: TaskRunner
    session: Session
    nav: Navigator
    preferences: Preferences
    sync: SyncDriver
    #: The installed profile, known once the worker has opened the workspace.
    profile: Profile | None = None
    #: Extra frame sources offered on the scan screen, by label (tests, demos).
    extra_sources: dict[str, SourceFactory] = field(default_factory=dict)
    #: Frames per second when replaying a video file (a real camera sets its own pace).
    replay_fps: float = 15.0
    #: The camera used for evidence photos: None when there is none (or not yet looked for).
    camera_index: int | None = None
    cameras_known: bool = False
    #: Position fixes for check-ins (made by the check-in screen, on first use).
    position: PositionWatcher | None = None
    #: Qt's own translations (standard dialogs), following the language.
    qt_language: QtLanguage | None = None
