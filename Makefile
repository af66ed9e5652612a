# The two entry points of the README's Quick start, plus what they are made of.
# Both bootstrap first, so each works alone on a fresh Debian machine with Swift.
SWIFT ?= swift
ADAPTCLIP_FLAGS ?=

.PHONY: bootstrap build release serve test training-test demo-model demo-results adaptation-results clean

bootstrap:
	scripts/bootstrap

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build -c release --product adaptclip

## Run the service on its embedded default (Ctrl-C or SIGTERM stops it gracefully).
serve: release
	.build/release/adaptclip serve $(ADAPTCLIP_FLAGS)

## Build everything and run every test target. Serially: the socket-level HTTP tests need
## Swift's cooperative threads (one per core) free, and CPU-heavy parity suites running
## beside them on a 2-core machine would starve the server under test.
test: bootstrap
	$(SWIFT) build --build-tests
	$(SWIFT) test --disable-xctest --no-parallel
	scripts/check-deploy
	$(MAKE) --no-print-directory training-test
	scripts/parity-per-kernel
	scripts/demo-check
	scripts/ingest-kill-check
	scripts/api-conformance
	scripts/openai-sdk-check
	scripts/browser-check
	scripts/adversarial
	scripts/fuzz-http-parser 30
	scripts/fuzz-request-bodies 30
	scripts/fuzz-images 30

## The Python tests of training/ (checkpoint export and refusals against the Swift fixtures, the
## world generator, tiny trainings): pytest in the pinned training venv, which scripts/training-venv
## builds on first use (1-2.5 min on 2 cores with torch's 192 MB wheel; the tests then take 30-50 s).
training-test:
	"$$(scripts/training-venv)" -m pytest training/tests -q

## Regenerate models/demo from nothing: the world, the demo CLIP and BERT, the language adapter
## (training/make_demo.sh; PyTorch on CPU, 23 minutes on 2 idle cores, the same bytes every run).
demo-model:
	training/make_demo.sh

## The language-adaptation results on the bundle: Swift (`adaptclip eval --check`, through the
## Engine) beside the PyTorch pipeline, which must agree within 0.5 points (docs/results.md).
demo-results: release
	"$$(scripts/training-venv)" -m training.evaluate_demo --bundle models/demo --json .build/demo-eval-pytorch.json
	.build/release/adaptclip eval --check --compare .build/demo-eval-pytorch.json

## The domain-adapter study (a)–(e) and the prompt-learning grid on the demo models, into
## docs/results-domain.* and docs/results-prompts.* (docs/results.md quotes both; ~35 min of CPU).
## Needs the demo world and models in training/out (make demo-model).
adaptation-results:
	"$$(scripts/training-venv)" -m training.domain_study --clip models/demo/clip
	"$$(scripts/training-venv)" -m training.prompt_results --clip models/demo/clip --world training/out/world \
		--json docs/results-prompts.json --markdown docs/results-prompts.md --export-dir training/out/prompts/demo --threads 1

clean:
	rm -rf .build
