"""Captions and the text catalogue: both languages and voices, readability, calm words, data files only."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import textstat

from viz.errors import UserError
from viz.scenes.story import stage_ids
from viz.scenes.text import LANGUAGES, MODES, TEXT_DIR, captions, catalogue, structure_kind

FEAR_AND_PROMISE = {
    "en": ("guarantee", "pain-free", "pain free", "cure", "cut open", "blood", "scalpel", "stab", "jab", "prick",
           "sharp", "puncture", "danger", "risk of", "paralys", "never", "always", "will fix", "100%",
           "permanent", "insurance", "covered by", "scary", "agony", "drill", "saw"),
    "es": ("garantía", "garantiza", "sin dolor", "cura", "abrir", "sangre", "bisturí",
           "peligro", "parálisis", "nunca", "siempre", "100 %", "permanente", "seguro médico", "taladro"),
}
"""Words that frighten or promise; none may appear in the patient voice. "Needle" is allowed: the
clinic's own page says needle, and the patient will feel one (issue 17)."""

KEYWORDS = {
    "en": {
        "healthy": ("canal", "nerves", "room"), "stenosis": ("thick", "garden hose", "squeezed"),
        "prepare": ("face down", "numbs", "needle", "padded table"), "fluoroscopy": ("X-ray", "needle", "looks dark"),
        "incision": ("small opening", "no stitches", "tube"), "removal": ("one small piece at a time", "other side", "hour"),
        "decompressed": ("room again", "before and after", "not everyone"),
        "recovery": ("bandages", "same day", "few days", "pain comes back"),
    },
    "es": {
        "healthy": ("canal", "nervios", "espacio"),
        "stenosis": ("gruesa", "manguera", "apretados", "articulaciones", "se abulta", "se estrecha"),
        "prepare": ("boca abajo", "dormir la piel", "aguja", "mesa acolchada"),
        "fluoroscopy": ("rayos X", "aguja", "se ve oscuro"),
        "incision": ("abertura", "no hacen falta puntos", "tubo"), "removal": ("un trozo pequeño a la vez", "del otro", "hora"),
        "decompressed": ("espacio otra vez", "antes y el después", "no todas mejoran"),
        "recovery": ("apósitos", "mismo día", "unos días"),
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
    for section in book["consult"]["sections"]:
        texts += [section["text"]["patient"]] + [item["patient"] for item in section.get("items", [])]
    texts += [entry["patient"]["description"] for entry in book["structures"].values()]
    return texts + [book["ui"]["xray_screen"]["patient"]]


def _clinician_texts(lang):
    book = catalogue(lang)
    texts = [entry["clinician"]["caption"] for entry in book["stages"].values()]
    texts += [spot["clinician"] for stage in book["hotspots"].values() for spot in stage.values()]
    texts += [entry["clinician"]["description"] for entry in book["structures"].values()]
    texts += [section["text"]["clinician"] for section in book["consult"]["sections"]]
    return texts + [book["evidence"]["clinician"]]


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


def test_spanish_patient_words_are_fairly_easy():
    """Fernández-Huerta ≥ 70 and INFLESZ (Szigriszt-Pazos) ≥ 65: "bastante fácil" or easier on
    both Spanish scales (textstat 0.7.8), for every patient text shown alone."""
    assert tuple(textstat.__version__) == (0, 7, 8), "later versions download word lists at run time (TRAPS.md)"
    textstat.set_lang("es")
    try:
        for text in _patient_texts("es"):
            assert textstat.fernandez_huerta(text) >= 70.0, text
            assert textstat.szigriszt_pazos(text) >= 65.0, text
    finally:
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


@pytest.mark.parametrize("lang", LANGUAGES)
def test_patients_hear_what_mild_is_for_results_risks_and_choices(lang):
    consult = catalogue(lang)["consult"]
    sections = {section["id"]: section for section in consult["sections"]}
    assert list(sections) == ["what_for", "who", "results", "risks", "alternatives"]
    for section in sections.values():
        assert set(section["heading"]) == set(MODES) == set(section["text"])
    assert len(sections["alternatives"]["items"]) == 5
    words = {"en": ("stand or walk", "sit", "slipped disc", "average", "not everyone", "come back", "bleeding",
                    "infection", "tear", "nerve", "rare", "1 in 75", "doctor"),
             "es": ("de pie", "caminar", "hernia", "promedio", "no todo el mundo", "volver", "sangrado",
                    "infección", "romper", "nervio", "raros", "1 de cada 75", "médico")}[lang]
    patient = " ".join(section["text"]["patient"] for section in sections.values()).lower()
    for word in words:
        assert word in patient, word
    clinician = " ".join(section["text"]["clinician"] for section in sections.values())
    for figure in ("1,3 %" if lang == "es" else "1.3 %", "373", "22,7" if lang == "es" else "22.7", "NASS"):
        assert figure in clinician, figure


def test_model_figures_in_the_words_are_the_measured_ones():
    """The healthy caption quotes the canal depth, sac area and ligament the panel shows
    (same rounding), and the data files hold placeholders, not typed numbers."""
    from viz.scenes.story import stage_metrics

    for state in ("healthy", "stenosis", "decompressed"):
        measured = stage_metrics(state)["levels"]["L4-L5"]
        caption = {line["stage"]: line["caption"] for line in captions("en", "clinician")}[state]
        assert f"{Decimal(measured['dural_sac_csa_mm2']).quantize(Decimal(1), ROUND_HALF_UP)} mm²" in caption
        if state == "healthy":
            depth = Decimal(measured["canal_ap_mm"]).quantize(Decimal("0.1"), ROUND_HALF_UP)
            assert f"{depth} mm" in caption
            es = {line["stage"]: line["caption"] for line in captions("es", "clinician")}[state]
            assert f"{str(depth).replace('.', ',')} mm" in es
    raw = (TEXT_DIR / "en.json").read_text(encoding="utf-8")
    assert "{healthy_canal_ap_mm}" in raw and "16 mm" not in raw and "≈150 mm²" not in raw


@pytest.mark.parametrize("lang", LANGUAGES)
def test_canal_depth_is_not_judged_with_bony_cut_offs(lang):
    book = catalogue(lang)
    note = book["ui"]["metric_notes"]["canal_ap_mm"]
    assert "Verbiest" in note
    for text in _clinician_texts(lang):
        assert "Verbiest" not in text and "12 mm" not in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_one_name_per_tool(lang):
    clinician = " ".join(_clinician_texts(lang)).lower()
    names = {"en": ("bone rongeur", "tissue sculpter"), "es": ("gubia para hueso", "escultor de tejido")}[lang]
    for name in names:
        assert name in clinician
    for other in ("sampler", "sculptor", "bone sculpter", "instrumento para hueso", "bone tool"):
        assert other not in clinician, other
    structures = catalogue(lang)["structures"]
    assert structures["bone_tool"]["clinician"]["name"].lower() == names[0]
    assert structures["tissue_tool"]["clinician"]["name"].lower() == names[1]


def test_english_words_fixed_for_patients_and_clinicians():
    book = catalogue("en")
    assert "tail" not in book["structures"]["sacrum"]["patient"]["name"].lower()
    assert "thick" not in book["structures"]["ligamentum_flavum"]["patient"]["name"].lower()
    assert "thick" not in (book["stages"]["healthy"]["patient"]["caption"] + book["hotspots"]["healthy"]["ligament"]["patient"])
    assert "canal is wider" not in book["stages"]["decompressed"]["patient"]["caption"]
    assert "space inside the canal" in book["stages"]["decompressed"]["patient"]["caption"]
    assert book["structures"]["needle"]["patient"]["name"].lower().endswith("needle")
    clinician = " ".join(_clinician_texts("en"))
    assert "lamina, facets and disc preserved" not in clinician.lower()
    assert "ipsilateral side first" not in clinician and "left side first" in clinician.lower()
    assert "shows up bright" not in " ".join(_patient_texts("en"))


def test_spanish_words_are_natural_and_neutral():
    book = catalogue("es")
    everything = json.dumps(book, ensure_ascii=False)
    for avoid in ("junta", "se sale", "se cierra", "venda", "tranquilo", "lo revisa", "se ve claro"):
        assert avoid not in everything, avoid
    assert "inclinad" in book["ui"]["views"]["oblique"] and "inclinad" in book["ui"]["xray_oblique"]
    assert "transitante" in book["structures"]["nerve_root"]["clinician"]["description"]
    assert "transitante" in book["stages"]["stenosis"]["clinician"]["caption"]
    assert book["structures"]["bandage"]["patient"]["name"] == "Apósito"
    assert "mesa acolchada" in book["stages"]["prepare"]["patient"]["caption"]


ABBREVIATIONS = ("CSA", "AST", "CSF", "LCR", "LF", "LA", "LSS", "ECL", "AP", "CLO", "OCL", "RCT", "ECA",
                 "ODI", "NRS", "EN", "MRI", "RM", "CT", "TC", "NASS")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_abbreviations_are_expanded_at_first_use(lang):
    """In each clinician caption and consult text, an abbreviation first appears in brackets
    right after its words, e.g. "cross-sectional area (CSA)"."""
    book = catalogue(lang)
    texts = [entry["clinician"]["caption"] for entry in book["stages"].values()]
    texts += [section["text"]["clinician"] for section in book["consult"]["sections"]]
    for text in texts:
        for abbreviation in ABBREVIATIONS:
            found = re.search(r"(?<![\w-])" + abbreviation + r"(?![\w-])", text)
            if found:
                assert text[found.start() - 1] == "(", (abbreviation, text[:120])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_fluoroscopy_words_say_how_the_dye_looks(lang):
    book = catalogue(lang)
    dark = {"en": "dark", "es": "oscuro"}[lang]
    assert dark in book["stages"]["fluoroscopy"]["patient"]["caption"]
    assert dark in book["stages"]["fluoroscopy"]["clinician"]["caption"]
    assert dark in book["ui"]["xray_screen"]["patient"] and dark in book["structures"]["contrast_dye"]["patient"]["description"]
    bright = {"en": "bright", "es": "brillante"}[lang]
    assert bright not in json.dumps(book, ensure_ascii=False).lower()

