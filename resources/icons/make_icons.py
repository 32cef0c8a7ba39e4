"""Draw the app icon: composer-gui.svg, then PNGs, a Windows .ico and a macOS .icns from it.

    python resources/icons/make_icons.py

The SVG is the source (written by hand below: a dark rounded square, a piano roll's grid with a
rising phrase of notes and a brighter continuation after a playhead). The PNGs are rendered from it
with Qt's SVG renderer (QtSvg, in PySide6-Essentials); the .ico and .icns hold PNG-compressed
images (Windows Vista+ and macOS 10.7+ read those), written here with ``struct`` so that no image
library or platform tool (iconutil, Pillow) is needed. Re-run after editing the SVG; the outputs are
committed so that a build never needs Qt's SVG module to make them.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAME = "composer-gui"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# .icns element types holding PNG data, by pixel size (ic10 is 512@2x)
ICNS_TYPES = ((b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256),
              (b"ic09", 512), (b"ic10", 1024))


def svg_text() -> str:
    """The icon on a 256-unit canvas."""
    rows = []
    for y in range(40, 224, 24):  # piano-roll lanes
        rows.append(f'<rect x="24" y="{y}" width="208" height="12" fill="#ffffff" '
                    f'fill-opacity="0.05"/>')
    for x in range(56, 232, 32):  # beat lines
        rows.append(f'<line x1="{x}" y1="28" x2="{x}" y2="228" stroke="#ffffff" '
                    f'stroke-opacity="0.08" stroke-width="2"/>')
    sketch = [(28, 172, 26), (60, 148, 26), (92, 124, 26), (124, 148, 26)]  # x, y, width
    more = [(156, 100, 26), (188, 76, 38)]
    notes = [f'<rect x="{x}" y="{y}" width="{w}" height="20" rx="5" fill="#6cb0ff"/>'
             for x, y, w in sketch]
    notes += [f'<rect x="{x}" y="{y}" width="{w}" height="20" rx="5" fill="#ffb74d"/>'
              for x, y, w in more]
    return "\n".join([
        '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">',
        '<title>Composer</title>',
        '<rect x="8" y="8" width="240" height="240" rx="44" fill="#2b2e33"/>',
        '<rect x="8" y="8" width="240" height="240" rx="44" fill="none" stroke="#3d7fd6" '
        'stroke-width="6"/>',
        '<g>', *rows, '</g>',
        '<line x1="152" y1="30" x2="152" y2="226" stroke="#ff6b6b" stroke-width="5" '
        'stroke-linecap="round"/>',
        '<g>', *notes, '</g>',
        '</svg>',
        "",
    ])


def render_pngs(svg: Path) -> dict[int, bytes]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: Qt cannot read this SVG")
    out: dict[int, bytes] = {}
    for size in sorted({*PNG_SIZES, *ICO_SIZES, *(s for _, s in ICNS_TYPES)}):
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buf, "PNG")
        buf.close()
        out[size] = bytes(data.data())
    return out


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """ICONDIR + ICONDIRENTRYs + PNG payloads (0 in width/height means 256)."""
    sizes = list(ICO_SIZES)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, payload = b"", b""
    for s in sizes:
        data = pngs[s]
        entries += struct.pack("<BBBBHHII", s % 256, s % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        payload += data
    return header + entries + payload


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    body = b"".join(t + struct.pack(">I", 8 + len(pngs[s])) + pngs[s] for t, s in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    svg = HERE / f"{NAME}.svg"
    svg.write_text(svg_text(), encoding="utf-8")
    pngs = render_pngs(svg)
    (HERE / f"{NAME}.png").write_bytes(pngs[256])
    for s in (16, 32, 48, 64, 128, 512):
        (HERE / f"{NAME}-{s}.png").write_bytes(pngs[s])
    (HERE / f"{NAME}.ico").write_bytes(ico_bytes(pngs))
    (HERE / f"{NAME}.icns").write_bytes(icns_bytes(pngs))
    for p in sorted(HERE.glob(f"{NAME}*")):
        print(f"{p.name}: {p.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
