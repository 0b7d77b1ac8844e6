"""``python -m viz import SCAN --out DIR``: a patient's scan as the export's meshes and manifest.

Writes the same files as ``python -m viz export --stage stenosis`` (one mesh per
structure and ``manifest.json``, ``docs/INTERFACE.md``), but on the patient's
geometry: their bones (and dural sac and discs when the scan has them) as
scanned, the ligaments and nerve roots fitted from the template
(:mod:`viz.scan.patient`). The manifest adds what the export does not have:
``"source"`` (input kind and label convention), ``"narrowest_level"``, and per
structure ``"measured": true`` (from the scan) or ``false`` (fitted). Units mm,
frame LPS+ (+x patient's left, +y posterior, +z superior).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from viz.export.meshes import part_mesh
from viz.export.paths import atomic_folder, input_path, output_folder
from viz.errors import UserError
from viz.scan.patient import PatientScan, patient_scan, template_anatomy, triangle_budgets
from viz.scan.sources import DEFAULT_MAX_UPLOAD_BYTES, read_scan_path

IMPORT_FORMATS = ("stl", "ply", "obj")
"""Mesh formats ``import`` can write (one file per structure)."""

SCAN_STATE = "stenosis"
"""The state that is the patient as scanned (``viz.scan.patient``)."""


def _plain(value):
    """JSON-ready copy of a metrics object (numpy scalars to Python numbers)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value.item() if isinstance(value, np.generic) else value


def manifest(scan: PatientScan, entries: list[dict]) -> dict:
    """The import's ``manifest.json`` object (the export's keys plus source and narrowest level)."""
    return {"units": "mm", "frame": "LPS", "stage": SCAN_STATE, "structures": entries,
            "metrics": _plain(scan.metrics), "narrowest_level": scan.narrowest_level,
            "source": {"kind": scan.kind, "convention": scan.convention}}


def write_patient_meshes(scan: PatientScan, out_dir: Path, fmt: str) -> list[dict]:
    """Write every part in the scanned state into ``out_dir``; return the manifest entries."""
    entries = []
    measured = set(scan.measured)
    for name, part in scan.anatomy.parts.items():
        mesh = part_mesh(part, SCAN_STATE, 0.0)
        file_name = f"{name}.{fmt}"
        mesh.export(out_dir / file_name)
        entries.append({"name": name, "group": part.group, "file": file_name,
                        "vertices": int(len(mesh.vertices)), "triangles": int(len(mesh.faces)),
                        "watertight": bool(mesh.is_watertight), "measured": name in measured})
    return entries


def import_scan(scan: str | os.PathLike, out_dir: str | os.PathLike, force: bool = False, fmt: str = "ply",
                label_table: str | os.PathLike | None = None,
                max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> Path:
    """Import a segmented scan and write its structures and ``manifest.json``.

    Parameters
    ----------
    scan : str or path-like
        A NIfTI label map (``.nii``, ``.nii.gz``), a folder of meshes named as in
        ``docs/INTERFACE.md`` (``L4.stl``, ``sacrum.ply``, ``dural_sac.obj`` …), or a
        zip/tar archive of either.
    out_dir : str or path-like
        Output folder; created, or replaced as a whole with ``force``.
    force : bool, default: False
        Replace a non-empty folder.
    fmt : {"ply", "stl", "obj"}, default: "ply"
    label_table : path, optional
        Overrides ``viz/scan/labels.json``.
    max_bytes : int, default: 300 MB
        Largest scan accepted.

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    UserError
        Bad output folder or format, a scan or label table that is missing or cannot
        be read (:func:`viz.export.paths.input_path`), or any bad-scan case of
        :mod:`viz.scan.sources`.
    """
    if fmt not in IMPORT_FORMATS:
        raise UserError(f"Unknown format {fmt!r}: choose one of {', '.join(IMPORT_FORMATS)}.")
    source = input_path(scan, "scan")
    table = None if label_table is None else input_path(label_table, "label table")
    path = output_folder(out_dir, force)
    template = template_anatomy()
    try:
        structures = read_scan_path(source, max_bytes, triangle_budgets(template), table)
    except OSError as error:
        raise UserError(f"The scan {str(source)!r} cannot be read: {error.strerror or 'the system refused it'}.") from None
    patient = patient_scan(structures, template)
    with atomic_folder(path) as temp:
        entries = write_patient_meshes(patient, temp, fmt)
        text = json.dumps(manifest(patient, entries), indent=2, ensure_ascii=False) + "\n"
        (temp / "manifest.json").write_text(text, encoding="utf-8")
    return path
