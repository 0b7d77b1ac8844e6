"""Anatomical constants used by the models, each with its source.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y posterior,
+z superior). Angles carry ``_deg`` in their names.

Every number used to build or judge the anatomy lives here, so that a reader
can check it against the literature in one place (``../shared/ANATOMY.md``).

References
----------
.. [1] Clouthier AL, Wenghofer J, Wai EK, Graham RB. Morphable models of the
   lumbar spine to vary geometry based on pathology, demographics, and
   anatomical measurements. J Biomech 2023;146:111421.
   https://doi.org/10.1016/j.jbiomech.2022.111421 (mean L2-L5 mesh, cohort ranges).
.. [2] Panjabi MM, Goel V, Oxland T, et al. Human lumbar vertebrae: quantitative
   three-dimensional anatomy. Spine 1992;17(3):299-306.
   https://doi.org/10.1097/00007632-199203000-00010 (L1 vs L2 and L5 sizes).
.. [3] Khasawneh RR, Abu-El-Rub E, Almahasneh FA, et al. Ligamentum flavum
   thickness and nerve root diameter by MRI. Folia Morphol 2023;82(1):72-79.
   https://doi.org/10.5603/FM.a2021.0136 (LF thickness, root diameters).
.. [4] Dural sac cross-sectional area in lumbar spinal stenosis, Medicine 2017
   (PMC5728944): controls 151.7 +/- 53.6 mm2, LSS 80.0 +/- 35.4 mm2 at L4-L5.
.. [5] Schonstrom N, Bolender NF, Spengler DM. The pathomorphology of spinal
   stenosis as seen on CT scans of the lumbar spine. Spine 1985;10(9):806-811.
   https://doi.org/10.1097/00007632-198511000-00005 (< 100 relative, < 75 mm2 absolute).
.. [6] Schizas C, Theumann N, Burn A, et al. Qualitative grading of severity of
   lumbar spinal stenosis based on the morphology of the dural sac on MRI.
   Spine 2010;35(21):1919-1924. https://doi.org/10.1097/BRS.0b013e3181d359bd
.. [7] Singh V, et al. Ligamentum flavum thickness in lumbar canal stenosis
   (mean maximal 9.4 mm at L4-L5); Abbas J, et al. Spine 2010;35(12):1225-1230.
   https://doi.org/10.1097/BRS.0b013e3181be1c5e (LF thicker in LSS).
.. [8] Deer TR, Grider JS, Pope JE, et al. The MIST guidelines: the Lumbar Spinal
   Stenosis Consensus Group guidelines for minimally invasive spine treatment.
   Pain Pract 2019;19(3):250-274. https://doi.org/10.1111/papr.12744
   (MILD: 6-gauge portal, about 5.1 mm, docked on the lamina; LF debulked).
.. [9] Legaye J, Duval-Beaupere G, Hecquet J, Marty C. Pelvic incidence: a
   fundamental pelvic parameter. Eur Spine J 1998;7(2):99-103.
   https://doi.org/10.1007/s005860050038 (sacral slope about 40 degrees).
"""

from __future__ import annotations

LEVEL_NAMES = ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")
"""Disc levels from cranial to caudal."""

VERTEBRA_NAMES = ("L1", "L2", "L3", "L4", "L5", "sacrum")
"""Bones from cranial to caudal."""

REFERENCE_VERTEBRAE = ("L2", "L3", "L4", "L5")
"""Vertebrae shipped as the mean CT-derived mesh of [1]_."""

L1_SCALE_FROM_L2 = (0.97, 0.96, 0.97)
"""L1 size relative to L2 along (x width, y depth, z height); L1 bodies are
about 3-4 % smaller than L2 in width and depth and 2-3 % lower [2]_."""

L1_TILT_FROM_L2_DEG = -5.0
"""Extra sagittal tilt of L1 relative to L2 (negative: upper end leans
posteriorly), continuing a lumbar lordosis of about 40-60 degrees [1]_."""

DISC_HEIGHT_MM = {"L1-L2": 7.5, "L5-S1": 9.0}
"""Mid-disc heights of the discs not covered by the reference mesh; the cohort
range is 3.1-11.4 mm (mean 7.1) [1]_. L2-L5 discs keep the reference gaps."""

SACRAL_SLOPE_DEG = 40.0
"""Angle of the S1 upper endplate to the horizontal, mean about 40 degrees [9]_."""

LIGAMENTUM_FLAVUM_THICKNESS_MM = {
    "L1-L2": 3.0, "L2-L3": 3.19, "L3-L4": 3.38, "L4-L5": 3.71, "L5-S1": 3.64,
}
"""Normal LF thickness by MRI [3]_ (L1-L2 extrapolated from the L2-L3 trend)."""

LIGAMENTUM_FLAVUM_STENOTIC_THICKNESS_MM = 9.4
"""Maximal LF thickness at severity 1 (hypertrophy and buckling): the mean
maximal 9.4 mm at L4-L5 of one surgical series [7]_."""

NERVE_ROOT_DIAMETER_MM = {"L1": 3.9, "L2": 4.2, "L3": 4.5, "L4": 4.8, "L5": 5.1, "S1": 5.5}
"""Nerve root diameters, growing from about 3.9 mm (L1) to 5.5 mm (S1) [3]_."""

DURAL_SAC_SEMI_AXES_MM = (8.6, 5.4)
"""Healthy dural sac half-width (left-right) and half-depth (AP): an ellipse of
about 146 mm2, near the control mean of 151.7 +/- 53.6 mm2 at L4-L5 [4]_."""

DURAL_SAC_WALL_GAP_MM = 0.6
"""Clearance kept between the dural sac and surrounding tissue, mm."""

CSA_RELATIVE_STENOSIS_MM2 = 100.0
"""Dural sac CSA below which stenosis is relative [5]_."""

CSA_ABSOLUTE_STENOSIS_MM2 = 75.0
"""Dural sac CSA below which stenosis is absolute [5]_."""

DISC_BULGE_MM = 3.0
"""Posterior disc bulge at severity 1 (degenerated discs lose height and bulge
backward, typically 2-5 mm beyond the vertebral margins), mm."""

FACET_GROWTH_MM = 2.5
"""Outward growth of the articular processes at severity 1 (facet arthropathy), mm."""

PORTAL_DIAMETER_MM = 5.1
"""Outer diameter of the MILD portal, a 6-gauge cannula [8]_."""

ROOTLET_DIAMETER_MM = 1.9
"""Diameter of one cauda equina rootlet bundle as drawn, mm."""

ROOTLET_COUNT = 18
"""Number of rootlet bundles drawn in the dural sac below L2 (both sides)."""
