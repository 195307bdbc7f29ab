"""Bad copies of the real pinned files, fed to the real loaders: a clear error or an explicit count.

Each case builds a broken copy of a pinned file (``sources.raw_path``) in ``tmp_path`` and calls
the loader with ``path=``. The contract: an error naming the file, the row or field, and the
fix (all three asserted), or the rows counted under an explicit "Unattributed" category that a
notebook prints; never a silent drop. Expected rows, fields and totals are computed here from
the raw bytes with csv/json, not with the loaders.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pytest

from modelrace import attribution, hubstats, load, shares, sources
from modelrace.validate import InputError

TODAY = "2026-10-10"  # the pinned OpenRouter vintage's access date: "today" for the date bound
ROW = 3  # the 0-based data row each case breaks (CSV line ROW + 2, JSON record ROW)
UNKNOWN_ORG = "zz-unknown-org"


@dataclass(frozen=True)
class Loader:
    key: str
    label: str
    source_id: str
    fmt: str  # "csv" or "json"
    load: Callable[[Path], pd.DataFrame]
    count_field: str  # upstream name of a count column
    key_fields: tuple[str, ...]  # upstream names of the unique key
    date_field: str | None = None
    date_bounds: str = ""  # the bounds the message states, as the loader declares them


LOADERS = [
    Loader("openrouter_rankings", "OpenRouter rankings CSV (load.openrouter_rankings)", "openrouter_rankings_daily",
           "csv", lambda p: load.openrouter_rankings(path=p, today=TODAY), "total_tokens", ("date", "model_permaslug"),
           "date", f"2025-01-01 → {TODAY}"),
    Loader("aiworld_top100", "aiWorld top-100 CSV (load.aiworld_top100)", "aiworld_top100_2025", "csv",
           lambda p: load.aiworld_top100("2025-12", path=p), "Total Value", ("Name",)),
    Loader("aiworld_org_weeks", "aiWorld weekly JSON (load.aiworld_org_weeks)", "aiworld_org_weeks_2025", "json",
           lambda p: load.aiworld_org_weeks("2025", path=p), "downloads_week", ("id", "week_date"),
           "week_date", "2015-01-01 → …"),
]
BY_KEY = {ld.key: ld for ld in LOADERS}


# --------------------------------------------------------------------------- reading/writing copies


class Copy:
    """A pinned file as editable records (CSV: header + rows of strings; JSON: list of dicts)."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.src = sources.raw_path(loader.source_id)
        text = self.src.read_text(encoding="utf-8")
        if loader.fmt == "csv":
            rows = list(csv.reader(io.StringIO(text, newline="")))
            self.header, self.rows = rows[0], rows[1:]
            assert not any("\n" in f for r in self.rows[: ROW + 1] for f in r), "line numbers need one-line records"
        else:
            self.records = json.loads(text)

    def col(self, name: str) -> int:
        return self.header.index(name)

    def set(self, index: int, field: str, value: Any) -> None:
        if self.loader.fmt == "csv":
            self.rows[index][self.col(field)] = str(value)
        else:
            self.records[index][field] = value

    def get(self, index: int, field: str) -> Any:
        return self.rows[index][self.col(field)] if self.loader.fmt == "csv" else self.records[index][field]

    def drop_field(self, field: str) -> None:
        if self.loader.fmt == "csv":
            i = self.col(field)
            self.header.pop(i)
            for r in self.rows:
                r.pop(i)
        else:
            for r in self.records:
                del r[field]

    def rename_field(self, field: str, new: str) -> None:
        if self.loader.fmt == "csv":
            self.header[self.col(field)] = new
        else:
            self.records = [{(new if k == field else k): v for k, v in r.items()} for r in self.records]

    def append_copy(self, index: int) -> int:
        """Repeat record ``index`` at the end; return the new record's index."""
        if self.loader.fmt == "csv":
            self.rows.append(list(self.rows[index]))
            return len(self.rows) - 1
        self.records.append(dict(self.records[index]))
        return len(self.records) - 1

    def write(self, dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if self.loader.fmt == "csv":
            with open(dest, "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(self.header)
                w.writerows(self.rows)
        else:
            dest.write_text(json.dumps(self.records, indent=1), encoding="utf-8")
        return dest


def where(loader: Loader, index: int) -> str:
    """How the loaders name a row: CSV line (header = line 1), JSON record index."""
    return f"line {index + 2}" if loader.fmt == "csv" else f"record {index}"


def bad_path(tmp_path: Path, loader: Loader) -> Path:
    return tmp_path / "bad" / sources.raw_path(loader.source_id).name


def assert_clear(exc: BaseException, *, file: Path | str, row_or_field: list[str], fix: str) -> None:
    msg = str(exc)
    assert str(file) in msg, f"the message does not name the file {file}: {msg}"
    for part in row_or_field:
        assert part in msg, f"the message does not name {part!r}: {msg}"
    assert re.search(fix, msg), f"the message gives no fix matching {fix!r}: {msg}"


KEPT_INPUT = "bad copy untouched; no frame returned (nothing loaded)"


# --------------------------------------------------------------------------- wrong checksum (mirror)


@pytest.mark.parametrize("loader", LOADERS, ids=lambda ld: ld.key)
def test_mirror_file_with_wrong_checksum(loader: Loader, tmp_path, outcome):
    outcome.declare("input", 1, "mirror file with a wrong checksum", loader.label)
    src = sources.get(loader.source_id)
    mirror = tmp_path / "mirror"
    bad = mirror / src.mirror_relpath
    bad.parent.mkdir(parents=True)
    data = sources.raw_path(loader.source_id).read_bytes()
    bad.write_bytes(data.replace(b"1", b"7", 1))  # one digit changed: same size, different bytes
    got = hashlib.sha256(bad.read_bytes()).hexdigest()
    assert got != src.sha256
    raw = tmp_path / "raw"
    with pytest.raises(sources.ChecksumError) as err:
        sources.materialize(loader.source_id, raw_dir=raw, mirror=mirror, progressbar=False)
    assert_clear(err.value, file=src.path, row_or_field=[f"expected sha256 {src.sha256}", f"got {got}", str(bad)],
                 fix=r"Restore the original file in the mirror")
    written = [p for p in raw.rglob("*") if p.is_file()]
    assert written == [], f"a file that failed its checksum was kept: {written}"
    outcome.result(outcome.error(err.value), "no file written to the raw directory")


# --------------------------------------------------------------------------- schema


@pytest.mark.parametrize("loader", LOADERS, ids=lambda ld: ld.key)
def test_missing_column(loader: Loader, tmp_path, outcome):
    outcome.declare("input", 2, f"missing column", loader.label)
    copy = Copy(loader)
    copy.drop_field(loader.count_field)
    path = copy.write(bad_path(tmp_path, loader))
    with pytest.raises(InputError) as err:
        loader.load(path)
    assert_clear(err.value, file=path, row_or_field=[f"missing column(s) [{loader.count_field!r}]"],
                 fix=r"fix the file or update the loader's declared columns")
    outcome.result(outcome.error(err.value), KEPT_INPUT)


@pytest.mark.parametrize("loader", LOADERS, ids=lambda ld: ld.key)
def test_renamed_column(loader: Loader, tmp_path, outcome):
    outcome.declare("input", 3, "renamed column", loader.label)
    copy = Copy(loader)
    new = f"{loader.count_field}_v2"
    copy.rename_field(loader.count_field, new)
    path = copy.write(bad_path(tmp_path, loader))
    with pytest.raises(InputError) as err:
        loader.load(path)
    # the field that is missing, and the new name among those found, so the rename is visible
    assert_clear(err.value, file=path, row_or_field=[repr(loader.count_field), new],
                 fix=r"a column\s+was renamed: fix the file or update the loader's declared columns")
    outcome.result(outcome.error(err.value), KEPT_INPUT)


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("loader", LOADERS, ids=lambda ld: ld.key)
def test_negative_count(loader: Loader, tmp_path, outcome):
    outcome.declare("input", 4, "negative count", loader.label)
    copy = Copy(loader)
    copy.set(ROW, loader.count_field, -5)
    path = copy.write(bad_path(tmp_path, loader))
    with pytest.raises(InputError) as err:
        loader.load(path)
    assert_clear(err.value, file=path, row_or_field=[where(loader, ROW), f"field {loader.count_field!r}", "'-5'"],
                 fix=r"counts cannot be negative: fix the row upstream")
    outcome.result(outcome.error(err.value), KEPT_INPUT)


@pytest.mark.parametrize("loader", LOADERS, ids=lambda ld: ld.key)
def test_non_numeric_count(loader: Loader, tmp_path, outcome):
    outcome.declare("input", 5, "non-numeric count", loader.label)
    copy = Copy(loader)
    copy.set(ROW, loader.count_field, "12x")
    path = copy.write(bad_path(tmp_path, loader))
    with pytest.raises(InputError) as err:
        loader.load(path)
    assert_clear(err.value, file=path, row_or_field=[where(loader, ROW), f"field {loader.count_field!r}", "'12x'"],
                 fix=r"fix the row upstream or restore the file")
    outcome.result(outcome.error(err.value), KEPT_INPUT)


@pytest.mark.parametrize("loader", LOADERS, ids=lambda ld: ld.key)
def test_duplicate_ids(loader: Loader, tmp_path, outcome):
    outcome.declare("input", 6, "duplicate model ids (a row repeated)", loader.label)
    copy = Copy(loader)
    again = copy.append_copy(ROW)
    path = copy.write(bad_path(tmp_path, loader))
    with pytest.raises(InputError) as err:
        loader.load(path)
    assert_clear(err.value, file=path, row_or_field=[where(loader, ROW), where(loader, again)],
                 fix=r"remove the repeated rows upstream")
    outcome.result(outcome.error(err.value), KEPT_INPUT)


@pytest.mark.parametrize("loader", LOADERS, ids=lambda ld: ld.key)
def test_empty_file(loader: Loader, tmp_path, outcome):
    """An empty file has no row to name: the file, what is wrong with it (empty, line 1) and the fix."""
    outcome.declare("input", 7, "empty file (0 bytes)", loader.label)
    path = bad_path(tmp_path, loader)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    with pytest.raises(InputError) as err:
        loader.load(path)
    what = ["the file is empty"] if loader.fmt == "csv" else ["invalid JSON at line 1 column 1"]
    assert_clear(err.value, file=path, row_or_field=what, fix=r"restore it \(run `make data`\)")
    outcome.result(outcome.error(err.value), KEPT_INPUT)


@pytest.mark.parametrize("loader", [ld for ld in LOADERS if ld.date_field], ids=lambda ld: ld.key)
def test_date_out_of_range(loader: Loader, tmp_path, outcome):
    outcome.declare("input", 9, "date out of range", loader.label)
    copy = Copy(loader)
    early = "2024-06-01" if loader.key == "openrouter_rankings" else "1999-01-06"
    copy.set(ROW, loader.date_field, early)
    path = copy.write(bad_path(tmp_path, loader))
    with pytest.raises(InputError) as err:
        loader.load(path)
    assert_clear(err.value, file=path, row_or_field=[where(loader, ROW), f"field {loader.date_field!r}", early,
                                                     loader.date_bounds],
                 fix=r"check the file's vintage")
    outcome.result(outcome.error(err.value), KEPT_INPUT)


def test_date_in_the_future_openrouter(tmp_path, outcome):
    """A day after the vintage's access date cannot be real data."""
    loader = BY_KEY["openrouter_rankings"]
    outcome.declare("input", 10, "date after the file's access date", loader.label)
    copy = Copy(loader)
    copy.set(ROW, "date", "2027-01-01")
    path = copy.write(bad_path(tmp_path, loader))
    with pytest.raises(InputError) as err:
        loader.load(path)
    assert_clear(err.value, file=path, row_or_field=[where(loader, ROW), "field 'date'", "2027-01-01", TODAY],
                 fix=r"check the file's vintage")
    outcome.result(outcome.error(err.value), KEPT_INPUT)


# --------------------------------------------------------------------------- unknown organisation


def _tokens_by_slug(path: Path) -> tuple[Counter, Counter]:
    tokens, rows = Counter(), Counter()
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            tokens[r["model_permaslug"]] += int(r["total_tokens"])
            rows[r["model_permaslug"]] += 1
    return tokens, rows


def _unattributed_tokens(path: Path) -> tuple[int, int, pd.DataFrame]:
    attributed = attribution.attribute_openrouter(load.openrouter_rankings(path=path, today=TODAY))
    daily = shares.daily_by_category(attributed)  # the table every share (and notebook 01) derives from
    un = int(daily.loc[daily["status"] == shares.UNATTRIBUTED, "tokens"].sum())
    _, listed = shares.attribution_coverage(attributed, n=10)  # what notebook 01 prints
    return un, int(daily["tokens"].sum()), listed


def test_unknown_organisation_openrouter_is_counted_unattributed(tmp_path, outcome):
    loader = BY_KEY["openrouter_rankings"]
    outcome.declare("input", 8, "unknown organisation", loader.label)
    tokens, rows = _tokens_by_slug(sources.raw_path(loader.source_id))
    slug = next(s for s, _ in tokens.most_common() if s != "other")  # the largest model, surely attributed
    mystery = f"{UNKNOWN_ORG}/mystery-model"
    assert mystery not in tokens
    copy = Copy(loader)
    i = copy.col("model_permaslug")
    for r in copy.rows:
        if r[i] == slug:
            r[i] = mystery
    path = copy.write(bad_path(tmp_path, loader))

    base_un, base_total, _ = _unattributed_tokens(sources.raw_path(loader.source_id))
    un, total, listed = _unattributed_tokens(path)
    assert total == base_total == sum(tokens.values()), "tokens were lost or invented"
    assert un - base_un == tokens[slug], "the unknown organisation's tokens are not all under Unattributed"
    assert mystery in set(listed["model_permaslug"]), "notebook 01's unattributed table does not show it"
    assert int(listed.loc[listed["model_permaslug"] == mystery, "tokens"].iloc[0]) == tokens[slug]
    outcome.result(
        f"counted as unattributed: {rows[slug]} rows, {tokens[slug]:,} tokens under 'Unattributed' "
        "(attribution.attribute_openrouter → shares.daily_by_category; listed by shares.attribution_coverage)",
        "every row kept; token total unchanged")


def test_unknown_organisation_aiworld_top100_is_counted_unattributed(tmp_path, outcome):
    loader = BY_KEY["aiworld_top100"]
    outcome.declare("input", 8, "unknown organisation", loader.label)
    copy = Copy(loader)
    name = copy.get(ROW, "Name")
    renamed = f"{UNKNOWN_ORG}/{name.split('/', 1)[1]}"
    copy.set(ROW, "Name", renamed)
    copy.set(ROW, "parent1", UNKNOWN_ORG)
    copy.set(ROW, "derived_author", UNKNOWN_ORG)
    downloads = int(copy.get(ROW, "Total Value"))
    total = sum(int(r[copy.col("Total Value")]) for r in copy.rows)
    path = copy.write(bad_path(tmp_path, loader))

    def by_group(p: Path) -> dict[str, int]:
        att = attribution.attribute_hub(loader.load(p), view="uploader")
        assert len(att) == len(copy.rows)
        table = hubstats.share_by_group(att, "group", value_col="downloads")
        return dict(zip(table["group"], table["downloads"]))

    base = by_group(sources.raw_path(loader.source_id))
    got = by_group(path)
    assert sum(got.values()) == total == sum(base.values())
    assert got.get(attribution.UNATTRIBUTED, 0) - base.get(attribution.UNATTRIBUTED, 0) == downloads
    outcome.result(
        f"counted as unattributed: model {renamed} ({downloads:,} downloads) in group 'Unattributed' "
        "(attribution.attribute_hub → hubstats.share_by_group)",
        "all 100 rows kept; download total unchanged")


def test_unknown_organisation_aiworld_weeks_is_a_clear_error(tmp_path, outcome):
    """A lab id our reference table does not know stops the lab/region join, naming table, id and fix."""
    loader = BY_KEY["aiworld_org_weeks"]
    outcome.declare("input", 8, "unknown organisation", loader.label)
    copy = Copy(loader)
    old = copy.records[ROW]["id"]
    changed = [i for i, r in enumerate(copy.records) if r["id"] == old]
    for i in changed:
        copy.records[i]["id"] = "Mystery Lab"
    path = copy.write(bad_path(tmp_path, loader))
    orgs = json.loads(sources.raw_path("aiworld_orgs_2025").read_text())
    orgs.append({"id": "Mystery Lab", "company": True, "region": "China"})  # same-vintage orgs file knows it
    orgs_path = tmp_path / "bad" / "orgs_test.json"
    orgs_path.write_text(json.dumps(orgs))
    weeks = loader.load(path)
    assert len(weeks) == len(copy.records)  # the loader keeps every record; the join must not drop them
    with pytest.raises(InputError) as err:
        hubstats.lab_regions(load.aiworld_orgs("2025", path=orgs_path), attribution.load_aiworld_labs(),
                             attribution.load_labs(), weeks)
    assert_clear(err.value, file="data/reference/aiworld_labs.csv", row_or_field=["'Mystery Lab'"], fix=r"add them")
    outcome.result(outcome.error(err.value), f"{len(changed)} records loaded, none dropped; no share computed")
