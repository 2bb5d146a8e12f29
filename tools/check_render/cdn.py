"""The CDN, offline. The pages load Vega, require.js and jquery from jsDelivr and cdnjs,
which the project's machines cannot reach: unless --live-cdn is given, the browser's
requests for them are answered from the same files in their npm packages (fetched once
with `npm pack` into .cache/cdn/, or $MNISTCOMPARE_CDN_CACHE), and a script's integrity
attribute is dropped only where those bytes differ from the CDN's. axe-core comes from
npm the same way (axe.py)."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

from .plan import ROOT

JSDELIVR = re.compile(r"https://cdn\.jsdelivr\.net/npm/((?:@[\w.-]+/)?[\w.-]+)@([\w.^~*-]+)(/[^\"'?\s)]*)?")
CDNJS = re.compile(r"https://cdnjs\.cloudflare\.com/ajax/libs/([\w.-]+)/([\w.-]+)/([^\"'?\s)]+)")
CDNJS_NPM = {"require.js": "requirejs", "jquery": "jquery"}  # cdnjs library -> npm package


def cdn_cache() -> Path:
    return Path(os.environ.get("MNISTCOMPARE_CDN_CACHE", ROOT / ".cache" / "cdn"))


@functools.cache
def npm_package(name: str, version: str) -> Path:
    """The unpacked npm package name@version (a range like 6 picks the newest 6.x), cached."""
    target = cdn_cache() / f"{name.replace('/', '+')}@{version}"
    if not (target / "package" / "package.json").is_file():
        target.mkdir(parents=True, exist_ok=True)
        print(f"[check-render] npm pack {name}@{version}", file=sys.stderr, flush=True)
        out = subprocess.run(
            ["npm", "pack", "--silent", f"{name}@{version}"], cwd=target, capture_output=True, text=True
        )
        if out.returncode != 0:
            raise RuntimeError(f"npm pack {name}@{version} failed: {out.stderr.strip()[-300:]}")
        tgz = target / out.stdout.strip().splitlines()[-1]
        with tarfile.open(tgz) as tar:
            tar.extractall(target, filter="data")
        tgz.unlink()
    return target / "package"


def cdn_file(url: str) -> Path | None:
    """The local copy of a CDN URL, or None when it is not a CDN this check can serve."""
    url = url.split("?", 1)[0].split("#", 1)[0]
    if m := JSDELIVR.fullmatch(url):
        name, version, sub = m.groups()
        pkg = npm_package(name, version)
        if sub and sub != "/":
            # jsdelivr minifies on request: require.min.js is served from require.js.
            exact = pkg / sub.lstrip("/")
            return exact if exact.is_file() else exact.with_name(exact.name.replace(".min.js", ".js"))
        meta = json.loads((pkg / "package.json").read_text())
        entry = next(
            v for v in (meta.get("jsdelivr"), meta.get("browser"), meta.get("main"), "index.js") if isinstance(v, str)
        )
        return pkg / entry
    if (m := CDNJS.fullmatch(url)) and m.group(1) in CDNJS_NPM:
        lib, version, file = m.groups()
        pkg = npm_package(CDNJS_NPM[lib], version)
        for candidate in (
            file,
            f"dist/{file}",
            file.replace(".min.js", ".js"),
            f"dist/{file.replace('.min.js', '.js')}",
        ):
            if (pkg / candidate).is_file():
                return pkg / candidate
    return None


def sri_matches(data: bytes, integrity: str) -> bool:
    algo, _, expected = integrity.partition("-")
    return (
        algo in ("sha256", "sha384", "sha512")
        and base64.b64encode(hashlib.new(algo, data).digest()).decode() == expected
    )


def drop_foreign_integrity(page_html: str) -> str:
    """Remove an integrity attribute where the local copy's bytes differ from the CDN's."""

    def fix(m: re.Match) -> str:
        tag = m.group(0)
        src, sri = re.search(r'\bsrc="([^"]+)"', tag), re.search(r'\sintegrity="([^"]+)"', tag)
        local = cdn_file(src.group(1)) if src and sri else None
        if local is None or not local.is_file() or sri_matches(local.read_bytes(), sri.group(1)):
            return tag
        return tag.replace(sri.group(0), "")

    return re.sub(r"<script\b[^>]*>", fix, page_html)
