"""COP impact lets go of its largest arrays early (session 17): the same numbers, less memory at regional scale."""

import weakref

import numpy as np
import pandas as pd

from netdash.change.impact.staggered import _finite, dyadic_covariance


def test_finite_copies_only_when_an_entry_is_not_finite():
    z = np.ones((3, 2))
    assert _finite(z) is z
    w = np.array([1.0, np.nan, np.inf])
    out = _finite(w)
    assert out is not w and np.isnan(w[1]) and out[:2].tolist() == [1.0, 0.0] and np.isfinite(out[2])


def test_dyadic_covariance_is_the_same_with_or_without_the_copy():
    rng = np.random.default_rng(0)
    psi = rng.normal(size=(50, 4))
    a, b = rng.integers(0, 50, 30), rng.integers(0, 50, 30)
    za, zb = rng.normal(size=(4, 30)).T, rng.normal(size=(4, 30)).T  # (pairs, events) views, as event_study's
    got = dyadic_covariance(psi, a, b, za, zb)
    want = psi.T @ psi + np.nan_to_num(za).T @ np.nan_to_num(zb) + np.nan_to_num(zb).T @ np.nan_to_num(za)
    assert np.array_equal(got, want)


def test_propensity_logit_lets_go_of_covariates_it_alone_holds_before_the_model_copies_them(monkeypatch):
    from sklearn.linear_model import LogisticRegression

    from netdash.change.impact.matching import propensity_logit

    rng = np.random.default_rng(1)
    seen = {}

    def covariates():
        X = pd.DataFrame(rng.normal(size=(300, 5)), columns=list("abcde"))
        seen["block"] = weakref.ref(X._mgr.blocks[0].values)  # the floats themselves
        return X

    fit = LogisticRegression.fit

    def fit_and_look(self, *args, **kwargs):
        seen["alive at fit"] = seen["block"]() is not None
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(LogisticRegression, "fit", fit_and_look)
    logit = propensity_logit(covariates(), rng.random(300) < 0.4)
    assert seen["alive at fit"] is False and logit.shape == (300,)
