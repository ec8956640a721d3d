"""Regencies, cities and sectors as data: read and check CSV files, then load them idempotently.

The data migration ``expo/0002_regions_and_sectors`` loads Central Java and the sectors from
``expo/data/``; ``manage.py load_regions FILE.csv`` loads another province's list. Both go through
:func:`read_regions` (which checks every row and reports every bad line) and :func:`load_regions`
(``update_or_create`` by code), so a file is either loaded whole or not at all.

The loaders take the model class as an argument so that a migration can pass its historical model;
this module imports no model at import time.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

DATA_DIR = Path(__file__).resolve().parent / "data"
CENTRAL_JAVA_CSV = DATA_DIR / "regions_jawa_tengah.csv"
SECTORS_CSV = DATA_DIR / "sectors.csv"

REGION_COLUMNS = ("province", "code", "name", "kind")
SECTOR_COLUMNS = ("slug", "name_en", "name_id", "icon", "position")
KINDS = ("kabupaten", "kota")
# Kemendagri codes: two digits for the province, a dot, two digits for the regency or city.
# Regencies are numbered 01–70 and cities from 71 up (e.g. 33.01 Cilacap, 33.74 Kota Semarang).
CODE_RE = re.compile(r"^(\d{2})\.(\d{2})$")
FIRST_CITY_NUMBER = 71
NAME_PREFIXES = ("kabupaten ", "kab. ", "kab ", "kota ")
MAX_ROWS = 1000
# Field lengths of expo.models.Region / Sector.
MAX_LENGTHS = {"province": 100, "name": 100, "slug": 50, "name_en": 80, "name_id": 80, "icon": 8}


class RegionFileError(ValueError):
    """A file that cannot be loaded; ``errors`` lists every problem, one line each."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class RegionRow:
    line: int
    province: str
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class SectorRow:
    line: int
    slug: str
    name_en: str
    name_id: str
    icon: str
    position: int


@dataclass(frozen=True)
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# --- Reading -------------------------------------------------------------------------------------


def _open_text(source: Path | str | TextIO) -> str:
    if hasattr(source, "read"):
        text = source.read()  # type: ignore[union-attr]
        if isinstance(text, bytes):
            text = _decode(text)
        return text
    path = Path(source)
    if not path.exists():
        raise RegionFileError([f"{path}: no such file"])
    if not path.is_file():
        raise RegionFileError([f"{path}: not a file"])
    return _decode(path.read_bytes())


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegionFileError(
            [f"the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"]
        ) from None


