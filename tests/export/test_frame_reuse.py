"""Movie speed-ups that must not change a pixel: reused pictures, integer caption blend, encoder thread."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from viz.export.burn_in import burn_text
from viz.export.movie import consume_in_thread
from viz.export.offscreen import OffscreenRenderer
from viz.scenes.bundle import load_bundle
from viz.scenes.timeline import frame_at, story_duration_s

SIZE_PX = (192, 108)
"""Small frames: the checks are about which frames render, not about detail."""


@pytest.fixture(scope="module")
def bundle():
    return load_bundle()


def _counted(renderer: OffscreenRenderer) -> list[int]:
    renders: list[int] = []
    renderer.plotter.ren_win.AddObserver("EndEvent", lambda *_: renders.append(1))
    return renders


def test_a_frame_with_nothing_changed_is_not_rendered_again(bundle):
    meta, data = bundle.meta, bundle.data
    with OffscreenRenderer(meta, data, *SIZE_PX, still=False) as renderer:
        renders = _counted(renderer)
        first = renderer.draw(frame_at(meta, 2.0))
        again = renderer.draw(frame_at(meta, 2.0))
        assert len(renders) == 1 and again is first
        turned = renderer.draw(frame_at(meta, 3.0))
        assert len(renders) == 2 and not np.array_equal(turned, first)
        back = renderer.draw(frame_at(meta, 2.0))
        assert len(renders) == 3 and np.array_equal(back, first)


def test_reused_renderer_draws_what_a_fresh_one_draws(bundle):
    """One renderer walked through the whole story (skipping unchanged frames) against fresh renderers."""
    meta, data = bundle.meta, bundle.data
    times = np.arange(0.0, story_duration_s(meta), 0.5)
    with OffscreenRenderer(meta, data, *SIZE_PX, still=False) as walker:
        renders = _counted(walker)
        walked = {float(t): walker.draw(frame_at(meta, float(t))) for t in times}
    assert len(renders) < len(times), "camera holds were rendered again"
    for t_s in times[::32]:
        with OffscreenRenderer(meta, data, *SIZE_PX, still=False) as fresh:
            expected = fresh.draw(frame_at(meta, float(t_s)))
        differs = np.abs(walked[float(t_s)].astype(int) - expected).max(axis=2) > 2
        assert differs.mean() < 0.001, f"t = {t_s} s differs in {differs.mean():.2%} of pixels"


def test_caption_blend_matches_the_float_formula():
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, (120, 200, 4), dtype=np.uint8)
    burned = burn_text(image, title="Título", caption="Una frase larga " * 8, note="Nota")
    plain = burn_text(np.zeros_like(image), title="Título", caption="Una frase larga " * 8, note="Nota")
    white = burn_text(np.full_like(image, 255), title="Título", caption="Una frase larga " * 8, note="Nota")
    alpha = 1.0 - (white[..., :3].astype(float) - plain[..., :3]) / 255.0
    panel = np.where(alpha > 0, plain[..., :3] / np.maximum(alpha, 1e-9), 0.0)
    expected = image[..., :3] * (1.0 - alpha) + panel * alpha
    assert np.abs(burned[..., :3] - expected).max() <= 1.5
    assert (burned[:2, :2] == image[:2, :2]).all(), "pixels outside the panels are untouched"
    assert image.flags.writeable and not np.shares_memory(burned, image)


def test_consumer_thread_keeps_order_and_raises_its_failure():
    seen: list[int] = []
    consume_in_thread(range(50), seen.append, depth=2)
    assert seen == list(range(50))

    produced: list[int] = []

    def numbers():
        for number in range(1000):
            produced.append(number)
            yield number

    def fail_at_five(number):
        assert threading.current_thread().name == "encode"
        if number == 5:
            raise OSError("encoder went away")

    with pytest.raises(OSError, match="encoder went away"):
        consume_in_thread(numbers(), fail_at_five, depth=2)
    assert len(produced) < 1000, "the producer kept going after the consumer failed"
