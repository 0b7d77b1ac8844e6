"""A patient's own spine: segmented scans in, the story's anatomy out (issue 9).

Flow: bytes or a path → :mod:`viz.scan.sources` (NIfTI label map via
:mod:`viz.scan.nifti`, :mod:`viz.scan.labels` and :mod:`viz.scan.surface`, or
meshes via :mod:`viz.scan.mesh_folder` and :mod:`viz.scan.archive`) →
:mod:`viz.scan.patient` (template soft tissues fitted by :mod:`viz.scan.fit`,
metrics, narrowest level) → an :class:`viz.models.anatomy.Anatomy`. The app
calls :func:`viz.scan.upload.anatomy_from_upload`; the CLI calls
:func:`viz.export.scan_import.import_scan`.

Frame and units everywhere: millimetres, LPS+ (+x patient's left, +y posterior,
+z superior); a NIfTI affine (RAS+) is converted once, in :mod:`viz.scan.nifti`.
Privacy: scans are processed in memory only: no temporary files, no logging,
nothing kept after the call returns.
"""
