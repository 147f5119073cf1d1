#!/usr/bin/env bash
# Builds signed test zones (good and deliberately broken) and serves them with two private
# BIND instances on 127.0.0.1 / ::1 high ports. Nothing outside DIR is touched.
#
#   setup.sh start DIR [PID]  generate keys, sign zones, start named; writes DIR/manifest.env;
#                             with PID, named is stopped as soon as that process is gone
#   setup.sh stop DIR         stop the named instances started for DIR
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 64
}
[ $# -ge 2 ] && [ $# -le 3 ] || usage
action=$1
dir=$2
watch=${3:-}

# Close every descriptor the caller leaked to us (a test runner's event-stream pipe, say): named
# and the watcher below outlive this script, and a pipe they hold open keeps `swift test` waiting
# for end-of-file while the test process it should reap is kept a zombie.
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
done

stop() {
  local pids=() pidfile pid
  for pidfile in "$dir"/primary/named.pid "$dir"/secondary/named.pid "$dir"/tertiary/named.pid; do
    if [ -s "$pidfile" ]; then
      pid=$(cat "$pidfile" 2>/dev/null || true)
      [ -n "$pid" ] && kill "$pid" 2>/dev/null && pids+=("$pid")
    fi
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  done
  if [ -s "$dir/tertiary/address" ]; then
    ip address del "$(cat "$dir/tertiary/address")/32" dev lo 2>/dev/null || true
  fi
}

case "$action" in
  stop) stop; exit 0 ;;
  start) ;;
  *) usage ;;
esac

need=()
for tool in named named-compilezone dnssec-keygen dnssec-signzone dnssec-dsfromkey dnssec-verify delv ldns-verify-zone; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing BIND and ldns tools (missing: ${need[*]})" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q bind9 bind9-utils bind9-dnsutils ldnsutils >&2
  else
    echo "missing ${need[*]}: apt-get install bind9 bind9-utils bind9-dnsutils ldnsutils" >&2
    exit 69
  fi
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rm -rf "$dir"/keys "$dir"/zones "$dir"/primary "$dir"/secondary
mkdir -p "$dir"/keys "$dir"/zones "$dir"/primary "$dir"/secondary
manifest="$dir/manifest.env"
: >"$manifest"

parent=infraspec.test
now=$(date +%s)
echo "NOW=$now" >>"$manifest"

stamp() { date -u -d "@$1" +%Y%m%d%H%M%S; }
day() { date -u -d "@$1" +%Y-%m-%d; }
record() { echo "$1=$2" >>"$manifest"; }

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! ss -Hlnu "sport = :$port" | grep -q . && ! ss -Hlnt "sport = :$port" | grep -q .; then
      echo "$port"
      return
    fi
  done
}

# zone_file NAME SERIAL EXTRA: an unsigned zone with a few names so NSEC chains have gaps.
zone_file() {
  local name=$1 serial=$2 extra=${3:-}
  cat <<EOF
\$TTL 3600
\$ORIGIN $name.
@ IN SOA ns.$parent. hostmaster.$parent. $serial 7200 3600 1209600 300
@ IN NS ns.$parent.
@ IN A 192.0.2.1
@ IN MX 10 mail.$name.
a IN A 192.0.2.2
mail IN A 192.0.2.3
www IN A 192.0.2.1
www IN AAAA 2001:db8::1
www IN TXT "v=spf1 -all"
z IN A 192.0.2.4
*.wild IN A 192.0.2.5
$extra
EOF
}

# keygen NAME ALGORITHM [BITS] FLAGS...: prints the key file base name.
keygen() {
  local name=$1 algorithm=$2 bits=$3
  shift 3
  local args=(-q -K "$dir/keys/$name" -a "$algorithm" -n ZONE)
  [ "$bits" = - ] || args+=(-b "$bits")
  mkdir -p "$dir/keys/$name"
  dnssec-keygen "${args[@]}" "$@" "$name"
}

tag_of() { echo "$1" | sed -E 's/.*\+0*([0-9]+)$/\1/'; }

