"""Mixer profile 9 of the spec decoder: images of MED residuals with texture
contexts, written from docs/FORMAT.md "Profile 9: images with texture
contexts (mbz 0.13.0)" alone.

Why it is a module of its own: FORMAT.md specifies profile 9 as profile 6
plus what it adds (sixteen texture contexts hashed from the rebuilt pixels,
each a direct counter in the nibble slots of a table of its own and one
input; a ninth weight set chosen by three quantized gradients; a final
mixer of ten inputs; four more APMs), so this file writes out only that, on
profile6.py through its hooks: Profile9Numeric is a Profile6Numeric whose
begin_sample ends with the texture hashes, and Profile9Mixer a
Profile6Mixer (mixer_state, numeric_model, inputs, mix over mix_sets and
refine_apms, train_mix) whose update trains the texture counters first and
finds their slots after. decode_mixed.py builds a Profile9Mixer for a
segment whose profile byte is 9.

As in decode_mixed.py, every docstring opens with the FORMAT.md paragraph
it implements, as [Profile 9: paragraph]; names follow the document's (TH,
TB, tsel, TT, tslot, TC, W8, FW, APM3..APM6; W, N, ... the neighbours as
8 bits).

Speed: about 2,600 decisions a second (3.1 s a KiB) on 8-bit RGB, 0.7
times profile 6's: the nine weight sets dot and train 82 inputs instead of
eight sets 66, and every byte looks up 32 slots.
"""

import decode_mixed as dm
from decode_mixed import clamp, div_trunc, ilog2, stretch
import profile6 as p6
from profile6 import FinalMixer, Profile6Mixer, Profile6Numeric, as_byte, train_layers

TEXTURES = 16              # texture contexts, inputs 66..81
SLOT_TEXTURE = p6.N_INPUTS   # 66
N_INPUTS = SLOT_TEXTURE + TEXTURES   # 82
# The first-layer weight sets W0..W8: profile 6's eight, then W8 (tsel x 16 depths).
SET_COUNTS = p6.SET_COUNTS + (512 * 16,)
SET_RATES = p6.SET_RATES + (12,)
N_SETS = len(SET_COUNTS)   # 9
# The final mixer: 10 inputs, the sets' stretched outputs with the bias at slot 3.
FINAL_INPUTS = N_SETS + 1
FINAL_INITIAL = 65536 // N_SETS   # 7281
# APM3..APM6 (APM0..APM2 are profile 6's): GAP's expected residual byte, a
# texture hash, the weighted predictor's and the least squares' per channel.
APM_SHIFT_NEW = 7          # they move 1/128 of the way (profile 6's three 1/64)
APM_WEIGHTS_SUM = 12       # (r0 + r1 + 2 r2 + 2 (r3 + r4 + r5 + r6) + 6) / 12

# The texture contexts' hash tags ("Texture contexts"), by k.
TEXTURE_TAGS = (200, 203, 205, 206, 208, 213, 215, 216, 217, 218, 219, 220, 228, 229, 230, 231)

# The texture table ("The texture table").
TT_MIN_BYTES = 1 << 20
TT_MAX_BYTES = 1 << 26
TT_BYTES_PER_BYTE = 64     # of the segment
LINE_WORDS = 32            # u16 words a 64-byte line: two slots of a check and 15 counters
SLOT_WORDS = 16
COUNTER_FRESH = 2048 << 4  # p = 2048, n = 0
COUNT_MAX = 15


def qg(d):
    """[Profile 9: Texture contexts] qg(d): |d| in 8 levels, about its log2."""
    return 0 if d == 0 else min(7, 1 + ilog2(abs(d)))


def qs(d):
    """[Profile 9: Texture contexts] qs(d): a signed difference, 1..14
    (-1 and 0 both 7)."""
    return 8 - qg(d) if d < 0 else 7 + qg(d)


def clamp8(v):
    """[Profile 9: Texture contexts] clamp8(v)."""
    return clamp(v, 0, 255)


class APM7(dm.APM):
    """[Profile 9: update] An APM whose update7 moves the last cell 1/128 of
    the way ("Shared primitives"' update at 2^-7): APM3..APM6."""

    def update(self, bit):
        """[Profile 9: update] update7(A, bit)."""
        row, j = self.last
        row[j] += ((65535 if bit else 0) - row[j]) >> APM_SHIFT_NEW


