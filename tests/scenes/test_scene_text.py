"""Captions and the text catalogue: both languages and voices, readability, calm words, data files only."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import textstat

from viz.errors import UserError
from viz.scenes.story import stage_ids
from viz.scenes.text import LANGUAGES, MODES, TEXT_DIR, captions, catalogue, structure_kind

FEAR_AND_PROMISE = {
    "en": ("guarantee", "pain-free", "pain free", "cure", "cut open", "blood", "scalpel", "stab", "jab", "prick",
           "sharp", "puncture", "danger", "risk of", "paralys", "never", "always", "will fix", "100%",
           "permanent", "insurance", "covered by", "scary", "agony", "needle", "drill", "saw"),
    "es": ("garantía", "garantiza", "sin dolor", "cura", "abrir", "sangre", "bisturí", "pinchazo", "aguja",
           "peligro", "parálisis", "nunca", "siempre", "100 %", "permanente", "seguro médico", "taladro"),
}
"""Words that frighten or promise; none may appear in the patient voice."""

KEYWORDS = {
    "en": {
        "healthy": ("canal", "nerves", "room"), "stenosis": ("thick", "garden hose", "squeezed"),
        "prepare": ("face down", "numbs"), "fluoroscopy": ("X-ray", "dye"),
        "incision": ("small opening", "no stitches", "tube"), "removal": ("one small piece at a time", "other side", "hour"),
        "decompressed": ("room again", "before and after"), "recovery": ("bandage", "same day", "few days"),
    },
    "es": {
        "healthy": ("canal", "nervios", "espacio"), "stenosis": ("gruesa", "manguera", "apretados"),
        "prepare": ("boca abajo", "dormir la piel"), "fluoroscopy": ("rayos X", "tinte"),
        "incision": ("abertura", "no hacen falta puntos", "tubo"), "removal": ("un trozo pequeño a la vez", "del otro", "hora"),
        "decompressed": ("espacio otra vez", "antes y el después"), "recovery": ("venda", "mismo día", "unos días"),
    },
}
CLINICIAN_KEYWORDS = {
    "stenosis": ("mm²", "Schönström"), "fluoroscopy": ("22 G", "contralateral"), "incision": ("6 G", "5"),
    "removal": ("lateral", "medial", "portal"), "recovery": ("MiDAS ENCORE",),
}


def _patient_texts(lang):
    book = catalogue(lang)
    texts = [entry["patient"]["caption"] for entry in book["stages"].values()]
    texts += [spot["patient"] for stage in book["hotspots"].values() for spot in stage.values()]
    texts += [q["explanation"] for q in book["teach_back"]] + [book["evidence"]["patient"]]
    return texts


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("mode", MODES)
def test_every_stage_has_a_title_and_caption(lang, mode):
    lines = captions(lang, mode)
    assert [line["stage"] for line in lines] == list(stage_ids())
    for line in lines:
        assert line["title"].strip() and len(line["caption"]) > 40


@pytest.mark.parametrize("lang", LANGUAGES)
def test_patient_captions_tell_each_step(lang):
    for line in captions(lang, "patient"):
        for word in KEYWORDS[lang][line["stage"]]:
            assert word.lower() in line["caption"].lower(), (lang, line["stage"], word)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_clinician_captions_carry_numbers_and_names(lang):
    by_stage = {line["stage"]: line["caption"] for line in captions(lang, "clinician")}
    for stage, words in CLINICIAN_KEYWORDS.items():
        for word in words:
            assert word in by_stage[stage], (lang, stage, word)
    assert "ligamentum flavum" in by_stage["removal"] or "ligamento amarillo" in by_stage["removal"]


def test_english_patient_words_are_at_most_grade_six():
    textstat.set_lang("en")
    for text in _patient_texts("en"):
        assert textstat.flesch_kincaid_grade(text) <= 6.0, text


def test_spanish_patient_words_are_easy():
    textstat.set_lang("es")
    for text in _patient_texts("es"):
        assert textstat.fernandez_huerta(text) >= 70.0, text
        assert textstat.szigriszt_pazos(text) >= 65.0, text
    textstat.set_lang("en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_patient_voice_has_no_fear_or_promise_words(lang):
    for text in _patient_texts(lang):
        lowered = text.lower()
        for word in FEAR_AND_PROMISE[lang]:
            assert not re.search(r"\b" + re.escape(word), lowered), (word, text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_everything_the_interface_shows(lang, meta):
    book = catalogue(lang)
    ui = book["ui"]
    for key in ("play", "pause", "restart", "next_step", "previous_step", "speed", "read_aloud", "reset_view",
                "disclaimer", "privacy", "busy"):
        assert ui[key].strip(), key
    assert set(meta["views"]) <= set(ui["views"])
    groups = {p["group"] for p in meta["parts"]} | {i["group"] for i in meta["instruments"]}
    assert groups <= set(ui["layers"])
    assert all("{value}" in message for message in ui["unknown_parameter"].values())
    assert 4 <= len(book["teach_back"]) <= 5
    for question in book["teach_back"]:
        assert 0 <= question["answer"] < len(question["choices"]) and question["explanation"]
    names = [source["name"] for source in book["evidence"]["sources"]]
    assert any("MiDAS ENCORE" in n for n in names) and any("MOTION" in n for n in names)
    assert any("Schönström" in n for n in names)
    for stage in meta["stages"]:
        for spot in stage["hotspots"]:
            assert set(book["hotspots"][stage["id"]][spot["id"]]) == set(MODES)
    for entry in meta["parts"] + meta["instruments"]:
        kind = structure_kind(entry["name"], entry["group"])
        assert kind == entry["structure"] and set(book["structures"][kind]) == set(MODES), entry["name"]


def test_learning_only_note_is_exact():
    assert catalogue("en")["ui"]["disclaimer"] == \
        "For learning only — your own doctor decides whether MILD is right for you."
    assert catalogue("en")["ui"]["play"] == "Play" and catalogue("en")["ui"]["pause"] == "Pause"


def test_both_languages_have_the_same_keys():
    def keys(value, prefix=""):
        if isinstance(value, dict):
            return {k for key, v in value.items() for k in keys(v, f"{prefix}/{key}")} | {prefix}
        return {prefix}
    en, es = catalogue("en"), catalogue("es")
    assert keys({k: v for k, v in en.items() if k not in ("language",)}) == \
        keys({k: v for k, v in es.items() if k not in ("language",)})


def test_text_lives_in_the_data_files_only():
    code = "".join(path.read_text(encoding="utf-8") for path in Path(TEXT_DIR).parent.glob("*.py"))
    for lang in LANGUAGES:
        for line in captions(lang, "patient") + captions(lang, "clinician"):
            assert line["caption"][:30] not in code and line["title"] not in code


def test_unknown_language_or_mode_is_a_user_error():
    with pytest.raises(UserError):
        captions("fr", "patient")
    with pytest.raises(UserError):
        captions("en", "surgeon")
    with pytest.raises(UserError):
        catalogue("de")
    done = subprocess.run([sys.executable, "-m", "viz", "captions", "--lang", "fr"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_cli_prints_the_exact_captions():
    done = subprocess.run([sys.executable, "-m", "viz", "captions", "--lang", "es", "--mode", "clinician"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == captions("es", "clinician")


def test_data_files_are_valid_json():
    for lang in LANGUAGES:
        assert json.loads((TEXT_DIR / f"{lang}.json").read_text(encoding="utf-8"))["language"] == lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_words_name_the_level_the_story_is_told_at(lang):
    raw = (TEXT_DIR / f"{lang}.json").read_text(encoding="utf-8")
    assert "{level}" in raw and "{vertebra}" in raw
    for level, vertebra in (("L4-L5", "L4"), ("L3-L4", "L3")):
        book, shown = catalogue(lang, level), level.replace("-", "–")
        titled = {line["stage"]: line for line in captions(lang, "clinician", level)}
        assert shown in titled["stenosis"]["title"] and shown in titled["fluoroscopy"]["caption"]
        assert vertebra in titled["incision"]["caption"]
        assert shown in book["hotspots"]["stenosis"]["disc_bulge"]["clinician"]
        assert "{level}" not in json.dumps(book) and "{vertebra}" not in json.dumps(book)
    other = json.dumps(catalogue(lang, "L3-L4"), ensure_ascii=False)
    assert "9.4 mm" in other or "9,4 mm" in other, "literature figures keep the level they were measured at"
    assert "L4–L5" in catalogue(lang, "L3-L4")["stages"]["stenosis"]["clinician"]["caption"]
