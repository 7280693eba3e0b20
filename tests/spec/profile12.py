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
from weight_prior import checked_prior, start_from_prior


class Profile12Mixer(Profile10Mixer):
    """[Profile 12] Profile 10's mixer; its weights start from the prior."""

    def __init__(self, n):
        """[Profile 12: State] Profile 10's; then each row the prior lists is
        W_set[row], and F[k] is the prior's final row k for every k."""
        super().__init__(n)
        start_from_prior(self.W, self.F, checked_prior(12, p10.INPUTS, dm.P5_SETS, 6))
