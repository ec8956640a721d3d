"""Data migrations for models that moved from one app to another with their tables.

When a model moves (``db_table`` keeps its table), two things still carry the old app's label: its
content type (which admin history and permissions point at) and the audit log's ``object_type``.
:func:`relabel` renames both in place, so every id that pointed at them still resolves.
"""

from __future__ import annotations

from django.db import migrations


def relabel(*, old: str, new: str, models: list[str]) -> migrations.RunPython:
    """A migration operation that moves ``models`` (lower-case names) from app ``old`` to ``new``."""

    def rename(apps, schema_editor, source: str, target: str) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        audit_entry = apps.get_model("expo", "AuditLogEntry")
        for model in models:
            if not content_type.objects.filter(app_label=target, model=model).exists():
                content_type.objects.filter(app_label=source, model=model).update(app_label=target)
            audit_entry.objects.filter(object_type=f"{source}.{model}").update(
                object_type=f"{target}.{model}"
            )

    return migrations.RunPython(
        lambda apps, editor: rename(apps, editor, old, new),
        lambda apps, editor: rename(apps, editor, new, old),
    )
