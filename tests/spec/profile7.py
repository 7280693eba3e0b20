"""Mixer profile 7 of the spec decoder: bytes with structure contexts,
written from docs/FORMAT.md "Profile 7: bytes with structure contexts
(mbz 0.11.0)" alone.

Why it is a module of its own: FORMAT.md specifies profile 7 as profile 5
plus what it adds (nine structure contexts in the same nibble table, a
second match model, 62 inputs), so this file subclasses decode_mixed.py's
Profile5Mixer and writes out only what differs: the structure state
(TextStructure), the long match (LongMatch), begin_byte's contexts 18..26,
and predict and update over 27 contexts and 62 inputs. decode_mixed.py
builds a Profile7Mixer for a segment whose profile byte is 7.

As in decode_mixed.py, every docstring opens with the FORMAT.md paragraph it
implements, as [Profile 7: paragraph]; names follow the document's (depth,
openers, head, llen, LSM, ...).

Speed: three quarters of profile 5's (4.7 s for the 32,768 decisions of
v2-none-p7-gpl3-4k.mbz, where profile 5's file takes 3.7 s; about 1.6 s a
KiB against decode_mixed.py's 1.2 s for profile 5): half again as many
contexts and inputs; the weight sets' training is half of it.
"""

import decode_mixed as dm
from decode_mixed import P5_STRETCH, SM_HALF, hash2, ilog2, sm_update, table_bits

BASE_CONTEXTS = dm.P5_CONTEXTS         # base[0..17], profile 5's
CONTEXTS = BASE_CONTEXTS + 9           # base[18..26], the structure contexts
INPUTS = 62
# Legend of the inputs: 0..41 profile 5's (2i, 2i+1 context i; 36, 37 the
# match; 38, 39, 40 the model; 41 the bias), then:
SLOT_STRUCTURE = 42                    # 42 + 2j, 43 + 2j: context 18 + j (j = 0..8)
SLOT_LONG_MATCH = 60                   # 60, 61: the long match
OPENERS = {40: 1, 91: 2, 123: 3}       # ( [ {
CLOSERS = (41, 93, 125)                # ) ] }
SEPARATORS = (59, 44, 9, 124, 58, 61)  # ; , tab | : =
HEAD_TWO_BYTES = 0x10000               # the head's mark of two bytes
LONG_MIN = 12                          # the long match hashes, and must verify, 12 bytes
LONG_MAX = 65535                       # llen stops there
LONG_VERIFY = 1024                     # it verifies a candidate up to 1024 bytes back
LONG_SALT = 55


class TextStructure:
    """[Profile 7: The structure] The structure state; structure(y) after
    every byte."""

    def __init__(self):
        self.depth = 0
        self.openers = 0
        self.quote = 0
        self.indent = 0
        self.in_indent = 1
        self.head = 0
        self.column = 0
        self.field = 0
        self.separator = 0
        self.prev_head = 0

    def update(self, y):
        """[Profile 7: The structure] structure(y)."""
        if y in OPENERS:
            self.depth += 1
            self.openers = (self.openers << 2 | OPENERS[y]) & dm.U32   # u32: beyond 16, the outermost shift out
        elif y in CLOSERS and self.depth > 0:
            self.depth -= 1
            self.openers >>= 2
        if y == 34:
            self.quote ^= 1
        if y == 10:
            self.prev_head = self.head
            self.head = self.column = self.field = self.separator = self.quote = self.indent = 0
            self.in_indent = 1
            return
        self.column += 1
        blank = y == 32 or y == 9
        if self.head < HEAD_TWO_BYTES and not (self.in_indent and blank):
            self.head = ((self.head << 8 | y) | HEAD_TWO_BYTES) if self.head else (y | 0x100)
        if y in SEPARATORS:
            self.field += 1
            self.separator = y
        if self.in_indent and blank:
            self.indent += 1
        else:
            self.in_indent = 0


