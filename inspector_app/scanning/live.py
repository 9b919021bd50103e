"""Decoding live camera frames within a per-frame time budget.

Most frames show no code, so the cheap path must stay cheap: one zxing-cpp call on
the frame.  When it finds nothing and time is left in the budget, one costlier
step runs, taken in turn from a rotating list, so over a few frames the whole
list is tried while no single frame overruns.  Each step's cost is learned as it
runs, and a step predicted to overrun the budget waits for a later frame.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from inspector_app.scanning import backends, views
from inspector_app.scanning.cascade import Step, run_step, to_gray
from inspector_app.scanning.detection import Detection, ScanResult, nearest_centre_first
from inspector_app.scanning.imagetypes import Image

DEFAULT_BUDGET_MS = 4.0

PRIMARY_STEP = Step("zxing", views.whole, backends.zxing_decode)

#: Tried one per frame, in turn, when the primary step found nothing.
LIVE_EXTRA_STEPS: tuple[Step, ...] = (
    Step("zxing-centre-up2", views.centre_crop(0.5, 2), backends.zxing_decode),
    Step("zxing-histogram", views.whole,
         functools.partial(backends.zxing_decode, binariser="histogram")),
    Step("zxing-down2", views.rescaled(0.5), backends.zxing_decode),
    Step("zxing-centre-clahe", views.then(views.centre_crop(0.6, 1), views.filtered("clahe")),
         backends.zxing_decode),
)


@dataclass
class LiveDecoder:
    """Decode frames one after another, spending at most ``budget_ms`` on extras per frame."""

    budget_ms: float = DEFAULT_BUDGET_MS
    extra_steps: Sequence[Step] = LIVE_EXTRA_STEPS
    clock: Callable[[], float] = time.perf_counter
    _next_extra: int = 0
    _cost_ms: dict[str, float] = field(default_factory=dict)

    def decode(self, frame: Image) -> ScanResult:
        started = self.clock()
        gray = to_gray(frame)
        tried = [PRIMARY_STEP.name]
        found = run_step(PRIMARY_STEP, gray)
        if not found and self.extra_steps:
            step = self.extra_steps[self._next_extra % len(self.extra_steps)]
            spent = (self.clock() - started) * 1000
            if spent + self._cost_ms.get(step.name, 0.0) <= self.budget_ms:
                self._next_extra += 1
                tried.append(step.name)
                found = self._timed(step, gray)
            elif spent < self.budget_ms:
                # Too costly for this frame's remainder: the next step has a turn, and the
                # estimate decays so that one slow first run does not ban a step for good.
                self._next_extra += 1
                self._cost_ms[step.name] *= 0.9
        height, width = gray.shape[:2]
        return ScanResult(
            nearest_centre_first(found, width, height),
            width,
            height,
            (self.clock() - started) * 1000,
            tuple(tried),
        )

    def _timed(self, step: Step, gray: Image) -> list[Detection]:
        started = self.clock()
        found = run_step(step, gray)
        cost = (self.clock() - started) * 1000
        previous = self._cost_ms.get(step.name)
        # A moving average: frame content changes the cost, one slow frame should not ban a step.
        self._cost_ms[step.name] = cost if previous is None else 0.8 * previous + 0.2 * cost
        return found
