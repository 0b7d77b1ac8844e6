"""Lumbar anatomy (L1-sacrum, discs, dural sac, nerves, ligamenta flava), stenosis and MILD.

Frame and units everywhere: millimetres; LPS+ (+x toward the patient's left,
+y posterior, +z superior). Contract: ``docs/CONTRACTS.md`` section 1.
"""

from viz.models.anatomy import LEVELS, STATES, Anatomy, Bite, Part, build_anatomy
from viz.models.cache import load_anatomy
from viz.models.metrics import anatomy_state_metrics, compute_metrics

__all__ = ["LEVELS", "STATES", "Anatomy", "Bite", "Part", "build_anatomy", "load_anatomy",
           "anatomy_state_metrics", "compute_metrics"]
