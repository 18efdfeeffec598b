#!/usr/bin/env bash
# Adds the application's class data sharing archive to the image tarball jib wrote: /app/talon.jsa, a dynamic CDS
# archive (on top of the runtime's own) of every class a start of `server` loads and an event uses. JDK 17 maps an
# archive only with the exact runtime, class path (the same paths) and jar sizes and times it was made with, so it is
# made by the image's own `java`, from the image's own files, at their paths: the layers are unpacked into a root
# file system and Talon runs there in a chroot (as .ci/image-check runs the image), as the image's user, on the
# embedded default (no cluster, no external service, no secret), takes one event and stops; the JVM writes the
# archive as it exits. The archive holds class metadata only. Needs root (unshare, chroot): elsewhere the image is
# left as it is and starts without the archive (the flag -XX:SharedArchiveFile ignores a missing file).
#
# Usage: train-cds.sh IMAGE_TARBALL
set -euo pipefail
TARBALL="${1:?usage: train-cds.sh IMAGE_TARBALL}"
BASEDIR="$(cd "$(dirname "$0")/../../.." && pwd)"

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
  echo "warning: not root: the image is built WITHOUT its CDS archive /app/talon.jsa (it starts slower; run the"\
    "build as root, as CI does, to make it)" >&2
  exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
ROOT="$WORK/rootfs"
mkdir -p "$WORK/image" "$ROOT" "$WORK/tmp"
chmod 1777 "$WORK/tmp"
tar xf "$TARBALL" -C "$WORK/image"
python3 - "$WORK/image" > "$WORK/layers" <<'PY'
import json, sys
for layer in json.load(open(sys.argv[1] + "/manifest.json"))[0]["Layers"]:
    print(layer)
PY
# file times kept: the archive records each jar's size and modification time
while read -r layer; do
  tar --warning=no-unknown-keyword -xzf "$WORK/image/$layer" -C "$ROOT"
done < "$WORK/layers"
python3 - "$WORK/image" > "$WORK/command" <<'PY'
import json, sys
d = sys.argv[1]
c = json.load(open(d + "/" + json.load(open(d + "/manifest.json"))[0]["Config"]))["config"]
print("\0".join(c["Entrypoint"] + c.get("Cmd", [])), end="")
PY
USER_SPEC="$(python3 -c 'import json,sys; d=sys.argv[1]; m=json.load(open(d+"/manifest.json"))[0]; print(json.load(open(d+"/"+m["Config"]))["config"]["User"])' "$WORK/image")"
mapfile -d '' COMMAND < "$WORK/command"
# the image's `java` (its PATH: /opt/java/bin on the offline base, /opt/java/openjdk/bin on Temurin's)
JAVA=""
for dir in /opt/java/bin /opt/java/openjdk/bin /usr/bin; do
  if [ -x "$ROOT$dir/java" ]; then JAVA="$dir/java"; break; fi
done
[ -n "$JAVA" ] || { echo "error: no java in the image" >&2; exit 1; }
# the image's command with the archive written instead of read
ARGS=("$JAVA")
for a in "${COMMAND[@]:1}"; do
  case "$a" in
    -XX:SharedArchiveFile=*) ARGS+=("-XX:ArchiveClassesAtExit=/tmp/talon.jsa") ;;
    -Xlog:cds=off*) ;; # the dump's own messages go to the training log
    *) ARGS+=("$a") ;;
  esac
done
CHROOT="$(command -v chroot)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

echo "== CDS archive: training run of the image's server in a chroot (port $PORT)"
unshare --mount --pid --fork --kill-child bash -c '
  set -e
  R="$1"; U="$2"; T="$3"; shift 3
  mount --make-rprivate /
  mount --bind "$R" "$R"
  mount -t proc proc "$R/proc"
  mount --rbind /dev "$R/dev"
  mount --bind "$T" "$R/tmp"
  cd "$R"
  exec timeout 120 env -i PATH=/usr/bin:/bin LANG=C.UTF-8 LISTEN_ADDRESS=127.0.0.1 LISTEN_PORT="'"$PORT"'" \
    LOG_FORMAT=json "'"$CHROOT"'" --userspec="$U" "$R" "$@"
' _ "$ROOT" "$USER_SPEC" "$WORK/tmp" "${ARGS[@]}" > "$WORK/train.log" 2>&1 &
TRAIN=$!
ok=""
for _ in $(seq 1 240); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then ok=1; break; fi
  kill -0 "$TRAIN" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ok" ]; then echo "error: the training server did not start:" >&2; cat "$WORK/train.log" >&2; exit 1; fi
curl -fsS -o /dev/null -X POST "http://127.0.0.1:$PORT/" -H 'Content-Type: application/json' \
  --data-binary @"$BASEDIR/src/test/resources/events/terminal-shell.json"
for _ in $(seq 1 40); do
  curl -fsS "http://127.0.0.1:$PORT/metrics" | grep -q '^falco_talon_actions_total' && break
  sleep 0.5
done
curl -fsS -o /dev/null "http://127.0.0.1:$PORT/readyz" || true
# SIGTERM to the JVM (unshare's child chain: unshare -> bash/timeout -> java): it stops and writes the archive
child="$(cat "/proc/$TRAIN/task/$TRAIN/children" 2>/dev/null || true)"
[ -n "$child" ] && kill $child 2>/dev/null
wait "$TRAIN" 2>/dev/null || true
if [ ! -s "$WORK/tmp/talon.jsa" ]; then
  echo "error: the training run wrote no archive:" >&2; tail -20 "$WORK/train.log" >&2; exit 1
fi

echo "== CDS archive: $(du -h "$WORK/tmp/talon.jsa" | cut -f1), added to $TARBALL as a layer (/app/talon.jsa)"
python3 - "$WORK/image" "$WORK/tmp/talon.jsa" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
d, jsa = sys.argv[1], sys.argv[2]
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
    for name in ("app/",):
        i = tarfile.TarInfo(name); i.type = tarfile.DIRTYPE; i.mode = 0o755; i.mtime = 1
        t.addfile(i)
    i = tarfile.TarInfo("app/talon.jsa"); i.size = os.path.getsize(jsa); i.mode = 0o644; i.mtime = 1
    with open(jsa, "rb") as f:
        t.addfile(i, f)
layer = raw.getvalue()
diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
gz = gzip.compress(layer, mtime=0)
gz_name = hashlib.sha256(gz).hexdigest() + ".tar.gz"
open(os.path.join(d, gz_name), "wb").write(gz)
manifest = json.load(open(d + "/manifest.json"))
old_config = manifest[0]["Config"]
config = json.load(open(os.path.join(d, old_config)))
config["rootfs"]["diff_ids"].append(diff_id)
config.setdefault("history", []).append({"created": "1970-01-01T00:00:00Z",
    "created_by": "src/main/image/train-cds.sh: the application's class data sharing archive /app/talon.jsa"})
# the config keeps its name (jib's config.json)
open(os.path.join(d, old_config), "w").write(json.dumps(config, separators=(",", ":")))
manifest[0]["Layers"].append(gz_name)
open(d + "/manifest.json", "w").write(json.dumps(manifest, separators=(",", ":")))
PY
( cd "$WORK/image" && tar --mtime='@0' --owner=0 --group=0 --numeric-owner -cf "$TARBALL.tmp" * )
mv "$TARBALL.tmp" "$TARBALL"
