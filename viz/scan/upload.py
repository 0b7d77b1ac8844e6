"""The app's upload: one file in, the patient's anatomy out, nothing kept.

The scan is processed in this process's memory only: it is never written to
disk (no temporary files), never logged, and nothing refers to it once the
returned object is dropped at the end of the session. Bad input raises
:class:`viz.errors.UserError` with one plain sentence; the page shows it and
keeps the template anatomy. Frame of everything returned: LPS+ millimetres
(+x patient's left, +y posterior, +z superior).
"""

from __future__ import annotations

import os

from viz.scan.patient import PatientScan, patient_scan, template_anatomy, triangle_budgets
from viz.scan.sources import DEFAULT_MAX_UPLOAD_BYTES, check_upload_size, read_scan_bytes

__all__ = ["PRIVACY_NOTES", "DEFAULT_MAX_UPLOAD_BYTES", "anatomy_from_upload", "check_upload_size"]

PRIVACY_NOTES = {
    "en": "Your scan is used only while this page is open. "
          "It is not saved, not written down anywhere, and it is gone when you close the page.",
    "es": "Su estudio se usa solo mientras esta página está abierta. "
          "No se guarda ni se anota en ningún sitio, y desaparece al cerrar la página.",
}
"""The visible note next to the upload control, per language (plain words, issue 9)."""

ACCEPTED_SUFFIXES = (".nii", ".nii.gz", ".zip", ".tar", ".tar.gz", ".tgz")
"""File types the upload control offers (a folder of masks or meshes travels as an archive)."""


def anatomy_from_upload(filename: str, payload: bytes, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
                        label_table: str | os.PathLike | None = None) -> PatientScan:
    """Turn an uploaded scan into the patient's anatomy, metrics and narrowest level.

    Parameters
    ----------
    filename : str
        The uploaded file's name (its suffix chooses the reader).
    payload : bytes
        Its content. Check the declared size with :func:`check_upload_size` before
        receiving it when the upload control allows.
    max_bytes : int, default: 300 MB
        Upload limit; also caps an archive's unpacked size.
    label_table : path, optional
        A label table (value → name) or conventions file overriding ``viz/scan/labels.json``.

    Returns
    -------
    PatientScan
        ``.anatomy``, ``.metrics``, ``.narrowest_level``, ``.report`` (what is measured,
        what is illustrative), ``.message`` (a plain sentence for the page); its scene
        bundle: ``viz.export.scan_import.patient_bundle``.

    Raises
    ------
    UserError
        Not a NIfTI label map or an archive of masks or meshes, wrong dimensions, no spine
        labels, too large, a mesh with holes, an unsafe archive.
    """
    check_upload_size(len(payload), max_bytes)
    template = template_anatomy()
    structures = read_scan_bytes(filename, payload, max_bytes, triangle_budgets(template), label_table)
    return patient_scan(structures, template)
