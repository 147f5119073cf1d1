#!/usr/bin/env bash
# A CDN edge inside one lab PoP: Debian's nginx in the PoP's network namespace, reachable only
# from inside it (127.0.0.1 of the PoP), so a check that passes came from the PoP's side.
#
#   lab/edge.sh start POP         origin on :8081, caching proxy on :8080 (serves stale when the
#                                 origin is gone), HTTPS www.pop.test on :8443 with a 90-day
#                                 certificate from the lab CA and a stapled OCSP response (good, 7
#                                 days); /etc/pop/tls/ holds ca.pem, pop.pem;
#                                 /etc/pop/gnupg the lab's content key (its fingerprint in
#                                 lab/state/edge-gpg/fingerprint), as Specs/Examples/edge.swift checks
#   lab/edge.sh expire POP        serve (and store) a certificate that expires in 5 days
#   lab/edge.sh renew POP         back to a 90-day certificate
#   lab/edge.sh revoke POP        staple an OCSP response saying the certificate is revoked
#   lab/edge.sh unrevoke POP      staple a good response again
#   lab/edge.sh cut-origin POP    stop the origin: the cache must serve stale
#   lab/edge.sh restore-origin POP
#   lab/edge.sh no-stale POP      a bad deploy: the cache no longer serves stale (proxy_cache_use_stale off)
#   lab/edge.sh stale POP         the cache serves stale again
#   lab/edge.sh expire-dnssec POP the PoP's authoritative server (named on :53) serves pop.test
#                                 with signatures that expired yesterday
#   lab/edge.sh resign POP        signatures valid for 30 days again
#   lab/edge.sh stop POP          stop the PoP's nginx and named (lab/down.sh stops them too)
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  sed -n '5,22s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  exit 64
}
(($# == 2)) || usage
action=$1
require_root "$@"
require_state
name=$(pop_name "$2") || die "unknown PoP '$2'"
host_record "$name" >/dev/null
ns=$NS_PREFIX$name
dir=$STATE_DIR/$name/edge
tls=$STATE_DIR/$name/etc-pop/tls
ca=$STATE_DIR/edge-ca
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $nginx ]] || die "nginx is missing: apt-get install nginx-light"

