"""The scratch copy notebook 03 builds in: everything git would commit, changed there and never here."""

import subprocess

import pytest

from press_workbench.notebook import WorkbenchError
from press_workbench.notebook.build import ScratchCopy


@pytest.fixture
def repository(tmp_path):
    """A small git repository: a committed file changed since, a new file, and an ignored one."""
    repo = tmp_path / "repo"
    shop = repo / "server" / "press_workbench" / "shop"
    shop.mkdir(parents=True)
    for package in (shop.parent, shop):  # packages of their own: the copy's, not the installed press_workbench
        (package / "__init__.py").write_text("")
    (repo / "server" / "press_workbench" / "shop" / "service.py").write_text(
        "class Shop:\n    def refund(self):\n        pass\n"
    )
    (repo / ".gitignore").write_text("var/\n")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    (repo / "server" / "press_workbench" / "shop" / "service.py").write_text(
        "class Shop:\n    def refund(self):\n        return 1\n"
    )
    (repo / "notes.md").write_text("not committed yet\n")
    (repo / "var").mkdir()
    (repo / "var" / "shop.sqlite3").write_text("data")
    return repo


def test_the_copy_holds_what_git_would_commit_and_changes_stay_in_it(repository):
    scratch = ScratchCopy(repository)
    try:
        assert scratch.read("server/press_workbench/shop/service.py").endswith(
            "return 1\n"
        )  # uncommitted changes come along
        assert scratch.path("notes.md").exists() and not scratch.path("var").exists()
        change = scratch.insert(
            "server/press_workbench/shop/service.py",
            before="    def refund(self):",
            text="    def cancel(self):\n        pass\n\n",
        )
        assert "+    def cancel(self):" in repr(change)
        assert repr(scratch.write("tests/test_cancel.py", "def test_x():\n    pass\n")).startswith(
            "tests/test_cancel.py\ndef test_x():"
        )
        with pytest.raises(
            WorkbenchError, match="'def settle' does not appear in server/press_workbench/shop/service.py"
        ):
            scratch.insert("server/press_workbench/shop/service.py", before="def settle", text="")
        assert "def cancel" not in (repository / "server" / "press_workbench" / "shop" / "service.py").read_text()
        assert not (repository / "tests").exists()
    finally:
        scratch.close()
    assert not scratch.root.exists()


def test_pytest_runs_the_copys_own_tests_and_reports_the_failure(repository):
    scratch = ScratchCopy(repository)
    try:
        scratch.write(
            "test_shop.py", "from press_workbench.shop.service import Shop\n\ndef test_cancel():\n    Shop().cancel()\n"
        )
        failing = scratch.pytest("test_shop.py")
        assert (failing.passed, failing.summary) == (False, "1 failed")
        reason = "AttributeError: 'Shop' object has no attribute 'cancel'"
        assert failing.failures() == [("test_shop.py::test_cancel", reason)]
        scratch.insert(
            "server/press_workbench/shop/service.py",
            after="class Shop:\n",
            text="    def cancel(self):\n        pass\n\n",
        )
        assert scratch.pytest("test_shop.py").summary == "1 passed"
    finally:
        scratch.close()


def test_running_an_edit_twice_changes_nothing_more_and_reset_undoes_everything(repository):
    scratch = ScratchCopy(repository)
    try:
        method = "    def cancel(self):\n        pass\n\n"
        first = scratch.insert("server/press_workbench/shop/service.py", before="    def refund(self):", text=method)
        again = scratch.insert("server/press_workbench/shop/service.py", before="    def refund(self):", text=method)
        assert first.changed and not again.changed and "nothing changed" in repr(again)
        assert scratch.read("server/press_workbench/shop/service.py").count("def cancel") == 1
        scratch.write("tests/test_cancel.py", "def test_x():\n    pass\n")
        assert not scratch.write("tests/test_cancel.py", "def test_x():\n    pass\n").changed

        exercise = scratch.copy()  # an exercise's own copy starts from this one as it is now
        try:
            exercise.insert("server/press_workbench/shop/service.py", after="class Shop:\n", text="    LIMIT = 3\n")
            assert "def cancel" in exercise.read("server/press_workbench/shop/service.py")
            assert "LIMIT" not in scratch.read("server/press_workbench/shop/service.py")
        finally:
            exercise.close()

        scratch.reset()
        assert (
            scratch.read("server/press_workbench/shop/service.py")
            == (repository / "server" / "press_workbench" / "shop" / "service.py").read_text()
        )
        assert not scratch.path("tests/test_cancel.py").exists() and scratch.path("notes.md").exists()
    finally:
        scratch.close()
