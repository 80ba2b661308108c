"""pages/_charts.py: a chart's spec built once and sent with st.vega_lite_chart is the element st.altair_chart sends."""

from streamlit.testing.v1 import AppTest


def _both_ways():
    import pandas as pd
    import streamlit as st

    from pages import _charts

    series = pd.DataFrame({"start": pd.to_datetime(["2024-01-01", "2024-04-01"]),
                           "end": pd.to_datetime(["2024-04-01", "2024-07-01"]), "label": ["Q1", "Q2"],
                           "partial": [False, True], "n_ties": [12, 15]})
    markers = _charts.chart_markers(pd.DataFrame({"date": pd.to_datetime(["2024-02-01"])}), pd.Timestamp("2024-03-01"),
                                    pd.Timestamp("2024-01-01"), pd.Timestamp("2024-06-30"))
    matrix = pd.DataFrame([[3, 1], [1, 0]], index=["A & <b>", "B"], columns=["A & <b>", "B"])
    monthly = pd.DataFrame({"month": pd.to_datetime(["2024-01-01", "2024-02-01"]), "kind": ["client", "client"],
                            "contacts": [4, 7]})
    charts = [(_charts.headline_chart(series, "n_ties", markers), {"width": "stretch", "height": 240}),
              (_charts.mixing_heatmap(matrix, "Change", {"A & <b>": "A & <b>", "B": "B"}, diverging=True),
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
    assert len(charts) == 15
    for k in range(0, 15, 3):
        altair, kept, again = charts[k:k + 3]
        assert altair.spec and len(altair.datasets) >= 1
        assert kept.SerializeToString(deterministic=True) == altair.SerializeToString(deterministic=True)
        assert again.SerializeToString(deterministic=True) == altair.SerializeToString(deterministic=True)
    assert len({c.spec for c in charts[::3]}) == 5  # five different charts, not one compared with itself
