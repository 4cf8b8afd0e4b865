#!/usr/bin/env python3
"""jug_read.py - the results of a jug.h store, read in Python without the C program.

    python3 jug_read.py STORE HASH...                  print results as `PROG value` does
    python3 jug_read.py STORE --listing FILE TASK...   TASK: name, name[i], name[*] or a hash prefix,
                                                       found in FILE, what `PROG value --hashes` printed
STORE is a file store's directory (PROG.jugdata) or redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]
(which needs the `redis` module: Debian's python3-redis). Exit status 0, or 1 with one line on
stderr (a task not finished, a corrupt result, a store of another format), or 2 for a bad call.

As a module (one file, no dependency; arrays are numpy arrays where numpy is installed, else
array.array):
    import jug_read
    store = jug_read.open_store("prog.jugdata")
    tasks = jug_read.read_listing("hashes.txt")      # {name: [hash of name[0], name[1], ...]}
    x = store.load(tasks["wave"][3])                 # or store.load_task(tasks, "wave[3]")
    xs = store.load_task(tasks, "wave[*]")           # a list, in the order of the name's tasks

Values: null -> None, bool, int, double -> float, string -> str (bytes that are not UTF-8 kept
as surrogates: str.encode("utf-8", "surrogateescape") gives them back), bytes -> bytes,
f64/f32/i32/i64/u8 arrays -> numpy arrays of float64/float32/int32/int64/uint8 (or array.array
'd'/'f'/'i'/'q'/'B'), lists -> list.

It reads what jug.h reads, by jug.h's rules (its STORE FORMAT comment; README "Store format"):
a result file results/ab/cdef..., or a record of a pack blocks/<block>/p.* that no tombstone
(blocks/<block>/x.*) names, the last intact record of a task in the packs as listed; a packed
copy that is indexed is read before the file, and the packs are indexed when a task has no
file. Every result's checksum is verified; a corrupt or truncated result raises Corrupt, a
result or store of another format version VersionMismatch, a task with no result NotFound.
It never writes: a corrupt result is reported, not moved aside as jug.h does.
"""
import errno
import itertools
import os
import re
import stat
import struct
import sys
import time

try:
    import numpy
except ImportError:  # (arrays are then array.array)
    numpy = None

FORMAT_VERSION = 1  # of results
STORE_FORMATS = (1, 2)  # of stores' layouts (they differ in how blocks are cut, which a reader does not use)
__all__ = ["open_store", "load", "read_listing", "select", "to_json", "JugReadError", "NotFound", "Corrupt",
           "VersionMismatch", "FileStore", "RedisStore"]


class JugReadError(Exception):
    """A result or store that cannot be read; str() is one line for a person."""


class NotFound(JugReadError, KeyError):
    def __str__(self):
        return str(self.args[0]) if self.args else "not found"


class Corrupt(JugReadError):
    pass


class VersionMismatch(JugReadError):
    pass


class _Gone(Exception):
    """A file its block's listing showed is gone: the block is read again."""


# >>checksum: jug.h's hash (>>hash), the first half of it, little-endian
_M = (1 << 64) - 1
_KEY = (0x97b1165f0971b7c4, 0xd13c513a42f8eda1, 0x8a8318174d645fa6, 0x25abd89bd67e4d92,
        0x48a7c8252abc5619, 0x3cbb7daa64c184fa, 0xf15ce760f3e452f2, 0xeca9bad1449e78e4,
        0xcbc16f01162794bf, 0x76e9c8092966493d, 0xf4d6d23508bd9d96, 0x29ec148cead50263,
        0x343a2c9fbed3e91c, 0x959575fe0a734d03, 0xbdcdc219fe72c33b, 0x7d791a3ca63cf5f9,
        0xb79db4df2694e1f7, 0xcc9ff851b6ab9f1a, 0x0727d4dad921bf95, 0x72488b810dfafe39,
        0xef4d6ee6dda4dd1e, 0xe14c1d7e84488709, 0xbc2c8e3e93afd954, 0xf9fc2f72a562d07c)
