#!/usr/bin/env bash
# Builds the DNS message decoder with libFuzzer and AddressSanitizer and fuzzes it for SECONDS (default 60)
# over the committed seed corpus. New inputs go to a scratch corpus; crashes are left in the current directory.
set -euo pipefail
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
dns="$here/../../Sources/InfraSpec/DNS"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sources=(
  DNSWireError DNSName DNSRecordType DNSResponseCode DNSWireReader DNSWireWriter DNSTextEncoding DNSTypeBitmap
  DNSCivilDate SOARecord DSRecord DNSKEYRecord RRSIGRecord NSECRecord NSEC3Record DNSRData DNSRData+Presentation
  DNSQuestion DNSResourceRecord DNSEDNS DNSEDNSOption DNSMessage
)
files=()
for source in "${sources[@]}"; do files+=("$dns/$source.swift"); done

swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -g \
  -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility \
  -enable-upcoming-feature InternalImportsByDefault \
  -module-name DNSFuzz "${files[@]}" "$here/DNSMessageFuzz.swift" -o "$work/dns-message-fuzz"

mkdir -p "$work/corpus"
"$work/dns-message-fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=5 -rss_limit_mb=2048 \
  -print_final_stats=1 "$work/corpus" "$here/corpus"
