"""Logs for team leads: every visit with duration, warnings, integrity and delivery.

The same view reviews this tablet's ledger or a bundle exported on another
tablet (from a USB stick): either is verified first, and each visit says
whether its own events are intact, and if not, at which event.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QWidget,
)

from inspector_app.i18n import Text
from inspector_app.ui.flow import FlowLayout
from inspector_app.ui.log_charts import DAYS_SHOWN, LogCharts
from inspector_app.ui.screen import Screen
from inspector_app.ui.timer import clock_text
from inspector_app.ui.widgets import MessageLine, button, line_edit, vbox

if TYPE_CHECKING:
    from inspector_app.app import Workspace
    from inspector_app.i18n import Lang
    from inspector_app.visit_log import LogRow, VisitDetail, VisitLog

COLUMNS = (
    Text("签到时间", "Checked in"), Text("企业", "Enterprise"), Text("执法人员", "Officer"),
    Text("类型", "Kind"), Text("时长", "Duration"), Text("预警", "Warning"),
    Text("完整性", "Integrity"), Text("送达", "Delivery"),
)
PERIODS = ((0, Text("全部日期", "All dates")), (1, Text("今天", "Today")),
           (7, Text("近 7 天", "Last 7 days")), (30, Text("近 30 天", "Last 30 days")))


def local_log(ws: Workspace) -> VisitLog:
    from inspector_app.ledger.verify import verify_ledger
    from inspector_app.visit_log import build_log

    ledger = ws.ledger
    return build_log(ledger.events(), verify_ledger(ledger.conn), ledger.delivered_ids(),
                     ledger.time_evidence())


def bundle_log(path: Path) -> VisitLog:
    from inspector_app.ledger.bundle import read_bundle, verify_bundle
    from inspector_app.visit_log import build_log

    bundle = read_bundle(path)
    return build_log(bundle.events, verify_bundle(bundle), {e for e, _ in bundle.receipts}, None,
                     source=path)


def load_detail(ws: Workspace, source: Path | None, row: LogRow) -> VisitDetail:
    """The selected visit in full; photos are checked only on the tablet that holds them."""
    from inspector_app.visit_log import visit_detail

    if source is None:
        return visit_detail(row, ws.ledger.visit_events(row.visit.id), ws.templates(), ws.data_dir)
    from inspector_app.ledger.bundle import read_bundle

    return visit_detail(row, read_bundle(source).events, ws.templates(), None)


def write_archive(ws: Workspace, path: Path, rows: list[LogRow], lang: Lang) -> None:
    from inspector_app.ui.archive_pdf import enterprise_archive_pdf

    visit = rows[0].visit
    names = {d.id: d.name.render(lang) for d in ws.profile.departments}
    names.update({k.id: k.name.render(lang) for k in ws.profile.visit_kinds})
    path.write_bytes(enterprise_archive_pdf(visit.enterprise.uscc, visit.enterprise.name or
                                            visit.enterprise.uscc, rows, names, lang))


def write_one_form(ws: Workspace, path: Path, visit_id: str, lang: Lang) -> None:
    from inspector_app.checklists import VisitHeader, one_form, one_form_pdf
    from inspector_app.recorder import VisitRecorder
    from inspector_app.visit_log import local_time_text

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
    title = Text("检查记录", "Visit logs")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.log: VisitLog | None = None
        self.shown_rows: list[LogRow] = []
        self.detail: VisitDetail | None = None
        outer = vbox(self, margins=20, spacing=12)
        outer.addWidget(self._filters())
        self.source_label = MessageLine(self.binder)
        outer.addWidget(self.source_label)
        self.pages = QTabWidget()
        self.binder.name(self.pages, Text("记录与图表", "Records and charts"))
        self.binder.name(self.pages.tabBar(), Text("切换记录或图表", "Records or charts"))
        self.pages.addTab(self._records_page(), "")
        self.charts = LogCharts()
        self.pages.addTab(self.charts, "")
        self.binder.bind(self.pages, lambda w, s: w.setTabText(0, s),  # type: ignore[attr-defined]
                         Text("记录", "Records"))
        self.binder.bind(self.pages, lambda w, s: w.setTabText(1, s),  # type: ignore[attr-defined]
                         Text("图表", "Charts"))
        outer.addWidget(self.pages, 1)
        self.message = MessageLine(self.binder)
        outer.addWidget(self.message)
        outer.addWidget(self._actions())

    def _records_page(self) -> QWidget:
        page = QWidget()
        layout = vbox(page, margins=8, spacing=8)
        self.table = QTableWidget(0, len(COLUMNS))
        self.binder.name(self.table, Text("检查记录表", "Visit log table"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(52)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._load_detail)
        self.table.setMinimumHeight(150)
        layout.addWidget(self.table, 3)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setMinimumHeight(110)
        self.binder.name(self.details, Text("所选检查的详情", "Details of the selected visit"))
        layout.addWidget(self.details, 2)
        return page

    def _actions(self) -> QWidget:
        holder = QWidget()
        flow = FlowLayout(holder)
        self.local_button = button(self.binder, Text("本机记录", "This tablet"))
        self.local_button.clicked.connect(self.refresh)
        self.bundle_button = button(self.binder, Text("打开其他设备的记录包…", "Open a bundle…"),
                                    name=Text("打开其他设备导出的记录包", "Open a bundle from another "
                                              "tablet"))
        self.bundle_button.clicked.connect(self._choose_bundle)
        self.export_button = button(self.binder, Text("导出 CSV…", "Export CSV…"))
        self.export_button.clicked.connect(self._choose_export)
        self.archive_button = button(self.binder, Text("企业档案 PDF…", "Enterprise archive PDF…"),
                                     name=Text("导出所选企业的一企一档 PDF",
                                               "Export the selected enterprise's archive as PDF"))
        self.archive_button.clicked.connect(self._choose_archive)
        self.form_button = button(self.binder, Text("一表通查 PDF…", "One-form PDF…"),
                                  name=Text("导出所选检查的一表通查 PDF",
                                            "Export the selected visit's one form as PDF"))
        self.form_button.clicked.connect(self._choose_one_form)
        for widget in (self.local_button, self.bundle_button, self.export_button,
                       self.archive_button, self.form_button):
            flow.addWidget(widget)
        return holder

    def _filters(self) -> QWidget:
        self.search_edit = line_edit(self.binder, Text("搜索企业名称或代码", "Search enterprise or USCC"))
        self.search_edit.textChanged.connect(lambda _: self._apply_filters())
        self.officer_combo = QComboBox()
        self.binder.name(self.officer_combo, Text("按执法人员筛选", "Filter by officer"))
        self.department_combo = QComboBox()
        self.binder.name(self.department_combo, Text("按部门筛选", "Filter by department"))
        self.kind_combo = QComboBox()
        self.binder.name(self.kind_combo, Text("按检查类型筛选", "Filter by kind"))
        self.period_combo = QComboBox()
        self.binder.name(self.period_combo, Text("按日期筛选", "Filter by date"))
        self.warned_check = QCheckBox()
        self.binder.text(self.warned_check, Text("仅预警", "Warnings only"))
        self.pending_check = QCheckBox()
        self.binder.text(self.pending_check, Text("仅未送达", "Not delivered only"))
        self.broken_check = QCheckBox()
        self.binder.text(self.broken_check, Text("仅受损", "Broken only"))
        self.search_edit.setMinimumWidth(240)
        holder = QWidget()
        flow = FlowLayout(holder)
        for combo in (self.officer_combo, self.department_combo, self.kind_combo,
                      self.period_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(lambda _: self._apply_filters())
        for check in (self.warned_check, self.pending_check, self.broken_check):
            check.toggled.connect(lambda _: self._apply_filters())
        for widget in (self.search_edit, self.officer_combo, self.department_combo,
                       self.kind_combo, self.period_combo, self.warned_check, self.pending_check,
                       self.broken_check):
            flow.addWidget(widget)
        return holder

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
        self._fill_filter_choices(log)
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
                w=where, k=len(report.findings), seq=report.first_problem_seq()))

    def _fill_filter_choices(self, log: VisitLog) -> None:
        profile, lang = self.ctx.profile, self.ctx.lang.lang
        officers = sorted({r.visit.officer for r in log.rows})
        kinds = sorted({r.visit.kind for r in log.rows})
        _refill(self.officer_combo, Text("全部人员", "All officers"), self.ctx.lang.lang,
                [(o, _officer_name(profile, o)) for o in officers])
        _refill(self.kind_combo, Text("全部类型", "All kinds"), lang,
                [(k, _kind_name(profile, k, lang)) for k in kinds])
        departments = sorted({d for r in log.rows for d in r.visit.departments})
        _refill(self.department_combo, Text("全部部门", "All departments"), lang,
                [(d, _department_name(profile, d, lang)) for d in departments])
        current = self.period_combo.currentData()
        self.period_combo.blockSignals(True)
        self.period_combo.clear()
        for days, text in PERIODS:
            self.period_combo.addItem(text.render(lang), days)
        self.period_combo.setCurrentIndex(max(0, self.period_combo.findData(current)))
        self.period_combo.blockSignals(False)

    # -- filtering and showing ----------------------------------------------------------

    def _apply_filters(self) -> None:
        if self.log is None:
            return
        self.shown_rows = [r for r in self.log.rows if self._passes(r)]
        self._fill_table()

    def _passes(self, log_row: LogRow) -> bool:
        from inspector_app.visit_log import local_day

        visit = log_row.visit
        search = self.search_edit.text().strip().upper()
        days = self.period_combo.currentData() or 0
        earliest = dt.date.today() - dt.timedelta(days=days - 1) if days else None
        return all((
            not search or search in visit.enterprise.uscc or search in (
                visit.enterprise.name or "").upper(),
            self.officer_combo.currentData() in (None, visit.officer),
            self.kind_combo.currentData() in (None, visit.kind),
            self.department_combo.currentData() in (None, *visit.departments),
            earliest is None or local_day(visit.checked_in.wall_ms) >= earliest,
            not self.warned_check.isChecked() or visit.frequency_warned,
            not self.pending_check.isChecked() or not log_row.fully_delivered,
            not self.broken_check.isChecked() or not log_row.intact,
        ))

    def _fill_table(self) -> None:
        from inspector_app.visit_log import local_time_text

        profile, lang = self.ctx.profile, self.ctx.lang.lang
        self.table.setHorizontalHeaderLabels([c.render(lang) for c in COLUMNS])
        self.table.setRowCount(len(self.shown_rows))
        for index, log_row in enumerate(self.shown_rows):
            visit = log_row.visit
            running = visit.is_open and log_row.duration is not None
            duration = "" if log_row.duration is None else clock_text(log_row.duration.seconds)
            cells = (
                local_time_text(visit.checked_in.wall_ms),
                visit.enterprise.name or visit.enterprise.uscc,
                _officer_name(profile, visit.officer),
                _kind_name(profile, visit.kind, lang),
                duration + (self.tr(Text("（进行中）", " (running)")) if running else ""),
                "⚠ " + self.tr(Text("已说明理由", "justified")) if visit.frequency_warned else "",
                ("✓ " if log_row.intact else "✗ ") + log_row.integrity_text().render(lang),
                log_row.delivery_text().render(lang),
            )
            for column, value in enumerate(cells):
                self.table.setItem(index, column, QTableWidgetItem(value))
        self.details.setPlainText(self.tr(Text("显示 {n} 条检查；选择一行查看详情。",
                                               "{n} visits shown; select a row for details.")
                                          .format(n=len(self.shown_rows))))
        self._show_charts()

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
        from inspector_app.ui.log_detail import detail_text

        self.detail = detail
        self.details.setPlainText(detail_text(detail, self.ctx.profile, self.ctx.lang.lang))

    def _show_charts(self) -> None:
        from inspector_app.visit_log import duration_histogram, local_day, visits_per_day

        lang = self.ctx.lang.lang
        last = max((local_day(r.visit.checked_in.wall_ms) for r in self.shown_rows),
                   default=dt.date.today())
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
        from inspector_app.visit_log import log_csv

        text = "\ufeff" + log_csv(self.shown_rows, self.ctx.lang.lang)  # BOM: spreadsheets

        def write(ws: Workspace) -> None:
            path.write_text(text, encoding="utf-8")

        count = len(self.shown_rows)
        self.run(write, lambda _: self.message.show_text("ok", Text(
            "已导出 {n} 条检查到 {f}。", "Exported {n} visits to {f}.").format(n=count, f=path)),
            self.shown_in(self.message))


def _refill(combo: QComboBox, all_text: Text, lang: Any, items: list[tuple[str, str]]) -> None:
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(all_text.render(lang), None)
    for value, text in items:
        combo.addItem(text, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(False)


def _officer_name(profile: Any, credential: str) -> str:
    record = profile.officer(credential) if profile else None
    return f"{record.name} {credential}" if record else credential


def _department_name(profile: Any, department_id: str, lang: Any) -> str:
    department = profile.department(department_id) if profile else None
    return department.name.render(lang) if department else department_id


def _kind_name(profile: Any, kind_id: str, lang: Any) -> str:
    kind = profile.visit_kind(kind_id) if profile else None
    return kind.name.render(lang) if kind else kind_id