# sign NAME START END NSEC3ARGS...: writes zones/NAME.signed with all keys in keys/NAME.
sign() {
  local name=$1 start=$2 end=$3
  shift 3
  dnssec-signzone -q -S -K "$dir/keys/$name" -d "$dir/zones" -o "$name" -f "$dir/zones/$name.signed" -O full \
    -s "$(stamp "$start")" -e "$(stamp "$end")" -P "$@" "$dir/zones/$name" >/dev/null
}

ds_of() {
  local name=$1 digest=$2 key=$3
  dnssec-dsfromkey -a "$digest" "$dir/keys/$name/$key.key"
}

normal_start=$((now - 3600))
normal_end=$((now + 30 * 86400))
parent_ds=""

# Child zones that sign correctly, one per algorithm.
child() {
  local label=$1 algorithm=$2 ksk_bits=$3 zsk_bits=$4 digest=$5
  shift 5
  local name=$label.$parent
  zone_file "$name" 2026010101 'big IN TXT "0123456789012345678901234567890123456789012345678901234567890123456789" "0123456789012345678901234567890123456789012345678901234567890123456789" "0123456789012345678901234567890123456789012345678901234567890123456789" "0123456789012345678901234567890123456789012345678901234567890123456789" "0123456789012345678901234567890123456789012345678901234567890123456789" "0123456789012345678901234567890123456789012345678901234567890123456789" "0123456789012345678901234567890123456789012345678901234567890123456789" "0123456789012345678901234567890123456789012345678901234567890123456789"' \
    >"$dir/zones/$name"
  local ksk zsk
  ksk=$(keygen "$name" "$algorithm" "$ksk_bits" -f KSK)
  record "KSK_$label" "$(tag_of "$ksk")"
  if [ "$zsk_bits" != none ]; then
    zsk=$(keygen "$name" "$algorithm" "$zsk_bits")
    record "ZSK_$label" "$(tag_of "$zsk")"
    sign "$name" "$normal_start" "$normal_end" "$@"
  else
    sign "$name" "$normal_start" "$normal_end" -z "$@"
  fi
  parent_ds+="$(ds_of "$name" "$digest" "$ksk")"$'\n'
}

child alg7 NSEC3RSASHA1 1024 none SHA-256 -3 - -H 0
child alg8 RSASHA256 2048 1024 SHA-256
child alg10 RSASHA512 2048 none SHA-1 -3 abcd -H 10
child alg13 ECDSAP256SHA256 - - SHA-256 -3 - -H 0
child alg14 ECDSAP384SHA384 - none SHA-384
child alg15 ED25519 - - SHA-256

# broken NAME START END: a single-key ECDSA zone signed over [START, END], with a correct DS.
broken() {
  local label=$1 start=$2 end=$3
  shift 3
  local name=$label.$parent
  zone_file "$name" 2026010101 >"$dir/zones/$name"
  local key
  key=$(keygen "$name" ECDSAP256SHA256 - -f KSK)
  record "KSK_$label" "$(tag_of "$key")"
  sign "$name" "$start" "$end" -z "$@"
  parent_ds+="$(ds_of "$name" SHA-256 "$key")"$'\n'
}

broken expired $((now - 30 * 86400)) $((now - 9 * 86400))
record EXPIRED_DAY "$(day $((now - 9 * 86400)))"
broken future $((now + 6 * 86400)) $((now + 36 * 86400))
record FUTURE_DAY "$(day $((now + 6 * 86400)))"
broken soon $((now - 86400)) $((now + 2 * 86400))
record SOON_DAY "$(day $((now + 2 * 86400)))"
record NORMAL_END_DAY "$(day "$normal_end")"

broken altered "$normal_start" "$normal_end"
sed -i -E 's/^(www\.altered\.infraspec\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+)192\.0\.2\.1$/\1192.0.2.99/' \
  "$dir/zones/altered.$parent.signed"
grep -q '192.0.2.99' "$dir/zones/altered.$parent.signed"

