# The hall's search: documents and terms rebuilt per expo from its booths and products, the state
# they were built from, and the synonyms the office keeps (seeded by 0006_search_synonyms).
#
# The engine's own objects depend on the database, and the same migrations run on both:
# - PostgreSQL: the pg_trgm extension (TrigramExtension does nothing elsewhere), a GIN index on the
#   documents' vectors and a trigram GIN index on the terms;
# - SQLite: the FTS5 tables booths_search_fts (the documents' texts) and booths_search_terms_fts
#   (the terms, by trigrams); the documents' vector column stays empty there.

import django.contrib.postgres.search
import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

POSTGRES_SQL = [
    "CREATE INDEX booths_searchdocument_vector ON booths_searchdocument USING gin (vector)",
    "CREATE INDEX booths_searchterm_trigram ON booths_searchterm USING gin (term gin_trgm_ops)",
]
POSTGRES_UNDO = [
    "DROP INDEX IF EXISTS booths_searchterm_trigram",
    "DROP INDEX IF EXISTS booths_searchdocument_vector",
]
SQLITE_SQL = [
    "CREATE VIRTUAL TABLE booths_search_fts USING fts5("
    "name, tagline, body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE booths_search_terms_fts USING fts5(term, tokenize = 'trigram')",
]
SQLITE_UNDO = [
    "DROP TABLE IF EXISTS booths_search_terms_fts",
    "DROP TABLE IF EXISTS booths_search_fts",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create_engine_objects(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_SQL)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_SQL)


def drop_engine_objects(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_UNDO)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_UNDO)


class Migration(migrations.Migration):
    dependencies = [
        ("booths", "0004_product_limits"),
        ("expo", "0002_regions_and_sectors"),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name="SearchIndexState",
            fields=[
                (
                    "expo",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="expo.expo",
                    ),
                ),
                ("fingerprint", models.CharField(max_length=200)),
                ("built_at", models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name="SearchSynonym",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "phrases",
                    models.CharField(
                        help_text=(
                            "Two or more, separated by commas, e.g. “gula aren, palm sugar, "
                            "gula jawa”."
                        ),
                        max_length=300,
                        unique=True,
                        verbose_name="words and phrases",
                    ),
                ),
            ],
            options={
                "verbose_name": "search synonym",
                "verbose_name_plural": "search synonyms",
                "ordering": ["phrases"],
            },
        ),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.TextField(blank=True)),
                ("tagline", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
                (
                    "booth",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="booths.booth",
                    ),
                ),
                (
                    "expo",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="expo.expo",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="booths.product",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("term", models.CharField(max_length=64)),
                (
                    "expo",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="expo.expo",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("expo", "term"), name="unique_search_term_per_expo"
                    )
                ],
            },
        ),
        migrations.RunPython(create_engine_objects, drop_engine_objects),
    ]
