"""pages/_charts.py: a chart's spec built once and sent with st.vega_lite_chart is the element st.altair_chart sends."""

import numpy as np
from apptest_support import altair_mixing_heatmap
from streamlit.testing.v1 import AppTest


def _both_ways():
    import pandas as pd
    import streamlit as st
    from apptest_support import altair_mixing_heatmap

    from pages import _charts

    series = pd.DataFrame({"start": pd.to_datetime(["2024-01-01", "2024-04-01"]),
                           "end": pd.to_datetime(["2024-04-01", "2024-07-01"]), "label": ["Q1", "Q2"],
                           "partial": [False, True], "n_ties": [12, 15]})
    markers = _charts.chart_markers(pd.DataFrame({"date": pd.to_datetime(["2024-02-01"])}), pd.Timestamp("2024-03-01"),
                                    pd.Timestamp("2024-01-01"), pd.Timestamp("2024-06-30"))
    matrix = pd.DataFrame([[3, 1], [1, 0]], index=["A & <b>", "B"], columns=["A & <b>", "B"])
    monthly = pd.DataFrame({"month": pd.to_datetime(["2024-01-01", "2024-02-01"]), "kind": ["client", "client"],
                            "contacts": [4, 7]})
    charts = [(altair_mixing_heatmap(matrix, "Change", {"A & <b>": "A & <b>", "B": "B"}, diverging=True),
               {"width": "stretch"}),
              (_charts.ties_heatmap(matrix), {"width": "stretch"}),
              (_charts.monthly_contacts_chart(monthly, pd.Timestamp("2024-01-15")), {"width": "stretch"}),
              (_charts.client_trend_chart(pd.DataFrame({"before": [0.5, None], "after": [0.75, 3.0]},
                                                       index=["mean_cohesion", "median_handover_lag_days"]),
                                          {"mean_cohesion": "Cohesion", "median_handover_lag_days": "Days"}), {})]
    for chart, size in charts:
        st.altair_chart(chart, **size)
        spec = _charts.vega_spec(chart)
        st.vega_lite_chart(spec=spec, **size)
        st.vega_lite_chart(spec=spec, **size)  # the kept spec serves again: Streamlit must not have consumed it


