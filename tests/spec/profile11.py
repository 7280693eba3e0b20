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
from weight_prior import read_prior

_PRIOR = None


def prior():
    """[Profile 11] src/mix/data/profile11.prior, checked against profile 6's
    shape (66 inputs, its eight sets' rows, 9 final inputs, 256 final rows)."""
    global _PRIOR
    if _PRIOR is None:
        p = read_prior("profile11.prior")
        if (p.profile, p.n, tuple(p.set_rows), p.F, p.FR) != (11, p6.N_INPUTS, p6.SET_COUNTS, p6.FINAL_INPUTS, 256):
            raise ValueError("profile11.prior: not profile 11's shape")
        _PRIOR = p
    return _PRIOR


class Profile11Mixer(Profile6Mixer):
    """[Profile 11] Profile 6's mixer; its weights start from the prior."""

    def mixer_state(self, n):
        """[Profile 11: State] Profile 6's W0..W7, FW and APM0..APM2; then each
        row the prior lists is W_set[row], and FW[k] is the prior's final row k
        for every k."""
        super().mixer_state(n)
        p = prior()
        for (s, r), w in p.rows.items():
            self.W[s].sets[r] = list(w)
        for k, fw in enumerate(p.final):
            self.FW.sets[k] = list(fw)
