"""Colours, type sizes and touch sizes: one style sheet built from the preferences.

Widgets never set colours themselves; they carry a ``role`` or ``tone``
property (``primary`` button, ``card`` frame, ``error`` message) and the style
sheet gives each a look.  The sunlight theme is white and yellow on black with
thick outlines, readable on a tablet in direct sun.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

#: The font with Simplified Chinese glyph forms (others make Qt pick Japanese ones).
FONT_FAMILY = "Noto Sans CJK SC"
#: Smallest touch target, in pixels (gloved fingers).
TOUCH_PX = 56
#: Scroll bars only show where one is: the content itself is dragged (see :mod:`.touch`).
SCROLL_BAR_PX = 20
BASE_PX = {"normal": 17, "large": 20, "huge": 24}


@dataclass(frozen=True)
class Palette:
    background: str
    surface: str
    text: str
    muted: str
    border: str
    primary: str
    on_primary: str
    ok: str
    warn: str
    warn_surface: str
    error: str
    error_surface: str
    border_px: int
    #: Text and outline of a control that cannot be used now: plainly not the active look.
    disabled: str
    disabled_surface: str


STANDARD = Palette("#eef1f5", "#ffffff", "#111418", "#4a5260", "#b9c0cc", "#0b4f9c", "#ffffff",
                   "#0a6b2f", "#7a4f00", "#fff1c9", "#a3001b", "#ffe3e6", 1, "#6b7380", "#d3d8df")
SUNLIGHT = Palette("#000000", "#000000", "#ffffff", "#e8e8e8", "#ffffff", "#ffd500", "#000000",
                   "#5cff8a", "#ffd500", "#2a2200", "#ff8a8a", "#2a0000", 3, "#8c8c8c", "#000000")


def apply_theme(app: QApplication, theme: str, text_size: str) -> None:
    base = BASE_PX.get(text_size, BASE_PX["large"])
    font = QFont(FONT_FAMILY)
    font.setPixelSize(base)
    app.setFont(font)
    app.setStyleSheet(style_sheet(SUNLIGHT if theme == "sunlight" else STANDARD, base))


def style_sheet(p: Palette, base: int) -> str:
    big, title, timer = round(base * 1.35), round(base * 1.6), round(base * 3.6)
    display = round(base * 2.4)  # the officer's name and number, read by a guard a step away
    return f"""
* {{ font-family: "{FONT_FAMILY}"; font-size: {base}px; color: {p.text}; }}
QMainWindow, QStackedWidget, QScrollArea, QScrollArea > QWidget > QWidget,
QWidget#screen {{ background: {p.background}; }}
QFrame[role="card"] {{ background: {p.surface}; border: {p.border_px}px solid {p.border};
    border-radius: 10px; }}
QFrame[role="actions"] {{ background: {p.surface}; border-top: {p.border_px}px solid {p.border}; }}
QFrame[role="bar"] {{ background: {p.surface}; border-bottom: {p.border_px}px solid {p.border}; }}
QLabel {{ background: transparent; }}
QLabel[role="title"] {{ font-size: {title}px; font-weight: bold; }}
QLabel[role="heading"] {{ font-size: {big}px; font-weight: bold; }}
QLabel[role="muted"] {{ color: {p.muted}; }}
QLabel[role="display"] {{ font-size: {display}px; font-weight: bold; }}
QFrame[role="cover"] {{ background: {p.background}; }}
QLabel[role="timer"] {{ font-size: {timer}px; font-weight: bold; color: {p.primary}; }}
QLabel[tone="ok"] {{ color: {p.ok}; font-weight: bold; }}
QLabel[tone="warn"] {{ color: {p.warn}; background: {p.warn_surface}; padding: 8px;
    border-radius: 6px; }}
QLabel[tone="error"] {{ color: {p.error}; background: {p.error_surface}; padding: 8px;
    border-radius: 6px; font-weight: bold; }}
QPushButton, QToolButton {{ min-height: {TOUCH_PX}px; min-width: {TOUCH_PX}px; padding: 4px 18px;
    background: {p.surface}; border: {max(p.border_px, 2)}px solid {p.border};
    border-radius: 8px; }}
QPushButton:focus, QToolButton:focus, QLineEdit:focus, QComboBox:focus, QListWidget:focus,
QTableView:focus, QSpinBox:focus, QPlainTextEdit:focus, QDateEdit:focus, QSlider:focus {{
    border: 3px solid {p.primary}; }}
QPushButton:checked {{ background: {p.primary}; color: {p.on_primary}; border-color: {p.primary}; }}
QPushButton:disabled, QToolButton:disabled {{ color: {p.disabled}; background: {p.disabled_surface};
    border: 2px dashed {p.disabled}; }}
QLineEdit:disabled, QComboBox:disabled {{ color: {p.disabled}; border-style: dashed; }}
QPushButton[role="primary"] {{ background: {p.primary}; color: {p.on_primary};
    border-color: {p.primary}; font-weight: bold; }}
