"""The exceptions the notebook helper raises for problems it can explain in a sentence."""


class WorkbenchError(Exception):
    """Something the learner or presenter can fix (a shop that does not answer, a missing key, a timeout).

    In a kernel with a ``Workbench`` these are shown as a short message, not a traceback.
    """

    title = "WorkbenchError"
    badge = "error"
    tone = "bad"


class NotPaidYet(WorkbenchError):
    """``wait()`` ran before anyone paid: not a failure, a cue (shown in amber) to pay first and run the cell again.

    It is raised at once rather than after minutes of waiting, so the kernel stays free for the
    checkout's widgets and Run All stops right where the presenter has to act.
    """

    title = "Not paid yet"
    badge = "your move"
    tone = "warn"
