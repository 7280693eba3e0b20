"""Mixer profile 8 of the spec decoder: audio of delta2 residuals with a
least-squares cascade, written from docs/FORMAT.md "Profile 8: audio with a
least-squares cascade (mbz 0.12.0)" alone.

Why it is a module of its own: FORMAT.md specifies profile 8 as profile 4
plus what it adds (four predictors P10..P13 from a cascade on the rebuilt
signal, error scales at 2^-5, the best predictor and its errors' signs,
seven weight sets, a final mixer and a fourth APM), so this file writes out
only that, on decode_mixed.py's profile 4 machinery through its hooks:
Profile8Numeric is a NumericModel (PREDICTORS = 14, SCALE_SHIFT = 5,
more_state, and begin_sample / end_sample extended, not copied), and
Profile8Mixer a Mixer (mixer_state, numeric_model, mix, train_mix). The
least squares is profile6.py's LeastSquares with n = 32 or 48 taps and a
decay of 2^-9, and the final mixer profile6.py's FinalMixer.
decode_mixed.py builds a Profile8Mixer for a segment whose profile byte is
8.

As in decode_mixed.py, every docstring opens with the FORMAT.md paragraph
it implements, as [Profile 8: paragraph]; names follow the document's
(P10..P13, best, SH, OLS, LC2, LC3, BI, bc, ns, CE1, CE2, W0..W6, FW).

Speed: about profile 6's, 2,800 decisions a second on 8-bit samples (2.9 s
a KiB) and 3,300 to 3,800 on 16- and 24-bit ones (2.1 to 2.6 s a KiB): the
seven weight sets' dot products and training and the 14 predictors'
interval contexts take most of it; the cascade's least squares (a 48-tap
solve every 8th sample of a channel, a 48 x 48 update every sample) and its
256-tap LMS add a share that grows with the samples a byte (most at 8 bits).
"""

import decode_mixed as dm
from decode_mixed import clamp, div_trunc, squash, stretch
from profile6 import FinalMixer, LeastSquares, train_layers

NP = 14                    # predictors P0..P13
N_INPUTS = dm.SLOT_NUMERIC + dm.INPUTS_PER_PREDICTOR * NP   # 66
# The first-layer weight sets W0..W6 (legend in Profile8Mixer.set_contexts):
# how many sets each has, and its learning rate (err = ((bit << 12) - ps) * rate).
SET_COUNTS = (1024, 512, 864, 1024, 2304, 4096, 2304)
SET_RATES = (24, 24, 12, 12, 12, 12, 12)
N_SETS = len(SET_COUNTS)   # 7
# The final mixer: 8 inputs, the sets' stretched outputs and the bias at slot 7.
FINAL_INPUTS = N_SETS + 1
FINAL_BIAS_SLOT = 7
FINAL_SETS = 512           # chosen as W1 is
FINAL_INITIAL = 65536 // N_SETS   # 9362
APM_CONTEXTS = (256, 1024, 1024, 16 * 64 * 9)   # APM3: 9216

# The cascade ("The cascade", "The least squares").
OWN_TAPS = 32              # the channel's own last signal values
OTHER_TAPS = 16            # another channel's, when C > 1
OLS_DECAY = 9              # A and B decay by 2^-9 a sample
OLS_SOLVE_EVERY = 8        # samples of the channel
FIT_LIMIT = 1 << 30        # |q1|
STAGE2 = (256, 2)          # LC2: taps, step shift
STAGE3 = (32, 3)           # LC3
BIAS_CONTEXTS = 9          # the signs (-, 0, +) of the last two errors
BIAS_SHIFT = 5
SIGN_HISTORY_MASK = 0xFF   # SH keeps the last four signs, 2 bits each


def sign(e):
    """[Profile 8] sign(e): -1, 0 or 1."""
    return (e > 0) - (e < 0)


