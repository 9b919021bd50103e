"""Logs for team leads: every visit with duration, warnings, integrity and delivery.

The same view reviews this tablet's ledger or a bundle exported on another
tablet (from a USB stick): either is verified first, and each visit says
whether its own events are intact, and if not, at which event.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPlainTextEdit,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from inspector_app.ui.adaptive import AdaptiveColumns
from inspector_app.ui.log_charts import DAYS_SHOWN, LogCharts
from inspector_app.ui.log_filters import LogFilters, kind_name, officer_name
from inspector_app.ui.screen import Screen
from inspector_app.ui.timer import clock_text
from inspector_app.ui.widgets import GripSplitter, MessageLine, button, vbox
from inspector_protocol.china_time import china_today
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.services.visit_log import LogRow, VisitDetail, VisitLog
    from inspector_app.services.workspace import Workspace
    from inspector_protocol.text import Lang

ENTERPRISE_COLUMN = 1
#: The widest each column may grow (the enterprise column takes what is left); a longer
#: text is elided, and the cell's tooltip and the detail pane have it whole.
COLUMN_CAPS_PX = (170, 0, 140, 200, 190, 130, 130, 160)
COLUMNS = (
    Text("签到时间", "Checked in"), Text("企业", "Enterprise"), Text("执法人员", "Officer"),
    Text("类型", "Kind"), Text("时长", "Duration"), Text("预警", "Warning"),
    Text("完整性", "Integrity"), Text("送达", "Delivery"),
)
#: Table rows as tall as the smallest touch target, and no taller: every pixel is a visit row.
ROW_PX = 48
#: The detail pane starts this tall (a few lines) under the table; its splitter handle enlarges it.
DETAIL_START_PX = 88
#: Below this width the bottom bar puts its buttons on a second row.
BAR_STACK_BELOW_PX = 1100


class DetailPane(QPlainTextEdit):
    """The selected visit in words; it asks for little height so the table gets the rest."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), DETAIL_START_PX)


def local_log(ws: Workspace) -> VisitLog:
    from inspector_app.ledger.verify import verify_ledger
    from inspector_app.services.visit_log import build_log

    ledger = ws.ledger
    return build_log(ledger.events(), verify_ledger(ledger.conn), ledger.delivered_ids(),
                     ledger.time_evidence())


def bundle_log(path: Path) -> VisitLog:
    from inspector_app.ledger.bundling import verify_bundle
    from inspector_app.services.visit_log import build_log
    from inspector_protocol.bundle import read_bundle

    bundle = read_bundle(path)
    return build_log(bundle.events, verify_bundle(bundle), {e for e, _ in bundle.receipts}, None,
                     source=path)


def load_detail(ws: Workspace, source: Path | None, row: LogRow) -> VisitDetail:
    """The selected visit in full; photos are checked only on the tablet that holds them."""
    from inspector_app.services.visit_log import visit_detail

    if source is None:
        return visit_detail(row, ws.ledger.visit_events(row.visit.id), ws.templates(), ws.data_dir)
    from inspector_protocol.bundle import read_bundle

    return visit_detail(row, read_bundle(source).events, ws.templates(), None)


def write_archive(ws: Workspace, path: Path, rows: list[LogRow], lang: Lang) -> None:
    from inspector_app.services.archive_pdf import enterprise_archive_pdf

    visit = rows[0].visit
    names = {d.id: d.name.render(lang) for d in ws.profile.departments}
    names.update({k.id: k.name.render(lang) for k in ws.profile.visit_kinds})
    path.write_bytes(enterprise_archive_pdf(visit.enterprise.uscc, visit.enterprise.name or
                                            visit.enterprise.uscc, rows, names, lang))


def write_one_form(ws: Workspace, path: Path, visit_id: str, lang: Lang) -> None:
    from inspector_app.checklists import VisitHeader, one_form, one_form_pdf
    from inspector_app.services.recorder import VisitRecorder
    from inspector_app.services.visit_log import local_time_text

    recorder = VisitRecorder(ws)
    visit = recorder.visit(visit_id)
    rows = one_form(recorder.checklists(visit.id), {d.id: d.name for d in ws.profile.departments})
    names = {o.credential: o.name for o in ws.ledger.officer_keys()}
    names.update({o.credential: o.name for o in ws.profile.officers})
    out = visit.checked_out
    header = VisitHeader(visit.enterprise.name or visit.enterprise.uscc, visit.enterprise.uscc,
                         visit.id, local_time_text(visit.checked_in.wall_ms),
                         None if out is None else local_time_text(out.wall_ms))
    path.write_bytes(one_form_pdf(rows, header, lang, officer_names=names))