broken nosig "$normal_start" "$normal_end"
awk '!($1 == "www.nosig.infraspec.test." && $4 == "RRSIG" && $5 == "A")' "$dir/zones/nosig.$parent.signed" \
  >"$dir/zones/nosig.tmp" && mv "$dir/zones/nosig.tmp" "$dir/zones/nosig.$parent.signed"

broken brokennsec "$normal_start" "$normal_end"
awk '!($1 == "a.brokennsec.infraspec.test." && ($4 == "NSEC" || ($4 == "RRSIG" && $5 == "NSEC")))' \
  "$dir/zones/brokennsec.$parent.signed" >"$dir/zones/brokennsec.tmp" \
  && mv "$dir/zones/brokennsec.tmp" "$dir/zones/brokennsec.$parent.signed"

# Bad signatures away from the apex, which an apex-only check never sees: NSEC with zone
# transfers allowed, NSEC walked (transfer refused), and NSEC3 (neither transfer nor walk).
alter() {
  local label=$1 owner=$2 from=$3 to=$4 file="$dir/zones/$1.$parent.signed"
  sed -i -E "s/^($owner\.$label\.infraspec\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+(A|AAAA)[[:space:]]+)$from\$/\1$to/" "$file"
  grep -q "$to" "$file"
}
broken badsigs "$normal_start" "$normal_end"
alter badsigs www '192\.0\.2\.1' 192.0.2.98
alter badsigs mail '192\.0\.2\.3' 192.0.2.97
broken walkbad "$normal_start" "$normal_end"
alter walkbad mail '192\.0\.2\.3' 192.0.2.97
broken nsec3bad "$normal_start" "$normal_end" -3 - -H 0
alter nsec3bad www '192\.0\.2\.1' 192.0.2.98

# A correctly signed child whose DS at the parent names a key the child never published.
wrongds=wrongds.$parent
zone_file "$wrongds" 2026010101 >"$dir/zones/$wrongds"
key=$(keygen "$wrongds" ECDSAP256SHA256 - -f KSK)
record KSK_wrongds "$(tag_of "$key")"
sign "$wrongds" "$normal_start" "$normal_end" -z
mkdir -p "$dir/keys/orphan"
orphan=$(dnssec-keygen -q -K "$dir/keys/orphan" -a ECDSAP256SHA256 -n ZONE -f KSK "$wrongds")
record ORPHAN_wrongds "$(tag_of "$orphan")"
parent_ds+="$(dnssec-dsfromkey -a SHA-256 "$dir/keys/orphan/$orphan.key")"$'\n'

# Unsigned zones: one insecure delegation, one with a serial that differs between the two servers.
zone_file "unsigned.$parent" 2026010101 >"$dir/zones/unsigned.$parent.signed"
zone_file "serial.$parent" 2026010102 >"$dir/zones/serial.$parent.signed"
zone_file "serial.$parent" 2026010101 >"$dir/secondary/serial.$parent.zone"

