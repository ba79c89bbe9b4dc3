"""The painters of the procedural scenes (`gan_repro.data.scenes`): one function per class, on a Canvas.

Every painter draws one instance at a random place and size (`ObjectSpec.size`, a fraction of the image
side) with the canvas's generator, and writes its class id under every pixel it paints. Colour palettes
overlap across classes (wood doors, tables and floors; pale walls and ceilings), and every class has a
texture, so that one pixel's colour does not give its class.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# One class list for every config, so that a segmenter and the statistics share class ids across configs.
CLASSES = ("wall", "floor", "ceiling", "bed", "window", "door", "table", "cabinet",
           "lamp", "painting", "plant", "clock", "cup")
CLASS_ID = {c: i for i, c in enumerate(CLASSES)}


@dataclass
class Canvas:
    img: np.ndarray             # (S, S, 3) float in [0, 1]
    mask: np.ndarray            # (S, S) uint8 class ids
    rng: np.random.Generator
    top: int = 0                # first wall row (below the ceiling)
    floor: int = 0              # first floor row
    tables: list = field(default_factory=list)   # (y_top, x0, x1) of drawn table tops, for cups and lamps

    @property
    def s(self) -> int:
        return self.img.shape[0]


def _colour(rng, base, jitter=0.08) -> np.ndarray:
    """A colour near `base` (RGB in [0, 1]), jittered per instance."""
    return np.clip(np.asarray(base) + rng.uniform(-jitter, jitter, 3), 0, 1)


def _texture(rng, shape, kind: str) -> np.ndarray:
    """(h, w) brightness offsets in about [-0.1, 0.1]: noise, stripes, checker or a vertical gradient."""
    h, w = shape
    noise = rng.normal(0, 0.03, shape)
    yy, xx = np.mgrid[0:h, 0:w]
    period = rng.integers(2, 5)
    pattern = {"noise": 0 * yy, "hstripes": (yy // period) % 2, "vstripes": (xx // period) % 2,
               "checker": ((yy // period) + (xx // period)) % 2, "gradient": yy / max(h - 1, 1)}[kind]
    return noise + 0.08 * (pattern - 0.5)


def paint(cv: Canvas, cls: str, region: np.ndarray, base, texture: str = "noise", y0: int = 0,
          x0: int = 0, jitter: float = 0.08) -> None:
    """Paint a boolean `region` (h, w) at (y0, x0), clipped to the canvas; it becomes class `cls`."""
    h, w = region.shape
    ya, xa = max(y0, 0), max(x0, 0)
    yb, xb = min(y0 + h, cv.s), min(x0 + w, cv.s)
    if ya >= yb or xa >= xb:
        return
    sub = region[ya - y0:yb - y0, xa - x0:xb - x0]
    tex = _texture(cv.rng, region.shape, texture)[ya - y0:yb - y0, xa - x0:xb - x0]
    colour = _colour(cv.rng, base, jitter)
    cv.img[ya:yb, xa:xb][sub] = np.clip(colour + tex[..., None], 0, 1)[sub]
    cv.mask[ya:yb, xa:xb][sub] = CLASS_ID[cls]


def _rect(h, w) -> np.ndarray:
    return np.ones((max(h, 1), max(w, 1)), bool)


def _disc(d) -> np.ndarray:
    r = (d - 1) / 2
    yy, xx = np.mgrid[0:d, 0:d]
    return (yy - r) ** 2 + (xx - r) ** 2 <= (r + 0.3) ** 2


def _px(cv, frac) -> int:
    return max(2, int(round(frac * cv.s)))


def _size(cv, spec) -> int:
    return _px(cv, cv.rng.uniform(*spec.size))


# ------------------------------------------------------------------ palettes (RGB in [0, 1])
WALLS = ((0.85, 0.80, 0.70), (0.70, 0.78, 0.85), (0.75, 0.82, 0.70), (0.72, 0.72, 0.72), (0.88, 0.74, 0.76))
CEILINGS = ((0.92, 0.92, 0.90), (0.85, 0.83, 0.78), (0.78, 0.80, 0.82))
FLOORS = ((0.55, 0.38, 0.22), (0.50, 0.50, 0.50), (0.80, 0.75, 0.65), (0.35, 0.25, 0.18))
WOODS = ((0.50, 0.33, 0.20), (0.62, 0.45, 0.28), (0.35, 0.24, 0.16), (0.85, 0.85, 0.82), (0.25, 0.25, 0.27))
FABRICS = ((0.75, 0.25, 0.25), (0.25, 0.40, 0.70), (0.85, 0.85, 0.80), (0.40, 0.60, 0.40), (0.80, 0.65, 0.30))


def _pick(rng, palette):
    return palette[rng.integers(len(palette))]


def paint_background(cv: Canvas, horizon: tuple, p_ceiling: float) -> None:
    """Ceiling (in a share p_ceiling of the scenes), wall and floor bands: together they cover the image."""
    s, rng = cv.s, cv.rng
    cv.top = int(s * rng.uniform(0.08, 0.18)) if rng.random() < p_ceiling else 0
    cv.floor = int(s * rng.uniform(*horizon))
    tex = ("noise", "vstripes", "checker")
    if cv.top:
        paint(cv, "ceiling", _rect(cv.top, s), _pick(rng, CEILINGS), "gradient")
    paint(cv, "wall", _rect(cv.floor - cv.top, s), _pick(rng, WALLS), tex[rng.integers(3)], y0=cv.top)
    paint(cv, "floor", _rect(s - cv.floor, s), _pick(rng, FLOORS), ("hstripes", "checker", "noise")[rng.integers(3)],
          y0=cv.floor)


def _on_wall(cv: Canvas, h: int, w: int):
    """(y0, x0) of an h x w box inside the wall band, or None when the band is too short."""
    if cv.floor - cv.top - h < 1:
        return None
    return int(cv.rng.integers(cv.top, cv.floor - h + 1)), int(cv.rng.integers(0, max(cv.s - w, 0) + 1))


def _standing(cv: Canvas, h: int, w: int, on_table: float = 0.0):
    """(y0, x0) of an h x w box standing on the floor, or on a drawn table top with prob. on_table."""
    rng = cv.rng
    if cv.tables and rng.random() < on_table:
        ty, tx0, tx1 = cv.tables[rng.integers(len(cv.tables))]
        x0 = int(rng.integers(tx0, max(tx1 - w, tx0) + 1))
        return ty - h, x0
    bottom = int(rng.integers(cv.floor + 1, cv.s + 1))
    return bottom - h, int(rng.integers(0, max(cv.s - w, 0) + 1))


def _window(cv, spec):
    h = _size(cv, spec)
    w = max(2, int(h * cv.rng.uniform(0.8, 1.4)))
    at = _on_wall(cv, h, w)
    if at is None:
        return
    paint(cv, "window", _rect(h, w), (0.9, 0.9, 0.9), "noise", *at, jitter=0.1)          # frame
    pane = _rect(h, w)
    pane[[0, -1], :] = pane[:, [0, -1]] = False
    pane[h // 2, :] = pane[:, w // 2] = False                                           # mullions
    paint(cv, "window", pane, (0.55, 0.75, 0.95), "gradient", *at, jitter=0.12)          # sky


def _door(cv, spec):
    h = _size(cv, spec)
    w = max(2, int(h * cv.rng.uniform(0.35, 0.5)))
    y0 = cv.floor + int(cv.rng.integers(0, 2)) - h
    x0 = int(cv.rng.integers(0, cv.s - w + 1))
    paint(cv, "door", _rect(h, w), _pick(cv.rng, WOODS), "vstripes", y0, x0)
    knob = np.zeros((h, w), bool)
    knob[h // 2, w - 2 if w > 2 else 0] = True
    paint(cv, "door", knob, (0.9, 0.8, 0.3), "noise", y0, x0)


def _painting(cv, spec):
    h = _size(cv, spec)
    w = max(2, int(h * cv.rng.uniform(1.0, 1.5)))
    at = _on_wall(cv, h, w)
    if at is None:
        return
    paint(cv, "painting", _rect(h, w), (0.30, 0.20, 0.10), "noise", *at)                # frame
    if h >= 4 and w >= 4:
        paint(cv, "painting", _rect(h - 2, w - 2), cv.rng.uniform(0, 1, 3), "checker", at[0] + 1, at[1] + 1,
              jitter=0.0)


def _clock(cv, spec):
    d = _size(cv, spec)
    at = _on_wall(cv, d, d)
    if at is None:
        return
    paint(cv, "clock", _disc(d), (0.15, 0.15, 0.15), "noise", *at)                      # rim
    if d >= 4:
        paint(cv, "clock", _disc(d - 2), (0.95, 0.93, 0.85), "noise", at[0] + 1, at[1] + 1, jitter=0.04)
        hands = np.zeros((d, d), bool)
        hands[1:d // 2 + 1, d // 2] = True
        paint(cv, "clock", hands, (0.1, 0.1, 0.1), "noise", *at)


def _bed(cv, spec):
    h = _size(cv, spec)
    w = min(cv.s, int(h * cv.rng.uniform(1.4, 2.0)))
    y0, x0 = _standing(cv, h, w)
    head = max(1, int(0.4 * h))
    paint(cv, "bed", _rect(head, w), _pick(cv.rng, WOODS), "vstripes", y0, x0)           # headboard
    paint(cv, "bed", _rect(h - head, w), _pick(cv.rng, FABRICS), "hstripes", y0 + head, x0)  # blanket
    pw = max(1, w // 4)
    paint(cv, "bed", _rect(max(1, h // 6), pw), (0.95, 0.95, 0.95), "noise", y0 + head, x0 + 1, jitter=0.04)


def _cabinet(cv, spec):
    h = _size(cv, spec)
    w = max(2, int(h * cv.rng.uniform(0.6, 1.0)))
    y0, x0 = _standing(cv, h, w)
    paint(cv, "cabinet", _rect(h, w), _pick(cv.rng, WOODS + ((0.55, 0.57, 0.6),)), "hstripes", y0, x0)
    knobs = np.zeros((h, w), bool)
    knobs[1::3, w // 2] = True
    paint(cv, "cabinet", knobs, (0.1, 0.1, 0.1), "noise", y0, x0)


def _table(cv, spec):
    h = _size(cv, spec)
    w = min(cv.s, max(3, int(h * cv.rng.uniform(1.3, 2.2))))
    y0, x0 = _standing(cv, h, w)
    shape = np.zeros((h, w), bool)
    shape[:max(1, h // 4)] = True                                                       # top slab
    shape[:, [0, -1]] = True                                                            # legs
    paint(cv, "table", shape, _pick(cv.rng, WOODS), "noise", y0, x0)
    cv.tables.append((y0, x0, x0 + w))


def _lamp(cv, spec):
    h = _size(cv, spec)
    w = max(3, int(h * 0.6)) | 1                                                        # odd: a centred stem
    y0, x0 = _standing(cv, h, w, on_table=0.6)
    shape = np.zeros((h, w), bool)
    shade = max(1, int(0.45 * h))
    for r in range(shade):                                                              # trapezoid shade
        half = int(round((w // 2) * (0.5 + 0.5 * r / max(shade - 1, 1))))
        shape[r, w // 2 - half:w // 2 + half + 1] = True
    shape[shade:, w // 2] = True                                                        # stem
    shape[-1, w // 2 - 1:w // 2 + 2] = True                                             # base
    paint(cv, "lamp", shape, (0.95, 0.88, 0.55), "gradient", y0, x0, jitter=0.05)


def _plant(cv, spec):
    h = _size(cv, spec)
    w = max(3, int(h * 0.7))
    y0, x0 = _standing(cv, h, w, on_table=0.3)
    shape = np.zeros((h, w), bool)
    pot = max(1, int(0.35 * h))
    shape[h - pot:, w // 4: w - w // 4] = True
    for _ in range(3):                                                                  # foliage: three blobs
        d = max(2, int(cv.rng.integers(max(2, w // 2), w + 1)))
        cy, cx = int(cv.rng.integers(0, max(h - pot - d // 2, 1))), int(cv.rng.integers(0, max(w - d, 0) + 1))
        blob = _disc(d)[:max(0, min(d, h - cy))]
        shape[cy:cy + len(blob), cx:cx + d] |= blob[:, :w - cx]
    paint(cv, "plant", shape, (0.25, 0.55, 0.22), "checker", y0, x0, jitter=0.1)
    potmask = np.zeros((h, w), bool)
    potmask[h - pot:, w // 4: w - w // 4] = True
    paint(cv, "plant", potmask, (0.70, 0.35, 0.20), "noise", y0, x0)


def _cup(cv, spec):
    h = _size(cv, spec)
    w = h + int(cv.rng.integers(0, 2))
    y0, x0 = _standing(cv, h, w, on_table=0.9)
    paint(cv, "cup", _rect(h, w), _pick(cv.rng, ((0.95, 0.95, 0.95), (0.8, 0.2, 0.2), (0.2, 0.3, 0.8))), "noise",
          y0, x0, jitter=0.05)


DRAW = {"window": _window, "door": _door, "painting": _painting, "clock": _clock, "bed": _bed,
        "cabinet": _cabinet, "table": _table, "lamp": _lamp, "plant": _plant, "cup": _cup}
