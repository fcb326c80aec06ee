"""Why an upload was refused or failed: the codes stored in DocumentVersion.reason_code.

Plain Python (no Django), so the sandboxed child process (pdf/sandbox.py) reports with the
same codes; the messages sellers read are in rejections.py.
"""

import enum


class Reason(enum.StrEnum):
    # Refused at upload, before anything is stored (services.document_upload).
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_PDF = "not_pdf"
    POLYGLOT = "polyglot"  # a PDF hidden after something else: %PDF- not at byte 0
    UNSUPPORTED_TYPE = "unsupported_type"
    UNSAFE_NAME = "unsafe_name"
    # Refused while processing (processing.document_version_process).
    TRUNCATED = "truncated"
    UNREADABLE = "unreadable"
    ENCRYPTED = "encrypted"
    JAVASCRIPT = "javascript"
    ZERO_PAGES = "zero_pages"
    TOO_MANY_PAGES = "too_many_pages"
    TOO_COMPLEX = "too_complex"  # over the memory limit, or the parser gave up
    TIMEOUT = "timeout"
    PAGE_TOO_HEAVY = "page_too_heavy"  # a page the online reader could not draw in time
    CONVERSION_UNAVAILABLE = "conversion_unavailable"
    CONVERSION_FAILED = "conversion_failed"
    EXACT_COPY = "exact_copy"
    BUYER_COPY = "buyer_copy"  # a buyer's stamped copy (selling.copies, before processing)
    REJECTED_BY_STAFF = "rejected_by_staff"
    # Failed, may be retried: the platform's fault, not the file's.
    INTERRUPTED = "interrupted"
    PROCESSING_ERROR = "processing_error"
