"""The template a patient's scan is fitted from: the committed standard anatomy, narrowed at L4–L5.

The soft tissue of a scan is built on the patient's own bones in the patient's own
level frames (:mod:`viz.scan.soft_fit`, :mod:`viz.scan.roots`), carrying over from the
template only what a scan cannot show (ligament parameters, the MILD bites); the
template's narrowed level, L4–L5, is the most common stenotic level and serves as
the analogue for every level. No other template is needed.
Frame: LPS+ millimetres (+x patient's left, +y posterior, +z superior).

References
----------
``../shared/ANATOMY.md``: most stenosis is at L4–L5, then L3–L4 (Abbas et al., Spine 2010).
"""

from __future__ import annotations

from viz.models.anatomy import Anatomy
from viz.models.cache import load_anatomy

TEMPLATE_STENOSIS_LEVEL = "L4-L5"
"""Level the committed template narrows (``build_anatomy``'s default; the most common, ANATOMY.md)."""


def template_anatomy() -> Anatomy:
    """The web-detail template anatomy (the committed cache, :func:`viz.models.cache.load_anatomy`)."""
    return load_anatomy()
