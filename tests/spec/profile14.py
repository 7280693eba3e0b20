"""Mixer profile 14 of the spec decoder: bytes without the model, written
from docs/FORMAT.md "Profile 14: profile 12 with a prior built without the
model (mbz 0.21.0)" and "Weight priors" alone.

FORMAT.md specifies profile 14 as profile 12 whose prior is the table
src/mix/data/profile14.prior instead of profile12.prior: profile 10 whose
six weight sets W and final mixer F start from that table. Profile14Mixer
is a Profile10Mixer (profile10.py) whose W and F are read from it when the
segment starts. decode_mixed.py builds one for a segment whose profile byte
is 14.

As in decode_mixed.py, every docstring opens with the FORMAT.md paragraph
it implements, as [Profile 14: paragraph].
"""

import decode_mixed as dm
import profile10 as p10
from profile10 import Profile10Mixer
from weight_prior import checked_prior, start_from_prior


class Profile14Mixer(Profile10Mixer):
    """[Profile 14] Profile 10's mixer; its weights start from profile
    14's prior."""

    def __init__(self, n):
        """[Profile 14: State] Profile 12's, with profile14.prior: profile
        10's; then each row the prior lists is W_set[row], and F[k] is the
        prior's final row k for every k."""
        super().__init__(n)
        start_from_prior(self.W, self.F, checked_prior(14, p10.INPUTS, dm.P5_SETS, 6))
