#!/usr/bin/env bash
# The edge fixture: certificates made here by `openssl` (a valid chain, a leaf expiring in 5 days,
# an intermediate expiring before its leaf, a wrong-SAN default), Debian's nginx serving them on
# 127.0.0.1 high ports (TLS 1.2/1.3 with h2, a TLS 1.1-only listener, plain HTTP, a caching proxy
# with proxy_cache_use_stale in front of an origin nginx that can be stopped), hostile servers
# (hostile.py), and GnuPG keys (valid, expired, encryption subkey expired, revoked, no secret).
# Nothing outside DIR is touched.
#
#   setup.sh start DIR [PID]   make everything, start the servers, write DIR/manifest.env; with
#                              PID, the servers stop as soon as that process is gone
#   setup.sh stop-origin DIR   stop the origin, so the cache must serve stale
#   setup.sh stop DIR          stop every server started for DIR
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|stop-origin DIR [PID]" >&2
  exit 64
}
[ $# -ge 2 ] && [ $# -le 3 ] || usage
action=$1
dir=$2
watch=${3:-}
here="$(cd "$(dirname "$0")" && pwd)"

# Close descriptors the caller leaked (a test runner's pipe): the servers outlive this script.
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
done

kill_pidfile() {
  local pid
  [ -s "$1" ] || return 0
  pid=$(cat "$1" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
}

stop() {
  kill_pidfile "$dir/origin/nginx.pid"
  kill_pidfile "$dir/edge/nginx.pid"
  kill_pidfile "$dir/hostile.pid"
}

case "$action" in
  stop) stop; exit 0 ;;
  stop-origin) kill_pidfile "$dir/origin/nginx.pid"; exit 0 ;;
  start) ;;
  *) usage ;;
esac

for tool in nginx openssl gpg python3; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
    echo "missing $tool: apt-get install nginx-light openssl gnupg python3" >&2
    exit 69
  }
done
nginx=$(command -v nginx || echo /usr/sbin/nginx)
python3 -c 'import cryptography.x509.ocsp' 2>/dev/null || {
  echo "missing python3-cryptography (the stale OCSP staple): apt-get install python3-cryptography" >&2
  exit 69
}

mkdir -p "$dir"/{pki,edge,origin,www,cache}
chmod 755 "$dir"
cd "$dir/pki"

