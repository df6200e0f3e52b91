"""The one exception the notebook helper raises for problems it can explain in a sentence."""


class WorkbenchError(Exception):
    """Something the learner or presenter can fix (a shop that does not answer, a missing key, a timeout).

    In a kernel with a ``Workbench`` these are shown as a short message, not a traceback.
    """
