# Section "dns": 50 DNS and DNSSEC checks against the repository's BIND fixture, and the raw query
# throughput of 1000 distinct queries. Sourced by bench/run.sh.
# shellcheck shell=bash disable=SC2034  # EXPECTED_CHECKS is read by verify_tap (lib/measure.sh)
#
# Tests/Fixtures/dns/setup.sh signs the zones under infraspec.test and serves them with a private
# named on a free loopback port; the specs are generated here because they name that port. The
# warm-up run of each row compiles its spec, so the measured runs are warm. The peer is dig, one
# process per query, on the 50 queries behind the checks that are plain DNS questions.

DNS_DIR=""
DNS_PORT=""
DNS_PARENT=infraspec.test
# Child zones the fixture signs correctly with long-lived signatures (algorithm 7 is deprecated).
DNS_SIGNED_ZONES=(alg8 alg13 alg15)
# Signed too, but alg10 is kept imperfect on purpose (NSEC3 iterations, a SHA-1 DS): only its
# signatures are checked.
DNS_EXTRA_SIGNED_ZONES=(alg14 alg10)
DNS_THROUGHPUT_QUERIES=1000

start_dns_fixture() {
  DNS_DIR="$BENCH_TMP/dns"
  mkdir -p "$DNS_DIR"
  add_cleanup stop_dns_fixture
  # With our pid, the fixture also stops named if this script dies without running its trap.
  bash Tests/Fixtures/dns/setup.sh start "$DNS_DIR" "$$" >&2 ||
    die "the DNS fixture did not start (Tests/Fixtures/dns/setup.sh)"
  DNS_PORT=$(sed -n 's/^PRIMARY_PORT=//p' "$DNS_DIR/manifest.env")
  [[ $DNS_PORT =~ ^[0-9]+$ ]] || die "the DNS fixture wrote no PRIMARY_PORT to its manifest.env"
  say "named on 127.0.0.1:$DNS_PORT"
}

stop_dns_fixture() {
  [[ -n "$DNS_DIR" ]] || return 0
  bash Tests/Fixtures/dns/setup.sh stop "$DNS_DIR" >&2 || true
  DNS_DIR=""
}

# 13 checks on each of three signed zones, 4 on alg14, 2 on alg10, 5 on the parent: 50.
write_dns_spec() {
  local spec=$1 zone name at="server: \"127.0.0.1\", port: $DNS_PORT"
  {
    echo "import InfraSpec"
    echo
    echo "describe(\"dns50\") {"
    for zone in "${DNS_SIGNED_ZONES[@]}"; do
      name="$zone.$DNS_PARENT"
      cat <<SPEC
  describe("$name") {
    DNS("www.$name", .a, $at).answers("192.0.2.1").rcode(.noError).isAuthoritative()
    DNS("www.$name", .aaaa, $at).answers("2001:db8::1").rcode(.noError)
    DNS("www.$name", .txt, $at).contains(#""v=spf1 -all""#)
    DNS("mail.$name", .a, $at).answers("192.0.2.3")
    DNS("$name", .mx, $at).answers("10 mail.$name.")
    DNS("nowhere.$name", .a, $at).rcode(.nxDomain)
    DNSSEC("$name", $at).isSigned().signaturesValid(forAtLeast: .days(7)).provesNonexistence()
      .delegationMatches(parentServer: "127.0.0.1", port: $DNS_PORT)
  }
SPEC
    done
    cat <<SPEC
  DNSSEC("alg14.$DNS_PARENT", $at).isSigned().signaturesValid(forAtLeast: .days(7)).provesNonexistence()
    .delegationMatches(parentServer: "127.0.0.1", port: $DNS_PORT)
  DNSSEC("alg10.$DNS_PARENT", $at).isSigned().signaturesValid(forAtLeast: .days(7))
  DNS("ns.$DNS_PARENT", .a, $at).answers("127.0.0.1")
  DNSSEC("$DNS_PARENT", $at).isSigned().signaturesValid(forAtLeast: .days(7)).provesNonexistence()
    .algorithms(allowed: 13)
}
SPEC
  } >"$spec"
}