class LongMatch:
    """[Profile 7: The long match] LT, lptr, llen and LSM: repeats of 12
    bytes or more."""

    def __init__(self, bits):
        self.mask = (1 << bits) - 1    # LT has MT's 2^b entries
        self.LT = {}                   # initially all 0
        self.lptr = 0
        self.llen = 0
        self.LSM = [SM_HALF] * 64
        self.lmatched = 0

    def inputs(self, hist, c0, bp, x):
        """[Profile 7: The long match] x[60], x[61] and lmatched."""
        self.lmatched = 0
        llen = self.llen
        if llen > 0 and (hist[self.lptr] | 256) >> (8 - bp) == c0:
            e = ((hist[self.lptr] | 256) >> (7 - bp)) & 1       # the bit the repeat predicts
            lb = llen if llen < 16 else min(31, ilog2(llen) + 12)
            self.lsm_last = 2 * lb + e
            x[SLOT_LONG_MATCH] = P5_STRETCH[self.LSM[self.lsm_last] >> 20]
            x[SLOT_LONG_MATCH + 1] = min(2047, 32 * llen) if e else -min(2047, 32 * llen)
            self.lmatched = 1

    def update(self, bit):
        """[Profile 7: update] if lmatched: sm_update(LSM, bit)."""
        if self.lmatched:
            sm_update(self.LSM, self.lsm_last, bit)

    def end_byte(self, hist, y):
        """[Profile 7: The long match] long_end_byte(y), with y already in hist."""
        n = len(hist)
        if self.llen > 0 and hist[self.lptr] == y:
            self.lptr += 1
            self.llen = min(self.llen + 1, LONG_MAX)
        else:
            self.llen = 0
        if n < LONG_MIN:
            return
        h = 0
        for i in range(n - LONG_MIN, n):
            h = hash2(h, hist[i])
        index = hash2(h, LONG_SALT) & self.mask
        m = self.LT.get(index, 0)
        if self.llen == 0 and m > 0:
            r = 0
            while r < LONG_VERIFY and r < m and hist[m - 1 - r] == hist[n - 1 - r]:
                r += 1
            if r >= LONG_MIN:
                self.llen = r
                self.lptr = m
        self.LT[index] = n


class Profile7Mixer(dm.Profile5Mixer):
    """[Profile 7: bytes with structure contexts] The mixer of one profile-7
    mixed segment of n bytes: profile 5's (Profile5Mixer: its byte state,
    nibble table, contexts 0..17, match model, model inputs, selectors,
    final mixer and APMs) with 27 contexts, 62 inputs, the structure and
    the long match."""

    contexts = CONTEXTS
    inputs = INPUTS

    def __init__(self, n):
        self.structure = TextStructure()
        self.long = LongMatch(table_bits(n))
        super().__init__(n)     # profile 5's state, over 27 contexts and 62 inputs;
                                # its last step runs our begin_byte for byte 0

    def begin_byte(self):
        """[Profile 7: Contexts] begin_byte: base[0..17] and a2 as profile 5's,
        base[18..26], then find_slots(1) over the 27 (profile 5's begin_byte
        calls find_slots last, so base[18..26] are computed first; they read
        nothing base[0..17] writes)."""
        s = self.structure
        c1 = self.back(1)
        col = len(self.hist) - self.line
        above = self.hist[self.pline + col] if (self.line > 0 and self.pline + col < self.line) else 0
        d = min(s.depth, 15)
        nest = d | (s.openers & 0xFF) << 4 | s.quote << 12
        word, c4 = self.word, self.c4
        self.base_structure = [
            hash2(nest | c1 << 16, 125),                                            # 18 d, o, q, last byte
            hash2(d | min(s.indent, 63) << 4, hash2(word, 128)),                    # 19 d, indent, word so far
            hash2(nest, hash2(c4 & 0xFFFF, 130)),                                   # 20 d, o, q, last two bytes
            hash2(s.head | c1 << 16, hash2(min(s.column, 31), 133)),                # 21 head (bit 16 shared), column, c1
            hash2(min(s.field, 63) | c1 << 8, hash2(s.separator, 134)),             # 22 field, separator, c1
            hash2(s.head | c1 << 17, hash2(word, 136)),                             # 23 head, word so far, c1
            hash2(s.prev_head | c1 << 17, hash2(min(s.column, 63), 137)),           # 24 previous head, column, c1
            hash2(s.head, hash2(c4 & 0xFFFF, 138)),                                 # 25 head, last two bytes
            hash2(s.head | above << 17, hash2(c1, 139)),                            # 26 head, byte above, c1
        ]
        super().begin_byte()

    def find_slots(self, nib):
        """[Profile 7: Contexts] find_slots(nib), contexts 0..26 in order."""
        base = self.base + self.base_structure
        self.slot = [self.find(hash2(base[i], nib)) for i in range(CONTEXTS)]

    def input_of(self, i):
        """[Profile 7: predict] Context i's two inputs: 2i for 0..17, then
        42 + 2j for context 18 + j."""
        return 2 * i if i < BASE_CONTEXTS else SLOT_STRUCTURE + 2 * (i - BASE_CONTEXTS)

    def more_inputs(self, c0, bp, x):
        """[Profile 7: predict] The long match's inputs 60 and 61."""
        self.long.inputs(self.hist, c0, bp, x)

    def more_update(self, bit):
        """[Profile 7: update] The long match's state map."""
        self.long.update(bit)

    def end_byte(self, y):
        """[Profile 7: update] end_byte(y): profile 5's, then structure(y) and
        long_end_byte(y)."""
        super().end_byte(y)
        self.structure.update(y)
        self.long.end_byte(self.hist, y)
