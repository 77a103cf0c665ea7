"""The parts of an XLSX (a zip archive), unpacked within the limit and never trusted.

The archive's directory says how big each part is. That is checked before anything is unpacked,
and again while each part is unpacked, because a crafted file can declare small parts that
unpack to far more (a "zip bomb"): unpacking stops as soon as the total passes the limit.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator

from tablereader.limits import Limits, ReadError, size_text

CHUNK = 1024 * 1024  # bytes of unpacked XML handed on at a time
_INPUT = 64 * 1024
_STORED, _DEFLATED = 0, 8


class Archive:
    """An XLSX's zip directory, checked against the limit; unpacks parts on request."""

    def __init__(self, source: str, data: bytes, limits: Limits) -> None:
        self.source, self.data, self.limits = source, data, limits
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
                self.parts = {info.filename: info for info in infos}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
            raise ReadError(f"{source}: this XLSX file cannot be opened ({error})") from None
        if len(self.parts) != len(infos):  # two parts of one name: which would be read?
            raise ReadError(f"{source}: this XLSX file is damaged: two of its parts have the same name")
        declared = sum(info.file_size for info in self.parts.values())
        if declared > limits.unpacked_bytes:
            raise self.too_big(declared)
        for info in self.parts.values():
            if info.flag_bits & 0x1:
                raise ReadError(f"{source}: the workbook is password-protected; save a copy without a password")
            if info.compress_type not in (_STORED, _DEFLATED):
                raise ReadError(f"{source}: this XLSX file cannot be opened (a part is packed in an unusual way)")
        self.unpacked = 0  # bytes unpacked so far, over every part
        self.done: set[str] = set()  # parts unpacked and checked once

    def too_big(self, size: int, *, more: bool = False) -> ReadError:
        amount = f"more than {size_text(size)}" if more else size_text(size)
        return ReadError(
            f"{self.source}: the spreadsheet unpacks to {amount}; the largest accepted is "
            f"{size_text(self.limits.unpacked_bytes)}"
        )

    def damaged(self, name: str) -> ReadError:
        return ReadError(
            f"{self.source}: this XLSX file is damaged: its part {name} does not match the archive's directory"
        )

    def stream(self, name: str, *, again: bool = False) -> Iterator[bytes]:
        """The unpacked bytes of one part, a piece at a time, counted against the limit (unless it
        is being read a second time); the part must unpack to exactly the size and checksum the
        directory declares."""
        info = self.parts[name]
        size, crc = 0, 0
        for piece in self._inflate(info):
            size += len(piece)
            self.unpacked += 0 if again else len(piece)
            if self.unpacked > self.limits.unpacked_bytes:
                raise self.too_big(self.limits.unpacked_bytes, more=True)
            if size > info.file_size:
                raise self.damaged(name)
            crc = zlib.crc32(piece, crc)
            yield piece
        if size != info.file_size or crc != info.CRC:
            raise self.damaged(name)
        self.done.add(name)

    def read(self, name: str) -> bytes:
        return b"".join(self.stream(name))

    def _inflate(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        header = self.data[info.header_offset : info.header_offset + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise self.damaged(info.filename)
        start = (
            info.header_offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
        )
        packed = memoryview(self.data)[start : start + info.compress_size]
        if len(packed) != info.compress_size:
            raise self.damaged(info.filename)
        if info.compress_type == _STORED:
            for offset in range(0, len(packed), CHUNK):
                yield bytes(packed[offset : offset + CHUNK])
            return
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        offset = 0
        pending: bytes | memoryview
        try:
            while not inflater.eof:
                if inflater.unconsumed_tail:
                    pending = inflater.unconsumed_tail
                elif offset < len(packed):
                    pending, offset = packed[offset : offset + _INPUT], offset + _INPUT
                else:
                    break
                piece = inflater.decompress(pending, CHUNK)
                if piece:
                    yield piece
        except zlib.error:
            raise self.damaged(info.filename) from None