# The lab CA, once per lab; each PoP's leaf is signed by it.
make_ca() {
  [[ -s $ca/ca.pem ]] && return 0
  mkdir -p "$ca"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/O=InfraSpec Lab/CN=InfraSpec Lab CA" -keyout "$ca/ca.key" -out "$ca/ca.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# A leaf for www.pop.test (and *.img.pop.test, the image hosts) valid for $1 days, into the PoP's /etc/pop/tls.
make_leaf() {
  local days=$1
  mkdir -p "$tls"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:www.pop.test,DNS:*.img.pop.test\n' \
    >"$dir/leaf.ext"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=www.pop.test" \
    -keyout "$tls/pop.key" -out "$dir/leaf.csr" 2>/dev/null
  openssl x509 -req -in "$dir/leaf.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -CAcreateserial \
    -days "$days" -extfile "$dir/leaf.ext" -out "$tls/pop.pem" 2>/dev/null
  chmod 0600 "$tls/pop.key"
  cp "$ca/ca.pem" "$tls/ca.pem"
  # nginx serves the CA after the leaf, so a client can verify the OCSP staple the CA signed.
  cat "$tls/pop.pem" "$ca/ca.pem" >"$dir/chain.pem"
  make_staple V
}

# The OCSP response nginx staples (ssl_stapling_file) for the current leaf, from `openssl ocsp`
# answering as the lab CA's responder: V good, R revoked an hour ago (keyCompromise); 7 days.
make_staple() {
  local serial end revoked=""
  serial=$(openssl x509 -in "$tls/pop.pem" -noout -serial | cut -d= -f2)
  end=$(date -u -d "$(openssl x509 -in "$tls/pop.pem" -noout -enddate | cut -d= -f2)" +%y%m%d%H%M%SZ)
  [[ $1 == R ]] && revoked="$(date -u -d '1 hour ago' +%y%m%d%H%M%SZ),keyCompromise"
  printf '%s\t%s\t%s\t%s\tunknown\t/CN=www.pop.test\n' "$1" "$end" "$revoked" "$serial" >"$dir/ocsp.index"
  rm -f "$dir/ocsp.der"
  openssl ocsp -issuer "$ca/ca.pem" -cert "$tls/pop.pem" -no_nonce -reqout "$dir/ocsp.req" 2>/dev/null
  openssl ocsp -index "$dir/ocsp.index" -CA "$ca/ca.pem" -rsigner "$ca/ca.pem" -rkey "$ca/ca.key" -ndays 7 \
    -reqin "$dir/ocsp.req" -respout "$dir/ocsp.der" >/dev/null 2>&1
  [[ -s $dir/ocsp.der ]] || die "openssl ocsp made no OCSP response for $name"
}

# The lab's content key, once per lab (ed25519 signing, cv25519 encryption, a year each), with
# its secret part in every PoP's /etc/pop/gnupg: the key a PoP decrypts deliveries with.
make_gpg() {
  local home=$STATE_DIR/edge-gpg/home fpr
  if [[ ! -s $STATE_DIR/edge-gpg/fingerprint ]]; then
    rm -rf "$home"
    mkdir -p "$home"
    chmod 0700 "$home"
    g() { gpg --homedir "$home" --batch --no-tty --pinentry-mode loopback --passphrase '' "$@" 2>>"$STATE_DIR/edge-gpg/gpg.log"; }
    g --quick-gen-key 'PoP content key (InfraSpec lab) <content@pop.test>' ed25519 sign,cert 1y
    fpr=$(gpg --homedir "$home" --batch --with-colons --list-keys content@pop.test 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')
    g --quick-add-key "$fpr" cv25519 encr 1y
    gpgconf --homedir "$home" --kill gpg-agent 2>/dev/null || true
    echo "$fpr" >"$STATE_DIR/edge-gpg/fingerprint"
  fi
  # A copy without the agent's sockets: each PoP's home is its own.
  rm -rf "$STATE_DIR/$name/etc-pop/gnupg"
  mkdir -p "$STATE_DIR/$name/etc-pop/gnupg"
  cp -a "$home/pubring.kbx" "$home/trustdb.gpg" "$home/private-keys-v1.d" "$STATE_DIR/$name/etc-pop/gnupg/"
  chmod 0700 "$STATE_DIR/$name/etc-pop/gnupg"
}

write_configs() {
  mkdir -p "$dir/www" "$dir/cache" "$dir/tmp"
  printf 'hello from %s\n' "$name" >"$dir/www/index.html"
  [[ -e $dir/stale.conf ]] || echo 'proxy_cache_use_stale error timeout http_502 http_503 http_504;' >"$dir/stale.conf"
  cat >"$dir/origin.conf" <<EOF
# The origin of PoP $name (lab/edge.sh).
user root;
worker_processes 1;
pid $dir/origin.pid;
error_log $dir/origin.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/origin-body;
  server {
    listen 127.0.0.1:8081;
    root $dir/www;
    location / { add_header Cache-Control "public, max-age=1"; }
  }
}
EOF
  cat >"$dir/edge.conf" <<EOF
# The edge of PoP $name (lab/edge.sh): a cache in front of the origin, and HTTPS.
user root;
worker_processes 1;
pid $dir/edge.pid;
error_log $dir/edge.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/edge-body;
  proxy_temp_path $dir/tmp/proxy;
  proxy_cache_path $dir/cache levels=1 keys_zone=edge:1m;
  server {
    listen 127.0.0.1:8080;
    server_name www.pop.test;
    location / {
      proxy_pass http://127.0.0.1:8081;
      proxy_cache edge;
      proxy_cache_valid 200 1s;
      include $dir/stale.conf;
      add_header X-PoP $name;
      add_header X-Cache \$upstream_cache_status;
    }
  }
  server {
    listen 127.0.0.1:8443 ssl http2;
    server_name www.pop.test;
    ssl_certificate $dir/chain.pem;
    ssl_certificate_key $tls/pop.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_stapling on;
    ssl_stapling_file $dir/ocsp.der;
    location / {
      add_header X-PoP $name;
      add_header Cache-Control "public, max-age=60, stale-while-revalidate=30, stale-if-error=86400";
      return 200 "hello from $name over TLS\n";
    }
    location = /old { return 301 https://www.pop.test:8443/new; }
    # A sale page cached for an hour, no longer.
    location = /sale { add_header X-PoP $name; expires 1h; return 200 "sale until Sunday\n"; }
  }
}
EOF
}

stop_server() { # which
  local pid
  pid=$(cat "$dir/$1.pid" 2>/dev/null) || return 0
  [[ $pid =~ ^[0-9]+$ ]] && [[ $(ip netns identify "$pid" 2>/dev/null) == "$ns" ]] || return 0
  stop_pids "$pid"
  rm -f "$dir/$1.pid"
}

# Starts nginx with config $1 in the PoP's namespace and waits for port $2.
start_server() {
  local which=$1 port=$2 tries
  stop_server "$which"
  "$nginx" -t -q -c "$dir/$which.conf" -p "$dir" 2>"$dir/$which.test" || die "nginx rejects $dir/$which.conf: $(cat "$dir/$which.test")"
  ip netns exec "$ns" "$nginx" -c "$dir/$which.conf" -p "$dir" </dev/null >>"$dir/$which.log" 2>&1 9<&-
  for ((tries = 0; tries < 50; tries++)); do
    ip netns exec "$ns" ss -Hltn "sport = :$port" | grep -q . && return 0
    sleep 0.1
  done
  die "nginx ($which) of $name did not listen on 127.0.0.1:$port within 5 s"
}

# Makes the running nginx re-read its config and certificate, and waits until only new workers
# answer. A reload keeps the cache's shared memory (a restart would forget what is cached for the
# minute its cache loader waits), so a stale copy survives it.
reload_server() {
  local which=$1 pid old new tries
  pid=$(cat "$dir/$which.pid" 2>/dev/null) || die "nginx ($which) of $name is not running"
  "$nginx" -t -q -c "$dir/$which.conf" -p "$dir" 2>"$dir/$which.test" || die "nginx rejects $dir/$which.conf: $(cat "$dir/$which.test")"
  old=$(pgrep -P "$pid" | sort)
  kill -HUP "$pid"
  for ((tries = 0; tries < 100; tries++)); do
    new=$(pgrep -P "$pid" | sort)
    if [[ -n $new ]] && [[ -z $(comm -12 <(echo "$old") <(echo "$new")) ]]; then return 0; fi
    sleep 0.1
  done
  die "nginx ($which) of $name did not reload within 10 s"
}

# One request through the cache from inside the PoP, so a stale copy exists to be served.
warm_cache() {
  # shellcheck disable=SC2016
  ip netns exec "$ns" bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 &&
    printf "GET / HTTP/1.0\r\nHost: www.pop.test\r\n\r\n" >&3 && cat <&3 >/dev/null' || true
}

# The zone pop.test signed with signatures valid from $1 to $2 (`date -d` phrases), served by
# named on the PoP's 127.0.0.1:53.
sign_zone() {
  local from to
  from=$(date -u -d "$1" +%Y%m%d%H%M%S)
  to=$(date -u -d "$2" +%Y%m%d%H%M%S)
  mkdir -p "$dir/dns/keys"
  if ! compgen -G "$dir/dns/keys/Kpop.test.*.key" >/dev/null; then
    dnssec-keygen -q -K "$dir/dns/keys" -a ECDSAP256SHA256 -n ZONE -f KSK pop.test >/dev/null
    dnssec-keygen -q -K "$dir/dns/keys" -a ECDSAP256SHA256 -n ZONE pop.test >/dev/null
  fi
  cat >"$dir/dns/pop.test" <<EOF
\$TTL 300
@ IN SOA ns.pop.test. hostmaster.pop.test. $(date -u +%s) 3600 600 86400 300
@ IN NS ns
ns IN A 127.0.0.1
www IN A 127.0.0.1
EOF
  dnssec-signzone -q -S -K "$dir/dns/keys" -d "$dir/dns" -o pop.test -f "$dir/dns/pop.test.signed" \
    -s "$from" -e "$to" -P "$dir/dns/pop.test" >/dev/null
  cat >"$dir/dns/named.conf" <<EOF
options {
  directory "$dir/dns";
  pid-file "$dir/dns/named.pid";
  session-keyfile "$dir/dns/session.key";
  managed-keys-directory "$dir/dns";
  listen-on port 53 { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
};
controls { };
zone "pop.test" { type primary; file "$dir/dns/pop.test.signed"; };
EOF
}

start_named() {
  local pid tries
  pid=$(cat "$dir/dns/named.pid" 2>/dev/null) && [[ $(ip netns identify "$pid" 2>/dev/null) == "$ns" ]] &&
    stop_pids "$pid"
  rm -f "$dir/dns/named.pid"
  named-checkconf "$dir/dns/named.conf" || die "named rejects $dir/dns/named.conf"
  ip netns exec "$ns" named -c "$dir/dns/named.conf" </dev/null >>"$dir/dns/named.log" 2>&1 9<&-
  for ((tries = 0; tries < 100; tries++)); do
    ip netns exec "$ns" ss -Hltn "sport = :53" | grep -q . && return 0
    sleep 0.1
  done
  die "named of $name did not listen on 127.0.0.1:53 within 10 s"
}

case $action in
  start)
    make_ca
    mkdir -p "$dir"
    [[ -s $tls/pop.pem && -s $dir/chain.pem && -s $dir/ocsp.der ]] || make_leaf 90
    make_gpg
    write_configs
    start_server origin 8081
    start_server edge 8443
    warm_cache
    sign_zone "1 hour ago" "30 days"
    start_named
    log "edge of $name up on its 127.0.0.1: http://www.pop.test:8080, https://www.pop.test:8443, DNS pop.test on :53"
    ;;
  expire | renew)
    [[ -s $dir/edge.conf ]] || die "no edge on $name; run lab/edge.sh start $name first"
    make_ca
    if [[ $action == expire ]]; then make_leaf 5; else make_leaf 90; fi
    reload_server edge
    ;;
  revoke | unrevoke)
    [[ -s $dir/edge.conf ]] || die "no edge on $name; run lab/edge.sh start $name first"
    make_ca
    if [[ $action == revoke ]]; then make_staple R; else make_staple V; fi
    reload_server edge
    ;;
  cut-origin)
    stop_server origin
    # nginx keeps an entry fresh for up to a second past max-age=1 (whole seconds): wait until
    # what the cache holds is stale, so the next request shows whether stale is served.
    sleep 2.5
    ;;
  restore-origin) start_server origin 8081 ;;
  no-stale | stale)
    [[ -s $dir/edge.conf ]] || die "no edge on $name; run lab/edge.sh start $name first"
    if [[ $action == no-stale ]]; then
      : >"$dir/stale.conf"
    else
      echo 'proxy_cache_use_stale error timeout http_502 http_503 http_504;' >"$dir/stale.conf"
    fi
    reload_server edge
    # As after cut-origin: what the cache holds is stale by the next request.
    [[ $action == stale ]] || sleep 2.5
    ;;
  expire-dnssec | resign)
    [[ -s $dir/dns/named.conf ]] || die "no edge on $name; run lab/edge.sh start $name first"
    if [[ $action == expire-dnssec ]]; then sign_zone "10 days ago" "1 day ago"; else sign_zone "1 hour ago" "30 days"; fi
    start_named
    ;;
  stop)
    stop_server edge
    stop_server origin
    pid=$(cat "$dir/dns/named.pid" 2>/dev/null) && [[ $(ip netns identify "$pid" 2>/dev/null) == "$ns" ]] &&
      stop_pids "$pid"
    true
    ;;
  *) usage ;;
esac