class TextureTable:
    """[Profile 9: The texture table] TT: TL lines of 32 u16 words, two slots
    a line (word 0 of a slot its check, words 1..15 its counters), every
    word 0. Lines are created on first use. A slot is named by (line, the
    index of its first counter), a counter cell by (line, index), so that
    two contexts that find the same slot read and write the same words."""

    def __init__(self, n):
        size = TT_MIN_BYTES
        while size < TT_MAX_BYTES and size < TT_BYTES_PER_BYTE * n:
            size <<= 1
        self.TL = size // 64
        self.lines = {}

    def tfind(self, h):
        """[Profile 9: The texture table] tfind(h): the slot of check
        (h >> 16) | 1 in line h & (TL - 1); on a miss the slot whose first
        counter has seen fewer bits (slot 0 on a tie) is taken and cleared."""
        i = h & (self.TL - 1)
        line = self.lines.get(i)
        if line is None:
            line = self.lines[i] = [0] * LINE_WORDS
        chk = (h >> 16) | 1
        if line[0] == chk:
            return line, 1
        if line[SLOT_WORDS] == chk:
            return line, SLOT_WORDS + 1
        j = 0 if (line[1] & 15) <= (line[SLOT_WORDS + 1] & 15) else SLOT_WORDS
        line[j] = chk
        line[j + 1:j + SLOT_WORDS] = [COUNTER_FRESH] * (SLOT_WORDS - 1)
        return line, j + 1


def tinput(cell):
    """[Profile 9: predict] x[66 + k]: 0 for a counter that has seen no bit,
    else stretch(tp(c))."""
    line, i = cell
    c = line[i]
    return 0 if c & 15 == 0 else stretch(c >> 4)


def ttrain(cell, bit):
    """[Profile 9: The texture table] ttrain(c, bit): p moves 2/(2n + 3) of
    the way to 0 or 4095 (the step toward 4095 rounded up), n counts to 15."""
    line, i = cell
    c = line[i]
    p, k = c >> 4, c & 15
    target = 4095 if bit else 0
    step = div_trunc((target - p) * 2 + (2 * k + 2 if target > p else 0), 2 * k + 3)
    line[i] = clamp(p + step, 1, 4095) << 4 | min(k + 1, COUNT_MAX)


class Profile9Numeric(Profile6Numeric):
    """[Profile 9: As in profile 6] Profile 6's numeric model whole, whose
    begin_sample ends with the sample's texture hashes TH and tsel."""

    def begin_sample(self):
        """[Profile 9: Texture contexts] Profile 6's begin_sample, then the
        texture contexts of the sample."""
        super().begin_sample()
        self.texture_contexts()

    def texture_contexts(self):
        """[Profile 9: Pixels], [Profile 9: Texture contexts] TH[0..15] and
        tsel from the neighbours as 8 bits, MED8, P6X, P13X, te and act."""
        PX, t, C, R = self.PX, self.t, self.C, self.R
        s8 = self.bits - 8
        # [Profile 9: Pixels]
        W, N, NW, NE = PX[t - C] >> s8, PX[t - R] >> s8, PX[t - R - C] >> s8, PX[t - R + C] >> s8
        WW, NN = PX[t - 2 * C] >> s8, PX[t - 2 * R] >> s8
        if C > 1:
            PP, PW, PN = PX[t - 1] >> s8, PX[t - 1 - C] >> s8, PX[t - 1 - R] >> s8
        else:
            PP = PW = PN = 0
        m, mask = self.m, self.mask
        MED8 = m >> s8

        def px8(P):
            return clamp(((P + m) & mask) >> s8, 0, 255)

        P = self.P
        P6X, P13X = px8(P[6]), px8(P[13])
        ch = min(self.c, 3)
        hash2 = dm.hash2

        # [Profile 9: Texture contexts]
        def H(k, a, b=0, cc=0):
            return hash2(hash2(hash2(a, b), cc), TEXTURE_TAGS[k] << 2 | ch)

        def rel(v):
            return clamp8(v - MED8 + 128)

        self.TH = [
            H(0, W, N),
            H(1, clamp8(W + N - NW)),
            H(2, qs(W - NW) | qs(N - NW) << 4 | qs(N - NE) << 8, qs(W - WW) | qs(N - NN) << 4),
            H(3, W >> 2 | (N >> 2) << 8 | (NE >> 2) << 16, NW >> 2),
            H(4, clamp8(W + PP - PW), clamp8(N + PP - PN)),
            H(5, MED8, as_byte(P[13])),
            H(6, W >> 1, N >> 1, NE >> 3 | (NW >> 3) << 8),
            H(7, qs(W - N) | qs(NE - NW) << 4, (W + N) >> 3),
            H(8, self.te | self.act << 4, W >> 3, N >> 3),
            H(9, PP, W, N),
            H(10, PP, qs(PP - PW) | qs(PP - PN) << 4),
            H(11, P6X >> 2, P13X >> 2, MED8 >> 2),
            H(12, rel(W), rel(N)),
            H(13, rel(NE), rel(NW)),
            H(14, W, N, NW),
            H(15, rel(N), rel(NE), clamp8(div_trunc(NN - MED8, 2) + 128)),
        ]
        self.tsel = (qg(W - NW) * 8 + qg(N - NW)) * 8 + qg(N - NE)


