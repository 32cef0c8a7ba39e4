#!/usr/bin/env bash
# Build the one-folder app dist/composer-gui/ with PyInstaller (build/composer_gui.spec).
#
#   bash build/build.sh                    # bundles the models in ./models
#   bash build/build.sh --models DIR       # bundles the model folders in DIR instead
#   PYTHON=/path/to/python bash build/build.sh
#
# Needs the app's dependencies and PyInstaller in that Python: pip install -e ".[build]".
# TensorFlow may be installed too (the spec leaves it out). Prints the folder's size at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
while [ $# -gt 0 ]; do
  case "$1" in
    --models) export COMPOSER_GUI_BUNDLE_MODELS="$(cd "$2" && pwd)"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
  echo "build.sh: PyInstaller is not installed in $PYTHON (pip install -e \".[build]\")" >&2
  exit 1
fi
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/work build/composer_gui.spec
echo "build.sh: dist/composer-gui/ ($(du -sh dist/composer-gui | cut -f1)) in $(( $(date +%s) - start )) s"
