"""The MILD explainer app: ``panel serve app.py`` (page at /app) or ``python app.py``.

URL parameters: ``stage``, ``mode`` (patient|clinician), ``lang`` (en|es),
``view`` (back|side|axial|xray|oblique), ``focus`` (a structure name),
``embed=1``, ``autoplay=1`` — see README.md and docs/INTERFACE.md.
"""

import panel as pn

from viz.web.page import PAGE_TITLE, serve_page

pn.extension(design=None, notifications=False)
pn.config.raw_css = ["html, body { margin: 0; height: 100%; overflow: hidden; }"]

if __name__ == "__main__":
    from viz.web.server import serve

    serve()
else:
    serve_page().servable(title=PAGE_TITLE)