QPushButton[role="huge"] {{ background: {p.primary}; color: {p.on_primary}; font-size: {title}px;
    font-weight: bold; min-height: {TOUCH_PX * 2}px; border-radius: 14px; }}
QPushButton[role="danger"] {{ color: {p.error}; border-color: {p.error}; }}
QPushButton[role="primary"]:disabled, QPushButton[role="huge"]:disabled {{
    background: {p.disabled_surface}; color: {p.disabled}; border: 2px dashed {p.disabled};
    font-weight: normal; }}
QPushButton[failing="true"] {{ background: {p.error}; color: {p.surface}; border-color: {p.error}; }}
QLineEdit, QComboBox, QSpinBox, QDateEdit, QPlainTextEdit {{ min-height: {TOUCH_PX - 8}px;
    background: {p.surface}; border: {max(p.border_px, 2)}px solid {p.border};
    border-radius: 6px; padding: 0 10px; }}
QWidget[gloves="true"] QLineEdit, QWidget[gloves="true"] QComboBox,
QWidget[gloves="true"] QSpinBox, QWidget[gloves="true"] QDateEdit {{ min-height: {TOUCH_PX - 4}px; }}
QAbstractSpinBox QLineEdit, QComboBox QLineEdit,
QWidget[gloves="true"] QAbstractSpinBox QLineEdit, QWidget[gloves="true"] QComboBox QLineEdit {{
    border: none; min-height: 0; padding: 0 0 0 8px; background: transparent; }}
QLineEdit[invalid="true"] {{ border: 3px solid {p.error}; }}
QLineEdit[valid="true"] {{ border: 3px solid {p.ok}; }}
QComboBox {{ combobox-popup: 0; }}
QWidget[gloves="true"] QComboBox::drop-down {{ width: {TOUCH_PX}px;
    border-left: {max(p.border_px, 2)}px solid {p.border}; }}
QComboBox QAbstractItemView {{ background: {p.surface}; selection-background-color: {p.primary};
    selection-color: {p.on_primary}; border: {max(p.border_px, 2)}px solid {p.text};
    outline: none; }}
QComboBox QAbstractItemView::item {{ min-height: {TOUCH_PX}px; padding: 0 12px; }}
QWidget[gloves="true"] QDateEdit::drop-down {{ width: {TOUCH_PX}px; }}
QWidget[gloves="true"] QSpinBox::up-button, QWidget[gloves="true"] QSpinBox::down-button {{
    width: 0; border: none; }}
QListWidget, QTableView {{ background: {p.surface}; border: {p.border_px}px solid {p.border};
    border-radius: 8px; gridline-color: {p.border}; selection-background-color: {p.primary};
    selection-color: {p.on_primary}; }}
QListWidget::item {{ min-height: {TOUCH_PX}px; padding: 4px 8px; }}
QMenu {{ background: {p.surface}; border: {max(p.border_px, 2)}px solid {p.text}; }}
QMenu::item {{ min-height: {TOUCH_PX - 24}px; padding: 12px 28px; }}
QToolTip {{ background: {p.surface}; color: {p.text}; border: 2px solid {p.text}; padding: 6px; }}
QMenu::item:selected {{ background: {p.primary}; color: {p.on_primary}; }}
QHeaderView::section {{ background: {p.background}; padding: 6px; border: none;
    border-bottom: {p.border_px}px solid {p.border}; font-weight: bold; }}
QScrollBar:vertical {{ width: {SCROLL_BAR_PX}px; background: {p.background}; }}
QScrollBar:horizontal {{ height: {SCROLL_BAR_PX}px; background: {p.background}; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; border: none; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}
QScrollBar::handle:horizontal {{ background: {p.border}; min-width: 60px; border-radius: 8px; }}
QScrollBar::handle:vertical {{ background: {p.border}; min-height: 60px; border-radius: 8px; }}
QCheckBox {{ min-height: {TOUCH_PX}px; spacing: 12px; }}
QTabBar::tab {{ min-height: {TOUCH_PX - 8}px; min-width: 120px; padding: 4px 24px;
    background: {p.background}; border: {p.border_px}px solid {p.border}; }}
QTabBar::tab:selected {{ background: {p.primary}; color: {p.on_primary}; }}
QProgressBar {{ min-height: 24px; border: {p.border_px}px solid {p.border}; border-radius: 6px;
    text-align: center; }}
QProgressBar::chunk {{ background: {p.primary}; }}
QCheckBox::indicator {{ width: 32px; height: 32px; }}
QSlider {{ min-height: {TOUCH_PX}px; }}
QSlider::groove:horizontal {{ height: 10px; background: {p.border}; border-radius: 5px; }}
QSlider::handle:horizontal {{ width: 44px; margin: -18px 0; background: {p.primary};
    border-radius: 22px; }}
"""
