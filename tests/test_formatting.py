"""Numbers and lists as the book prints them."""

from mnistcompare.book import formatting


def test_percentages_powers_of_ten_mib_and_lists():
    assert formatting.pct(0.98765) == "98.77%" and formatting.pct(None) == "n/a"
    assert formatting.sci(1.5e-8) == "$1.5 \\times 10^{-8}$" and formatting.sci(0) == "0"
    assert formatting.mib(3 * 2**20) == "3.00 MiB"
    assert [formatting.and_join(x) for x in (["a"], ["a", "b"], ["a", "b", "c"])] == ["a", "a and b", "a, b and c"]
    assert formatting.and_join(["a and b", "c and d", "e and f"], sep="; ") == "a and b; c and d; and e and f"


def test_significant_figures_and_factors_from_the_printed_numbers():
    assert [formatting.sig(x) for x in (0.0061234, 0.036, 1.0499, 12.34, 1234.5)] == [
        "0.00612",
        "0.0360",
        "1.05",
        "12.3",
        "1,230",
    ]
    assert formatting.ratio(0.036, 0.0061234) == ("0.0360", "0.00612", "5.9")  # 0.0360 / 0.00612, as printed
