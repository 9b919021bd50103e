"""The team lead's visit table as a model: the rows are data, filtering and sorting a proxy.

:class:`LogTableModel` holds the visits of one log (this tablet's, or a bundle's)
and answers what each cell shows, its tooltip (the full text) and a key to sort
by; :class:`LogFilterProxy` shows the visits a :class:`LogQuery` passes, in the
order the team lead chose.  A new log resets the model; a filter only
re-evaluates which rows pass — no widget, row or item is created or destroyed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from inspector_app.services.log_totals import TALLY_COLUMNS
from inspector_app.services.names import kind_name, officer_label, reason_text
from inspector_app.services.visit_log import LogQuery, Status, local_time_text
from inspector_app.ui.timer import clock_text
from inspector_protocol.text import Lang, Text

if TYPE_CHECKING:
    import datetime as dt

    from inspector_app.profile import Profile
    from inspector_app.services.visit_log import LogRow

AnyIndex = QModelIndex | QPersistentModelIndex

COLUMNS = (
    Text("签到时间", "Checked in"), Text("企业", "Enterprise"), Text("执法人员", "Officer"),
    Text("类型", "Kind"), Text("时长", "Duration"), Text("状态", "Status"),
    Text("预警", "Warning"), Text("完整性", "Integrity"), Text("送达", "Delivery"),
)
ENTERPRISE_COLUMN = 1
STATUS_COLUMN = 5
#: Columns a narrow (portrait) table folds away first, last listed first; their text stays
#: in the detail pane.  The others are the core a team lead scans down.
OPTIONAL_COLUMNS = (7, 6, 8)
#: The key :class:`LogFilterProxy` sorts by.
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: The :class:`LogRow` behind a row.
ROW_ROLE = Qt.ItemDataRole.UserRole + 2


class LogTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: tuple[LogRow, ...] = ()
        self._profile: Profile | None = None
        self._lang: Lang = "zh"
        self._latest_year: int | None = None
        #: Each row's cells as (shown, in full), made when first asked for.
        self._cells: dict[int, list[tuple[str, str]]] = {}

    # -- what the model holds ------------------------------------------------------------

    def set_log(self, rows: Sequence[LogRow], profile: Profile | None, lang: Lang) -> None:
        from inspector_app.services.visit_log import local_day

        self.beginResetModel()
        self._rows, self._profile, self._lang = tuple(rows), profile, lang
        self._latest_year = max((local_day(r.visit.checked_in.wall_ms).year for r in rows),
                                default=None)
        self._cells.clear()
        self.endResetModel()

    def set_language(self, lang: Lang) -> None:
        self._lang = lang
        self._cells.clear()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(COLUMNS) - 1))

    def log_row(self, row: int) -> LogRow:
        return self._rows[row]

    @property
    def rows(self) -> tuple[LogRow, ...]:
        return self._rows

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows themselves, one key per row (a proxy's sort would call back into
        Python for every comparison: seconds for a year of a team's visits)."""
        self.layoutAboutToBeChanged.emit()
        keys = [self._sort_key(row, column) for row in range(len(self._rows))]
        order_of = sorted(range(len(self._rows)), key=keys.__getitem__,
                          reverse=order == Qt.SortOrder.DescendingOrder)
        moved = [self._rows[i] for i in order_of]
        old = self.persistentIndexList()
        where = {old_row: new_row for new_row, old_row in enumerate(order_of)}
        self._rows = tuple(moved)
        self._cells.clear()
        self.changePersistentIndexList(old, [self.index(where[i.row()], i.column()) for i in old])
        self.layoutChanged.emit()

    # -- the model interface ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 — Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].render(self._lang)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._row_cells(row)[column][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._row_cells(row)[column][1]
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == ROW_ROLE:
            return self._rows[row]
        return None

    # -- cells -------------------------------------------------------------------------------

    def _row_cells(self, row: int) -> list[tuple[str, str]]:
        cells = self._cells.get(row)
        if cells is None:
            cells = self._cells[row] = self._make_cells(self._rows[row])
        return cells

    def _make_cells(self, log_row: LogRow) -> list[tuple[str, str]]:
        """Each cell as (shown, in full): the table is kept narrow, the tooltip is not."""
        lang, visit = self._lang, log_row.visit
        running = visit.is_open and log_row.duration is not None
        duration = "" if log_row.duration is None else clock_text(log_row.duration.seconds)
        when = local_time_text(visit.checked_in.wall_ms)
        officer = officer_label(self._profile, visit.officer)
        co = "、".join(officer_label(self._profile, c) for c in visit.co_officers)
        enterprise = visit.enterprise.name or visit.enterprise.uscc
        status = log_row.status.text().render(lang)
        why = reason_text(self._profile, log_row.status_reason, lang)
        cells: list[str | tuple[str, str]] = [
            # "11-23 09:12" within the latest year shown, the year in the tooltip
            (when[5:] if when.startswith(f"{self._latest_year}-") else when, when),
            (enterprise, f"{enterprise} {visit.enterprise.uscc}"),
            # the name; the credential number and the co-officers in the tooltip
            (officer.split(" ")[0] + ("+" if co else ""),
             officer + (Text("；共同执法：{co}", "; with {co}").format(co=co).render(lang)
                        if co else "")),
            kind_name(self._profile, visit.kind, lang) or visit.kind,
            duration + (Text("（进行中）", " (running)").render(lang) if running else ""),
            f"{status}：{why}" if why else status,  # elided in the cell, whole in the tooltip
            "⚠ " + Text("已说明理由", "justified").render(lang) if visit.frequency_warned else "",
            ("✓ " if log_row.intact else "✗ ") + log_row.integrity_text().render(lang),
            log_row.delivery_text().render(lang),
        ]
        return [cell if isinstance(cell, tuple) else (cell, cell) for cell in cells]

    def _sort_key(self, row: int, column: int) -> Any:
        log_row = self._rows[row]
        visit = log_row.visit
        if column == 0:
            return visit.checked_in.wall_ms
        if column == 4:
            return -1 if log_row.duration is None else log_row.duration.seconds
        if column == STATUS_COLUMN:
            return list(Status).index(log_row.status)
        if column == 6:
            return int(visit.frequency_warned)
        if column == 7:
            return int(log_row.intact)
        if column == 8:
            return log_row.delivered - log_row.events  # the most pending first, ascending
        return self._row_cells(row)[column][0]


