"""Errors the services raise; the HTTP layer turns each into `{"error": {"code", "message"}}` with its status."""

from __future__ import annotations

import errno


class ShoeboxError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status


class NotFound(ShoeboxError):
    status = 404
    code = "not_found"


class InvalidInput(ShoeboxError):
    status = 400
    code = "invalid_input"


class UnsupportedMedia(ShoeboxError):
    status = 415
    code = "unsupported_type"


class PayloadTooLarge(ShoeboxError):
    status = 413
    code = "too_large"


class Unauthorized(ShoeboxError):
    status = 401
    code = "unauthorized"


class Forbidden(ShoeboxError):
    """Signed in, but not allowed: an admin-only route, or registration this server does not offer."""

    status = 403
    code = "forbidden"


class Conflict(ShoeboxError):
    status = 409
    code = "conflict"


class StorageFull(ShoeboxError):
    status = 507
    code = "insufficient_storage"


class StorageReadOnly(ShoeboxError):
    """The data directory cannot be written: the server's set-up is at fault, not the request or free space."""

    status = 500
    code = "storage_read_only"


def storage_fault(exc: BaseException) -> type[StorageFull] | type[StorageReadOnly] | None:
    """StorageFull when `exc` says the disk is full, StorageReadOnly when it says the data directory or the
    database cannot be written, else None: an OSError by its errno, a database error by its own words."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return StorageFull
        return StorageReadOnly if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM) else None
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "disk is full" in text:
        return StorageFull
    return StorageReadOnly if "readonly" in text or "read-only" in text else None
