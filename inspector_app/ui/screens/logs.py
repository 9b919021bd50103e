"""Logs for team leads: every visit with status, duration, warnings, integrity and delivery;
totals by department, officer and kind; charts; exports and printing.

The same view reviews this tablet's ledger or bundles exported on other tablets
(from a USB stick, several at once): each is verified first, and each visit says
whether its own events are intact, and if not, at which event.  Loading runs on
the worker; the table is a model behind a filtering proxy, so a year of a
team's visits stays responsive.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QItemSelection, QObject, QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QWidget,
)

from inspector_app.services import exports, reports, visit_log
from inspector_app.ui.adaptive import AdaptiveColumns
from inspector_app.ui.log_charts import DAYS_SHOWN, LogCharts
from inspector_app.ui.log_filters import LogFilters
from inspector_app.ui.log_table import (
    ENTERPRISE_COLUMN,
    OPTIONAL_COLUMNS,
    LogFilterProxy,
    LogTableModel,
    TotalsModel,
)
from inspector_app.ui.screen import Screen
from inspector_app.ui.widgets import GripSplitter, MessageLine, button, vbox
from inspector_protocol.china_time import china_today
from inspector_protocol.text import Text

if TYPE_CHECKING:
    import datetime as dt

    from inspector_app.services.log_columns import LogColumns
    from inspector_app.services.visit_log import LogRow, VisitDetail, VisitLog

#: The widest each column may grow (the enterprise column takes what is left); a longer
#: text is elided, and the cell's tooltip and the detail pane have it whole.
COLUMN_CAPS_PX = (170, 0, 140, 200, 190, 160, 130, 130, 160)
#: The enterprise column keeps room for its longest name up to the larger of these, and at
#: least the smaller; optional columns fold away before it gets less.
ENTERPRISE_MIN_PX, ENTERPRISE_WANT_PX = 170, 300
#: Table rows as tall as the smallest touch target, and no taller: every pixel is a visit row.
ROW_PX = 48
#: The detail pane starts this tall (a few lines) under the table; its splitter handle enlarges it.
DETAIL_START_PX = 88
#: Fitting the columns to their contents looks at the visible rows and a few around them, this
#: many in all (Qt's default, 1,000, asks Python for some 60,000 cell values: about a second
#: of the GUI thread on a loaded tablet; fifty rows show the usual widths just as well).
FIT_ROWS = 50
#: The page of the totals (after the records and the charts).
TOTALS_PAGE = 2
#: Below this width the bottom bar puts its buttons on a second row.
BAR_STACK_BELOW_PX = 1100


class DetailPane(QPlainTextEdit):
    """The selected visit in words; it asks for little height so the table gets the rest."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), DETAIL_START_PX)


