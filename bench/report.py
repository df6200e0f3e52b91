"""The suite's figures as one markdown table (printed, written to ``bench/results/figures.md``, and with
``--write-doc`` put into BENCHMARKS.md between its ``figures`` markers), every target judged with its margin."""

import re

from bench.common import ROOT

DOC = ROOT / "BENCHMARKS.md"
START, END = "<!-- figures:start (written by python -m bench.suite --write-doc) -->", "<!-- figures:end -->"


def ms(seconds):
    return f"{1000 * seconds:,.0f} ms"


def pct(fraction):
    return f"{100 * fraction:.0f}%"


def points(fraction):
    """A difference of two percentages, in percentage points."""
    return f"{100 * fraction:.0f} points"


def verdict(value, limit, higher_is_better, show):
    """'met' or 'missed by …', the margin in the figure's own unit."""
    met = value >= limit if higher_is_better else value < limit
    if met:
        return "**met**"
    return f"**missed** by {show(abs(value - limit))}"


def customer_rows(fractions, stored, n, add):  # n: (customers' rounds × count, payments' rounds × count)
    """Creating a customer and an off-session payment through stripe-python, of the ceiling, judged against a
    PaymentIntent create's own fraction (the sandbox's pace): within 10 points.  Older results have neither."""
    if "create_customer" not in fractions:
        return
    pace = fractions["create"] - 0.10
    measured = (("create_customer", "customer create"), ("off_session", "off-session payment with a saved card"))
    for (op, what), count in zip(measured, n, strict=True):
        add(
            f"sandbox {what} via stripe-python, of the ceiling ({stored})",
            pct(fractions[op]),
            count,
            f"≥ {pct(pace)} (a create's {pct(fractions['create'])} − 10 points)",
            verdict(fractions[op], pace, True, points),
        )


