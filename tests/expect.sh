# expect.sh — sourced by the shell tests: a scratch directory to work in
# (removed on exit), expect NAME CONDITION..., and report NAME at the end.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
pass=0 fail=0
expect() {  # expect NAME CONDITION...: counts CONDITION's success
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}
report() {  # report NAME: prints the counts; fails if anything failed
  echo "$1: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
