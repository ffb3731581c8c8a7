# The two commands the README promises: `make run` and `make test`.
.PHONY: run test lint bench screenshots bundle bundle-smoke wheel clean

run:
	scripts/system-deps.sh --window
	scripts/bootstrap.sh
	.venv/bin/transmit-admin

test:
	scripts/run-tests.sh

lint:
	scripts/bootstrap.sh test
	.venv/bin/ruff check transmit_admin tests bench
	.venv/bin/ruff format --check transmit_admin tests bench
	.venv/bin/mypy

bench:
	scripts/bootstrap.sh test
	QT_QPA_PLATFORM=offscreen .venv/bin/python bench/verify.py
	.venv/bin/python bench/store.py
	QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui.py
	.venv/bin/python bench/har.py
	scripts/system-deps.sh --test  # PostgreSQL binaries for the throwaway cluster
	.venv/bin/python bench/team.py

# The frozen app (PyInstaller onedir) in dist/transmit-admin/; see packaging/README.md.
bundle:
	scripts/system-deps.sh --window
	scripts/bootstrap.sh bundle
	.venv/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist \
		--workpath build/pyinstaller packaging/transmit-admin.spec

# Proves the bundle starts: the CLI answers, then the window opens offscreen on the sandbox.
bundle-smoke:
	dist/transmit-admin/transmit-admin --help >/dev/null
	dist/transmit-admin/transmit-admin verify --help >/dev/null
	dist/transmit-admin/transmit-admin team status --help >/dev/null
	home="$$(mktemp -d)"; trap 'rm -rf "$$home"' EXIT; \
		TRANSMIT_ADMIN_HOME="$$home" QT_QPA_PLATFORM=offscreen \
		dist/transmit-admin/transmit-admin --smoke-test && \
		printf '{"log":{"version":"1.2","creator":{"name":"smoke","version":"1"},"entries":[]}}' \
			>"$$home/empty.har" && \
		dist/transmit-admin/transmit-admin har inspect "$$home/empty.har" >/dev/null

# Wheel and sdist in dist/ (pipx install dist/transmit_admin-*.whl).
wheel:
	scripts/bootstrap.sh test
	.venv/bin/python -m build --outdir dist

screenshots:
	scripts/bootstrap.sh test
	QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py

clean:
	rm -rf .venv build dist .pytest_cache .mypy_cache .ruff_cache
