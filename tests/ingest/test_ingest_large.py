"""The large-scale paths of the importer and the demo (issue 7).

The importer reads plain UTF-8 CSVs with pyarrow straight into dictionary
codes and checks each distinct value once; these tests pin that it gives
exactly what the reference (pandas) reader gives, that it hands anything it
cannot read exactly to that reader, and that IDs are stored once per
distinct value. Speed itself is measured in docs/benchmarks.md, not here.
"""

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest

import netdash.ingest.parse as parse_module
from netdash.demo import SCALES, DemoScale, generate_demo
from netdash.errors import InvalidInputError
from netdash.ingest import load_dataset, pseudonymise, read_source, validate
from netdash.ingest.coded import (as_categorical, compact, objects, read_csv_arrow, rows_by_value, same_values,
                                  strip)
from netdash.store import Workspace

SECRET = b"s" * 32
TODAY = "2024-06-30"
AGENCIES = 'agency_id,name,sector\nA1,"Riverside, Housing",housing\nA2,"Says ""hi""\nsecond line",\n'
PRACTITIONERS = "practitioner_id,agency_id,name,role,start_date,end_date\nP1,A1,,,,\nP2,A2,,,,\n P3 ,A2,,,,\n"
CONTACTS = ("date,practitioner_id,client_id,with_practitioner_id,contact_type,duration_minutes\n"
            "2024-01-10,P1,C1,,visit,30\n2024-01-11,P2, C1 ,P1,phone,\n2024-01-12,P3,C2,P2,referral,15\n"
            "2024-01-12,P1,C1,P1,email,5\n2024-01-13,P1,,P1,email,5\n")
ATTENDANCE = "session_id,date,practitioner_id,cop_name\nS1,2024-02-07,P1,East\nS1,2024-02-07,P2,East\n"


def _source(folder, **replace):
    tables = dict(agencies=AGENCIES, practitioners=PRACTITIONERS, contacts=CONTACTS, cop_attendance=ATTENDANCE)
    tables.update(replace)
    folder.mkdir()
    for name, text in tables.items():
        (folder / f"{name}.csv").write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return folder


@pytest.fixture
def reference_reader(monkeypatch):
    """Make the fast reader decline every file, so the pandas reader runs."""
    monkeypatch.setattr(parse_module, "read_csv_arrow", lambda *a, **k: None)


def _load(folder):
    return load_dataset(folder, secret=SECRET, today=TODAY)


def test_fast_reader_reads_quotes_separators_and_newlines_like_the_reference(tmp_path, monkeypatch):
    fast, fast_report = _load(_source(tmp_path / "a"))
    assert fast.agencies["name"].tolist() == ["Riverside, Housing", 'Says "hi"\nsecond line']
    assert fast.agencies["sector"].tolist() == ["housing", "other"]
    assert fast.practitioners["practitioner_id"].tolist() == ["P1", "P2", "P3"]  # stripped
    # Row 5 is a self-contact with a client (kept, colleague part dropped); row 6 has no client (dropped).
    assert fast.contacts["with_practitioner_id"].tolist() == [None, "P1", "P2", None]
    assert fast.contacts["duration_minutes"].fillna(-1).tolist() == [30.0, -1.0, 15.0, 5.0]
    monkeypatch.setattr(parse_module, "read_csv_arrow", lambda *a, **k: None)
    ref, ref_report = _load(_source(tmp_path / "b"))
    for table in ("agencies", "practitioners", "contacts", "cop_attendance", "clients", "trust_survey"):
        pd.testing.assert_frame_equal(fast.table(table), ref.table(table), check_exact=True)
    assert [str(p) for p in fast_report.warnings] == [str(p) for p in ref_report.warnings]


@pytest.mark.parametrize("encoding, sep", [("utf-8-sig", ";"), ("utf-8", "\t"), ("utf-8", "|")])
def test_fast_reader_handles_bom_and_other_separators(tmp_path, encoding, sep):
    text = PRACTITIONERS.replace(",", sep).encode(encoding)
    ds, _ = _load(_source(tmp_path / "s", practitioners=text))
    assert ds.practitioners["practitioner_id"].tolist() == ["P1", "P2", "P3"]
    assert ds.practitioners["agency_id"].tolist() == ["A1", "A2", "A2"]


