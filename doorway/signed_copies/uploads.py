"""Reading an upload in memory only, never in a temporary file.

Django writes an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) to a temporary
file in plain: a scan of her signed consent must not touch the disk unencrypted. This
handler keeps the file in memory whatever its size, up to the signed-copy limit, and
drops it past that, noting that it was too large (the form then says so). Views set it
on the request before its body is read (`accept_in_memory`).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers
from django.http import HttpRequest


class InMemoryOnly(FileUploadHandler):
    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.limit = settings.SIGNED_COPY_MAX_BYTES
        self.too_large = False
        self.received = 0
        self.buffer = BytesIO()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()
        self.received = 0
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            self.buffer = BytesIO()
            raise SkipFile()
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def accept_in_memory(request: HttpRequest) -> InMemoryOnly:
    """Before anything reads `request.POST` or `request.FILES`."""
    handler = InMemoryOnly(request)
    request.upload_handlers = [handler]
    return handler
