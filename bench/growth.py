"""How the cost grows with the work: orders/s and settle time versus stored orders and versus concurrent shoppers.

- **Stored orders.**  One shop and sandbox; before each level the store is filled
  through the API (concurrent order creation) up to that many orders, then measured:
  orders/s one at a time (``shop_rate``), and webhook settle time for payments
  alone and in one burst (``settle``).
- **Concurrent shoppers.**  The load run (``load_run``) with no time on the checkout
  page, for growing numbers of shoppers, 5 orders each, each on a fresh shop: orders
  per second through the whole purchase, and settle time.

``plot`` draws both as a small PNG (matplotlib, a bench-only dependency).
"""

import argparse
import sqlite3
from dataclasses import dataclass

from bench import load_run, settle
from bench.common import ROOT, distribution, machine, run_ops, write_result
from bench.shop_rate import ShopClient
from bench.stack import Stack

PLOT = ROOT / "bench" / "growth.png"


@dataclass(frozen=True)
class Plan:
    stored: tuple = (0, 2_500, 5_000, 10_000)
    orders: int = 300  # sequential orders timed at each level
    alone: int = 10
    burst: int = 30
    shoppers: tuple = (1, 10, 25, 50, 100, 200)
    orders_each: int = 5


QUICK = Plan(stored=(0, 500, 1_000), orders=60, alone=3, burst=10, shoppers=(1, 10, 25))


def stored_orders(stack):
    with sqlite3.connect(stack.shop_db) as db:
        return db.execute("SELECT count(*) FROM orders").fetchone()[0]


def versus_stored(plan, say):
    points = []
    with Stack() as stack:
        run_ops(lambda: ShopClient(stack.shop_url), 20, 1)  # warm-up
        for level in plan.stored:
            have = stored_orders(stack)
            if level > have:
                say(f"  growth: filling the store to {level:,} orders …")
                run_ops(lambda: ShopClient(stack.shop_url), level - have, 8, seconds=600)
            at = stored_orders(stack)
            done, elapsed = run_ops(lambda: ShopClient(stack.shop_url), plan.orders, 1)
            alone = settle.settle_times(stack, settle.alone(stack, plan.alone))
            burst = settle.settle_times(stack, settle.burst(stack, plan.burst))
            points.append(
                {
                    "stored_orders": at,
                    "orders_per_second": done / elapsed,
                    "n": done,
                    "settle_alone": distribution(alone),
                    "settle_burst": distribution(burst),
                }
            )
            burst_p95 = points[-1]["settle_burst"]["p95"]
            say(
                f"  growth: {at:,} stored: {done / elapsed:.0f} orders/s, settle p95 {burst_p95:.3f} s"
                f" in a burst of {plan.burst}"
            )
    return points


def versus_shoppers(plan, say):
    points = []
    for shoppers in plan.shoppers:
        summary = load_run.run(shoppers, plan.orders_each, (0.0, 0.0), name=f"load_run_{shoppers}_shoppers", say=say)
        points.append(
            {
                "shoppers": shoppers,
                "orders": summary["orders"],
                "orders_per_second": summary["orders_per_second"],
                "settle": summary["settle_seconds"],
                "late": summary["late"],
                "pass": summary["pass"],
                "errors": summary["errors"],
            }
        )
        say(
            f"  growth: {shoppers} shoppers: {summary['orders_per_second']:.0f} orders/s, "
            f"settle p50 {summary['settle_seconds']['p50']:.3f} s, p95 {summary['settle_seconds']['p95']:.3f} s"
        )
    return points


def run(plan=Plan(), say=print):
    result = {
        "plan": plan.__dict__,
        "machine": machine(),
        "stored": versus_stored(plan, say),
        "shoppers": versus_shoppers(plan, say),
    }
    write_result("growth", result)
    return result


def plot(result, path=PLOT, baseline=None, baseline_label="before"):
    """Two small panels: orders/s (left axis) and settle p95 (right axis) against each kind of growth.

    ``baseline``: an earlier run's results (``growth.json``), drawn faded beside this one's.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, panels = plt.subplots(1, 2, figsize=(9.5, 3.4), dpi=100)
    runs = [(result, "", 1.0)] + ([(baseline, f" ({baseline_label})", 0.35)] if baseline else [])
    for panel, kind, x_key, x_label, settle_key in (
        (panels[0], "stored", "stored_orders", "orders already stored", "settle_burst"),
        (panels[1], "shoppers", "shoppers", "concurrent shoppers (no pause)", "settle"),
    ):
        other = panel.twinx()
        for run, suffix, alpha in runs:
            points = run[kind]
            xs = [p[x_key] for p in points]
            panel.plot(
                xs,
                [p["orders_per_second"] for p in points],
                "o-",
                color="#635bff",
                alpha=alpha,
                label=f"orders/s{suffix}",
            )
            other.plot(
                xs,
                [p[settle_key]["p95"] for p in points],
                "s--",
                color="#e5424d",
                alpha=alpha,
                label=f"settle p95{suffix}",
            )
        panel.set_xlabel(x_label)
        panel.set_ylabel("orders/s", color="#635bff")
        other.set_ylabel("webhook settle p95 (s)", color="#e5424d")
        panel.set_ylim(bottom=0)
        other.set_ylim(bottom=0)
        if x_key == "shoppers":
            panel.set_xscale("log")
        lines = panel.get_lines() + other.get_lines()
        panel.legend(lines, [line.get_label() for line in lines], fontsize=7, loc="best", framealpha=0.8)
    panels[0].set_title("orders/s one at a time; settle in bursts of 30", fontsize=9)
    panels[1].set_title("the load run, 5 purchases per shopper", fontsize=9)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    result = run(QUICK if parser.parse_args().quick else Plan())
    print(f"plotted {plot(result).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
