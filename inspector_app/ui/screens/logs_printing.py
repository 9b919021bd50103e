"""Printing the team lead's log report: Qt's print dialog, then the PDF's pages on the printer.

The report is made once, as a PDF, on the worker (the same file "export" writes);
printing draws its pages.  A printer set to print to a PDF file gets the report's
own bytes (written on the worker); a real printer gets each page rendered at its
resolution, one page per turn of the event loop, so a long report never freezes
the window.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRect, QSize, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter

from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.ui.screen import Screen
    from inspector_app.ui.widgets import MessageLine


class PdfPrintJob(QObject):
    """Paints the pages of a PDF onto ``printer``, one per event-loop turn."""

    finished = Signal(int)
    failed = Signal()

    def __init__(self, printer: QPrinter, data: bytes) -> None:
        super().__init__()
        self._printer = printer
        self._bytes = QByteArray(data)
        self._buffer = QBuffer(self._bytes)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._document = QPdfDocument(self)
        self._document.load(self._buffer)
        self._painter: QPainter | None = None
        self._page = 0

    @property
    def pages(self) -> int:
        return self._document.pageCount()

    def start(self) -> None:
        if self._document.status() != QPdfDocument.Status.Ready or self.pages == 0:
            self.failed.emit()
            return
        self._painter = QPainter()
        if not self._painter.begin(self._printer):
            self.failed.emit()
            return
        QTimer.singleShot(0, self._next_page)

    def _next_page(self) -> None:
        painter = self._painter
        assert painter is not None
        area = painter.viewport()
        points = self._document.pagePointSize(self._page)
        scale = min(area.width() / points.width(), area.height() / points.height())
        size = QSize(int(points.width() * scale), int(points.height() * scale))
        image = self._document.render(self._page, size)
        painter.drawImage(QRect(area.topLeft(), size), image)
        self._page += 1
        if self._page < self.pages:
            self._printer.newPage()
            QTimer.singleShot(0, self._next_page)
            return
        painter.end()
        self.finished.emit(self.pages)


def print_pdf(screen: Screen, data: bytes, message: MessageLine) -> PdfPrintJob | None:
    """Ask where to print (Qt's dialog, in the app's language), then print ``data``."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName("visit-report")
    dialog = QPrintDialog(printer, screen)
    dialog.setWindowTitle(screen.tr(Text("打印汇总报告", "Print the log report")))
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return None
    return print_to(screen, printer, data, message)


def print_to(screen: Screen, printer: QPrinter, data: bytes,
             message: MessageLine) -> PdfPrintJob | None:
    """Print ``data`` on ``printer`` as the dialog left it."""
    from inspector_app.platform.fileio import write_durably

    target = printer.outputFileName()
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and target:
        path = Path(target)
        screen.run(lambda _ws: write_durably(path, data), lambda _: message.show_text(
            "ok", Text("已打印到 {f}。", "Printed to {f}.").format(f=path)),
            screen.shown_in(message))
        return None
    job = PdfPrintJob(printer, data)
    job.finished.connect(lambda pages: message.show_text(
        "ok", Text("已发送 {n} 页到打印机。", "Sent {n} pages to the printer.").format(n=pages)))
    job.failed.connect(lambda: message.show_text(
        "error", Text("无法打印：请检查打印机。", "Could not print: check the printer.")))
    job.setParent(screen)  # kept alive while it prints
    job.finished.connect(lambda _: job.deleteLater())
    job.start()
    return job
