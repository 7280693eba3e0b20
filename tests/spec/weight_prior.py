"""Weight priors of the spec decoder, written from docs/FORMAT.md "Weight
priors" alone: the file a profile's weight sets and final mixer start from
(profile 11's, profile11.py; profile 12's, profile12.py; profile 13's,
profile13.py; profile 14's, profile14.py)."""

import os
import struct

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "mix", "data")
MAGIC = b"MBZPRIOR"
VERSION = 1
ROW_WEIGHT_STEP = 4        # a listed row's weights are stored divided by 4


class Prior:
    """[Weight priors] profile; n (inputs); set_rows; F (final inputs); FR
    (final rows); rows {(set, row): n weights}; final (FR rows of F)."""


def read_prior(name):
    """[Weight priors] The file: "MBZPRIOR", u8 version 1, u8 profile, u16 n,
    u16 S, u16 F, u32 FR, S x u32 (each set's rows), u32 R, R rows (u16 set,
    u16 0, u32 row, n x i16, each a weight / 4; in increasing (set, row)),
    then FR x F x i32, the final mixer's rows."""
    with open(os.path.join(DATA_DIR, name), "rb") as f:
        data = f.read()
    if data[:8] != MAGIC or data[8] != VERSION:
        raise ValueError(f"{name}: not a weight prior of version {VERSION}")
    p = Prior()
    p.profile, p.n, sets, p.F, p.FR = struct.unpack_from("<BHHHI", data, 9)
    at = 20
    p.set_rows = struct.unpack_from(f"<{sets}I", data, at)
    at += 4 * sets
    (count,) = struct.unpack_from("<I", data, at)
    at += 4
    p.rows = {}
    last = None
    for _ in range(count):
        s, zero, r = struct.unpack_from("<HHI", data, at)
        at += 8
        if zero != 0 or s >= sets or r >= p.set_rows[s] or (last is not None and (s, r) <= last):
            raise ValueError(f"{name}: a row out of order or out of its set")
        last = (s, r)
        p.rows[(s, r)] = [ROW_WEIGHT_STEP * q for q in struct.unpack_from(f"<{p.n}h", data, at)]
        at += 2 * p.n
    p.final = [list(struct.unpack_from(f"<{p.F}i", data, at + 4 * p.F * k)) for k in range(p.FR)]
    at += 4 * p.F * p.FR
    if at != len(data):
        raise ValueError(f"{name}: {len(data) - at} bytes after its end")
    return p


_LOADED = {}


def checked_prior(profile, n, set_rows, F):
    """[Weight priors] src/mix/data/profile<profile>.prior, read once and
    checked against its profile's shape: n inputs, each set's rows, F final
    inputs, 256 final rows ("A decoder checks the header against the
    profile")."""
    if profile not in _LOADED:
        name = f"profile{profile}.prior"
        p = read_prior(name)
        if (p.profile, p.n, tuple(p.set_rows), p.F, p.FR) != (profile, n, tuple(set_rows), F, 256):
            raise ValueError(f"{name}: not profile {profile}'s shape")
        _LOADED[profile] = p
    return _LOADED[profile]


def start_from_prior(sets, final_rows, p):
    """[Weight priors] Each row the prior lists replaces that row of its
    first-layer set (sets[s].sets[r]); every final row k is the prior's
    final row k (final_rows[k])."""
    for (s, r), weights in p.rows.items():
        sets[s].sets[r] = list(weights)
    for k, fw in enumerate(p.final):
        final_rows[k] = list(fw)
