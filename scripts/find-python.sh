#!/usr/bin/env bash
# Prints the path of the best Python for this project: 3.13, then 3.12, then 3.11.
# PySide6 6.12 aborts at exit on 3.11, so 3.12+ is preferred; pyproject pins <6.12 on 3.11.
# `python3.12` may be a pyenv shim that exists but is not runnable, so every candidate is
# asked to run before it is chosen.
set -u
ok() { "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1; }
for name in python3.13 python3.12; do
  if command -v "$name" >/dev/null 2>&1 && ok "$name"; then command -v "$name"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[23]\.[0-9]+$' | sort -t. -k2,2nr -k3,3nr); do
    p="$(pyenv prefix "$v" 2>/dev/null)/bin/python3"
    if [ -x "$p" ] && ok "$p"; then echo "$p"; exit 0; fi
  done
fi
for name in python3.11 python3; do
  if command -v "$name" >/dev/null 2>&1 && ok "$name"; then command -v "$name"; exit 0; fi
done
echo "transmit-admin needs Python 3.11 or newer (3.12+ preferred). Install one, e.g." >&2
echo "  sudo apt-get install python3.12 python3.12-venv   (or: pyenv install 3.12)" >&2
exit 1
