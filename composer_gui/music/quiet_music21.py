"""music21, imported with its import-time remark on stderr silenced.

The reader process's forkserver preloads this module (``safe_read``): importing ``music21``
there directly printed "Certain music21 functions might need the optional package matplotlib" to
the terminal from the bundled app, which leaves matplotlib out."""

from .notation import _m21

music21 = _m21()
