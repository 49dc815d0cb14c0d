"""The one look of the game: a warm workshop desk, banknote paper, brass and rubber stamps."""

from __future__ import annotations

LOGICAL_HEIGHT = 720
LOGICAL_WIDTH = 1280
MIN_LOGICAL_WIDTH = 1024  # narrower windows are letterboxed rather than squeezed
MAX_LOGICAL_WIDTH = 1600

# Colours (RGB).
WOOD_DARK = (43, 30, 22)
WOOD = (74, 52, 36)
WOOD_LIGHT = (98, 70, 48)
FELT = (38, 66, 52)
FELT_DARK = (28, 50, 40)
FELT_LINE = (58, 92, 74)
PAPER = (244, 236, 214)
PAPER_SHADE = (226, 214, 186)
BILL_PAPER = (226, 232, 208)
BILL_INK = (34, 70, 52)
BILL_BORDER = (72, 110, 82)
INK = (44, 34, 26)
INK_SOFT = (108, 92, 76)
BRASS = (214, 172, 80)
BRASS_DARK = (150, 116, 48)
CREAM = (250, 244, 228)
WHITE = (255, 255, 255)
SHADOW = (0, 0, 0)
REAL_GREEN = (34, 150, 82)
REAL_GREEN_DARK = (20, 100, 54)
FAKE_RED = (204, 52, 44)
FAKE_RED_DARK = (140, 30, 26)
POLICE_BLUE = (58, 104, 178)
POLICE_BLUE_LIGHT = (120, 160, 224)
COUNTERFEITER_ORANGE = (226, 132, 48)
COUNTERFEITER_LIGHT = (246, 180, 110)
ACCURACY_GREY = (170, 160, 140)
BAR_BG = (30, 21, 15)
BUTTON = (92, 66, 44)
BUTTON_HOVER = (116, 84, 56)
BUTTON_PRESSED = (70, 50, 34)
BUTTON_ACTIVE = (150, 112, 52)
BUTTON_TEXT = CREAM
DISABLED_TEXT = (150, 134, 116)
OVERLAY_DIM = (12, 8, 6, 170)
HELP_HIGHLIGHT = (255, 214, 102)

# Sizes in logical pixels (the logical canvas is 720 high; at 1080p one logical px is 1.5 px,
# so the 52 px minimum touch target is 78 px on a 1080p screen, above the 64 px guideline).
TOP_BAR_H = 64
BOTTOM_BAR_H = 84
MIN_TOUCH = 52
PAD = 16
RADIUS = 10

# Font roles -> (file name in assets/fonts, bold fallback wanted)
FONT_FILES = {
    "body": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "display": "DejaVuSerif-Bold.ttf",
}
