"""Declared schemas for tabular inputs, and errors that say which file, row and field, and the fix.

Why: a malformed upstream row must stop the run with a message a researcher can act on, never
be dropped or coerced silently. Every loader declares its columns once (:class:`Column`) and
calls :func:`conform`, which checks presence, parses types exactly, and reports the first bad
rows by their line in the file (header = line 1 for CSV; record index for JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


class InputError(ValueError):
    """Raised for bad input files; the message names file, row or field, and the fix."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "str", "int", "float", "date", "datetime", "bool"
    required: bool = True  # must be present as a column
    nullable: bool = False  # may hold empty values
    min_value: float | None = None  # for numbers: smallest allowed value
    source_name: str | None = None  # name in the upstream file, if it differs
    date_min: str | None = None
    date_max: str | None = None

    @property
    def upstream(self) -> str:
        return self.source_name or self.name


def _rows_label(idx: pd.Index, *, json_records: bool) -> str:
    shown = [int(i) for i in idx[:5]]
    if json_records:
        where = ", ".join(f"record {i}" for i in shown)
    else:
        where = ", ".join(f"line {i + 2}" for i in shown)  # +1 for 0-based, +1 for the header
    more = f" and {len(idx) - 5} more" if len(idx) > 5 else ""
    return where + more


def conform(
    df: pd.DataFrame,
    columns: list[Column],
    *,
    file: str | Path,
    unique: tuple[str, ...] | None = None,
    json_records: bool = False,
    allow_empty: bool = False,
    keep_extra: bool = False,
) -> pd.DataFrame:
    """Return ``df`` with the declared columns renamed and typed, or raise :class:`InputError`."""
    file = str(file)
    if df.empty and not allow_empty:
        raise InputError(f"{file}: the file has no data rows; restore it from the mirror or re-run `make data`")
    missing = [c.upstream for c in columns if c.required and c.upstream not in df.columns]
    if missing:
        have = ", ".join(map(str, df.columns[:20]))
        raise InputError(
            f"{file}: missing column(s) {missing}; found [{have}]. The upstream format changed or a column "
            "was renamed: fix the file or update the loader's declared columns"
        )
    out = {}
    for col in columns:
        if col.upstream not in df.columns:
            out[col.name] = pd.Series(pd.NA, index=df.index, dtype="string")
            continue
        raw = df[col.upstream]
        out[col.name] = _parse(raw, col, file=file, json_records=json_records)
    result = pd.DataFrame(out, index=df.index)
    if keep_extra:
        extra = [c for c in df.columns if c not in {col.upstream for col in columns}]
        result = pd.concat([result, df[extra]], axis=1)
    if unique:
        dup = result.duplicated(list(unique), keep=False)
        if dup.any():
            sample = result.loc[dup, list(unique)].head(3).to_dict("records")
            raise InputError(
                f"{file}: duplicate {'/'.join(unique)} at {_rows_label(result.index[dup], json_records=json_records)} "
                f"(e.g. {sample}); each must appear once: remove the repeated rows upstream or pin a clean vintage"
            )
    return result.reset_index(drop=True)


