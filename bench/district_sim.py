"""Does the gate look-up warn officers before the 4th enforcement visit in 15 days?

Several departments' real tablets (real ledgers, officers, the services the
check-in screen calls, injected clocks) work one district for ``--days``
simulated days against one real central endpoint process on loopback.  Each
tablet syncs at most once a day, at the end of it, and some days not at all
(out of coverage).  At each scan the gate look-up reaches the centre with
probability p (the gate connectivity); otherwise it fails at once and the
warning rests on the tablet's ledger and the history of its last sync.

It reports, for each p, the share of enforcement visits that were the 4th (or
later) in 15 days over all tablets and were warned at the gate before check-in;
the false warnings (a non-enforcement visit warned, or an enforcement visit
warned that was not past the rule); and why the missed ones were missed.  The
schedule and each scan's connectivity draw depend only on ``--seed``, so the
curve compares like with like (a scan that reaches the centre at p = 0.5 also
reaches it at p = 0.75).

The simulated days lie in the past of the server's clock (the server keeps its
own time): the tablets reboot each morning and before each sync, so no anchor
(the server's real time) is ever taken on a boot that made visits, and check-ins
are timed by the tablets' wall clocks, the simulation's; and they ask
the centre for a year of visits (``days=366``) where a tablet in the field asks
for the rule's window on the server's clock.  The tablet applies the rule's
window on its own clock either way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from inspector_app.platform.clock import FakeClock  # noqa: E402
from inspector_app.services.gate_check import consult_centre  # noqa: E402
from inspector_app.services.officer_enrolment import enrol_officer  # noqa: E402
from inspector_app.services.recorder import CheckInRequest, VisitRecorder  # noqa: E402
from inspector_app.services.visit_start import check_in_background  # noqa: E402
from inspector_app.services.workspace import Workspace, init_workspace, open_workspace  # noqa: E402
from inspector_app.sync.client import SyncOptions, run_sync  # noqa: E402
from inspector_app.sync.gate import GateAnswer, gate_transport  # noqa: E402
from inspector_app.sync.transport import Transport  # noqa: E402
from inspector_protocol.china_time import CHINA_TZ, china_date, china_today  # noqa: E402
from inspector_protocol.keys import Signer  # noqa: E402
from inspector_protocol.uscc import ALPHABET, check_character  # noqa: E402
from tests.central.harness import Backend, CentralServer, enrolled  # noqa: E402
from tests.conftest import copy_data_dir  # noqa: E402

DAY_MS = 86_400_000
DEPARTMENTS = ("lc-amr", "lc-em", "lc-fire")
ENFORCEMENT = (("routine", 0.5), ("campaign", 0.25), ("complaint", 0.15), ("double-random", 0.10))
NON_ENFORCEMENT = ("survey", "assistance")
PASSPHRASE = "district-sim-pass"
RULE_VISITS, RULE_DAYS = 4, 15
CURVE = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Options:
    days: int
    tablets_per_department: int
    enterprises: int
    seed: int
    sync_probability: float
    bursts_per_week: int
    #: When the gate look-up reaches the centre, the tablet syncs right after the check-in,
    #: as the app's schedule does when the network comes back.
    sync_when_reachable: bool = False


@dataclass(frozen=True)
class PlannedVisit:
    day: int
    at_ms: int
    tablet: int
    uscc: str
    kind: str
    enforcement: bool
    duration_s: int
    #: The scan reaches the centre when this is below p (the same draw for every p).
    gate_draw: float


@dataclass
class Outcome:
    p: float
    visits: int = 0
    enforcement: int = 0
    past_rule: int = 0
    warned_past_rule: int = 0
    false_warnings: int = 0
    gate_reached: int = 0
    missed_same_day: int = 0
    missed_earlier_day: int = 0
    seconds: float = 0.0

    @property
    def share(self) -> float:
        return self.warned_past_rule / self.past_rule if self.past_rule else 1.0


def _uscc(rng: random.Random) -> str:
    first17 = "91" + "371423" + "".join(rng.choice(ALPHABET) for _ in range(9))
    return first17 + check_character(first17)


def plan(options: Options, start_ms: int) -> list[PlannedVisit]:
    """The district's visits: each tablet two to four a working day.  Each week a few
    enterprises get a burst — four to six enforcement visits on different days within two
    weeks, by whichever departments (a campaign, a complaint followed up, a joint round);
    the rest go to enterprises at random, four in five of them enforcement."""
    rng = random.Random(options.seed)
    pool = [_uscc(rng) for _ in range(options.enterprises)]
    tablets = len(DEPARTMENTS) * options.tablets_per_department
    kinds = [kind for kind, _share in ENFORCEMENT]
    weights = [share for _kind, share in ENFORCEMENT]
    bursts: dict[int, list[str]] = {}
    for week_start in range(0, options.days, 7):
        for _ in range(options.bursts_per_week):
            uscc = rng.choice(pool)
            days = rng.sample(range(week_start, week_start + 14), rng.randint(4, 6))
            for day in days:
                bursts.setdefault(day, []).append(uscc)
    planned = []
    for day in range(options.days):
        weekday = china_date(start_ms + day * DAY_MS).weekday()
        if weekday >= 5:
            continue
        due = list(bursts.get(day, []))
        for tablet in rng.sample(range(tablets), tablets):
            clock_ms = start_ms + day * DAY_MS + rng.randint(60, 120) * 60_000  # 09:00-10:00
            for _ in range(rng.randint(2, 4)):
                if due:
                    uscc, enforcement = due.pop(), True
                    kind = rng.choice(("campaign", "routine", "complaint"))
                else:
                    uscc, enforcement = rng.choice(pool), rng.random() < 0.8
                    kind = rng.choices(kinds, weights)[0] if enforcement else rng.choice(
                        NON_ENFORCEMENT)
                duration = rng.randint(20, 90) * 60
                planned.append(PlannedVisit(day, clock_ms, tablet, uscc, kind, enforcement,
                                            duration, rng.random()))
                clock_ms += (duration + rng.randint(20, 60) * 60) * 1000
    planned.sort(key=lambda v: (v.at_ms, v.tablet))
    return planned


def past_the_rule(visits: list[PlannedVisit]) -> dict[int, bool]:
    """For each enforcement visit (by index): was it the 4th or later in 15 days, all tablets."""
    result = {}
    for i, visit in enumerate(visits):
        if not visit.enforcement:
            continue
        since = visit.at_ms - RULE_DAYS * DAY_MS
        before = sum(1 for other in visits[:i] if other.enforcement and other.uscc == visit.uscc
                     and since <= other.at_ms <= visit.at_ms)
        result[i] = before + 1 >= RULE_VISITS
    return result


# -- tablets -------------------------------------------------------------------------------


@dataclass
class Tablet:
    index: int
    department: str
    ws: Workspace
    clock: FakeClock
    lead: Signer
    co: Signer
    transport: Transport

    def move_to(self, wall_ms: int) -> None:
        self.clock.advance((wall_ms - self.clock.wall_ms) / 1000)


def make_templates(folder: Path, options: Options, start_ms: int) -> list[Path]:
    """One data folder per tablet with its two officers (each with a wrapped key: slow once)."""
    made = []
    for d_index, department in enumerate(DEPARTMENTS):
        for t in range(options.tablets_per_department):
            path = folder / f"{department}-{t}"
            with init_workspace(path, clock=FakeClock(wall_ms=start_ms - DAY_MS)) as ws:
                for k in range(2):
                    enrol_officer(ws, f"37142399{d_index}{t:02d}{k}", f"{department} 执法员{t}{k}",
                                  PASSPHRASE, department)
            made.append(path)
    return made


def open_tablets(templates: list[Path], folder: Path, server: CentralServer,
                 start_ms: int) -> list[Tablet]:
    tablets = []
    for index, template in enumerate(templates):
        clock = FakeClock(wall_ms=start_ms - DAY_MS + 3600_000, boot_id=f"t{index}-setup")
        ws = open_workspace(copy_data_dir(template, folder / template.name), clock)
        transport = enrolled(ws, server, template.name)
        officers = [k.credential for k in ws.ledger.officer_keys()]
        lead, co = (ws.ledger.unlock(c, PASSPHRASE) for c in officers)
        tablets.append(Tablet(index, template.name.rsplit("-", 1)[0], ws, clock, lead, co,
                              transport))
    return tablets


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- one run -----------------------------------------------------------------------------------


def run(options: Options, templates: list[Path], visits: list[PlannedVisit], p: float,
        start_ms: int, folder: Path) -> Outcome:
    truth = past_the_rule(visits)
    outcome = Outcome(p)
    began = time.monotonic()
    with _server(folder / "central") as server:
        tablets = open_tablets(templates, folder / "tablets", server, start_ms)
        offline = Transport(f"http://127.0.0.1:{_dead_port()}", True)
        sync_rng = random.Random(options.seed + 1)
        day = -1
        for index, visit in enumerate(visits):
            while day < visit.day:
                if day >= 0:
                    _end_of_day(tablets, day, start_ms, options, sync_rng)
                day += 1
                for tablet in tablets:  # a new morning: a new boot
                    tablet.clock.reboot(f"t{tablet.index}-d{day}")
                    tablet.move_to(start_ms + day * DAY_MS + 8 * 3600_000)
            tablet = tablets[visit.tablet]
            tablet.move_to(visit.at_ms)
            reached = visit.gate_draw < p
            gate = gate_transport(tablet.transport if reached else offline)

            def consult(ws: Workspace, uscc: str, gate: Transport = gate) -> GateAnswer:
                return consult_centre(ws, uscc, transport=gate, days=366)

            background = check_in_background(tablet.ws, visit.uscc, visit.kind,
                                             tablet.lead.officer or "", consult=consult)
            warned = background.assessment.warned
            outcome.gate_reached += int(bool(background.gate and background.gate.reached))
            recorder = VisitRecorder(tablet.ws)
            made = recorder.check_in(tablet.lead, CheckInRequest(
                visit.uscc, visit.kind, "district simulation",
                justification="专项行动部署" if warned else None, templates=()),
                [tablet.co] if visit.enforcement else [])
            if reached and options.sync_when_reachable:
                _sync(tablet, f"d{day}-{index}")
                tablet.clock.reboot(f"t{tablet.index}-d{day}-after-{index}", downtime_s=0)
            tablet.move_to(visit.at_ms + visit.duration_s * 1000)
            recorder.check_out(tablet.lead, made.id)
            outcome.visits += 1
            outcome.enforcement += int(visit.enforcement)
            should = truth.get(index, False)
            if should:
                outcome.past_rule += 1
                outcome.warned_past_rule += int(warned)
                if not warned:
                    _explain_miss(outcome, visits, index)
            elif warned:
                outcome.false_warnings += 1
        _end_of_day(tablets, day, start_ms, options, sync_rng, everyone=True)
        for tablet in tablets:
            tablet.ws.close()
    outcome.seconds = round(time.monotonic() - began, 1)
    return outcome


def _end_of_day(tablets: list[Tablet], day: int, start_ms: int, options: Options,
                rng: random.Random, everyone: bool = False) -> None:
    """At most one sync a day per tablet, in a random order, some tablets out of coverage."""
    order = list(tablets)
    rng.shuffle(order)
    for n, tablet in enumerate(order):
        if not everyone and rng.random() >= options.sync_probability:
            continue
        tablet.move_to(start_ms + day * DAY_MS + 19 * 3600_000 + n * 60_000)
        _sync(tablet, f"d{day}")


def _sync(tablet: Tablet, label: str) -> None:
    # Synced on a boot of its own: the anchor it brings (the server's real time, months
    # after the simulation's) then never re-times a visit, which keeps the simulation's
    # wall clock.  A boot starts after the sync for the visits that follow it.
    tablet.clock.reboot(f"t{tablet.index}-{label}-sync", downtime_s=0)
    report = run_sync(tablet.ws, tablet.transport, SyncOptions(history_days=366))
    if report.errors or report.pending:
        raise RuntimeError(f"tablet {tablet.index} did not sync: {report.errors}")


def _explain_miss(outcome: Outcome, visits: list[PlannedVisit], index: int) -> None:
    """Why a visit past the rule was not warned: an earlier one in the window was made the
    same day on another tablet (no daily sync can have carried it yet), or on an earlier day
    on another tablet (not yet delivered by it, or delivered but neither pulled by this
    tablet nor asked at the gate)."""
    visit = visits[index]
    since = visit.at_ms - RULE_DAYS * DAY_MS
    earlier = [v for v in visits[:index] if v.enforcement and v.uscc == visit.uscc
               and since <= v.at_ms and v.tablet != visit.tablet]
    if any(v.day == visit.day for v in earlier):
        outcome.missed_same_day += 1
    else:
        outcome.missed_earlier_day += 1


@contextmanager
def _server(folder: Path) -> Iterator[CentralServer]:
    folder.mkdir(parents=True)
    backend = Backend("sqlite", folder, None)
    server = CentralServer(backend, folder).start()
    try:
        yield server
    finally:
        server.stop()
        backend.close()


# -- the command ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--tablets-per-department", type=int, default=2)
    parser.add_argument("--enterprises", type=int, default=400)
    parser.add_argument("--bursts-per-week", type=int, default=3)
    parser.add_argument("--sync-probability", type=float, default=0.7,
                        help="the chance a tablet syncs at the end of a day (default 0.7)")
    parser.add_argument("--sync-when-reachable", action="store_true",
                        help="a tablet whose gate look-up reaches the centre also syncs right "
                        "after the check-in (the app's schedule syncs when the network returns)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--p", type=float, action="append", default=None,
                        help="gate connectivity (repeatable; default the curve 0-1)")
    parser.add_argument("--quick", action="store_true",
                        help="15 days, one tablet per department, 100 enterprises")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    os.umask(0o077)  # tablets' data folders are private (the app says so otherwise)
    if args.quick:
        args.days, args.tablets_per_department, args.enterprises = 15, 1, 100
    options = Options(args.days, args.tablets_per_department, args.enterprises, args.seed,
                      args.sync_probability, args.bursts_per_week, args.sync_when_reachable)
    curve = tuple(args.p) if args.p else CURVE
    # Midnight, China time, the day the simulation starts: days + 2 before today.
    today = china_today() - dt.timedelta(days=options.days + 2)
    start_ms = int(dt.datetime(today.year, today.month, today.day, tzinfo=CHINA_TZ).timestamp() * 1000)
    visits = plan(options, start_ms)
    folder = Path(tempfile.mkdtemp(prefix="district-sim-"))
    try:
        templates = make_templates(folder / "templates", options, start_ms)
        outcomes = [run(options, templates, visits, p, start_ms, folder / f"p{p}") for p in curve]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        print(json.dumps([{**o.__dict__, "share": o.share} for o in outcomes]))
        return 0
    print(f"{options.days} days, {len(DEPARTMENTS) * options.tablets_per_department} tablets, "
          f"{options.enterprises} enterprises, {options.bursts_per_week} bursts a week, "
          f"{len(visits)} visits, syncs on {options.sync_probability:.0%} of days"
          + (", and after each check-in whose gate look-up reached the centre"
             if options.sync_when_reachable else ""))
    print("| gate connectivity p | enforcement visits | 4th+ in 15 days | warned at the gate | "
          "false warnings | missed: same day, another tablet | missed: earlier day, another tablet "
          "| time |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for o in outcomes:
        print(f"| {o.p:.2f} | {o.enforcement} | {o.past_rule} | {o.warned_past_rule} "
              f"({o.share:.1%}) | {o.false_warnings} | {o.missed_same_day} | "
              f"{o.missed_earlier_day} | {o.seconds:.0f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
