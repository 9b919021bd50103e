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
    QTableWidget,
    QTableWidgetItem,
)

from inspector_app.i18n import Text
from inspector_app.ui.screen import Screen
from inspector_app.ui.timer import clock_text
from inspector_app.ui.widgets import MessageLine, button, card, label, line_edit, row, vbox

if TYPE_CHECKING:
    from inspector_app.app import Workspace
    from inspector_app.visit_log import LogRow, VisitLog

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


class LogsScreen(Screen):
    title = Text("检查记录", "Visit logs")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.log: VisitLog | None = None
        self.shown_rows: list[LogRow] = []
        outer = vbox(self, margins=20, spacing=12)
        outer.addLayout(self._filters())
        self.source_label = MessageLine(self.binder)
        outer.addWidget(self.source_label)
        self.table = QTableWidget(0, len(COLUMNS))
        self.binder.name(self.table, Text("检查记录表", "Visit log table"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(52)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_details)
        self.table.setMinimumHeight(160)
        outer.addWidget(self.table, 1)
        details, layout = card()
        self.details_label = label(None)
        layout.addWidget(self.details_label)
        outer.addWidget(details)
        self.message = MessageLine(self.binder)
        outer.addWidget(self.message)
        self.local_button = button(self.binder, Text("本机记录", "This tablet"))
        self.local_button.clicked.connect(self.refresh)
        self.bundle_button = button(self.binder, Text("打开其他设备的记录包…", "Open a bundle from "
                                                      "another tablet…"))
        self.bundle_button.clicked.connect(self._choose_bundle)
        self.export_button = button(self.binder, Text("导出 CSV…", "Export CSV…"))
        self.export_button.clicked.connect(self._choose_export)
        outer.addLayout(row(self.local_button, self.bundle_button, self.export_button))

    def _filters(self) -> Any:
        self.search_edit = line_edit(self.binder, Text("搜索企业名称或代码", "Search enterprise or USCC"))
        self.search_edit.textChanged.connect(lambda _: self._apply_filters())
        self.officer_combo = QComboBox()
        self.binder.name(self.officer_combo, Text("按执法人员筛选", "Filter by officer"))
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
        self.search_edit.setMinimumWidth(220)
        for combo in (self.officer_combo, self.kind_combo, self.period_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(lambda _: self._apply_filters())
        for check in (self.warned_check, self.pending_check, self.broken_check):
            check.toggled.connect(lambda _: self._apply_filters())
        return row(self.search_edit, self.officer_combo, self.kind_combo, self.period_combo,
                   self.warned_check, self.pending_check, self.broken_check)

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
        self.details_label.setText(self.tr(Text("显示 {n} 条检查；选择一行查看详情。",
                                                "{n} visits shown; select a row for details.")
                                           .format(n=len(self.shown_rows))))

    def _show_details(self) -> None:
        selected = self.table.currentRow()
        if not 0 <= selected < len(self.shown_rows):
            return
        visit = self.shown_rows[selected].visit
        rating = "-" if visit.rating is None else str(visit.rating[0])
        self.details_label.setText(self.tr(Text(
            "{id} · 事由：{reason} · 共同执法：{co} · 预警理由：{j} · 评分：{r} · 异常：{a}",
            "{id} · reason: {reason} · co-officers: {co} · justification: {j} · rating: {r} · "
            "anomalies: {a}").format(
            id=visit.id[:8], reason=visit.reason, co=", ".join(visit.co_officers) or "-",
            j=visit.justification or "-", r=rating, a=len(visit.anomalies))))

    def language_changed(self, lang: str) -> None:
        if self.log is not None:
            self._show_log(self.log)

    # -- exporting ----------------------------------------------------------------------

    def _choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr(Text("导出 CSV", "Export CSV")),
                                              "visits.csv", "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))

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


def _kind_name(profile: Any, kind_id: str, lang: Any) -> str:
    kind = profile.visit_kind(kind_id) if profile else None
    return kind.name.render(lang) if kind else kind_id
