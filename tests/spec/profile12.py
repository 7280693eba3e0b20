"""Mixer profile 12 of the spec decoder: bytes, written from docs/FORMAT.md
"Profile 12: bytes with a weight prior (mbz 0.20.0)" and "Weight priors"
alone.

FORMAT.md specifies profile 12 as profile 10 whose six weight sets W and
final mixer F start from the table src/mix/data/profile12.prior instead of
profile 10's start, so this file writes out only that: Profile12Mixer is a
Profile10Mixer (profile10.py) whose W and F are read from the prior when
the segment starts. decode_mixed.py builds one for a segment whose profile
byte is 12.

As in decode_mixed.py, every docstring opens with the FORMAT.md paragraph
it implements, as [Profile 12: paragraph].
"""

import decode_mixed as dm
import profile10 as p10
from profile10 import Profile10Mixer
from weight_prior import read_prior

_PRIOR = None


def prior():
    """[Profile 12] src/mix/data/profile12.prior, checked against profile
    10's shape (70 inputs, its six sets' rows, 6 final inputs, 256 final
    rows)."""
    global _PRIOR
    if _PRIOR is None:
        p = read_prior("profile12.prior")
        if (p.profile, p.n, tuple(p.set_rows), p.F, p.FR) != (12, p10.INPUTS, tuple(dm.P5_SETS), 6, 256):
            raise ValueError("profile12.prior: not profile 12's shape")
        _PRIOR = p
    return _PRIOR


class Profile12Mixer(Profile10Mixer):
    """[Profile 12] Profile 10's mixer; its weights start from the prior."""

    def __init__(self, n):
        """[Profile 12: State] Profile 10's; then each row the prior lists is
        W_set[row], and F[k] is the prior's final row k for every k."""
        super().__init__(n)
        p = prior()
        for (s, r), w in p.rows.items():
            self.W[s].sets[r] = list(w)
        for k, fw in enumerate(p.final):
            self.F[k] = list(fw)
