"""Moved: the snap grid and a drag's preview are view state now (``composer_gui.ui.view_state``).

Only ``SNAP_CHOICES`` is re-exported here, for ``ui/header.py`` until it imports it from
``view_state``; then this module goes.
"""

from ..view_state import SNAP_CHOICES

__all__ = ["SNAP_CHOICES"]
