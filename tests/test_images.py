"""The figures matplotlib draws: the gallery of misclassified digits is one montage."""

import matplotlib.figure
import numpy as np
import pytest
from mnistcompare.book.plots import delivery, images


@pytest.mark.parametrize("fmt", ["html", "static"])
def test_the_digit_gallery_is_one_montage_with_its_alt_text(monkeypatch, fmt):
    monkeypatch.setenv("MNISTCOMPARE_FIGURES", fmt)
    monkeypatch.delenv("QUARTO_EXECUTE_INFO", raising=False)
    gallery = images.digit_gallery(np.eye(5, 784), np.arange(5), np.arange(5) + 1, "alt: gallery")
    assert isinstance(gallery, delivery.StaticFigure) and gallery.alt == "alt: gallery"
    drawn = gallery.source  # the matplotlib figure: one montage
    assert isinstance(drawn, matplotlib.figure.Figure) and len(drawn.axes) == 1
    assert [t.get_text() for t in drawn.axes[0].texts] == [f"{k}→{k + 1}" for k in range(5)]
    sheet = drawn.axes[0].images[0].get_array()
    assert sheet.shape == (40, 12 * 32) and sheet.sum() == 5  # every digit's pixels, once
