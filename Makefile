# The two commands the README documents, plus the fleet's own. Each target is one script.
.PHONY: demo test lint bench fleet-up fleet-stop fleet-destroy images

demo:          ## bring up the local fleet and converge site.yml on it
	scripts/demo

test:          ## everything: lint, the app's suite, molecule scenarios
	scripts/test

lint:
	scripts/test lint

bench:         ## the benchmarks on the local fleet (after make demo); ARGS=--quick for a short run
	bench/run $(ARGS)

images:
	scripts/images

fleet-up:
	scripts/fleet up

fleet-stop:
	scripts/fleet stop

fleet-destroy:
	scripts/fleet destroy