class LogsScreen(Screen):
    """Filters on top, the visits below them (the detail of one under the table), the view
    switch, where the records come from and the actions at the bottom."""

    title = Text("检查记录", "Visit logs")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.log: VisitLog | None = None
        self.shown_rows: list[LogRow] = []
        self.detail: VisitDetail | None = None
        outer = vbox(self, margins=12, spacing=8)
        self.filters = LogFilters(self.binder)
        self.filters.changed.connect(self._apply_filters)
        self.search_edit = self.filters.search_edit
        outer.addWidget(self.filters)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._records_page())
        self.charts = LogCharts()
        self.pages.addWidget(self.charts)
        outer.addWidget(self.pages, 1)
        self.message = MessageLine(self.binder)
        outer.addWidget(self.message)
        outer.addWidget(self._bottom_bar())

    def _records_page(self) -> QWidget:
        self.splitter = GripSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(16)
        self.binder.name(self.splitter, Text("记录表与详情", "Visit table and details"))
        self.table = QTableWidget(0, len(COLUMNS))
        self.binder.name(self.table, Text("检查记录表", "Visit log table"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setMinimumSectionSize(ROW_PX)
        self.table.verticalHeader().setDefaultSectionSize(ROW_PX)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ENTERPRISE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.itemSelectionChanged.connect(self._load_detail)
        self.table.setMinimumHeight(4 * ROW_PX)
        self.details = DetailPane()
        self.details.setReadOnly(True)
        self.details.setMinimumHeight(ROW_PX + 24)
        self.binder.name(self.details, Text("所选检查的详情", "Details of the selected visit"))
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        return self.splitter

    def _bottom_bar(self) -> QWidget:
        """Records or charts and where they come from on the left, the actions on the right."""
        bar = AdaptiveColumns(margins=(0, 0), spacing=12, stack_below=BAR_STACK_BELOW_PX,
                              height_is_free=False)
        left = QHBoxLayout()
        left.setSpacing(8)
        self.records_button = button(self.binder, Text("记录", "Records"), checkable=True,
                                     name=Text("显示检查记录", "Show the visit records"))
        self.charts_button = button(self.binder, Text("图表", "Charts"), checkable=True,
                                    name=Text("显示图表", "Show the charts"))
        views = QButtonGroup(self)
        for index, view_button in enumerate((self.records_button, self.charts_button)):
            views.addButton(view_button, index)
            left.addWidget(view_button)
        self.records_button.setChecked(True)
        views.idClicked.connect(self.show_page)
        self.source_label = MessageLine(self.binder)
        left.addWidget(self.source_label, 1)
        bar.add(left, 1)
        bar.add(self._actions())
        return bar

    def show_page(self, index: int) -> None:
        """0: the records, 1: the charts."""
        self.pages.setCurrentIndex(index)
        (self.records_button, self.charts_button)[index].setChecked(True)

    def _actions(self) -> QHBoxLayout:
        actions = QHBoxLayout()
        actions.setSpacing(8)
        actions.addStretch(1)
        self.local_button = button(self.binder, Text("本机记录", "This tablet"),
                                   name=Text("显示本机记录", "Show this tablet's records"))
        self.local_button.clicked.connect(self.refresh)
        self.bundle_button = button(self.binder, Text("打开记录包…", "Open a bundle…"),
                                    name=Text("打开其他设备导出的记录包", "Open a bundle from another "
                                              "tablet"))
        self.bundle_button.clicked.connect(self._choose_bundle)
        self.export_button = button(self.binder, Text("导出", "Export"),
                                    name=Text("导出 CSV 或 PDF", "Export CSV or PDF"))
        self.export_button.setMenu(self._export_menu())
        for widget in (self.local_button, self.bundle_button, self.export_button):
            actions.addWidget(widget)
        return actions

    def _export_menu(self) -> QMenu:
        menu = QMenu(self)
        self.binder.name(menu, Text("导出", "Export"))
        choices = (
            (Text("CSV（当前筛选的检查）…", "CSV (the visits shown)…"), self._choose_export),
            (Text("企业档案 PDF（所选企业）…", "Enterprise archive PDF (selected enterprise)…"),
             self._choose_archive),
            (Text("一表通查 PDF（所选检查）…", "One-form PDF (selected visit)…"),
             self._choose_one_form),
        )
        self.export_actions = []
        for text, handler in choices:
            action = menu.addAction("")
            self.binder.bind(menu, _action_text_setter(action), text)
            action.triggered.connect(handler)
            self.export_actions.append(action)
        return menu

    # -- loading ----------------------------------------------------------------------

    def enter(self, **_: Any) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.message.clear()
        self.run(local_log, self._show_log, self.shown_in(self.message))

    def open_bundle(self, path: Path) -> None:
        self.message.clear()
        self.run(lambda ws: bundle_log(path), self._show_log, self.shown_in(self.message))

    def _choose_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr(Text("选择记录包", "Choose a bundle")),
                                              "", "Bundle (*.jsonl *.bundle *.json);;* (*)")
        if path:
            self.open_bundle(Path(path))

    def _show_log(self, log: VisitLog) -> None:
        self.log = log
        self.filters.fill_choices(log, self.ctx.profile, self.ctx.lang.lang)
        self._show_source(log)
        self._apply_filters()

    def _show_source(self, log: VisitLog) -> None:
        where = (Text("本机记录", "This tablet") if log.source is None else
                 Text("记录包 {f}", "Bundle {f}").format(f=log.source.name))
        report = log.report
        if report.intact:
            self.source_label.show_text("ok", Text("{w}：{n} 条签名记录全部验证通过。",
                                                   "{w}: all {n} signed events verified.").format(
                w=where, n=report.events_checked))
        else:
            self.source_label.show_text("error", Text(
                "{w}：发现 {k} 处问题，第一处在第 {seq} 条记录。",
                "{w}: {k} problem(s) found, the first at event {seq}.").format(
                w=where, k=len(report.problems), seq=report.first_problem_seq()))

    # -- filtering and showing ----------------------------------------------------------

    def _apply_filters(self) -> None:
        if self.log is None:
            return
        self.shown_rows = [r for r in self.log.rows if self.filters.passes(r)]
        self._fill_table()

    def _fill_table(self) -> None:
        lang = self.ctx.lang.lang
        year = _latest_year(self.shown_rows)
        self.table.setHorizontalHeaderLabels([c.render(lang) for c in COLUMNS])
        # The rows are replaced and the detail pane goes back to its summary: no row stays
        # highlighted as if its detail were shown.
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setCurrentCell(-1, -1)
        self.table.blockSignals(False)
        self.table.setRowCount(len(self.shown_rows))
        for index, log_row in enumerate(self.shown_rows):
            for column, (value, full) in enumerate(self._cells(log_row, year)):
                item = QTableWidgetItem(value)
                item.setToolTip(full)
                self.table.setItem(index, column, item)
        self._fit_columns()
        self.details.setPlainText(self.tr(Text("显示 {n} 条检查；选择一行查看详情。",
                                               "{n} visits shown; select a row for details.")
                                          .format(n=len(self.shown_rows))))
        self._show_charts()

    def _fit_columns(self) -> None:
        """Each column as wide as its contents up to its cap; the enterprise takes the rest."""
        self.table.resizeColumnsToContents()
        for column, cap in enumerate(COLUMN_CAPS_PX):
            if column != ENTERPRISE_COLUMN and self.table.columnWidth(column) > cap:
                self.table.setColumnWidth(column, cap)

    def _cells(self, log_row: LogRow, latest_year: int | None) -> list[tuple[str, str]]:
        """Each cell as (shown, in full): the table is kept narrow, the tooltip is not."""
        from inspector_app.services.visit_log import local_time_text

        profile, lang = self.ctx.profile, self.ctx.lang.lang
        visit = log_row.visit
        running = visit.is_open and log_row.duration is not None
        duration = "" if log_row.duration is None else clock_text(log_row.duration.seconds)
        when = local_time_text(visit.checked_in.wall_ms)
        officer = officer_name(profile, visit.officer)
        enterprise = visit.enterprise.name or visit.enterprise.uscc
        cells = [
            (when[5:] if when.startswith(f"{latest_year}-") else when, when),  # "11-23 09:12"
            (enterprise, f"{enterprise} {visit.enterprise.uscc}"),
            (officer.split(" ")[0], officer),  # the name; the credential number in the tooltip
            kind_name(profile, visit.kind, lang),
            duration + (self.tr(Text("（进行中）", " (running)")) if running else ""),
            "⚠ " + self.tr(Text("已说明理由", "justified")) if visit.frequency_warned else "",
            ("✓ " if log_row.intact else "✗ ") + log_row.integrity_text().render(lang),
            log_row.delivery_text().render(lang),
        ]
        return [cell if isinstance(cell, tuple) else (cell, cell) for cell in cells]

    def _selected_row(self) -> LogRow | None:
        selected = self.table.currentRow()
        return self.shown_rows[selected] if 0 <= selected < len(self.shown_rows) else None

    def _load_detail(self) -> None:
        log_row, log = self._selected_row(), self.log
        if log_row is None or log is None:
            return
        source = log.source
        self.run(lambda ws: load_detail(ws, source, log_row), self._show_detail,
                 self.shown_in(self.message))

    def _show_detail(self, detail: VisitDetail) -> None:
        from inspector_app.services.log_detail import detail_text

        self.detail = detail
        self.details.setPlainText(detail_text(detail, self.ctx.profile, self.ctx.lang.lang))

    def _show_charts(self) -> None:
        from inspector_app.services.visit_log import duration_histogram, local_day, visits_per_day

        lang = self.ctx.lang.lang
        last = max((local_day(r.visit.checked_in.wall_ms) for r in self.shown_rows),
                   default=china_today())
        days = visits_per_day(self.shown_rows, last, DAYS_SHOWN)  # up to the latest visit shown
        self.charts.per_day.show_bars(self.tr(Text("每日检查次数（截至最近一次检查的 {n} 天）",
                                                   "Visits per day ({n} days to the latest visit)")
                                              .format(n=DAYS_SHOWN)),
                                      [(f"{d.month}/{d.day}", n) for d, n in days])
        self.charts.durations.show_bars(self.tr(Text("检查时长分布", "Visit durations")),
                                        [(t.render(lang), n)
                                         for t, n in duration_histogram(self.shown_rows)])

    def language_changed(self, lang: str) -> None:
        if self.log is not None:
            self._show_log(self.log)

    # -- exporting ----------------------------------------------------------------------

    def _choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr(Text("导出 CSV", "Export CSV")),
                                              "visits.csv", "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))

    def _choose_archive(self) -> None:
        log_row = self._selected_row()
        if log_row is None:
            self.message.show_text("warn", Text("请先选择该企业的一条检查。",
                                                "Select a visit of that enterprise first."))
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr(Text("导出企业档案", "Export the enterprise archive")),
            f"archive-{log_row.visit.enterprise.uscc}.pdf", "PDF (*.pdf)")
        if path:
            self.export_archive(log_row.visit.enterprise.uscc, Path(path))

    def export_archive(self, uscc: str, path: Path) -> None:
        """One archive per enterprise: every visit to ``uscc`` in the log (filters ignored)."""
        assert self.log is not None
        rows = [r for r in self.log.rows if r.visit.enterprise.uscc == uscc]
        rows.sort(key=lambda r: r.visit.checked_in.wall_ms)
        lang = self.ctx.lang.lang
        self.run(lambda ws: write_archive(ws, path, rows, lang), lambda _: self._exported(
            len(rows), path), self.shown_in(self.message))

    def _choose_one_form(self) -> None:
        log_row = self._selected_row()
        if log_row is None or (self.log is not None and self.log.source is not None):
            self.message.show_text("warn", Text("请先选择本机的一条检查。",
                                                "Select a visit recorded on this tablet first."))
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr(Text("导出一表通查", "Export the one form")),
            f"one-form-{log_row.visit.id[:8]}.pdf", "PDF (*.pdf)")
        if path:
            self.export_one_form(log_row.visit.id, Path(path))

    def export_one_form(self, visit_id: str, path: Path) -> None:
        lang = self.ctx.lang.lang
        self.run(lambda ws: write_one_form(ws, path, visit_id, lang),
                 lambda _: self._exported(1, path), self.shown_in(self.message))

    def _exported(self, count: int, path: Path) -> None:
        self.message.show_text("ok", Text("已导出 {n} 条检查到 {f}。", "Exported {n} visits to {f}.")
                               .format(n=count, f=path))

    def export_csv(self, path: Path) -> None:
        """Write the visits now shown (filters applied) to ``path``, on the worker."""
        from inspector_app.services.visit_log import log_csv

        text = "\ufeff" + log_csv(self.shown_rows, self.ctx.lang.lang)  # BOM: spreadsheets

        def write(ws: Workspace) -> None:
            path.write_text(text, encoding="utf-8")

        count = len(self.shown_rows)
        self.run(write, lambda _: self.message.show_text("ok", Text(
            "已导出 {n} 条检查到 {f}。", "Exported {n} visits to {f}.").format(n=count, f=path)),
            self.shown_in(self.message))


def _action_text_setter(action: QAction) -> Callable[[QWidget, str], None]:
    """A binder setter for a menu entry (an action is not a widget; its menu is bound)."""

    def set_text(_menu: QWidget, value: str) -> None:
        action.setText(value)

    return set_text


def _latest_year(rows: list[LogRow]) -> int | None:
    """The year of the latest visit shown (China time): its visits' times omit the year."""
    from inspector_app.services.visit_log import local_day

    return max((local_day(r.visit.checked_in.wall_ms).year for r in rows), default=None)
