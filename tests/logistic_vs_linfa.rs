//! The churn layer's Newton logistic regression against linfa-logistic, the independent
//! reference that minimises the same penalised objective by L-BFGS.
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use regulars::churn::logistic::fit_logistic;
use regulars::rng::Rng;

#[test]
fn same_optimum_as_linfa_logistic() {
    let mut rng = Rng::new(3);
    for (n, features, alpha) in [(500, 3, 1.0), (2_000, 10, 1.0), (300, 5, 10.0)] {
        let truth: Vec<f64> = (0..features).map(|_| rng.normal()).collect();
        let mut rows = Vec::with_capacity(n * features);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let x: Vec<f64> = (0..features).map(|_| rng.normal()).collect();
            let z: f64 = x.iter().zip(&truth).map(|(a, b)| a * b).sum::<f64>() - 0.3;
            y.push(rng.uniform() < 1.0 / (1.0 + (-z).exp()));
            rows.extend(x);
        }
        let ours = fit_logistic(&rows, features, &y, alpha).unwrap();
        let dataset = Dataset::new(Array2::from_shape_vec((n, features), rows).unwrap(), y.iter().copied().collect::<Array1<bool>>());
        let theirs = LogisticRegression::default().alpha(alpha).max_iterations(1000).gradient_tolerance(1e-10).fit(&dataset).unwrap();
        // linfa's positive class is its own choice; flip to "y = true".
        let sign = if theirs.labels().pos.class { 1.0 } else { -1.0 };
        for (a, b) in ours.coefficients.iter().zip(theirs.params().iter()) {
            assert!((a - sign * b).abs() < 1e-4, "coefficient {a} vs linfa {}", sign * b);
        }
        assert!((ours.intercept - sign * theirs.intercept()).abs() < 1e-4);
    }
}
