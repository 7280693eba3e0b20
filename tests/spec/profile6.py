"""Mixer profile 6 of the spec decoder: images of MED residuals, written from
docs/FORMAT.md "Profile 6: images (mbz 0.10.0)" alone.

Why it is a module of its own: profile 6 is profile 3's numeric model
widened (14 predictors, error scales that follow the neighbourhood, eight
first-layer weight sets and a final mixer), and FORMAT.md specifies it by
reference to profile 3's parts; this file takes the shared primitives from
decode_mixed.py (squash, stretch, counters, hashed tables, APMs, weight
sets, LMS filters, the quantizer, MED, the match model, the sampled byte
contexts) and writes out what differs. decode_mixed.py builds a
Profile6Mixer for a segment whose profile byte is 6.

As in decode_mixed.py, every docstring opens with the FORMAT.md paragraph
it implements, as [Profile 6: paragraph], names follow the document's (P0..P13,
te, act, W0..W7, FW, OLS ...), Python's integers are exact, `>>` floors and
the document's `a / b` (truncated toward zero) is div_trunc.

Speed: about 3,200 decisions a second (2.5 s a KiB), a third of profile
3's; half of it goes to the eight weight sets' dot products and training.
"""

import decode_mixed as dm
from decode_mixed import clamp, div_trunc, ilog2, squash, stretch, st_fast, st_slow

NP = 14                    # predictors P0..P13
N_INPUTS = dm.SLOT_NUMERIC + dm.INPUTS_PER_PREDICTOR * NP   # 66
# The first-layer weight sets W0..W7 (legend in Profile6Mixer.set_contexts):
# how many sets each has, and its learning rate (err = ((bit << 12) - ps) * rate).
SET_COUNTS = (1024, 256, 512, 1024, 4096, 4096, 1024, 4096)
SET_RATES = (24, 24, 24, 24, 12, 12, 12, 12)
N_SETS = len(SET_COUNTS)   # 8
# The final mixer: 9 inputs, the sets' stretched outputs with the bias at slot 3.
FINAL_INPUTS = N_SETS + 1
FINAL_BIAS_SLOT = 3
FINAL_SETS = 256           # chosen as W1 is
FINAL_INITIAL = 65536 // N_SETS   # 8192
FINAL_RATE = 32            # FW += round(fx * e * 32 / 2^20)
APM_CONTEXTS = (256, 1024, 1024)
ERROR_INITIAL = 256        # M and ER start at 16.0 (in 1/16)
WP_MAX_WEIGHT = (13, 12, 12, 12)   # the weighted predictor's sub-predictor weights, << 24
OLS_SOLVE_EVERY = 4        # pixels of the frame grid
OLS_DECAY = 11             # A and B decay by 2^-11 a sample
OLS_SOLVE_BITS = 40        # A and B are shifted below 2^40 for a solve
OLS_PIVOT_MIN = 16
OLS_L_MAX = 1 << 43         # |L| (Q30) beyond it: too near singular, keep the weights
OLS_Y_MAX = 1 << 62         # |y| beyond it: the same
OLS_WEIGHT_LIMIT = 1 << 24


class ErrorArray(dict):
    """[Profile 6: State] ER[t]: the sample's 14 absolute errors in 1/16;
    every entry at t < 0 or not yet written reads 256."""

    def __missing__(self, t):
        return (ERROR_INITIAL,) * NP