ports=($(python3 -c '
import socket
sockets = [socket.socket() for _ in range(9)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))'))
tls_port=${ports[0]} tls11_port=${ports[1]} http_port=${ports[2]} origin_port=${ports[3]}
stall_port=${ports[4]} flood_port=${ports[5]} control_port=${ports[6]} keyserver_port=${ports[7]}
closed_port=${ports[8]}

# openssl req/x509 with a config written per certificate; -days sets notAfter from now.
sign() { # name subject days issuer extensions
  local name=$1 subject=$2 days=$3 issuer=$4 extensions=$5
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$subject" \
    -keyout "$name.key" -out "$name.csr" 2>/dev/null
  printf '%b\n' "$extensions" >"$name.ext"
  if [ "$issuer" = self ]; then
    openssl x509 -req -in "$name.csr" -signkey "$name.key" -days "$days" -extfile "$name.ext" -out "$name.pem" 2>/dev/null
  else
    openssl x509 -req -in "$name.csr" -CA "$issuer.pem" -CAkey "$issuer.key" -CAcreateserial -days "$days" \
      -extfile "$name.ext" -out "$name.pem" 2>/dev/null
  fi
}
ca='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash'
leaf() { printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s' "$1"; }

sign root "/O=InfraSpec Test/CN=InfraSpec Test Root" 3650 self "$ca"
sign intermediate "/O=InfraSpec Test/CN=Edge Intermediate" 365 root "$ca"
sign short "/O=InfraSpec Test/CN=Short Intermediate" 3 root "$ca"
sign other "/O=Other/CN=Other Root" 3650 self "$ca"
sign www "/CN=www.pop.test" 90 intermediate "$(leaf 'DNS:www.pop.test,DNS:*.img.pop.test')"
sign soon "/CN=soon.pop.test" 5 intermediate "$(leaf DNS:soon.pop.test)"
sign early "/CN=early.pop.test" 60 short "$(leaf DNS:early.pop.test)"
sign wrong "/CN=other.example.test" 90 intermediate "$(leaf DNS:other.example.test)"
cat www.pem intermediate.pem >www.chain.pem
cat soon.pem intermediate.pem >soon.chain.pem
cat early.pem short.pem >early.chain.pem
cat wrong.pem intermediate.pem >wrong.chain.pem
cat intermediate.pem www.pem >reversed.chain.pem
cp root.pem ca.pem
pin=$(openssl x509 -in www.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)

# OCSP staples (nginx's ssl_stapling_file) for leaves of the intermediate: good, revoked
# (keyCompromise, yesterday), stale (its nextUpdate passed 3 days ago), forged (signed by another
# CA's key), unknown (not in the responder's index) and noissuer (good, but nginx serves the leaf
# without its intermediate). `openssl ocsp` answers from an index as a CA's responder would; it cannot
# date a response in the past, so the stale one is built by python3-cryptography.
for kind in good revoked stale forged unknown noissuer; do
  sign "ocsp$kind" "/CN=$kind.ocsp.pop.test" 90 intermediate "$(leaf "DNS:$kind.ocsp.pop.test")"
  cat "ocsp$kind.pem" intermediate.pem >"ocsp$kind.chain.pem"
done
index_line() { # status leaf revocation
  printf '%s\t%s\t%s\t%s\tunknown\t/CN=%s.ocsp.pop.test\n' "$1" \
    "$(date -u -d "$(openssl x509 -in "ocsp$2.pem" -noout -enddate | cut -d= -f2)" +%y%m%d%H%M%SZ)" "$3" \
    "$(openssl x509 -in "ocsp$2.pem" -noout -serial | cut -d= -f2)" "$2"
}
{
  index_line V good ''
  index_line R revoked "$(date -u -d yesterday +%y%m%d%H%M%SZ),keyCompromise"
  index_line V forged ''
  index_line V noissuer ''
} >ocsp.index
cp ocspnoissuer.pem ocspnoissuer.chain.pem
ocsp_response() { # leaf signer
  openssl ocsp -issuer intermediate.pem -cert "ocsp$1.pem" -no_nonce -reqout "ocsp$1.req" 2>/dev/null
  openssl ocsp -index ocsp.index -CA intermediate.pem -rsigner "$2.pem" -rkey "$2.key" -ndays 7 \
    -reqin "ocsp$1.req" -respout "ocsp$1.der" >/dev/null 2>&1
  [ -s "ocsp$1.der" ] || { echo "openssl ocsp made no response for $1" >&2; exit 1; }
}
ocsp_response good intermediate
ocsp_response revoked intermediate
ocsp_response forged other
ocsp_response unknown intermediate
ocsp_response noissuer intermediate
python3 - ocspstale.pem intermediate.pem intermediate.key ocspstale.der <<'PY' || exit 1
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
leaf, issuer = (x509.load_pem_x509_certificate(open(p, "rb").read()) for p in sys.argv[1:3])
key = serialization.load_pem_private_key(open(sys.argv[3], "rb").read(), None)
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
builder = ocsp.OCSPResponseBuilder().add_response(
    cert=leaf, issuer=issuer, algorithm=hashes.SHA1(), cert_status=ocsp.OCSPCertStatus.GOOD,
    this_update=now - datetime.timedelta(days=10), next_update=now - datetime.timedelta(days=3),
    revocation_time=None, revocation_reason=None).responder_id(ocsp.OCSPResponderEncoding.HASH, issuer)
open(sys.argv[4], "wb").write(builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
PY
# Trust stores for chainVerifies() with no CA file (SSL_CERT_FILE / SSL_CERT_DIR): the root
# alone, an empty file, an empty folder, and a folder holding the root under its hash name.
mkdir -p trust/empty-dir trust/root-dir
cp root.pem trust/root.pem
: >trust/empty.pem
cp root.pem "trust/root-dir/$(openssl x509 -in root.pem -noout -hash).0"

printf 'hello from the edge\n' >"$dir/www/index.html"
printf 'new page\n' >"$dir/www/new"
printf 'sale until Sunday\n' >"$dir/www/sale.html"
touch -d '10 days ago' "$dir/www/sale.html"
printf 'origin content\n' >"$dir/www/cached"
truncate -s 1G "$dir/www/huge" # sparse: a 1 GiB body that takes no disk

cat >"$dir/origin/nginx.conf" <<CONF
worker_processes 1;
pid $dir/origin/nginx.pid;
error_log $dir/origin/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $dir/origin/tmp;
  server {
    listen 127.0.0.1:$origin_port;
    root $dir/www;
    location / { add_header Cache-Control "max-age=1"; }
  }
}
CONF

tls_server() { # name chain key [default]
  cat <<CONF
  server {
    listen 127.0.0.1:$tls_port ssl http2 ${4:-};
    server_name $1;
    ssl_certificate $dir/pki/$2;
    ssl_certificate_key $dir/pki/$3;
    ssl_protocols TLSv1.2 TLSv1.3;
    include $dir/edge/site.conf;
  }
CONF
}

ocsp_server() { # kind
  cat <<CONF
  server {
    listen 127.0.0.1:$tls_port ssl http2;
    server_name $1.ocsp.pop.test;
    ssl_certificate $dir/pki/ocsp$1.chain.pem;
    ssl_certificate_key $dir/pki/ocsp$1.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_stapling on;
    ssl_stapling_file $dir/pki/ocsp$1.der;
    location / { return 200 "ocsp $1\n"; }
  }
CONF
}

cat >"$dir/edge/site.conf" <<CONF
    root $dir/www;
    location = / {
      add_header Cache-Control "public, max-age=60, s-maxage=300, stale-while-revalidate=30, stale-if-error=86400";
      add_header X-PoP "lab";
      try_files /index.html =404;
    }
    location = /old { return 301 https://www.pop.test:$tls_port/new; }
    location = /sale { expires 1h; try_files /sale.html =404; }
    location = /huge { }
    location = /new { }
    location = /slow { return 200 "late\n"; }
    location = /cached {
      proxy_pass http://127.0.0.1:$origin_port;
      proxy_cache edge;
      proxy_cache_valid 200 1s;
      proxy_cache_use_stale error timeout http_502 http_503 http_504;
      proxy_connect_timeout 1s;
      add_header X-Cache-Status \$upstream_cache_status;
    }
CONF

cat >"$dir/edge/nginx.conf" <<CONF
worker_processes 1;
pid $dir/edge/nginx.pid;
error_log $dir/edge/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $dir/edge/tmp;
  proxy_temp_path $dir/edge/proxy;
  proxy_cache_path $dir/cache keys_zone=edge:1m;
  types { text/html html; }
  default_type text/plain;
$(tls_server "www.pop.test *.img.pop.test" www.chain.pem www.key)
$(tls_server soon.pop.test soon.chain.pem soon.key)
$(tls_server early.pop.test early.chain.pem early.key)
$(tls_server wrong.pop.test wrong.chain.pem wrong.key default_server)
$(for kind in good revoked stale forged unknown noissuer; do ocsp_server "$kind"; done)
  server {
    listen 127.0.0.1:$tls11_port ssl;
    server_name www.pop.test;
    ssl_certificate $dir/pki/www.chain.pem;
    ssl_certificate_key $dir/pki/www.key;
    ssl_protocols TLSv1.1;
    ssl_ciphers DEFAULT:@SECLEVEL=0;
    location / { return 200 "old\n"; }
  }
  server {
    listen 127.0.0.1:$http_port;
    server_name www.pop.test;
    include $dir/edge/site.conf;
  }
}
CONF

"$nginx" -p "$dir/origin" -c "$dir/origin/nginx.conf" -e "$dir/origin/error.log" -g 'user root;' 2>"$dir/origin/start.log" \
  || { cat "$dir/origin/start.log" >&2; exit 1; }
"$nginx" -p "$dir/edge" -c "$dir/edge/nginx.conf" -e "$dir/edge/error.log" -g 'user root;' 2>"$dir/edge/start.log" \
  || { cat "$dir/edge/start.log" >&2; stop; exit 1; }
python3 "$here/hostile.py" "$stall_port" "$flood_port" "$control_port" "$keyserver_port" "$dir/gnupg-keyserver" \
  "$dir/hostile.pid" >"$dir/hostile.log" 2>&1 &
for _ in $(seq 50); do [ -s "$dir/hostile.pid" ] && break; sleep 0.1; done

# The TLS 1.1 listener needs OpenSSL to allow TLS 1.1 at security level 0; say so if it does not.
tls11=yes
openssl s_client -connect "127.0.0.1:$tls11_port" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null >/dev/null 2>&1 || tls11=no

. "$here/gpg.sh"

cat >"$dir/manifest.env" <<ENV
TLS_PORT=$tls_port
TLS11_PORT=$tls11_port
TLS11_WORKS=$tls11
HTTP_PORT=$http_port
ORIGIN_PORT=$origin_port
STALL_PORT=$stall_port
FLOOD_PORT=$flood_port
CONTROL_PORT=$control_port
KEYSERVER_PORT=$keyserver_port
CLOSED_PORT=$closed_port
PKI=$dir/pki
PIN=$pin
GNUPGHOME=$dir/gnupg
$(cat "$dir/gpg.env")
ENV

if [ -n "$watch" ]; then
  (
    while kill -0 "$watch" 2>/dev/null; do sleep 2; done
    stop
    rm -rf "$dir"
  ) </dev/null >/dev/null 2>&1 &
fi
