#!/usr/bin/env python3
"""gzip_parts.py IN OUT [--members N] [--bomb-mib M]

Writes IN gzip-compressed to OUT (Python's standard library only) as N
gzip members of about equal parts, one after the other (RFC 1952: what
`cat a.gz b.gz` makes); with --bomb-mib, IN followed by M MiB of zeros in
one member, built from one compressed MiB repeated (a gzip bomb of about
1 KB per MiB: 3072 MiB in about 3 MB, written in well under a second).
"""
import argparse
import struct
import zlib

p = argparse.ArgumentParser()
p.add_argument("input")
p.add_argument("output")
p.add_argument("--members", type=int, default=1)
p.add_argument("--bomb-mib", type=int, default=0)
a = p.parse_args()
data = open(a.input, "rb").read()

with open(a.output, "wb") as out:
    if a.bomb_mib:
        def piece(raw, mode):
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            return c.compress(raw) + c.flush(mode)
        zeros = bytes(1 << 20)
        block = piece(zeros, zlib.Z_FULL_FLUSH)
        crc = zlib.crc32(data)
        zcrc = zlib.crc32(zeros)
        out.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")
        out.write(piece(data, zlib.Z_FULL_FLUSH))
        for _ in range(a.bomb_mib):
            out.write(block)
            # The trailer's CRC-32 is of everything inflated.
            crc = zlib.crc32(zeros, crc)
        out.write(piece(b"", zlib.Z_FINISH))
        size = (len(data) + (a.bomb_mib << 20)) & 0xffffffff
        out.write(struct.pack("<II", crc & 0xffffffff, size))
    else:
        n = max(1, a.members)
        step = -(-len(data) // n) if data else 0
        for i in range(n):
            part = data[i * step:(i + 1) * step]
            c = zlib.compressobj(6, zlib.DEFLATED, 31)
            out.write(c.compress(part) + c.flush())