class Profile9Mixer(Profile6Mixer):
    """[Profile 9] The mixer of one profile-9 mixed segment: profile 6's
    (Profile6Mixer), with the texture contexts and their table, 82 inputs,
    nine weight sets, a final mixer of ten inputs and seven APMs."""

    def __init__(self, shape, n):
        super().__init__(shape, n)
        self.begin_byte()       # after the numeric model's start

    def mixer_state(self, n):
        """[Profile 9: State] W0..W8 of 82 inputs, FW (10 inputs), APM0..APM6
        and the texture table TT."""
        self.W = [dm.WeightSets(count, N_INPUTS) for count in SET_COUNTS]
        self.FW = FinalMixer(p6.FINAL_SETS, FINAL_INPUTS, p6.FINAL_BIAS_SLOT, FINAL_INITIAL)
        self.APM0, self.APM1, self.APM2 = (dm.APM(c) for c in p6.APM_CONTEXTS)
        self.APM3 = APM7(1 << 16)
        self.APM4 = APM7(1 << 18)
        C = self.shape.stride // (self.shape.vf & dm.VF_BYTES_MASK)   # channels (the numeric model's C)
        self.APM5 = APM7(min(C, 4) << 16)
        self.APM6 = APM7(min(C, 4) << 16)
        self.TT = TextureTable(n)

    def numeric_model(self, shape):
        """[Profile 9: As in profile 6] Profile 6's numeric model with the
        texture hashes."""
        return Profile9Numeric(shape)

    # --- the texture slots ----------------------------------------------------

    def begin_byte(self):
        """[Profile 9: Byte hashes] begin_byte: TB from the sample's TH and
        the byte's index in it, then the slots of its first nibble."""
        TH = self.numeric.TH
        bi = self.numeric.depth // 8
        self.TB = list(TH) if bi == 0 else [dm.hash2(h, bi) for h in TH]
        self.find_textures(1)

    def find_textures(self, nib):
        """[Profile 9: The texture table] find_textures(nib), k = 0..15 in
        order (a later find may take over a slot an earlier one found)."""
        self.tslot = [self.TT.tfind(dm.hash2(h, nib)) for h in self.TB]

    def node(self):
        """[Profile 9: The texture table] node(): the decision's counter in
        its nibble's slot, 0..14."""
        bp, c0 = self.bp, self.c0
        if bp < 4:
            return c0 - 1
        k = bp - 4
        return ((1 << k) | (c0 & ((1 << k) - 1))) - 1

    # --- predict --------------------------------------------------------------

    def set_contexts(self):
        """[Profile 9: Weight set contexts] k[0..8]: profile 6's, then W8's
        tsel*16 + d."""
        nm = self.numeric
        return super().set_contexts() + [nm.tsel * 16 + min(nm.depth, 15)]

    def inputs(self, ones, total):
        """[Profile 9: predict] x[0..65] as profile 6's, x[66 + k] texture
        context k's counter TC[k]."""
        x = super().inputs(ones, total)
        node = self.node()
        self.TC = [(line, i + node) for line, i in self.tslot]
        return x + [tinput(cell) for cell in self.TC]

    def mix(self, x):
        """[Profile 9: predict] The nine sets and the final mixer, profile 6's
        three APMs and four more, averaged (of 12)."""
        p_f = self.mix_sets(x)
        r0, r1, r2 = self.refine_apms(p_f)
        nm = self.numeric
        c0, ch, P = self.c0, min(nm.c, 3), nm.P
        r3 = self.APM3.refine(as_byte(P[3]) << 8 | c0, p_f)
        r4 = self.APM4.refine((nm.TH[0] >> 22) << 8 | c0, p_f)
        r5 = self.APM5.refine(ch << 16 | as_byte(P[6]) << 8 | c0, p_f)
        r6 = self.APM6.refine(ch << 16 | as_byte(P[13]) << 8 | c0, p_f)
        total = r0 + r1 + 2 * r2 + 2 * (r3 + r4 + r5 + r6)
        return clamp(div_trunc(total + APM_WEIGHTS_SUM // 2, APM_WEIGHTS_SUM), 1, 4095)

    # --- update ---------------------------------------------------------------

    def update(self, bit):
        """[Profile 9: update] The texture counters first, then profile 6's
        update (with train_mix below); after the bit, the texture slots of
        the next byte (begin_byte) or of the fifth bit."""
        for cell in self.TC:
            ttrain(cell, bit)
        super().update(bit)
        if self.bp == 0:        # a byte ended (end_byte has run)
            self.begin_byte()
        elif self.bp == 4:
            self.find_textures(self.c0)

    def train_mix(self, bit):
        """[Profile 9: update] The nine sets at their rates, the final set,
        APM0..APM2 at 2^-6 and APM3..APM6 at 2^-7."""
        train_layers(self, SET_RATES, bit)
        for apm in (self.APM0, self.APM1, self.APM2, self.APM3, self.APM4, self.APM5, self.APM6):
            apm.update(bit)
