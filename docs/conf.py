"""Sphinx configuration of the docs site: ``make docs`` builds it into ``docs/_build/html``.

Sphinx with MyST-NB renders the Markdown pages under ``docs/`` and the lessons' notebooks as they are committed,
outputs included.  The notebooks are never executed here, so the build needs no shop, no kernel and no network, and
the pages show exactly what nbval checks in ``make test``.  Nothing is fetched at build time (no intersphinx) and
the theme's assets are bundled, so the built site reads offline too.

The source directory is the repository itself (``sphinx-build -c docs . docs/_build/html``), narrowed to the
pages below by ``include_patterns``: the lessons and BENCHMARKS.md stay where they are, and every relative link
they contain (a lesson to the next one, a page to ``server/press_workbench/shop/api.py``) resolves as it
does on disk.  Links to source files become downloads of that file.
"""

from pathlib import Path

from sphinx.transforms.post_transforms import SphinxPostTransform

ROOT = Path(__file__).resolve().parent.parent

project = "Press Workbench"
author = "the Press Workbench team"
copyright = "Press Workbench contributors"

extensions = ["myst_nb"]
root_doc = "docs/index"
include_patterns = ["docs/**", "notebooks/0*.ipynb", "BENCHMARKS.md"]
exclude_patterns = ["docs/_build/**", "docs/_root/**", "**/.ipynb_checkpoints/**"]

# The lessons are committed with the outputs of an unattended sandbox run; executing them here would need a shop.
nb_execution_mode = "off"
# Widget outputs (the presenter's picker and status panel) need the ipywidgets JavaScript from a CDN and a live
# kernel to mean anything; their text form, written for this, says what the widget showed.  So the HTML builder
# skips the widget view and loads no widget script.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}

# Amounts are written "$23.00": no dollar maths.  Headings get anchors so pages can link to a section.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_title = "Press Workbench"
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
}
html_show_sourcelink = False
html_copy_source = False
html_static_path = ["_static"]
html_css_files = ["wide-tables.css"]
# The site's own root: ``docs/_build/html/index.html`` sends the browser to the start page.
html_extra_path = ["_root"]


class FolderLinksAsText(SphinxPostTransform):
    """A link to one of the repository's folders (a lesson pointing at ``../tests/``) shows as its text.

    A folder has no page in the site, so MyST would warn about it.  Only folders that exist are let through: a link
    to a folder that is not there still fails the build.  Runs before MyST resolves its references (priority 9).
    """

    default_priority = 8

    def run(self, **kwargs):
        """Replace each such reference by its own text."""
        from sphinx import addnodes

        for node in list(self.document.findall(addnodes.pending_xref)):
            target = node.get("reftarget", "")
            if node.get("reftype") != "myst" or not target.endswith("/"):
                continue
            source = Path(self.env.doc2path(node.get("refdoc", self.env.docname))).parent
            if (source / target).resolve().is_dir():
                node.replace_self(node.children)


def setup(app):
    """Register the transform above."""
    app.add_post_transform(FolderLinksAsText)
