#!/usr/bin/env bash
# proto:check — the CI gate for the protobuf contracts in proto/:
#   1. buf lint (STANDARD rules, buf.yaml);
#   2. the committed generated code in libs/contracts/src/gen is what `npm run proto` produces now
#      (regenerated into a temp dir and compared), so nobody edits it by hand or forgets to regenerate;
#   3. buf breaking (FILE rules) against proto/ of the previous commit, so a published contract only
#      ever grows. Compare against another ref with PROTO_BREAKING_AGAINST, e.g. the target branch
#      of a pull request: PROTO_BREAKING_AGAINST=origin/main npm run proto:check
# Run from anywhere in the repo after `npm ci`; needs the git history (a full clone, or one deep
# enough to contain the ref compared against).
set -euo pipefail

repo_root="$(git rev-parse --show-toplevel)"
cd "$repo_root"
# buf and protoc-gen-es come from devDependencies; node_modules/.bin also holds the Node 22 binary
# that protoc-gen-es must run on. npm scripts already do this; it matters when run as plain bash.
export PATH="$repo_root/node_modules/.bin:$PATH"
if ! command -v buf >/dev/null || ! command -v protoc-gen-es >/dev/null; then
  echo "proto:check: buf or protoc-gen-es is missing from node_modules/.bin; run 'npm ci' first." >&2
  exit 1
fi

gen_dir="libs/contracts/src/gen"
against="${PROTO_BREAKING_AGAINST:-HEAD~1}"

echo "proto:check [1/3] buf lint"
buf lint
echo "  ok"

echo "proto:check [2/3] $gen_dir matches the generator output"
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
# --output is the base directory for the `out:` paths of buf.gen.yaml.
buf generate --output "$work_dir"
if ! diff -ru "$work_dir/$gen_dir" "$gen_dir" >"$work_dir/gen.diff"; then
  echo "  FAIL: $gen_dir differs from what buf generate produces from proto/ (stale, or edited by hand)." >&2
  echo "  Fix: run 'npm run proto' and commit the result. Difference (--- expected, +++ committed):" >&2
  head -n 60 "$work_dir/gen.diff" >&2
  lines="$(wc -l <"$work_dir/gen.diff")"
  if [ "$lines" -gt 60 ]; then echo "  ... ($lines lines in all)" >&2; fi
  exit 1
fi
echo "  ok"

echo "proto:check [3/3] buf breaking against proto/ of $against"
if ! against_sha="$(git rev-parse --verify --quiet "${against}^{commit}")"; then
  if [ "$(git rev-parse --is-shallow-repository)" = "true" ]; then
    echo "  FAIL: $against is not in this shallow clone, so breaking changes cannot be checked." >&2
    echo "  Fix: clone with full history (actions/checkout: fetch-depth: 0) or 'git fetch --unshallow'." >&2
    exit 1
  fi
  echo "  skipped: there is no commit $against, so no published contract to compare against."
  exit 0
fi
if ! git cat-file -e "${against_sha}:proto" 2>/dev/null; then
  echo "  skipped: $against (${against_sha:0:12}) has no proto/ directory, so no published contract to compare against."
  exit 0
fi
# The common dir is the repository's .git even when this runs in a linked worktree.
git_dir="$(git rev-parse --path-format=absolute --git-common-dir)"
if ! buf breaking --against "${git_dir}#format=git,ref=${against_sha},subdir=proto"; then
  echo "  FAIL: the change above breaks the published contract of $against (${against_sha:0:12})." >&2
  echo "  A published field or message is never changed or removed, only added: add a new field," >&2
  echo "  or a new message with the next version in its (botplatform.bus.v1.event) option." >&2
  exit 1
fi
echo "  ok"