_BLOCK = struct.Struct("<128Q")  # 16 stripes of 8 words
_STRIPE = struct.Struct("<8Q")


def _mix(x):
    x ^= x >> 31
    x = (x * 0xd13c513a42f8eda1) & _M
    x ^= x >> 29
    x = (x * 0x8a8318174d645fa7) & _M
    return x ^ (x >> 32)


def _stripes(acc, words, first):
    """jug__stripes over the stripes in words (8 a stripe), stripe s keyed from first + s."""
    for s in range(len(words) // 8):
        for i in range(8):
            v = words[8 * s + i]
            k = v ^ _KEY[first + s + i]
            acc[i ^ 1] += v
            acc[i] += (k & 0xffffffff) * (k >> 32)
    for i in range(8):
        acc[i] &= _M


def _scramble(acc):
    for i in range(8):
        a = acc[i]
        a ^= a >> 47
        a ^= _KEY[16 + i]
        acc[i] = (a * 0x9e3779b185ebca87) & _M


def _block_sums_numpy(data, nblocks):
    """Per 16-stripe block, what its stripes add to each lane (as jug__stripes does), in pieces."""
    keys = numpy.array([[_KEY[j + i] for i in range(8)] for j in range(16)], dtype=numpy.uint64)
    low, shift, swap = numpy.uint64(0xffffffff), numpy.uint64(32), [1, 0, 3, 2, 5, 4, 7, 6]
    words = numpy.frombuffer(data, dtype="<u8", count=nblocks * 128).reshape(nblocks, 16, 8)
    for start in range(0, nblocks, 4096):
        w = words[start:start + 4096].astype(numpy.uint64, copy=False)
        k = w ^ keys
        sums = ((k & low) * (k >> shift)).sum(axis=1, dtype=numpy.uint64)
        sums += w.sum(axis=1, dtype=numpy.uint64)[:, swap]
        yield from sums.tolist()


def checksum(data):
    """The 8-byte checksum jug.h stores after a result (of its header and payload)."""
    n = len(data)
    acc = [_KEY[i] ^ _KEY[23 - i] for i in range(8)]
    nblocks = n // 1024
    if numpy is not None and nblocks >= 16:
        for sums in _block_sums_numpy(data, nblocks):
            for i in range(8):
                acc[i] = (acc[i] + sums[i]) & _M
            _scramble(acc)
    else:
        for b in range(nblocks):
            _stripes(acc, _BLOCK.unpack_from(data, 1024 * b), 0)
            _scramble(acc)
    at = nblocks * 1024
    full = (n - at) // 64
    if full:
        _stripes(acc, struct.unpack_from("<%dQ" % (8 * full), data, at), 0)
    at += 64 * full
    if at < n:
        _stripes(acc, _STRIPE.unpack(bytes(data[at:n]) + bytes(64 - (n - at))), 11)
    lo = _mix(n ^ _KEY[0])
    for a in acc:
        lo = _mix(lo ^ a)
    return lo.to_bytes(8, "little")


# >>decode: jug_decode_stream's checks, in its order
_HEADER, _TRAILER, _MAX_DEPTH = 32, 8, 200
_NULL, _BOOL, _INT, _DOUBLE, _STRING, _BYTES, _F64, _F32, _I32, _I64, _U8, _LIST = range(12)
_ARRAYS = {_F64: ("<f8", "d", 8), _F32: ("<f4", "f", 4), _I32: ("<i4", "i", 4), _I64: ("<i8", "q", 8),
           _U8: ("|u1", "B", 1)}
_TYPECODES = {"d": _F64, "f": _F32, "i": _I32, "q": _I64, "B": _U8}
_U64 = struct.Struct("<Q")


def _typecode(code, size):
    import array
    if array.array(code).itemsize == size:
        return code
    for other in ("i", "l", "q"):  # (the C int of that size)
        if array.array(other).itemsize == size:
            return other
    raise JugReadError("this Python has no array type of %d-byte integers" % size)


class _Decoder:
    def __init__(self, buf, start, payload):
        self.buf, self.pos, self.payload, self.owed = buf, start, payload, 0

    def take(self, n):
        if n > self.payload - self.owed:
            raise Corrupt("corrupt result: a length runs past the end")
        self.payload -= n
        self.pos += n
        return self.pos - n

    def u64(self):
        return _U64.unpack_from(self.buf, self.take(8))[0]

    def value(self, depth):
        if depth > _MAX_DEPTH:
            raise Corrupt("corrupt result: nested too deep")
        tag = int(self.buf[self.take(1)])
        if tag == _NULL:
            return None
        if tag == _BOOL:
            b = int(self.buf[self.take(1)])
            if b > 1:
                raise Corrupt("corrupt result: bad bool")
            return b == 1
        if tag == _INT:
            return struct.unpack_from("<q", self.buf, self.take(8))[0]
        if tag == _DOUBLE:
            return struct.unpack_from("<d", self.buf, self.take(8))[0]
        if tag == _LIST:
            n = self.u64()
            if n > self.payload - self.owed:
                raise Corrupt("corrupt result: bad list length")
            self.owed += n
            items = []
            for _ in range(n):
                self.owed -= 1
                items.append(self.value(depth + 1))
            return items
        if tag not in _ARRAYS and tag not in (_STRING, _BYTES):
            raise Corrupt("corrupt result: unknown type %d" % tag)
        size = _ARRAYS[tag][2] if tag in _ARRAYS else 1
        n = self.u64()
        if n > (self.payload - self.owed) // size:
            raise Corrupt("corrupt result: bad length")
        at = self.take(n * size)
        if tag == _STRING:
            return bytes(self.buf[at:at + n]).decode("utf-8", "surrogateescape")
        if tag == _BYTES:
            return bytes(self.buf[at:at + n])
        descr, code, _ = _ARRAYS[tag]
        if numpy is not None:
            a = numpy.frombuffer(self.buf, dtype=descr, count=n, offset=at)
            if not a.dtype.isnative:
                a = a.astype(a.dtype.newbyteorder("="))
            return a if a.flags.aligned and a.flags.writeable else a.copy()
        import array
        a = array.array(_typecode(code, size))
        a.frombytes(bytes(self.buf[at:at + n * size]))
        if sys.byteorder == "big" and size > 1:
            a.byteswap()
        return a


def _buffer(n, at=41):
    """A writable buffer of n bytes; with numpy, placed so that byte `at` (a top-level array's
    first element) is 16-byte aligned, so that array is used where it was read, uncopied."""
    if numpy is None:
        return bytearray(n)
    raw = numpy.empty(n + 16, dtype=numpy.uint8)
    pad = (-(raw.ctypes.data + at)) % 16
    return raw[pad:pad + n]


def decode(buf):
    """The value of one stored result (a result file's bytes, or a pack record's result)."""
    total = len(buf)
    if total < _HEADER + _TRAILER:
        raise Corrupt("truncated result (%d bytes)" % total)
    if bytes(buf[:4]) != b"JUGR":
        raise Corrupt("not a jug.h result (bad magic)")
    version = int(buf[4]) + 256 * int(buf[5])
    if version != FORMAT_VERSION:
        raise VersionMismatch("result written in format version %d; jug_read.py reads version %d"
                              % (version, FORMAT_VERSION))
    payload = _U64.unpack_from(buf, 8)[0]
    if payload != total - _HEADER - _TRAILER:
        raise Corrupt("truncated result: %d bytes, the header says %d" % (total, payload + _HEADER + _TRAILER))
    d = _Decoder(buf, _HEADER, payload)
    v = d.value(0)
    if d.payload:
        raise Corrupt("corrupt result: %d stray bytes" % d.payload)
    if checksum(memoryview(buf)[:total - _TRAILER]) != bytes(buf[total - _TRAILER:]):
        raise Corrupt("corrupt result: checksum mismatch")
    return v


def _intact(buf):
    """jug__intact: a whole result of this format whose checksum holds (not decoded)."""
    n = len(buf)
    return (n >= _HEADER + _TRAILER and bytes(buf[:4]) == b"JUGR" and buf[4] + 256 * buf[5] == FORMAT_VERSION
            and _U64.unpack_from(buf, 8)[0] == n - _HEADER - _TRAILER
            and checksum(memoryview(buf)[:n - _TRAILER]) == bytes(buf[n - _TRAILER:]))


def _hash(h):
    h = h.lower() if isinstance(h, str) else str(h)
    if len(h) != 32 or not re.fullmatch(r"[0-9a-f]{32}", h):
        raise ValueError("%r is not a task hash (32 hex digits)" % (h,))
    return h


# >>filestore
_PACK_MAX = 65536
_RECORD_HEAD = 24
_BLOCK_MAX = 256
_PACKFILE_MAX = 2 * _BLOCK_MAX * (_RECORD_HEAD + _PACK_MAX)
_GRAVES_MAX = 1 << 20
_DIRS = ("results", "blocks", "locks", "failed", "corrupt", "tmp")


def _check_store_format(where, found):
    if found not in STORE_FORMATS:
        raise VersionMismatch("store %s was written in format %d; jug_read.py reads formats %d to %d"
                              % (where, found, STORE_FORMATS[0], STORE_FORMATS[-1]))


class FileStore:
    """A jug.h file store (a directory), read only."""

    def __init__(self, path):
        self.where = str(path)
        self.index = None  # task hash (hex) -> (pack path, offset of its result, size): built when needed
        if not os.path.isdir(self.where):
            raise NotFound("no store at %s" % self.where)
        marker = self._slurp("jugstore", 127)
        if marker is None:
            if any(name not in _DIRS for name in os.listdir(self.where)):
                raise JugReadError("%s is not a jug.h store (no jugstore file)" % self.where)
            return  # (an empty store, as execute makes it: nothing is stored yet)
        m = re.match(rb"\s*jug\.h\s*file\s*store\s*([-+]?\d+)", marker)
        if not m:
            raise Corrupt("%s/jugstore is not a jug.h store marker" % self.where)
        _check_store_format(self.where, int(m.group(1)))

    def _open(self, rel):
        """jug__fs_open_file: (fd, size) of a regular file, never through a link; None if missing."""
        path = os.path.join(self.where, rel)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
                         | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError as e:
            if e.errno in (errno.ENOENT, errno.ESTALE):
                return None
            if e.errno == errno.ELOOP:
                raise Corrupt("%s is a symbolic link" % path)
            raise JugReadError("opening %s: %s" % (path, e.strerror))
        try:
            sb = os.fstat(fd)
        except OSError as e:
            os.close(fd)
            if e.errno == errno.ESTALE:  # (removed since it was opened, on NFS)
                return None
            raise JugReadError("reading %s: %s" % (path, e.strerror))
        if not stat.S_ISREG(sb.st_mode):
            os.close(fd)
            raise Corrupt("%s is not a regular file" % path)
        return fd, sb.st_size

    def _open_ours(self, rel):
        """_open, with a file that is not ours (a link, not a regular file) read as missing: None."""
        try:
            return self._open(rel)
        except Corrupt:
            return None

    def _read_fd(self, fd, size, rel, at=41):
        buf = _buffer(size, at)
        view, got = memoryview(buf), 0
        with os.fdopen(fd, "rb", buffering=0) as f:
            while got < size:
                k = f.readinto(view[got:])
                if not k:
                    raise Corrupt("truncated result %s (it shrank while read)" % rel)
                got += k
        return buf

    def _slurp(self, rel, most, listed=False):
        """jug__fs_slurp: the whole file, or None if it is missing (or removed while read: ESTALE on
        NFS) or no file of ours. listed: a tombstone its block's listing showed, which goes only
        after the packs it names (B8): its going raises _Gone, and the block is read again."""
        try:
            opened = self._open(rel)
        except Corrupt:
            return None  # (not a file of ours: skipped, kept or not, as jug.h does)
        if opened is not None:
            fd, size = opened
            if size > most:
                os.close(fd)
                return None
            try:
                return bytes(self._read_fd(fd, size, rel))
            except Corrupt:
                return None
            except OSError as e:
                if e.errno != errno.ESTALE:
                    raise JugReadError("reading %s: %s" % (os.path.join(self.where, rel), e.strerror))
        if listed:
            raise _Gone(rel)
        return None

    # the packs: jug__fs_read_block, jug__fs_read_graves, jug__fs_read_pack
    def _read_blocks(self):
        self.index = {} if self.index is None else self.index
        blocks = os.path.join(self.where, "blocks")
        if not os.path.isdir(blocks) or os.path.islink(blocks):
            return
        with os.scandir(blocks) as it:
            names = [e.name for e in it if len(e.name) == 32]
        for name in names:
            self._read_block(name)

    def _read_block(self, hexname):
        rel = "blocks/" + hexname
        path = os.path.join(self.where, rel)
        if os.path.islink(path) or not os.path.isdir(path):
            return
        for round in itertools.count():
            try:
                with os.scandir(path) as it:
                    names = [e.name for e in it]
            except (FileNotFoundError, NotADirectoryError):
                return
            try:
                graves = self._read_graves(rel, names)
                break
            except _Gone:  # (removed by a claimer since the listing, after the packs it named: B8)
                time.sleep(min(0.01 * round, 0.1))
        for name in names:
            if name.startswith("p."):
                self._read_pack(rel + "/" + name, name, graves)

    def _read_graves(self, rel, names):
        graves = set()
        for name in names:
            if name.startswith("x."):
                text = self._slurp(rel + "/" + name, _GRAVES_MAX, listed=True)
                for line in (text or b"").split(b"\n"):
                    f = line.split()
                    if len(f) >= 3 and f[1].isdigit() and re.fullmatch(rb"[0-9a-f]{32}", f[2]):
                        graves.add((f[0].decode("utf-8", "surrogateescape"), int(f[1]), f[2].decode()))
        return graves

    def _read_pack(self, rel, name, graves):
        buf = self._slurp(rel, _PACKFILE_MAX)
        if buf is None:
            return
        off, n = 0, len(buf)
        while off + _RECORD_HEAD <= n and buf[off:off + 4] == b"JUGP":
            size = struct.unpack_from("<I", buf, off + 4)[0]
            if size > n - off - _RECORD_HEAD:
                break  # cut short
            h = buf[off + 8:off + 24].hex()
            at = off + _RECORD_HEAD
            if _intact(memoryview(buf)[at:at + size]) and (name, at, h) not in graves:
                self.index[h] = (rel, at, size)
            off = at + size

    def _read_record(self, h, entry):
        """jug__fs_read_record: the result bytes of h's record, or None if another record or
        nothing is there now."""
        rel, at, size = entry
        opened = self._open_ours(rel)
        if opened is None:
            return None
        fd, _ = opened
        try:
            os.lseek(fd, at - _RECORD_HEAD, os.SEEK_SET)
            head = os.read(fd, _RECORD_HEAD)
            if (len(head) != _RECORD_HEAD or head[:4] != b"JUGP" or struct.unpack_from("<I", head, 4)[0] != size
                    or head[8:24].hex() != h):
                os.close(fd)
                return None
        except OSError as e:
            os.close(fd)
            if e.errno == errno.ESTALE:  # removed while read (NFS), as a pack B8 removes
                return None
            raise
        try:
            return self._read_fd(fd, size, rel)
        except Corrupt:
            return None
        except OSError as e:
            if e.errno == errno.ESTALE:
                return None
            raise

    def _load_packed(self, h):
        """jug__fs_load_packed: (found, value)."""
        for _ in range(2):
            entry = self.index.get(h) if self.index is not None else None
            if entry is None:
                return False, None
            buf = self._read_record(h, entry)
            if buf is not None:
                return True, decode(buf)
            if self.index.get(h) == entry:  # not there any more: forget it, look at its block again
                del self.index[h]
            self._read_block(entry[0].split("/")[1])
        return False, None

    def locate(self, h):
        """Where h's result would be read from: "results/ab/cd...", "blocks/B/p.NAME@OFFSET", or None."""
        h = _hash(h)
        if self.index is not None and h in self.index:
            rel, at, _ = self.index[h]
            return "%s@%d" % (rel, at)
        rel = "results/%s/%s" % (h[:2], h[2:])
        if os.path.lexists(os.path.join(self.where, rel)):
            return rel
        if self.index is None:
            self._read_blocks()
            if h in self.index:
                return self.locate(h)
        return None

    def load(self, h):
        """The value of task h's result (h: 32 hex digits)."""
        h = _hash(h)
        found, v = self._load_packed(h)  # the packs indexed first: a packed result has no file
        if found:
            return v
        rel = "results/%s/%s" % (h[:2], h[2:])
        opened = self._open(rel)
        if opened is None:
            self._read_blocks()  # packed, perhaps in a pack not read yet
            found, v = self._load_packed(h)
            if found:
                return v
            raise NotFound("no result %s" % rel)
        fd, size = opened
        try:
            return decode(self._read_fd(fd, size, rel))
        except Corrupt as e:
            raise Corrupt("%s/%s: %s" % (self.where, rel, e))

    load_task = None  # (set below)


# >>redis: jug_redis.h's keys
_REDIS_HEAD = 40
_REDIS_MAX_CHUNK = 64 << 20
_REDIS_DEFAULT_MAX = 512 << 20


class RedisStore:
    """A jug.h redis store (redis://...), read only; needs the redis module."""

    def __init__(self, url):
        try:
            import redis
        except ImportError:
            raise JugReadError("%s: reading a redis store needs Python's redis module (Debian: python3-redis)" % url)
        self.where = url
        self.r = redis.Redis.from_url(url)
        try:
            marker = self.r.get("jug:store")
        except redis.RedisError as e:
            raise JugReadError("%s: %s" % (url, e))
        if marker is not None:
            m = re.match(rb"\s*jug\.h\s*redis\s*store\s*([-+]?\d+)", marker)
            if not m:
                raise Corrupt("%s: the key jug:store holds %r, not a jug.h store marker" % (url, marker[:40]))
            _check_store_format(url, int(m.group(1)))
        most = 0
        try:
            conf = self.r.config_get("proto-max-bulk-len")
            most = int(conf.get("proto-max-bulk-len", 0))
        except (redis.RedisError, ValueError):
            pass
        value_max = most if most >= (1 << 20) else _REDIS_DEFAULT_MAX
        self.chunk_limit = max(value_max, _REDIS_MAX_CHUNK)

    def locate(self, h):
        h = _hash(h)
        return "jug:result:" + h if self.r.exists("jug:result:" + h) else None

    def _chunked(self, h, head):
        """The bytes of a chunked result whose head is `head` (jug_redis__check_head, _check_chunks)."""
        version = head[4] + 256 * head[5]
        total, chunk, count = struct.unpack_from("<QQQ", head, 8)
        if version != FORMAT_VERSION:
            raise VersionMismatch("jug:result:%s was written in format %d; jug_read.py reads format %d"
                                  % (h, version, FORMAT_VERSION))
        if chunk == 0 or chunk > self.chunk_limit:
            raise Corrupt("corrupt head of a chunked result: a chunk size of %d bytes (at most %d)"
                          % (chunk, self.chunk_limit))
        if total < _HEADER + _TRAILER:
            raise Corrupt("corrupt head of a chunked result: a total of %d bytes" % total)
        if count != total // chunk + (total % chunk != 0):
            raise Corrupt("corrupt head of a chunked result: %d chunks of %d bytes for %d bytes"
                          % (count, chunk, total))

        def want(i):
            return chunk if i + 1 < count else total - (count - 1) * chunk

        def bad(i, got):
            key = "jug:chunk:%s:%d" % (h, i)
            if got is None or got <= 0:
                return Corrupt("chunk %d of %d (%s) is missing" % (i, count, key))
            return Corrupt("chunk %d of %d (%s) holds %d bytes, its head says %d" % (i, count, key, got, want(i)))

        for first in range(0, count, 256):
            p = self.r.pipeline(transaction=False)
            for i in range(first, min(count, first + 256)):
                p.strlen("jug:chunk:%s:%d" % (h, i))
            for k, got in enumerate(p.execute()):
                if got != want(first + k):
                    raise bad(first + k, got)
        buf = _buffer(total)
        at = 0
        for i in range(count):
            piece = self.r.get("jug:chunk:%s:%d" % (h, i))
            if piece is None or len(piece) != want(i):
                raise bad(i, None if piece is None else len(piece))
            buf[at:at + len(piece)] = piece if numpy is None else numpy.frombuffer(piece, dtype=numpy.uint8)
            at += len(piece)
        return buf

    def _decode(self, h, raw):
        if len(raw) == _REDIS_HEAD and raw[:4] == b"JUGC":
            return decode(self._chunked(h, raw))
        if raw[:4] != b"JUGR":
            raise Corrupt("not a jug.h result: it holds %r" % raw[:24])
        buf = _buffer(len(raw))
        buf[:] = raw if numpy is None else numpy.frombuffer(raw, dtype=numpy.uint8)
        return decode(buf)

    def load(self, h):
        h = _hash(h)
        key = "jug:result:" + h
        for attempt in range(3):
            raw = self.r.get(key)
            if raw is None:
                raise NotFound("no result " + key)
            try:
                return self._decode(h, raw)
            except (Corrupt, VersionMismatch) as e:
                if attempt < 2 and self.r.get(key) != raw:
                    continue  # stored again while we read it: read again
                raise type(e)("%s: %s" % (key, e) if not str(e).startswith("jug:result:") else str(e))

    load_task = None


def open_store(where):
    """A store to read: a file store's directory, or redis://... ."""
    if isinstance(where, (FileStore, RedisStore)):
        return where
    where = str(where)
    if where.startswith("redis://"):
        return RedisStore(where)
    if "://" in where:
        raise JugReadError("%s: unknown store scheme" % where)
    return FileStore(where)


def load(store, h):
    """The value of task h's result in store (a path, a redis:// URL or an open store)."""
    return open_store(store).load(h)


# >>listing: what `PROG value --hashes` prints, a line "name[i] HASH" per task
def read_listing(path):
    """{name: [hash of name[0], name[1], ...]} from a listing file (or its text, given as a list of lines)."""
    lines = open(path).read().splitlines() if isinstance(path, (str, os.PathLike)) else list(path)
    tasks = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        m = re.fullmatch(r"(.+)\[(\d+)\] ([0-9a-f]{32})", line.strip())
        if not m:
            raise JugReadError("%s:%d: not a line of `value --hashes` (name[i] HASH): %r" % (path, number, line))
        hashes = tasks.setdefault(m.group(1), [])
        if int(m.group(2)) != len(hashes):
            raise JugReadError("%s:%d: %s comes out of order" % (path, number, line.split()[0]))
        hashes.append(m.group(3))
    return tasks


def select(tasks, sel):
    """The (label, hash) pairs of sel (name, name[i], name[*] or a hash prefix of 4 digits or more),
    as jug.h's value selects them, and whether it is name[*]: ([...], star)."""
    star = sel.endswith("[*]")
    br = sel.find("[")
    name, index = (sel[:br] if br >= 0 else sel), None
    if br >= 0 and not star:
        m = re.fullmatch(r"\[(\d+)\]", sel[br:])
        if not m:
            return [], False
        index = int(m.group(1))
    prefix = br < 0 and len(sel) >= 4 and re.fullmatch(r"[0-9a-f]+", sel) is not None
    picked = []
    for n, hashes in tasks.items():
        for i, h in enumerate(hashes):
            if (n == name and (index is None or index == i)) or (prefix and h.startswith(sel)):
                picked.append(("%s[%d]" % (n, i), h))
    return picked, star


def _load_task(self, tasks, sel):
    """name[i] or a hash prefix of one task: its value; name or name[*]: the list of its tasks' values."""
    picked, star = select(tasks, sel)
    if not picked:
        raise NotFound("no task matches %r" % sel)
    values = [self.load(h) for _, h in picked]
    return values if star or len(values) > 1 else values[0]


FileStore.load_task = _load_task
RedisStore.load_task = _load_task


# >>json: the text `PROG value` prints (jug__json_value), as bytes
def _escapes():
    table = [bytes([c]) for c in range(256)]
    for c in range(0x20):
        table[c] = b"\\u%04x" % c
    table[ord("\n")], table[ord("\t")] = b"\\n", b"\\t"
    table[ord('"')], table[ord("\\")] = b'\\"', b"\\\\"
    return table


_ESCAPE = _escapes()


def _double(d):
    if d != d:
        return b'"NaN"'
    if d in (float("inf"), float("-inf")):
        return b'"Infinity"' if d > 0 else b'"-Infinity"'
    return b"%.17g" % d


def _array_type(v):
    if numpy is not None and isinstance(v, numpy.ndarray):
        return {"f8": _F64, "f4": _F32, "i4": _I32, "i8": _I64, "u1": _U8}.get(v.dtype.kind + str(v.dtype.itemsize))
    if type(v).__name__ == "array" and hasattr(v, "typecode"):
        return _TYPECODES.get(v.typecode)
    return None


def _json(v, out):
    if v is None:
        out.append(b"null")
    elif v is True or v is False:
        out.append(b"true" if v else b"false")
    elif isinstance(v, int):
        out.append(b"%d" % v)
    elif isinstance(v, float):
        out.append(_double(v))
    elif isinstance(v, str):
        out.append(b'"' + b"".join(_ESCAPE[c] for c in v.encode("utf-8", "surrogateescape")) + b'"')
    elif isinstance(v, bytes):
        out.append(b'{"bytes": "' + v.hex().encode() + b'"}')
    elif isinstance(v, list):
        out.append(b"[")
        for i, item in enumerate(v):
            if i:
                out.append(b", ")
            _json(item, out)
        out.append(b"]")
    else:
        kind = _array_type(v)
        if kind is None:
            raise TypeError("%s is no value a jug.h store holds" % type(v).__name__)
        items = v.tolist()
        if kind in (_F64, _F32):
            out.append(b"[" + b", ".join(_double(x) for x in items) + b"]")
        else:
            out.append(b"[" + b", ".join(b"%d" % x for x in items) + b"]")


def to_json(v):
    """The text (bytes, no newline) that `PROG value` prints for the value v."""
    out = []
    _json(v, out)
    return b"".join(out)


# >>cli
def _main(argv):
    prog = "jug_read.py"
    args, listing = list(argv[1:]), None
    if "--listing" in args:
        k = args.index("--listing")
        if k + 1 >= len(args):
            sys.stderr.write("%s: --listing needs a FILE (what PROG value --hashes printed)\n" % prog)
            return 2
        listing = args[k + 1]
        del args[k:k + 2]
    if len(args) < 2 or args[0] in ("-h", "--help"):
        asked = bool(args) and args[0] in ("-h", "--help")
        (sys.stdout if asked else sys.stderr).write("usage:\n" + __doc__.split("\n\n")[1] + "\n")
        return 0 if asked else 2
    out = sys.stdout.buffer
    try:
        store = open_store(args[0])
        tasks = read_listing(listing) if listing else None
        for sel in args[1:]:
            if tasks is None:
                picked, star = [("", _hash(sel))], False
            else:
                picked, star = select(tasks, sel)
                if not picked:
                    sys.stderr.write("%s: no task matches '%s' in %s\n" % (prog, sel, listing))
                    return 1
            many = star or len(picked) > 1
            text = [b"["] if many else []
            for i, (label, h) in enumerate(picked):
                try:
                    v = store.load(h)
                except NotFound:
                    out.write(b"".join(text) + (b"\n" if many else b""))
                    out.flush()
                    sys.stderr.write("%s: %s: not finished\n" % (prog, "%s %s" % (label, h[:12]) if label else h))
                    return 1
                if i:
                    text.append(b", ")
                _json(v, text)
            out.write(b"".join(text) + (b"]\n" if many else b"\n"))
    except ValueError as e:
        sys.stderr.write("%s: %s\n" % (prog, e))
        return 2
    except (JugReadError, OSError) as e:
        sys.stderr.write("%s: %s\n" % (prog, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
