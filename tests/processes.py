"""``workbench`` commands as real processes, for the tests that kill or restart them."""

import os
import queue
import re
import subprocess
import sys
import threading

LISTENING = re.compile(r" on (http://127\.0\.0\.1:\d+)")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Workbench:
    """``python -m press_workbench.launch.cli <args>`` in its own process; ``url`` is where it said it listens."""

    def __init__(
        self, *args, cwd, timeout=60, root=ROOT, module="press_workbench.launch.cli", python=sys.executable, **env
    ):
        """``root``: the checkout whose code runs (this one; bench/ also runs another commit's, for A/B), or
        None for what ``python``'s environment has installed (tests/plugin: a fresh venv without extras).

        ``module``: another program that says where it listens the same way (bench/'s ceiling endpoint).
        """
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "WORKBENCH_", "SANDBOX_"))}
        environ.update(env)
        if root:
            environ["PYTHONPATH"] = os.pathsep.join([os.path.join(root, "server"), str(root)])  # that checkout's code
        self.process = subprocess.Popen(
            [python, "-m", module, *args],
            cwd=cwd,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output = []
        lines = queue.Queue()
        threading.Thread(target=self._drain, args=(lines,), daemon=True).start()
        self.url = None
        while self.url is None:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                self.kill()
                raise AssertionError(f"workbench {' '.join(args)} did not start:\n{''.join(self.output)}") from None
            if line is None:
                raise AssertionError(f"workbench {' '.join(args)} exited:\n{''.join(self.output)}")
            match = LISTENING.search(line)
            self.url = match.group(1) if match else None

    def _drain(self, lines):
        """Keep reading the output (a full pipe would block the server), passing lines on until it ends."""
        for line in self.process.stdout:
            self.output.append(line)
            lines.put(line)
        lines.put(None)

    def kill(self):
        """SIGKILL: no clean-up, exactly as a crash or an OOM kill."""
        self.process.kill()  # Popen does nothing once it has seen the process exit
        self.process.wait(10)

    def stop(self):
        """SIGTERM, as Ctrl-C would stop it; SIGKILL if it is still there 10 s later."""
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()
