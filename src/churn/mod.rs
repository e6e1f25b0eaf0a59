//! Churn and customer value: special functions, optimiser, BG/NBD, MBG/NBD, Pareto/NBD, Gamma-Gamma, CLV, ChurnModel.
