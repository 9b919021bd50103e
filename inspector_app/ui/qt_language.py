"""Qt's own words in the officer's language, and file dialogs that open where files are.

Qt's standard dialogs and buttons (a file dialog's "Open" and "Cancel", a message box's
"Yes") come with Qt's own translations: ``qtbase_zh_CN`` from the translations folder
that PySide6 ships.  It is installed while the app speaks Chinese and removed for
English, at run time, with the rest of the language switch; the default locale follows
so that Qt's dates and numbers read the same way.

A file dialog opened with no folder starts in the program's working folder (on a tablet,
the install folder): :func:`documents_folder` is where an officer's files are.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QStandardPaths, QTranslator
from PySide6.QtWidgets import QFileDialog, QWidget

log = logging.getLogger(__name__)

#: Qt's catalogues for Simplified Chinese (the standard dialogs and widgets).
CATALOGUES = ("qtbase_zh_CN",)


class QtLanguage:
    """Installs and removes Qt's own Chinese catalogues as the app's language changes."""

    def __init__(self) -> None:
        self._installed: list[QTranslator] = []

    def remove(self) -> None:
        """Take this app's catalogues out again (closing the app; a language change)."""
        app = QCoreApplication.instance()
        for translator in self._installed:
            if app is not None:
                app.removeTranslator(translator)
            translator.deleteLater()
        self._installed = []

    def apply(self, lang: str) -> None:
        app = QCoreApplication.instance()
        if app is None:
            return
        self.remove()
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China)
                           if lang == "zh" else QLocale(QLocale.Language.English,
                                                        QLocale.Country.UnitedKingdom))
        if lang != "zh":
            return
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        for name in CATALOGUES:
            translator = QTranslator(app)
            if translator.load(name, folder):
                app.installTranslator(translator)
                self._installed.append(translator)
            else:  # an environment problem, not a reason to stop: the words stay English
                log.warning("Qt's translation %s was not found in %s", name, folder)

    @property
    def installed(self) -> int:
        return len(self._installed)


def documents_folder() -> str:
    """The user's documents folder (created by the system), else their home folder."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return found if found and Path(found).is_dir() else str(Path.home())


def file_dialog(parent: QWidget, title: str, name_filter: str) -> QFileDialog:
    """An open-file dialog in the documents folder, in the app's language."""
    dialog = QFileDialog(parent, title, documents_folder(), name_filter)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    return dialog


def choose_file(parent: QWidget, title: str, name_filter: str) -> Path | None:
    dialog = file_dialog(parent, title, name_filter)
    if not dialog.exec():
        return None
    chosen = dialog.selectedFiles()
    return Path(chosen[0]) if chosen else None
