"""The logs screen's filters: one compact row, the rarer yes/no filters behind "More filters".

Every vertical pixel of the logs screen is a visit row the team lead does not
see, so the search box and the four choices share one row (two on a portrait
tablet) and keep a fixed width whatever their longest entry (a department's
full name would otherwise widen its box past the row); the open list shows
names in full.  The status choice and the three check boxes sit on a second row
shown on demand; the button says how many of them are on while the row is hidden.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QWidget

from inspector_app.services.log_columns import LogColumns
from inspector_app.services.names import department_name, kind_name, officer_label
from inspector_app.services.visit_log import LogQuery, Status
from inspector_app.ui.flow import FlowLayout
from inspector_app.ui.widgets import button, line_edit, vbox
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.profile import Profile
    from inspector_app.services.visit_log import VisitLog
    from inspector_app.ui.i18n import Binder
    from inspector_protocol.text import Lang

PERIODS: tuple[tuple[int | str, Text], ...] = (
    (0, Text("全部日期", "All dates")), (1, Text("今天", "Today")),
    (7, Text("近 7 天", "Last 7 days")), (30, Text("近 30 天", "Last 30 days")),
    ("month", Text("本月", "This month")), ("year", Text("今年", "This year")),
    ("range", Text("自定义日期…", "Date range…")))
#: A closed choice box is this many average characters wide; longer names are elided.
CHOICE_CHARS = 11
MORE = Text("更多筛选", "More filters")
MORE_ACTIVE = Text("更多筛选（{n}）", "More filters ({n})")


class LogFilters(QWidget):
    changed = Signal()

    def __init__(self, binder: Binder) -> None:
        super().__init__()
        self._binder = binder
        column = vbox(self, spacing=8)
        main = QWidget()
        flow = FlowLayout(main)
        self.search_edit = line_edit(binder, Text("搜索企业名称或代码", "Search enterprise or USCC"))
        self.search_edit.setMinimumWidth(300)
        self.search_edit.textChanged.connect(lambda _: self.changed.emit())
        self.officer_combo = self._choice(Text("按执法人员筛选", "Filter by officer"))
        self.department_combo = self._choice(Text("按部门筛选", "Filter by department"))
        self.kind_combo = self._choice(Text("按检查类型筛选", "Filter by kind"))
        self.period_combo = self._choice(Text("按日期筛选", "Filter by date"))
        self.period_combo.currentIndexChanged.connect(lambda _: self._show_range())
        self.status_combo = self._choice(Text("按状态筛选", "Filter by status"))
        self.since_edit = self._date(Text("起始日期", "First day"))
        self.until_edit = self._date(Text("截止日期", "Last day"))
        self.more_button = button(binder, MORE, checkable=True,
                                  name=Text("更多筛选：状态、仅预警、仅未送达、仅受损",
                                            "More filters: status, warnings, not delivered, "
                                            "broken"))
        self.more_button.toggled.connect(self._show_more)
        for widget in (self.search_edit, self.officer_combo, self.department_combo,
                       self.kind_combo, self.period_combo, self.since_edit,
                       self.until_edit, self.more_button):
            flow.addWidget(widget)
        column.addWidget(main)
        column.addWidget(self._more_row())

    def _choice(self, name: Text) -> QComboBox:
        combo = QComboBox()
        self._binder.name(combo, name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(CHOICE_CHARS)
        combo.currentIndexChanged.connect(lambda _: self.changed.emit())
        return combo

    def _date(self, name: Text) -> QDateEdit:
        edit = QDateEdit()
        self._binder.name(edit, name)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setCalendarPopup(True)
        edit.dateChanged.connect(lambda _: self.changed.emit())
        edit.hide()
        return edit

    def _show_range(self) -> None:
        """The two dates of a chosen range, shown only while "Date range…" is chosen."""
        shown = self.period_combo.currentData() == "range"
        self.since_edit.setVisible(shown)
        self.until_edit.setVisible(shown)

    def set_range(self, since: dt.date, until: dt.date) -> None:
        """Choose the date range ``since``–``until`` (both days included)."""
        for edit, day in ((self.since_edit, since), (self.until_edit, until)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)
        self.period_combo.setCurrentIndex(self.period_combo.findData("range"))
        self.changed.emit()

    def _more_row(self) -> QWidget:
        self.more_row = QWidget()
        flow = FlowLayout(self.more_row, spacing=24)
        self.warned_check = self._check(Text("仅预警", "Warnings only"))
        self.pending_check = self._check(Text("仅未送达", "Not delivered only"))
        self.broken_check = self._check(Text("仅受损", "Broken only"))
        flow.addWidget(self.status_combo)
        self.status_combo.currentIndexChanged.connect(lambda _: self._label_more())
        for check in self.checks:
            flow.addWidget(check)
        self.more_row.hide()
        return self.more_row

    def _check(self, text: Text) -> QCheckBox:
        check = QCheckBox()
        self._binder.text(check, text)
        check.toggled.connect(lambda _: self._checks_changed())
        return check

    @property
    def checks(self) -> tuple[QCheckBox, ...]:
        return (self.warned_check, self.pending_check, self.broken_check)

    def _show_more(self, shown: bool) -> None:
        self.more_row.setVisible(shown)
        self._label_more()

    def _checks_changed(self) -> None:
        self._label_more()
        self.changed.emit()

    def _label_more(self) -> None:
        active = sum(check.isChecked() for check in self.checks)
        active += self.status_combo.currentIndex() > 0
        hidden = not self.more_button.isChecked()
        text = MORE_ACTIVE.format(n=active) if active and hidden else MORE
        self._binder.bind(self.more_button, lambda w, s: w.setText(s), text)  # type: ignore[attr-defined]

    # -- choices and the query --------------------------------------------------------------

    def fill_choices(self, log: VisitLog, profile: Profile | None, lang: Lang,
                     columns: LogColumns | None = None) -> None:
        """The officers, kinds and departments found in ``log``; the current choices kept.

        ``columns``, the log's columns when the worker made them, already list them."""
        if columns is None:
            columns = LogColumns(log.rows)
        # Co-officers too: filtering by an officer shows the visits they took part in.
        officers, kinds = columns.all_officers, columns.all_kinds
        departments = columns.all_departments
        _refill(self.officer_combo, Text("全部人员", "All officers"), lang,
                [(o, officer_label(profile, o)) for o in officers])
        _refill(self.kind_combo, Text("全部类型", "All kinds"), lang,
                [(k, kind_name(profile, k, lang) or k) for k in kinds])
        _refill(self.department_combo, Text("全部部门", "All departments"), lang,
                [(d, department_name(profile, d, lang) or d) for d in departments])
        _refill(self.status_combo, Text("全部状态", "Any status"), lang,
                [(s.value, s.text().render(lang)) for s in Status])
        _refill(self.period_combo, None, lang, [(days, text.render(lang)) for days, text in PERIODS])
        if self.since_edit.date() == QDate(2000, 1, 1) and log.today is not None:
            # A range starts as the last 30 days of the log until the team lead picks one.
            month_ago = log.today - dt.timedelta(days=29)
            for edit, day in ((self.since_edit, month_ago), (self.until_edit, log.today)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)

    def query(self, today: dt.date) -> LogQuery:
        """What the filters ask for now, periods counted up to ``today`` (China time)."""
        period = self.period_combo.currentData()
        since = until = None
        if period == "month":
            since = today.replace(day=1)
        elif period == "year":
            since = today.replace(month=1, day=1)
        elif period == "range":
            since, until = _day(self.since_edit.date()), _day(self.until_edit.date())
        status = self.status_combo.currentData()
        return LogQuery(
            search=self.search_edit.text(),
            officer=self.officer_combo.currentData(),
            kind=self.kind_combo.currentData(),
            department=self.department_combo.currentData(),
            status=None if status is None else Status(status),
            days=period if isinstance(period, int) else 0,
            since=since, until=until,
            warned_only=self.warned_check.isChecked(),
            pending_only=self.pending_check.isChecked(),
            broken_only=self.broken_check.isChecked(),
        )


def _day(date: QDate) -> dt.date:
    return dt.date(date.year(), date.month(), date.day())


def _refill(combo: QComboBox, all_text: Text | None, lang: Lang,
            items: list[tuple[Any, str]]) -> None:
    """Replace the entries, keeping the current choice; ``all_text`` heads an entry for "any"."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    if all_text is not None:
        combo.addItem(all_text.render(lang), None)
    for value, text in items:
        combo.addItem(text, value)
        combo.setItemData(combo.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(False)
