"""What the booths services share: slugs, explicit field assignment and uploads removed after a
commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.text import slugify


def unique_slug(model: type[models.Model], base: str, **scope: Any) -> str:
    """A slug made of ``base`` that no row of ``model`` within ``scope`` has yet."""
    stem = slugify(base)[:150] or "item"
    slug, n = stem, 2
    while model.objects.filter(slug=slug, **scope).exists():  # type: ignore[attr-defined]
        slug, n = f"{stem}-{n}", n + 1
    return slug


def assign(instance: models.Model, fields: Mapping[str, Any], allowed: Sequence[str]) -> list[str]:
    """Set ``fields`` on ``instance`` and return their names (for ``save(update_fields=...)``).

    Only the names in ``allowed`` may be set: a service writes what its form offers, never whatever
    a caller hands it (status, owner, slug…); any other name is a programming error.
    """
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"{type(instance).__name__} fields not allowed here: {', '.join(unknown)}")
    names = [name for name in allowed if name in fields]
    for name in names:
        setattr(instance, name, fields[name])
    return names


def delete_files_on_commit(files: Iterable[FieldFile | None]) -> None:
    """Remove replaced or deleted uploads from their storage once the change is committed (a
    rolled-back change keeps them). Names are read now: the caller may reassign the fields next."""
    doomed = [(f.storage, f.name) for f in files if f and f.name]

    def remove() -> None:
        for storage, name in doomed:
            storage.delete(name)

    if doomed:
        transaction.on_commit(remove)
