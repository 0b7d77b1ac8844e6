"""A patient's own spine: segmented scans in, the story's anatomy out (issues 9 and 16).

Flow: bytes or a path → :mod:`viz.scan.sources` (a NIfTI label map via
:mod:`viz.scan.nifti` with its own label table or a sidecar
(:mod:`viz.scan.label_tables`) or a known tool's numbering (:mod:`viz.scan.labels`);
TotalSegmentator's folder of masks via :mod:`viz.scan.masks`; meshes via
:mod:`viz.scan.mesh_folder`; archives via :mod:`viz.scan.archive`; surfaces by
:mod:`viz.scan.surface`) → :mod:`viz.scan.patient`: the template's bones
registered onto the patient's (:mod:`viz.scan.register`), the patient's own
landmarks and levels (:mod:`viz.scan.spine_levels`), the bony canal measured
(:mod:`viz.scan.measure`), the soft tissues built on the patient's bones and kept
out of the patient's bone as the scan labels it (:mod:`viz.scan.bone_field`,
:mod:`viz.scan.soft_fit`, :mod:`viz.scan.roots`, :mod:`viz.scan.bone_bites`), the
story's level the patient's measured narrowest, and a report of what is measured
and what is illustrative → an :class:`viz.models.anatomy.Anatomy`. The app calls
:func:`viz.scan.upload.anatomy_from_upload`; the CLI calls
:func:`viz.export.scan_import.import_scan`.

Frame and units everywhere: millimetres, LPS+ (+x patient's left, +y posterior,
+z superior); a NIfTI affine (RAS+) is converted once, in :mod:`viz.scan.nifti`.
Privacy: scans are processed in memory only: no temporary files, no logging,
nothing kept after the call returns.
"""
