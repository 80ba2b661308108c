import math

import numpy as np
import pandas as pd
import pytest

from netdash.errors import InvalidInputError
from netdash.privacy import (DEFAULT_THRESHOLD, is_small_count, suppress_small_counts,
                             suppress_value)


def test_default_threshold_is_five():
    assert DEFAULT_THRESHOLD == 5


@pytest.mark.parametrize("n, hidden", [(0, False), (1, True), (4, True), (5, False), (120, False)])
def test_small_count_boundaries(n, hidden):
    assert is_small_count(n) is hidden


def test_four_is_suppressed_five_is_shown_zero_is_shown():
    counts = pd.DataFrame({"agency": ["A", "B", "C"], "clients": [4, 5, 0]})
    out = suppress_small_counts(counts, "clients")
    assert math.isnan(out.loc[0, "clients"])
    assert out.loc[1, "clients"] == 5
    assert out.loc[2, "clients"] == 0
    assert out["agency"].tolist() == ["A", "B", "C"]
    assert out.attrs["suppressed_cells"] == 1
    # the input is not changed
    assert counts["clients"].tolist() == [4, 5, 0]


def test_marker_makes_text_cells():
    out = suppress_small_counts(pd.DataFrame({"n": [1, 7, np.nan]}), "n", marker="<5")
    assert out["n"].iloc[0] == "<5"
    assert out["n"].iloc[1] == 7
    assert pd.isna(out["n"].iloc[2])


def test_custom_threshold():
    out = suppress_small_counts(pd.DataFrame({"n": [9, 10]}), ["n"], threshold=10)
    assert out["n"].isna().tolist() == [True, False]


def test_complementary_suppression_hides_smallest_other_nonzero_cell():
    # row 0: 3 is primary; smallest other non-zero shown cell is 6 (0 is skipped)
    rows = pd.DataFrame({"a": [3, 20, 2], "b": [6, 30, 1], "c": [0, 40, 9], "d": [12, 50, 7]})
    out = suppress_small_counts(rows, ["a", "b", "c", "d"])
    assert out.iloc[0].isna().tolist() == [True, True, False, False]
    # row 1: nothing small, nothing hidden
    assert out.iloc[1].isna().tolist() == [False, False, False, False]
    # row 2: two primary cells already protect each other: no extra cell hidden
    assert out.iloc[2].isna().tolist() == [True, True, False, False]
    assert out.attrs["suppressed_cells"] == 4


def test_complementary_can_be_turned_off():
    rows = pd.DataFrame({"a": [3], "b": [6]})
    out = suppress_small_counts(rows, ["a", "b"], complementary=False)
    assert out.iloc[0].isna().tolist() == [True, False]


def test_row_with_only_zeros_besides_the_small_cell_cannot_be_protected():
    # documented limit: no non-zero complement exists
    out = suppress_small_counts(pd.DataFrame({"a": [3], "b": [0]}), ["a", "b"])
    assert out.iloc[0].isna().tolist() == [True, False]


def test_suppress_value():
    assert suppress_value(4) is None
    assert suppress_value(4, marker="<5") == "<5"
    assert suppress_value(5) == 5
    assert suppress_value(0) == 0


def test_missing_column_is_reported():
    with pytest.raises(InvalidInputError, match=r"column\(s\) \['clients'\] are not in the table"):
        suppress_small_counts(pd.DataFrame({"n": [1]}), "clients")


def test_text_column_is_reported():
    with pytest.raises(InvalidInputError, match="do not hold numbers"):
        suppress_small_counts(pd.DataFrame({"n": ["3"]}), "n")


@pytest.mark.parametrize("threshold", [0, 2.5, True, "5"])
def test_bad_threshold_is_reported(threshold):
    with pytest.raises(InvalidInputError, match="threshold should be a whole number"):
        suppress_small_counts(pd.DataFrame({"n": [1]}), "n", threshold=threshold)


def test_hidden_cells_and_their_notes_for_a_csv():
    from netdash.privacy import hidden_cells, suppression_notes

    counts = pd.DataFrame({"placed": [3, 10, np.nan], "waiting": [9, 8, 6]})
    shown = suppress_small_counts(counts, ["placed", "waiting"])
    hidden = hidden_cells(counts, shown, ["placed", "waiting"])
    # row 0: 3 hidden, 9 hidden too (complementary); row 2: a missing value is not a hidden count
    assert hidden.values.tolist() == [[True, True], [False, False], [False, False]]
    notes = suppression_notes(hidden, threshold=5, labels={"placed": "Placed"})
    assert notes.tolist()[0] == ("Hidden: Placed, waiting. Counts from 1 to 4 are not shown (small-number "
                                 "protection), nor is one more count in a row whose total would give a hidden "
                                 "count away.")
    assert notes.tolist()[1:] == ["", ""]
    assert suppression_notes(hidden, threshold=10).tolist()[0].split(". ")[1].startswith("Counts from 1 to 9")


def _suppressed_by_hand(row, threshold):
    """The rule read off the docstring, one row of plain numbers at a time: which cells are hidden."""
    hide = [not math.isnan(n) and 1 <= n < threshold for n in row]
    if sum(hide) == 1:
        shown = [(n, j) for j, n in enumerate(row) if not hide[j] and not math.isnan(n) and n > 0]
        if shown:
            hide[min(shown)[1]] = True  # the smallest; the first of equals
    return hide


@pytest.mark.parametrize("seed", range(20))
def test_complementary_suppression_agrees_with_the_rule_cell_by_cell(seed):
    # Random tables of small counts (ties, zeros, missing cells, a repeated index): every hidden cell is the one
    # the rule picks, in either output form, and the count of hidden cells matches.
    rng = np.random.default_rng(seed)
    n_rows, n_cols = rng.integers(1, 30), rng.integers(2, 6)
    values = rng.integers(0, 12, size=(n_rows, n_cols)).astype("float64")
    values[rng.random(values.shape) < 0.1] = np.nan
    columns = [f"c{j}" for j in range(n_cols)]
    frame = pd.DataFrame(values, columns=columns, index=rng.integers(0, 5, n_rows)).astype("Int64")
    frame["label"] = "x"
    threshold = int(rng.integers(2, 8))
    expected = np.array([_suppressed_by_hand(row, threshold) for row in values])
    out = suppress_small_counts(frame, columns, threshold=threshold)
    assert (out[columns].isna().to_numpy() & ~np.isnan(values) == expected).all()
    assert out.attrs["suppressed_cells"] == expected.sum()
    marked = suppress_small_counts(frame, columns, threshold=threshold, marker="<")
    assert ((marked[columns] == "<").to_numpy() == expected).all()
    assert (out["label"] == "x").all() and (out.index == frame.index).all()