def _rows(
    text: str, columns: tuple[str, ...], *, required: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """Data rows as (line number, {column: stripped value}); header and row shape checked."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise RegionFileError(["the file is empty"]) from None
    except csv.Error as exc:
        raise RegionFileError([f"line 1: {exc}"]) from None
    header = [cell.strip().lower() for cell in header]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in columns]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    problems = []
    if missing:
        problems.append(f"line 1: missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"line 1: unknown column(s) {', '.join(unknown)}")
    if duplicated:
        problems.append(f"line 1: repeated column(s) {', '.join(duplicated)}")
    if problems:
        problems.append(f"line 1: the header must be: {','.join(columns)}")
        raise RegionFileError(problems)

    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[str] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            if len(cells) != len(header):
                errors.append(
                    f"line {line}: expected {len(header)} values ({','.join(header)}), "
                    f"found {len(cells)}"
                )
                continue
            rows.append((line, {c: v.strip() for c, v in zip(header, cells, strict=True)}))
            if len(rows) > MAX_ROWS:
                raise RegionFileError([f"line {line}: more than {MAX_ROWS} rows; split the file"])
    except csv.Error as exc:
        errors.append(f"line {reader.line_num}: {exc}")
    if errors:
        raise RegionFileError(errors)
    if not rows:
        raise RegionFileError(["the file has a header but no rows"])
    return rows


def _too_long(line: int, values: dict[str, str], fields: Iterable[str]) -> list[str]:
    return [
        f"line {line}: {f} is longer than {MAX_LENGTHS[f]} characters"
        for f in fields
        if len(values.get(f, "")) > MAX_LENGTHS[f]
    ]


def read_regions(source: Path | str | TextIO) -> list[RegionRow]:
    """Read and check a regions CSV (columns province,code,name,kind).

    Raises :class:`RegionFileError` listing every bad line; returns the rows when all are good.
    Long because it is one pass of checks over each line (code, name, kind, duplicates, province
    prefix) whose messages quote the line; split, the same state would travel between pieces.
    """
    rows = _rows(_open_text(source), REGION_COLUMNS, required=REGION_COLUMNS)
    errors: list[str] = []
    result: list[RegionRow] = []
    seen_codes: dict[str, int] = {}
    seen_names: dict[tuple[str, str, str], int] = {}
    province_prefix: dict[str, tuple[str, int]] = {}
    for line, values in rows:
        province, code, name = values["province"], values["code"], values["name"]
        kind = values["kind"].lower()
        row_errors = []
        for column in REGION_COLUMNS:
            if not values[column]:
                row_errors.append(f"line {line}: {column} is empty")
        row_errors += _too_long(line, values, ("province", "name"))
        match = CODE_RE.match(code)
        if code and not match:
            row_errors.append(
                f"line {line}: code {code!r} is not a Kemendagri code like 33.01 "
                "(two digits, a dot, two digits)"
            )
        if values["kind"] and kind not in KINDS:
            row_errors.append(
                f"line {line}: kind {values['kind']!r} must be 'kabupaten' (regency) or 'kota' (city)"
            )
        if name.lower().startswith(NAME_PREFIXES):
            row_errors.append(
                f"line {line}: write the name without 'Kabupaten'/'Kab.'/'Kota' "
                f"({name!r}); the kind column says which it is"
            )
        if match and kind in KINDS:
            number = int(match.group(2))
            if number == 0:
                row_errors.append(f"line {line}: code {code} is the province's own code")
            elif kind == "kota" and number < FIRST_CITY_NUMBER:
                row_errors.append(
                    f"line {line}: code {code} is a regency code (01–70) but kind is 'kota'"
                )
            elif kind == "kabupaten" and number >= FIRST_CITY_NUMBER:
                row_errors.append(
                    f"line {line}: code {code} is a city code (71 and up) but kind is 'kabupaten'"
                )
        if match and province:
            prefix = match.group(1)
            first = province_prefix.setdefault(province, (prefix, line))
            if first[0] != prefix:
                row_errors.append(
                    f"line {line}: code {code} does not start with {first[0]}, "
                    f"the code of {province} on line {first[1]}"
                )
        if code in seen_codes:
            row_errors.append(
                f"line {line}: code {code} is already used on line {seen_codes[code]}"
            )
        key = (province, name.lower(), kind)
        if name and key in seen_names:
            row_errors.append(
                f"line {line}: {kind} {name} of {province} is already listed on line {seen_names[key]}"
            )
        if row_errors:
            errors += row_errors
            continue
        seen_codes[code] = line
        seen_names[key] = line
        result.append(RegionRow(line, province, code, name, kind))
    if errors:
        raise RegionFileError(errors)
    return result


def read_sectors(source: Path | str | TextIO = SECTORS_CSV) -> list[SectorRow]:
    """Read and check a sectors CSV (columns slug,name_en,name_id,icon,position)."""
    rows = _rows(_open_text(source), SECTOR_COLUMNS, required=("slug", "name_en", "name_id"))
    errors: list[str] = []
    result: list[SectorRow] = []
    seen: dict[str, int] = {}
    for index, (line, values) in enumerate(rows):
        slug = values["slug"]
        row_errors = [
            f"line {line}: {c} is empty" for c in ("slug", "name_en", "name_id") if not values[c]
        ]
        row_errors += _too_long(line, values, ("slug", "name_en", "name_id", "icon"))
        if slug and not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
            row_errors.append(f"line {line}: slug {slug!r} may hold only a-z, 0-9 and dashes")
        if slug in seen:
            row_errors.append(f"line {line}: slug {slug} is already used on line {seen[slug]}")
        position_text = values.get("position", "")
        position = (index + 1) * 10
        if position_text:
            if not position_text.isdigit() or int(position_text) > 32767:
                row_errors.append(f"line {line}: position {position_text!r} is not a number")
            else:
                position = int(position_text)
        if row_errors:
            errors += row_errors
            continue
        seen[slug] = line
        result.append(
            SectorRow(
                line, slug, values["name_en"], values["name_id"], values.get("icon", ""), position
            )
        )
    if errors:
        raise RegionFileError(errors)
    return result


# --- Loading -------------------------------------------------------------------------------------


def _region_model(model: Any) -> Any:
    if model is None:
        from expo.models import Region

        return Region
    return model


def check_regions_against_database(rows: list[RegionRow], *, region_model: Any = None) -> None:
    """Refuse rows that would clash with a region stored under another code."""
    region_model = _region_model(region_model)
    stored = {
        (r.province, r.name.lower(), r.kind): r.code
        for r in region_model.objects.filter(province__in={row.province for row in rows})
    }
    errors = []
    for row in rows:
        other = stored.get((row.province, row.name.lower(), row.kind))
        if other and other != row.code:
            errors.append(
                f"line {row.line}: {row.kind} {row.name} of {row.province} is already stored "
                f"with code {other}; correct that region first"
            )
    if errors:
        raise RegionFileError(errors)


def load_regions(rows: Iterable[RegionRow], *, region_model: Any = None) -> LoadResult:
    """Create or update each region by its code. Call inside a transaction."""
    region_model = _region_model(region_model)
    rows = list(rows)
    check_regions_against_database(rows, region_model=region_model)
    existing = {r.code: r for r in region_model.objects.filter(code__in=[row.code for row in rows])}
    created = updated = unchanged = 0
    for row in rows:
        fields = {"province": row.province, "name": row.name, "kind": row.kind}
        current = existing.get(row.code)
        if current is None:
            region_model.objects.create(code=row.code, **fields)
            created += 1
        elif any(getattr(current, k) != v for k, v in fields.items()):
            region_model.objects.filter(pk=current.pk).update(**fields)
            updated += 1
        else:
            unchanged += 1
    return LoadResult(created, updated, unchanged)


def load_sectors(rows: Iterable[SectorRow], *, sector_model: Any = None) -> LoadResult:
    """Create or update each sector by its slug. Call inside a transaction."""
    if sector_model is None:
        from expo.models import Sector as sector_model
    created = updated = unchanged = 0
    existing = {s.slug: s for s in sector_model.objects.all()}
    for row in rows:
        fields = {
            "name_en": row.name_en,
            "name_id": row.name_id,
            "icon": row.icon,
            "position": row.position,
        }
        current = existing.get(row.slug)
        if current is None:
            sector_model.objects.create(slug=row.slug, **fields)
            created += 1
        elif any(getattr(current, k) != v for k, v in fields.items()):
            sector_model.objects.filter(pk=current.pk).update(**fields)
            updated += 1
        else:
            unchanged += 1
    return LoadResult(created, updated, unchanged)


def load_defaults(*, region_model: Any = None, sector_model: Any = None) -> None:
    """Central Java's regencies and cities and the sectors (what migration 0002 loads)."""
    load_regions(read_regions(CENTRAL_JAVA_CSV), region_model=region_model)
    load_sectors(read_sectors(SECTORS_CSV), sector_model=sector_model)
