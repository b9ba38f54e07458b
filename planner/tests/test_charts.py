"""Issue 18, item 8: server-rendered SVG charts of VRAM and decode speed against context."""

import math

from planner import charts


def test_line_chart_coordinates():
    chart = charts.line_chart(
        "t",
        [("a", [(4096, 5.0), (8192, 10.0), (16384, 20.0)])],
        "GB",
        [("8 GB", 8.0), ("12 GB", 12.0), ("1 TB", 1000.0)],
        x_label=str,
    )
    (x0, y0, x1, y1) = chart.plot
    path = chart.series[0].path.split()
    assert path[0] == f"M{x0:.1f},{y1 - 5.0 / 25 * (y1 - y0):.1f}"  # y axis to 25 (nice step 5 above 21)
    assert path[-1].startswith(f"L{x1:.1f},")  # log-x: the last context at the right edge
    assert [g.label for g in chart.guides] == ["12 GB", "8 GB"]  # 1 TB is beyond twice the data: left out
    assert [label for _, label in chart.y_ticks] == ["0", "5", "10", "15", "20", "25"]


def test_crowded_guides_and_bad_points_are_dropped():
    chart = charts.line_chart(
        "t",
        [("a", [(1024, 100.0), (2048, math.inf), (4096, None), (8192, 120.0)])],
        "GB",
        [("80 GB", 80.0), ("81 GB", 81.0)],
        x_label=str,
    )
    assert chart.series[0].path.count("L") == 1  # the non-finite and missing points are skipped
    assert [g.label for g in chart.guides] == ["81 GB"]  # 80 GB would print over 81 GB
    assert charts.line_chart("t", [("a", [])], "GB") is None


def test_model_and_plan_pages_draw_their_charts(client, seeded):
    model = client.get("/models/llama-3-1-8b-instruct/").content.decode()
    assert model.count('<figure class="linechart">') == 1 and ">24 GB</text>" in model
    plan = client.get("/plan/?model=llama-3-1-8b-instruct&gpu=nvidia-geforce-rtx-3060-12-gb&context=32768")
    text = plan.content.decode()
    assert text.count('<figure class="linechart">') == 2 and ">usable</text>" in text
    assert "Decode speed by context length" in text


def test_a_gpus_own_memory_line_is_kept_however_high(client, seeded):
    """The plan's usable-memory line is drawn even when the GPU has far more memory than the plan needs."""
    text = client.get("/plan/?model=llama-3-2-1b-instruct&gpu=nvidia-h100-sxm5-80-gb").content.decode()
    assert ">usable</text>" in text
