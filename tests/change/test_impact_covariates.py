"""The propensity model's covariates: pandas.get_dummies' numbers and layout, built as one block of floats."""

import numpy as np
import pandas as pd
import pytest

from netdash.change.impact.matching import balance_table, baseline_covariates, propensity_logit


def _with_get_dummies(table):
    """The covariates as baseline_covariates made them until session 20: get_dummies, concat, astype(float)."""
    agency = pd.get_dummies(table["agency_id"].astype(str), prefix="agency", prefix_sep="=")
    role = pd.get_dummies(table["role"].astype(object).where(table["role"].notna(), "unknown").astype(str),
                          prefix="role", prefix_sep="=")
    numeric = pd.DataFrame({"baseline_degree": table["baseline_degree"], "baseline_cross_agency_ties": table["before"],
                            "caseload": table["caseload"]})
    out = pd.concat([agency, role, numeric], axis=1).astype(float)
    out.index = table.index
    return out


def _table(rng, n, n_agencies, n_roles):
    agencies = np.array([f"A{k:03d}" for k in range(n_agencies)] + ["b", "Ä", "a10", "a9"], dtype=object)
    roles = np.array([f"role {k}" for k in range(n_roles)] + [None], dtype=object)
    return pd.DataFrame({
        "practitioner_id": [f"p{k}" for k in range(n)],
        "agency_id": agencies[rng.integers(0, agencies.size, n)],
        "role": roles[rng.integers(0, roles.size, n)],
        "baseline_degree": rng.integers(0, 40, n), "before": rng.integers(0, 9, n), "caseload": rng.integers(0, 300, n),
    }, index=pd.RangeIndex(3, 3 + n))


# More than 127 agencies and roles: Categorical's codes grow past int8.
@pytest.mark.parametrize("seed, n, n_agencies, n_roles", [(0, 50, 3, 2), (1, 400, 130, 5), (2, 900, 40, 140),
                                                          (3, 1, 1, 1)])
def test_covariates_are_get_dummies_numbers_in_its_layout(seed, n, n_agencies, n_roles):
    table = _table(np.random.default_rng(seed), n, n_agencies, n_roles)
    want, got = _with_get_dummies(table), baseline_covariates(table)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    w, g = np.asarray(want, dtype=float), np.asarray(got, dtype=float)
    assert g.strides == w.strides and g.tobytes() == w.tobytes()  # the propensity model sees the same array
    assert np.shares_memory(g, got._mgr.blocks[0].values)  # a view of the frame's one block, not a copy


def test_covariates_with_the_logit_are_the_balance_tables_frame():
    table = _table(np.random.default_rng(4), 300, 12, 4)
    logit = np.random.default_rng(5).normal(size=300)
    want = _with_get_dummies(table)
    want["propensity_logit"] = logit
    got = baseline_covariates(table, propensity_logit=logit)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    treated = np.arange(300) % 3 == 0
    matches = np.where(treated, np.arange(300) + 1, -1)[treated]
    pd.testing.assert_frame_equal(balance_table(got, treated, matches), balance_table(want, treated, matches),
                                  check_exact=True)


def test_propensity_logit_is_the_same_on_either_frame():
    table = _table(np.random.default_rng(6), 500, 20, 6)
    treated = np.random.default_rng(7).random(500) < 0.3
    assert propensity_logit(baseline_covariates(table), treated).tobytes() == \
        propensity_logit(_with_get_dummies(table), treated).tobytes()


def test_covariates_known_answer():
    table = pd.DataFrame({"agency_id": ["B", "A", "B"], "role": ["x", None, "x"], "baseline_degree": [1, 2, 3],
                          "before": [0, 1, 0], "caseload": [5, 6, 7]})
    got = baseline_covariates(table, propensity_logit=[0.5, -0.5, 0.0])
    assert list(got.columns) == ["agency=A", "agency=B", "role=unknown", "role=x", "baseline_degree",
                                 "baseline_cross_agency_ties", "caseload", "propensity_logit"]
    assert got.to_numpy().tolist() == [[0, 1, 0, 1, 1, 0, 5, 0.5], [1, 0, 1, 0, 2, 1, 6, -0.5],
                                       [0, 1, 0, 1, 3, 0, 7, 0.0]]
