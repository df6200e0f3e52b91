"""Serve WSGI apps (the sandbox, and the shop on top of it) from threads of the current process.

``workbench sandbox``, ``workbench serve``, the notebook helper, the pytest plugin
and the tests all start servers through ``serve_in_thread``, so they run the same
way: waitress on a loopback port (0 picks a free one), in a daemon thread, stopped
cleanly by ``RunningServer.stop``.
"""

import errno
import json
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

from waitress import wasyncore
from waitress.server import create_server

from .app import create_sandbox_app
from .behind_proxy import proxy_headers

logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" notes under load


@dataclass
class RunningServer:
    """A server running in a thread of this process: its URL, and how to stop it cleanly."""

    url: str
    server: object
    thread: threading.Thread = None
    app: object = None
    stopping: bool = False
    data_dir: str = None  # a sandbox's: what settle_now, set_settle_delays and reset take

    def serve(self):
        """The serving loop; it ends once ``stop`` has closed every socket (or made ``poll()`` fail)."""
        try:
            self.server.run()
        except (OSError, ValueError):
            if not self.stopping:
                raise

    def stop(self):
        """Answer the requests in flight, then close every connection and the listening socket; twice is harmless."""
        if self.stopping:
            return
        self.stopping = True
        self.server.accepting = False
        self.server.task_dispatcher.shutdown(timeout=5)
        # Closed from the serving loop's own thread (waitress's trigger runs the call there), the sockets leave
        # the loop's map at once and the loop ends; closed from here, its poll() would sleep out its 1 s timeout.
        try:
            self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server._map))
        except OSError:  # the loop has already closed its trigger (it ended on its own): nothing to wake
            pass
        self.thread.join(5)
        if not self.thread.is_alive():  # the loop closed its map, or had died before: close what is left, once
            wasyncore.close_all(self.server._map)
        # any WSGI app may be served, not only Flask; a Flask app's extensions that have ``close`` (the sandbox's, the
        # shop's and its databases) stop their threads and close their files now that no request can reach them
        for extension in list(getattr(self.app, "extensions", {}).values()):
            close = getattr(extension, "close", None)
            if callable(close):
                close()


def serve_in_thread(app, host="127.0.0.1", port=0, name="server", threads=8, dispatcher=None, port_setting="PORT"):
    """Serve ``app`` with waitress (keep-alive, a thread pool) in a daemon thread.

    ``dispatcher``: the thread pool, e.g. the shop's ``WebhooksFirst`` (waitress's own by default);
    ``port_setting``: the setting a person changes when the port is taken (named in the error).
    """
    if dispatcher is not None:
        dispatcher.set_thread_count(threads)
    try:
        server = create_server(  # poll(), not select(): a process past 1,024 open files still serves
            app,
            host=host,
            port=port,
            threads=threads,
            ident="press-workbench",
            asyncore_use_poll=True,
            _dispatcher=dispatcher,
        )
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise OSError(
            f"The {name} cannot listen on {host}:{port}: that port is already in use (by another program, "
            f"or a shop or sandbox still running). Stop that program, or choose a free port, e.g. "
            f"{port_setting}={port + 1} in .env or the environment."
        ) from None
    running = RunningServer(f"http://{host}:{server.effective_port}", server, app=app)
    running.thread = threading.Thread(target=running.serve, name=name, daemon=True)
    running.thread.start()
    return running


def sandbox_answers(url, timeout=1.0, token=None):
    """True if a Press Workbench sandbox already runs at ``url`` (``token``: the proxy token, if it needs one)."""
    request = urllib.request.Request(url.rstrip("/") + "/", headers=proxy_headers(token))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response).get("sandbox") is True
    except (OSError, ValueError, urllib.error.URLError):
        return False


def start_sandbox(data_dir, host="127.0.0.1", port=0, **options):
    """A sandbox serving from a thread (port 0: a free one), as the shop, the notebooks and the tests start it."""
    running = serve_in_thread(
        create_sandbox_app(data_dir, **options), host, port, "sandbox", port_setting="SANDBOX_PORT"
    )
    running.data_dir = data_dir
    return running
