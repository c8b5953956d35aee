"""What-if runs: perturb a portfolio, plan the variants, aggregate the outcomes.

Perturbations (:mod:`~ingenio.scenarios.perturb`), comparison of two plans with
resumption dates (:mod:`~ingenio.scenarios.whatif`), Monte Carlo sampling of
outages and tanker arrivals (:mod:`~ingenio.scenarios.montecarlo`), where the
runs execute (:mod:`~ingenio.scenarios.executor`, the one module that starts
processes or talks to a cluster) and a fuel policy chosen over samples
(:mod:`~ingenio.scenarios.robust`). Everything else here is pure.
"""
