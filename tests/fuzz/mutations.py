"""How the fuzzer (tests/fuzz/fuzz_ingest.py) turns a valid PDF into a broken one.

``mutation(rng, seeds)`` picks a seed and applies one to three operations, each drawn from
``rng`` alone, so a (run seed, input number) pair always names the same bytes. Byte-level
operations (flips, inserts, deletes, duplicated ranges, truncation, splicing two seeds) find
what nobody thought of; structure-aware ones (cross-reference offsets, /Length, object
numbers, /Count, numbers, nesting, filters, boxes, strings, names, keywords) get past the
first parse and reach the code that reads pages. A structure-aware operation that finds
nothing to change in its input (a compressed seed hides most of its objects) flips bytes
instead, so every input differs from its seed.
"""

import random
import re
import zlib
from collections.abc import Callable, Sequence

Operation = Callable[[random.Random, bytes, Sequence[bytes]], bytes]

_INTERESTING_BYTES = b"\x00\xff()<>[]{}/%\n\r \\#0-."
_NUMBERS = tuple(
    b"0 -0 1 -1 2147483647 2147483648 -2147483649 4294967296 99999999999999999999999999999999999999999 "
    b"0.00000000000000000000000000000000000001 3.4028235e38 1e10 .5 -.0001 1.2.3 --5 +7 NaN 65535 "
    b"65536".split()
)
_BOXES = tuple(
    b"[0 0 0 0]|[0 0 1 1]|[0 0 14400 14400]|[0 0 200000 200000]|[0 0 1000000 1]|[0 0 1 1000000]|"
    b"[0 0 -612 -792]|[612 792 0 0]|[0 0 0.001 842]|[0 0 612]|[0 0 612 792 5]|[]|[/a /b /c /d]|"
    b"[0 0 99999999999999999999 792]|(box)".split(b"|")
)
_FILTERS = tuple(
    b"/FlateDecode|/LZWDecode|/ASCII85Decode|/ASCIIHexDecode|/RunLengthDecode|/DCTDecode|/JPXDecode|"
    b"/JBIG2Decode|/CCITTFaxDecode|/Crypt|/Fl|/Bogus|[/FlateDecode /FlateDecode]|"
    b"[/ASCIIHexDecode /LZWDecode /FlateDecode]|[]".split(b"|")
)
_DECODE_PARMS = (
    b"/DecodeParms << /Predictor 15 /Columns 100000000 /Colors 4 /BitsPerComponent 16 >>",
    b"/DecodeParms << /Predictor 2 /Columns 0 >>",
    b"/DecodeParms << /Predictor 12 /Columns -5 /Colors 0 >>",
    b"/DecodeParms << /K -1 /Columns 2147483647 /Rows 2147483647 >>",
    b"/DecodeParms << /EarlyChange 7 >>",
    b"/DecodeParms [null null null]",
)
_NAMES = tuple(
    b"/Page /Pages /Kids /Parent /Contents /Resources /Font /XObject /Type /Subtype /Outlines /First "
    b"/Last /Next /Prev /Dest /Count /Length /Filter /Annots /Form /Image /Root /Encrypt /ObjStm /XRef "
    b"/Type3 /FontFile2 /Pattern /Shading /ToUnicode /Widths /Encoding /Differences /Indexed /ICCBased "
    b"/SMask /Group".split()
)
_KEYWORDS = (b"endobj", b"endstream", b"stream", b" obj", b"trailer", b"xref", b"startxref", b"%%EOF", b"R")
_STRINGS = (
    *b"<FEFFD800> <FEFFDC00DC00> <FEFFD800D800D800> <FEFF> <FEFF00> <FFFE4100> <EFBBBF> <00> <> ()".split(),
    b"(\\777\\0\\",
    b"(" + b"(" * 300,
    b"<4>",
)
_IMAGE_KEYS = (b"Width", b"Height", b"BitsPerComponent", b"Columns", b"Rows", b"N", b"First")