@pytest.mark.parametrize("data", [
    b'a,b\n1,"x\n',              # an unclosed quote: pyarrow would accept it
    b"a,b\n1,2,3\n",             # a ragged row: pandas' message names the line
])
def test_fast_reader_declines_what_it_cannot_read_exactly(data):
    assert read_csv_arrow(data, delimiter=",", n_columns=2) is None


def test_fast_reader_returns_codes_with_the_header_as_first_row():
    (codes_a, uniq_a), (codes_b, uniq_b) = read_csv_arrow(b"id,n\nP1,1\nP2,1\nP1,2\n", delimiter=",", n_columns=2)
    assert uniq_a[codes_a].tolist() == ["id", "P1", "P2", "P1"]
    assert uniq_b[codes_b].tolist() == ["n", "1", "1", "2"]
    assert len(uniq_a) == 3  # each distinct text once


def test_fast_reader_reads_a_blank_line_as_a_blank_row():
    (codes, uniques), _ = read_csv_arrow(b"a,b\n1,2\n\n3,4\n", delimiter=",", n_columns=2)
    assert uniques[codes].tolist() == ["a", "1", "", "3"]  # as pandas does; the row is dropped later


def test_blank_line_keeps_spreadsheet_row_numbers(tmp_path):
    contacts = CONTACTS.split("\n")[0] + "\n2024-01-10,P1,C1,,visit,30\n\n2024-01-10,P9,C1,,visit,30\n"
    report = validate(read_source(_source(tmp_path / "b", contacts=contacts)), today=TODAY)
    assert [str(p) for p in report.errors] == [
        "contacts.csv, row 4: practitioner_id 'P9' is not in practitioners.csv. Add the practitioner or correct "
        "the ID."]


def test_messages_list_values_in_file_order(tmp_path):
    rows = "".join(f"2024-01-10,{p},C1,,visit,30\n" for p in ("P8", "P9", "P8", "P7"))
    report = validate(read_source(_source(tmp_path / "o", contacts=CONTACTS.split("\n")[0] + "\n" + rows)),
                      today=TODAY)
    assert [str(p) for p in report.errors] == [
        f"contacts.csv, {where}: practitioner_id '{p}' is not in practitioners.csv. Add the practitioner or "
        "correct the ID." for p, where in (("P8", "rows 2 and 4"), ("P9", "row 3"), ("P7", "row 5"))]


def test_rows_of_one_client_share_one_pseudonym_object(tmp_path):
    ds, _ = _load(_source(tmp_path / "p"))
    c1 = ds.contacts["client_id"].tolist()
    assert c1[0] == c1[1] == c1[3] != c1[2] and c1[0].startswith("c_")
    assert c1[0] is c1[1] is c1[3]  # one Python string for every row of client C1
    assert ds.contacts["practitioner_id"].iloc[0] is ds.contacts["practitioner_id"].iloc[3]


def test_pseudonymise_accepts_coded_columns_and_keeps_missing():
    ids = pd.Series(pd.Categorical(["C1", " C1", "C2", "C1"]))
    out = pseudonymise(ids, SECRET)
    plain = pseudonymise(pd.Series(["C1", "C2", None], dtype=object), SECRET)
    assert out.tolist() == [plain[0], plain[0], plain[1], plain[0]] and plain[2] is None


def test_coded_helpers_on_known_columns():
    col = as_categorical(pd.Series(["b", " a", "b", "", "a "], index=[2, 3, 4, 5, 6]))
    stripped = strip(col)
    assert list(stripped.cat.categories) == ["b", "a", ""]  # " a" and "a " merged, first appearance kept
    assert objects(stripped).tolist() == ["b", "a", "b", None, "a"]
    groups = rows_by_value(stripped.index, stripped, stripped != "")
    assert [(v, r.tolist()) for v, r in groups] == [("b", [2, 4]), ("a", [3, 6])]
    other = as_categorical(pd.Series(["a", "a", "b", "", "x"], index=col.index))
    assert same_values(stripped, other).tolist() == [False, True, True, True, False]
    assert list(compact(stripped[stripped != "b"]).cat.categories) == ["a", ""]