# The chain of trust below the anchor: infraspec.test → chain.infraspec.test → grandchildren,
# one per kind of link: good (secure), nods (signed, no DS: insecure), badds (DS for a key never
# published: bogus), expkey (only the DNSKEY RRSIG expired: bogus), ed448 (an algorithm InfraSpec
# does not implement: indeterminate).
chain=chain.$parent
chain_ds=""
grandchild() {
  local label=$1 algorithm=$2 name=$1.$chain key
  zone_file "$name" 2026010101 >"$dir/zones/$name"
  key=$(keygen "$name" "$algorithm" - -f KSK)
  record "KSK_${label}_chain" "$(tag_of "$key")"
  sign "$name" "$normal_start" "$normal_end" -z
  echo "$key"
}
key=$(grandchild good ECDSAP256SHA256)
chain_ds+="$(ds_of "good.$chain" SHA-256 "$key")"$'\n'
grandchild nods ECDSAP256SHA256 >/dev/null
grandchild badds ECDSAP256SHA256 >/dev/null
orphan=$(dnssec-keygen -q -K "$dir/keys/orphan" -a ECDSAP256SHA256 -n ZONE -f KSK "badds.$chain")
record ORPHAN_badds "$(tag_of "$orphan")"
chain_ds+="$(dnssec-dsfromkey -a SHA-256 "$dir/keys/orphan/$orphan.key")"$'\n'
key=$(grandchild expkey ECDSAP256SHA256)
chain_ds+="$(ds_of "expkey.$chain" SHA-256 "$key")"$'\n'
dnssec-signzone -q -S -K "$dir/keys/expkey.$chain" -d "$dir/zones" -o "expkey.$chain" -O full -z -P \
  -f "$dir/zones/expkey.expired" -s "$(stamp $((now - 30 * 86400)))" -e "$(stamp $((now - 9 * 86400)))" \
  "$dir/zones/expkey.$chain" >/dev/null
{
  awk '!($4 == "RRSIG" && $5 == "DNSKEY")' "$dir/zones/expkey.$chain.signed"
  awk '$4 == "RRSIG" && $5 == "DNSKEY"' "$dir/zones/expkey.expired"
} >"$dir/zones/expkey.tmp" && mv "$dir/zones/expkey.tmp" "$dir/zones/expkey.$chain.signed"
key=$(grandchild ed448 ED448)
chain_ds+="$(ds_of "ed448.$chain" SHA-256 "$key")"$'\n'
grandchildren="good nods badds expkey ed448"
{
  zone_file "$chain" 2026010101
  for label in $grandchildren; do echo "$label IN NS ns.$parent."; done
  printf '%s' "$chain_ds"
} >"$dir/zones/$chain"
key=$(keygen "$chain" ECDSAP256SHA256 - -f KSK)
record KSK_chain "$(tag_of "$key")"
sign "$chain" "$normal_start" "$normal_end" -z
parent_ds+="$(ds_of "$chain" SHA-256 "$key")"$'\n'

# Audit rules: an algorithm rollover half done (algorithm 8 in the DNSKEY set signs only the
# DNSKEY RRset), CDS/CDNSKEY that match the keys, that do not, the RFC 8078 delete form, and a
# zone whose two servers serve different keys (and CDS).
cds_of() { dnssec-dsfromkey -C -a SHA-256 "$1" | sed -E 's/^[^ ]+ +(IN +)?//'; }
cdnskey_of() { grep -v '^;' "$1" | awk '{k = ""; for (i = 7; i <= NF; i++) k = k $i; print "CDNSKEY", $4, $5, $6, k}'; }
rollover=rollover.$parent
zone_file "$rollover" 2026010101 >"$dir/zones/$rollover"
key=$(keygen "$rollover" ECDSAP256SHA256 - -f KSK)
record KSK_rollover "$(tag_of "$key")"
parent_ds+="$(ds_of "$rollover" SHA-256 "$key")"$'\n'
key=$(keygen "$rollover" RSASHA256 1024 -f KSK)
record RSA_rollover "$(tag_of "$key")"
sign "$rollover" "$normal_start" "$normal_end" -z
awk '!($4 == "RRSIG" && $5 != "DNSKEY" && $6 == "8")' "$dir/zones/$rollover.signed" >"$dir/zones/rollover.tmp" \
  && mv "$dir/zones/rollover.tmp" "$dir/zones/$rollover.signed"
cds_zone() {
  local label=$1 extra=$2 tag=${3:-KSK_$1} name=$1.$parent key
  mkdir -p "$dir/keys/$name"
  key=$(dnssec-keygen -q -K "$dir/keys/$name" -a ECDSAP256SHA256 -n ZONE -f KSK "$name")
  record "$tag" "$(tag_of "$key")"
  {
    zone_file "$name" 2026010101
    case "$extra" in
      own) echo "@ IN $(cds_of "$dir/keys/$name/$key.key")" && echo "@ IN $(cdnskey_of "$dir/keys/$name/$key.key")" ;;
      orphan) echo "@ IN $(cds_of "$dir/keys/orphan/$orphan.key")" && echo "@ IN $(cdnskey_of "$dir/keys/$name/$key.key")" ;;
      delete) echo "@ IN CDS 0 0 0 00" && echo "@ IN CDNSKEY 0 3 0 AA==" ;;
    esac
  } >"$dir/zones/$name"
  sign "$name" "$normal_start" "$normal_end" -z
  parent_ds+="$(ds_of "$name" SHA-256 "$key")"$'\n'
}
cds_zone cds own
cds_zone cdsbad orphan
cds_zone cdsdelete delete
# The secondary's copy of disagree: same names, another key (and its CDS), signed on its own.
cds_zone disagree own KSK_disagree_secondary
mv "$dir/zones/disagree.$parent.signed" "$dir/secondary/disagree.$parent.zone"
rm -rf "$dir/keys/disagree.$parent"
cds_zone disagree own

