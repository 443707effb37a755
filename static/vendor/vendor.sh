#!/usr/bin/env bash
# Reproduce static/vendor/ from the npm registry: `npm pack` exact versions, copy the files the
# page loads plus their LICENSE, and write a manifest with sha256 of every copied file.
# No build step: every file is used exactly as published.
set -euo pipefail
cd "$(dirname "$0")"
VENDOR=$(pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# unpack <spec>: npm pack into $WORK and print the unpacked package directory
unpack() {
  local spec=$1 tgz dir
  tgz=$(cd "$WORK" && npm pack --silent "$spec")
  dir="$WORK/${tgz%.tgz}"
  mkdir -p "$dir" && tar xzf "$WORK/$tgz" -C "$dir"
  echo "$dir/package"
}

# place <dest dir> <package spec> <src>:<dest> ...  then write the manifest
place() {
  local dest=$1 spec=$2 pkg
  shift 2
  pkg=$(unpack "$spec")
  mkdir -p "$VENDOR/$dest"
  local pair
  for pair in "$@"; do
    mkdir -p "$(dirname "$VENDOR/$dest/${pair#*:}")"
    cp "$pkg/${pair%%:*}" "$VENDOR/$dest/${pair#*:}"
  done
  echo "$spec $(cd "$WORK" && sha256sum ./*.tgz | grep -F "$(basename "${pkg%/package}")" | cut -d' ' -f1)" \
    >> "$WORK/tarballs.txt"
}

manifest() {
  local dest=$1
  shift
  python3 - "$VENDOR/$dest" "$WORK/tarballs.txt" "$@" <<'PY'
import hashlib, json, os, pathlib, sys
root, tarballs, specs = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3:]
sources = dict(line.split() for line in tarballs.read_text().splitlines())
files = {
    str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
    for p in sorted(root.rglob("*")) if p.is_file() and p.name != "manifest.json"
}
manifest = {
    "packages": [{"npm": s, "tarball_sha256": sources[s]} for s in specs],
    "license": os.environ.get("LICENSE_ID", "MIT"),
    "files_sha256": files,
}
(root / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
PY
}

# Cytoscape ships an ES module build; renamed to .js so every server sends a JS content type.
place cytoscape-3.35.0 cytoscape@3.35.0 \
  dist/cytoscape.esm.min.mjs:cytoscape.esm.min.js LICENSE:LICENSE
manifest cytoscape-3.35.0 cytoscape@3.35.0

# @dagrejs/dagre ships a self-contained ES module (graphlib inside). graph-view.js calls it
# directly rather than through cytoscape-dagre, so that large graphs can skip the slow
# crossing-minimisation passes (an option cytoscape-dagre does not pass through).
place dagrejs-dagre-3.0.0 @dagrejs/dagre@3.0.0 \
  dist/dagre.esm.js:dagre.esm.js dist/dagre.esm.js.LEGAL.txt:dagre.esm.js.LEGAL.txt \
  LICENSE:LICENSE
manifest dagrejs-dagre-3.0.0 @dagrejs/dagre@3.0.0

# CodeMirror 5 is a plain UMD script (window.CodeMirror), loaded with classic <script> tags.
place codemirror-5.65.21 codemirror@5.65.21 \
  lib/codemirror.js:codemirror.js lib/codemirror.css:codemirror.css \
  mode/python/python.js:mode/python/python.js \
  addon/selection/active-line.js:addon/selection/active-line.js LICENSE:LICENSE
manifest codemirror-5.65.21 codemirror@5.65.21

# axe-core (MPL-2.0) is used by the browser tests only (tests/browser/test_accessibility.py
# injects it); the page never loads it.
place axe-core-4.14.1 axe-core@4.14.1 axe.min.js:axe.min.js LICENSE:LICENSE \
  LICENSE-3RD-PARTY.txt:LICENSE-3RD-PARTY.txt
LICENSE_ID=MPL-2.0 manifest axe-core-4.14.1 axe-core@4.14.1

# elkjs (ELK's layered algorithm, EPL-2.0) is loaded only by bench/page.py, which lays the same
# graphs out with it and with dagre side by side (the page keeps dagre: see README "Graph").
place elkjs-0.12.1 elkjs@0.12.1 lib/elk.bundled.js:elk.bundled.js LICENSE.md:LICENSE.md
LICENSE_ID="EPL-2.0 OR GPL-3.0-or-later" manifest elkjs-0.12.1 elkjs@0.12.1
