"""Making the visit a joint one: another department joins, and its checklists join the form.

"Enter once, check many items" (进一次门，查多项事): the departments present
are listed, and the others of the profile can be added; the form then shows a
section per department (一表通查).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QFrame

from inspector_app.ui.i18n import Binder
from inspector_app.ui.widgets import button, card_layout, label
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.domain.visit_state import Visit
    from inspector_app.profile import Profile


class JointVisitCard(QFrame):
    def __init__(self, binder: Binder, add: Callable[[str], None],
                 render: Callable[[Text], str]) -> None:
        super().__init__()
        self._add, self._render = add, render
        layout = card_layout(self)
        layout.addWidget(label(binder, Text("联合检查", "Joint inspection"), role="heading"))
        self.present_label = label(None)
        self.department_combo = QComboBox()
        binder.name(self.department_combo, Text("要加入的部门", "Department to add"))
        self.add_button = button(binder, Text("加入本次检查", "Add to this visit"),
                                 name=Text("加入部门，合并检查表", "Add the department and its checklists"))
        self.add_button.clicked.connect(self.submit)
        for widget in (self.present_label, self.department_combo, self.add_button):
            layout.addWidget(widget)

    def show_visit(self, visit: Visit, profile: Profile | None) -> None:
        if profile is None:
            return
        lang_name = {d.id: self._render(d.name) for d in profile.departments}
        present = "、".join(lang_name.get(d, d) for d in visit.departments)
        self.present_label.setText(self._render(Text("参加部门：{d}", "Departments: {d}")
                                                .format(d=present)))
        self.department_combo.clear()
        for department in profile.departments:
            if department.id not in visit.departments:
                self.department_combo.addItem(lang_name[department.id], department.id)
        others = self.department_combo.count() > 0
        self.department_combo.setVisible(others)
        self.add_button.setVisible(others)

    def submit(self) -> None:
        department = self.department_combo.currentData()
        if department:
            self._add(str(department))
