"""Mixer profile 10 of the spec decoder: bytes with more contexts, sized to
the segment, written from docs/FORMAT.md "Profile 10: bytes with more
contexts, sized to the segment (mbz 0.16.0)" alone.

Why it is a module of its own: FORMAT.md specifies profile 10 as profile 7
plus what it adds (four contexts in the same nibble table, 70 inputs, F1)
and what it sizes or steps otherwise (the nibble table's L, APM2's b2, the
weight sets' rate), so this file subclasses profile7.py's Profile7Mixer and
writes out only that: begin_byte's contexts 27..30, their inputs' slots,
F1 in end_byte, and the hooks Profile5Mixer reads the sizes and the rate
from. decode_mixed.py builds a Profile10Mixer for a segment whose profile
byte is 10.

As in decode_mixed.py, every docstring opens with the FORMAT.md paragraph it
implements, as [Profile 10: paragraph]; names follow the document's.

Speed: about 0.85 times profile 7's (31 contexts and 70 inputs against 27
and 62).
"""

import decode_mixed as dm
from decode_mixed import char_class, hash2
from profile7 import Profile7Mixer

CONTEXTS = 31            # base[0..26] profile 7's, base[27..30] profile 10's
INPUTS = 70
SLOT_MORE = 62           # 62 + 2j, 63 + 2j: context 27 + j (j = 0..3)
FIRST_MORE = 27


class Profile10Mixer(Profile7Mixer):
    """[Profile 10: bytes with more contexts, sized to the segment] The mixer
    of one profile-10 mixed segment of n bytes: profile 7's with 31
    contexts, 70 inputs, F1, its own L and b2, and the stepped rate."""

    contexts = CONTEXTS
    inputs = INPUTS

    def __init__(self, n):
        self.F1 = [0] * 256      # u16: the two bytes that last followed a byte
        super().__init__(n)      # profile 7's state over 31 contexts and 70 inputs;
                                 # its last step runs our begin_byte for byte 0

    def nt_lines(self, n):
        """[Profile 10: State] L = (the least of 2^22..2^26 that is >= 256n,
        or 2^26) / 64."""
        for e in range(22, 27):
            if (1 << e) >= 256 * n:
                return (1 << e) // 64
        return (1 << 26) // 64

    def order2_bits(self, n):
        """[Profile 10: State] b2: the least of 4..10 with 2^(b2+8) >= n, or 10."""
        for b2 in range(4, 11):
            if (1 << (b2 + 8)) >= n:
                return b2
        return 10

    def rate(self):
        """[Profile 10: update(bit)] rate = 20 + (20 >> min(len >> 14, 5))."""
        return 20 + (20 >> min(len(self.hist) >> 14, 5))

    def begin_byte(self):
        """[Profile 10: Contexts] base[27..30], computed before profile 7's
        begin_byte (which ends in find_slots(1)); they read nothing
        base[0..26] or a2 write."""
        hist = self.hist
        c1, c2, c3 = self.back(1), self.back(2), self.back(3)
        col = len(hist) - self.line
        above = hist[self.pline + col] if (self.line > 0 and self.pline + col < self.line) else 0
        above_next = hist[self.pline + col + 1] if (self.line > 0 and self.pline + col + 1 < self.line) else 0
        self.base_more = [
            hash2(self.word, hash2(self.word2, 205)),                                       # 27 word, the word two back
            hash2(c1 | self.F1[c1] << 8, 207),                                              # 28 last byte, its two last followers
            hash2(char_class(c1) | char_class(c2) << 8 | char_class(c3) << 16, hash2(c1, 211)),  # 29 classes, last byte
            hash2(above | above_next << 8 | c1 << 16, 213),                                 # 30 above, above next, last byte
        ]
        super().begin_byte()

    def find_slots(self, nib):
        """[Profile 10: Contexts] find_slots(nib), contexts 0..30 in order."""
        base = self.base + self.base_structure + self.base_more
        self.slot = [self.find(hash2(base[i], nib)) for i in range(CONTEXTS)]

    def input_of(self, i):
        """[Profile 10: predict] Context i's two inputs: profile 7's for
        0..26, then 62 + 2j for context 27 + j."""
        return super().input_of(i) if i < FIRST_MORE else SLOT_MORE + 2 * (i - FIRST_MORE)

    def end_byte(self, y):
        """[Profile 10: update(bit)] F1[back(1)] = (F1[back(1)] << 8 | y) &
        0xFFFF before y joins hist, then profile 7's end_byte(y)."""
        c1 = self.back(1)
        self.F1[c1] = (self.F1[c1] << 8 | y) & 0xFFFF
        super().end_byte(y)


assert dm.P5_CONTEXTS + 9 == FIRST_MORE
