#!/usr/bin/env bash
# CI: build the one-folder app and run the frozen app's self-test in a clean environment.
#
#   bash build/ci_bundle.sh [--models DIR]
#
# 1. a Python with the app and PyInstaller: $PYTHON if set, else .venv/bin/python when it exists
#    (made by .ci/run; PyInstaller is added to it), else a fresh venv in build/work/venv;
# 2. bash build/build.sh -> dist/composer-gui/ (the models in ./models, or in DIR);
# 3. the folder is copied outside the checkout and `composer-gui --self-test` runs there with
#    env -i: PATH=/usr/bin:/bin, a fresh HOME, no Python variables, Qt offscreen. The build's
#    Python is not reachable, so the test shows that the bundle carries everything it needs.
# Prints the time each step took; exits non-zero when the build or the self-test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
if [ -n "${PYTHON:-}" ]; then
  PY=$PYTHON
elif [ -x .venv/bin/python ]; then
  PY=.venv/bin/python
else
  python3 -m venv build/work/venv
  PY=build/work/venv/bin/python
  "$PY" -m pip install --quiet .
fi
"$PY" -c "import PyInstaller" 2>/dev/null || "$PY" -m pip install --quiet "pyinstaller>=6.5"
t1=$(date +%s)
PYTHON="$PY" bash build/build.sh "$@"
t2=$(date +%s)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -a dist/composer-gui "$scratch/composer-gui"
mkdir "$scratch/home"
cd /
env -i PATH=/usr/bin:/bin HOME="$scratch/home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
  "$scratch/composer-gui/composer-gui" --self-test
t3=$(date +%s)
echo "ci_bundle.sh: install $((t1 - t0)) s, build $((t2 - t1)) s, frozen self-test $((t3 - t2)) s"
