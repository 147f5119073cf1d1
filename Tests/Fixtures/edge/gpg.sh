# Sourced by setup.sh: GnuPG keys in $dir/gnupg (valid, expired, encryption subkey expired,
# revoked, public only) and the valid key's export for the key server; writes $dir/gpg.env.
home="$dir/gnupg"
other="$dir/gnupg-other"
mkdir -p "$home" "$other" "$dir/gnupg-keyserver"
chmod 700 "$home" "$other"
past=$(($(date +%s) - 20 * 86400))
g() { gpg --homedir "$home" --batch --no-tty --pinentry-mode loopback --passphrase '' "$@" 2>>"$dir/gpg.log"; }
fingerprint() { gpg --homedir "${2:-$home}" --batch --with-colons --list-keys "$1" 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}'; }

g --quick-gen-key 'Valid PoP <valid@pop.test>' ed25519 sign,cert 1y
valid=$(fingerprint valid@pop.test)
g --quick-add-key "$valid" cv25519 encr 1y

g --faked-system-time "$past" --quick-gen-key 'Expired PoP <expired@pop.test>' ed25519 sign,cert 1d
expired=$(fingerprint expired@pop.test)
g --faked-system-time "$past" --quick-add-key "$expired" cv25519 encr 1d

g --faked-system-time "$past" --quick-gen-key 'Subkey PoP <subkey@pop.test>' ed25519 sign,cert 1y
subkey=$(fingerprint subkey@pop.test)
g --faked-system-time "$past" --quick-add-key "$subkey" cv25519 encr 1d

g --quick-gen-key 'Revoked PoP <revoked@pop.test>' ed25519 sign,cert 1y
revoked=$(fingerprint revoked@pop.test)
g --quick-add-key "$revoked" cv25519 encr 1y
sed 's/^:-----BEGIN/-----BEGIN/' "$home/openpgp-revocs.d/$revoked.rev" | g --import

gpg --homedir "$other" --batch --no-tty --pinentry-mode loopback --passphrase '' \
  --quick-gen-key 'Public PoP <public@pop.test>' ed25519 sign,cert 1y 2>>"$dir/gpg.log"
public=$(fingerprint public@pop.test "$other")
gpg --homedir "$other" --batch --no-tty --pinentry-mode loopback --passphrase '' \
  --quick-add-key "$public" cv25519 encr 1y 2>>"$dir/gpg.log"
gpg --homedir "$other" --batch --export "$public" | g --import
gpgconf --homedir "$other" --kill gpg-agent 2>/dev/null || true
gpgconf --homedir "$home" --kill gpg-agent 2>/dev/null || true

g --armor --export "$valid" >"$dir/gnupg-keyserver/$valid.asc"
# The key server has the subkey key rotated (a new encryption subkey) that the PoP never got.
rotated="$dir/gnupg-rotated"
cp -a "$home" "$rotated"
gpg --homedir "$rotated" --batch --no-tty --pinentry-mode loopback --passphrase '' \
  --quick-add-key "$subkey" cv25519 encr 2y 2>>"$dir/gpg.log"
gpg --homedir "$rotated" --batch --armor --export "$subkey" >"$dir/gnupg-keyserver/$subkey.asc"
gpgconf --homedir "$rotated" --kill gpg-agent 2>/dev/null || true

cat >"$dir/gpg.env" <<ENV
GPG_VALID=$valid
GPG_EXPIRED=$expired
GPG_SUBKEY_EXPIRED=$subkey
GPG_REVOKED=$revoked
GPG_PUBLIC_ONLY=$public
ENV
