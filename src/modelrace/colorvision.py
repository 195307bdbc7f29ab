"""Colour science for the palette tests: colour-vision deficiency simulation, CIEDE2000, WCAG contrast.

Why: about 1 man in 12 has a red-green colour-vision deficiency; a chart whose categories differ
only by a red-green contrast is unreadable to him. The tests simulate deuteranopia and protanopia
(the two full dichromacies of the red-green kind) and measure the perceptual distance between
every pair of colours drawn together; they also check text on bars against WCAG AA.

- Simulation: Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for
  Simulation of Color Vision Deficiency", IEEE TVCG 15(6), severity 1.0 matrices, applied to
  linear RGB (as colorspacious and the authors' own tables do).
- Distance: CIEDE2000 (Sharma, Wu & Dalal 2005 formulation, kL = kC = kH = 1) in CIELAB under
  D65, from sRGB.
- Contrast: WCAG 2.x relative luminance and contrast ratio ``(L1 + 0.05) / (L2 + 0.05)``.

No dependency beyond numpy and matplotlib's colour parser.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
from matplotlib.colors import to_rgba

# Machado et al. 2009, severity 1.0 (linear RGB in, linear RGB out).
MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
VISIONS = ("normal", "deuteranopia", "protanopia")
_SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                         [0.2126729, 0.7151522, 0.0721750],
                         [0.0193339, 0.1191920, 0.9503041]])
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def rgb(color, background="white") -> np.ndarray:
    """sRGB in 0..1 of any matplotlib colour, alpha-composited over ``background``."""
    r, g, b, a = to_rgba(color)
    bg = np.array(to_rgba(background)[:3])
    return np.array([r, g, b]) * a + bg * (1 - a)


def to_linear(srgb: np.ndarray) -> np.ndarray:
    srgb = np.asarray(srgb, dtype=float)
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def from_linear(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(np.asarray(lin, dtype=float), 0, 1)
    return np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)


def simulate(color, vision: str) -> np.ndarray:
    """The sRGB colour as seen with ``vision`` ("normal" or a key of :data:`MACHADO`)."""
    srgb = rgb(color)
    if vision == "normal":
        return srgb
    if vision not in MACHADO:
        raise ValueError(f"vision must be 'normal' or one of {sorted(MACHADO)}, not {vision!r}")
    return from_linear(MACHADO[vision] @ to_linear(srgb))


def lab(srgb) -> np.ndarray:
    """CIELAB (D65) of an sRGB triple in 0..1."""
    xyz = _SRGB_TO_XYZ @ to_linear(srgb) / _WHITE_D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1, lab2) -> float:
    """CIEDE2000 colour difference between two CIELAB triples (Sharma et al. 2005)."""
    L1, a1, b1 = (float(v) for v in lab1)
    L2, a2, b2 = (float(v) for v in lab2)
    C1, C2 = math.hypot(a1, b1), math.hypot(a2, b2)
    Cbar = (C1 + C2) / 2
    G = 0.5 * (1 - math.sqrt(Cbar ** 7 / (Cbar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if C1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if C2p else 0.0
    dLp = L2 - L1
    dCp = C2p - C1p
    if C1p * C2p == 0:
        dhp = 0.0
    elif abs(h2p - h1p) <= 180:
        dhp = h2p - h1p
    elif h2p - h1p > 180:
        dhp = h2p - h1p - 360
    else:
        dhp = h2p - h1p + 360
    dHp = 2 * math.sqrt(C1p * C2p) * math.sin(math.radians(dhp / 2))
    Lbp = (L1 + L2) / 2
    Cbp = (C1p + C2p) / 2
    if C1p * C2p == 0:
        hbp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbp = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hbp = (h1p + h2p + 360) / 2
    else:
        hbp = (h1p + h2p - 360) / 2
    T = (1 - 0.17 * math.cos(math.radians(hbp - 30)) + 0.24 * math.cos(math.radians(2 * hbp))
         + 0.32 * math.cos(math.radians(3 * hbp + 6)) - 0.20 * math.cos(math.radians(4 * hbp - 63)))
    dtheta = 30 * math.exp(-(((hbp - 275) / 25) ** 2))
    Rc = 2 * math.sqrt(Cbp ** 7 / (Cbp ** 7 + 25 ** 7))
    Sl = 1 + 0.015 * (Lbp - 50) ** 2 / math.sqrt(20 + (Lbp - 50) ** 2)
    Sc = 1 + 0.045 * Cbp
    Sh = 1 + 0.015 * Cbp * T
    Rt = -math.sin(math.radians(2 * dtheta)) * Rc
    return math.sqrt((dLp / Sl) ** 2 + (dCp / Sc) ** 2 + (dHp / Sh) ** 2 + Rt * (dCp / Sc) * (dHp / Sh))


def delta_e(c1, c2, vision: str = "normal") -> float:
    """CIEDE2000 between two matplotlib colours as seen with ``vision``."""
    return ciede2000(lab(simulate(c1, vision)), lab(simulate(c2, vision)))


def min_delta_e(colors, visions=VISIONS) -> tuple[float, tuple, str]:
    """The closest pair of ``colors`` over ``visions``: (ΔE00, (colour a, colour b), vision)."""
    colors = list(dict.fromkeys(colors))
    best = (math.inf, (None, None), "")
    for vision in visions:
        for a, b in combinations(colors, 2):
            d = delta_e(a, b, vision)
            if d < best[0]:
                best = (d, (a, b), vision)
    return best


def luminance(color) -> float:
    """WCAG 2.x relative luminance (colour composited over white)."""
    r, g, b = to_linear(rgb(color))
    return float(0.2126 * r + 0.7152 * g + 0.0722 * b)


def contrast(fg, bg) -> float:
    """WCAG contrast ratio, 1..21."""
    la, lb = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
