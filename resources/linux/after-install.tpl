#!/bin/bash
# Revive's deb post-install script (electron-builder.yml: deb.afterInstall), in place of electron-builder's default.
# electron-builder fills in the dollar-brace names when it builds the package and fails on any it does not know, so
# every shell variable below is written without braces. DPKG_ROOT is dpkg's installation root: empty for a normal
# install (test/unit/cli-launchers.test.ts runs this script against a temporary one).
set -e
app="$DPKG_ROOT/opt/${sanitizedProductName}"

# /usr/bin/revive: the command-line launcher, which hands `--enhance` on to the app binary. Relative, so the link
# holds inside any installation root.
mkdir -p "$DPKG_ROOT/usr/bin"
ln -sfn '../../opt/${sanitizedProductName}/resources/bin/revive' "$DPKG_ROOT/usr/bin/${executable}"

# Chromium's sandbox uses unprivileged user namespaces; where the kernel (or policy) forbids them it needs its setuid
# helper instead.
if [ -f "$app/chrome-sandbox" ]; then
  if unshare --user true >/dev/null 2>&1; then
    chmod 0755 "$app/chrome-sandbox"
  else
    chmod 4755 "$app/chrome-sandbox"
  fi
fi

# Ubuntu 24.04 and later confine unprivileged user namespaces with AppArmor: install the profile electron-builder
# ships for the app, when this AppArmor understands it.
profile="$app/resources/apparmor-profile"
if [ -z "$DPKG_ROOT" ] && [ -f "$profile" ] && apparmor_status --enabled >/dev/null 2>&1; then
  if apparmor_parser --skip-kernel-load --debug "$profile" >/dev/null 2>&1; then
    cp -f "$profile" '/etc/apparmor.d/${executable}'
    apparmor_parser --replace --write-cache --skip-read-cache '/etc/apparmor.d/${executable}' || true
  fi
fi

# The file associations and the desktop entry.
if [ -z "$DPKG_ROOT" ]; then
  if command -v update-mime-database >/dev/null 2>&1; then update-mime-database /usr/share/mime || true; fi
  if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database /usr/share/applications || true; fi
fi
exit 0
