"""Templates narrowed at other levels: built once, kept in the runtime cache per model code version."""

from __future__ import annotations

import pytest

from viz.scan import templates


@pytest.fixture
def counted_builds(tmp_path, monkeypatch, template):
    """An empty runtime cache in ``tmp_path`` and a stand-in build that counts its calls."""
    calls = []

    def build(lod, severity):
        calls.append((lod, dict(severity)))
        return template

    monkeypatch.setenv("VIZ_TEMPLATE_CACHE", str(tmp_path / "templates"))
    monkeypatch.setattr(templates, "build_anatomy", build)
    templates.template_anatomy.cache_clear()
    yield calls
    templates.template_anatomy.cache_clear()


def test_a_level_is_built_once_then_read_from_the_cache(counted_builds, tmp_path, template):
    stale = tmp_path / "templates" / "anatomy-web-L2-L3-0000000000000000.npz"
    stale.parent.mkdir()
    stale.write_bytes(b"built by older model code")
    first = templates.template_anatomy("L2-L3")
    assert counted_builds == [("web", {"L2-L3": 1.0})]
    assert templates.template_path("L2-L3").exists() and not stale.exists()
    templates.template_anatomy.cache_clear()
    again = templates.template_anatomy("L2-L3")
    assert len(counted_builds) == 1, "the second process reads the cache"
    assert list(again.parts) == list(first.parts)
    assert (again.parts["dural_sac"].positions_mm["stenosis"] == template.parts["dural_sac"].positions_mm["stenosis"]).all()


def test_the_committed_level_and_a_broken_file_need_no_runtime_cache(counted_builds):
    assert templates.template_anatomy("L4-L5") is not None and counted_builds == []
    path = templates.template_path("L1-L2")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"half a file")
    templates.template_anatomy("L1-L2")
    assert len(counted_builds) == 1, "an unreadable file is rebuilt"


def test_warming_lists_every_other_level(counted_builds):
    lines = list(templates.warm_templates())
    assert len(lines) == 4 and not any("L4-L5" in line for line in lines)
    assert all(templates.template_path(level).exists() for level in ("L1-L2", "L2-L3", "L3-L4", "L5-S1"))
