"""A class on one machine: sign-in → first lesson cell, memory per learner, N learners paying at once.

``make workshop`` (started as tests/hub starts it: temporary state, an account per learner)
and N learners (10; ``--quick`` 3), each in a headless Chromium of their own, driven from a
thread of their own, that may reach only the hub.  First one learner alone, then the N:

1. **Sign-in → first lesson cell.**  The N press "Sign in" together (a barrier releases
   them).  Each learner's clock stops when the first cell of lesson 01, ``wb = Workbench()``,
   run as soon as the status bar shows the lesson's kernel idle, shows the shop's path
   under ``/user/<name>/``: the server spawned, JupyterLab loaded, the kernel started, and
   the shop and sandbox started on demand behind the learner's server.
2. **Memory and CPU per learner** then (server, lesson kernel, shop and sandbox), and the
   memory again with the Voilà dashboard open too (a second kernel): PSS and RSS summed over
   the processes of the learner's account.  PSS splits each shared page among the processes
   that map it, so learners' PSS add up to what they take together; RSS counts shared pages
   in full in every process.  CPU: the seconds those processes used from the spawn to then,
   plus the learner's share of what the hub side (launcher, JupyterHub, proxy, idle culler)
   used meanwhile; Chromium's own are not counted.
3. **Pay → confirmation, N at once.**  Each learner buys a book in their own shop's catalog
   through the hub ("Buy now") and types the card on its checkout page; a barrier releases
   the N clicks on Pay together, and each clock stops when that learner's confirmation is
   visible.  ``rounds`` times.

Chromium runs on the same cores as the hub here, where in a class it runs on the learners'
laptops: the latencies are an upper bound.  ``capacity`` turns the figures into learners
per machine (BENCHMARKS.md, "Workshop capacity", says how).
"""

import argparse
import json
import math
import shutil
import statistics
import threading
import time
from dataclasses import dataclass

from playwright.sync_api import expect, sync_playwright

from bench.browser import launch
from bench.common import RESULTS, distribution, machine, write_result
from tests.browser.shopper import buy_now, fill_card
from tests.card_frame import VISA
from tests.hub import workshop as hub
from tests.notebooks.jupyterlab import code_cell

GIB = 2**30
MACHINES = ((2, 8), (16, 64))  # (cores, GiB) the capacity is worked out for
OS_RESERVE = 1 * GIB  # the operating system and its page cache, besides the hub
START_WINDOW = 60  # seconds: a class signing in together should have its first cells run within a minute


@dataclass(frozen=True)
class Plan:
    learners: int = 10
    rounds: int = 3


QUICK = Plan(learners=3, rounds=1)