def rows(figures):
    """(what, figure, N, target, verdict) for every figure the suite measured."""
    out = []

    def add(what, value, n, target="", judged=""):
        out.append((what, value, str(n), target, judged))

    rate = figures.get("sandbox_rate")
    if rate:
        plan, rounds = rate["plan"], rate["plan"]["rounds"]
        ceiling = rate["rows"].get("ceiling: no-op endpoint")
        if ceiling:
            per_second = ceiling["empty"]["median_per_second"]
            add(
                "ceiling: stripe-python `StripeClient` → no-op endpoint: creates/s (create+confirm pairs/s)",
                f"{per_second['create']:,.0f} ({per_second['create_confirm']:,.0f})",
                f"{rounds} × {plan['creates']} (× {plan['pairs']})",
            )
        via = rate["rows"]["sandbox via stripe-python"]
        for phase in ("empty", "seeded"):
            fractions = via[phase].get("fraction_of_ceiling")
            if fractions:
                stored = f"{via[phase]['stored_at_start']:,} stored"
                add(
                    f"sandbox create via stripe-python, of the ceiling ({stored})",
                    pct(fractions["create"]),
                    f"{rounds} × {plan['creates']}",
                )
                add(
                    f"sandbox create+confirm via stripe-python, of the ceiling ({stored})",
                    pct(fractions["create_confirm"]),
                    f"{rounds} × {plan['pairs']}",
                    "≥ 60%",
                    verdict(fractions["create_confirm"], 0.6, True, points),
                )
                customer_rows(fractions, stored, (f"{rounds} × {plan['creates']}", f"{rounds} × {plan['pairs']}"), add)
        for phase, ratio in rate.get("ratio_sandbox_over_localstripe", {}).items():
            if phase in ("empty", "seeded"):
                add(
                    f"sandbox / localstripe {rate['localstripe']}, {phase} store: create, create+confirm",
                    f"{ratio['create']:.1f}×, {ratio['create_confirm']:.1f}×",
                    f"{rounds} rounds",
                )
    alone = figures.get("install_alone")
    if alone:
        install_rows(alone, add)
    plugin = figures.get("plugin_overhead")
    if plugin:
        cpu, wall = plugin["median_cpu_seconds"], plugin["median_wall_seconds"]
        add(
            "pytest start in a project using no fixture, CPU (wall clock): with the `stripe_sandbox` plugin / "
            "`-p no:stripe_sandbox` (median); ratio; overhead; importing the plugin",
            f"{ms(cpu['with the plugin'])} ({ms(wall['with the plugin'])}) / {ms(cpu['-p no:stripe_sandbox'])} "
            f"({ms(wall['-p no:stripe_sandbox'])}); {plugin['ratio']:.2f}×; {1000 * plugin['overhead_seconds']:+.0f} "
            f"ms; {1000 * plugin['import_seconds']:.1f} ms",
            f"{plugin['rounds']} rounds",
            "overhead < 20 ms",
            verdict(plugin["overhead_seconds"], 0.02, False, ms),
        )
    shop = figures.get("shop_rate")
    if shop:
        for mode, figure in shop["series"]["shop"].items():
            connections = f"{figure['workers']} connection{'s' * (figure['workers'] > 1)}"
            add(
                f"shop order creation, {mode} ({connections}), of the ceiling with as many threads",
                f"{pct(figure['fraction_of_ceiling'])} ({figure['per_second']:,.0f} orders/s)",
                f"{figure['n']:,}",
                "≥ 40%",
                verdict(figure["fraction_of_ceiling"], 0.4, True, points),
            )
    browser = figures.get("checkout_browser")
    if browser:
        figure = browser["click_to_confirmation"]
        add(
            "click Pay → confirmation in headless Chromium, p50 / p95",
            spread(figure),
            figure["n"],
            "p50 < 300 ms",
            verdict(figure["p50"], 0.3, False, ms),
        )
    bank = figures.get("bank_payments")
    if bank:
        for key, what in (
            ("pay_to_bank_page", "iDEAL in headless Chromium: click Pay → the bank's test page, p50 / p95"),
            ("authorize_to_confirmation", "iDEAL: click Authorize test payment → confirmation, p50 / p95"),
            ("sepa_accepted_to_paid", "SEPA Direct Debit settling at once: debit accepted → order paid, p50 / p95"),
        ):
            add(what, spread(bank[key]), bank[key]["n"])
    settle = figures.get("settle")
    if settle:
        alone, burst = settle["series"]["shop"]["alone"], settle["series"]["shop"]["burst"]
        add("webhook settle, payments one at a time, p50 / p95", spread(alone), alone["n"])
        add(
            f"webhook settle, bursts of {settle['plan']['burst']} concurrent payments, p50 / p95",
            spread(burst),
            burst["n"],
            "p95 < 500 ms",
            verdict(burst["p95"], 0.5, False, ms),
        )
    if figures.get("load_run"):
        load_rows(figures["load_run"], add)
    dashboard = figures.get("dashboard")
    if dashboard:
        median = dashboard["median"]
        add(
            "dashboard: `workbench dashboard` start → ready; ready → first book card (median)",
            f"{median['start_to_ready']:.2f} s; {median['ready_to_first_card']:.2f} s",
            f"{dashboard['n']} starts",
            "first card < 3 s",
            verdict(median["ready_to_first_card"], 3.0, False, seconds),
        )
    notebook = figures.get("notebook_run")
    if notebook:
        add(
            "notebook 01 Run All: kernel start → last cell (median)",
            f"{notebook['median']['run_all']:.2f} s",
            f"{notebook['n']} runs",
            "< 5 s",
            verdict(notebook["median"]["run_all"], 5.0, False, seconds),
        )
    if figures.get("workshop_capacity"):
        workshop_rows(figures["workshop_capacity"], add)
    clone = figures.get("fresh_clone")
    if clone:
        add(
            "`make test` on a fresh clone",
            f"{clone['seconds'] / 60:.1f} min ({clone['pytest_summary']})",
            1,
            "< 10 min",
            verdict(clone["seconds"], 600, False, lambda v: f"{v / 60:.1f} min"),
        )
    return out


def install_rows(alone, add):
    """``pip install <repo>`` (no extras) beside ``pip install localstripe``, and their servers' start → ready."""
    ours, theirs = alone["install"]["press-workbench"], alone["install"]["localstripe"]
    whole_seconds = "{:.0f} s".format

    def both(kind, key, show):
        return f"{show(ours[kind][key])} / {show(theirs[kind][key])}"

    add(
        "`pip install <repo>` (no extras) / `pip install localstripe`: first install; from pip's cache; size",
        f"{both('first', 'median_seconds', whole_seconds)}; {both('cached', 'median_seconds', whole_seconds)}; "
        f"{both('first', 'median_bytes', lambda b: f'{b / 1e6:.0f} MB')}",
        f"{alone['rounds']} rounds",
    )
    before = alone["install"]["press-workbench[notebook]"]
    add(
        "`pip install <repo>[notebook]` (what the plain install was before the extra): first; cached; size",
        f"{whole_seconds(before['first']['median_seconds'])}; {whole_seconds(before['cached']['median_seconds'])}; "
        f"{before['first']['median_bytes'] / 1e6:.0f} MB",
        1,
    )
    ready = alone["start_to_ready"]
    add(
        "`workbench sandbox` / `localstripe`: start → ready (median)",
        f"{seconds(ready['press-workbench']['median'])} / {seconds(ready['localstripe']['median'])}",
        f"{alone['starts']} starts",
    )