class Profile8Numeric(dm.NumericModel):
    """[Profile 8: As in profile 4] Profile 4's numeric model with NP = 14,
    scales that follow at 2^-5, the best predictor and its sign history, and
    the cascade (P10..P13)."""

    PREDICTORS = NP
    SCALE_SHIFT = 5

    def __init__(self, shape):
        super().__init__(8, shape)

    def more_state(self):
        """[Profile 8: State] The cascade's state and the sign history, one
        of each per channel (C is known here)."""
        C = self.C
        nt = OWN_TAPS + (OTHER_TAPS if C > 1 else 0)
        self.OLS = [LeastSquares(nt, OLS_DECAY) for _ in range(C)]
        self.LC2 = [dm.LMSFilter(*STAGE2) for _ in range(C)]
        self.LC3 = [dm.LMSFilter(*STAGE3) for _ in range(C)]
        self.BI = [[0] * BIAS_CONTEXTS for _ in range(C)]
        self.bc = [0] * C
        self.ns = [0] * C
        self.SH = [0] * C
        self.CE1 = dm.SampleArray()
        self.CE2 = dm.SampleArray()

    # --- begin_sample -------------------------------------------------------

    def begin_sample(self):
        """[Profile 8: Error scales and begin_sample] The channel's scales and
        P0..P9 (profile 4's begin_sample, with NP = 14: P10..P13 start at 0),
        best, then the cascade's P10..P13."""
        super().begin_sample()
        scale = self.scale
        self.best = min(range(NP), key=scale.__getitem__)   # the first of equals: the least k
        self.cascade_predictions()

    def cascade_predictions(self):
        """[Profile 8: The cascade] cascade_predictions: the fit (solved
        every 8th sample of the channel, before it predicts), the two LMS
        stages and the bias; P10..P13 the running sums as residuals."""
        SG, t, C, c = self.SG, self.t, self.C, self.c
        XC = [SG[t - i * C] for i in range(1, OWN_TAPS + 1)]
        if C > 1:
            o = t - 1 if c > 0 else t + 1 - C
            XC += [SG[o - i * C] for i in range(OTHER_TAPS)]
        self.XC = XC
        O = self.OLS[c]
        if self.ns[c] % OLS_SOLVE_EVERY == 0:
            O.solve()
        self.ns[c] += 1
        self.q1 = q1 = clamp(O.predict(XC), -FIT_LIMIT, FIT_LIMIT)
        CE1, CE2 = self.CE1, self.CE2
        self.XC1 = [CE1[t - i * C] for i in range(1, STAGE2[0] + 1)]
        self.XC2 = [CE2[t - i * C] for i in range(1, STAGE3[0] + 1)]
        self.q2 = q2 = self.LC2[c].predict(self.XC1)
        self.q3 = q3 = self.LC3[c].predict(self.XC2)
        q4 = (self.BI[c][self.bc[c]] + 8) >> 4
        res, P = self.signal_res, self.P
        P[10] = res(q1)
        P[11] = res(q1 + q2)
        P[12] = res(q1 + q2 + q3)
        P[13] = res(q1 + q2 + q3 + q4)

    # --- end_sample ---------------------------------------------------------

    def end_sample(self):
        """[Profile 8: Error scales, best and the sign history] end_sample:
        profile 4's (the value, the scales at 2^-5, LA0..LA4, E1, E2,
        signal_end), the best predictor's sign, then cascade_end."""
        super().end_sample()
        c = self.c
        v = self.V[self.t]
        self.SH[c] = (self.SH[c] * 4 + sign(v - self.P[self.best]) + 1) & SIGN_HISTORY_MASK
        self.cascade_end()

    def cascade_end(self):
        """[Profile 8: The cascade] cascade_end: each stage learns what the
        stages before it left, with the taps of the prediction."""
        t, c = self.t, self.c
        y = self.SG[t]
        self.OLS[c].update(self.XC, y)
        e1 = clamp(y - self.q1, -dm.ERROR_LIMIT, dm.ERROR_LIMIT)
        self.LC2[c].update(self.XC1, e1 - self.q2)
        e2 = clamp(e1 - self.q2, -dm.ERROR_LIMIT, dm.ERROR_LIMIT)
        e3 = clamp(e2 - self.q3, -dm.ERROR_LIMIT, dm.ERROR_LIMIT)
        self.LC3[c].update(self.XC2, e3)
        BI, bc = self.BI[c], self.bc[c]
        BI[bc] += (16 * e3 - BI[bc]) >> BIAS_SHIFT
        self.bc[c] = (3 * bc + sign(e3) + 1) % BIAS_CONTEXTS
        self.CE1[t] = e1
        self.CE2[t] = e2

    # --- what the mixer reads -----------------------------------------------

    def signs2(self):
        """[Profile 8: Error scales, best and the sign history] signs2: the
        channel's last two signs, the newest more significant (0..8)."""
        h = self.SH[self.c]
        return (h & 3) * 3 + ((h >> 2) & 3)

    def signs3(self):
        """[Profile 8: Error scales, best and the sign history] signs3: the
        last three (0..26)."""
        return self.signs2() * 3 + ((self.SH[self.c] >> 4) & 3)


