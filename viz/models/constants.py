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
.. [10] Simon P, Espinoza Orias AA, Andersson GB, An HS, Inoue N. In vivo topographic
   analysis of lumbar facet joint space width distribution in healthy and symptomatic
   subjects. Spine 2012;37(12):1058-1064. PMID 22433501 (joint space 1.48-1.93 mm by zone).
.. [11] Kim YS, Park S, Lee C, Lee SK, Doo AR, Son JS. Measurement of S1 foramen depth for
   ultrasound-guided S1 transforaminal epidural injection. Korean J Pain 2023;36(1):98-105.
   https://doi.org/10.3344/kjp.22227 (632 3D-CTs: S1 dorsal foramen 8.5 +/- 1.6 mm wide,
   its centre 23.5 +/- 2.8 mm from the midline).
.. [12] Saluja S, Agarwal S, Tuli A, et al. Morphometric analysis of the sacrum and its
   surgical implications. J Clin Diagn Res 2018;12(6):AC01-AC06.
   https://doi.org/10.7860/JCDR/2018/33991.11661 (108 sacra: first and second anterior and
   posterior foramina, height x width 12.97 x 12.23, 12.85 x 13.13, 10.36 x 7.66, 7.05 x 7.30 mm).
.. [13] Bony landmarks in the sacral region: the posterior superior iliac spine and the second
   dorsal sacral foramina: a potential guide for sonography. Surg Radiol Anat (online 2010).
   https://doi.org/10.1007/s00276-010-0735-0
   (27 skeletons: S2 dorsal foramen 7.5 mm wide, the two 29.8 mm apart; S1 to S2 foramen
   14.2 mm, S2 to S3 12.8 mm).
.. [14] Sacro-iliac joint sensory block and radiofrequency ablation: assessment of bony
   landmarks relevant for image-guided procedures. Biomed Res Int 2016;2016:1432074.
   https://doi.org/10.1155/2016/1432074 (interforaminal distances decrease from S1 to S4);
   Third sacral foramina morphometry for sacral neuromodulation. J Pelvic Med Surg
   2013;19(1):23-30. https://doi.org/10.1097/SPV.0b013e31827bfdb1 (S3 foramen 15-25 mm
   from the sacral spinous processes).
.. [15] Radiologic and anatomic evaluation of the anterior sacral foramens and nerve grooves.
   Spine 1996;21(4):407-410. https://doi.org/10.1097/00007632-199602150-00001
   (an anterior foramen, projected back to front, reaches 3 mm medial, 10 mm lateral, 6 mm
   superior and 3 mm inferior of its posterior foramen).
.. [16] Nastoulis E, Tsiptsios D, Chloropoulou P, et al. Morphological and morphometric features
   of sacral hiatus and its clinical significance in caudal epidural anaesthesia. Folia Morphol
   2023;82(3):603-614. https://doi.org/10.5603/FM.a2022.0078 (155 sacra: apex at S4 in 78.7 %,
   base at S5 in 89.0 %; height 19.05 +/- 8.65, depth at the apex 5.39 +/- 1.84, intercornual
   distance 12.41 +/- 3.16 mm).
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

FACET_JOINT_SPACE_MM = 1.7
"""Gap between the bony articular surfaces of a facet joint, mm: the healthy
width is 1.5-1.9 mm by zone on 3D CT [10]_."""

SACRAL_FORAMINA_MM = {
    "S1": (-27.0, 23.5, 8.5, 10.4, 12.2, 13.0),
    "S2": (-49.9, 18.6, 7.5, 7.1, 13.1, 12.9),
    "S3": (-69.3, 17.5, 6.2, 6.0, 9.5, 9.0),
    "S4": (-85.8, 15.5, 5.2, 5.0, 7.5, 7.0),
}
"""The four pairs of sacral foramina: (local z of the dorsal foramen's centre along the
S1 axis, its distance from the midline, dorsal width, dorsal height, pelvic width, pelvic
height), mm. S1 dorsal: centre 23.5 mm from the midline, 8.5 mm wide [11]_, 10.4 mm high
[12]_; S2 dorsal 7.5 mm wide and 29.8 mm apart [13]_ (read as between the medial margins:
centre 18.6 mm out), 7.1 mm high [12]_; S3 17.5 mm out, inside the 15-25 mm of [14]_; S4
further in as the interforaminal distance falls from S1 to S4 [14]_; S3 and S4 sizes
continue the fall from S1 to S2 (model choice). Pelvic S1 and S2 [12]_, S3 and S4
continuing the trend. Levels: the S1 pair at the S1-S2 junction, 27 mm below the S1
endplate (S1 about 28 mm high); the next pairs 14.2 and 12.8 mm apart margin to margin [13]_
(22.9 and 19.4 mm centre to centre), S4 16.5 mm below S3. Each pelvic foramen's medial
margin lies 3 mm medial to its dorsal foramen's, and its centre 1.5 mm superior (the
middle of the 6 mm superior and 3 mm inferior margins), as projected by [15]_
(:data:`PELVIC_FORAMEN_OFFSET_MM`)."""

PELVIC_FORAMEN_OFFSET_MM = (3.0, 1.5)
"""Medial overhang of a pelvic foramen's medial margin past its dorsal foramen's, and
the pelvic foramen's rise above it, mm [15]_."""

SACRAL_HIATUS_MM = {"height": 19.05, "apex_depth": 5.39, "width": 12.41}
"""The sacral hiatus: apex at the S4 level, base at S5; its height, the canal depth at its
apex and the distance between the sacral cornua, mm [16]_."""

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
