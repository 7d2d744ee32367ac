#!/bin/bash
# Revive's deb post-removal script (electron-builder.yml: deb.afterRemove), in place of electron-builder's default.
# Dollar-brace names are filled in by electron-builder (see after-install.tpl); DPKG_ROOT is dpkg's installation root.
set -e
link="$DPKG_ROOT/usr/bin/${executable}"

# Remove /usr/bin/revive only while it is still our launcher link: a file or link someone else put there stays.
if [ -L "$link" ] && [ "$(readlink "$link")" = '../../opt/${sanitizedProductName}/resources/bin/revive' ]; then
  rm -f "$link"
fi

profile='/etc/apparmor.d/${executable}'
if [ -z "$DPKG_ROOT" ] && [ -f "$profile" ]; then
  if apparmor_status --enabled >/dev/null 2>&1; then apparmor_parser --remove "$profile" || true; fi
  rm -f "$profile"
fi
exit 0