class Profile8Mixer(dm.Mixer):
    """[Profile 8] The mixer of one profile-8 mixed segment: profile 4's
    byte state, tables, match model and byte contexts (Mixer's), the numeric
    model widened (Profile8Numeric), seven weight sets, a final mixer and
    four APMs."""

    def __init__(self, shape, n):
        super().__init__(8, shape, n)

    def mixer_state(self, profile):
        """[Profile 8: State] N_in = 66, W0..W6, FW and APM0..APM3."""
        self.n_inputs = N_INPUTS
        self.W = [dm.WeightSets(count, N_INPUTS) for count in SET_COUNTS]
        self.FW = FinalMixer(FINAL_SETS, FINAL_INPUTS, FINAL_BIAS_SLOT, FINAL_INITIAL)
        self.APM0, self.APM1, self.APM2, self.APM3 = (dm.APM(c) for c in APM_CONTEXTS)

    def numeric_model(self, profile, shape):
        """[Profile 8: As in profile 4] Profile 4's numeric model, widened."""
        return Profile8Numeric(shape)

    def set_contexts(self):
        """[Profile 8: Weight set contexts] k[0..6], the sets of W0..W6."""
        nm = self.numeric
        d = min(nm.depth, 15)
        ch = min(nm.c, 1)
        b = nm.best
        qd = nm.qd[b]
        q64 = clamp(qd + 32, 0, 63)
        q15 = clamp(div_trunc(qd, 4), -7, 7) + 7
        bs = min(nm.slog[b], 15)
        signs2 = nm.signs2()
        return [
            (self.place() & 3) * 256 + self.c0,     # W0: profile 4's WA
            d * 16 + nm.qw[b] + 256 * ch,           # W1 (and FW): profile 4's WB, by best
            (d * 2 + ch) * 27 + nm.signs3(),        # W2
            d * 64 + q64,                           # W3
            (d * 9 + signs2) * 16 + q15,            # W4
            (d * 16 + bs) * 16 + q15,               # W5
            (d * 9 + signs2) * 16 + bs,             # W6
        ]

    def mix(self, x):
        """[Profile 8: predict] The seven sets, the final mixer over their
        stretched outputs and the bias, and four APMs averaged."""
        self.k = k = self.set_contexts()
        self.w = [self.W[j].get(k[j]) for j in range(N_SETS)]
        self.ps = [squash(dm.mixer_dot(w, x)) for w in self.w]
        self.fx = [stretch(p) for p in self.ps] + [256]   # slot 7: the bias
        self.fw = self.FW.get(k[1])
        p_f = self.p_f = squash(dm.mixer_dot(self.fw, self.fx))
        nm = self.numeric
        d = min(nm.depth, 15)
        q64 = clamp(nm.qd[nm.best] + 32, 0, 63)
        r0 = self.APM0.refine(self.c0, p_f)
        r1 = self.APM1.refine(d * 64 + nm.qd[2] + 32, p_f)
        r2 = self.APM2.refine(d * 64 + nm.qd[5] + 32, p_f)
        r3 = self.APM3.refine((d * 64 + q64) * 9 + nm.signs2(), p_f)
        return clamp((r0 + r1 + r2 + r3 + 2) >> 2, 1, 4095)

    def train_mix(self, bit):
        """[Profile 8: update] The sets at their rates, the final set, the
        four APMs (what mix used)."""
        train_layers(self, SET_RATES, bit)
        self.APM0.update(bit)
        self.APM1.update(bit)
        self.APM2.update(bit)
        self.APM3.update(bit)
