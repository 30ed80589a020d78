"""Server-drawn SVG charts: exact geometry for given values, zeros, one huge value, escaping."""

from __future__ import annotations

import re

import pytest

from web import charts


def _attrs(svg: str, tag: str, name: str) -> list[str]:
    return re.findall(rf'<{tag} [^>]*\b{name}="([^"]*)"', svg)


def test_scale_makes_the_largest_full_and_the_rest_proportional():
    assert charts.scale([0, 50, 100, 25], 256) == [0.0, 128.0, 256.0, 64.0]


def test_scale_of_zeros_or_nothing_is_zeros_without_dividing():
    assert (charts.scale([0, 0, 0], 256), charts.scale([], 256)) == ([0.0, 0.0, 0.0], [])


def test_scale_keeps_a_small_value_visible_beside_a_huge_one():
    assert charts.scale([0, 10**9, 1, 3 * 10**6], 256) == [0.0, 256.0, 1.0, 1.0]


def test_scale_rounds_to_a_tenth():
    assert charts.scale([3, 2, 1], 256) == [256.0, 170.7, 85.3]


def test_bars_draw_one_labelled_bar_per_row_with_its_formatted_value():
    svg = charts.bars(
        [("Kayes", 40), ("Gao", 10), ("Kidal", 0)], ident="regions", title="T", desc="D",
        number=lambda n: f"<{n}>",
    )  # fmt: skip

    assert _attrs(svg, "rect", "width") == ["256", "64", "0"]
    assert _attrs(svg, "rect", "y") == ["16", "46", "76"]
    assert re.findall(r'font-size="13" fill="#1b1b1b">([^<]*)<', svg) == ["Kayes", "Gao", "Kidal"]
    assert re.findall(r'font-size="12" fill="#555">([^<]*)<', svg) == [
        "&lt;40&gt;", "&lt;10&gt;", "&lt;0&gt;",
    ]  # fmt: skip
    assert _attrs(svg, "text", "x") == ["0", "260", "0", "68", "0", "4"]
    assert 'viewBox="0 0 320 92"' in svg


def test_bars_are_an_image_named_by_their_title_and_description():
    svg = charts.bars([("a", 1)], ident="chart-x", title="Votes & more", desc="<b>desc</b>")

    assert svg.startswith(
        '<svg class="chart" viewBox="0 0 320 32" role="img" '
        'aria-labelledby="chart-x-t chart-x-d" xmlns="http://www.w3.org/2000/svg">'
        '<title id="chart-x-t">Votes &amp; more</title>'
        '<desc id="chart-x-d">&lt;b&gt;desc&lt;/b&gt;</desc>'
    )
    assert svg.endswith("</svg>")


def test_bars_escape_labels_and_shorten_long_ones():
    svg = charts.bars(
        [('<script>alert("x")</script>', 1), ("Région " * 10, 2)], ident="r", title="", desc=""
    )

    assert "<script>" not in svg
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in svg
    assert ">Région Région Région Région Région Région…<" in svg


def test_bars_with_every_value_zero_draw_empty_bars():
    svg = charts.bars([("a", 0), ("b", 0)], ident="z", title="", desc="")

    assert _attrs(svg, "rect", "width") == ["0", "0"]


def test_bars_of_nothing_are_an_empty_image():
    svg = charts.bars([], ident="e", title="T", desc="D")

    assert svg == (
        '<svg class="chart" viewBox="0 0 320 2" role="img" aria-labelledby="e-t e-d" '
        'xmlns="http://www.w3.org/2000/svg"><title id="e-t">T</title><desc id="e-d">D</desc>'
        "</svg>"
    )


def test_chart_ids_must_be_plain():
    with pytest.raises(ValueError):
        charts.bars([], ident='x" onload="alert(1)', title="", desc="")


def test_columns_stand_on_the_base_line_in_proportion():
    svg = charts.columns([1, 2, 0, 4], ident="weeks", title="T", desc="D", first="W1", last="W4")

    columns = re.findall(r'<rect x="([^"]*)" y="([^"]*)" width="([^"]*)" height="([^"]*)"', svg)
    assert columns == [
        ("10", "56", "60", "18"),
        ("90", "38", "60", "36"),
        ("170", "74", "60", "0"),
        ("250", "2", "60", "72"),
        ("0", "74", "320", "1"),  # the base line
    ]
    assert re.findall(r'text-anchor="(\w+)">(\w+)<', svg) == [("start", "W1"), ("end", "W4")]
    assert 'viewBox="0 0 320 90"' in svg


def test_columns_of_one_huge_week_keep_the_others_visible():
    svg = charts.columns([10**9, 1, 0], ident="w", title="", desc="")

    assert _attrs(svg, "rect", "height")[:3] == ["72", "1", "0"]
    assert "<text" not in svg


def test_a_chart_of_twenty_rows_stays_small():
    svg = charts.bars([(f"Région {i}", i * 97) for i in range(20)], ident="r", title="", desc="")

    assert len(svg.encode()) < 4000
