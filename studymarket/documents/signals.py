"""Signals for the apps above documents, which documents may not import.

``document_version_published``: sent after the commit that published a version processed by
the pipeline or approved by staff, with ``version_id`` and ``document_id``. The catalog
listens, to put a listing that waited for it on sale.
"""

from django.dispatch import Signal

document_version_published = Signal()