# One check, hence one query, per distinct name and type: names that do not exist in every zone
# the fixture serves, asked for four types.
write_dns_throughput_spec() {
  local spec=$1 zones=("${DNS_SIGNED_ZONES[@]}" "${DNS_EXTRA_SIGNED_ZONES[@]}") types=(a aaaa txt mx) i
  {
    echo "import InfraSpec"
    echo
    echo "describe(\"dns$DNS_THROUGHPUT_QUERIES\") {"
    for ((i = 0; i < DNS_THROUGHPUT_QUERIES; i++)); do
      printf '  DNS("n%d.%s.%s", .%s, server: "127.0.0.1", port: %s).rcode(.nxDomain)\n' \
        "$i" "${zones[i % ${#zones[@]}]}" "$DNS_PARENT" "${types[(i / ${#zones[@]}) % ${#types[@]}]}" \
        "$DNS_PORT"
    done
    echo "}"
  } >"$spec"
}

# The peer: the plain questions of the 50 checks, one dig process each, repeated over the zones
# until there are 50 (a DNSSEC check is several questions that dig alone does not validate).
write_dig_script() {
  local script=$1 questions=() zone name count=0
  for zone in "${DNS_SIGNED_ZONES[@]}" "${DNS_EXTRA_SIGNED_ZONES[@]}"; do
    name="$zone.$DNS_PARENT"
    questions+=("www.$name A" "www.$name AAAA" "www.$name TXT" "mail.$name A" "$name MX"
      "nowhere.$name A" "$name DNSKEY" "$name SOA" "$name NS" "z.$name A")
  done
  {
    echo "set -e"
    while ((count < 50)); do
      echo "dig +norecurse +tries=1 +time=2 -p $DNS_PORT @127.0.0.1 ${questions[count % ${#questions[@]}]}"
      count=$((count + 1))
    done
  } >"$script"
}

verify_dig50() {
  local answered
  verify_exit_zero "$@" || return 1
  answered=$(grep -cE 'status: (NOERROR|NXDOMAIN)' "$1" || true)
  ((answered == 50)) || { say "dig: $answered of 50 queries answered"; return 1; }
}

section_dns() {
  local title="50 DNS and DNSSEC checks" warm="InfraSpec (warm)" dig="dig (50 processes)"
  local throughput="InfraSpec ($DNS_THROUGHPUT_QUERIES queries, warm)"
  local rows=("$warm" "$throughput" "$dig")
  # verify_tap counts against EXPECTED_CHECKS; each row here has its own count.
  local EXPECTED_CHECKS
  say "section dns"
  start_dns_fixture
  command -v dig >/dev/null || apt_install bind9-dnsutils

  if infraspec_available; then
    write_dns_spec "$BENCH_TMP/dns50.swift"
    write_dns_throughput_spec "$BENCH_TMP/dns$DNS_THROUGHPUT_QUERIES.swift"
    EXPECTED_CHECKS=50
    measure "$warm" verify_tap prepare_infraspec_warm no_finish \
      "$INFRASPEC" run "$BENCH_TMP/dns50.swift" --format tap
    EXPECTED_CHECKS=$DNS_THROUGHPUT_QUERIES
    measure "$throughput" verify_tap prepare_infraspec_warm no_finish \
      "$INFRASPEC" run "$BENCH_TMP/dns$DNS_THROUGHPUT_QUERIES.swift" --format tap
  else
    unavailable "$warm" "no executable at $INFRASPEC (build it, or set INFRASPEC)"
    unavailable "$throughput" "no executable at $INFRASPEC"
  fi
  write_dig_script "$BENCH_TMP/dig50.sh"
  measure "$dig" verify_dig50 no_prepare no_finish bash "$BENCH_TMP/dig50.sh"

  print_table "$title" "$warm" "${rows[@]}"
  dns_targets "$warm" "$throughput"
  stop_dns_fixture
}

dns_targets() {
  local warm=$1 throughput=$2 per_cpu per_wall
  printf '\ntargets\n'
  if ! has_result "$warm"; then
    target "50 checks warm < 0.3 s wall" n/a "InfraSpec not available"
    target ">= 1000 queries/s per core" n/a ""
    return
  fi
  target "50 checks warm < 0.3 s wall" "$(holds "${WALL_US[$warm]} < 300000")" \
    "$(format_seconds "${WALL_US[$warm]}")"
  # Whole runs: process start and spec loading are counted against the queries.
  per_cpu=$(awk -v n="$DNS_THROUGHPUT_QUERIES" -v ms="${CPU_MS[$throughput]}" \
    'BEGIN { printf "%d", (ms > 0 ? n * 1000 / ms : 0) }')
  per_wall=$(awk -v n="$DNS_THROUGHPUT_QUERIES" -v us="${WALL_US[$throughput]}" \
    'BEGIN { printf "%d", n * 1e6 / us }')
  target ">= 1000 queries/s per core" "$(holds "$per_cpu >= 1000")" \
    "$per_cpu/s per CPU second, $per_wall/s per wall second"
}
