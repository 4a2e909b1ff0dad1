#!/usr/bin/env bash
# A long fuzzing campaign (outside CI): the release build of tests/fuzz, FUZZ_ITERS mutants per target
# (default 10,000,000), a recorded seed, and each target's count, time and rate in the log.
#
#   scripts/fuzz-campaign.sh                       the head/framing, JSON-RPC envelope and JWT targets
#   FUZZ_ITERS=1000000 scripts/fuzz-campaign.sh request_path_in_memory
#   FUZZ_SEED=12345 scripts/fuzz-campaign.sh       replay a campaign
#
# CI runs the same targets with FUZZ_ITERS=25000 in plain `cargo test`; a failing input is printed
# with the seed that found it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ITERS=${FUZZ_ITERS:-10000000}
SEED=${FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(request_head_and_framing jsonrpc_envelope jwks_documents_and_jwt_headers)
fi
LOG=${FUZZ_LOG:-target/fuzz-campaign-$SEED.log}
mkdir -p "$(dirname "$LOG")"
echo "fuzz campaign: seed $SEED, $ITERS mutants per target, targets: ${TARGETS[*]}" | tee "$LOG"
cargo test --release --locked --test fuzz --no-run 2>&1 | tail -n 1
failed=0
for t in "${TARGETS[@]}"; do
  start=$(date +%s)
  if FUZZ_ITERS=$ITERS FUZZ_SEED=$SEED cargo test --release --locked --test fuzz -- --exact "$t" --nocapture 2>&1 \
    | grep -E 'mutants in|panicked|iteration|input|test result' | tee -a "$LOG"; then
    :
  fi
  if ! grep -q "^test result: ok. 1 passed" <(tail -n 1 "$LOG"); then
    failed=1
  fi
  echo "$t: $(( $(date +%s) - start )) s wall" | tee -a "$LOG"
done
echo "log: $LOG"
exit $failed