class LeastSquares:
    """[Profile 6: The least squares] OLS[c]: A (nt x nt, initially the
    identity), B and the Q16 weights Wt, all integers; A and B decay by
    2^-decay a sample (2^-11; profile 8's cascade, profile8.py: nt = 32 or
    48 taps, 2^-9).

    A stays symmetric and solve reads only its diagonal and lower triangle
    (A[j][j], A[i][j] for i > j; the largest entry is also the triangle's),
    so only those are kept, as FORMAT.md "Profile 8" allows: row i holds
    A[i][0..i]. It halves the update of profile 8's 48 taps."""

    def __init__(self, nt, decay=OLS_DECAY):
        self.nt = nt
        self.decay = decay
        self.A = [[1 if i == j else 0 for j in range(i + 1)] for i in range(nt)]
        self.B = [0] * nt
        self.Wt = [0] * nt

    def solve(self):
        """[Profile 6: The least squares] solve(O): A >> s = L D L^T in Q30,
        then L y = B >> s and L^T Wt = y / D in Q16; a pivot below 16, an
        entry of L beyond +-2^43 or one of y beyond +-2^62 keeps every weight
        as it was."""
        n, A, B = self.nt, self.A, self.B
        top = max(max(abs(a) for row in A for a in row), max(abs(b) for b in B))
        s = max(0, top.bit_length() - OLS_SOLVE_BITS)
        L = [[0] * n for _ in range(n)]
        D = [0] * n
        inv = [0] * n
        t = [0] * n
        for j in range(n):
            dj = A[j][j] >> s
            Lj = L[j]
            for k in range(j):
                t[k] = (Lj[k] * D[k]) >> 30
                dj -= (Lj[k] * t[k]) >> 30
            if dj < OLS_PIVOT_MIN:
                return
            D[j] = dj
            inv[j] = (1 << 60) // dj     # dj > 0: floor is truncation
            for i in range(j + 1, n):
                Li = L[i]
                u = A[i][j] >> s
                for k in range(j):
                    u -= (Li[k] * t[k]) >> 30
                Li[j] = (u * inv[j]) >> 30
                if abs(Li[j]) > OLS_L_MAX:
                    return
        y = [0] * n
        for i in range(n):
            v = B[i] >> s
            for k in range(i):
                v -= (L[i][k] * y[k]) >> 30
            if abs(v) > OLS_Y_MAX:
                return
            y[i] = v
        Wt = self.Wt
        for i in range(n - 1, -1, -1):
            v = (y[i] * inv[i]) >> 44
            for k in range(i + 1, n):
                v -= (L[k][i] * Wt[k]) >> 30
            Wt[i] = clamp(v, -OLS_WEIGHT_LIMIT, OLS_WEIGHT_LIMIT)

    def predict(self, xo):
        """[Profile 6: The least squares] round(Wt . XO) in pixel units,
        centred (ols() adds half)."""
        return (sum(w * x for w, x in zip(self.Wt, xo)) + (1 << 15)) >> 16

    def update(self, xo, v):
        """[Profile 6: The least squares] ols_update(O, v): A and B decay and
        take XO XO^T and XO v (A's lower triangle: zip stops at row i's
        i + 1 entries)."""
        d = self.decay
        A, B = self.A, self.B
        for i in range(self.nt):
            xi = xo[i]
            A[i] = [a + xi * xj - (a >> d) for a, xj in zip(A[i], xo)]
            B[i] += xi * v - (B[i] >> d)


