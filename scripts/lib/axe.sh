# axe-core for the browser tests' accessibility checks, fetched with npm into a
# cache outside git (MPL-2.0; not vendored). `ensure_axe` sets REKINDLE_AXE_JS.
AXE_VERSION=4.14.1
ensure_axe() {
  local dir="${XDG_CACHE_HOME:-$HOME/.cache}/rekindle/axe-core-$AXE_VERSION"
  if ! [ -s "$dir/axe.min.js" ]; then
    echo "==> fetching axe-core $AXE_VERSION with npm pack"
    command -v npm >/dev/null || { echo "npm is needed to fetch axe-core (apt-get install npm)" >&2; return 1; }
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null && tar xzf axe-core-*.tgz)
    mkdir -p "$dir"
    cp "$tmp/package/axe.min.js" "$tmp/package/LICENSE" "$dir/"
    rm -rf "$tmp"
  fi
  export REKINDLE_AXE_JS="$dir/axe.min.js"
}
