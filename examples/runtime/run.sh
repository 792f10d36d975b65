#!/bin/sh
# make run's last part: the whole path on the embedded store. The jobs of this folder are
# submitted; a worker runs those its handlers can run (the echo; the convert of an image made
# here with qemu-img) and prints their progress; the results are printed; the inspect job, which
# no handler here runs, stays queued and `status` says why.
#   sh examples/runtime/run.sh GUESTKIT_JOB_CLI STORE
set -eu
cli=$1
store=$2
here=$(dirname "$0")
folder=$(dirname "$store")
mkdir -p "$folder"
# A fresh start: this demo's store and images only (the jobs' ids are fixed).
rm -f "$store" "$store-wal" "$store-shm" "$store-writer.lock" "$folder/disk.qcow2" "$folder/disk.vmdk"
if command -v qemu-img >/dev/null; then
  qemu-img create -q -f qcow2 "$folder/disk.qcow2" 64M
else
  echo "(qemu-img is not installed: the convert job will wait like the inspect job; apt-get install qemu-utils)"
fi
set -x
"$cli" submit --store "$store" "$here/echo.json" "$here/convert.json" "$here/inspect.json"
"$cli" worker --store "$store" --exit-when-idle --concurrency 2 --lease-seconds 10
"$cli" result --store "$store" job-runtime-echo-0001
"$cli" result --store "$store" job-runtime-convert-0001 || true
"$cli" status --store "$store"
