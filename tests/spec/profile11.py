"""Mixer profile 11 of the spec decoder: small images of MED residuals,
written from docs/FORMAT.md "Profile 11: images with a weight prior (mbz
0.20.0)" and "Weight priors" alone.

FORMAT.md specifies profile 11 as profile 6 whose weight sets W0..W7 and
final mixer FW start from the table src/mix/data/profile11.prior instead of
profile 6's start, so this file writes out only that, on profile6.py
through its mixer_state hook: Profile11Mixer is a Profile6Mixer whose
weights are read from the prior when the segment starts. decode_mixed.py
builds one for a segment whose profile byte is 11.

As in decode_mixed.py, every docstring opens with the FORMAT.md paragraph
it implements, as [Profile 11: paragraph].
"""

import profile6 as p6
from profile6 import Profile6Mixer
from weight_prior import checked_prior, start_from_prior


class Profile11Mixer(Profile6Mixer):
    """[Profile 11] Profile 6's mixer; its weights start from the prior."""

    def mixer_state(self, n):
        """[Profile 11: State] Profile 6's W0..W7, FW and APM0..APM2; then each
        row the prior lists is W_set[row], and FW[k] is the prior's final row k
        for every k."""
        super().mixer_state(n)
        start_from_prior(self.W, self.FW.sets, checked_prior(11, p6.N_INPUTS, p6.SET_COUNTS, p6.FINAL_INPUTS))
