#!/usr/bin/env bash
# Builds, without a Docker daemon or a registry, the base image the container image is built on (jib's
# `from.image = tar://...`), as a Docker image tarball:
#
#   /opt/java      a Java runtime made by jlink from the build JDK (only the modules Talon needs), with its own
#                  class data sharing archive of the JDK's classes (lib/server/classes.jsa)
#   /lib, /lib64   the shared libraries that runtime links against (glibc, zlib, libstdc++, libgcc), copied from
#                  the build machine (Debian packages there; the list of packages is written to
#                  /usr/share/doc/falco-talon-base/packages)
#   /etc/passwd, /etc/group  root and the non-root user falco-talon (uid and gid 65532) the image runs as
#   /etc/nsswitch.conf  so the JVM resolves host names through /etc/hosts and DNS
#   /tmp           world-writable (mount an emptyDir there when the root file system is read-only)
#
# No shell, no package manager. A registry build can use any JRE 17+ image instead:
#   ./mvnw -Pimage package -Dimage.base=eclipse-temurin:17-jre
#
# Usage: build-base.sh OUTPUT_DIR   (writes OUTPUT_DIR/base-image.tar; skips the work when it is up to date)
set -euo pipefail

OUT="${1:?usage: build-base.sh OUTPUT_DIR}"
SCRIPT="$(readlink -f "$0")"
JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
TARBALL="$OUT/base-image.tar"

# The JDK modules Talon uses (jdeps --print-module-deps over the runtime classpath, plus the TLS, DNS and
# management providers that are loaded as services and that jdeps cannot see).
MODULES=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,\
java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.charsets,jdk.crypto.ec,\
jdk.jfr,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs

if [ -f "$TARBALL" ] && [ "$TARBALL" -nt "$SCRIPT" ] && [ "$TARBALL" -nt "$JAVA_HOME/release" ]; then
  echo "base image up to date: $TARBALL"
  exit 0
fi

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ARCH=amd64 ;;
  Linux/aarch64) ARCH=arm64 ;;
  *) echo "error: the offline base image is built from the build machine's JDK and libraries and needs Linux on"\
       "x86_64 or aarch64; elsewhere use a registry base: -Dimage.base=eclipse-temurin:17-jre" >&2; exit 1 ;;
esac
if [ ! -d "$JAVA_HOME/jmods" ]; then
  echo "error: $JAVA_HOME has no jmods/ (Debian: apt-get install openjdk-17-jdk-headless); or use a registry base:"\
       "-Dimage.base=eclipse-temurin:17-jre" >&2
  exit 1
fi

WORK="$OUT/work"
ROOT="$WORK/rootfs"
rm -rf "$WORK"
mkdir -p "$ROOT"

echo "== jlink from $JAVA_HOME"
# --generate-cds-archive: the runtime's own class data sharing archive (lib/server/classes.jsa, made by the
# runtime just linked, for its modules), used by every start with no flag (-Xshare:auto): the JDK's classes are
# mapped instead of parsed and verified
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
  --generate-cds-archive --output "$ROOT/opt/java"
test -f "$ROOT/opt/java/lib/server/classes.jsa" || { echo "error: jlink made no CDS archive" >&2; exit 1; }

# headless: the AWT, font, image and sound natives of java.desktop (kept for java.beans) would pull in X11,
# freetype and ALSA; Talon never loads them
for lib in libawt_xawt libjawt libsplashscreen libfontmanager liblcms libjavajpeg libjsound libmlib_image; do
  rm -f "$ROOT/opt/java/lib/$lib.so"
done

echo "== shared libraries"
LIBS="$WORK/libs"
find "$ROOT/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 -n 20 ldd 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $2 ~ /^\(0x/ {print $1}' \
  | grep -v "^$ROOT/" | sort -u > "$LIBS"
while read -r lib; do
  mkdir -p "$ROOT$(dirname "$lib")"
  cp -L "$lib" "$ROOT$lib"
done < "$LIBS"
# every library found (libjvm.so is the runtime's own, found at run time through the launcher)
if find "$ROOT/opt/java" -type f -name '*.so' -print0 | xargs -0 -n 20 ldd 2>/dev/null | grep 'not found' \
    | grep -v 'libjvm.so'; then
  echo "error: a library of the runtime is missing" >&2
  exit 1
fi
mkdir -p "$ROOT/usr/share/doc/falco-talon-base"
{
  echo "# files copied from the build machine, and the Debian packages they came from"
  while read -r lib; do
    echo "$lib $( (dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || echo '?') | head -1 \
      | cut -d: -f1)"
  done < "$LIBS"
  echo "java $("$ROOT/opt/java/bin/java" -version 2>&1 | head -1)"
} > "$ROOT/usr/share/doc/falco-talon-base/packages"

echo "== users, name service, /tmp"
# /proc, /sys, /dev: mount points the container runtime fills
mkdir -p "$ROOT/etc" "$ROOT/tmp" "$ROOT/home/falco-talon" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev"
printf 'root:x:0:0:root:/root:/sbin/nologin\nfalco-talon:x:65532:65532:falco-talon:/home/falco-talon:/sbin/nologin\n' \
  > "$ROOT/etc/passwd"
printf 'root:x:0:\nfalco-talon:x:65532:\n' > "$ROOT/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$ROOT/etc/nsswitch.conf"
chmod 1777 "$ROOT/tmp"
chmod 0755 "$ROOT/home/falco-talon"

echo "== image tarball"
LAYER="$WORK/layer.tar"
tar --sort=name --mtime='@0' --owner=0 --group=0 --numeric-owner --xattrs-exclude='*' -C "$ROOT" -cf "$LAYER" .
chown -R 0:0 "$ROOT" 2>/dev/null || true
DIFF_ID="sha256:$(sha256sum "$LAYER" | cut -d' ' -f1)"
cat > "$WORK/config.json" <<JSON
{"architecture":"$ARCH","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/opt/java/bin:/usr/local/bin:/usr/bin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["$DIFF_ID"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"src/main/image/build-base.sh: jlink runtime, libraries, users"}]}
JSON
CONFIG_DIGEST="$(sha256sum "$WORK/config.json" | cut -d' ' -f1)"
mkdir -p "$WORK/image"
mv "$WORK/config.json" "$WORK/image/$CONFIG_DIGEST.json"
mv "$LAYER" "$WORK/image/layer.tar"
printf '[{"Config":"%s.json","RepoTags":["falco-talon-base:local"],"Layers":["layer.tar"]}]\n' "$CONFIG_DIGEST" \
  > "$WORK/image/manifest.json"
# entries named without "./": jib refuses to extract "./"
tar --mtime='@0' --owner=0 --group=0 --numeric-owner -C "$WORK/image" -cf "$TARBALL.tmp" manifest.json \
  "$CONFIG_DIGEST.json" layer.tar
mv "$TARBALL.tmp" "$TARBALL"
rm -rf "$WORK"
echo "base image: $TARBALL ($(du -h "$TARBALL" | cut -f1))"