def _position(rng: random.Random, data: bytes) -> int:
    # Half the time near the end, where the cross-reference table and trailer are.
    if rng.random() < 0.5 or len(data) < 400:
        return rng.randrange(len(data) + 1)
    return rng.randrange(len(data) - 400, len(data) + 1)


def _span(rng: random.Random) -> int:
    return int(2 ** rng.uniform(0, 10))  # 1 to 1,024 bytes, short ones most often


def bit_flips(rng: random.Random, data: bytes, seeds: Sequence[bytes]) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 8, 32))):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def interesting_bytes(rng: random.Random, data: bytes, seeds: Sequence[bytes]) -> bytes:
    if not data:
        return bytes([rng.choice(_INTERESTING_BYTES)])
    out = bytearray(data)
    for _ in range(rng.choice((1, 2, 4, 16))):
        out[rng.randrange(len(out))] = rng.choice(_INTERESTING_BYTES)
    return bytes(out)


def insert_random(rng: random.Random, data: bytes, seeds: Sequence[bytes]) -> bytes:
    at = _position(rng, data)
    return data[:at] + rng.randbytes(_span(rng)) + data[at:]


def delete_range(rng: random.Random, data: bytes, seeds: Sequence[bytes]) -> bytes:
    at = _position(rng, data)
    return data[:at] + data[at + _span(rng) :]


def duplicate_range(rng: random.Random, data: bytes, seeds: Sequence[bytes]) -> bytes:
    start = rng.randrange(len(data) + 1)
    piece = data[start : start + _span(rng)]
    at = _position(rng, data)
    return data[:at] + piece * rng.choice((1, 1, 2, 50)) + data[at:]


def truncate(rng: random.Random, data: bytes, seeds: Sequence[bytes]) -> bytes:
    cut = data[: rng.randrange(len(data) + 1)]
    # With %%EOF put back, the cut file gets past the first check and reaches the parsers.
    return cut + b"\n%%EOF\n" if rng.random() < 0.7 else cut


def splice(rng: random.Random, data: bytes, seeds: Sequence[bytes]) -> bytes:
    other = rng.choice(seeds)
    return data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1) :]


def _rewrite(
    name: str, pattern: bytes, replace: Callable[[random.Random, re.Match[bytes]], bytes]
) -> Operation:
    """An operation that rewrites one (sometimes every) match of ``pattern``; bit flips when
    nothing matches."""

    def operation(rng: random.Random, data: bytes, seeds: Sequence[bytes]) -> bytes:
        matches = list(re.finditer(pattern, data, re.DOTALL))
        if not matches:
            return bit_flips(rng, data, seeds)
        chosen = matches if rng.random() < 0.15 else [rng.choice(matches)]
        out, last = [], 0
        for match in chosen:
            out += [data[last : match.start()], replace(rng, match)]
            last = match.end()
        return b"".join(out) + data[last:]

    operation.__name__ = name
    return operation


def _xref_entry(rng: random.Random, match: re.Match[bytes]) -> bytes:
    offset = int(match.group(1))
    new = rng.choice((0, offset + rng.randint(-40, 40), rng.randrange(10**10), offset * 2))
    return b"%010d %s %s" % (max(new, 0), rng.choice((match.group(2), b"65535", b"00001")), match.group(3))