# A split chain: mid.infraspec.test is served only by a third server on port 53 of its own
# loopback address, named by the parent's delegation (NS and glue), and leaf.mid only by the
# secondary. The DS of leaf.mid is found only at mid's NS: after parentServers: and the zone's
# own server, the chain follows the parent's NS.
mid=mid.$parent
leaf=leaf.$mid
mid_address=127.53.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
record MID_ADDRESS "$mid_address"
mkdir -p "$dir/tertiary"
# named listens only on addresses an interface has: the address is added to lo (and removed by
# stop), which needs root, as the lab does.
ip address add "$mid_address/32" dev lo || {
  echo "cannot add $mid_address to lo (root needed) for the split-chain fixture" >&2
  exit 1
}
echo "$mid_address" >"$dir/tertiary/address"
zone_file "$leaf" 2026010101 >"$dir/zones/$leaf"
leaf_key=$(keygen "$leaf" ECDSAP256SHA256 - -f KSK)
record KSK_leaf "$(tag_of "$leaf_key")"
sign "$leaf" "$normal_start" "$normal_end" -z
mv "$dir/zones/$leaf.signed" "$dir/secondary/$leaf.zone"
{
  zone_file "$mid" 2026010101
  echo "leaf IN NS ns.$parent."
  ds_of "$leaf" SHA-256 "$leaf_key"
} >"$dir/zones/$mid"
mid_key=$(keygen "$mid" ECDSAP256SHA256 - -f KSK)
record KSK_mid "$(tag_of "$mid_key")"
sign "$mid" "$normal_start" "$normal_end" -z
parent_ds+="$(ds_of "$mid" SHA-256 "$mid_key")"$'\n'
parent_extra="mid IN NS ns.mid.$parent.
ns.mid IN A $mid_address"

# bulk: 1,500 names, so that its zone transfer (about 400 KB signed) needs several messages.
bulk=bulk.$parent
zone_file "$bulk" 2026010101 "$(for i in $(seq 1500); do echo "n$i IN TXT \"bulk record $i of the multi-message transfer\""; done)" \
  >"$dir/zones/$bulk"
bulk_key=$(keygen "$bulk" ECDSAP256SHA256 - -f KSK)
record KSK_bulk "$(tag_of "$bulk_key")"
sign "$bulk" "$normal_start" "$normal_end" -z
parent_ds+="$(ds_of "$bulk" SHA-256 "$bulk_key")"$'\n'

zones="bulk rollover cds cdsbad cdsdelete disagree chain alg7 alg8 alg10 alg13 alg14 alg15 expired future soon altered nosig brokennsec badsigs walkbad nsec3bad wrongds unsigned serial"
# Zones whose primary allows a zone transfer; the others are enumerated by NSEC walk or not at all.
transfers="alg13 alg15 badsigs bulk"

# The parent: delegations with glue, DS records, signed with NSEC.
{
  zone_file "$parent" 2026010101
  for label in $zones; do
    echo "$label IN NS ns.$parent."
  done
  echo "ns IN A 127.0.0.1"
  echo "ns IN AAAA ::1"
  echo "$parent_extra"
  printf '%s' "$parent_ds"
} >"$dir/zones/$parent"
parent_key=$(keygen "$parent" ECDSAP256SHA256 - -f KSK)
record KSK_parent "$(tag_of "$parent_key")"
record PARENT_DS "\"$(ds_of "$parent" SHA-256 "$parent_key")\""
sign "$parent" "$normal_start" "$normal_end" -z