def test_a_kept_spec_sends_the_same_element_as_the_altair_chart():
    at = AppTest.from_function(_both_ways, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    charts = [e.proto for e in at.main if getattr(e, "type", "") == "vega_lite_chart"]
    assert len(charts) == 12
    for k in range(0, 12, 3):
        altair, kept, again = charts[k:k + 3]
        assert altair.spec and len(altair.datasets) >= 1
        assert kept.SerializeToString(deterministic=True) == altair.SerializeToString(deterministic=True)
        assert again.SerializeToString(deterministic=True) == altair.SerializeToString(deterministic=True)
    assert len({c.spec for c in charts[::3]}) == 4  # four different charts, not one compared with itself


def _over_time_inputs():
    import pandas as pd

    from pages import _charts

    series = pd.DataFrame({"start": pd.to_datetime(["2024-01-01", "2024-04-01"]),
                           "end": pd.to_datetime(["2024-04-01", "2024-07-01"]), "label": ["Q1", "Q2"],
                           "partial": [False, True], "n_ties": [12, 15], "ei_index": [-0.25, 0.5],
                           "trust_ties": [3, 4], "trust_min_months": [1, 1]})
    markers = _charts.chart_markers(pd.DataFrame({"date": pd.to_datetime(["2024-02-01"])}), pd.Timestamp("2024-03-01"),
                                    pd.Timestamp("2024-01-01"), pd.Timestamp("2024-06-30"))
    groups = pd.DataFrame({"start": pd.to_datetime(["2024-01-01"] * 2), "end": pd.to_datetime(["2024-04-01"] * 2),
                           "label": ["Q1"] * 2, "partial": [False] * 2,
                           "group": ["COP attendees (ever)", "Non-attendees"], "practitioners": [5, 6],
                           "mean_colleagues": [1.5, 2.0], "mean_cross_agency_colleagues": [0.5, 0.75]})
    return series, markers, groups


def _arrow_frame(data):
    import pyarrow as pa

    return pa.ipc.open_stream(data).read_pandas()


def test_over_time_plain_specs_are_valid_vega_lite_and_carry_the_series():
    # Over time's charts are Vega-Lite dicts written without Altair: Altair's own schema checks them here.
    import pandas as pd
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema import core

    from pages import _charts

    schema = core.load_schema()
    series, markers, groups = _over_time_inputs()
    spec = _charts.headline_charts(series, ["n_ties", "ei_index", "trust_ties"], markers)
    attendees = _charts.attendee_chart(groups, markers)
    for chart in (spec, attendees):
        assert validate_jsonschema({k: v for k, v in chart.items() if k != "datasets"}, schema,
                                   raise_error=False) is None
    broken = dict(spec, vconcat=[dict(spec["vconcat"][0], mark="no such mark")])
    assert validate_jsonschema({k: v for k, v in broken.items() if k != "datasets"}, schema,
                               raise_error=False) is not None
    assert [c["title"] for c in spec["vconcat"]] == ["Ties", "E-I index", "Trust ties (within-month rule)"]
    assert [c["layer"][2]["encoding"]["y"]["scale"] for c in spec["vconcat"]] == [
        {"zero": True}, {"domain": [-1, 1]}, {"zero": True}]
    windows = _arrow_frame(spec["datasets"]["windows"])
    assert windows["n_ties"].tolist() == [12, 15] and windows["ei_index"].tolist() == [-0.25, 0.5]
    assert windows["window"].tolist() == ["full", "partial"]  # the hollow point of a partly covered window
    assert list(pd.to_datetime(windows["mid"])) == [pd.Timestamp("2024-02-15 12:00"), pd.Timestamp("2024-05-16 12:00")]
    drawn = _arrow_frame(spec["datasets"]["markers"])
    assert drawn["what"].tolist() == ["COP session", "COP start (sidebar)"]
    assert _arrow_frame(attendees["datasets"]["groups"])["mean_cross_agency_colleagues"].tolist() == [0.5, 0.75]
    assert [layer["mark"]["color"] for layer in attendees["layer"][:2]] == ["#222222", "#e69f00"]
    # Sessions are a rug of short ticks at each chart's foot (a COP meeting every few days made full-height lines
    # a solid block over the points); the COP start is one dashed line across the chart.
    for chart, foot in ((spec["vconcat"][0], str(spec["vconcat"][0]["height"])), (attendees, "height")):
        start, sessions = chart["layer"][:2]
        assert sessions["encoding"]["y"] == {"value": {"expr": foot}}  # pixels down from the top: the foot
        assert sessions["encoding"]["y2"] == {"value": {"expr": f"{foot} - 9"}} and "strokeDash" not in sessions["mark"]
        assert "y" not in start["encoding"] and start["mark"]["strokeDash"] == [4, 3]
    assert [layer["transform"] for layer in spec["vconcat"][0]["layer"][:2]] == [
        [{"filter": {"field": "what", "equal": "COP start (sidebar)"}}],
        [{"filter": {"field": "what", "equal": "COP session"}}]]
    assert [layer["data"]["name"] for layer in attendees["layer"][:2]] == ["cop_start", "sessions"]


def _over_time_element():
    import pandas as pd
    import streamlit as st

    from pages import _charts

    series = pd.DataFrame({"start": pd.to_datetime(["2024-01-01"]), "end": pd.to_datetime(["2024-04-01"]),
                           "label": ["Q1"], "partial": [False], "n_ties": [12], "ei_index": [-0.25]})
    markers = _charts.chart_markers(pd.DataFrame({"date": pd.to_datetime(["2024-02-01"])}), None,
                                    pd.Timestamp("2024-01-01"), pd.Timestamp("2024-06-30"))
    spec = _charts.headline_charts(series, ["n_ties", "ei_index"], markers)
    st.vega_lite_chart(spec=spec, width="stretch")
    st.vega_lite_chart(spec=spec, width="stretch")  # a kept spec serves again: Streamlit must not consume it


def test_over_time_spec_is_sent_with_its_datasets_and_fits_the_column():
    import json

    at = AppTest.from_function(_over_time_element, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    charts = [e.proto for e in at.main if getattr(e, "type", "") == "vega_lite_chart"]
    assert len(charts) == 2 and charts[0].SerializeToString() == charts[1].SerializeToString()
    assert sorted(d.name for d in charts[0].datasets) == ["markers", "windows"]
    spec = json.loads(charts[0].spec)
    # fit-x: without it Streamlit pads a stack of layered charts, which then overflow their column.
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"} and "datasets" not in spec


def test_cop_impact_plain_specs_are_valid_vega_lite_and_carry_the_estimates(demo_source):
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema import core

    from netdash.change.impact import impact_design, impact_estimates, staggered_estimates
    from netdash.ingest import load_dataset
    from pages import _charts

    ds = load_dataset(demo_source, secret=b"test")[0]
    design = impact_design(ds, ties="working")
    result = impact_estimates(design, bootstrap=200, staggered=staggered_estimates(ds, design))
    table = design.practitioner_table()
    charts = _charts.impact_charts(result, table)
    schema = core.load_schema()
    assert set(charts) == {"event_study", "series", "estimates", "dose"} and None not in charts.values()
    for spec in charts.values():
        body = {k: v for k, v in spec.items() if k != "datasets"}
        assert validate_jsonschema(body, schema, raise_error=False) is None
        used = {layer["data"]["name"] for layer in spec.get("layer", [spec])}
        assert used == set(spec["datasets"])  # every layer's data is sent, and nothing else
        assert spec["usermeta"] == {"embedOptions": {"renderer": "canvas"}}  # a redraw paints, not one SVG node a mark
    events = _arrow_frame(charts["event_study"]["datasets"]["events"])
    assert events["estimate"].tolist() == [row["estimate"] for row in result["event_study"]]
    shown = _arrow_frame(charts["estimates"]["datasets"]["estimates"]).set_index("which")["estimate"]
    assert shown["Headline: Callaway & Sant'Anna, after window"] == result["headline"]["estimate"]
    assert shown["Difference-in-differences (two windows)"] == result["did_cross_agency_ties"]["estimate"]
    dots = _arrow_frame(charts["dose"]["datasets"]["attendees"])
    attendees = table[table["attendee"]]
    assert list(dots.columns) == ["sessions", "change", "attendees", "opacity"]  # only what the chart uses
    # One dot per distinct (sessions, change), standing for every attendee there: the same points, half the marks.
    assert len(dots) < len(attendees) and not dots.duplicated(["sessions", "change"]).any()
    counted = attendees.value_counts(["sessions", "change"])
    assert dots.set_index(["sessions", "change"])["attendees"].sort_index().equals(
        counted.rename("attendees").sort_index())
    # As dark as that many dots of the old opacity drawn on top of each other (source-over).
    assert np.allclose(dots["opacity"], 1 - 0.55 ** dots["attendees"], atol=1e-4) and dots["opacity"].min() == 0.45
    layer = charts["dose"]["layer"][1]
    assert layer["encoding"]["x"]["axis"] == {"tickMinStep": 1, "format": "d"}  # sessions are counted whole
    assert layer["encoding"]["opacity"] == {"field": "opacity", "type": "quantitative", "scale": None,
                                            "legend": None} and "opacity" not in layer["mark"]


def test_before_after_heat_maps_are_one_valid_spec_equal_to_the_altair_charts_of_its_panels():
    # Before & after's three heat maps are one Vega-Lite dict written without Altair (session 15): Altair's schema
    # checks it, and each panel is the spec and data of the Altair chart the page drew of the same matrix until then
    # (apptest_support.altair_mixing_heatmap), the second and third without row labels (the first panel's serve).
    import altair as alt
    import pandas as pd
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema import core

    from pages import _charts

    names = {"a": "A & <b>", "b": "B"}
    before = pd.DataFrame([[3, 1], [1, 0]], index=list(names), columns=list(names))
    after = pd.DataFrame([[2, 4], [4, 1]], index=list(names), columns=list(names))
    matrices = [before, after, after - before]
    spec = _charts.mixing_heatmaps(matrices, names)
    assert validate_jsonschema({k: v for k, v in spec.items() if k != "datasets"}, core.load_schema(),
                               raise_error=False) is None
    titles = ["Before", "After", "Change (after − before)"]
    assert [p["title"] for p in spec["hconcat"]] == titles and len(spec["datasets"]) == 3
    for k, panel in enumerate(spec["hconcat"]):
        chart = altair_mixing_heatmap(matrices[k], titles[k], names, diverging=k == 2, height=190).properties(
            width=150)
        if k:
            chart = chart.encode(y=alt.Y("agency:N", title=None, sort=None, axis=None))
        expected = _charts.vega_spec(chart)
        (name, data), = expected.pop("datasets").items()
        expected.pop("$schema")
        assert expected.pop("data") == {"name": name} and panel["data"] == {"name": f"panel{k}"}
        assert {key: v for key, v in panel.items() if key != "data"} == expected
        pd.testing.assert_frame_equal(_arrow_frame(spec["datasets"][f"panel{k}"]), _arrow_frame(data))
    assert _arrow_frame(spec["datasets"]["panel2"])["ties"].tolist() == [-1, 3, 3, 1]
    assert spec["resolve"] == {"scale": {"color": "independent"}}
    assert spec["usermeta"] == {"embedOptions": {"renderer": "canvas"}}  # session 16: cells as pixels, not SVG nodes