class Profile6Numeric(dm.NumericModel):
    """[Profile 6] The numeric side: profile 3's parameters, samples, bit
    state and interval contexts with NP = 14 (NumericModel's g,
    interval_contexts, inputs and update, on the state set here); profile 6's
    predictions and scales."""

    def __init__(self, shape):
        vf = shape.vf
        # "Numeric model: Parameters" (medr = 1, fine = false)
        self.nb = vf & dm.VF_BYTES_MASK
        self.bits = 8 * self.nb
        self.half = 1 << (self.bits - 1)
        self.mask = (1 << self.bits) - 1
        self.sgn = bool(vf & dm.VF_SIGNED)
        self.C = shape.stride // self.nb
        self.R = shape.row // self.nb
        self.skip = shape.phase // self.nb
        self.d0 = 8 * (shape.phase % self.nb)
        self.NP = NP
        self.fine = False                       # images: the coarse quantizer

        # "Samples" and profile 6's per-sample arrays
        self.V = dm.SampleArray()
        self.PX = dm.SampleArray()
        self.ER = ErrorArray()
        self.WE = dm.SampleArray()
        self.WS = [dm.SampleArray() for _ in range(4)]

        # [Profile 6: State]
        self.M = [[ERROR_INITIAL] * NP for _ in range(self.C)]
        self.F = [dm.Counter() for _ in range(NP * dm.QW_LEVELS * dm.F_PER_WIDTH)]
        self.Q = [dm.Counter() for _ in range(NP * dm.QW_LEVELS * dm.Q_LEVELS * dm.Q_CHANNELS)]
        self.LI0 = dm.LMSFilter(*dm.LMS_KINDS["LI0"])
        self.LI1 = dm.LMSFilter(*dm.LMS_KINDS["LI1"])
        self.LP = dm.LMSFilter(*dm.LMS_KINDS["LP"])
        self.OLS = [LeastSquares(12 + (3 if c > 0 else 0) + (1 if c > 1 else 0)) for c in range(self.C)]

        # "Start"
        self.t = 0
        self.depth = self.d0
        self.prefix = 0
        self.begin_sample()
        self.interval_contexts()

    # --- begin_sample -------------------------------------------------------

    def begin_sample(self):
        """[Profile 6: begin_sample] The scales, then P0..P13 (and te, act)."""
        t, C, R = self.t, self.C, self.R
        self.c = c = self.g(t) % C
        ER = self.ER
        ew, en, enw, ene, eww, enn = (ER[t - C], ER[t - R], ER[t - R - C], ER[t - R + C],
                                      ER[t - 2 * C], ER[t - 2 * R])
        M = self.M[c]
        self.scale = [0] * NP
        self.slog = [0] * NP
        for k in range(NP):
            l = (2 * ew[k] + 2 * en[k] + enw[k] + ene[k] + eww[k] + enn[k]) // 8   # >= 0
            self.scale[k] = max((M[k] + 3 * l) // 4, dm.SCALE_FLOOR)
            self.slog[k] = ilog2(self.scale[k])

        PX = self.PX
        # [Profile 6: Neighbours]
        w, n, nw, ne = PX[t - C], PX[t - R], PX[t - R - C], PX[t - R + C]
        ww, nn, nne, nww = PX[t - 2 * C], PX[t - 2 * R], PX[t - 2 * R + C], PX[t - R - 2 * C]
        nnw, nee, nnww, nnee = PX[t - 2 * R - C], PX[t - R + 2 * C], PX[t - 2 * R - 2 * C], PX[t - 2 * R + 2 * C]
        p, pw, pn, pne = PX[t - 1], PX[t - 1 - C], PX[t - 1 - R], PX[t - 1 - R + C]
        pnn, pww = PX[t - 1 - 2 * R], PX[t - 1 - 2 * C]
        gt = self.g(t)
        self.first_row = gt < R
        self.col = gt % R
        self.first_col = self.col < C
        self.last_col = self.col + C >= R

        self.P = P = [0] * NP
        self.profile3_predictions(w, n, nw, ne, nne, p, pw, pn)
        res = self.res
        P[3] = res(self.gap(w, n, nw, ne, ww, nn, nne))
        P[6] = res(self.wp(w, n, ne))
        if C > 1:
            P[7] = res(n + (p - pn))
            P[8] = res(w + (p - pw))
            P[9] = res(ne + (p - pne))
            P[10] = res(nn + (p - pnn))
            P[11] = res((2 * w - ww) + (p - (2 * pw - pww)))
        else:
            P[7] = res(div_trunc(w + ne, 2))
            P[8] = res(2 * n - nn)
            P[9] = res(w + ne - nne)
            P[10] = res(3 * n - 2 * nn)
            P[11] = res(w + nw - nww)
        P[12] = res(nw + ne - nn)
        self.XO = [y - self.half for y in (w, n, nw, ne, ww, nn, nww, nnw, nne, nee, nnww, nnee)]
        if c > 0:
            self.XO += [p - self.half, pw - self.half, pn - self.half]
        if c > 1:
            self.XO.append(PX[t - 2] - self.half)
        P[13] = res(self.ols())

    def res(self, y):
        """[Numeric model: Images] res(y): a pixel prediction as a prediction
        of the residual (minus m, wrapped)."""
        return ((clamp(y, 0, self.mask) - self.m + self.half) & self.mask) - self.half

    def profile3_predictions(self, w, nn, nw, ne, nne, pp, pw, pn):
        """[Numeric model: Images] Profile 3's image_predictions with medr: X,
        XP, q, m and P0, P1, P2, P4, P5 (its P3 is replaced by GAP)."""
        V, PX, t, C, R, P, half = self.V, self.PX, self.t, self.C, self.R, self.P, self.half
        self.X = [V[t - C], V[t - R], V[t - R - C], V[t - R + C], V[t - 2 * C], V[t - 2 * R],
                  V[t - R + 2 * C], V[t - 1], V[t - 2], V[t - 1 - C], V[t - 1 - R]]
        P[0] = self.LI0.predict(self.X)
        P[1] = self.LI1.predict(self.X)
        pnw = PX[t - 1 - R - C]
        gt = self.g(t)
        if gt < R:                    # the segment's first row
            self.m = half if gt < C else w
        elif gt % R < C:              # a row's first pixel
            self.m = nn
        else:
            self.m = dm.med(w, nn, nw)
        self.XP = [y - half for y in (w, nn, nw, ne, PX[t - 2 * C], PX[t - 2 * R], pp, pw, pn, pnw)]
        self.q = self.LP.predict(self.XP)
        res = self.res
        P[2] = res(self.q + half)
        if C > 1:
            P[4] = res(pp + div_trunc(w - pw + nn - pn, 2))
            P[5] = res(pp + (w + nn - nw) - (pw + pn - pnw))
        else:
            P[4] = res(nn + ne - nne)
            P[5] = res(w + ne - nn)

    def gap(self, w, n, nw, ne, ww, nn, nne):
        """[Profile 6: GAP] gap(): CALIC's gradient-adjusted prediction; sets
        act (0..7)."""
        dh = abs(w - ww) + abs(n - nw) + abs(ne - n)
        dv = abs(w - nw) + abs(n - nn) + abs(ne - nne)
        a = (dh + dv) >> 2
        act = 0
        while act < 7 and (1 << act) <= a:
            act += 1
        self.act = act
        if dv - dh > 80:
            return w
        if dh - dv > 80:
            return n
        y = div_trunc(w + n, 2) + div_trunc(ne - nw, 4)
        if dv - dh > 32:
            y = div_trunc(y + w, 2)
        elif dv - dh > 8:
            y = div_trunc(3 * y + w, 4)
        elif dh - dv > 32:
            y = div_trunc(y + n, 2)
        elif dh - dv > 8:
            y = div_trunc(3 * y + n, 4)
        return y

    def wp(self, w, n, ne):
        """[Profile 6: The weighted predictor] wp(): four sub-predictions x8
        weighted by the inverse of their errors at the neighbours; sets te,
        q8 and S."""
        t, C, R = self.t, self.C, self.R
        first_row, first_col, last_col = self.first_row, self.first_col, self.last_col
        has_w = not first_col
        has_n = not first_row
        has_nw = has_n and has_w
        has_ne = has_n and not last_col
        has_ww = self.col >= 2 * C
        W8 = 8 * (n if first_col else w)
        N8 = 8 * ((0 if first_col else w) if first_row else n)
        NE8 = N8 if (first_row or last_col) else 8 * ne
        WE = self.WE
        eW = WE[t - C] if has_w else 0
        eN = WE[t - R] if has_n else 0
        eNW = WE[t - R - C] if has_nw else 0
        eNE = WE[t - R + C] if has_ne else 0
        S = [W8 + NE8 - N8,
             N8 - (((eW + eN + eNE) * 16) >> 5),
             W8 - (((eW + eN + eNW) * 10) >> 5),
             N8 - ((7 * eNW + 7 * eN + 7 * eNE) >> 5)]
        sw = swp = 0
        for i in range(4):
            A = self.WS[i]
            s = ((A[t - R] if has_n else 0) + (A[t - C] if has_w else 0) + (A[t - R - C] if has_nw else 0)
                 + (A[t - 2 * C] if has_ww else 0) + (A[t - R + C] if has_ne else 0))
            wi = 4 + (WP_MAX_WEIGHT[i] << 24) // (s + 1)   # s >= 0
            sw += wi
            swp += wi * S[i]
        e = eW
        for f in (eN, eNW, eNE):
            if abs(f) > abs(e):
                e = f
        lv = 0
        while lv < 7 and (1 << (lv + 1)) <= abs(e):
            lv += 1
        self.te = 2 * lv + (1 if e < 0 else 0)
        q8 = div_trunc(swp + sw // 2, sw)
        if not ((eN < 0) == (eW < 0) == (eNW < 0)):
            q8 = clamp(q8, min(W8, N8, NE8), max(W8, N8, NE8))
        self.q8, self.S = q8, S
        return (q8 + 3) >> 3

    def ols(self):
        """[Profile 6: The least squares] ols(): refit at every 4th pixel of
        the frame grid, then the channel's prediction of the pixel."""
        o = self.OLS[self.c]
        if (self.g(self.t) // self.C) % OLS_SOLVE_EVERY == 0:
            o.solve()
        return o.predict(self.XO) + self.half

    # --- per decision: NumericModel's interval_contexts, inputs and update ---

    def end_sample(self):
        """[Profile 6: end_sample] The value, the scales, the filters, the
        least squares and the weighted predictor's errors."""
        t, P, half = self.t, self.P, self.half
        v = self.prefix - (half if self.sgn else 0)
        self.V[t] = v
        M = self.M[self.c]
        errors = []
        for k in range(NP):
            a = min(abs(v - P[k]), dm.ERROR_LIMIT) * 16
            M[k] += (a - M[k]) >> 4
            errors.append(a)
        self.ER[t] = tuple(errors)
        self.LI0.update(self.X, v - P[0])
        self.LI1.update(self.X, v - P[1])
        y = (v + self.m) & self.mask
        self.PX[t] = y
        self.LP.update(self.XP, (y - half) - self.q)
        self.OLS[self.c].update(self.XO, y - half)
        self.WE[t] = self.q8 - 8 * y
        for i in range(4):
            self.WS[i][t] = (abs(self.S[i] - 8 * y) + 3) >> 3


class FinalMixer:
    """[Profile 6: State] FW: the final mixer's weight sets over n_inputs
    inputs, `count` of them, created on first use: each weight starts at
    `initial` (65536 / the number of first-layer sets) but the bias's, 0.
    Profile 8 (profile8.py) has one too."""

    def __init__(self, count, n_inputs, bias_slot, initial):
        self.count = count
        self.initial = [0 if i == bias_slot else initial for i in range(n_inputs)]
        self.sets = {}

    def get(self, k):
        """[Profile 6: predict] FW[k]."""
        assert 0 <= k < self.count, (k, self.count)
        fw = self.sets.get(k)
        if fw is None:
            fw = self.sets[k] = list(self.initial)
        return fw


def final_train(fw, fx, p_f, bit):
    """[Profile 6: update] The final set's rounded training:
    FW += (fx * e * 32 + 2^19) >> 20, clamped to +-2^24."""
    e = (bit << 12) - p_f
    fw[:] = [clamp(w + ((x * e * FINAL_RATE + (1 << 19)) >> 20), -dm.WEIGHT_LIMIT, dm.WEIGHT_LIMIT)
             for w, x in zip(fw, fx)]


def train_at_rate(w, x, p, bit, rate):
    """[Profile 6: update] "Weight sets"' train(W, x, p, bit) at the set's
    rate instead of 24."""
    err = ((bit << 12) - p) * rate
    w[:] = [wi + ((xi * err) >> 16) for wi, xi in zip(w, x)]
    # As dm.mixer_train: clamp only when a weight went past the limit.
    if max(w) > dm.WEIGHT_LIMIT or min(w) < -dm.WEIGHT_LIMIT:
        w[:] = [clamp(wi, -dm.WEIGHT_LIMIT, dm.WEIGHT_LIMIT) for wi in w]


def train_layers(mixer, rates, bit):
    """[Profile 6: update] The first-layer sets at their rates, then the
    final set (what predict used: mixer.w, .x, .ps; .fw, .fx, .p_f)."""
    for w, p, rate in zip(mixer.w, mixer.ps, rates):
        train_at_rate(w, mixer.x, p, bit, rate)
    final_train(mixer.fw, mixer.fx, mixer.p_f, bit)


def as_byte(v):
    """[Profile 6: Byte contexts] A prediction (a residual) as a byte."""
    return clamp(v, -127, 127) + 128


class Profile6Mixer:
    """[Profile 6] The mixer of one profile-6 mixed segment: profile 3's byte
    state, tables, match model and numeric model (widened), eight weight
    sets, a final mixer and three APMs.

    Hooks for a later profile built on this one (profile9.py): mixer_state
    (the weight sets, final mixer and APMs), numeric_model, inputs (x, 66
    slots here), mix (p from x: mix_sets, as many sets as set_contexts
    gives, then refine_apms) and train_mix (what mix used)."""

    def __init__(self, shape, n):
        self.shape = shape
        bits = dm.table_bits(n)
        # "Byte state" (the word hashes of end_byte are not read by sampled contexts)
        self.hist = bytearray()
        self.c0 = 1
        self.bp = 0
        # [Profile 6: State]
        self.mixer_state(n)
        self.T = [dm.HashedCounterTable(bits) for _ in range(dm.NUM_CONTEXTS)]
        self.match = dm.MatchModel(bits)
        self.numeric = self.numeric_model(shape)
        self.base = self.byte_contexts()

    def mixer_state(self, n):
        """[Profile 6: State] W0..W7, FW and APM0..APM2."""
        self.W = [dm.WeightSets(count, N_INPUTS) for count in SET_COUNTS]
        self.FW = FinalMixer(FINAL_SETS, FINAL_INPUTS, FINAL_BIAS_SLOT, FINAL_INITIAL)
        self.APM0, self.APM1, self.APM2 = (dm.APM(c) for c in APM_CONTEXTS)

    def numeric_model(self, shape):
        """[Profile 6] Profile 3's numeric model, widened."""
        return Profile6Numeric(shape)

    def back(self, k):
        """[Coding a segment: Byte state] back(k)."""
        n = len(self.hist)
        return self.hist[n - k] if k <= n else 0

    def place(self):
        """[Coding a segment: Byte state] place."""
        return (len(self.hist) + self.shape.phase) % self.shape.stride

    def byte_contexts(self):
        """[Profile 6: Byte contexts] Profiles 2-4's base[0..9], but base[7]
        and base[8] hash the predictions of the next byte's sample."""
        base = dm.byte_contexts_sampled(self)
        nm = self.numeric
        ph = self.place() + 1
        P = nm.P
        base[7] = dm.hash2(ph, dm.hash2(as_byte(P[6]) | as_byte(P[13]) << 8, 21))
        base[8] = dm.hash2(ph, dm.hash2(as_byte(div_trunc(P[3], 2)) | as_byte(div_trunc(P[0], 2)) << 8
                                        | nm.te << 16, 22))
        return base

    def set_contexts(self):
        """[Profile 6: Weight set contexts] k[0..7], the sets of W0..W7."""
        nm = self.numeric
        d = min(nm.depth, 15)
        c, ch, te, act = nm.c, min(nm.c, 3), nm.te, nm.act
        qd, qw = nm.qd, nm.qw

        def q64(k):
            return clamp(qd[k] + 32, 0, 63)

        dd = ((nm.P[6] - nm.P[13] + nm.half) & nm.mask) - nm.half
        return [
            (self.place() & 3) * 256 + self.c0,                               # W0: profile 3's WA
            (2 * d + (1 if c > 0 else 0)) * 16 + te if d < 8 else d * 16 + te,  # W1 (and FW)
            (d * 8 + act) * 4 + min(te // 4, 3),                              # W2
            d * 64 + q64(6),                                                  # W3: the weighted predictor
            (d * 4 + ch) * 64 + q64(3),                                       # W4: GAP
            (d * 4 + ch) * 64 + q64(13),                                      # W5: the least squares
            (d * 4 + ch) * 16 + qw[13],                                       # W6: its width
            (d * 8 + act) * 32 + clamp(dm.quantize(div_trunc(dd * 64, nm.scale[6]), False), -15, 15) + 16,  # W7
        ]

    def predict(self, ones, total):
        """[Profile 6: predict] predict(ones, total): the inputs, then the
        mixing."""
        self.x = self.inputs(ones, total)
        return self.mix(self.x)

    def inputs(self, ones, total):
        """[Profile 6: predict] x[0..65]: as "Coding a segment"'s predict,
        then numeric_inputs()."""
        c0 = self.c0
        c1 = self.back(1)
        hashes = [(c1 << 24) | self.base[0] | c0]
        c0_hash = dm.C0_HASH[c0]
        hashes += [self.base[i] ^ c0_hash for i in range(1, dm.NUM_CONTEXTS)]
        x = [0] * N_INPUTS
        self.slots = [self.T[i].lookup(hashes[i]) for i in range(dm.NUM_CONTEXTS)]
        for i, slot in enumerate(self.slots):
            x[dm.SLOT_CONTEXT_FAST + i] = st_fast(slot)
            x[dm.SLOT_CONTEXT_SLOW + i] = st_slow(slot)
        x[dm.SLOT_MATCH] = self.match.input(self.hist, c0, self.bp)
        pm = clamp((ones * 4096 + total // 2) // total, 1, 4095)
        x[dm.SLOT_MODEL_STRETCH] = stretch(pm)
        x[dm.SLOT_MODEL_LINEAR] = div_trunc(pm - 2048, 2)
        x[dm.SLOT_BIAS] = 256
        x[dm.SLOT_NUMERIC:] = self.numeric.inputs()
        return x

    def mix(self, x):
        """[Profile 6: predict] The eight sets, the final mixer over their
        stretched outputs and the bias, and three APMs averaged."""
        r0, r1, r2 = self.refine_apms(self.mix_sets(x))
        return clamp((r0 + r1 + 2 * r2 + 2) >> 2, 1, 4095)

    def mix_sets(self, x):
        """[Profile 6: predict] ps[j] of every first-layer set Wj (as many as
        set_contexts gives), fx with the bias at slot 3, and p_f from the
        final set FW[k[1]]."""
        self.k = self.set_contexts()
        self.w = [W.get(k) for W, k in zip(self.W, self.k)]
        self.ps = [squash(dm.mixer_dot(w, x)) for w in self.w]
        fx = [stretch(p) for p in self.ps]
        fx.insert(FINAL_BIAS_SLOT, 256)
        self.fx = fx
        self.fw = self.FW.get(self.k[1])
        self.p_f = squash(dm.mixer_dot(self.fw, fx))
        return self.p_f

    def refine_apms(self, p_f):
        """[Profile 6: predict] r0, r1, r2: APM0 by c0, APM1 by P0's interval
        context, APM2 by the weighted predictor's."""
        nm = self.numeric
        d = min(nm.depth, 15)
        r0 = self.APM0.refine(self.c0, p_f)
        r1 = self.APM1.refine(d * 64 + nm.qd[0] + 32, p_f)
        r2 = self.APM2.refine(d * 64 + clamp(nm.qd[6] + 32, 0, 63), p_f)
        return r0, r1, r2

    def update(self, bit):
        """[Profile 6: update] Train what predict used; the numeric side
        moves on before end_byte computes the next byte's contexts."""
        for slot in self.slots:
            dm.counter_train(slot, bit, dm.LIMIT_CONTEXT)
        if self.match.counter is not None:
            dm.counter_train(self.match.counter, bit, dm.LIMIT_MATCH)
        self.train_mix(bit)
        self.numeric.update(bit)
        self.c0 = 2 * self.c0 + bit
        self.bp += 1
        if self.bp == 8:
            self.hist.append(self.c0 - 256)
            self.match.end_byte(self.hist)
            self.base = self.byte_contexts()
            self.c0 = 1
            self.bp = 0

    def train_mix(self, bit):
        """[Profile 6: update] The sets at their rates, the final set, the
        three APMs (what mix used)."""
        train_layers(self, SET_RATES, bit)
        self.APM0.update(bit)
        self.APM1.update(bit)
        self.APM2.update(bit)
