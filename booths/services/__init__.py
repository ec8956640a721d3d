"""Writes for vendors, applications, booths and products. Views, admin and commands call these.

One module per concern: :mod:`~booths.services.vendors` (registration, profile, team),
:mod:`~booths.services.applications` (what a vendor sends), :mod:`~booths.services.curation` (what
the organisers decide), :mod:`~booths.services.catalogue` (booth pages, products, photos). Each
service writes only the fields its allow-list names, with ``save(update_fields=...)``. The public
names are importable from here.
"""

from booths.services.applications import (
    APPLICATION_DOCUMENTS,
    APPLICATION_FIELDS,
    MAX_APPLICATION_PHOTOS,
    MAX_DOCUMENT_BYTES,
    application_check,
    application_resubmit,
    application_submit,
    application_withdraw,
    needs_food_permit,
    validate_document,
)
from booths.services.catalogue import (
    BOOTH_FIELDS,
    MAX_PRODUCT_IMAGES,
    PRODUCT_FIELDS,
    booth_refresh_aggregates,
    booth_update,
    product_create,
    product_image_delete,
    product_image_make_cover,
    product_update,
)
from booths.services.common import delete_files_on_commit
from booths.services.curation import (
    application_approve,
    application_reject,
    application_request_changes,
)
from booths.services.grading import (
    application_score,
    rubric_citation,
    rubric_ensure,
    rubric_save,
)
from booths.services.vendors import (
    RESERVED_VENDOR_SLUGS,
    VENDOR_FIELDS,
    vendor_add_member,
    vendor_register,
    vendor_remove_member,
    vendor_update,
)

__all__ = [
    "APPLICATION_DOCUMENTS",
    "APPLICATION_FIELDS",
    "BOOTH_FIELDS",
    "MAX_APPLICATION_PHOTOS",
    "MAX_DOCUMENT_BYTES",
    "MAX_PRODUCT_IMAGES",
    "PRODUCT_FIELDS",
    "RESERVED_VENDOR_SLUGS",
    "VENDOR_FIELDS",
    "application_approve",
    "application_check",
    "application_reject",
    "application_request_changes",
    "application_resubmit",
    "application_score",
    "application_submit",
    "application_withdraw",
    "booth_refresh_aggregates",
    "booth_update",
    "delete_files_on_commit",
    "needs_food_permit",
    "product_create",
    "product_image_delete",
    "product_image_make_cover",
    "product_update",
    "rubric_citation",
    "rubric_ensure",
    "rubric_save",
    "validate_document",
    "vendor_add_member",
    "vendor_register",
    "vendor_remove_member",
    "vendor_update",
]
