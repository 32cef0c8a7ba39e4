"""Shared test set-up: Qt offscreen, no network, small helpers."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("COMPOSER_GUI_NO_AUDIO", "1")
