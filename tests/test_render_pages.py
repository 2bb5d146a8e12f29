"""The PDF's printed pages (tools/check_render/pages.py) on made-up pages: ink, the text
block, chapters, fill, margins, wrapped code lines and where each float is printed."""

import pytest
from check_render.pages import (
    Chapter,
    PageInk,
    TextBlock,
    Word,
    book_chapters,
    continuation_problems,
    fill,
    fill_problems,
    page_ink,
    page_number_tops,
    placement_problems,
    read_pgm,
    side_problems,
    text_block,
    text_edges,
)


def _block():
    return TextBlock(top=76.0, bottom=704.0, left=80.0, right=515.0)  # 628 pt high


def _page(number, top, bottom, left=80.0, right=515.0):
    return PageInk(number, top, bottom, left, right)


def test_read_pgm_and_page_ink(tmp_path):
    """A page drawn as pdftoppm -gray writes it: ink above the page number is the body."""
    import numpy as np

    image = np.full((842, 595), 255, dtype=np.uint8)
    image[100:300, 80:515] = 0  # the body
    image[320:330, 80:515] = 0  # after a gap of 20 pt: part of it
    image[400:420, 80:515] = 0  # after a blank stretch of 70 pt, which is not
    image[735:745, 290:305] = 0  # the page number
    pgm = tmp_path / "p-1.pgm"
    pgm.write_bytes(b"P5\n# a comment\n595 842\n255\n" + image.tobytes())
    read = read_pgm(pgm)
    assert read.shape == (842, 595) and (read == image).all()
    ink = page_ink(1, read, footer_top=732.0)
    assert (ink.top, ink.bottom, ink.left, ink.right, ink.blank) == (100, 420, 80, 515, 70)
    assert page_ink(1, read, footer_top=None).bottom == 745  # without it, the number counts
    block = TextBlock(top=76.0, bottom=704.0, left=80.0, right=515.0)
    assert fill(ink, block) == pytest.approx((420 - 100 - 70) / 628)
    assert page_ink(2, np.full((842, 595), 255, dtype=np.uint8), None).top is None  # blank


def test_text_block_and_chapters():
    W = Word
    # Justified lines start and end at the text block's edges; a code line, a centred caption do not.
    words = [
        [
            W(80, 100, 110, 110, "Every"),
            W(480, 100, 515, 110, "line"),
            W(80, 114, 120, 124, "starts"),
            W(470, 114, 515.3, 124, "there."),
            W(100, 130, 300, 140, "Figure"),
            W(78, 150, 530, 160, "x=1"),
        ],
        [W(79.8, 100, 110, 110, "And"), W(490, 100, 514.8, 110, "ends")],
    ]
    assert text_edges(words) == (80.0, 515.0)
    assert page_number_tops([words[0] + [W(290, 732.3, 300, 747, "5")], words[1]], ["5", "6"]) == {1: 732.3}
    pages = [_page(1, 135, 690, 78, 517), _page(2, 76, 704), _page(3, 82, 400, 81, 514)]
    assert text_block(pages, (80.0, 515.0)) == TextBlock(76, 704, 80, 515)
    # "Appendices" (a part) and its first appendix start on the same page: the appendix is the chapter.
    chapters = book_chapters(
        [("Abstract", "", 4), ("Data", "1", 6), ("Appendices", "", 9), ("Reproducibility", "A", 9)], n_pages=12
    )
    assert [(c.title, c.number, c.first, c.last) for c in chapters] == [
        ("Abstract", "", 4, 5),
        ("Data", "1", 6, 8),
        ("Reproducibility", "A", 9, 12),
    ]


def test_fill_problems_find_sparse_float_and_mid_chapter_pages():
    block = _block()
    chapter = Chapter("Fairness", "5", first=22, last=27)
    pages = [
        _page(22, 135, 300),  # the first page: never measured
        _page(23, 231, 543),  # centred, with a caption: a float page, 50% full
        _page(24, 78, 693),  # full
        _page(25, 77, 300),  # mid-chapter, 36% full
        _page(26, 100, 530),  # a float at the top of a text page (starts 24 pt down): not a float page
        _page(27, 78, 120),
    ]  # the last page: never measured
    found, worst = fill_problems(pages, block, [chapter], {23: 1, 24: 1, 26: 1})
    assert found == [
        "PDF page 23 (float page of chapter '5 Fairness') is 50% full, under 60%",
        "PDF page 25 (mid-chapter page of chapter '5 Fairness') is 36% full, under 45%",
    ]
    assert worst["float page"] == (pytest.approx(312 / 628), 23) and worst["mid-chapter page"][1] == 25
    # A float page alone at a chapter's end is measured too, and passes when full enough.
    last = Chapter("Errors", "6", first=28, last=29)
    assert fill_problems([_page(29, 306, 474)], block, [last], {29: 1})[0] == [
        "PDF page 29 (float page of chapter '6 Errors') is 27% full, under 60%"
    ]
    assert fill_problems([_page(29, 100, 680)], block, [last], {29: 1})[0] == []


def test_side_problems_find_ink_in_the_margins():
    block = _block()
    ok = [_page(1, 76, 704, 77, 518)]  # code shading and protrusion stay within the tolerance
    assert side_problems(ok, block) == []
    found = side_problems([_page(2, 76, 704, 80, 540), _page(3, 76, 704, 60, 515)], block)
    assert found == [
        "PDF page 2: something runs 25 pt into the right margin (a line or table wider than the text)",
        "PDF page 3: something runs 20 pt into the left margin (a line or table wider than the text)",
    ]


def test_continuation_marks_are_found():
    texts = ["def f(x):\n    return x", "def train_epoch(model, X, y,\n\u21aa order, batch_size):"]
    found = continuation_problems(texts)
    assert len(found) == 1 and found[0].startswith(
        "PDF page 2: 1 code line(s) too long for the page, wrapped with \u21aa"
    )


def test_placement_problems():
    chapters = [
        Chapter("Data", "1", 1, 2),
        Chapter("Training", "2", 3, 6),
        Chapter("Reproducibility", "A", 7, 8),
    ]
    texts = [
        "as Table A.1 lists",
        "",  # an appendix table cited early: it stays in the appendix
        "Figure 2.1 shows the loss; Figure 2.2 the time.",
        "Figure 2.1: The loss.",  # next page: fine
        "Figure 2.2 again.",
        "Figure 2.2: The time.",  # two pages after its first reference
        "Table A.1: Parameters (see Table A.1)",
        "Table 2.3: A table printed in the appendix",
    ]
    assert placement_problems(texts, chapters) == [
        "PDF page 6: Figure 2.2 is first referred to on page 3; it should be there or on the next page",
        "PDF page 8: Table 2.3 is printed in chapter A ('Reproducibility')",
    ]
    # "Figure 2.10" is not a reference to Figure 2.1, nor is a caption.
    assert placement_problems(["Figure 2.10 shows", "", "", "Figure 2.1: x"], [Chapter("T", "2", 1, 4)]) == []
