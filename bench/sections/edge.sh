# Section "edge": 50 TLS and HTTP checks (50 connections) against the repository's nginx fixture,
# and the peer: curl, one process per request. Sourced by bench/run.sh.
# shellcheck shell=bash disable=SC2034  # EXPECTED_CHECKS is read by verify_tap (lib/measure.sh)
#
# Tests/Fixtures/edge/setup.sh makes the certificates and serves them with a private nginx on free
# loopback ports; the spec is generated here because it names those ports. Each check has its own
# SNI name or request header, so none shares a connection with another.

EDGE_DIR=""
EDGE_PORT=""

start_edge_fixture() {
  EDGE_DIR="$BENCH_TMP/edge"
  add_cleanup stop_edge_fixture
  bash Tests/Fixtures/edge/setup.sh start "$EDGE_DIR" "$$" >&2 ||
    die "the edge fixture did not start (Tests/Fixtures/edge/setup.sh)"
  EDGE_PORT=$(sed -n 's/^TLS_PORT=//p' "$EDGE_DIR/manifest.env")
  [[ $EDGE_PORT =~ ^[0-9]+$ ]] || die "the edge fixture wrote no TLS_PORT to its manifest.env"
  say "nginx on 127.0.0.1:$EDGE_PORT"
}

stop_edge_fixture() {
  [[ -n "$EDGE_DIR" ]] || return 0
  bash Tests/Fixtures/edge/setup.sh stop "$EDGE_DIR" >&2 || true
  EDGE_DIR=""
}

write_edge_spec() {
  local spec=$1 i
  {
    echo "import InfraSpec"
    echo
    echo "describe(\"edge50\") {"
    for ((i = 0; i < 25; i++)); do
      printf '  TLS("n%d.img.pop.test", port: %s, via: "127.0.0.1").covers("n%d.img.pop.test")\n' "$i" "$EDGE_PORT" "$i"
      printf '  HTTP("https://www.pop.test:%s/", via: "127.0.0.1", headers: ["X-Run": "%d"]).status(200)\n' \
        "$EDGE_PORT" "$i"
    done
    echo "}"
  } >"$spec"
}

write_curl_script() {
  local script=$1 i
  {
    echo "set -e"
    for ((i = 0; i < 50; i++)); do
      echo "curl -sS -o /dev/null --cacert $EDGE_DIR/pki/ca.pem --resolve www.pop.test:$EDGE_PORT:127.0.0.1" \
        "-H 'X-Run: $i' https://www.pop.test:$EDGE_PORT/"
    done
  } >"$script"
}

section_edge() {
  local title="50 TLS and HTTP checks" warm="InfraSpec (warm)" curl="curl (50 processes)"
  local rows=("$warm" "$curl")
  local EXPECTED_CHECKS=50
  say "section edge"
  start_edge_fixture
  command -v curl >/dev/null || apt_install curl
  if infraspec_available; then
    write_edge_spec "$BENCH_TMP/edge50.swift"
    measure "$warm" verify_tap prepare_infraspec_warm no_finish \
      "$INFRASPEC" run "$BENCH_TMP/edge50.swift" --format tap
  else
    unavailable "$warm" "no executable at $INFRASPEC (build it, or set INFRASPEC)"
  fi
  write_curl_script "$BENCH_TMP/curl50.sh"
  measure "$curl" verify_exit_zero no_prepare no_finish bash "$BENCH_TMP/curl50.sh"
  print_table "$title" "$warm" "${rows[@]}"
  stop_edge_fixture
}
