#!/usr/bin/env bash
# Lays out a buildable copy of the Kubernetes provider in $WORK (see ../../go-tools.sh).
# The provider's command embeds schema-embed.json and terraform-mapping-embed.json, which the
# published module does not carry: they are its schema.json with the release version set, and
# terraform-mapping.json, written here as the provider's own generate step writes them.
# $WORK holds this wrapper module, with the provider replaced by the copy in $WORK/provider;
# the wrapper's go.sum checks every other module.
set -euo pipefail
: "${GO:?}" "${WORK:?}"
mod=github.com/pulumi/pulumi-kubernetes/provider/v4
version="$(sed -n 's/^pulumi-resource-kubernetes .*pkg\/version\.Version=\([0-9.]*\).*/\1/p' build.list)"
[ -n "$version" ] || { echo "source.sh: no version in build.list" >&2; exit 1; }
"$GO" mod download "$mod"
from="$("$GO" list -m -f '{{.Dir}}' "$mod")"
rm -rf "$WORK"
mkdir -p "$WORK"
cp go.mod go.sum tools.go "$WORK/"
cp -R "$from" "$WORK/provider"
chmod -R u+w "$WORK/provider"
cd "$WORK/provider/cmd/pulumi-resource-kubernetes"
VERSION="$version" node -e '
  const fs = require("fs");
  const schema = JSON.parse(fs.readFileSync("schema.json", "utf8"));
  schema.version = process.env.VERSION;
  fs.writeFileSync("schema-embed.json", JSON.stringify(schema));
  const mapping = JSON.parse(fs.readFileSync("terraform-mapping.json", "utf8"));
  fs.writeFileSync("terraform-mapping-embed.json", JSON.stringify(mapping));
'
cd "$WORK"
"$GO" mod edit -replace "$mod=./provider"