def load_rows(load, add):
    """The load run: throughput and settle times, and the correctness counts that must all be 0."""
    s, think = load["settle_seconds"], load["think_seconds"]
    late = load["late"]
    add(
        f"load run {load['shoppers']} × {load['orders_each']} (pause {think[0]:g}–{think[1]:g} s): orders/s; "
        "settle p50 / p95 / max",
        f"{load['orders_per_second']:.0f}; {ms(s['p50'])} / {ms(s['p95'])} / {ms(s['max'])}",
        f"{load['orders']:,}",
        "every order ≤ 2 s",
        f"**missed**: {late} orders later than 2 s" if late else "**met**",
    )
    counts = ("mismatches", "lost", "double_charged", "errors", "without_webhook")
    add(
        "load run: mismatched / lost / double-charged / errors / no webhook",
        " / ".join(str(load[name]) for name in counts),
        f"{load['orders']:,}",
        "all 0",
        "**missed**" if any(load[name] for name in counts) else "**met**",
    )


def workshop_rows(workshop, add):
    """``make workshop`` with a class signing in and paying together (bench/workshop_capacity.py)."""
    n, alone, first = workshop["plan"]["learners"], workshop["alone"], workshop["first_cell"]
    memory = workshop["memory_mib"]
    add(
        f"workshop: sign-in → first lesson cell run, one learner alone; {n} signing in at once, p50 / p95",
        f"{seconds(alone['first_cell'])}; {seconds(first['p50'])} / {seconds(first['p95'])}",
        f"1 + {n}",
    )
    lesson, both = memory["lesson"], memory["lesson_and_dashboard"]
    add(
        "workshop: memory per learner, PSS (RSS), median: server + lesson kernel + shop + sandbox; + dashboard",
        f"{lesson['pss']['median']} MiB ({lesson['rss']['median']}); {both['pss']['median']} MiB "
        f"({both['rss']['median']}); hub side {memory['hub_side_pss']} MiB",
        n,
    )
    cpu = workshop["start_cpu_seconds"]
    add(
        "workshop: CPU to sign in and run the first cell, per learner (+ their share of the hub's)",
        f"{seconds(cpu['learner_median'])} (+ {seconds(cpu['hub_share'])})",
        n,
    )
    pay = workshop["pay_to_confirmation"]
    add(f"workshop: click Pay → confirmation, {n} learners at once through the hub, p50 / p95", spread(pay), pay["n"])
    add(
        "workshop: learners per machine (lower of the memory and CPU bounds; BENCHMARKS.md, Workshop capacity)",
        "; ".join(
            f"{machine}: {bounds['learners']} (memory {bounds['by_memory']}, CPU {bounds['by_cpu']})"
            for machine, bounds in workshop["capacity"].items()
        ),
        "",
    )
    beyond = workshop["requests_beyond_the_hub"]
    add("workshop: browser requests beyond the hub", str(beyond), n + 1, "0", "**met**" if not beyond else "**missed**")


def spread(figure):
    """``p50 / p95`` of a distribution, in milliseconds."""
    return f"{ms(figure['p50'])} / {ms(figure['p95'])}"


def seconds(value):
    return f"{value:.2f} s"


def comparison(figures):
    """Rows for ``--compare``: this checkout beside the others, measured in the same alternating rounds."""
    out = []
    shop, settle = figures.get("shop_rate"), figures.get("settle")
    for label in (shop or {}).get("series", {}):
        row = ["this checkout" if label == "shop" else label]
        for mode in ("sequential", "concurrent"):
            figure = shop["series"][label][mode]
            row.append(f"{figure['per_second']:,.0f}/s ({pct(figure['fraction_of_ceiling'])})")
        if settle and label in settle["series"]:
            row += [spread(settle["series"][label][kind]) for kind in ("alone", "burst")]
        out.append(row)
    return out


def markdown(figures, header):
    lines = [header, "", "| figure | value | N | target | |", "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(row)} |" for row in rows(figures)]
    compared = comparison(figures)
    if len(compared) > 1:
        lines += [
            "",
            "Same run, same rounds (alternating), each checkout with its own shop and sandbox:",
            "",
            (
                "| checkout | orders/s one at a time (of ceiling) | orders/s concurrent (of ceiling) | "
                "settle alone p50 / p95 | settle in bursts p50 / p95 |"
            ),
            "|---|---|---|---|---|",
        ]
        lines += [f"| {' | '.join(row)} |" for row in compared]
    return "\n".join(lines) + "\n"


def write_doc(text, doc=DOC):
    """Replace the figures block of BENCHMARKS.md with ``text``."""
    body = doc.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(body):
        raise ValueError(f"{doc.name} has no figures markers")
    doc.write_text(pattern.sub(lambda _: f"{START}\n{text}{END}", body))
