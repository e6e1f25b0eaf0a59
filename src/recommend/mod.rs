//! Recommendations: interactions, ALS, item-kNN, popularity, the Recommender facade, evaluation.
