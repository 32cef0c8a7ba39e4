"""Composer: a piano roll whose bundled LSTM continues your sketch."""

__version__ = "0.1.0"
