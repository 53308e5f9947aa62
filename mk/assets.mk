# Front-end assets, included by the main Makefile (paths are relative to the repository root).
#
#   make assets        install the pinned npm packages if needed, copy them into static/vendor/
#   make assets-clean  remove static/vendor/ (node_modules/ stays, it is only a cache)
#   standalone: make -f mk/assets.mk assets  (name the goal: the fragment sets no default)
#
# The packages are pinned in package.json and package-lock.json; nothing is fetched at run
# time, so the built static/vendor/ is all a closed network needs.

# Keep the including Makefile's default goal: this fragment's first target must not
# become it when the include line comes first.
ASSETS_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

NPM ?= npm
NODE ?= node
ASSETS_LOCK := package-lock.json
ASSETS_SCRIPT := scripts/build_assets.mjs
ASSETS_VENDOR := static/vendor
ASSETS_STAMP := $(ASSETS_VENDOR)/.stamp
# npm rewrites node_modules/.package-lock.json on every install: missing or older than the
# lockfile means node_modules is absent or stale.
ASSETS_INSTALLED := node_modules/.package-lock.json

.PHONY: assets assets-clean

assets: $(ASSETS_STAMP)

# package.json is a prerequisite too, so an edit without a new lockfile fails loudly in
# "npm ci" instead of silently building the old versions.
$(ASSETS_INSTALLED): package.json $(ASSETS_LOCK)
	$(NPM) ci --no-audit --no-fund
	@touch $@

$(ASSETS_STAMP): $(ASSETS_INSTALLED) $(ASSETS_SCRIPT)
	$(NODE) $(ASSETS_SCRIPT)
	@touch $@

assets-clean:
	rm -rf $(ASSETS_VENDOR)

.DEFAULT_GOAL := $(ASSETS_SAVED_DEFAULT_GOAL)
