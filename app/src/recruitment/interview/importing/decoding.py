"""Read a CSV file as text lines, a block at a time, whatever its size.

The encoding is UTF-8 (with or without BOM) or GBK (decoded as its superset GB18030),
chosen from the first block that is not pure ASCII. Anything else (Latin-1, UTF-16...)
stops the file with an error that names the line; so does a later block that does not
decode in the chosen encoding. A newline byte is never part of a multi-byte UTF-8 or
GB18030 character, so blocks are cut after a newline and each decodes on its own.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

BLOCK_SIZE = 1 << 20
UTF16_BOMS = {b"\xff\xfe": "UTF-16 LE", b"\xfe\xff": "UTF-16 BE"}
UTF32_BOMS = {b"\xff\xfe\x00\x00": "UTF-32 LE", b"\x00\x00\xfe\xff": "UTF-32 BE"}
UTF8_BOM = b"\xef\xbb\xbf"
SAVE_AS = "save it as UTF-8 (or GBK) and import it again"


class UndecodableFile(Exception):
    """The file is not UTF-8 or GBK; ``lines_before`` counts the whole lines of the
    failing block before the bad byte (the caller knows how many came before the block)."""

    def __init__(self, lines_before: int, message: str):
        super().__init__(message)
        self.lines_before = lines_before
        self.message = message


def _lines_before(text: str) -> int:
    """Whole lines in ``text`` (universal newlines, as csv reads them)."""
    lines = io.StringIO(text, newline="").readlines()
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines.pop()
    return len(lines)


def _blocks(handle: BinaryIO, block_size: int) -> Iterator[bytes]:
    """The file in blocks that end just after a newline (the last one may not)."""
    rest = b""
    while True:
        data = handle.read(block_size)
        if not data:
            if rest:
                yield rest
            return
        data = rest + data
        cut = data.rfind(b"\n") + 1
        if not cut:  # no LF: cut after a CR that cannot be the first half of a CRLF
            cut = data.rfind(b"\r", 0, len(data) - 1) + 1
        if not cut:
            rest = data  # one very long line: read on
            continue
        rest = data[cut:]
        yield data[:cut]


class TextLines:
    """Iterate over the decoded lines of a binary file (for ``csv.reader``).

    Raises UndecodableFile.
    """

    def __init__(self, handle: BinaryIO, block_size: int = BLOCK_SIZE):
        self._handle = handle
        self._block_size = block_size
        self.encoding = ""  # "utf-8" or "gbk", once a block that is not ASCII was read
        self._codec = ""

    def _check_start(self, block: bytes) -> None:
        for bom, name in (*UTF32_BOMS.items(), *UTF16_BOMS.items()):
            if block.startswith(bom):
                raise UndecodableFile(0, f"the file is {name} (byte order mark); {SAVE_AS}")
        if b"\x00" in block:
            raise UndecodableFile(
                _lines_before(block[: block.index(b"\x00")].decode("latin-1")),
                f"NUL bytes: the file looks like UTF-16 or UTF-32; {SAVE_AS}",
            )

    def _choose(self, block: bytes) -> str:
        """The encoding, from the first block that is not pure ASCII; its text."""
        try:
            text = block.decode("utf-8")
            self.encoding, self._codec = "utf-8", "utf-8"
            return text
        except UnicodeDecodeError as utf8_error:
            try:
                text = block.decode("gb18030")
                self.encoding, self._codec = "gbk", "gb18030"
                return text
            except UnicodeDecodeError:
                bad = block[utf8_error.start : utf8_error.start + 1]
                raise UndecodableFile(
                    _lines_before(block[: utf8_error.start].decode("utf-8", errors="replace")),
                    f"the file is neither UTF-8 nor GBK (byte 0x{bad.hex()} here is not "
                    f"UTF-8, and the file does not decode as GBK either; Latin-1?); {SAVE_AS}",
                ) from None

    def _decode(self, block: bytes) -> str:
        try:
            return block.decode(self._codec)
        except UnicodeDecodeError as exc:
            bad = block[exc.start : exc.start + 1]
            before = block[: exc.start].decode(self._codec, errors="replace")
            raise UndecodableFile(
                _lines_before(before),
                f"byte 0x{bad.hex()} is not {self.encoding.upper()}, the encoding of the "
                f"file's earlier lines; {SAVE_AS}",
            ) from None

    def __iter__(self) -> Iterator[str]:
        """Pure-ASCII blocks decode either way: the first other block chooses."""
        first = True
        for block in _blocks(self._handle, self._block_size):
            if first:
                self._check_start(block)
                if block.startswith(UTF8_BOM):
                    block = block[len(UTF8_BOM) :]
                    self.encoding, self._codec = "utf-8", "utf-8"
                first = False
            if self._codec:
                text = self._decode(block)
            elif block.isascii():
                text = block.decode("ascii")
            else:
                text = self._choose(block)
            yield from io.StringIO(text, newline="")
        if not self._codec:
            self.encoding, self._codec = "utf-8", "utf-8"  # ASCII is UTF-8
