# The two set-up commands (see README). Both install what they need first.
.PHONY: demo test

demo:  ## install, then serve the demo on http://127.0.0.1:8000 (embedded SQLite)
	bash scripts/install.sh
	.venv/bin/proasn demo

test:  ## install, then run the whole suite on SQLite and PostgreSQL
	bash scripts/test.sh
