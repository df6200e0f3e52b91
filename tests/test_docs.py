"""The docs site builds offline with no warning, shows the lessons with their outputs, and links nothing broken.

The site is built once per run exactly as ``make docs`` builds it (``sphinx-build -W --keep-going``), into a
temporary folder, so a warning — a broken link between pages, a missing image, a page in no toctree — fails here.
The checks after it read the built HTML as a browser would: every relative link, image and script must point at
a file of the site (and a ``#fragment`` at an id on that page), nothing may load from another host, and each
lesson page must carry its notebook's stored outputs.
"""

import json
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
README_LIMIT = 150


class Page(HTMLParser):
    """What a page points at (links, images, scripts, frames) and the ids a fragment can land on."""

    def __init__(self):
        super().__init__()
        self.ids = set()
        self.references = []  # (tag, attribute, value)
        self.words = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for attribute in ("href", "src"):
            if attrs.get(attribute) is not None:
                self.references.append((tag, attribute, attrs[attribute]))

    def handle_data(self, data):
        self.words += data.split()

    @property
    def text(self):
        """The page's text as a reader sees it, whitespace folded."""
        return " ".join(self.words)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built as ``make docs`` builds it; the build's own output is the failure message."""
    out = tmp_path_factory.mktemp("docs")
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-c", "docs", ".", str(out / "html")]
    command += ["-d", str(out / "doctrees")]
    build = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, f"make docs would fail:\n{build.stdout}\n{build.stderr}"
    return out / "html"


@pytest.fixture(scope="module")
def pages(site):
    """Every built HTML page, parsed (``_static`` holds the theme's template fragments, not pages)."""
    parsed = {}
    for path in site.rglob("*.html"):
        if "_static" in path.relative_to(site).parts:
            continue
        page = Page()
        page.feed(path.read_text(encoding="utf-8"))
        parsed[path] = page
    return parsed


def test_the_site_opens_on_its_start_page(site, pages):
    start = pages[site / "docs" / "index.html"].text
    assert "make demo" in start and "make test" in start
    assert 'url=docs/index.html"' in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda path: path.stem)
def test_each_lesson_is_a_page_with_its_stored_outputs(site, notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    with_outputs = [cell for cell in cells if cell.get("outputs")]
    html = (site / "notebooks" / f"{notebook.stem}.html").read_text(encoding="utf-8")
    assert html.count('class="cell_output') == len(with_outputs)
    # A stored output a reader should see, word for word: the last printed line of the lesson.
    streams = ["".join(out["text"]) for cell in with_outputs for out in cell["outputs"] if out.get("text")]
    last_line = streams[-1].strip().splitlines()[-1]
    assert last_line in unescape(html)


def test_lesson_01_shows_the_paymentintent_paths_it_drew(site):
    html = (site / "notebooks" / "01_payment_intents_step_by_step.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 3
    assert "requires_payment_method" in html and "succeeded" in html


def test_every_relative_link_image_and_script_resolves(site, pages):
    broken = []
    for path, page in pages.items():
        for tag, attribute, value in page.references:
            url = urlsplit(value)
            if url.scheme or url.netloc or value.startswith(("mailto:", "javascript:")):
                continue
            target = path if not url.path else (path.parent / unquote(url.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{path.relative_to(site)}: <{tag} {attribute}={value!r}> (no such file)")
            elif url.fragment and target in pages and unquote(url.fragment) not in pages[target].ids:
                broken.append(f"{path.relative_to(site)}: <{tag} {attribute}={value!r}> (no such anchor)")
    assert not broken, "\n".join(broken)


def test_no_page_loads_anything_from_another_host(pages, site):
    loaded = []
    for path, page in pages.items():
        for tag, attribute, value in page.references:
            if tag == "a" or urlsplit(value).netloc == "":
                continue
            loaded.append(f"{path.relative_to(site)}: <{tag} {attribute}={value!r}>")
    assert not loaded, "\n".join(loaded)


def test_the_readme_is_short_and_points_at_the_site():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= README_LIMIT
    assert "make demo" in readme and "make test" in readme
    for target in re.findall(r"\]\(([^)#\s]+)", readme):
        if not re.match(r"[a-z]+:", target):
            assert (ROOT / target).exists(), f"README links to {target}, which does not exist"