class LogFilterProxy(QSortFilterProxyModel):
    """The visits of the model that the query passes, sorted by the chosen column."""

    def __init__(self, model: LogTableModel) -> None:
        super().__init__()
        self._model = model
        self._query = LogQuery()
        self._today: dt.date | None = None
        #: Which model rows pass the query, worked out in one pass when the query changes.
        self._passing: list[bool] | None = None
        self.setSourceModel(model)
        self.setSortRole(SORT_ROLE)
        model.modelReset.connect(self._forget)
        model.layoutChanged.connect(self._forget)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The model sorts its rows; this proxy keeps their order and only filters."""
        self._model.sort(column, order)
        super().sort(-1)

    def _forget(self) -> None:
        self._passing = None

    @property
    def query(self) -> LogQuery:
        return self._query

    def set_query(self, query: LogQuery, today: dt.date) -> None:
        """Show the rows ``query`` passes, counting days up to ``today`` (China time)."""
        if (query, today) == (self._query, self._today):
            return
        self.beginFilterChange()
        self._query, self._today, self._passing = query, today, None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        today = self._today
        if today is None:
            return True
        if self._passing is None or len(self._passing) != self._model.rowCount():
            self._passing = [self._query.passes(r, today) for r in self._model.rows]
        return self._passing[source_row]

    def log_row(self, row: int) -> LogRow:
        """The visit shown at ``row`` of this proxy."""
        return self._model.log_row(self.mapToSource(self.index(row, 0)).row())

    def shown_rows(self) -> list[LogRow]:
        return [self.log_row(row) for row in range(self.rowCount())]


class TotalsModel(QAbstractTableModel):
    """The totals of the visits shown, by department, officer and kind: a few dozen lines,
    made again whenever the filters change (cheap: one pass over the rows shown)."""

    def __init__(self) -> None:
        super().__init__()
        self._lines: list[tuple[str, list[str]]] = []
        self._lang: Lang = "zh"

    def set_lines(self, lines: list[tuple[str, list[str]]], lang: Lang) -> None:
        """``lines`` as :func:`~inspector_app.services.log_totals.totals_table` makes them."""
        self.beginResetModel()
        self._lines, self._lang = lines, lang
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 — Qt's signature
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2 + len(TALLY_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = [Text("分组", "Group"), Text("名称", "Name"), *(t for t, _ in TALLY_COLUMNS)]
        return titles[section].render(self._lang)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        group, cells = self._lines[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return group if column == 0 else cells[column - 1]
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