def _parse(raw: pd.Series, col: Column, *, file: str, json_records: bool) -> pd.Series:
    empty = raw.isna() | (raw.astype("string").str.strip() == "")
    if empty.any() and not col.nullable:
        raise InputError(
            f"{file}: empty value in field {col.upstream!r} at {_rows_label(raw.index[empty], json_records=json_records)}; "
            "fill it or remove the row upstream"
        )
    if col.kind == "str":
        return raw.astype("string").str.strip().mask(empty)
    if col.kind in ("int", "float"):
        if pd.api.types.is_integer_dtype(raw.dtype) or (col.kind == "float" and pd.api.types.is_float_dtype(raw.dtype)):
            values = raw
            bad = pd.Series(False, index=raw.index)
        elif col.kind == "int":
            text = raw.astype("string").str.strip()
            bad = ~text.str.fullmatch(r"[+-]?\d+").fillna(False) & ~empty
            values = None
        else:
            values = pd.to_numeric(raw.astype("string").str.strip(), errors="coerce")
            bad = values.isna() & ~empty
        if bad.any():
            sample = raw[bad].astype(str).head(3).tolist()
            raise InputError(
                f"{file}: non-numeric value(s) {sample} in field {col.upstream!r} at "
                f"{_rows_label(raw.index[bad], json_records=json_records)}; expected {'an integer' if col.kind == 'int' else 'a number'}: "
                "fix the row upstream or restore the file (`make data`)"
            )
        if values is None:  # exact integers from text, not through float64 (token counts exceed 2**53)
            values = pd.Series(
                pd.array([int(t) if isinstance(t, str) else pd.NA for t in text.mask(empty).tolist()], dtype="Int64"),
                index=raw.index,
            )
        if col.min_value is not None:
            below = values.notna() & (values < col.min_value)
            if below.any():
                sample = raw[below].astype(str).head(3).tolist()
                raise InputError(
                    f"{file}: value(s) {sample} below {col.min_value} in field {col.upstream!r} at "
                    f"{_rows_label(raw.index[below], json_records=json_records)}; counts cannot be negative: fix the row upstream"
                )
        if col.kind == "int":
            return values.astype("Int64") if col.nullable else values.astype("int64")
        return values.astype("float64")
    if col.kind in ("date", "datetime"):
        parsed = pd.to_datetime(raw.astype("string").str.strip(), errors="coerce", utc=col.kind == "datetime")
        bad = parsed.isna() & ~empty
        if bad.any():
            sample = raw[bad].astype(str).head(3).tolist()
            raise InputError(
                f"{file}: unparseable date(s) {sample} in field {col.upstream!r} at "
                f"{_rows_label(raw.index[bad], json_records=json_records)}; use ISO 8601 (YYYY-MM-DD)"
            )
        naive = parsed.dt.tz_convert(None) if col.kind == "datetime" else parsed
        for bound, cmp in ((col.date_min, naive < pd.Timestamp(col.date_min or "1900")), (col.date_max, naive > pd.Timestamp(col.date_max or "2100"))):
            if bound is not None and cmp.any():
                sample = raw[cmp].astype(str).head(3).tolist()
                raise InputError(
                    f"{file}: date(s) {sample} in field {col.upstream!r} at {_rows_label(raw.index[cmp], json_records=json_records)} "
                    f"are outside {col.date_min or '…'} → {col.date_max or '…'}; check the file's vintage"
                )
        if col.kind == "date":
            return parsed.astype("datetime64[ns]")
        return parsed
    if col.kind == "bool":
        mapping = {"true": True, "false": False, "1": True, "0": False}
        s = raw.astype("string").str.strip().str.lower()
        bad = ~s.isin(list(mapping)) & ~empty
        if bad.any():
            raise InputError(
                f"{file}: non-boolean value(s) in field {col.upstream!r} at "
                f"{_rows_label(raw.index[bad], json_records=json_records)}; use true/false"
            )
        return s.map(mapping).astype("boolean")
    raise ValueError(f"unknown column kind {col.kind!r}")


def read_exact_csv(path: Path | str, columns: tuple[str, ...], *, error: type[Exception] = InputError) -> pd.DataFrame:
    """A hand-written reference table, all text: exactly ``columns`` in that order, or ``error``
    naming the file and what to do (a missing file is restored from git, never guessed)."""
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise error(f"{path}: missing; restore {path.parent.name}/{path.name} from git") from None
    if tuple(df.columns) != tuple(columns):
        raise error(f"{path}: columns {list(df.columns)}; expected exactly {list(columns)}")
    return df


def iso_date(name: str, value) -> pd.Timestamp:
    """A notebook parameter read as an ISO date; a bad value is an error naming the parameter."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = None
    if ts is None or pd.isna(ts):
        raise ValueError(f"parameter {name}={value!r} is not an ISO date (YYYY-MM-DD)")
    return ts
