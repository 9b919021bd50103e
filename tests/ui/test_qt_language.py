"""Qt's own words in Chinese (standard buttons, file dialogs) and file dialogs that open in
the officer's documents folder, not the program's."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from inspector_app.ui.qt_language import file_dialog
from inspector_app.ui.tablet_app import App


def _cancel_text() -> str:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    text = box.button(QDialogButtonBox.StandardButton.Cancel).text()
    box.deleteLater()
    return text


def test_standard_buttons_follow_the_language_at_run_time(qtbot: QtBot, gui: App) -> None:
    assert gui.ctx.qt_language is not None and gui.ctx.qt_language.installed >= 1
    assert "取消" in _cancel_text()
    gui.window.set_preferences(gui.ctx.preferences.with_value("language", "en"))
    assert "Cancel" in _cancel_text()
    gui.window.set_preferences(gui.ctx.preferences.with_value("language", "zh"))
    assert "取消" in _cancel_text()


def test_a_file_dialog_speaks_chinese_and_opens_in_the_documents_folder(
        qtbot: QtBot, gui: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    dialog = file_dialog(gui.window, "选择图片文件", "图片 (*.jpg *.png)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    assert Path(dialog.directory().absolutePath()) == home / "Documents"
    texts = " ".join(b.text() for b in dialog.findChildren(QPushButton))
    assert "取消" in texts and "Cancel" not in texts
    dialog.deleteLater()


def test_the_window_fits_the_screen_it_opens_on(gui: App) -> None:
    from PySide6.QtWidgets import QApplication

    from inspector_app.ui.tablet_app import initial_size

    screen = QApplication.primaryScreen()
    assert screen is not None
    free = screen.availableGeometry().size()
    size = initial_size(gui.qt)
    assert size.width() <= free.width() and size.height() <= free.height()
    assert size.width() <= 1280 and size.height() <= 800
