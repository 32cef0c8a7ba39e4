"""Window sizes that fit the screen the window opens on."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# the share of the screen's free area a window may take at most
SCREEN_SHARE = 0.95


def resize_within_screen(widget: QWidget, width: int, height: int) -> None:
    """``widget`` at ``width`` x ``height``, or smaller where the screen is: a review opened the
    Train window (980 x 760) on a 1024 x 700 screen and found its Start and Close buttons below
    the screen's edge."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        free = screen.availableGeometry()
        width = min(width, int(free.width() * SCREEN_SHARE))
        height = min(height, int(free.height() * SCREEN_SHARE))
    widget.resize(width, height)
