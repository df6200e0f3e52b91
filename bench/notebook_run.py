"""Notebook 01 "Run All": from starting its kernel until its last cell has run, as nbclient runs it.

The notebook runs exactly as ``make test`` runs it (``press_workbench.notebook.unattended``:
sandbox mode, a shop of its own on free ports), in its own folder, with a fresh
kernel each round.  The clock starts when the kernel is asked to start; the kernel
ready and each cell's end are recorded, so the report can say where the time went.
"""

import argparse
import os
import statistics
import time

import nbformat
from nbclient import NotebookClient

from bench.common import ROOT, machine, write_result
from press_workbench.notebook.unattended import UNATTENDED_ENV

NOTEBOOK = ROOT / "notebooks" / "01_payment_intents_step_by_step.ipynb"
TARGET = 5.0  # seconds (issue 13)


def one_run(path=NOTEBOOK):
    """{"kernel_ready", "run_all", "cells": [seconds per code cell]} in seconds from asking for a kernel."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        record_timing=False,
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    cells = []
    with client.setup_kernel(env={**os.environ, **UNATTENDED_ENV}):
        ready = time.perf_counter() - started
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code":
                before = time.perf_counter()
                client.execute_cell(cell, index)
                cells.append(time.perf_counter() - before)
        done = time.perf_counter() - started
    return {"kernel_ready": ready, "run_all": done, "cells": cells}


def run(rounds=3, say=print):
    results = []
    for number in range(rounds):
        results.append(one_run())
        say(
            f"  notebook 01 round {number + 1}: kernel ready {results[-1]['kernel_ready']:.2f} s, "
            f"last cell done {results[-1]['run_all']:.2f} s"
        )
    slowest = sorted(range(len(results[0]["cells"])), key=lambda i: -statistics.median(r["cells"][i] for r in results))
    result = {
        "notebook": NOTEBOOK.name,
        "n": rounds,
        "target_seconds": TARGET,
        "machine": machine(),
        "median": {key: statistics.median(r[key] for r in results) for key in ("kernel_ready", "run_all")},
        "slowest_cells": [
            {"code_cell": i + 1, "seconds": statistics.median(r["cells"][i] for r in results)} for i in slowest[:3]
        ],
        "rounds": results,
    }
    write_result("notebook_run", result)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    result = run(parser.parse_args().rounds)
    print(
        f"notebook 01: kernel start → last cell {result['median']['run_all']:.2f} s (median of {result['n']}); "
        f"slowest cells: {result['slowest_cells']}"
    )


if __name__ == "__main__":
    main()