anchor=$(grep -v '^;' "$dir/keys/$parent/$parent_key.key" | awk '{k = ""; for (i = 7; i <= NF; i++) k = k $i; print $4, $5, $6, k}')
read -r flags protocol algorithm key <<<"$anchor"
cat >"$dir/anchors.conf" <<EOF
trust-anchors {
  "$parent." static-key $flags $protocol $algorithm "$key";
};
EOF

primary_port=$(free_port)
secondary_port=$(free_port)
while [ "$secondary_port" = "$primary_port" ]; do secondary_port=$(free_port); done
record PRIMARY_PORT "$primary_port"
record SECONDARY_PORT "$secondary_port"
record ZONES "\"$zones\""

named_conf() {
  local home=$1 port=$2 id=$3
  cat <<EOF
options {
  directory "$home";
  pid-file "$home/named.pid";
  session-keyfile "$home/session.key";
  managed-keys-directory "$home";
  listen-on port $port { 127.0.0.1; };
  listen-on-v6 port $port { ::1; };
  recursion no;
  dnssec-validation no;
  notify no;
  minimal-responses no;
  allow-transfer { none; };
  server-id "$id";
};
controls { };
EOF
}

{
  named_conf "$dir/primary" "$primary_port" ns1-primary
  echo "zone \"$parent\" { type primary; file \"$dir/zones/$parent.signed\"; };"
  for label in $grandchildren; do
    echo "zone \"$label.$chain\" { type primary; file \"$dir/zones/$label.$chain.signed\"; };"
  done
  for label in $zones; do
    transfer=""
    case " $transfers " in *" $label "*) transfer=" allow-transfer { any; };" ;; esac
    echo "zone \"$label.$parent\" { type primary; file \"$dir/zones/$label.$parent.signed\";$transfer };"
  done
} >"$dir/primary/named.conf"
{
  named_conf "$dir/secondary" "$secondary_port" ns2-secondary
  echo "zone \"serial.$parent\" { type primary; file \"$dir/secondary/serial.$parent.zone\"; };"
  echo "zone \"disagree.$parent\" { type primary; file \"$dir/secondary/disagree.$parent.zone\"; };"
  echo "zone \"$leaf\" { type primary; file \"$dir/secondary/$leaf.zone\"; };"
} >"$dir/secondary/named.conf"
{
  named_conf "$dir/tertiary" 53 ns3-mid | sed -e "s/listen-on port 53 { 127.0.0.1; };/listen-on port 53 { $mid_address; };/" \
    -e 's/listen-on-v6 port 53 { ::1; };/listen-on-v6 { none; };/'
  echo "zone \"$mid\" { type primary; file \"$dir/zones/$mid.signed\"; };"
} >"$dir/tertiary/named.conf"

for server in primary secondary tertiary; do
  named-checkconf "$dir/$server/named.conf"
  named -g -c "$dir/$server/named.conf" >"$dir/$server/named.log" 2>&1 &
done

for attempt in $(seq 100); do
  if dig +short +time=1 +tries=1 @127.0.0.1 -p "$primary_port" "serial.$parent" SOA | grep -q 2026010102 \
    && dig +short +time=1 +tries=1 @127.0.0.1 -p "$secondary_port" "serial.$parent" SOA | grep -q 2026010101 \
    && dig +short +time=1 +tries=1 @"$mid_address" -p 53 "$mid" SOA | grep -q 2026010101; then
    echo "named up on ports $primary_port and $secondary_port" >&2
    if [ -n "$watch" ]; then
      (
        # A zombie still answers kill -0: it is gone once its state reads Z.
        while kill -0 "$watch" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$watch/stat" 2>/dev/null)" != Z ]; do
          sleep 1
        done
        stop
      ) </dev/null >/dev/null 2>&1 &
    fi
    exit 0
  fi
  sleep 0.1
done
echo "named did not come up; logs in $dir/{primary,secondary,tertiary}/named.log" >&2
tail -n 20 "$dir/primary/named.log" "$dir/secondary/named.log" "$dir/tertiary/named.log" >&2
stop
exit 1