class LogsScreen(Screen):
    """Filters on top, the visits below them (the detail of one under the table), the view
    switch, where the records come from and the actions at the bottom."""

    title = Text("检查记录", "Visit logs")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.log: VisitLog | None = None
        self.detail: VisitDetail | None = None
        self._totals_stale = True
        self.model = LogTableModel()
        self.proxy = LogFilterProxy(self.model)
        outer = vbox(self, margins=12, spacing=8)
        self.filters = LogFilters(self.binder)
        self.filters.changed.connect(self._apply_filters)
        self.search_edit = self.filters.search_edit
        outer.addWidget(self.filters)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._records_page())
        self.charts = LogCharts()
        self.pages.addWidget(self.charts)
        self.pages.addWidget(self._totals_page())
        outer.addWidget(self.pages, 1)
        self.message = MessageLine(self.binder)
        outer.addWidget(self.message)
        outer.addWidget(self._bottom_bar())

    def _records_page(self) -> QWidget:
        self.splitter = GripSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(16)
        self.binder.name(self.splitter, Text("记录表与详情", "Visit table and details"))
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.binder.name(self.table, Text("检查记录表", "Visit log table"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setMinimumSectionSize(ROW_PX)
        self.table.verticalHeader().setDefaultSectionSize(ROW_PX)
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(FIT_ROWS)
        header.setSectionResizeMode(ENTERPRISE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Newest first until the team lead taps a column title.
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.setMinimumHeight(4 * ROW_PX)
        self.table.viewport().installEventFilter(self)
        self.details = DetailPane()
        self.details.setReadOnly(True)
        self.details.setMinimumHeight(ROW_PX + 24)
        self.binder.name(self.details, Text("所选检查的详情", "Details of the selected visit"))
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        return self.splitter

    def _totals_page(self) -> QWidget:
        self.totals_model = TotalsModel()
        self.totals_table = QTableView()
        self.totals_table.setModel(self.totals_model)
        self.binder.name(self.totals_table, Text("按部门、执法人员和类型汇总",
                                                 "Totals by department, officer and kind"))
        self.totals_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.totals_table.verticalHeader().setVisible(False)
        self.totals_table.verticalHeader().setDefaultSectionSize(ROW_PX)
        self.totals_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)
        return self.totals_table

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
        self.totals_button = button(self.binder, Text("汇总", "Totals"), checkable=True,
                                    name=Text("按部门、执法人员和类型汇总",
                                              "Totals by department, officer and kind"))
        views = QButtonGroup(self)
        for index, view_button in enumerate(self.view_buttons):
            views.addButton(view_button, index)
            left.addWidget(view_button)
        self.records_button.setChecked(True)
        views.idClicked.connect(self.show_page)
        self.source_label = MessageLine(self.binder)
        left.addWidget(self.source_label, 1)
        bar.add(left, 1)
        bar.add(self._actions())
        return bar

    @property
    def view_buttons(self) -> tuple[QPushButton, ...]:
        return (self.records_button, self.charts_button, self.totals_button)

    def show_page(self, index: int) -> None:
        """0: the records, 1: the charts, 2: the totals."""
        self.pages.setCurrentIndex(index)
        self.view_buttons[index].setChecked(True)
        if index == TOTALS_PAGE and self._totals_stale:
            self._show_totals()

    def _actions(self) -> QHBoxLayout:
        actions = QHBoxLayout()
        actions.setSpacing(8)
        actions.addStretch(1)
        self.local_button = button(self.binder, Text("本机记录", "This tablet"),
                                   name=Text("显示本机记录", "Show this tablet's records"))
        self.local_button.clicked.connect(self.refresh)
        self.bundle_button = button(self.binder, Text("打开记录包…", "Open bundles…"),
                                    name=Text("打开其他设备导出的记录包（可多选）",
                                              "Open bundles from other tablets (several at once)"))
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
            (Text("汇总报告 PDF（当前筛选，可打印）…", "Log report PDF (the visits shown, "
                  "printable)…"), self._choose_log_report),
            (Text("打印汇总报告…", "Print the log report…"), self._print_log_report),
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
        self.run(lambda ws: _laid_out(visit_log.this_tablets_log(ws)), self._show_log,
                 self.shown_in(self.message))

    def open_bundle(self, path: Path) -> None:
        self.open_bundles([path])

    def open_bundles(self, paths: list[Path]) -> None:
        """Read and verify the bundles on the worker, then show their visits together."""
        self.message.clear()
        chosen = tuple(paths)
        self.run(lambda ws: _laid_out(visit_log.bundles_log(ws, chosen)), self._show_log,
                 self.shown_in(self.message))

    def _choose_bundle(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr(Text("选择记录包（可多选）", "Choose bundles (several at once)")), "",
            "Bundle (*.jsonl *.bundle *.json);;* (*)")
        if paths:
            self.open_bundles([Path(p) for p in paths])

    def _show_log(self, laid_out: tuple[VisitLog, LogColumns]) -> None:
        log, columns = laid_out
        self.log = log
        lang = self.ctx.lang.lang
        self.filters.fill_choices(log, self.ctx.profile, lang, columns)
        self._show_source(log)
        self.model.set_log(log.rows, self.ctx.profile, lang, columns)
        self._apply_filters()
        self._fit_columns()

    def _show_source(self, log: VisitLog) -> None:
        intact, text = visit_log.sources_text(log)
        self.source_label.show_text("ok" if intact else "error", text)

    # -- filtering and showing ----------------------------------------------------------

    @property
    def shown_rows(self) -> list[LogRow]:
        """The visits the filters pass, in the order shown."""
        return self.proxy.shown_rows()

    def _today(self) -> dt.date:
        if self.log is not None and self.log.today is not None:
            return self.log.today
        return china_today()

    def _apply_filters(self) -> None:
        """Filter the rows the model holds: no row or widget is made again."""
        if self.log is None:
            return
        # The detail pane goes back to its summary: no row stays highlighted as if its
        # detail were shown.
        self.table.clearSelection()
        self.proxy.set_query(self.filters.query(self._today()), self._today())
        self.detail = None
        self.details.setPlainText(self.tr(Text("显示 {n} 条检查；选择一行查看详情。",
                                               "{n} visits shown; select a row for details.")
                                          .format(n=self.proxy.rowCount())))
        self._show_charts()
        # The totals are counted when their page is shown (or now, if it is).
        self._totals_stale = True
        if self.pages.currentIndex() == TOTALS_PAGE:
            self._show_totals()

    def _fit_columns(self) -> None:
        """Each column as wide as its contents up to its cap; the enterprise takes the rest.

        Fitted without the sort arrow's room in every title (it would take some 20 px from
        each column, and the enterprise names would pay for it); the arrow shows on one
        column only."""
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(False)
        self.table.resizeColumnsToContents()
        header.setSortIndicatorShown(True)
        for column, cap in enumerate(COLUMN_CAPS_PX):
            if column != ENTERPRISE_COLUMN and self.table.columnWidth(column) > cap:
                self.table.setColumnWidth(column, cap)
        self._fold_columns()

    def _fold_columns(self) -> None:
        """On a narrow (portrait) screen, hide the optional columns that would push the table
        into scrolling sideways; the core columns always stay, and the detail pane and the
        tooltips still say what the hidden ones would."""
        header = self.table.horizontalHeader()
        room = self.table.viewport().width()
        want = max(ENTERPRISE_MIN_PX,
                   min(ENTERPRISE_WANT_PX, self.table.sizeHintForColumn(ENTERPRISE_COLUMN)))
        for column in OPTIONAL_COLUMNS:
            self.table.setColumnHidden(column, False)
        for column in OPTIONAL_COLUMNS:
            shown = sum(header.sectionSize(c) for c in range(header.count())
                        if c != ENTERPRISE_COLUMN and not self.table.isColumnHidden(c))
            if shown + want <= room:
                break
            self.table.setColumnHidden(column, True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Fold columns again whenever the table's visible width changes (a rotation)."""
        if (watched is self.table.viewport() and event.type() == QEvent.Type.Resize
                and self.log is not None):
            self._fold_columns()
        return super().eventFilter(watched, event)

    def _selected_row(self) -> LogRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.proxy.log_row(rows[0].row()) if rows else None

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        log_row, log = self._selected_row(), self.log
        if log_row is None or log is None:
            return
        self.run(lambda ws: visit_log.load_visit_detail(ws, log_row), self._show_detail,
                 self.shown_in(self.message))

    def _show_detail(self, detail: VisitDetail) -> None:
        from inspector_app.services.log_detail import detail_text

        self.detail = detail
        self.details.setPlainText(detail_text(detail, self.ctx.profile, self.ctx.lang.lang))

    def _show_charts(self) -> None:
        from inspector_app.services.visit_log import duration_labels

        lang, shown, columns = self.ctx.lang.lang, self.proxy.shown_positions(), self.model.columns
        last = columns.latest_day(shown) or self._today()
        days = columns.visits_per_day(shown, last, DAYS_SHOWN)  # up to the latest visit shown
        self.charts.per_day.show_bars(self.tr(Text("每日检查次数（截至最近一次检查的 {n} 天）",
                                                   "Visits per day ({n} days to the latest visit)")
                                              .format(n=DAYS_SHOWN)),
                                      [(f"{d.month}/{d.day}", n) for d, n in days])
        self.charts.durations.show_bars(self.tr(Text("检查时长分布", "Visit durations")),
                                        [(t.render(lang), n) for t, n in zip(
                                            duration_labels(), columns.duration_counts(shown),
                                            strict=True)])

    def _show_totals(self) -> None:
        from inspector_app.services.log_totals import totals_table

        lang = self.ctx.lang.lang
        self._totals_stale = False
        totals = self.model.columns.totals(self.proxy.shown_positions())
        # The officers' names come from the profile here (the enrolled names need the ledger,
        # which only the worker opens); an unknown credential is shown as it is.
        self.totals_model.set_lines(totals_table(totals, self.ctx.profile, lang), lang)
        self.totals_table.resizeColumnsToContents()
        self.totals_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)

    def language_changed(self, lang: str) -> None:
        if self.log is not None:
            self.filters.fill_choices(self.log, self.ctx.profile, self.ctx.lang.lang,
                                      self.model.columns)
            self._show_source(self.log)
            self.model.set_language(self.ctx.lang.lang)
            self._apply_filters()
            self._fit_columns()

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
        self.run(lambda ws: reports.write_enterprise_archive(ws, path, rows, lang),
                 lambda _: self._exported(
            len(rows), path), self.shown_in(self.message))

    def _choose_one_form(self) -> None:
        log_row = self._selected_row()
        if log_row is None or log_row.source is not None:
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
        self.run(lambda ws: reports.write_one_form_pdf(ws, path, visit_id, lang),
                 lambda _: self._exported(1, path), self.shown_in(self.message))

    def _exported(self, count: int, path: Path) -> None:
        self.message.show_text("ok", Text("已导出 {n} 条检查到 {f}。", "Exported {n} visits to {f}.")
                               .format(n=count, f=path))

    def export_csv(self, path: Path) -> None:
        """Write the visits now shown (filters applied, in the order shown) to ``path``."""
        rows, lang = self.shown_rows, self.ctx.lang.lang
        self.run(lambda ws: exports.write_visit_log_csv(ws, path, rows, lang),
                 lambda _: self._exported(len(rows), path), self.shown_in(self.message))


    # -- the printable log report ------------------------------------------------------

    def scope(self) -> list[Text]:
        """Which visits a report of the shown rows covers, in words: source, filters, count."""
        assert self.log is not None
        _, source = visit_log.sources_text(self.log)
        query = self.proxy.query
        lines = [source]
        shown = self.shown_rows
        if shown:
            first = min(r.visit.checked_in.wall_ms for r in shown)
            last = max(r.visit.checked_in.wall_ms for r in shown)
            lines.append(Text("签到日期：{a} 至 {b}（北京时间）", "Checked in {a} to {b} (China time)")
                         .format(a=visit_log.local_time_text(first)[:10],
                                 b=visit_log.local_time_text(last)[:10]))
        chosen = [combo.currentText() for combo in (
            self.filters.officer_combo, self.filters.department_combo, self.filters.kind_combo,
            self.filters.status_combo, self.filters.period_combo) if combo.currentIndex() > 0]
        if query.search.strip():
            chosen.append(query.search.strip())
        if chosen:
            lines.append(Text("筛选：{f}", "Filters: {f}").format(f="；".join(chosen)))
        return lines

    def _choose_log_report(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr(Text("导出汇总报告", "Export the log report")), "visit-report.pdf",
            "PDF (*.pdf)")
        if path:
            self.export_log_report(Path(path))

    def export_log_report(self, path: Path) -> None:
        """Totals and the visits now shown, as a PDF to print or file."""
        if self.log is None:
            return
        rows, scope, lang = self.shown_rows, self.scope(), self.ctx.lang.lang
        self.run(lambda ws: reports.write_log_report(ws, path, rows, scope, lang),
                 lambda _: self._exported(len(rows), path), self.shown_in(self.message))

    def _print_log_report(self) -> None:
        """Qt's print dialog, then the report's pages printed one per turn of the event loop."""
        if self.log is None:
            return
        rows, scope, lang = self.shown_rows, self.scope(), self.ctx.lang.lang
        self.run(lambda ws: reports.log_report(ws, rows, scope, lang), self._print_pdf,
                 self.shown_in(self.message))

    def _print_pdf(self, data: bytes) -> None:
        from inspector_app.ui.screens.logs_printing import print_pdf

        print_pdf(self, data, self.message)


def _laid_out(log: VisitLog) -> tuple[VisitLog, LogColumns]:
    """The log with its columns, made on the worker: the GUI thread then filters, sorts and
    totals a year of visits from plain lists."""
    from inspector_app.services.log_columns import LogColumns

    return log, LogColumns(log.rows)


def _action_text_setter(action: QAction) -> Callable[[QWidget, str], None]:
    """A binder setter for a menu entry (an action is not a widget; its menu is bound)."""

    def set_text(_menu: QWidget, value: str) -> None:
        action.setText(value)

    return set_text