class Learner(threading.Thread):
    """One learner's browser, driven through the phases in step with the others and the main thread (``barrier``).

    Phases: sign in; (``full`` only) two stops where the main thread reads memory, the dashboard opened
    between them; then ``rounds`` payments.  Each stop is two waits: everyone there, then measured.
    """

    def __init__(self, name, workshop, barrier, full, rounds):
        super().__init__(name=name, daemon=True)
        self.workshop, self.barrier, self.full, self.rounds = workshop, barrier, full, rounds
        self.signed_in = self.first_cell = None  # seconds from the click on "Sign in"
        self.presses = 0  # Shift-Enter on the first cell: more than 1 if JupyterLab dropped a run
        self.dialogs = []  # what JupyterLab asked on the way (text of each dialog)
        self.payments = []  # seconds from the click on Pay to the confirmation
        self.elsewhere = []  # requests the browser tried beyond the hub: must stay empty
        self.error = None

    def run(self):
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                hub.only_the_hub(context, self.workshop, self.elsewhere)
                self.lesson(context.new_page())
                if self.full:
                    self.stop_for_memory()  # the lesson's kernel, shop and sandbox
                    self.dashboard(context.new_page())
                    self.stop_for_memory()  # and the dashboard's kernel
                    for _ in range(self.rounds):
                        self.pay(context.new_page())
                browser.close()
        except Exception as exc:  # noqa: BLE001 — raised again by the main thread
            self.error = exc
            self.barrier.abort()

    def stop_for_memory(self):
        self.barrier.wait()
        self.barrier.wait()

    @staticmethod
    def phases(full, rounds):
        """How many times the main thread meets the learners at the barrier."""
        return 1 + (4 + 2 * rounds if full else 0)

    def lesson(self, page):
        """Sign in (all together), then run lesson 01's first cell as soon as the lesson is ready."""
        page.set_default_timeout(300_000)
        page.goto(self.workshop.url)
        page.locator("#username_input").fill(self.name)
        page.locator("#password_input").fill(self.workshop.password)
        self.barrier.wait()
        started = time.perf_counter()
        page.locator("#login_submit").click()
        expect(hub.kernel_ready(page)).to_be_visible(timeout=300_000)
        self.signed_in = time.perf_counter() - started
        cell = code_cell(page, "import uuid")
        output = cell.locator(".jp-OutputArea", has_text=f"/user/{self.name}/shop")  # the shop behind their server
        running = cell.locator(".jp-InputArea-prompt", has_text="[*]").or_(output)
        for _ in range(10):  # as a learner would, Shift-Enter again if the cell did not start (see run_all_cells)
            dialog = page.locator(".jp-Dialog")
            if dialog.is_visible():  # JupyterLab asks something first: the learner takes its default answer
                self.dialogs.append(dialog.inner_text())
                dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
            cell.locator(".jp-InputArea-editor").click()
            page.keyboard.press("Shift+Enter")
            self.presses += 1
            try:
                expect(running.first).to_be_visible(timeout=3_000)
                break
            except AssertionError:
                continue
        expect(output).to_be_visible(timeout=300_000)
        self.first_cell = time.perf_counter() - started

    def dashboard(self, page):
        page.set_default_timeout(300_000)  # ten Voilà kernels start and run the dashboard at once
        page.goto(f"{self.workshop.url}user/{self.name}/voila/render/dashboard.ipynb")
        expect(page.locator(".wb-book-card").first).to_be_visible(timeout=300_000)

    def pay(self, page):
        """ "Buy now" in their own shop's catalog through the hub, the card typed; Pay together with the others."""
        page.set_default_timeout(120_000)
        buy_now(page, f"{self.workshop.url}user/{self.name}/shop", "art-of-doing-science")
        fill_card(page, VISA)
        button = page.get_by_test_id("pay-button")
        expect(button).to_be_enabled(timeout=60_000)
        self.barrier.wait()
        started = time.perf_counter()
        button.click()
        page.get_by_test_id("confirmation").wait_for(state="visible", timeout=120_000)
        self.payments.append(time.perf_counter() - started)
        self.barrier.wait()


def cpu_seconds(processes):
    """User and system CPU time the processes have used since they started."""
    return sum(sum(process.cpu_times()[:2]) for process in processes)


def usage(workshop, names):
    """Per learner: bytes of PSS and RSS, and CPU seconds, summed over their account's processes; and the hub side's.

    The hub side is every workshop process that is no learner's: launcher, JupyterHub, proxy, idle culler.
    """
    learners = {}
    for name in names:
        processes = workshop.learner_processes(name)
        sizes = [process.memory_full_info() for process in processes]
        learners[name] = {
            "pss": sum(s.pss for s in sizes),
            "rss": sum(s.rss for s in sizes),
            "cpu": cpu_seconds(processes),
        }
    accounts = {hub.account(name) for name in workshop.learners}
    hub_side = [process for process in workshop.processes() if process.info["username"] not in accounts]
    return learners, {"pss": sum(p.memory_full_info().pss for p in hub_side), "cpu": cpu_seconds(hub_side)}


def run_learners(workshop, names, full, rounds=0):
    """Drive ``names`` through the phases together; returns them and the two ``usage`` readings (``full``)."""
    barrier = threading.Barrier(len(names) + 1)
    learners = [Learner(name, workshop, barrier, full, rounds) for name in names]
    readings = []
    for learner in learners:
        learner.start()
    try:
        for phase in range(Learner.phases(full, rounds)):
            barrier.wait(timeout=900)
            if full and phase in (1, 3):  # everyone stopped at a memory stop; released by the next wait
                readings.append(usage(workshop, names))
    except threading.BrokenBarrierError:
        pass
    for learner in learners:
        learner.join(120)
    errors = [learner.error for learner in learners if learner.error]
    causes = [error for error in errors if not isinstance(error, threading.BrokenBarrierError)]
    if errors:
        raise (causes or errors)[0]  # the learner whose failure stopped the others
    return learners, readings


