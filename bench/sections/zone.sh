# Section "zone": offline verification of one signed zone file of 100,000 records (33,334 names
# with A, AAAA and TXT; ECDSA P-256, NSEC: about 133k signatures), signed here by
# dnssec-signzone, by `infraspec zone verify`, BIND's dnssec-verify and ldns-verify-zone on the
# same file in the same run. Sourced by bench/run.sh.
#
# Environment: ZONE_NAMES (default 33334), ZONE_RUNS (measured runs per row, default 1: each
# takes seconds, and the warm-up run before it also passes).

ZONE_ORIGIN=bench.infraspec.test

# write_bench_zone DIR: DIR/ORIGIN.signed, signed with one ECDSA P-256 key (-z: a single key
# signs every RRset), for 30 days from an hour ago.
write_bench_zone() {
  local dir=$1 names=${ZONE_NAMES:-33334} key
  mkdir -p "$dir/keys"
  {
    printf '$TTL 3600\n$ORIGIN %s.\n' "$ZONE_ORIGIN"
    printf '@ IN SOA ns.%s. hostmaster.%s. 1 7200 3600 1209600 300\n' "$ZONE_ORIGIN" "$ZONE_ORIGIN"
    printf '@ IN NS ns.%s.\nns IN A 192.0.2.53\n' "$ZONE_ORIGIN"
    awk -v n="$names" 'BEGIN {
      for (i = 1; i <= n; i++) {
        printf "n%d IN A 192.0.%d.%d\n", i, int(i / 250) % 250, i % 250 + 1
        printf "n%d IN AAAA 2001:db8::%x\n", i, i
        printf "n%d IN TXT \"bench record %d\"\n", i, i
      }
    }'
  } >"$dir/$ZONE_ORIGIN"
  key=$(dnssec-keygen -q -K "$dir/keys" -a ECDSAP256SHA256 -n ZONE -f KSK "$ZONE_ORIGIN")
  local now start end
  now=$(date -u +%s)
  start=$(date -u -d "@$((now - 3600))" +%Y%m%d%H%M%S)
  end=$(date -u -d "@$((now + 30 * 86400))" +%Y%m%d%H%M%S)
  dnssec-signzone -q -S -z -K "$dir/keys" -d "$dir" -o "$ZONE_ORIGIN" -f "$dir/$ZONE_ORIGIN.signed" -O full \
    -s "$start" -e "$end" -P "$dir/$ZONE_ORIGIN" >/dev/null ||
    die "dnssec-signzone failed for the bench zone ($key)"
}

section_zone() {
  local title="verify a signed zone of 100,000 records offline" dir="$BENCH_TMP/zone" file
  local ours="infraspec zone verify" bind="dnssec-verify (BIND)" ldns="ldns-verify-zone"
  local rows=("$ours" "$bind" "$ldns")
  local RUNS=${ZONE_RUNS:-1}
  say "section zone"
  command -v dnssec-signzone >/dev/null || apt_install bind9-utils
  command -v ldns-verify-zone >/dev/null || apt_install ldnsutils
  local signing_started=$SECONDS
  write_bench_zone "$dir"
  file="$dir/$ZONE_ORIGIN.signed"
  say "zone signed in $((SECONDS - signing_started)) s: $(awk '$4 == "RRSIG"' "$file" | wc -l) signatures"

  if infraspec_available; then
    measure "$ours" verify_exit_zero no_prepare no_finish \
      "$INFRASPEC" zone verify "$file" --origin "$ZONE_ORIGIN"
  else
    unavailable "$ours" "no executable at $INFRASPEC (build it, or set INFRASPEC)"
  fi
  measure "$bind" verify_exit_zero no_prepare no_finish dnssec-verify -q -z -o "$ZONE_ORIGIN" "$file"
  measure "$ldns" verify_exit_zero no_prepare no_finish ldns-verify-zone "$file"

  print_table "$title" "$ours" "${rows[@]}"
  printf '\ntargets\n'
  if ! has_result "$ours"; then
    target "2x faster than dnssec-verify" n/a "InfraSpec not available"
    target "2x faster than ldns-verify-zone" n/a ""
    return
  fi
  target "2x faster than dnssec-verify" "$(holds "${WALL_US[$ours]} * 2 <= ${WALL_US[$bind]}")" \
    "$(format_seconds "${WALL_US[$ours]}") against $(format_seconds "${WALL_US[$bind]}")"
  target "2x faster than ldns-verify-zone" "$(holds "${WALL_US[$ours]} * 2 <= ${WALL_US[$ldns]}")" \
    "$(format_seconds "${WALL_US[$ours]}") against $(format_seconds "${WALL_US[$ldns]}")"
}
