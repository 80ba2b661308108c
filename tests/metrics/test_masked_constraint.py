"""Over time's constraint (netdash.metrics.masked_constraint): structural_holes.constraint's values to the bit."""

import math

import numpy as np
import pytest
import scipy.sparse as sp

from netdash.metrics import masked_constraint as wc
from netdash.change.headline import network_headline
from netdash.metrics import structural_holes
from netdash.metrics.matrix import GraphMatrix


def _random_matrix(seed, n=150, ties=2500, isolates=3):
    rng = np.random.default_rng(seed)
    source, target = rng.integers(0, n - isolates, ties), rng.integers(0, n - isolates, ties)
    agencies = [f"A{i % 7}" for i in range(n)]
    return GraphMatrix([f"P{i:03d}" for i in range(n)], source, target, node_attrs={"agency": agencies})


def _reference(M):
    return np.array(list(structural_holes.constraint(M).values()), dtype=float)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_masked_product_gives_structural_holes_values_to_the_bit(monkeypatch, seed):
    monkeypatch.setattr(wc, "MASKED_MIN_WORK", -1.0)  # the masked product whatever the size
    M = _random_matrix(seed)
    got = wc.masked_constraint(M)
    assert got.tobytes() == _reference(M).tobytes()
    assert np.isnan(got[-3:]).all() and np.isfinite(got[:-3]).all()  # isolates NaN, as structural_holes


def test_the_order_of_the_terms_matters_on_these_graphs():
    # The guard that makes the test above able to fail: adding each entry's terms in increasing q (scipy's
    # product of P with its rows sorted) changes some constraint values in their last bits.
    changed = 0
    for seed in range(4):
        W = structural_holes._mutual_weights(_random_matrix(seed), None)
        P = structural_holes._proportions(W)[0]
        ties = W > 0
        masked = wc._square_at_ties(ties, P)
        assert masked is not None
        Ps = P.sorted_indices()
        increasing = (Ps @ Ps).multiply(ties)
        ours = np.asarray((P + masked).power(2).sum(axis=1)).ravel()
        other = np.asarray((P + increasing).power(2).sum(axis=1)).ravel()
        changed += int(np.count_nonzero(ours != other))
    assert changed > 0


def test_rows_not_stored_backwards_are_left_to_scipy():
    W = structural_holes._mutual_weights(_random_matrix(0), None)
    P = sp.csr_array(structural_holes._proportions(W)[0].sorted_indices())
    assert wc._square_at_ties(W > 0, P) is None


@pytest.mark.parametrize("floor", [-1.0, 1e30])
def test_small_and_empty_graphs(monkeypatch, floor):
    monkeypatch.setattr(wc, "MASKED_MIN_WORK", floor)
    path = GraphMatrix(["a", "b", "c", "d"], [0, 1], [1, 2])
    assert wc.masked_constraint(path).tolist()[:3] == [1.0, 0.5, 1.0] and math.isnan(wc.masked_constraint(path)[3])
    M = _random_matrix(5)
    assert wc.masked_constraint(M).tobytes() == _reference(M).tobytes()


def test_network_headline_with_masked_constraint_is_the_same(monkeypatch):
    monkeypatch.setattr(wc, "MASKED_MIN_WORK", -1.0)
    for seed in range(3):
        M = _random_matrix(seed)
        old, new = network_headline(M, 4), network_headline(M, 4, constraint=wc.masked_constraint)
        assert list(old) == list(new)
        assert all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(old.values(), new.values()))
        assert str(old["mean_constraint"]) == str(new["mean_constraint"])