def capacity(active_pss, hub_pss, start_cpu):
    """Learners per machine: the lower of a memory bound and a CPU bound (BENCHMARKS.md, "Workshop capacity").

    Memory: what is left after the OS reserve and the hub side, over an active learner's PSS (lesson and
    dashboard open).  CPU: the class signs in together, and every learner's first cell should have run
    within ``START_WINDOW``: the cores' CPU seconds in that window over what one learner's start costs
    (their processes and their share of the hub's), browsers not counted: they run on learners' laptops.
    """
    out = {}
    for cores, gib in MACHINES:
        by_memory = math.floor((gib * GIB - OS_RESERVE - hub_pss) / active_pss)
        by_cpu = math.floor(cores * START_WINDOW / start_cpu)
        out[f"{cores}-core/{gib} GB"] = {"by_memory": by_memory, "by_cpu": by_cpu, "learners": min(by_memory, by_cpu)}
    return out


def run(plan=Plan(), say=print):
    names = [f"learner{number:02}" for number in range(1, plan.learners + 1)]
    workshop = hub.start(["solo", *names])
    try:
        say("  one learner alone: sign-in → first lesson cell …")
        (solo,), _ = run_learners(workshop, ["solo"], full=False)
        say(
            f"  {plan.learners} learners at once: sign-in, memory, dashboard, {plan.rounds} rounds of paying together …"
        )
        hub_before = usage(workshop, [])[1]  # the hub side's CPU before the class signs in
        learners, readings = run_learners(workshop, names, full=True, rounds=plan.rounds)
        elsewhere = [url for learner in (solo, *learners) for url in learner.elsewhere]
    finally:  # the hub's log outlives the run's temporary state: what a stalled spawn did is in it
        RESULTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(workshop.state / "hub" / "jupyterhub.log", RESULTS / "workshop_capacity_hub.log")
        workshop.stop()
    (lesson, hub_side), (with_dashboard, _) = readings
    start_cpu = statistics.median(m["cpu"] for m in lesson.values())
    hub_share = (hub_side["cpu"] - hub_before["cpu"]) / plan.learners
    result = {
        "plan": plan.__dict__,
        "machine": machine(),
        "alone": {"signed_in": round(solo.signed_in, 2), "first_cell": round(solo.first_cell, 2)},
        "signed_in": distribution([learner.signed_in for learner in learners]),
        "first_cell": distribution([learner.first_cell for learner in learners]),
        "pay_to_confirmation": distribution([s for learner in learners for s in learner.payments]),
        "memory_mib": {
            "lesson": summary(lesson),
            "lesson_and_dashboard": summary(with_dashboard),
            "hub_side_pss": round(hub_side["pss"] / 2**20),
        },
        "start_cpu_seconds": {"learner_median": round(start_cpu, 2), "hub_share": round(hub_share, 2)},
        "capacity": capacity(
            statistics.median(m["pss"] for m in with_dashboard.values()), hub_side["pss"], start_cpu + hub_share
        ),
        "first_cell_presses": {learner.name: learner.presses for learner in (solo, *learners) if learner.presses > 1},
        "dialogs": sorted({text for learner in (solo, *learners) for text in learner.dialogs}),
        "requests_beyond_the_hub": len(elsewhere),
    }
    write_result("workshop_capacity", result)
    return result


def summary(per_learner):
    """Median and largest PSS and RSS over the learners, in MiB."""
    figures = {}
    for kind in ("pss", "rss"):
        values = [figures_of[kind] / 2**20 for figures_of in per_learner.values()]
        figures[kind] = {"median": round(statistics.median(values)), "max": round(max(values))}
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 learners, 1 round")
    result = run(QUICK if parser.parse_args().quick else Plan())
    print(json.dumps({key: value for key, value in result.items() if key != "machine"}, indent=2))


if __name__ == "__main__":
    main()
