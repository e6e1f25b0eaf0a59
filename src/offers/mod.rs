//! Retention offers: catalogue and eligibility, value model, bandit, off-policy evaluation, simulator.
