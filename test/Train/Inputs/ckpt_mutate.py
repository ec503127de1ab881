#!/usr/bin/env python3
"""ckpt_mutate.py MODE IN OUT: a damaged copy of a dc-train checkpoint
(format 2, include/dc/TrainLoop/Checkpoint.h).

  flip      one bit of the parameters flipped (checksum left as it was)
  truncate  the last 100 bytes cut
  v1        the magic of format 1 (the format before checksums)
  step      the step past the end of its epoch, optimizer steps to match,
            the checksum made right again (only the range check refuses it)
  nanloss   the epoch's loss sum NaN, the checksum made right again
"""
import struct
import sys

mode, src, dst = sys.argv[1:4]
b = bytearray(open(src, "rb").read())
assert b[:8] == b"DCCKPT02", b[:8]


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for c in data:
        h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
    return h


def reseal():
    struct.pack_into("<Q", b, 8, fnv1a64(b[16:]))


images, batch, epoch, step, steps = struct.unpack_from("<QQQQQ", b, 24)
if mode == "flip":
    b[len(b) // 2] ^= 0x10
elif mode == "truncate":
    del b[-100:]
elif mode == "v1":
    b[6:8] = b"01"
elif mode == "step":
    per_epoch = (images + batch - 1) // batch
    struct.pack_into("<QQ", b, 48, per_epoch + 7, epoch * per_epoch + per_epoch + 7)
    reseal()
elif mode == "nanloss":
    struct.pack_into("<d", b, 64, float("nan"))
    reseal()
else:
    sys.exit("unknown mode " + mode)
open(dst, "wb").write(b)
