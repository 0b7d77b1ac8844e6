"""Calm, clinical colours per part group (RGB, 0..1) and default opacities.

Frame and units: not applicable (colours only). Bone ivory, disc light
blue-grey, ligamentum flavum yellow (its name means "yellow ligament"), dural
sac translucent light blue, nerves warm yellow-white, fat pale yellow.
"""

from __future__ import annotations

GROUP_COLOURS = {
    "bone": (0.93, 0.90, 0.82),
    "disc": (0.70, 0.76, 0.82),
    "ligament": (0.93, 0.78, 0.25),
    "dural_sac": (0.62, 0.78, 0.92),
    "nerve": (0.98, 0.93, 0.78),
    "fat": (0.98, 0.94, 0.66),
}
"""Colour of each part group."""

GROUP_OPACITY = {"bone": 1.0, "disc": 1.0, "ligament": 1.0, "dural_sac": 0.45, "nerve": 1.0, "fat": 0.9}
"""Default opacity of each part group."""
