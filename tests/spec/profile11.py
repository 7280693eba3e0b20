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
it implements, as [Profile 11: paragraph] or [Weight priors: paragraph].
"""

import os
import struct

import profile6 as p6
from profile6 import Profile6Mixer

PRIOR_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "mix", "data", "profile11.prior")
MAGIC = b"MBZPRIOR"
VERSION = 1


def read_prior(path=PRIOR_FILE):
    """[Weight priors] The file: "MBZPRIOR", u8 version 1, u8 profile, u16 n
    (inputs), u16 S (sets), u16 F (final inputs), u32 FR (final rows), S x
    u32 (each set's rows), u32 R, R rows (u16 set, u16 0, u32 row, n x i16,
    each weight / 4), then FR x F x i32. Returns ({(set, row): weights},
    the final rows)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC or data[8] != VERSION:
        raise ValueError("weight prior: bad magic or version")
    profile, n, sets, fin, fin_rows = struct.unpack_from("<BHHHI", data, 9)
    at = 20
    set_rows = struct.unpack_from(f"<{sets}I", data, at)
    at += 4 * sets
    (rows,) = struct.unpack_from("<I", data, at)
    at += 4
    listed = {}
    for _ in range(rows):
        s, zero, r = struct.unpack_from("<HHI", data, at)
        at += 8
        listed[(s, r)] = [4 * q for q in struct.unpack_from(f"<{n}h", data, at)]
        at += 2 * n
    final = [list(struct.unpack_from(f"<{fin}i", data, at + 4 * fin * k)) for k in range(fin_rows)]
    at += 4 * fin * fin_rows
    if at != len(data) or profile != 11 or n != p6.N_INPUTS or fin != p6.FINAL_INPUTS or tuple(set_rows) != p6.SET_COUNTS:
        raise ValueError("weight prior: not profile 11's")
    return listed, final


_PRIOR = None


def prior():
    global _PRIOR
    if _PRIOR is None:
        _PRIOR = read_prior()
    return _PRIOR


class Profile11Mixer(Profile6Mixer):
    """[Profile 11] Profile 6's mixer; its weights start from the prior."""

    def mixer_state(self, n):
        """[Profile 11: State] Profile 6's W0..W7, FW and APM0..APM2; then each
        row the prior lists is W_set[row], and FW[k] is the prior's final row k
        for every k."""
        super().mixer_state(n)
        listed, final = prior()
        for (s, r), w in listed.items():
            self.W[s].sets[r] = list(w)
        for k, fw in enumerate(final):
            self.FW.sets[k] = list(fw)
