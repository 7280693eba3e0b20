"""Mixer profile 13 of the spec decoder: images of MED residuals, written
from docs/FORMAT.md "Profile 13: profile 9 with a weight prior (mbz 0.21.0)"
and "Weight priors" alone.

FORMAT.md specifies profile 13 as profile 9 whose weight sets W0..W8 and
final mixer FW start from the table src/mix/data/profile13.prior instead of
profile 9's start, so this file writes out only that, on profile9.py
through its mixer_state hook: Profile13Mixer is a Profile9Mixer whose
weights are read from the prior when the segment starts. decode_mixed.py
builds one for a segment whose profile byte is 13.

As in decode_mixed.py, every docstring opens with the FORMAT.md paragraph
it implements, as [Profile 13: paragraph].
"""

import profile9 as p9
from profile9 import Profile9Mixer
from weight_prior import checked_prior, start_from_prior


class Profile13Mixer(Profile9Mixer):
    """[Profile 13] Profile 9's mixer; its weights start from the prior."""

    def mixer_state(self, n):
        """[Profile 13: State] Profile 9's W0..W8, FW, APM0..APM6 and TT; then
        each row the prior lists is W_set[row], and FW[k] is the prior's final
        row k for every k."""
        super().mixer_state(n)
        start_from_prior(self.W, self.FW.sets, checked_prior(13, p9.N_INPUTS, p9.SET_COUNTS, p9.FINAL_INPUTS))