def test_workspace_round_trip_shares_strings_and_keeps_values(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(_source(tmp_path / "w"), name="pilot", today=TODAY)
    ds = ws.open("pilot")
    direct, _ = load_dataset(tmp_path / "w", secret=(tmp_path / "ws" / "secret.key").read_bytes(), today=TODAY)
    for table in ("agencies", "practitioners", "contacts", "cop_attendance"):
        pd.testing.assert_frame_equal(ds.table(table), direct.table(table), check_exact=True)
    c = ds.contacts["client_id"]
    assert c.iloc[0] is c.iloc[1]


# ---- the demo at medium and large scale: many COPs of realistic size ------------------------------

GROUPED = DemoScale(practitioners=600, clients=3000, agencies=40, cops=2, groups=4)


@pytest.fixture(scope="module")
def grouped(tmp_path_factory):
    folder = generate_demo(tmp_path_factory.mktemp("grouped"), seed=4, scale=GROUPED)
    att = pd.read_csv(folder / "cop_attendance.csv", dtype=str)
    prac = pd.read_csv(folder / "practitioners.csv", dtype=str, keep_default_na=False)
    return att, prac, json.loads((folder / "ground_truth.json").read_text())


def test_presets_give_about_ten_agencies_per_cop():
    for name in ("medium", "large"):
        s = SCALES[name]
        assert (s.cops, s.agencies // (s.cops * s.groups)) == (2, 10)
    assert SCALES["small"].groups == 1


def test_each_group_is_a_cop_meeting_monthly(grouped):
    att, _, truth = grouped
    assert len(truth["cops"]) == 8 and att["cop_name"].nunique() == 8
    sessions = att.drop_duplicates("session_id")
    assert sessions["session_id"].str.fullmatch(r"S\d{2}").all() and len(sessions) == 8 * 12
    assert (sessions.groupby("cop_name").size() == 12).all()
    assert (sessions.groupby(["cop_name", sessions["date"].str[:7]]).size() == 1).all()
    assert truth["scale_parameters"]["groups"] == 4
    assert "Multiple Disadvantage Community of Practice, group 1" in set(att["cop_name"])


def test_attendees_stay_in_their_agencys_cop(grouped):
    att, prac, truth = grouped
    cop_of = {a["practitioner_id"]: a["cop_name"] for a in truth["attendees"]}
    assert (att["practitioner_id"].map(cop_of) == att["cop_name"]).all()
    agency = dict(zip(prac["practitioner_id"], prac["agency_id"]))
    per_agency = att.assign(agency=att["practitioner_id"].map(agency)).groupby("agency")["cop_name"].nunique()
    assert (per_agency == 1).all()  # an agency belongs to one COP


def test_added_pairs_are_within_one_cop_and_across_agencies(grouped):
    _, prac, truth = grouped
    cop_of = {a["practitioner_id"]: a["cop_name"] for a in truth["attendees"]}
    agency = dict(zip(prac["practitioner_id"], prac["agency_id"]))
    pairs = truth["added_pairs"]
    assert len(pairs) == round(2.0 * len(truth["attendees"]) / 2)
    assert all(cop_of[a] == cop_of[b] and agency[a] != agency[b] for a, b in pairs)


def test_sessions_are_of_realistic_size(grouped):
    att, _, truth = grouped
    size = att.groupby("session_id").size()
    members = len(truth["attendees"]) / 8  # 180 attendees in 8 COPs
    assert 15 <= members <= 30 and 5 <= size.median() <= members


@pytest.mark.parametrize("groups, message", [
    (5, r"DemoScale.groups is 5; give a whole number from 1 to 4 \(each COP needs at least two of its "
        r"locality's 9 agencies\)"),
    (0, r"DemoScale.groups is 0; give a whole number from 1 to 4"),
    (1.5, r"DemoScale.groups is 1.5; give a whole number"),
])
def test_too_many_groups_are_refused(tmp_path, groups, message):
    with pytest.raises(InvalidInputError, match=message):
        generate_demo(tmp_path, scale=DemoScale(120, 200, 18, cops=2, groups=groups))
    assert not any(tmp_path.iterdir())


def test_one_group_leaves_the_ground_truth_unchanged(tmp_path):
    truth = json.loads((generate_demo(tmp_path, seed=1, scale=DemoScale(60, 200, 9)) / "ground_truth.json")
                       .read_text())
    assert truth["scale_parameters"] == {"agencies": 9, "clients": 200, "cops": 1, "practitioners": 60}
    assert [c["cop_name"] for c in truth["cops"]] == ["Multiple Disadvantage Community of Practice"]


def test_object_columns_are_not_copied_per_row():
    col = strip(as_categorical(pd.Series(["P1"] * 1000 + ["P2"] * 1000)))
    out = objects(col)
    assert len({id(x) for x in out}) == 2 and out.dtype == np.dtype(object)


def test_pseudonym_memo_hashes_an_id_once_across_tables():
    memo = {}
    first = pseudonymise(pd.Series(["C1", "C2"]), SECRET, memo=memo)
    memo["C1"] = "c_from_memo"  # a memo hit is used as is, never hashed again
    second = pseudonymise(pd.Series([" C1", "C3"]), SECRET, memo=memo)
    assert second.tolist() == ["c_from_memo", pseudonymise(pd.Series(["C3"]), SECRET).iloc[0]]
    assert first.iloc[1] == memo["C2"] and len(memo) == 3


def test_carriage_return_inside_the_header_is_a_file_problem(tmp_path):
    # Python's csv module refuses a lone "\r" in an unquoted field; before, its error escaped.
    with pytest.raises(InvalidInputError, match=r"agencies.csv, row 1: the header row cannot be read as CSV "
                                                r"\(new-line character seen in unquoted field"):
        read_source(_source(tmp_path / "r", agencies=b"agency_id\rx,name\nA1,X\n"))


def _many_blocks_csv(rows=120_000):
    """A contacts.csv of about 3 MB (several of the streaming reader's 1 MB blocks) whose IDs keep changing."""
    lines = [CONTACTS.split("\n")[0]]
    lines += [f"2024-01-{1 + i % 28:02d},P{1 + (i * 7) % 3},C{i // 3},,visit,{i % 90}" for i in range(rows)]
    lines.insert(rows // 2, '2024-01-10,P1,"C, quoted",,visit,5')  # a quote in a later block
    return ("\n".join(lines) + "\n").encode()


def test_stream_of_many_blocks_reads_like_the_reference_reader(tmp_path, monkeypatch):
    data = _many_blocks_csv()
    assert len(data) > 3 * (1 << 20)
    fast = read_source(_source(tmp_path / "f", contacts=data))["contacts"].frame
    monkeypatch.setattr(parse_module, "read_csv_arrow", lambda *a, **k: None)
    ref = read_source(_source(tmp_path / "r", contacts=data))["contacts"].frame
    pd.testing.assert_frame_equal(fast.astype(object), ref.astype(object), check_exact=True)
    # Categories in order of first appearance, across blocks, as the reference reader gives them.
    assert fast["client_id"].cat.categories.tolist() == ref["client_id"].cat.categories.tolist()


@pytest.mark.parametrize("fold", [1, 2])
def test_blocks_folded_in_groups_keep_order_of_first_appearance(monkeypatch, fold):
    """Arrow maps each group of blocks onto the texts seen so far: codes and order as a dict in file order."""
    import netdash.ingest.coded as coded_module

    monkeypatch.setattr(coded_module, "_FOLD_BLOCKS", fold)
    data = _many_blocks_csv()
    parsed = read_csv_arrow(lambda: io.BytesIO(data), delimiter=",", n_columns=6, quoted=True)
    rows = list(csv.reader(io.StringIO(data.decode())))
    for i, (codes, uniques) in enumerate(parsed):
        cells = [row[i] for row in rows]
        first_seen = list(dict.fromkeys(cells))
        assert uniques.tolist() == first_seen  # each text once, in order of first appearance
        assert uniques[codes].tolist() == cells


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_a_large_file_without_quotes_read_in_two_halves_as_in_one(tmp_path, monkeypatch, ending):
    """The halves parsed side by side give the codes and order of one pass (row by row as the csv module)."""
    import netdash.ingest.coded as coded_module

    data = _many_blocks_csv().replace(b'"C, quoted"', b"C quoted").replace(b"\n", ending.encode())
    path = tmp_path / "contacts.csv"
    path.write_bytes(data)
    split = []
    real = coded_module._read_part
    monkeypatch.setattr(coded_module, "_read_part", lambda fh, **k: split.append(fh) or real(fh, **k))
    monkeypatch.setattr(coded_module, "_SPLIT_MIN_BYTES", 1 << 20)
    halves = read_csv_arrow(lambda: open(path, "rb"), delimiter=",", n_columns=6, quoted=False)
    assert len(split) == 2
    monkeypatch.setattr(coded_module, "_SPLIT_MIN_BYTES", 1 << 40)
    whole = read_csv_arrow(lambda: open(path, "rb"), delimiter=",", n_columns=6, quoted=False)
    assert len(split) == 3
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    for i, ((codes, uniques), (codes_1, uniques_1)) in enumerate(zip(halves, whole)):
        assert uniques.tolist() == uniques_1.tolist() == list(dict.fromkeys(row[i] for row in rows))
        assert codes.tolist() == codes_1.tolist()


def test_stream_reads_from_an_opener_like_from_bytes():
    data = _many_blocks_csv(60_000)
    streamed = read_csv_arrow(lambda: io.BytesIO(data), delimiter=",", n_columns=6, quoted=True)
    whole = read_csv_arrow(data, delimiter=",", n_columns=6)
    for (c1, u1), (c2, u2) in zip(streamed, whole):
        assert u1[c1].tolist() == u2[c2].tolist()


def test_a_folder_csv_is_read_as_a_stream_not_whole(tmp_path, monkeypatch):
    """read_source hands parse_csv the path: the file's bytes are never read in one piece."""
    folder = _source(tmp_path / "s", contacts=_many_blocks_csv())
    biggest = []
    real_open = open

    class Watched:
        def __init__(self, fh):
            self.fh = fh

        def read(self, n=-1):
            block = self.fh.read(n)
            biggest.append(len(block) if n is None or n < 0 else 0)
            return block

        def __getattr__(self, name):
            return getattr(self.fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    def watched_open(path, mode="r", *args, **kwargs):
        fh = real_open(path, mode, *args, **kwargs)
        return Watched(fh) if "b" in mode and str(path).endswith("contacts.csv") else fh

    monkeypatch.setattr("builtins.open", watched_open)
    monkeypatch.setattr("pathlib.Path.read_bytes", lambda self: pytest.fail(f"{self.name} read whole"))
    ds, _ = load_dataset(folder, secret=SECRET, today=TODAY)
    assert len(ds.contacts) == 120_001
    assert biggest and max(biggest) == 0  # every read asked for a block, none for the whole file


def test_the_analysis_codes_the_log_from_the_importers_codes_as_from_the_rows(tmp_path):
    """Self-contacts (partner cleared, one row dropped) included: the coded log and the direction note
    are the same whether the importer's codes are used or every row is hashed again (issue 19)."""
    import dataclasses

    from netdash.ingest.options import direction_evidence
    from netdash.networks.codes import coded_log

    ds, report = _load(_source(tmp_path / "src"))
    assert len(ds.contacts) == 4 and ds.contacts["with_practitioner_id"].isna().sum() == 2
    kept = [key[1:] for key in ds.memo.keys()]
    assert ("contacts", "with_practitioner_id") in kept and ("contacts", "client_id") in kept
    fast = coded_log(ds)
    assert not any(key[0] == "netdash.dataset column codes" for key in ds.memo.keys()
                   if key[1:] != ("cop_attendance", "cop_name"))  # each used once, then let go
    slow = coded_log(dataclasses.replace(ds))  # the same tables in a new object: no codes, rows hashed
    for f in dataclasses.fields(fast):
        a, b = getattr(fast, f.name), getattr(slow, f.name)
        assert a.dtype == b.dtype and a.tolist() == b.tolist(), f.name
    assert fast.colleague.tolist() == [-1, 0, 1, -1]  # P1 (self-contact cleared), P2
    note = direction_evidence(ds.contacts, directed=True)
    assert [p.message for p in report.notes] == [note.message]
    assert "100% of colleague pairs (2 of 2)" in note.message


def test_blank_mask_strips_as_str_strip_does():
    from netdash.ingest.coded import as_categorical, blank_mask

    texts = ["", " ", "\t\n", "\x1c\x1f", "\u00a0", "\u2003 ", "\u200b", " a ", "a", "\x00"]
    series = as_categorical(pd.Series(texts * 2))
    assert blank_mask(series).tolist() == [t.strip() == "" for t in texts * 2]


def test_blank_rows_are_blank_in_every_column():
    from netdash.ingest.coded import as_categorical, blank_rows

    a = as_categorical(pd.Series(["", " x", "\t", ""]))
    b = as_categorical(pd.Series([" ", "", "y", ""]))
    full = as_categorical(pd.Series(["p", "q", "r", "s"]))  # no blank value: no row can be blank
    assert blank_rows([a, b], 4).tolist() == [True, False, False, True]
    assert blank_rows([a, full, b], 4).tolist() == [False] * 4
