"""The team lead's visit table as a model: the rows are data, filtering and sorting a proxy.

:class:`LogTableModel` holds the visits of one log (this tablet's, or a bundle's)
and answers what each cell shows, its tooltip (the full text) and a key to sort
by; :class:`LogFilterProxy` shows the visits a :class:`LogQuery` passes, in the
order the team lead chose.  A new log resets the model; a filter only works out
which rows pass — no widget, row or item is created or destroyed.

The proxy holds the list of model rows it shows and nothing else: a filter or a
sort is a few list operations over the log's columns
(:class:`~inspector_app.services.log_columns.LogColumns`, made on the worker),
then one reset or layout change.  Qt asks Python only for the cells on screen,
never once per row of a year of visits (a ``QSortFilterProxyModel`` would call
``filterAcceptsRow`` 20,000 times per keystroke).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from inspector_app.services.log_columns import STATUS_ORDER, LogColumns
from inspector_app.services.log_totals import TALLY_COLUMNS
from inspector_app.services.names import kind_name, officer_label, reason_text
from inspector_app.services.visit_log import LogQuery, local_time_text
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
#: The roles the visit table answers, as plain numbers: a painted cell is asked for some ten
#: roles, and most are answered "nothing" before any other work.
_DISPLAY, _TOOLTIP = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.ToolTipRole)
_ANSWERED = frozenset({_DISPLAY, _TOOLTIP, int(SORT_ROLE), int(ROW_ROLE)})


class LogTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._columns = LogColumns(())
        self._profile: Profile | None = None
        self._lang: Lang = "zh"
        #: Each row's cells as (shown, in full), made when first asked for.
        self._cells: dict[int, list[tuple[str, str]]] = {}

    # -- what the model holds ------------------------------------------------------------

    def set_log(self, rows: Sequence[LogRow], profile: Profile | None, lang: Lang,
                columns: LogColumns | None = None) -> None:
        """Hold ``rows``; ``columns`` are their :class:`LogColumns` when the worker made them
        (otherwise they are made here, on the GUI thread)."""
        if columns is None or columns.rows != tuple(rows):
            columns = LogColumns(rows)
        self.beginResetModel()
        self._columns, self._profile, self._lang = columns, profile, lang
        self._cells.clear()
        self.endResetModel()

    def set_language(self, lang: Lang) -> None:
        self._lang = lang
        self._cells.clear()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, len(COLUMNS) - 1))

    def log_row(self, row: int) -> LogRow:
        return self._columns.rows[row]

    @property
    def rows(self) -> tuple[LogRow, ...]:
        return self._columns.rows

    @property
    def columns(self) -> LogColumns:
        return self._columns

    def sort_keys(self, column: int) -> list[Any]:
        """Every row's key for sorting by ``column``, from the log's columns (a text column's
        key is its shown text, each distinct name looked up once)."""
        c = self._columns
        if column == 0:
            return c.checked_in_ms
        if column == 4:
            return c.seconds
        if column == STATUS_COLUMN:
            return [STATUS_ORDER[s] for s in c.statuses]
        if column == 6:
            return [int(w) for w in c.warned]
        if column == 7:
            return [int(not b) for b in c.broken]
        if column == 8:
            return [r.delivered - r.events for r in c.rows]  # the most pending first, ascending
        if column == 2:
            leads = {o[0] for o in c.officers}
            label = {o: officer_label(self._profile, o).split(" ")[0] for o in leads}
            return [label[o[0]] + "+" if len(o) > 1 else label[o[0]] for o in c.officers]
        if column == 3:
            name = {k: kind_name(self._profile, k, self._lang) or k for k in set(c.kinds)}
            return [name[k] for k in c.kinds]
        if column == ENTERPRISE_COLUMN:
            return [r.visit.enterprise.name or r.visit.enterprise.uscc for r in c.rows]
        return [self._row_cells(row)[column][0] for row in range(len(c.rows))]

    # -- the model interface ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 — Qt's signature
        return 0 if parent.isValid() else len(self._columns.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].render(self._lang)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ANSWERED or not index.isValid():
            return None
        return self.cell_data(index.row(), index.column(), role)

    def cell_data(self, row: int, column: int, role: int) -> Any:
        """What ``data`` answers for the cell at ``row``, ``column`` (no index made)."""
        if role == _DISPLAY:
            return self._row_cells(row)[column][0]
        if role == _TOOLTIP:
            return self._row_cells(row)[column][1]
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == ROW_ROLE:
            return self._columns.rows[row]
        return None

    # -- cells -------------------------------------------------------------------------------

    def _row_cells(self, row: int) -> list[tuple[str, str]]:
        cells = self._cells.get(row)
        if cells is None:
            cells = self._cells[row] = self._make_cells(self._columns.rows[row])
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
            (when[5:] if when.startswith(f"{self._columns.latest_year}-") else when, when),
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
        return self.sort_keys(column)[row]


class LogFilterProxy(QAbstractTableModel):
    """The visits of the model that the query passes, sorted by the chosen column: a list of
    model rows, made again in one pass when the query or the order changes."""

    def __init__(self, model: LogTableModel) -> None:
        super().__init__()
        self._model = model
        self._query = LogQuery()
        self._today: dt.date | None = None
        #: Model rows in the chosen order; None: the model's own order.
        self._order: list[int] | None = None
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None
        #: Model rows the query passes, in model order; None: all of them.
        self._passing: list[int] | None = None
        #: Model rows shown, in the order shown.
        self._shown: list[int] = []
        model.modelAboutToBeReset.connect(self.beginResetModel)
        model.modelReset.connect(self._model_reset)
        model.dataChanged.connect(self._model_data_changed)
        model.headerDataChanged.connect(self.headerDataChanged)

    def sourceModel(self) -> LogTableModel:
        return self._model

    @property
    def query(self) -> LogQuery:
        return self._query

    def set_query(self, query: LogQuery, today: dt.date) -> None:
        """Show the rows ``query`` passes, counting days up to ``today`` (China time)."""
        if (query, today) == (self._query, self._today):
            return
        self.beginResetModel()
        self._query, self._today = query, today
        self._passing = self._select()
        self._shown = self._arrange()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the rows by ``column``: one key per row, sorted once; the selection stays
        on the same visits."""
        self.layoutAboutToBeChanged.emit()
        self._sorted_by = (column, order)
        self._order = self._sorted_order()
        old = self.persistentIndexList()
        before = [self._shown[i.row()] for i in old]
        self._shown = self._arrange()
        if old:
            where = {source: row for row, source in enumerate(self._shown)}
            self.changePersistentIndexList(old, [
                self.index(where[source], i.column()) if source in where else QModelIndex()
                for i, source in zip(old, before, strict=True)])
        self.layoutChanged.emit()

    def _sorted_order(self) -> list[int] | None:
        if self._sorted_by is None or not 0 <= self._sorted_by[0] < len(COLUMNS):
            return None
        column, order = self._sorted_by
        keys = self._model.sort_keys(column)
        return sorted(range(len(keys)), key=keys.__getitem__,
                      reverse=order == Qt.SortOrder.DescendingOrder)

    def _select(self) -> list[int] | None:
        if self._today is None:
            return None
        return self._model.columns.select(self._query, self._today)

    def _arrange(self) -> list[int]:
        """The rows shown: those passing, in the chosen order."""
        count = self._model.rowCount()
        if self._passing is None:
            return list(range(count)) if self._order is None else list(self._order)
        if self._order is None:
            return list(self._passing)
        passing = bytearray(count)
        for row in self._passing:
            passing[row] = 1
        return [row for row in self._order if passing[row]]

    def _model_reset(self) -> None:
        self._order = self._sorted_order()
        self._passing = self._select()
        self._shown = self._arrange()
        self.endResetModel()

    def _model_data_changed(self) -> None:
        if self._shown:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._shown) - 1, len(COLUMNS) - 1))

    # -- the model interface ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 — Qt's signature
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return None
        return self._model.headerData(section, orientation, role)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ANSWERED or not index.isValid():
            return None
        return self._model.cell_data(self._shown[index.row()], index.column(), role)

    # -- rows --------------------------------------------------------------------------------

    def mapToSource(self, index: AnyIndex) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        return self._model.index(self._shown[index.row()], index.column())

    def log_row(self, row: int) -> LogRow:
        """The visit shown at ``row`` of this proxy."""
        return self._model.log_row(self._shown[row])

    def shown_positions(self) -> list[int]:
        """The model rows shown, in the order shown."""
        return list(self._shown)

    def shown_rows(self) -> list[LogRow]:
        rows = self._model.rows
        return [rows[i] for i in self._shown]


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
