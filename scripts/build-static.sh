#!/usr/bin/env bash
# Builds the static musl release binary and copies it to dist/hubspot-mcp.
#
#   scripts/build-static.sh
#
# Installs nothing: it checks for the rustup target x86_64-unknown-linux-musl and for Debian's musl-tools
# (musl-gcc, which compiles ring's C code for musl) and says what to install if either is
# missing (scripts/test.sh installs both). Honours CARGO_TARGET_DIR.
#
# "Static" is checked on the ELF itself: no program interpreter (PT_INTERP), no dynamic section at all
# (so no needed shared library and no self-relocation) and `file` saying "statically linked". Rust would
# link musl binaries as static-pie (a small .dynamic section read by the start-up code); .cargo/config.toml
# asks for relocation-model=static instead, a plain static executable (see docs/performance.md, "Static binary and allocator").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TARGET=x86_64-unknown-linux-musl

fail() { echo "build-static: $*" >&2; exit 1; }

missing=()
command -v cargo >/dev/null || missing+=("cargo (a Rust toolchain: https://rustup.rs)")
if command -v rustup >/dev/null; then
  rustup target list --installed | grep -qx "$TARGET" ||
    missing+=("the Rust target $TARGET: rustup target add $TARGET")
elif command -v rustc >/dev/null; then
  [ -d "$(rustc --print sysroot)/lib/rustlib/$TARGET" ] ||
    missing+=("the Rust target $TARGET (rustup target add $TARGET, or your distribution's musl std)")
fi
command -v musl-gcc >/dev/null ||
  missing+=("musl-gcc, for ring's C code: apt-get install musl-tools (Debian/Ubuntu)")
for tool in readelf file; do
  command -v "$tool" >/dev/null || missing+=("$tool: apt-get install $([ "$tool" = readelf ] && echo binutils || echo file)")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "build-static: missing, nothing built:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi

echo "build-static: cargo build --release --locked --target $TARGET"
cargo build --release --locked --target "$TARGET"

out=${CARGO_TARGET_DIR:-target}/$TARGET/release/hubspot-mcp
[ -f "$out" ] || fail "no binary at $out"

# Static: no interpreter, no shared library.
headers=$(readelf -lW "$out")
dynamic=$(readelf -dW "$out" 2>&1 || true)
if grep -q INTERP <<<"$headers"; then
  fail "$out asks for a program interpreter (dynamically linked): $(grep -A1 INTERP <<<"$headers")"
fi
if ! grep -q "no dynamic section" <<<"$dynamic"; then
  fail "$out has a dynamic section (is .cargo/config.toml's relocation-model=static overridden by RUSTFLAGS?): $dynamic"
fi
kind=$(file -b "$out")
case $kind in
  *"statically linked"*) ;;
  *) fail "file(1) does not call $out static: $kind" ;;
esac

mkdir -p dist
cp "$out" dist/hubspot-mcp
size=$(stat -c %s dist/hubspot-mcp)
echo "build-static: static: no interpreter, no dynamic section ($kind)"
echo "build-static: dist/hubspot-mcp: $size bytes ($(awk -v b="$size" 'BEGIN {printf "%.2f MB, %.2f MiB", b / 1e6, b / 1048576}'))"