def _startxref(rng: random.Random, match: re.Match[bytes]) -> bytes:
    offset = int(match.group(1))
    return b"startxref\n" + rng.choice(
        (b"0", b"%d" % (offset + rng.randint(-20, 20)), b"-1", b"99999999999", b"%d" % (offset // 2))
    )


def _length(rng: random.Random, match: re.Match[bytes]) -> bytes:
    length = int(match.group(1))
    return b"/Length " + rng.choice(
        (
            b"0",
            b"1",
            b"%d" % (length - 1),
            b"%d" % (length + 1),
            b"%d" % (length * 2),
            b"2147483647",
            b"9223372036854775808",
            b"-1",
            b"99999 0 R",
            b"1 0 R",
            b"/Name",
        )
    )


def _object_numbers(rng: random.Random, data: bytes, seeds: Sequence[bytes]) -> bytes:
    """Swap the numbers of two objects, or point a reference at another object (or its own)."""
    headers = list(re.finditer(rb"(\d+) (\d+) obj", data))
    if len(headers) < 2:
        return bit_flips(rng, data, seeds)
    if rng.random() < 0.5:
        first, second = sorted(rng.sample(headers, 2), key=lambda match: match.start())
        return b"".join((
            data[: first.start()], second.group(1), b" ", first.group(2), b" obj",
            data[first.end() : second.start()], first.group(1), b" ", second.group(2), b" obj",
            data[second.end() :],
        ))  # fmt: skip
    references = list(re.finditer(rb"(\d+) (\d+) R", data))
    if not references:
        return bit_flips(rng, data, seeds)
    reference = rng.choice(references)
    # Its own object: the last header before the reference (a loop such as /Parent → itself).
    own = [header for header in headers if header.start() < reference.start()]
    target = rng.choice(
        (rng.choice(headers).group(1), own[-1].group(1) if own else b"0", b"0", b"99999999", b"-3")
    )
    return data[: reference.start()] + target + b" " + reference.group(2) + b" R" + data[reference.end() :]


def _count(rng: random.Random, match: re.Match[bytes]) -> bytes:
    return b"/Count " + rng.choice(
        (b"2147483647", b"2147483648", b"1000000000000", b"-1", b"-2147483648", b"0", b"1001", b"5000")
    )


def _number(rng: random.Random, match: re.Match[bytes]) -> bytes:
    return match.group(1) + rng.choice(_NUMBERS)


def _nesting(rng: random.Random, data: bytes, seeds: Sequence[bytes]) -> bytes:
    """Arrays or dictionaries nested deep, as a value in some dictionary (closed or not)."""
    openers = [match.end() for match in re.finditer(rb"<<", data)]
    if not openers:
        return bit_flips(rng, data, seeds)
    depth = rng.choice((63, 64, 65, 256, 500, 501, 1000, 5000, 20000))
    if rng.random() < 0.5:
        value = b"[" * depth + (b"]" * depth if rng.random() < 0.8 else b"")
    else:
        value = b"<< /A " * depth + (b">> " * depth if rng.random() < 0.8 else b"")
    key = rng.choice((b"/Nest ", b"/Kids ", b"/Contents ", b"/Resources ", b"/Annots ", b"/MediaBox "))
    at = rng.choice(openers)
    return data[:at] + b" " + key + value + b" " + data[at:]


def _filters(rng: random.Random, data: bytes, seeds: Sequence[bytes]) -> bytes:
    """A stream gets a filter (or parameters) its data does not match, or data it does not expect:
    garbage, or Flate data that inflates to megabytes."""
    streams = list(re.finditer(rb">>\s*stream\r?\n", data))
    if not streams:
        return bit_flips(rng, data, seeds)
    stream = rng.choice(streams)
    entry = rng.choice((b"/Filter " + rng.choice(_FILTERS), rng.choice(_DECODE_PARMS)))
    out = data[: stream.start()] + b" " + entry + b" " + data[stream.start() : stream.end()]
    rest = data[stream.end() :]
    end = rest.find(b"endstream")
    if end >= 0 and rng.random() < 0.5:
        body = rng.choice((
            rng.randbytes(max(end, 1)),
            zlib.compress(b"\0" * rng.choice((1 << 20, 8 << 20)), 9),
            zlib.compress(rest[:end], 9)[: rng.randrange(1, max(end, 2))],
        ))  # fmt: skip
        rest = body + b"\n" + rest[end:]
    return out + rest


def _box(rng: random.Random, match: re.Match[bytes]) -> bytes:
    return match.group(1) + b" " + rng.choice(_BOXES)


def _rotate(rng: random.Random, match: re.Match[bytes]) -> bytes:
    return b"/Rotate " + rng.choice((b"45", b"-90", b"270", b"450", b"2147483647", b"-2147483648", b"1.5"))


def _image_key(rng: random.Random, match: re.Match[bytes]) -> bytes:
    return (
        match.group(1)
        + b" "
        + rng.choice((b"0", b"-1", b"1", b"3", b"16", b"32", b"65535", b"100000", b"2147483647"))
    )


def _strings(rng: random.Random, data: bytes, seeds: Sequence[bytes]) -> bytes:
    """A string becomes odd UTF-16 (lone surrogates, odd lengths), empty, unbalanced or very
    long; a title (of a bookmark, shown as the table of contents) more often than others."""
    strings = list(re.finditer(rb"(/Title\s*)?(\((?:[^()\\]|\\.){0,200}\)|<[0-9A-Fa-f]{2,200}>)", data))
    if not strings:
        return bit_flips(rng, data, seeds)
    titles = [match for match in strings if match.group(1)]
    string = rng.choice(titles if titles and rng.random() < 0.4 else strings)
    new = rng.choice(
        _STRINGS + (b"(" + b"x" * 70_000 + b")", b"<FEFF" + rng.randbytes(11).hex().encode() + b">")
    )
    return data[: string.start(2)] + new + data[string.end(2) :]


def _name(rng: random.Random, match: re.Match[bytes]) -> bytes:
    return rng.choice(_NAMES)


def _keyword(rng: random.Random, data: bytes, seeds: Sequence[bytes]) -> bytes:
    """Drop or double one keyword (endobj, stream, xref, ...)."""
    word = rng.choice(_KEYWORDS)
    places = [match.start() for match in re.finditer(re.escape(word), data)]
    if not places:
        return bit_flips(rng, data, seeds)
    at = rng.choice(places)
    return data[:at] + (b"" if rng.random() < 0.6 else word + b" " + word) + data[at + len(word) :]


_OPERATIONS: tuple[tuple[Operation, int], ...] = (
    (bit_flips, 3),
    (interesting_bytes, 2),
    (insert_random, 2),
    (delete_range, 2),
    (duplicate_range, 2),
    (truncate, 2),
    (splice, 2),
    (_rewrite("xref_offset", rb"(\d{10}) (\d{5}) ([nf])", _xref_entry), 2),
    (_rewrite("startxref", rb"startxref\s+(\d+)", _startxref), 2),
    (_rewrite("length", rb"/Length (\d+)", _length), 2),
    (_object_numbers, 3),
    (_rewrite("count", rb"/Count -?\d+", _count), 2),
    (_rewrite("number", rb"([\s\[])-?\d+(?:\.\d+)?(?=[\s\]/>])", _number), 3),
    (_nesting, 2),
    (_filters, 3),
    (_rewrite("box", rb"(/MediaBox|/CropBox|/BBox|/Rect)\s*\[[^\]]*\]", _box), 2),
    (_rewrite("rotate", rb"/Rotate -?\d+", _rotate), 1),
    (_rewrite("image_key", rb"(/(?:" + b"|".join(_IMAGE_KEYS) + rb"))\s+\d+", _image_key), 2),
    (_strings, 2),
    (_rewrite("name", rb"/[A-Za-z][A-Za-z0-9]*", _name), 2),
    (_keyword, 2),
)


def mutation(rng: random.Random, seeds: Sequence[tuple[str, bytes]]) -> tuple[bytes, str]:
    """A mutated seed and how it was made ("outline: _filters + truncate")."""
    name, data = rng.choice(seeds)
    operations, weights = zip(*_OPERATIONS, strict=True)
    steps = []
    for operation in rng.choices(operations, weights, k=rng.choice((1, 1, 1, 2, 2, 3))):
        data = operation(rng, data, [seed for _, seed in seeds])
        steps.append(operation.__name__.lstrip("_"))
    return data, f"{name}: {' + '.join(steps)}"
