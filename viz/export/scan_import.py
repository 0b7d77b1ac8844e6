"""``python -m viz import SCAN --out DIR``: a patient's scan as the export's meshes and manifest, and its bundle.

Writes the same files as ``python -m viz export --stage stenosis`` (one mesh per
structure and ``manifest.json``, ``docs/INTERFACE.md``), but on the patient's
geometry: their bones (and dural sac and discs when the scan labels them) as
scanned, the other soft tissues built on their bones (:mod:`viz.scan.patient`).
The manifest adds what the export does not have: ``"source"`` (input kind and
how its labels were named), ``"narrowest_level"`` (where the story is told),
per structure ``"measured": true`` (from the scan) or ``false`` (built on the
patient's bones), and ``"patient"``: per level and per number whether it was
measured on the scan, is the story's illustration, or a typical value, with a
plain-words notice in English and Spanish (:func:`patient_record`). The app's
scene bundle of a patient carries the same record as ``meta["patient"]`` and
says it in its captions (:func:`patient_bundle`). Units mm, frame LPS+
(+x patient's left, +y posterior, +z superior).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from viz.errors import UserError
from viz.export.meshes import part_mesh
from viz.export.paths import atomic_folder, input_path, output_folder
from viz.scan.patient import PatientScan, patient_scan, template_anatomy, triangle_budgets
from viz.scan.sources import DEFAULT_MAX_UPLOAD_BYTES, read_scan_path
from viz.scenes.bundle import SceneBundle, build_bundle
from viz.scenes.text import LANGUAGES, MODES, catalogue

IMPORT_FORMATS = ("stl", "ply", "obj")
"""Mesh formats ``import`` can write (one file per structure)."""

SCAN_STATE = "stenosis"
"""The state that is the patient as scanned, with the story's illustration (``viz.scan.patient``)."""

CAPTIONED_STAGES = ("stenosis", "decompressed")
"""Stages whose captions say what in the picture is the patient's and what is an example."""


def _plain(value):
    """JSON-ready copy of a metrics object (numpy scalars to Python numbers)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value.item() if isinstance(value, np.generic) else value


def _listed(names: list[str], joiner: str) -> str:
    shown = [name.replace("-", "–") for name in names]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} {joiner} {shown[-1]}"


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _values(scan: PatientScan, words: dict) -> dict[str, str]:
    """What the notice's placeholders stand for, in the notice's language (``{level}`` is filled by the catalogue)."""
    report = scan.report
    focus = report["levels"][scan.narrowest_level]
    chosen = "dural_sac_csa_mm2" if report["story_level_by"] == "dural_sac" else "bony_canal_area_mm2"
    labels = report["source"]["labels"] or "meshes"
    number = lambda value: str(value).replace(".", words["decimal_mark"])  # noqa: E731
    return {"bones": _listed(list(report["bones"]), words["and"]),
            "missing": _listed(report["levels_missing"], words["and"]) if report["levels_missing"] else "",
            "labels": words["labels"].get(labels, words["labels"]["convention"].replace("{convention}", labels)),
            "value": number(focus[chosen]["value"]), "ap": number(focus["bony_canal_ap_mm"]["value"]),
            "sac_label": " + ".join(report["sac_labels"]),
            "thickening": f"{round(100 * report['illustrative_narrowing']['ligament_thickening'])} %"}


def _what_is_measured(scan: PatientScan) -> str:
    """The notice's key for the sentence that tells the patient's scan from the model's example."""
    return "sac_from_scan" if scan.report["sac_measured"] else "example"


def patient_notice(scan: PatientScan, lang: str) -> dict[str, str]:
    """The plain-words notice for each voice in ``lang``: what the scan shows (and, when it misses the
    common levels, one sentence saying which levels are missing and where the story is told instead),
    where the story is told and why, and what is an example rather than measured
    (``viz/scenes/text/{en,es}.json``, section ``patient_scan``)."""
    report = scan.report
    words = catalogue(lang, scan.narrowest_level)["patient_scan"]
    values = _values(scan, words)
    why = {"dural_sac": "level_by_sac", "bony_canal": "level_by_canal", "nearest": "level_nearest"}
    because = {"dural_sac": "because_sac", "bony_canal": "because_canal", "nearest": "because_nearest"}
    notice = {}
    for voice in MODES:
        lines = words[voice]
        if report["levels_missing_common"]:
            sentences = [lines["shows"], lines["missing"], lines[because[report["story_level_by"]]]]
        else:
            sentences = [lines["shows"], lines[why[report["story_level_by"]]]]
        sentences.append(lines[_what_is_measured(scan)])
        notice[voice] = _fill(" ".join(sentences), values)
    return notice


def patient_record(scan: PatientScan) -> dict:
    """``meta["patient"]`` and the manifest's ``"patient"``: the report plus the notices in every language."""
    return {**_plain(scan.report), "notice": {lang: patient_notice(scan, lang) for lang in LANGUAGES}}


def patient_bundle(scan: PatientScan) -> SceneBundle:
    """The scene bundle told on the patient, with ``meta["patient"]`` and captions that say what is an example.

    The captions of :data:`CAPTIONED_STAGES` end with the notice's sentence that tells
    the patient's scan from the model's example, in each voice and language.
    """
    bundle = build_bundle(scan.anatomy)
    text = {}
    for lang, book in bundle.meta["text"].items():
        words = catalogue(lang, scan.narrowest_level)["patient_scan"]
        values = _values(scan, words)
        stages = {stage: dict(voices) for stage, voices in book["stages"].items()}
        for stage in CAPTIONED_STAGES:
            for voice in MODES:
                note = _fill(words[voice][_what_is_measured(scan)], values)
                stages[stage][voice] = {**stages[stage][voice],
                                        "caption": f"{stages[stage][voice]['caption']} {note}"}
        text[lang] = {**book, "stages": stages}
    return SceneBundle({**bundle.meta, "text": text, "patient": patient_record(scan)}, bundle.data)


def manifest(scan: PatientScan, entries: list[dict]) -> dict:
    """The import's ``manifest.json`` object (the export's keys plus source, narrowest level and provenance)."""
    return {"units": "mm", "frame": "LPS", "stage": SCAN_STATE, "structures": entries,
            "metrics": _plain(scan.metrics), "narrowest_level": scan.narrowest_level,
            "source": {"kind": scan.kind, "convention": scan.convention}, "patient": patient_record(scan)}


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
        A NIfTI label map (``.nii``, ``.nii.gz``, with or without header extensions;
        a JSON/CSV label table next to it is read), a folder of one NIfTI mask per
        structure (TotalSegmentator's default output), a folder of meshes named as in
        ``docs/INTERFACE.md`` (``L4.stl``, ``sacrum.ply`` …), or a zip/tar archive of any.
    out_dir : str or path-like
        Output folder; created, or replaced as a whole with ``force``.
    force : bool, default: False
        Replace a non-empty folder.
    fmt : {"ply", "stl", "obj"}, default: "ply"
    label_table : path, optional
        A label table (value → name; JSON or CSV) or a conventions file overriding
        ``viz/scan/labels.json``.
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
