#!/usr/bin/env bash
# make dist: dist/tillflow, one stripped file that runs on a bare Debian or a distroless
# image with nothing else installed. Swift's runtime and Foundation are linked in
# (--static-swift-stdlib), and so are RocksDB, zstd, what RocksDB needs (snappy, lz4, bz2,
# zlib, gflags), libstdc++ and libgcc, from Debian's -dev packages. What stays dynamic is
# glibc (libc, libm and the loader), which every such image has.
#
# SwiftPM puts pkg-config's `-L/usr/lib/x86_64-linux-gnu -lrocksdb -lzstd -lstdc++` ahead
# of everything, so the shared libraries win whatever else it is given: the link is done
# again here, from SwiftPM's own command (`swift build -v`) without them, and with a
# directory of static archives only (its librocksdb.a a linker script grouping Debian's
# archive with those it needs) searched after the objects. The script then proves it:
# the binary runs `replay edge` with RocksDB state in a chroot holding nothing but itself
# and those glibc files.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=.build-dist
STATIC=$PWD/$SCRATCH/static-libs
LIBDIR=/usr/lib/x86_64-linux-gnu
BIN=$PWD/$SCRATCH/x86_64-unknown-linux-gnu/release
mkdir -p "$STATIC" dist
STDCXX=$(ls /usr/lib/gcc/x86_64-linux-gnu/*/libstdc++.a | sort -V | tail -1)
for lib in zstd snappy lz4 bz2 z gflags; do ln -sf "$LIBDIR/lib$lib.a" "$STATIC/lib$lib.a"; done
ln -sf "$STDCXX" "$STATIC/libstdc++.a"
echo "GROUP ( $LIBDIR/librocksdb.a $LIBDIR/libsnappy.a $LIBDIR/liblz4.a $LIBDIR/libzstd.a $LIBDIR/libbz2.a $LIBDIR/libz.a $LIBDIR/libgflags.a $STDCXX )" \
  > "$STATIC/librocksdb.a"
rm -f "$BIN/tillflow"  # so that SwiftPM links, and shows how
swift build -c release --scratch-path "$SCRATCH" --static-swift-stdlib --product tillflow -v >"$SCRATCH/build.log" 2>&1 \
  || { tail -30 "$SCRATCH/build.log"; exit 1; }
link=$(grep -E "swiftc .*-o $BIN/tillflow " "$SCRATCH/build.log" | tail -1)
[ -n "$link" ] || { echo "no link command in $SCRATCH/build.log" >&2; exit 1; }
link=${link// -L\/usr\/lib\/x86_64-linux-gnu -lrocksdb -lzstd -lstdc++/}
link=${link/ -v / }
link=${link/ -o $BIN\/tillflow / -o $PWD/dist/tillflow }
eval "$link -L$STATIC -lrocksdb -lzstd -lstdc++ -Xclang-linker -static-libgcc" 2>&1 | grep -v "use of .mktemp" || true
strip dist/tillflow
echo "dist/tillflow: $(du -h dist/tillflow | cut -f1), needs:"
ldd dist/tillflow | sed 's/^/  /'
if ldd dist/tillflow | grep -vE 'linux-vdso|ld-linux|libc\.so|libm\.so|libpthread\.so|libdl\.so|librt\.so' | grep -q '=>'; then
  echo "dist/tillflow needs more than glibc" >&2
  exit 1
fi

# A chroot with the binary and glibc's files only: replay a generated file in it.
ROOT=$(mktemp -d)
trap 'umount "$ROOT/proc" 2>/dev/null || true; rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT/work" "$ROOT/tmp" "$ROOT/proc"
cp dist/tillflow "$ROOT/tillflow"
for lib in $(ldd dist/tillflow | grep -oE '/[^ ]+'); do mkdir -p "$ROOT$(dirname "$lib")" && cp -L "$lib" "$ROOT$lib"; done
dist/tillflow generate inventory --locations 5 --skus 50 --count 20000 --seed 7 --out "$ROOT/work/edge.jsonl" >/dev/null
if [ "$(id -u)" = 0 ]; then
  # /proc as every container has it (Swift's runtime reads the arguments from it); RocksDB
  # state (the default): the statically linked RocksDB, zstd and snappy at work.
  mount -t proc proc "$ROOT/proc"
  chroot "$ROOT" /tillflow replay edge --input /work/edge.jsonl --out /work/out | tail -3
  test -s "$ROOT/work/out/turnover.jsonl"
  echo "dist/tillflow ran replay in a chroot holding only itself and glibc"
else
  echo "not root: the chroot check was skipped (run make dist as root, or in a container)"
fi
